#include "auth/auth.h"

#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <httplib.h>
#include <nettle/memops.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <list>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "auth/failure_limiter.h"
#include "util/text.h"

namespace docgen {
namespace {

std::string HashHex(const std::string& text) { return Sha256Hex(text).substr(7); }

Role RoleFromScopes(const std::string& scope) {
  Role best = Role::kNone;
  std::istringstream words(scope);
  std::string word;
  while (words >> word) {
    if (word.rfind("docgen:", 0) == 0) word = word.substr(7);
    if (auto role = ParseRole(word); role && static_cast<int>(*role) > static_cast<int>(best)) best = *role;
  }
  return best;
}

// A verdict about one token, as cached.
struct Verdict {
  bool active = false;
  Role role = Role::kNone;
  std::string subject;
  int64_t expires_at = 0;  // ms; the entry is not used from then on
};

// Bounded least-recently-used map from cache key to verdict.
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}
  std::optional<Verdict> Get(const std::string& key, int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (it->second->second.expires_at <= now) {
      order_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void Put(const std::string& key, const Verdict& verdict) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = verdict;
      order_.splice(order_.begin(), order_, it->second);
      return;
    }
    order_.emplace_front(key, verdict);
    index_[key] = order_.begin();
    if (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::list<std::pair<std::string, Verdict>> order_;
  std::unordered_map<std::string, std::list<std::pair<std::string, Verdict>>::iterator> index_;
};

// The shared cache. One connection, reconnected after failures; while Redis
// is down, docgen carries on without it (logged once per outage).
class RedisCache {
 public:
  RedisCache(std::string url, Metrics& metrics, const Log& log) : metrics_(metrics), log_(log) {
    // redis://host:port[/db]
    std::string rest = url.rfind("redis://", 0) == 0 ? url.substr(8) : url;
    const size_t slash = rest.find('/');
    if (slash != std::string::npos) {
      db_ = std::atoi(rest.c_str() + slash + 1);
      rest = rest.substr(0, slash);
    }
    const size_t colon = rest.rfind(':');
    host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
    port_ = colon == std::string::npos ? 6379 : std::atoi(rest.c_str() + colon + 1);
  }
  ~RedisCache() {
    if (context_) redisFree(context_);
  }

  std::optional<Verdict> Get(const std::string& key, int64_t now) {
    std::lock_guard lock(mutex_);
    if (!Connected(now)) return std::nullopt;
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "GET docgen:auth:v2:%s", key.c_str()));
    if (!Check(reply, now)) return std::nullopt;
    std::optional<Verdict> out;
    if (reply->type == REDIS_REPLY_STRING) {
      try {
        auto j = nlohmann::json::parse(std::string(reply->str, reply->len), nullptr, false);
        // An active verdict without a subject is from before every caller had one (v1): a miss.
        const bool anonymous = j.is_object() && j.value("active", false) && j.value("subject", "").empty();
        if (j.is_object() && !anonymous && j.value("expires_at", int64_t{0}) > now) {
          out = Verdict{j.value("active", false), ParseRole(j.value("role", "")).value_or(Role::kNone), j.value("subject", ""),
                        j.value("expires_at", int64_t{0})};
        }
      } catch (const std::exception&) {
        // Not one of our entries: treat as a miss.
      }
    }
    freeReplyObject(reply);
    return out;
  }

  void Put(const std::string& key, const Verdict& v, int64_t now) {
    std::lock_guard lock(mutex_);
    if (!Connected(now)) return;
    const int64_t ttl_ms = std::max<int64_t>(v.expires_at - now, 1);
    const std::string value =
        nlohmann::json{{"active", v.active}, {"role", ToString(v.role)}, {"subject", v.subject}, {"expires_at", v.expires_at}}.dump();
    auto* reply = static_cast<redisReply*>(
        redisCommand(context_, "SET docgen:auth:v2:%s %b PX %lld", key.c_str(), value.data(), value.size(), static_cast<long long>(ttl_ms)));
    if (Check(reply, now)) freeReplyObject(reply);
  }

  std::string Health() const {
    std::lock_guard lock(mutex_);
    return down_ ? "redis unavailable: " + last_error_ : "ok";
  }

