#include "jobs/callback_url.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uriparser/Uri.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>

namespace docgen {
namespace {

const std::string kField = "\"callback_url\"";

std::string Lower(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

std::string Range(const UriTextRangeA& range) {
  if (range.first == nullptr || range.afterLast == nullptr || range.afterLast < range.first) return "";
  return std::string(range.first, static_cast<size_t>(range.afterLast - range.first));
}

uint32_t V4Of(const IpAddress& a, size_t offset) {
  return (uint32_t{a.bytes[offset]} << 24) | (uint32_t{a.bytes[offset + 1]} << 16) |
         (uint32_t{a.bytes[offset + 2]} << 8) | uint32_t{a.bytes[offset + 3]};
}

bool In(uint32_t x, uint32_t network, int prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (x & mask) == (network & mask);
}

constexpr uint32_t Quad(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return (a << 24) | (b << 16) | (c << 8) | d; }

std::string V4Kind(uint32_t x) {
  if (x == 0xFFFFFFFFu) return "a broadcast address";
  if (x == 0) return "an unspecified address";
  if (In(x, 0, 8)) return "a \"this network\" address (0.0.0.0/8)";
  if (In(x, Quad(127, 0, 0, 0), 8)) return "a loopback address";
  if (In(x, Quad(10, 0, 0, 0), 8) || In(x, Quad(172, 16, 0, 0), 12) || In(x, Quad(192, 168, 0, 0), 16))
    return "a private address";
  if (In(x, Quad(100, 64, 0, 0), 10)) return "a private (carrier-grade NAT) address";
  if (In(x, Quad(169, 254, 0, 0), 16)) return "a link-local address";
  if (In(x, Quad(192, 0, 0, 0), 24) || In(x, Quad(192, 88, 99, 0), 24)) return "a reserved address";
  if (In(x, Quad(192, 0, 2, 0), 24) || In(x, Quad(198, 51, 100, 0), 24) || In(x, Quad(203, 0, 113, 0), 24)) {
    return "a documentation address";
  }
  if (In(x, Quad(198, 18, 0, 0), 15)) return "a benchmarking address";
  if (In(x, Quad(224, 0, 0, 0), 4)) return "a multicast address";
  if (In(x, Quad(240, 0, 0, 0), 4)) return "a reserved address";
  return "";
}

bool Zero(const IpAddress& a, size_t from, size_t to) {
  return std::all_of(a.bytes.begin() + static_cast<std::ptrdiff_t>(from),
                     a.bytes.begin() + static_cast<std::ptrdiff_t>(to), [](uint8_t b) { return b == 0; });
}

std::string V6Kind(const IpAddress& a) {
  const auto& b = a.bytes;
  if (Zero(a, 0, 16)) return "an unspecified address";
  if (Zero(a, 0, 15) && b[15] == 1) return "a loopback address";
  if (Zero(a, 0, 10) && b[10] == 0xff && b[11] == 0xff) return "an IPv4-mapped IPv6 address";
  if (Zero(a, 0, 12)) return "an IPv4-compatible IPv6 address";
  if (Zero(a, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
    return "an IPv4-translated IPv6 address";
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    if (Zero(a, 4, 12)) {  // 64:ff9b::/96, the well-known NAT64 prefix: the IPv4 address is the last 32 bits
      const std::string kind = V4Kind(V4Of(a, 12));
      return kind.empty() ? "" : "a NAT64 address of " + IpAddress::V4(V4Of(a, 12)).ToString() + ", " + kind;
    }
    return "a reserved (local NAT64) address";  // 64:ff9b:1::/48 and the rest of 64:ff9b::/32
  }
  if (b[0] == 0x20 && b[1] == 0x02) {  // 2002::/16, 6to4: the IPv4 address follows the prefix
    const std::string kind = V4Kind(V4Of(a, 2));
    return kind.empty() ? "" : "a 6to4 address of " + IpAddress::V4(V4Of(a, 2)).ToString() + ", " + kind;
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return "a Teredo address";         // 2001::/32
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "a documentation address";  // 2001:db8::/32
  if (b[0] == 0x01 && b[1] == 0x00 && Zero(a, 2, 8)) return "a reserved (discard) address";            // 100::/64
  if ((b[0] & 0xfe) == 0xfc) return "a private (unique local) address";                                // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address";                            // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "a site-local address";                            // fec0::/10
  if (b[0] == 0xff) return "a multicast address";                                                      // ff00::/8
  if ((b[0] & 0xe0) != 0x20) return "a reserved address";  // outside 2000::/3, the global unicast space
  return "";
}

// A host name the way DNS spells one (letters, digits, '-', '_', '.'):
// anything else (percent escapes, IPvFuture) is refused rather than guessed at.
bool NameCharacters(const std::string& host) {
  return !host.empty() && host.size() <= 254 && std::all_of(host.begin(), host.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
  });
}

// The host as an IPv4 address in any spelling inet_aton takes (2130706433,
// 0x7f000001, 0177.0.0.1, 127.1, 0); only called on NameCharacters text.
std::optional<IpAddress> ParseV4(const std::string& name) {
  in_addr address{};
  if (name.empty() || inet_aton(name.c_str(), &address) == 0) return std::nullopt;
  return IpAddress::V4(ntohl(address.s_addr));
}

}  // namespace

IpAddress IpAddress::V4(uint32_t host_order) {
  IpAddress a;
  a.bytes[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.v6 = true;
  a.bytes = bytes;
  return a;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

std::string ForbiddenAddressKind(const IpAddress& address) {
  return address.v6 ? V6Kind(address) : V4Kind(V4Of(address, 0));
}

HostResolver SystemResolver() {
  return [](const std::string& name) -> Result<std::vector<IpAddress>> {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int error = getaddrinfo(name.c_str(), nullptr, &hints, &found);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, &freeaddrinfo);
    if (error != 0) {
      const std::string why = gai_strerror(error);
      if (error == EAI_AGAIN || error == EAI_SYSTEM || error == EAI_MEMORY) return Status::Unavailable(why);
      return Status::InvalidArgument(why);
    }
    std::vector<IpAddress> addresses;
    for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      IpAddress a;
      if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
        a = IpAddress::V4(ntohl(reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr));
      } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(sockaddr_in6)) {
        std::array<uint8_t, 16> bytes{};
        std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
        a = IpAddress::V6(bytes);
      } else {
        continue;
      }
      if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) addresses.push_back(a);
    }
    if (addresses.empty()) return Status::InvalidArgument("no IPv4 or IPv6 address");
    return addresses;
  };
}

