// Fuzzes the callback URL check (src/jobs/callback_url.cc) with arbitrary
// bytes as the URL. Names are "resolved" by a fake that derives addresses
// from the name (some public, some private, some missing): the fuzzer never
// does DNS. Whatever the input, the check must not crash, and a URL it
// accepts must be one a delivery can use as it stands.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/callback_url.h"

namespace {

using docgen::IpAddress;

uint32_t Hash(const std::string& text) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char ch : text) h = (h ^ ch) * 16777619u;
  return h;
}

docgen::Result<std::vector<IpAddress>> FakeResolve(const std::string& name) {
  const uint32_t h = Hash(name);
  if (name.empty() || h % 7 == 0) return docgen::Status::InvalidArgument("Name or service not known");
  if (h % 11 == 0) return docgen::Status::Unavailable("Temporary failure in name resolution");
  std::vector<IpAddress> addresses = {IpAddress::V4(h)};
  if (h % 3 == 0) {
    std::array<uint8_t, 16> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(h >> ((i % 4) * 8));
    addresses.push_back(IpAddress::V6(bytes));
  }
  return addresses;
}

bool Printable(std::string_view text) {
  for (unsigned char ch : text) {
    if (ch <= 0x20 || ch >= 0x7f) return false;
  }
  return true;
}

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  const docgen::HostResolver resolve = FakeResolve;
  for (const bool allow_private : {false, true}) {
    docgen::Result<docgen::CallbackTarget> checked = docgen::CheckCallbackUrl(url, allow_private, resolve);
    if (!checked.ok()) {
      Require(!checked.status().message().empty());
      continue;
    }
    const docgen::CallbackTarget& t = *checked;
    Require(url.size() <= docgen::kMaxCallbackUrlLength);
    Require(t.scheme == "http" || t.scheme == "https");
    Require(!t.host.empty() && Printable(t.host) && t.host.find_first_of("@/?#[]") == std::string::npos);
    Require(t.port >= 1 && t.port <= 65535);
    Require(!t.target.empty() && t.target[0] == '/' && Printable(t.target) && t.target.find('#') == std::string::npos);
    Require(Printable(t.HostHeader()));
    if (!allow_private) Require(docgen::ForbiddenAddressKind(t.address).empty());
    // Syntax alone agrees with the full check.
    docgen::Result<docgen::CallbackTarget> parsed = docgen::ParseCallbackUrl(url);
    Require(parsed.ok() && parsed->host == t.host && parsed->port == t.port && parsed->target == t.target);
  }
  return 0;
}