 private:
  bool Connected(int64_t now) {
    if (context_ != nullptr) return true;
    if (now < retry_at_) return false;
    timeval timeout{0, 200000};
    context_ = redisConnectWithTimeout(host_.c_str(), port_, timeout);
    if (context_ == nullptr || context_->err) {
      Failed(context_ ? context_->errstr : "cannot allocate a connection", now);
      return false;
    }
    redisSetTimeout(context_, timeout);
    if (db_ != 0) {
      auto* reply = static_cast<redisReply*>(redisCommand(context_, "SELECT %d", db_));
      if (!Check(reply, now)) return false;
      freeReplyObject(reply);
    }
    if (down_) log_.Info("redis token cache is back", {{"redis", host_ + ":" + std::to_string(port_)}});
    down_ = false;
    metrics_.Set("docgen_auth_redis_up", {}, 1);
    return true;
  }
  bool Check(redisReply* reply, int64_t now) {
    if (reply != nullptr && reply->type != REDIS_REPLY_ERROR) return true;
    Failed(reply ? std::string(reply->str, reply->len) : context_->errstr, now);
    if (reply) freeReplyObject(reply);
    return false;
  }
  void Failed(const std::string& why, int64_t now) {
    metrics_.Add("docgen_auth_redis_errors_total", {});
    metrics_.Set("docgen_auth_redis_up", {}, 0);
    if (!down_) log_.Warn("redis token cache unavailable; using the in-process cache and the provider", {{"error", why}});
    down_ = true;
    last_error_ = why;
    if (context_) redisFree(context_);
    context_ = nullptr;
    retry_at_ = now + 2000;
  }

  Metrics& metrics_;
  const Log& log_;
  std::string host_;
  int port_ = 6379;
  int db_ = 0;
  mutable std::mutex mutex_;
  redisContext* context_ = nullptr;
  bool down_ = false;
  std::string last_error_;
  int64_t retry_at_ = 0;
};

// One provider call per uncached token, however many requests wait for it.
struct Flight {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  AuthResult result;
};

}  // namespace

const char* ToString(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kGenerator:
      return "generator";
    case Role::kAdmin:
      return "admin";
    case Role::kNone:
      return "none";
  }
  return "none";
}

std::optional<Role> ParseRole(const std::string& text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "generator") return Role::kGenerator;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

namespace {

// Who a token belongs to, for logs and per-caller state (idempotency keys):
// the token's `sub`; for client-credentials tokens, which have none, the
// client ("client:" + client_id); and when the provider says neither, the
// token itself, by a short hash ("token:" + 16 hex digits; never the token).
std::string SubjectOf(const nlohmann::json& introspection, const std::string& token) {
  auto text = [&](const char* name) {
    return introspection.contains(name) && introspection[name].is_string() ? introspection[name].get<std::string>() : "";
  };
  if (std::string sub = text("sub"); !sub.empty()) return sub;
  if (std::string client = text("client_id"); !client.empty()) return "client:" + client;
  return "token:" + HashHex(token).substr(0, 16);
}

}  // namespace

struct Authenticator::Impl {
  AuthOptions options;
  Metrics& metrics;
  const Log& log;
  const Clock& clock;
  LruCache memory;
  FailureLimiter unknown_tokens;  // per client address (introspection)
  std::unique_ptr<RedisCache> redis;
  std::mutex flights_mutex;
  std::map<std::string, std::shared_ptr<Flight>> flights;
  std::mutex provider_mutex;
  int provider_failures = 0;
  int64_t provider_blocked_until = 0;
  std::string provider_error;
  // Pacing toward the provider (real time: it protects a real service).
  std::mutex pacing_mutex;
  std::chrono::steady_clock::time_point next_call_slot{};
  // Token file, reloaded when it changes.
  std::mutex file_mutex;
  std::tuple<int64_t, int64_t, int64_t, int64_t> file_version{-1, -1, -1, -1};  // mtime s, ns, size, inode
  nlohmann::json file_tokens = nlohmann::json::array();

  Impl(AuthOptions o, Metrics& m, const Log& l, const Clock& c)
      : options(std::move(o)),
        metrics(m),
        log(l),
        clock(c),
        memory(options.cache_entries),
        unknown_tokens(options.unknown_token_failures, options.unknown_token_window_ms) {}

  int64_t now() const { return clock.NowMs(); }

  AuthResult FromVerdict(const Verdict& v) {
    AuthResult r;
    r.outcome = v.active ? AuthResult::Outcome::kOk : AuthResult::Outcome::kUnauthorized;
    r.role = v.role;
    r.subject = v.subject;
    r.reason = v.active ? "" : "the token is not active";
    return r;
  }