std::string CallbackTarget::HostHeader() const {
  std::string header = host_is_ipv6 ? "[" + host + "]" : host;
  if (port != (scheme == "https" ? 443 : 80)) header += ":" + std::to_string(port);
  return header;
}

Result<CallbackTarget> ParseCallbackUrl(std::string_view url) {
  if (url.size() > kMaxCallbackUrlLength) {
    return Status::InvalidArgument(kField + " is longer than " + std::to_string(kMaxCallbackUrlLength) +
                                   " characters.");
  }
  UriUriA uri;
  const char* error_at = nullptr;
  if (url.empty() || uriParseSingleUriExA(&uri, url.data(), url.data() + url.size(), &error_at) != URI_SUCCESS) {
    const size_t at = error_at != nullptr && !url.empty() ? static_cast<size_t>(error_at - url.data()) : 0;
    return Status::InvalidArgument(kField + " is not a valid URL (at character " + std::to_string(at + 1) + ").");
  }
  std::unique_ptr<UriUriA, void (*)(UriUriA*)> owned(&uri, [](UriUriA* u) { uriFreeUriMembersA(u); });
  CallbackTarget target;
  target.scheme = Lower(Range(uri.scheme));
  if (target.scheme != "http" && target.scheme != "https") {
    return Status::InvalidArgument(kField + " must be an http:// or https:// URL.");
  }
  if (uri.userInfo.first != nullptr) {
    return Status::InvalidArgument(kField + " must not carry a user name or password (user@host).");
  }
  if (uri.hostData.ipFuture.first != nullptr)
    return Status::InvalidArgument(kField + " has a host this server cannot call.");
  target.host = Lower(Range(uri.hostText));
  target.host_is_ipv6 = uri.hostData.ip6 != nullptr;
  if (target.host.empty()) return Status::InvalidArgument(kField + " must name a host (http://host/...).");
  if (!target.host_is_ipv6 && !NameCharacters(target.host)) {
    return Status::InvalidArgument(kField + " has a host that is neither a DNS name nor an IP address.");
  }
  const std::string port = Range(uri.portText);
  if (port.empty()) {
    target.port = target.scheme == "https" ? 443 : 80;
  } else {
    const size_t digits = port.find_first_not_of('0');
    if (port.find_first_not_of("0123456789") != std::string::npos || digits == std::string::npos ||
        port.size() - digits > 5 || std::stoi(port.substr(digits)) > 65535) {
      return Status::InvalidArgument(kField + " has port " + port.substr(0, 16) + "; a port is 1 to 65535.");
    }
    target.port = std::stoi(port.substr(digits));
  }
  // The request target is what follows the authority, without the fragment.
  // The authority holds no '/', '?' or '#' (uriparser checked it).
  const size_t authority = url.find("//");
  size_t start = authority == std::string_view::npos ? url.size() : url.find_first_of("/?#", authority + 2);
  if (start == std::string_view::npos) start = url.size();
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find('#'));
  target.target = std::string(rest);
  if (target.target.empty() || target.target[0] != '/') target.target = "/" + target.target;
  return target;
}

