// The settings of `docgen serve` and `docgen worker`, defined once: one
// table says, for every setting, its config-file key, its environment
// variable and command-line flag (if any), its type and range, its help text
// and where it goes in ServiceOptions. The config file, the environment and
// the flags are all read through that table, so they cannot disagree.
//
// Precedence: flags > environment (DOCGEN_*) > config file > defaults.
// Empty environment variables and empty flag values count as not set.
//
// LoadServiceSettings is pure apart from reading the config file: it never
// writes, and it reports every problem it finds (one per line) in words an
// operator understands, naming where the value came from:
//   docgen.yaml:3: workers must be a whole number between 0 and 64, not "many"
//   DOCGEN_WORKERS: must be a whole number between 0 and 64, not "many"
//   --workers: must be a whole number between 0 and 64, not "many"
// EnsureWebhookSecret is the one step with file I/O (DATA/webhook-secret).
#pragma once

#include <docgen/status.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "server/service.h"

namespace CLI {
class App;
}

namespace docgen {

enum class SettingType {
  kString,    // text; `check` may add a rule (listen, webhook_secret)
  kInteger,   // a whole number in [min, max]
  kNumber,    // a number in [min_number, max_number]
  kBool,      // true/false (also yes/no, on/off, 1/0)
  kEnum,      // one of `choices`
  kDuration,  // a whole number of `unit`s in [min, max]; stored in milliseconds
};

enum class DurationUnit { kMilliseconds, kSeconds, kDays };

// The parsed value handed to Setting::store: std::string for kString and
// kEnum, int64_t for kInteger and kDuration (milliseconds), double for
// kNumber, bool for kBool.
using SettingValue = std::variant<std::string, int64_t, double, bool>;

struct Setting {
  std::string key{};         // config-file key; dotted when nested ("auth.mode" is auth: {mode: ...})
  std::string env{};         // environment variable, or empty
  std::string flag{};        // command-line flag of docgen serve ("--workers"), or empty
  bool worker_flag = false;  // the flag exists on docgen worker as well
  SettingType type = SettingType::kString;
  int64_t min = 0;  // kInteger, kDuration (in `unit`)
  int64_t max = 0;
  double min_number = 0;  // kNumber
  double max_number = 0;
  std::vector<std::string> choices{};  // kEnum
  DurationUnit unit = DurationUnit::kMilliseconds;
  std::string default_text{};  // for help and README, e.g. "2", "DATA/blobs"
  std::string help{};        // one sentence or two, for --help and README
  bool secret = false;       // the value is never repeated in messages
  // kString: an extra rule; returns what is wrong ("must be HOST:PORT, ...") or "".
  std::string (*check)(const std::string& text) = nullptr;
  void (*store)(ServiceOptions& options, const SettingValue& value) = nullptr;
};

// Every setting, in the order of README's configuration table.
const std::vector<Setting>& ServiceSettings();

// Looks up an environment variable; nullopt when unset.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv ProcessEnvironment();                                         // std::getenv
GetEnv EnvironmentFromMap(std::map<std::string, std::string> values);  // for tests

struct SettingsSources {
  std::string config_path;                   // empty: no config file
  GetEnv getenv;                             // null: no environment
  std::map<std::string, std::string> flags;  // the flags given: "--workers" -> "4"
  bool worker_only = false;                  // docgen worker (else docgen serve)
};

// Reads the config file, the environment and the flags into ServiceOptions
// and applies the rules between settings (idle_poll_ms default by database
// kind; docgen worker needs PostgreSQL and at least one worker; a shared
// database needs webhook_secret; blob_store: database needs PostgreSQL).
// On failure: kInvalidArgument with every problem, one per line.
// runner.webhook_secret holds the decoded key bytes, or is empty when none
// was configured (see EnsureWebhookSecret).
Result<ServiceOptions> LoadServiceSettings(const SettingsSources& sources);

// Standard Webhooks secrets: base64 (standard alphabet, padded), optionally
// prefixed "whsec_", of at least 16 bytes once decoded. Returns the key bytes,
// or kInvalidArgument saying what is wrong (without repeating the secret).
inline constexpr size_t kMinWebhookSecretBytes = 16;
Result<std::string> DecodeWebhookSecret(std::string_view secret);

// When no webhook secret is configured (embedded SQLite only; the loader
// refuses a shared database without one), reads DATA/webhook-secret, making
// it first if needed: "whsec_" + base64 of 32 random bytes, mode 0600. Sets
// options.runner.webhook_secret to the decoded key. kInvalidArgument for a
// damaged file, kInternal when it cannot be read or written.
Status EnsureWebhookSecret(ServiceOptions& options);

// The flags of docgen serve (or, with worker_only, docgen worker), as given
// on the command line; filled in by CLI11 through AddSettingFlags.
struct SettingsFlags {
  std::string config;
  std::map<std::string, std::string> values;  // "--workers" -> "4"
  bool worker_only = false;
};

// Registers --config and the table's flags (help texts from the table) on
// `command`; their values land in `flags`.
void AddSettingFlags(CLI::App& command, bool worker_only, SettingsFlags& flags);

// The sources of `flags`, with the process's environment.
SettingsSources SourcesFromFlags(const SettingsFlags& flags);

}  // namespace docgen