  AuthResult CheckFile(const std::string& token) {
    std::lock_guard lock(file_mutex);
    struct stat st {};
    if (::stat(options.token_file.c_str(), &st) != 0) {
      file_tokens = nlohmann::json::array();  // no file: no tokens
      file_version = {-1, -1, -1, -1};
    } else {
      const std::tuple<int64_t, int64_t, int64_t, int64_t> version{st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size,
                                                                   static_cast<int64_t>(st.st_ino)};
      if (version != file_version) {
        std::ifstream in(options.token_file);
        auto j = nlohmann::json::parse(in, nullptr, false);
        file_tokens = j.is_object() && j.contains("tokens") && j["tokens"].is_array() ? j["tokens"] : nlohmann::json::array();
        file_version = version;
      }
    }
    const std::string hash = HashHex(token);
    AuthResult result;
    result.reason = "unknown token";
    for (const auto& entry : file_tokens) {
      if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string()) continue;
      const std::string stored = entry["sha256"].get<std::string>();
      if (stored.size() == hash.size() && memeql_sec(stored.data(), hash.data(), hash.size()) != 0) {
        result.outcome = AuthResult::Outcome::kOk;
        result.token_id = stored.substr(0, 12);
        result.subject = entry.contains("subject") && entry["subject"].is_string() ? entry["subject"].get<std::string>() : "";
        if (result.subject.empty()) result.subject = "token:" + hash.substr(0, 16);  // never the empty caller
        result.role = ParseRole(entry.contains("role") && entry["role"].is_string() ? entry["role"].get<std::string>() : "")
                          .value_or(Role::kNone);
        result.reason.clear();
      }
    }
    return result;
  }

  AuthResult Unavailable(int64_t t) {
    std::lock_guard lock(provider_mutex);
    AuthResult r;
    r.outcome = AuthResult::Outcome::kUnavailable;
    r.retry_after_seconds = static_cast<int>(std::max<int64_t>((provider_blocked_until - t + 999) / 1000, 1));
    r.reason = "the token service is unavailable (" + provider_error + ")";
    return r;
  }

  // Calls the introspection endpoint; nullopt on a provider failure.
  std::optional<Verdict> Introspect(const std::string& token, int64_t t) {
    const UrlParts url = SplitUrl(options.introspection_url);
    httplib::Client client(url.origin);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    if (!options.client_id.empty()) client.set_basic_auth(options.client_id, options.client_secret);
    metrics.Add("docgen_auth_introspection_calls_total", {});
    httplib::Params form = {{"token", token}, {"token_type_hint", "access_token"}};
    auto response = client.Post(url.path, form);
    std::string failure;
    int64_t retry_after_ms = 0;
    if (!response) {
      failure = "unreachable: " + httplib::to_string(response.error());
    } else if (response->status == 429 || response->status >= 500) {
      failure = "HTTP " + std::to_string(response->status);
      const std::string header = response->get_header_value("Retry-After");
      if (!header.empty() && header.find_first_not_of("0123456789") == std::string::npos && header.size() < 6) {
        retry_after_ms = std::stoll(header) * 1000;
      }
    } else if (response->status != 200) {
      failure = "HTTP " + std::to_string(response->status);
    }
    nlohmann::json body;
    if (failure.empty()) {
      body = nlohmann::json::parse(response->body, nullptr, false);
      if (!body.is_object() || !body.contains("active") || !body["active"].is_boolean()) failure = "malformed introspection response";
    }
    if (!failure.empty()) {
      metrics.Add("docgen_auth_provider_errors_total", {{"reason", response ? std::to_string(response->status) : "network"}});
      std::lock_guard lock(provider_mutex);
      ++provider_failures;
      int64_t backoff = options.backoff_initial_ms;
      for (int i = 1; i < provider_failures && backoff < options.backoff_cap_ms; ++i) backoff *= 2;
      provider_blocked_until = t + std::max(std::min(backoff, options.backoff_cap_ms), retry_after_ms);
      if (provider_failures == 1) log.Warn("token introspection failing; backing off", {{"error", failure}});
      provider_error = failure;
      return std::nullopt;
    }
    {
      std::lock_guard lock(provider_mutex);
      if (provider_failures > 0) log.Info("token introspection recovered");
      provider_failures = 0;
      provider_blocked_until = 0;
      provider_error.clear();
    }
    Verdict v;
    v.active = body["active"].get<bool>();
    const int64_t exp_ms = body.contains("exp") && body["exp"].is_number() ? body["exp"].get<int64_t>() * 1000 : 0;
    if (v.active && exp_ms > 0 && exp_ms <= t) v.active = false;
    if (v.active) {
      v.subject = SubjectOf(body, token);
      v.role = RoleFromScopes(body.contains("scope") && body["scope"].is_string() ? body["scope"].get<std::string>() : "");
      v.expires_at = t + options.max_ttl_ms;
      if (exp_ms > 0) v.expires_at = std::min(v.expires_at, exp_ms);
    } else {
      v.expires_at = t + options.negative_ttl_ms;
    }
    return v;
  }

  AuthResult CheckIntrospection(const std::string& token, const std::string& client_address) {
    const int64_t t = now();
    const std::string key = HashHex(options.introspection_url + "\n" + token);
    if (auto v = memory.Get(key, t)) {
      metrics.Add("docgen_auth_cache_total", {{"level", "memory"}, {"result", "hit"}});
      return FromVerdict(*v);
    }
    metrics.Add("docgen_auth_cache_total", {{"level", "memory"}, {"result", "miss"}});
    if (redis) {
      if (auto v = redis->Get(key, t)) {
        metrics.Add("docgen_auth_cache_total", {{"level", "redis"}, {"result", "hit"}});
        memory.Put(key, *v);
        return FromVerdict(*v);
      }
      metrics.Add("docgen_auth_cache_total", {{"level", "redis"}, {"result", "miss"}});
    }
    // A token no cache knows costs a provider call: a client whose unknown
    // tokens keep failing waits before it may make more.
    if (const int wait = unknown_tokens.RetryAfterSeconds(client_address, t); wait > 0) {
      AuthResult limited;
      limited.outcome = AuthResult::Outcome::kRateLimited;
      limited.retry_after_seconds = wait;
      limited.reason = "too many unknown tokens from this address";
      return limited;
    }
    // Single flight: the first request for this key asks the provider; the others wait for its answer.
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
      std::lock_guard lock(flights_mutex);
      auto& slot = flights[key];
      if (!slot) {
        slot = std::make_shared<Flight>();
        leader = true;
      }
      flight = slot;
    }
    if (!leader) {
      std::unique_lock lock(flight->mutex);
      // Bounded: the leader always completes the flight, but a waiter never hangs on it.
      if (!flight->done_cv.wait_for(lock, std::chrono::milliseconds(options.max_wait_ms + 15000), [&] { return flight->done; })) {
        AuthResult late;
        late.outcome = AuthResult::Outcome::kUnavailable;
        late.retry_after_seconds = 1;
        late.reason = "the token check is taking too long";
        return late;
      }
      return flight->result;
    }
    AuthResult result;
    try {
      std::unique_lock lock(provider_mutex);
      const bool blocked = t < provider_blocked_until;
      lock.unlock();
      bool paced = true;
      if (!blocked && options.provider_rate_per_second > 0) {
        const auto interval = std::chrono::microseconds(static_cast<int64_t>(1e6 / options.provider_rate_per_second));
        std::chrono::steady_clock::time_point slot;
        {
          std::lock_guard pacing(pacing_mutex);
          const auto real_now = std::chrono::steady_clock::now();
          slot = std::max(real_now, next_call_slot);
          paced = slot - real_now <= std::chrono::milliseconds(options.max_wait_ms);
          if (paced) next_call_slot = slot + interval;
        }
        if (paced) std::this_thread::sleep_until(slot);
      }
      std::optional<Verdict> shared;
      if (!blocked && paced && redis && options.provider_rate_per_second > 0) {
        shared = redis->Get(key, now());  // another process may have asked while this one waited its turn
      }
      if (shared) {
        memory.Put(key, *shared);
        result = FromVerdict(*shared);
      } else if (blocked) {
        result = Unavailable(t);
      } else if (!paced) {
        result.outcome = AuthResult::Outcome::kUnavailable;
        result.retry_after_seconds = static_cast<int>(std::max<int64_t>(options.max_wait_ms / 1000, 1));
        result.reason = "too many new tokens at once; the token service is paced";
      } else if (auto v = Introspect(token, t)) {
        memory.Put(key, *v);
        if (redis) redis->Put(key, *v, t);
        result = FromVerdict(*v);
        if (!v->active) unknown_tokens.RecordFailure(client_address, now());
      } else {
        result = Unavailable(t);
      }
    } catch (const std::exception& e) {
      result = AuthResult{};
      result.outcome = AuthResult::Outcome::kUnavailable;
      result.retry_after_seconds = 1;
      result.reason = std::string("the token check failed: ") + e.what();
    }
    {
      std::lock_guard lock(flight->mutex);
      flight->result = result;
      flight->done = true;
    }
    flight->done_cv.notify_all();
    std::lock_guard lock(flights_mutex);
    flights.erase(key);
    return result;
  }
};

