// Authentication and authorisation of API requests (SPEC §6).
//
// A bearer token is checked by a TokenSource: the local token file (the
// embedded default; tokens stored as SHA-256 hashes) or an OAuth2
// introspection endpoint (RFC 7662). Introspection results are cached in
// process (bounded LRU) and optionally in Redis shared by every docgen
// process; cache keys are hashes of token and endpoint, never the token.
// Concurrent checks of one uncached token make one provider call. While the
// provider fails (429, 5xx, unreachable), cached tokens keep working and new
// ones get "unavailable" with a Retry-After, with backoff toward the
// provider. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"

namespace docgen {

enum class Role { kNone = 0, kViewer = 1, kGenerator = 2, kAdmin = 3 };
const char* ToString(Role role);
std::optional<Role> ParseRole(const std::string& text);

struct AuthResult {
  // kRateLimited: the client address sent too many unknown tokens (introspection; HTTP 429).
  enum class Outcome { kOk, kUnauthorized, kUnavailable, kRateLimited };
  Outcome outcome = Outcome::kUnauthorized;
  std::string subject;
  Role role = Role::kNone;
  std::string token_id;         // the token file's id of the token (TokenId); "" for introspected tokens
  int retry_after_seconds = 0;  // kUnavailable, kRateLimited
  std::string reason;           // for logs and error messages; never the token
};

struct AuthOptions {
  std::string mode = "token_file";  // token_file | introspection | none
  bool allow_none_on_network = false;  // mode none on a listen address that is not loopback (else refused)
  std::string token_file;           // DATA/tokens.json by default
  std::string introspection_url;
  std::string client_id;
  std::string client_secret;
  std::string redis_url;            // redis://host:port[/db]; empty: in-process cache only
  size_t cache_entries = 10000;
  int64_t max_ttl_ms = 5 * 60 * 1000;
  int64_t negative_ttl_ms = 30 * 1000;
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_cap_ms = 60 * 1000;
  // Calls to the provider are paced to this rate (0: unpaced), so that a burst
  // of new tokens waits its turn (up to max_wait_ms) instead of tripping the
  // provider's rate limit.
  double provider_rate_per_second = 0;
  int64_t max_wait_ms = 5000;
  // Introspection: a client address whose unknown tokens (in no cache, not
  // active at the provider) failed this many times within the window gets
  // kRateLimited for further unknown tokens until the window ends (0: off).
  int unknown_token_failures = 20;
  int64_t unknown_token_window_ms = 60 * 1000;
};

class Authenticator {
 public:
  // `clock` dates cache entries and token expiry; it must outlive this object.
  Authenticator(AuthOptions options, Metrics& metrics, const Log& log, const Clock& clock);
  ~Authenticator();

  // `client_address` (the caller's IP address, "" when unknown) is what
  // unknown tokens are counted against (introspection only).
  AuthResult Check(const std::string& token, const std::string& client_address = "");
  // For /readyz: "ok", or why the shared cache or the provider is degraded.
  std::string Health() const;
  bool enabled() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The local token file: {"tokens": [{"sha256", "subject", "role", "created_at"}]}.
// A token's id is the start of its hash (12 hex digits): it names the token
// in lists, logs and the audit log without revealing it.
std::string TokenId(const std::string& token);
struct TokenInfo {
  std::string id;
  std::string subject;
  std::string role;
  int64_t created_at = 0;  // seconds since the epoch; 0 when unknown
};
// Records a change to the token file (the audit log): called with the tokens
// created or revoked once the new file is in place, under the file's lock.
// When it fails (false, with why), the old bytes are put back and the change
// fails: a change is made and recorded, or neither. (The file is not in the
// database's transaction: a crash between the two leaves the change without
// its entry.)
using TokenFileRecorder = std::function<bool(const std::vector<TokenInfo>& changed, std::string* error)>;
// Creates a token, stores its hash, returns the token (shown once).
std::optional<std::string> CreateToken(const std::string& file, Role role, const std::string& subject, std::string* error,
                                       const TokenFileRecorder& record = nullptr);
// The tokens of the file (none when there is no file); nullopt and `error` when it cannot be read.
std::optional<std::vector<TokenInfo>> ListTokens(const std::string& file, std::string* error);
// Removes every token whose subject or id is `subject_or_id` and returns
// them; a server reading the file refuses them from its next request on.
// nullopt and `error` when none matches or the file cannot be changed.
std::optional<std::vector<TokenInfo>> RevokeTokens(const std::string& file, const std::string& subject_or_id, std::string* error,
                                                   const TokenFileRecorder& record = nullptr);

}  // namespace docgen
