// The callback URL of a job: parsed with a real URL parser (uriparser),
// its host resolved, and every resolved address classified as a binary
// address (so 2130706433, 0x7f000001, 0177.0.0.1, 127.1 and "127.0.0.1."
// are all 127.0.0.1, never text to be matched). Callbacks to loopback,
// private, link-local, multicast, unspecified, broadcast, reserved,
// documentation and IPv4-in-IPv6 addresses are refused unless private
// callbacks are allowed. The delivery connects to the address that was
// checked (no second lookup a rebinding DNS server could answer differently).
//
// Name resolution is a seam (HostResolver) so that tests and the fuzzer
// never touch DNS. Thread-safe; SystemResolver() uses getaddrinfo.
#pragma once

#include <docgen/status.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace docgen {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network order; an IPv4 address in the first 4

  static IpAddress V4(uint32_t host_order);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);
  std::string ToString() const;  // inet_ntop's spelling
  bool operator==(const IpAddress&) const = default;
};

// "" when a callback may go to `address`; otherwise what kind of address it
// is, in words: "a loopback address", "a private address", ...
std::string ForbiddenAddressKind(const IpAddress& address);

// The addresses of a host name (never called for IP literals, which the
// checker parses itself); an error Status when the name does not resolve
// (kInvalidArgument: no such name; kUnavailable: try again later).
using HostResolver = std::function<Result<std::vector<IpAddress>>(const std::string& name)>;
HostResolver SystemResolver();

inline constexpr size_t kMaxCallbackUrlLength = 2048;

struct CallbackTarget {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written (lower-cased, without brackets): the Host header and the TLS name
  bool host_is_ipv6 = false;
  int port = 0;
  std::string target;  // path and query; "/" at least
  IpAddress address;   // the checked address the delivery connects to

  // "host[:port]" for the Host header (brackets around IPv6, default port left out).
  std::string HostHeader() const;
  // The key of the per-host delivery limit: "host:port".
  std::string HostKey() const { return host + ":" + std::to_string(port); }
};

// The syntax alone: http or https, a host, no user info, a port in
// 1..65535, at most kMaxCallbackUrlLength characters. `address` is unset.
Result<CallbackTarget> ParseCallbackUrl(std::string_view url);

// Syntax, then resolution, then (unless allow_private) the address classes.
// A name that resolves to several addresses is refused if any of them is
// refused; the first one is the address to connect to. Messages name the
// field ("\"callback_url\" resolves to 127.0.0.1, a loopback address, ...").
Result<CallbackTarget> CheckCallbackUrl(std::string_view url, bool allow_private, const HostResolver& resolve);

}  // namespace docgen