Authenticator::Authenticator(AuthOptions options, Metrics& metrics, const Log& log, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, log, clock)) {
  metrics.Describe("docgen_auth_introspection_calls_total", Metrics::Type::kCounter, "Calls to the token introspection endpoint.");
  metrics.Describe("docgen_auth_cache_total", Metrics::Type::kCounter, "Token cache lookups, by level and result.");
  metrics.Describe("docgen_auth_provider_errors_total", Metrics::Type::kCounter, "Failed introspection calls, by reason.");
  metrics.Describe("docgen_auth_redis_errors_total", Metrics::Type::kCounter, "Failed Redis operations of the token cache.");
  metrics.Describe("docgen_auth_redis_up", Metrics::Type::kGauge, "1 when the shared Redis token cache is reachable.");
  metrics.Describe("docgen_auth_checks_total", Metrics::Type::kCounter, "Token checks, by outcome.");
  if (impl_->options.mode == "introspection" && !impl_->options.redis_url.empty()) {
    impl_->redis = std::make_unique<RedisCache>(impl_->options.redis_url, metrics, log);
  }
}

Authenticator::~Authenticator() = default;

bool Authenticator::enabled() const { return impl_->options.mode != "none"; }

AuthResult Authenticator::Check(const std::string& token, const std::string& client_address) {
  AuthResult result;
  if (!enabled()) {
    result.outcome = AuthResult::Outcome::kOk;
    result.role = Role::kAdmin;
    result.subject = "anonymous";
  } else if (token.empty() || token.size() > 4096) {
    result.reason = token.empty() ? "no bearer token" : "the token is too long";
  } else if (impl_->options.mode == "introspection") {
    result = impl_->CheckIntrospection(token, client_address);
  } else {
    result = impl_->CheckFile(token);
  }
  static const char* kOutcome[] = {"ok", "unauthorized", "unavailable", "rate_limited"};
  impl_->metrics.Add("docgen_auth_checks_total", {{"outcome", kOutcome[static_cast<int>(result.outcome)]}});
  return result;
}