Result<CallbackTarget> CheckCallbackUrl(std::string_view url, bool allow_private, const HostResolver& resolve) {
  Result<CallbackTarget> parsed = ParseCallbackUrl(url);
  if (!parsed.ok()) return parsed;
  CallbackTarget& target = *parsed;
  std::vector<IpAddress> addresses;
  if (target.host_is_ipv6) {
    std::array<uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, target.host.c_str(), bytes.data()) != 1) {
      return Status::InvalidArgument(kField + " has an IPv6 address this server cannot read.");
    }
    addresses.push_back(IpAddress::V6(bytes));
  } else {
    // One trailing dot makes a name fully qualified, and means the same host.
    std::string name = target.host;
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    if (std::optional<IpAddress> literal = ParseV4(name)) {
      addresses.push_back(*literal);
    } else {
      if (!resolve) return Status::Internal("no host name resolver");
      Result<std::vector<IpAddress>> resolved = resolve(name);
      if (!resolved.ok()) {
        const std::string why = kField + " names the host " + target.host + ", which " +
                                (resolved.status().code() == StatusCode::kUnavailable ? "cannot be resolved right now"
                                                                                      : "does not resolve") +
                                " (" + resolved.status().message() + ").";
        return resolved.status().code() == StatusCode::kUnavailable ? Status::Unavailable(why)
                                                                    : Status::InvalidArgument(why);
      }
      addresses = std::move(*resolved);
      if (addresses.empty())
        return Status::InvalidArgument(kField + " names the host " + target.host + ", which has no address.");
    }
  }
  if (!allow_private) {
    for (const IpAddress& address : addresses) {
      if (const std::string kind = ForbiddenAddressKind(address); !kind.empty()) {
        return Status::InvalidArgument(kField + " resolves to " + address.ToString() + ", " + kind +
                                       ", which this server does not call.");
      }
    }
  }
  target.address = addresses.front();
  return parsed;
}

}  // namespace docgen
