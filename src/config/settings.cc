#include "config/settings.h"

#include <docgen/store.h>
#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "base/cron.h"
#include "util/text.h"

namespace docgen {
namespace {

constexpr int64_t kNoMax = std::numeric_limits<int64_t>::max();
constexpr const char* kGenerateSecret = "generate one with: echo \"whsec_$(openssl rand -base64 32)\"";

int64_t UnitMs(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::kMilliseconds: return 1;
    case DurationUnit::kSeconds: return 1000;
    case DurationUnit::kDays: return 24LL * 3600 * 1000;
  }
  return 1;
}

const char* UnitName(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::kMilliseconds: return "milliseconds";
    case DurationUnit::kSeconds: return "seconds";
    case DurationUnit::kDays: return "days";
  }
  return "";
}

bool ParseListen(const std::string& listen, std::string& host, int& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(digits);
  host = listen.substr(0, colon);
  return port <= 65535;
}

std::string CheckListen(const std::string& text) {
  std::string host;
  int port = 0;
  return ParseListen(text, host, port) ? "" : "must be HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080";
}

std::string CheckCron(const std::string& text) {
  Result<CronSchedule> schedule = ParseCron(text);
  return schedule.ok() ? "" : "must be a cron schedule in UTC (\"0 3 * * *\": at 03:00 every day): " + schedule.status().message();
}

std::string CheckWebhookSecret(const std::string& text) {
  Result<std::string> key = DecodeWebhookSecret(text);
  return key.ok() ? "" : key.status().message();
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string FormatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string JoinChoices(const std::vector<std::string>& choices) {
  std::string out;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += choices[i];
  }
  return out;
}

// "a whole number between 0 and 64", "true or false", ...
std::string Expectation(const Setting& s) {
  auto range = [](const std::string& what, int64_t min, int64_t max) {
    if (max == kNoMax) return what + " of at least " + std::to_string(min);
    return what + " between " + std::to_string(min) + " and " + std::to_string(max);
  };
  switch (s.type) {
    case SettingType::kString: return "text";
    case SettingType::kInteger: return range("a whole number", s.min, s.max);
    case SettingType::kDuration: return range(std::string("a whole number of ") + UnitName(s.unit), s.min, s.max);
    case SettingType::kNumber:
      if (std::isinf(s.max_number)) return "a number of at least " + FormatNumber(s.min_number);
      return "a number between " + FormatNumber(s.min_number) + " and " + FormatNumber(s.max_number);
    case SettingType::kBool: return "true or false";
    case SettingType::kEnum: return JoinChoices(s.choices);
  }
  return "";
}

std::string Quoted(const Setting& s, std::string_view text) {
  if (s.secret) return "the value given";
  std::string shown(text.substr(0, 80));
  if (text.size() > 80) shown += "...";
  return "\"" + shown + "\"";
}

std::optional<int64_t> ParseWholeNumber(std::string_view text) {
  const size_t i = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (text.size() == i || text.size() - i > 18) return std::nullopt;  // 18 digits cannot overflow
  for (size_t j = i; j < text.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(text[j]))) return std::nullopt;
  }
  return std::strtoll(std::string(text).c_str(), nullptr, 10);
}

// Parses one value of `s` from text (a config scalar, an environment
// variable or a flag); on failure says what is wrong ("must be ...").
std::optional<SettingValue> ParseValue(const Setting& s, const std::string& text, std::string& problem) {
  auto refuse = [&]() -> std::optional<SettingValue> {
    problem = "must be " + Expectation(s) + ", not " + Quoted(s, text);
    return std::nullopt;
  };
  switch (s.type) {
    case SettingType::kString:
      if (s.check != nullptr) {
        problem = s.check(text);
        if (!problem.empty()) return std::nullopt;
      }
      return SettingValue(text);
    case SettingType::kInteger:
    case SettingType::kDuration: {
      std::optional<int64_t> n = ParseWholeNumber(text);
      if (!n || *n < s.min || *n > s.max) return refuse();
      return SettingValue(s.type == SettingType::kDuration ? *n * UnitMs(s.unit) : *n);
    }
    case SettingType::kNumber: {
      const char* begin = text.c_str();
      char* end = nullptr;
      const double d = text.empty() ? NAN : std::strtod(begin, &end);
      if (text.empty() || end != begin + text.size() || !std::isfinite(d) || d < s.min_number || d > s.max_number) {
        return refuse();
      }
      return SettingValue(d);
    }
    case SettingType::kBool: {
      const std::string v = Lower(text);
      if (v == "true" || v == "yes" || v == "on" || v == "1") return SettingValue(true);
      if (v == "false" || v == "no" || v == "off" || v == "0") return SettingValue(false);
      return refuse();
    }
    case SettingType::kEnum:
      if (std::find(s.choices.begin(), s.choices.end(), text) != s.choices.end()) return SettingValue(text);
      problem = "must be " + Expectation(s) + ", not " + Quoted(s, text);
      if (std::string guess = SuggestClosest(text, s.choices); !guess.empty()) problem += "; did you mean \"" + guess + "\"?";
      return std::nullopt;
  }
  return refuse();
}