std::string Authenticator::Health() const {
  std::string health = impl_->redis ? impl_->redis->Health() : "ok";
  std::lock_guard lock(impl_->provider_mutex);
  if (impl_->provider_failures > 0) health = (health == "ok" ? "" : health + "; ") + "introspection failing: " + impl_->provider_error;
  return health;
}

namespace {

// Creates `dir` and its missing parents with mode 0700 (the data folder);
// folders that exist keep their mode.
void MakePrivateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::is_directory(dir, ec)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir) MakePrivateDirectories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) == 0) ::chmod(dir.c_str(), 0700);
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// A token file entry's string field ("" when absent or not a string: the file may be edited by hand).
std::string TextField(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : "";
}

TokenInfo InfoOf(const nlohmann::json& entry) {
  TokenInfo info;
  info.id = TextField(entry, "sha256").substr(0, 12);
  info.subject = TextField(entry, "subject");
  info.role = TextField(entry, "role");
  info.created_at = entry.contains("created_at") && entry["created_at"].is_number_integer() ? entry["created_at"].get<int64_t>() : 0;
  return info;
}

// Reads the token file ({} when there is none), or says why it cannot.
std::optional<nlohmann::json> ReadTokenFile(const std::string& file, std::string* error) {
  nlohmann::json j = nlohmann::json::object();
  if (std::ifstream in(file); in) {
    j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_object()) {
      *error = file + " is not a docgen token file";
      return std::nullopt;
    }
  }
  if (!j.contains("tokens") || !j["tokens"].is_array()) j["tokens"] = nlohmann::json::array();
  return j;
}

// Replaces the file's content: a unique temporary file (mkstemp, 0600) in
// the same folder, fsynced, renamed over it, and the folder fsynced.
bool ReplaceFile(const std::string& file, const std::string& text, std::string* error) {
  const std::filesystem::path path(file);
  std::string temporary = file + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    *error = "cannot write " + file + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, text) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  ok = ok && ::rename(temporary.c_str(), file.c_str()) == 0;
  if (!ok) {
    *error = "cannot write " + file + ": " + std::strerror(errno);
    ::unlink(temporary.c_str());
    return false;
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {  // the rename survives a crash
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return true;
}

// Changes the token file under an exclusive flock on a sibling lock file
// (FILE.lock; the token file itself is replaced by rename, so it cannot carry
// the lock), so concurrent `docgen token` runs each see the other's change:
// reads it, lets `change` edit it (false: nothing to write), writes it, and
// then, still under the lock, lets `record` record the change (the audit
// log). When `record` fails, the old file is put back: the change is made
// and recorded, or neither. A running server reads the file on its next request.
bool UpdateTokenFile(const std::string& file, const std::function<bool(nlohmann::json&, std::string*)>& change,
                     const std::function<bool(std::string*)>& record, std::string* error) {
  const std::filesystem::path path(file);
  MakePrivateDirectories(path.parent_path());
  const std::string lock_path = file + ".lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) {
    *error = "cannot open " + lock_path + ": " + std::strerror(errno);
    return false;
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::close(fd); }  // releases the flock
  } unlock{lock_fd};
  while (::flock(lock_fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      *error = "cannot lock " + lock_path + ": " + std::strerror(errno);
      return false;
    }
  }
  std::optional<std::string> before;  // the file's bytes, to put back
  if (std::ifstream in(file, std::ios::binary); in) before = std::string(std::istreambuf_iterator<char>(in), {});
  std::optional<nlohmann::json> j = ReadTokenFile(file, error);
  if (!j) return false;
  if (!change(*j, error) || !ReplaceFile(file, j->dump(2) + "\n", error)) return false;
  if (!record || record(error)) return true;
  std::string undo_error;
  std::error_code ec;
  const bool undone = before ? ReplaceFile(file, *before, &undo_error) : std::filesystem::remove(file, ec);
  *error += undone ? "; the token file is unchanged" : "; and the token file could not be put back (" +
                                                           (before ? undo_error : ec.message()) + "): check " + file;
  return false;
}

}  // namespace

std::string TokenId(const std::string& token) { return HashHex(token).substr(0, 12); }

std::optional<std::string> CreateToken(const std::string& file, Role role, const std::string& subject, std::string* error,
                                       const TokenFileRecorder& record) {
  unsigned char bytes[32];
  if (!FillRandom(bytes, sizeof bytes)) {
    *error = "no randomness available";
    return std::nullopt;
  }
  std::string token = "dg_" + Base64Encode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  for (char& c : token) {  // URL-safe
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!token.empty() && token.back() == '=') token.pop_back();
  nlohmann::json entry = {{"sha256", HashHex(token)}, {"subject", subject}, {"role", ToString(role)},
                          {"created_at", std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count()}};
  const bool written = UpdateTokenFile(
      file,
      [&](nlohmann::json& j, std::string*) {
        j["tokens"].push_back(entry);
        return true;
      },
      record ? [&](std::string* why) { return record({InfoOf(entry)}, why); } : std::function<bool(std::string*)>(), error);
  if (!written) return std::nullopt;
  return token;
}

std::optional<std::vector<TokenInfo>> ListTokens(const std::string& file, std::string* error) {
  std::optional<nlohmann::json> j = ReadTokenFile(file, error);
  if (!j) return std::nullopt;
  std::vector<TokenInfo> out;
  for (const auto& entry : (*j)["tokens"]) {
    if (entry.is_object()) out.push_back(InfoOf(entry));
  }
  return out;
}

std::optional<std::vector<TokenInfo>> RevokeTokens(const std::string& file, const std::string& subject_or_id, std::string* error,
                                                   const TokenFileRecorder& record) {
  std::vector<TokenInfo> revoked;
  const bool written = UpdateTokenFile(
      file,
      [&](nlohmann::json& j, std::string* why) {
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& entry : j["tokens"]) {
          const bool match = entry.is_object() && !subject_or_id.empty() &&
                             (TextField(entry, "subject") == subject_or_id || InfoOf(entry).id == subject_or_id);
          if (match) {
            revoked.push_back(InfoOf(entry));
          } else {
            kept.push_back(entry);
          }
        }
        if (revoked.empty()) {
          *why = "no token in " + file + " has the subject or id \"" + subject_or_id + "\" (docgen token list shows them)";
          return false;
        }
        j["tokens"] = std::move(kept);
        return true;
      },
      record ? [&](std::string* why) { return record(revoked, why); } : std::function<bool(std::string*)>(), error);
  if (!written) return std::nullopt;
  return revoked;
}

}  // namespace docgen