template <typename T>
const T& As(const SettingValue& v) {
  return std::get<T>(v);
}

std::vector<Setting> MakeTable() {
  using T = SettingType;
  using U = DurationUnit;
  std::vector<Setting> t;
  t.push_back({.key = "listen", .env = "DOCGEN_LISTEN", .flag = "--listen", .worker_flag = true,
               .default_text = "127.0.0.1:8080",
               .help = "HOST:PORT to listen on (docgen worker: for /metrics, /healthz and /readyz only); port 0 takes any free port.",
               .check = CheckListen,
               .store = [](ServiceOptions& o, const SettingValue& v) { ParseListen(As<std::string>(v), o.host, o.port); }});
  t.push_back({.key = "data", .env = "DOCGEN_DATA", .flag = "--data", .worker_flag = true, .default_text = "./data",
               .help = "Folder for the SQLite database, result blobs, tokens.json and webhook-secret.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.data_dir = As<std::string>(v); }});
  t.push_back({.key = "database", .env = "DOCGEN_DATABASE", .flag = "--database", .worker_flag = true,
               .default_text = "DATA/docgen.sqlite",
               .help = "postgres:// or postgresql:// URL of a database shared by many processes, or a SQLite file.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.database = As<std::string>(v); }});
  t.push_back({.key = "blob_store", .type = T::kEnum, .choices = {"directory", "database"}, .default_text = "directory",
               .help = "Where results are kept: a folder (blob_dir) or the PostgreSQL database.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.blob_store = As<std::string>(v); }});
  t.push_back({.key = "blob_dir", .default_text = "DATA/blobs",
               .help = "Folder of result blobs with blob_store: directory (shared by every machine when the database is).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.blob_dir = As<std::string>(v); }});
  t.push_back({.key = "catalog", .env = "DOCGEN_CATALOG", .flag = "--catalog", .default_text = "none",
               .help = "Catalog folder published at start when it differs from the current version.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.catalog_dir = As<std::string>(v); }});
  t.push_back({.key = "ui_dir", .env = "DOCGEN_UI_DIR", .default_text = "web/dist of the sources",
               .help = "Folder of the admin UI's built files, served at /ui/ (scripts/web.sh builds them).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.ui_dir = As<std::string>(v); }});
  t.push_back({.key = "workers", .env = "DOCGEN_WORKERS", .flag = "--workers", .worker_flag = true, .type = T::kInteger,
               .min = 0, .max = 64, .default_text = "2",
               .help = "Job worker threads; 0 makes docgen serve an API-only process (docgen worker needs at least 1).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.workers = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "http_threads", .type = T::kInteger, .min = 1, .max = 1024, .default_text = "8",
               .help = "Threads answering HTTP requests.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.http_threads = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "idle_poll_ms", .type = T::kDuration, .min = 10, .max = 60000, .unit = U::kMilliseconds,
               .default_text = "1000 on PostgreSQL, 200 on SQLite",
               .help = "How long an idle worker waits before looking for due jobs again (new jobs wake it sooner).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.poll_ms = As<int64_t>(v); }});
  t.push_back({.key = "test_runs.schedule", .env = "DOCGEN_TEST_RUNS_SCHEDULE", .worker_flag = false, .default_text = "none",
               .help = "When a test run of the current catalog starts by itself: a cron schedule in UTC (\"0 3 * * *\"). "
                       "Each tick starts one run however many processes share the database.",
               .check = CheckCron,
               .store = [](ServiceOptions& o, const SettingValue& v) { o.test_run_schedule = As<std::string>(v); }});
  t.push_back({.key = "test_runs.threads", .type = T::kInteger, .min = 0, .max = 64, .default_text = "0 (one per core)",
               .help = "Render threads of one test run.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.test_run_threads = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "lease_seconds", .type = T::kDuration, .min = 1, .max = 86400, .unit = U::kSeconds, .default_text = "30",
               .help = "A job's lease; heartbeats renew it, and the reaper requeues jobs whose lease expired.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.lease_ms = As<int64_t>(v); }});
  t.push_back({.key = "retry.initial_ms", .type = T::kDuration, .min = 0, .max = 86400000, .unit = U::kMilliseconds,
               .default_text = "1000", .help = "Delay before the first retry of a transient failure.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.retry.initial_ms = As<int64_t>(v); }});
  t.push_back({.key = "retry.factor", .type = T::kNumber, .min_number = 1, .max_number = 100, .default_text = "2",
               .help = "Each retry waits this many times longer than the one before (with equal jitter).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.retry.factor = As<double>(v); }});
  t.push_back({.key = "retry.cap_ms", .type = T::kDuration, .min = 0, .max = 86400000, .unit = U::kMilliseconds,
               .default_text = "300000", .help = "The longest delay between retries.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.retry.cap_ms = As<int64_t>(v); }});
  t.push_back({.key = "retry.max_attempts", .type = T::kInteger, .min = 1, .max = 1000, .default_text = "5",
               .help = "Attempts before a job with transient failures fails.",
               .store = [](ServiceOptions& o, const SettingValue& v) {
                 o.runner.retry.max_attempts = static_cast<int>(As<int64_t>(v));
               }});
  t.push_back({.key = "webhook_secret", .env = "DOCGEN_WEBHOOK_SECRET", .default_text = "generated into DATA/webhook-secret",
               .help = "Standard Webhooks signing key: base64 of at least 16 random bytes (24 to 64 recommended), optionally "
                       "prefixed whsec_; "
                       "required with a shared database.",
               .secret = true, .check = CheckWebhookSecret,
               .store = [](ServiceOptions& o, const SettingValue& v) {
                 o.runner.webhook_secret = *DecodeWebhookSecret(As<std::string>(v));  // checked by CheckWebhookSecret
               }});
  t.push_back({.key = "webhook_threads", .type = T::kInteger, .min = 1, .max = 64, .default_text = "4",
               .help = "Webhook deliveries in flight at once, per process.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.webhook_threads = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "webhook_per_host", .type = T::kInteger, .min = 1, .max = 64, .default_text = "2",
               .help = "Of those, at most this many to one receiver (host and port): slow receivers cannot hold up the others.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.webhook_per_host = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "allow_private_callbacks", .type = T::kBool, .default_text = "false",
               .help = "Allow callback URLs naming localhost or private addresses (closed networks, tests).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.allow_private_callbacks = As<bool>(v); }});
  t.push_back({.key = "max_sync_renders", .type = T::kInteger, .min = 1, .max = 1024, .default_text = "2",
               .help = "Synchronous renders (POST /v1/packages:render) in progress at once; more get 429 with Retry-After. "
                       "Jobs are not limited by this: they wait in the queue.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.max_sync_renders = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "header_deadline_seconds", .type = T::kInteger, .min = 1, .max = 600, .default_text = "15",
               .help = "Seconds a connection may take to send a request's headers (from its start or its last answer); "
                       "a client still sending them is disconnected.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.header_deadline_seconds = static_cast<int>(As<int64_t>(v)); }});
  t.push_back({.key = "max_body_bytes", .type = T::kInteger, .min = 1, .max = kNoMax, .default_text = "8388608",
               .help = "Largest request body accepted (413 above).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.max_body_bytes = static_cast<size_t>(As<int64_t>(v)); }});
  t.push_back({.key = "retention_days", .type = T::kDuration, .min = 1, .max = 36500, .unit = U::kDays, .default_text = "30",
               .help = "Finished jobs older than this are pruned, with the blobs no job refers to.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.retention_ms = As<int64_t>(v); }});
  t.push_back({.key = "noop_jobs", .type = T::kBool, .default_text = "false",
               .help = "Benchmarks of the queue only: jobs succeed at once without rendering.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.runner.noop_jobs = As<bool>(v); }});
  t.push_back({.key = "redis", .env = "DOCGEN_REDIS", .flag = "--redis", .default_text = "none",
               .help = "redis://HOST:PORT[/DB] token cache shared by every docgen process.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.redis_url = As<std::string>(v); }});
  t.push_back({.key = "auth.mode", .env = "DOCGEN_AUTH", .type = T::kEnum, .choices = {"token_file", "introspection", "none"},
               .default_text = "token_file", .help = "How bearer tokens are checked (none: no checks, local experiments only).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.mode = As<std::string>(v); }});
  t.push_back({.key = "auth.allow_none_on_network", .env = "DOCGEN_ALLOW_NO_AUTH", .type = T::kBool, .default_text = "false",
               .help = "Allow auth mode none on a listen address that is not loopback (127.0.0.0/8, ::1, localhost); refused otherwise.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.allow_none_on_network = As<bool>(v); }});
  t.push_back({.key = "auth.token_file", .default_text = "DATA/tokens.json",
               .help = "Token file of auth mode token_file (docgen token create adds to it).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.token_file = As<std::string>(v); }});
  t.push_back({.key = "auth.introspection_url", .env = "DOCGEN_INTROSPECTION_URL", .default_text = "none",
               .help = "RFC 7662 token introspection endpoint (auth mode introspection).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.introspection_url = As<std::string>(v); }});
  t.push_back({.key = "auth.client_id", .env = "DOCGEN_CLIENT_ID", .default_text = "none",
               .help = "Client id docgen presents to the introspection endpoint (HTTP Basic).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.client_id = As<std::string>(v); }});
  t.push_back({.key = "auth.client_secret", .env = "DOCGEN_CLIENT_SECRET", .default_text = "none",
               .help = "Client secret docgen presents to the introspection endpoint (HTTP Basic).", .secret = true,
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.client_secret = As<std::string>(v); }});
  t.push_back({.key = "auth.cache_entries", .type = T::kInteger, .min = 1, .max = 100000000, .default_text = "10000",
               .help = "Introspection results cached in process (LRU).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.cache_entries = static_cast<size_t>(As<int64_t>(v)); }});
  t.push_back({.key = "auth.max_ttl_seconds", .type = T::kDuration, .min = 0, .max = 86400, .unit = U::kSeconds,
               .default_text = "300", .help = "Longest time an active token is cached (never past its exp).",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.max_ttl_ms = As<int64_t>(v); }});
  t.push_back({.key = "auth.negative_ttl_seconds", .type = T::kDuration, .min = 0, .max = 86400, .unit = U::kSeconds,
               .default_text = "30", .help = "How long an inactive token is cached.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.negative_ttl_ms = As<int64_t>(v); }});
  t.push_back({.key = "auth.provider_rate_per_second", .type = T::kNumber, .min_number = 0, .max_number = 1e6,
               .default_text = "0 (unpaced)", .help = "Pace of calls to the introspection endpoint.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.provider_rate_per_second = As<double>(v); }});
  t.push_back({.key = "auth.max_wait_ms", .type = T::kDuration, .min = 0, .max = 600000, .unit = U::kMilliseconds,
               .default_text = "5000", .help = "Longest a request waits for its turn to call a paced provider.",
               .store = [](ServiceOptions& o, const SettingValue& v) { o.auth.max_wait_ms = As<int64_t>(v); }});
  return t;
}

const Setting* FindByKey(const std::string& key) {
  for (const Setting& s : ServiceSettings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

// What a load has found so far: problems, where each key's value came from
// ("PATH:LINE", "DOCGEN_...", "--..."), and the keys whose value was refused.
struct LoadState {
  std::vector<std::string> errors;
  std::map<std::string, std::string> origin;
  std::set<std::string> refused;
  bool file_unread = false;  // the config file could not be read: its settings are unknown

  void Refuse(const std::string& key, std::string message) {
    refused.insert(key);
    errors.push_back(std::move(message));
  }
  // "--workers: " / "DOCGEN_DATABASE: " / "docgen.yaml:3: " / "" (a default).
  std::string Prefix(const std::string& key) const {
    auto it = origin.find(key);
    return it == origin.end() ? "" : it->second + ": ";
  }
  // A rule between settings is checked only when none of its inputs was refused.
  bool Fine(std::initializer_list<const char*> keys) const {
    if (file_unread) return false;
    for (const char* key : keys) {
      if (refused.count(key)) return false;
    }
    return true;
  }
};

// Reads one config file into `options`.
class ConfigFileReader {
 public:
  ConfigFileReader(const std::string& path, ServiceOptions& options, LoadState& state)
      : path_(path), options_(options), state_(state), errors_(state.errors) {}

  void Read() {
    YAML::Node root;
    try {
      root = YAML::LoadFile(path_);  // YAML or JSON
    } catch (const YAML::BadFile&) {
      errors_.push_back(path_ + ": cannot read the config file");
      state_.file_unread = true;
      return;
    } catch (const YAML::ParserException& e) {
      errors_.push_back(At(e.mark) + "not valid YAML or JSON: " + e.msg);
      state_.file_unread = true;
      return;
    } catch (const std::exception& e) {
      errors_.push_back(path_ + ": cannot read the config file: " + e.what());
      state_.file_unread = true;
      return;
    }
    if (root.IsNull()) return;  // an empty file sets nothing
    if (!root.IsMap()) {
      errors_.push_back(At(root.Mark()) + "the config file must be a mapping of settings (key: value)");
      state_.file_unread = true;
      return;
    }
    ReadMap(root, "");
  }

 private:
  std::string At(const YAML::Mark& mark) const {
    return mark.is_null() ? path_ + ": " : path_ + ":" + std::to_string(mark.line + 1) + ": ";
  }

  // The keys directly under `prefix` ("" or "auth.") and the groups (with the dot).
  static std::vector<std::string> Candidates(const std::string& prefix) {
    std::vector<std::string> out;
    for (const Setting& s : ServiceSettings()) {
      if (s.key.rfind(prefix, 0) != 0) continue;
      const std::string rest = s.key.substr(prefix.size());
      const size_t dot = rest.find('.');
      const std::string name = dot == std::string::npos ? rest : rest.substr(0, dot);
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
  }

  static bool IsGroup(const std::string& key) {
    for (const Setting& s : ServiceSettings()) {
      if (s.key.rfind(key + ".", 0) == 0) return true;
    }
    return false;
  }

  void ReadMap(const YAML::Node& map, const std::string& prefix) {
    std::map<std::string, int> seen;  // key -> line
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key_node = it->first;  // copies: the iterator hands out temporaries
      const YAML::Node value = it->second;
      if (!key_node.IsScalar()) {
        errors_.push_back(At(key_node.Mark()) + "a setting's name must be plain text");
        continue;
      }
      const std::string name = key_node.Scalar();
      const std::string key = prefix + name;
      const int line = key_node.Mark().line + 1;
      if (auto [previous, fresh] = seen.emplace(name, line); !fresh) {
        errors_.push_back(At(key_node.Mark()) + key + " is set twice (first on line " + std::to_string(previous->second) + ")");
        continue;
      }
      if (key == "slos") {  // a list, not a setting: read whole
        Result<std::vector<Slo>> slos = ParseSlos(value, path_);
        if (slos.ok()) {
          options_.slos = std::move(*slos);
        } else {
          state_.Refuse("slos", slos.status().message());
        }
        continue;
      }
      if (IsGroup(key)) {
        if (value.IsNull()) continue;  // "auth:" with nothing under it
        if (!value.IsMap()) {
          errors_.push_back(At(value.Mark()) + key + " must be a mapping of " + key + ".* settings, for example " + key +
                            ": {" + Candidates(key + ".").front() + ": ...}");
          continue;
        }
        ReadMap(value, key + ".");
        continue;
      }
      const Setting* setting = FindByKey(key);
      if (setting == nullptr) {
        std::string message = At(key_node.Mark()) + "unknown setting \"" + key + "\"";
        const std::string guess = SuggestClosest(name, Candidates(prefix));
        if (!guess.empty()) message += "; did you mean \"" + prefix + guess + "\"?";
        errors_.push_back(message);
        continue;
      }
      ReadValue(*setting, key_node, value);
    }
  }

  void ReadValue(const Setting& setting, const YAML::Node& key_node, const YAML::Node& value) {
    const YAML::Mark mark = value.IsNull() || value.Mark().is_null() ? key_node.Mark() : value.Mark();  // "key:" alone
    const std::string where = At(mark) + setting.key + " ";
    if (value.IsNull() || !value.IsDefined()) {
      state_.Refuse(setting.key, where + "must be " + Expectation(setting) + ", not empty");
      return;
    }
    if (!value.IsScalar()) {
      state_.Refuse(setting.key, where + "must be " + Expectation(setting) + ", not " + (value.IsMap() ? "a mapping" : "a list"));
      return;
    }
    std::string problem;
    std::optional<SettingValue> parsed = ParseValue(setting, value.Scalar(), problem);
    if (!parsed) {
      state_.Refuse(setting.key, where + problem);
      return;
    }
    setting.store(options_, *parsed);
    state_.origin[setting.key] = path_ + ":" + std::to_string(mark.line + 1);
  }

  const std::string& path_;
  ServiceOptions& options_;
  LoadState& state_;
  std::vector<std::string>& errors_;
};

}  // namespace

const std::vector<Setting>& ServiceSettings() {
  static const std::vector<Setting> table = MakeTable();
  return table;
}

GetEnv ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

GetEnv EnvironmentFromMap(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

Result<std::string> DecodeWebhookSecret(std::string_view secret) {
  std::string_view body = secret;
  const bool prefixed = body.rfind("whsec_", 0) == 0;
  if (prefixed) body.remove_prefix(6);
  // docgen 0.1 used an unprefixed secret as raw bytes; a hex key (openssl
  // rand -hex) is also valid base64, and decoding it would change every
  // signature silently. Such secrets must say what they are.
  if (!prefixed && !body.empty() && body.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos) {
    return Status::InvalidArgument(
        "looks like hex, which Standard Webhooks receivers would base64-decode into another key; give the key as "
        "whsec_ followed by its base64 (docgen 0.1 used unprefixed secrets as raw bytes: see docs/operations.md, Upgrade); " +
        std::string(kGenerateSecret));
  }
  // Standard base64 (RFC 4648 §4) with padding, as receivers decode it, and not empty.
  std::optional<std::string> key = body.empty() ? std::nullopt : Base64Decode(body);
  if (!key) {
    return Status::InvalidArgument(
        "must be base64 (optionally prefixed whsec_), as Standard Webhooks receivers decode it; " + std::string(kGenerateSecret));
  }
  if (key->size() < kMinWebhookSecretBytes) {
    return Status::InvalidArgument("must decode to at least " + std::to_string(kMinWebhookSecretBytes) + " bytes, not " +
                                   std::to_string(key->size()) + "; " + kGenerateSecret);
  }
  return std::move(*key);
}

Result<ServiceOptions> LoadServiceSettings(const SettingsSources& sources) {
  ServiceOptions options;
  options.worker_only = sources.worker_only;
  LoadState state;

  // 1. The config file.
  if (!sources.config_path.empty()) ConfigFileReader(sources.config_path, options, state).Read();

  // 2. The environment.
  for (const Setting& s : ServiceSettings()) {
    if (s.env.empty() || !sources.getenv) continue;
    std::optional<std::string> text = sources.getenv(s.env);
    if (!text || text->empty()) continue;
    std::string problem;
    if (std::optional<SettingValue> value = ParseValue(s, *text, problem)) {
      s.store(options, *value);
      state.origin[s.key] = s.env;
    } else {
      state.Refuse(s.key, s.env + ": " + problem);
    }
  }

  // 3. The flags.
  for (const auto& [flag, text] : sources.flags) {
    const Setting* setting = nullptr;
    for (const Setting& s : ServiceSettings()) {
      if (!s.flag.empty() && s.flag == flag && (!sources.worker_only || s.worker_flag)) setting = &s;
    }
    if (setting == nullptr) {
      state.errors.push_back(flag + ": docgen " + (sources.worker_only ? "worker" : "serve") + " has no such setting");
      continue;
    }
    if (text.empty()) continue;
    std::string problem;
    if (std::optional<SettingValue> value = ParseValue(*setting, text, problem)) {
      setting->store(options, *value);
      state.origin[setting->key] = flag;
    } else {
      state.Refuse(setting->key, flag + ": " + problem);
    }
  }

  // 4. The rules between settings, on the final values.
  std::vector<std::string>& errors = state.errors;
  const bool shared = IsPostgresUrl(options.database);
  if (sources.worker_only && !shared && state.Fine({"database"})) {
    errors.push_back(state.Prefix("database") +
                     "docgen worker needs a shared PostgreSQL database (--database postgres://..., database: in the "
                     "config or DOCGEN_DATABASE); on the embedded SQLite default, docgen serve runs the workers");
  }
  if (sources.worker_only && options.runner.workers < 1 && state.Fine({"workers"})) {
    errors.push_back(state.Prefix("workers") + "docgen worker runs at least one job worker: workers must be between 1 and 64");
  }
  // PostgreSQL wakes idle workers with NOTIFY: the poll only catches retries coming due.
  if (!state.origin.count("idle_poll_ms")) options.runner.poll_ms = shared ? 1000 : 200;
  // Processes sharing a database deliver each other's webhooks: one key.
  if (shared && options.runner.webhook_secret.empty() && state.Fine({"database", "webhook_secret"})) {
    errors.push_back(state.Prefix("database") +
                     "with a shared database every process must sign webhooks with the same key: set webhook_secret in the "
                     "config file or DOCGEN_WEBHOOK_SECRET (" + kGenerateSecret + ")");
  }
  if (options.blob_store == "database" && !shared && state.Fine({"database", "blob_store"})) {
    errors.push_back(state.Prefix("blob_store") + "blob_store: database needs a PostgreSQL database (database: postgres://...)");
  }
  if (!sources.worker_only && options.auth.mode == "introspection" && options.auth.introspection_url.empty() &&
      state.Fine({"auth.mode", "auth.introspection_url"})) {
    errors.push_back(state.Prefix("auth.mode") +
                     "auth mode introspection needs auth.introspection_url (or DOCGEN_INTROSPECTION_URL)");
  }

  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  return options;
}

Status EnsureWebhookSecret(ServiceOptions& options) {
  if (!options.runner.webhook_secret.empty()) return Status::Ok();
  if (IsPostgresUrl(options.database)) {
    return Status::InvalidArgument("with a shared database every process must sign webhooks with the same key: set webhook_secret");
  }
  namespace fs = std::filesystem;
  const fs::path file = fs::path(options.data_dir) / "webhook-secret";
  std::error_code ec;
  if (!fs::exists(options.data_dir, ec)) {  // a folder docgen creates is its user's only (README: Hardening)
    fs::create_directories(options.data_dir, ec);
    fs::permissions(options.data_dir, fs::perms::owner_all, ec);
  }
  std::string text;
  {
    std::ifstream in(file);
    std::getline(in, text);
  }
  if (text.empty()) {
    unsigned char key[32];
    std::ifstream random("/dev/urandom", std::ios::binary);
    if (!random.read(reinterpret_cast<char*>(key), sizeof key)) return Status::Internal("cannot read /dev/urandom");
    text = "whsec_" + Base64Encode(std::string_view(reinterpret_cast<char*>(key), sizeof key));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const bool written = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    if (fd >= 0) ::close(fd);
    if (!written) return Status::Internal("cannot write " + file.string());
  }
  Result<std::string> key = DecodeWebhookSecret(text);
  if (!key.ok()) return Status::InvalidArgument(file.string() + ": " + key.status().message());
  options.runner.webhook_secret = std::move(*key);
  return Status::Ok();
}

void AddSettingFlags(CLI::App& command, bool worker_only, SettingsFlags& flags) {
  flags.worker_only = worker_only;
  command.add_option("--config", flags.config,
                     "Config file (YAML or JSON): every setting by its key, including those without a flag (docs/operations.md, Configuration)");
  for (const Setting& s : ServiceSettings()) {
    if (s.flag.empty() || (worker_only && !s.worker_flag)) continue;
    std::string help = s.help + " [default: " + s.default_text;
    if (!s.env.empty()) help += "; env: " + s.env;
    help += "; config: " + s.key + "]";
    const std::string flag = s.flag;
    CLI::Option* option = command.add_option_function<std::string>(
        flag, [&flags, flag](const std::string& value) { flags.values[flag] = value; }, help);
    switch (s.type) {
      case SettingType::kInteger: option->type_name("INT"); break;
      case SettingType::kDuration: option->type_name(s.unit == DurationUnit::kMilliseconds ? "MS" : "N"); break;
      case SettingType::kNumber: option->type_name("NUMBER"); break;
      case SettingType::kBool: option->type_name("BOOL"); break;
      case SettingType::kEnum: option->type_name("{" + JoinChoices(s.choices) + "}"); break;
      case SettingType::kString: option->type_name("TEXT"); break;
    }
  }
}

SettingsSources SourcesFromFlags(const SettingsFlags& flags) {
  SettingsSources sources;
  sources.config_path = flags.config;
  sources.getenv = ProcessEnvironment();
  sources.flags = flags.values;
  sources.worker_only = flags.worker_only;
  return sources;
}

}  // namespace docgen
