// The settings of docgen serve and worker (config/settings.h): one table
// read from the config file, the environment and the flags.
#include "config/settings.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "util/text.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;

// 32 bytes 0..31, in the three spellings a secret may take.
std::string KeyBytes() {
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(i);
  return key;
}
const std::string kBareSecret = Base64Encode(KeyBytes());
const std::string kWhsecSecret = "whsec_" + kBareSecret;

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "config_test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes a config file into the temp folder and returns its path.
  std::string Config(const std::string& text, const std::string& name = "docgen.yaml") {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  static Result<ServiceOptions> Load(const std::string& config, std::map<std::string, std::string> env = {},
                                     std::map<std::string, std::string> flags = {}, bool worker_only = false) {
    SettingsSources sources;
    sources.config_path = config;
    sources.getenv = EnvironmentFromMap(std::move(env));
    sources.flags = std::move(flags);
    sources.worker_only = worker_only;
    return LoadServiceSettings(sources);
  }

  // The error message of a load that must fail.
  static std::string Error(const Result<ServiceOptions>& result) {
    EXPECT_FALSE(result.ok());
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    }
    return result.ok() ? "" : result.status().message();
  }

  fs::path dir_;
};

TEST_F(SettingsTest, NothingSetGivesTheServiceDefaults) {
  auto loaded = Load("");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ServiceOptions defaults;
  EXPECT_EQ(loaded->host, defaults.host);
  EXPECT_EQ(loaded->port, defaults.port);
  EXPECT_EQ(loaded->data_dir, defaults.data_dir);
  EXPECT_EQ(loaded->database, defaults.database);
  EXPECT_EQ(loaded->blob_store, defaults.blob_store);
  EXPECT_EQ(loaded->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(loaded->http_threads, defaults.http_threads);
  EXPECT_EQ(loaded->retention_ms, defaults.retention_ms);
  EXPECT_EQ(loaded->runner.workers, defaults.runner.workers);
  EXPECT_EQ(loaded->runner.lease_ms, defaults.runner.lease_ms);
  EXPECT_EQ(loaded->runner.retry.max_attempts, defaults.runner.retry.max_attempts);
  EXPECT_EQ(loaded->auth.mode, defaults.auth.mode);
  EXPECT_EQ(loaded->auth.cache_entries, defaults.auth.cache_entries);
  EXPECT_TRUE(loaded->runner.webhook_secret.empty());
  EXPECT_FALSE(loaded->worker_only);
}

TEST_F(SettingsTest, FlagsOverrideEnvironmentWhichOverridesTheFileWhichOverridesDefaults) {
  const std::string config = Config("workers: 3\ndata: from-file\ncatalog: file-catalog\nhttp_threads: 4\n");
  const std::map<std::string, std::string> env = {{"DOCGEN_WORKERS", "5"}, {"DOCGEN_DATA", "from-env"}};
  const std::map<std::string, std::string> flags = {{"--workers", "7"}};
  auto loaded = Load(config, env, flags);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->runner.workers, 7);        // flag
  EXPECT_EQ(loaded->data_dir, "from-env");     // environment over file
  EXPECT_EQ(loaded->catalog_dir, "file-catalog");  // file only
  EXPECT_EQ(loaded->http_threads, 4);          // file only
  EXPECT_EQ(loaded->runner.lease_ms, 30000);   // default

  auto without_flag = Load(config, env);
  ASSERT_TRUE(without_flag.ok());
  EXPECT_EQ(without_flag->runner.workers, 5);
  auto file_only = Load(config);
  ASSERT_TRUE(file_only.ok());
  EXPECT_EQ(file_only->runner.workers, 3);
}

TEST_F(SettingsTest, EmptyEnvironmentVariablesAndFlagsCountAsUnset) {
  auto loaded = Load(Config("data: from-file\n"), {{"DOCGEN_DATA", ""}}, {{"--data", ""}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->data_dir, "from-file");
}

TEST_F(SettingsTest, EveryExistingConfigKeyIsStoredWithItsMeaning) {
  const std::string config = Config(
      "listen: 0.0.0.0:9000\n"
      "data: /srv/data\n"
      "catalog: /srv/catalog\n"
      "workers: 4\n"
      "max_body_bytes: 1024\n"
      "lease_seconds: 7\n"
      "retry: {initial_ms: 100, factor: 1.5, cap_ms: 9000, max_attempts: 9}\n"
      "webhook_secret: " + kWhsecSecret + "\n"
      "retention_days: 2\n"
      "http_threads: 3\n"
      "auth:\n"
      "  mode: introspection\n"
      "  token_file: /srv/tokens.json\n"
      "  introspection_url: https://idp.test/introspect\n"
      "  client_id: docgen\n"
      "  client_secret: hush\n"
      "  cache_entries: 50\n"
      "  max_ttl_seconds: 60\n"
      "  negative_ttl_seconds: 5\n"
      "  provider_rate_per_second: 2.5\n"
      "  max_wait_ms: 700\n"
      "redis: redis://cache:6379\n"
      "allow_private_callbacks: true\n"
      "database: /srv/db.sqlite\n"
      "blob_store: directory\n"
      "blob_dir: /srv/blobs\n"
      "idle_poll_ms: 50\n"
      "noop_jobs: yes\n");
  auto o = Load(config);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->host, "0.0.0.0");
  EXPECT_EQ(o->port, 9000);
  EXPECT_EQ(o->data_dir, "/srv/data");
  EXPECT_EQ(o->catalog_dir, "/srv/catalog");
  EXPECT_EQ(o->runner.workers, 4);
  EXPECT_EQ(o->max_body_bytes, 1024u);
  EXPECT_EQ(o->runner.lease_ms, 7000);
  EXPECT_EQ(o->runner.retry.initial_ms, 100);
  EXPECT_DOUBLE_EQ(o->runner.retry.factor, 1.5);
  EXPECT_EQ(o->runner.retry.cap_ms, 9000);
  EXPECT_EQ(o->runner.retry.max_attempts, 9);
  EXPECT_EQ(o->runner.webhook_secret, KeyBytes());
  EXPECT_EQ(o->retention_ms, 2LL * 24 * 3600 * 1000);
  EXPECT_EQ(o->http_threads, 3);
  EXPECT_EQ(o->auth.mode, "introspection");
  EXPECT_EQ(o->auth.token_file, "/srv/tokens.json");
  EXPECT_EQ(o->auth.introspection_url, "https://idp.test/introspect");
  EXPECT_EQ(o->auth.client_id, "docgen");
  EXPECT_EQ(o->auth.client_secret, "hush");
  EXPECT_EQ(o->auth.cache_entries, 50u);
  EXPECT_EQ(o->auth.max_ttl_ms, 60000);
  EXPECT_EQ(o->auth.negative_ttl_ms, 5000);
  EXPECT_DOUBLE_EQ(o->auth.provider_rate_per_second, 2.5);
  EXPECT_EQ(o->auth.max_wait_ms, 700);
  EXPECT_EQ(o->auth.redis_url, "redis://cache:6379");
  EXPECT_TRUE(o->runner.allow_private_callbacks);
  EXPECT_EQ(o->database, "/srv/db.sqlite");
  EXPECT_EQ(o->blob_store, "directory");
  EXPECT_EQ(o->blob_dir, "/srv/blobs");
  EXPECT_EQ(o->runner.poll_ms, 50);
  EXPECT_TRUE(o->runner.noop_jobs);
}

TEST_F(SettingsTest, AJsonConfigFileIsReadLikeYaml) {
  auto o = Load(Config("{\"workers\": 6, \"retry\": {\"max_attempts\": 2}, \"auth\": {\"mode\": \"none\"}}", "docgen.json"));
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->runner.workers, 6);
  EXPECT_EQ(o->runner.retry.max_attempts, 2);
  EXPECT_EQ(o->auth.mode, "none");
}

TEST_F(SettingsTest, EnvironmentVariablesReachTheirSettings) {
  auto o = Load("", {{"DOCGEN_LISTEN", "10.0.0.1:81"},
                     {"DOCGEN_CATALOG", "cat"},
                     {"DOCGEN_WEBHOOK_SECRET", kBareSecret},
                     {"DOCGEN_AUTH", "introspection"},
                     {"DOCGEN_REDIS", "redis://r:1"},
                     {"DOCGEN_INTROSPECTION_URL", "https://idp/i"},
                     {"DOCGEN_CLIENT_ID", "id"},
                     {"DOCGEN_CLIENT_SECRET", "secret"}});
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->host, "10.0.0.1");
  EXPECT_EQ(o->port, 81);
  EXPECT_EQ(o->catalog_dir, "cat");
  EXPECT_EQ(o->runner.webhook_secret, KeyBytes());
  EXPECT_EQ(o->auth.mode, "introspection");
  EXPECT_EQ(o->auth.redis_url, "redis://r:1");
  EXPECT_EQ(o->auth.introspection_url, "https://idp/i");
  EXPECT_EQ(o->auth.client_id, "id");
  EXPECT_EQ(o->auth.client_secret, "secret");
}

struct TypeErrorCase {
  std::string yaml;
  std::string expected;  // after "PATH:"
};

TEST_F(SettingsTest, EveryTypeErrorInTheFileNamesFileLineAndWhatIsExpected) {
  const std::vector<TypeErrorCase> cases = {
      {"data: x\nworkers: many\n", ":2: workers must be a whole number between 0 and 64, not \"many\""},
      {"workers: 65\n", ":1: workers must be a whole number between 0 and 64, not \"65\""},
      {"workers: 2.5\n", ":1: workers must be a whole number between 0 and 64, not \"2.5\""},
      {"workers: [1, 2]\n", ":1: workers must be a whole number between 0 and 64, not a list"},
      {"workers:\n", ":1: workers must be a whole number between 0 and 64, not empty"},
      {"max_body_bytes: -1\n", ":1: max_body_bytes must be a whole number of at least 1, not \"-1\""},
      {"lease_seconds: soon\n", ":1: lease_seconds must be a whole number of seconds between 1 and 86400, not \"soon\""},
      {"idle_poll_ms: 1\n", ":1: idle_poll_ms must be a whole number of milliseconds between 10 and 60000, not \"1\""},
      {"retention_days: 0\n", ":1: retention_days must be a whole number of days between 1 and 36500, not \"0\""},
      {"retry:\n  factor: fast\n", ":2: retry.factor must be a number between 1 and 100, not \"fast\""},
      {"noop_jobs: maybe\n", ":1: noop_jobs must be true or false, not \"maybe\""},
      {"blob_store: disk\n", ":1: blob_store must be directory or database, not \"disk\""},
      {"auth: {mode: tokenfile}\n",
       ":1: auth.mode must be token_file, introspection or none, not \"tokenfile\"; did you mean \"token_file\"?"},
      {"listen: 8080\n", ":1: listen must be HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080"},
      {"listen: {host: a}\n", ":1: listen must be text, not a mapping"},
      {"retry: 5\n", ":1: retry must be a mapping of retry.* settings, for example retry: {initial_ms: ...}"},
      {"- workers\n", ":1: the config file must be a mapping of settings (key: value)"},
      {"workers: 2\nworkers: 3\n", ":2: workers is set twice (first on line 1)"},
  };
  for (const auto& c : cases) {
    const std::string path = Config(c.yaml);
    EXPECT_EQ(Error(Load(path)), path + c.expected) << c.yaml;
  }
}

TEST_F(SettingsTest, YamlSyntaxErrorsNameTheLine) {
  const std::string path = Config("workers: 2\nauth: {mode: none\n");
  const std::string error = Error(Load(path));
  EXPECT_EQ(error.rfind(path + ":", 0), 0u) << error;
  EXPECT_NE(error.find("not valid YAML or JSON"), std::string::npos) << error;
}

TEST_F(SettingsTest, AMissingConfigFileIsReported) {
  const std::string path = (dir_ / "absent.yaml").string();
  EXPECT_EQ(Error(Load(path)), path + ": cannot read the config file");
}

TEST_F(SettingsTest, UnknownKeysNameFileAndLineAndSuggestTheClosestKey) {
  const std::string path = Config("data: x\nwokers: 2\n");
  EXPECT_EQ(Error(Load(path)), path + ":2: unknown setting \"wokers\"; did you mean \"workers\"?");
}

TEST_F(SettingsTest, UnknownNestedKeysSuggestAKeyOfTheSameGroup) {
  const std::string path = Config("auth:\n  client_secert: x\nretry:\n  max_attempt: 3\n");
  EXPECT_EQ(Error(Load(path)), path + ":2: unknown setting \"auth.client_secert\"; did you mean \"auth.client_secret\"?\n" + path +
                                   ":4: unknown setting \"retry.max_attempt\"; did you mean \"retry.max_attempts\"?");
}

TEST_F(SettingsTest, UnknownKeysFarFromAnyKeyHaveNoSuggestion) {
  const std::string path = Config("colour: blue\n");
  EXPECT_EQ(Error(Load(path)), path + ":1: unknown setting \"colour\"");
}

TEST_F(SettingsTest, SeveralProblemsAreReportedTogetherOnePerLine) {
  const std::string path = Config("workers: many\nlease_seconds: -3\ncolour: blue\n");
  const std::string error = Error(Load(path, {{"DOCGEN_WORKERS", "x"}}, {{"--listen", "nowhere"}}));
  EXPECT_EQ(error, path + ":1: workers must be a whole number between 0 and 64, not \"many\"\n" + path +
                       ":2: lease_seconds must be a whole number of seconds between 1 and 86400, not \"-3\"\n" + path +
                       ":3: unknown setting \"colour\"\n"
                       "DOCGEN_WORKERS: must be a whole number between 0 and 64, not \"x\"\n"
                       "--listen: must be HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080");
}

TEST_F(SettingsTest, EnvironmentErrorsNameTheVariable) {
  EXPECT_EQ(Error(Load("", {{"DOCGEN_WORKERS", "many"}})), "DOCGEN_WORKERS: must be a whole number between 0 and 64, not \"many\"");
  EXPECT_EQ(Error(Load("", {{"DOCGEN_LISTEN", "localhost"}})),
            "DOCGEN_LISTEN: must be HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080");
  EXPECT_EQ(Error(Load("", {{"DOCGEN_AUTH", "oauth"}})), "DOCGEN_AUTH: must be token_file, introspection or none, not \"oauth\"");
  EXPECT_EQ(Error(Load("", {{"DOCGEN_LISTEN", "127.0.0.1:70000"}})),
            "DOCGEN_LISTEN: must be HOST:PORT with a port from 0 to 65535, for example 127.0.0.1:8080");
}

TEST_F(SettingsTest, FlagErrorsNameTheFlag) {
  EXPECT_EQ(Error(Load("", {}, {{"--workers", "many"}})), "--workers: must be a whole number between 0 and 64, not \"many\"");
  EXPECT_EQ(Error(Load("", {}, {{"--catalog", "c"}}, /*worker_only=*/true)).substr(0, 43),
            "--catalog: docgen worker has no such settin");
}

TEST_F(SettingsTest, WorkerNeedsAPostgresDatabase) {
  const std::string error = Error(Load("", {}, {{"--workers", "1"}}, /*worker_only=*/true));
  EXPECT_NE(error.find("docgen worker needs a shared PostgreSQL database"), std::string::npos) << error;
  const std::string named = Error(Load("", {}, {{"--database", "/tmp/x.sqlite"}}, true));
  EXPECT_EQ(named.rfind("--database: docgen worker needs a shared PostgreSQL database", 0), 0u) << named;
}

TEST_F(SettingsTest, WorkerNeedsAtLeastOneWorkerWhileServeMayHaveNone) {
  const std::string shared = Config("database: postgres://db/docgen\nwebhook_secret: " + kWhsecSecret + "\nworkers: 0\n");
  auto serve = Load(shared);
  ASSERT_TRUE(serve.ok()) << serve.status().message();
  EXPECT_EQ(serve->runner.workers, 0);
  // The same shared file, with the worker's own --workers: fine.
  auto worker = Load(shared, {}, {{"--workers", "2"}}, true);
  ASSERT_TRUE(worker.ok()) << worker.status().message();
  EXPECT_TRUE(worker->worker_only);
  EXPECT_EQ(worker->runner.workers, 2);
  EXPECT_EQ(Error(Load(shared, {}, {}, true)),
            shared + ":3: docgen worker runs at least one job worker: workers must be between 1 and 64");
  EXPECT_EQ(Error(Load(shared, {}, {{"--workers", "0"}}, true)),
            "--workers: docgen worker runs at least one job worker: workers must be between 1 and 64");
}

TEST_F(SettingsTest, ASharedDatabaseNeedsAWebhookSecret) {
  const std::string error = Error(Load("", {{"DOCGEN_DATABASE", "postgresql://db/docgen"}}));
  EXPECT_EQ(error.rfind("DOCGEN_DATABASE: with a shared database every process must sign webhooks with the same key: set "
                        "webhook_secret",
                        0),
            0u)
      << error;
  EXPECT_TRUE(Load("", {{"DOCGEN_DATABASE", "postgresql://db/docgen"}, {"DOCGEN_WEBHOOK_SECRET", kWhsecSecret}}).ok());
}

TEST_F(SettingsTest, IdlePollDefaultsByDatabaseKind) {
  auto sqlite = Load("");
  ASSERT_TRUE(sqlite.ok());
  EXPECT_EQ(sqlite->runner.poll_ms, 200);
  auto postgres = Load("", {{"DOCGEN_DATABASE", "postgres://db/docgen"}, {"DOCGEN_WEBHOOK_SECRET", kBareSecret}});
  ASSERT_TRUE(postgres.ok()) << postgres.status().message();
  EXPECT_EQ(postgres->runner.poll_ms, 1000);
  auto configured = Load(Config("idle_poll_ms: 25\ndatabase: postgres://db/docgen\nwebhook_secret: " + kBareSecret + "\n"));
  ASSERT_TRUE(configured.ok()) << configured.status().message();
  EXPECT_EQ(configured->runner.poll_ms, 25);
}

TEST_F(SettingsTest, DatabaseBlobsNeedPostgres) {
  const std::string path = Config("blob_store: database\n");
  EXPECT_EQ(Error(Load(path)), path + ":1: blob_store: database needs a PostgreSQL database (database: postgres://...)");
}

TEST_F(SettingsTest, IntrospectionNeedsItsUrl) {
  EXPECT_EQ(Error(Load("", {{"DOCGEN_AUTH", "introspection"}})),
            "DOCGEN_AUTH: auth mode introspection needs auth.introspection_url (or DOCGEN_INTROSPECTION_URL)");
}

TEST_F(SettingsTest, WebhookSecretsWithAndWithoutWhsecPrefixDecodeToTheSameBytes) {
  auto prefixed = DecodeWebhookSecret(kWhsecSecret);
  auto bare = DecodeWebhookSecret(kBareSecret);
  ASSERT_TRUE(prefixed.ok());
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(*prefixed, KeyBytes());
  EXPECT_EQ(*bare, KeyBytes());
  auto from_file = Load(Config("webhook_secret: " + kBareSecret + "\n"));
  auto from_env = Load("", {{"DOCGEN_WEBHOOK_SECRET", kWhsecSecret}});
  ASSERT_TRUE(from_file.ok() && from_env.ok());
  EXPECT_EQ(from_file->runner.webhook_secret, KeyBytes());
  EXPECT_EQ(from_env->runner.webhook_secret, KeyBytes());
}

TEST_F(SettingsTest, RawWebhookSecretsAreRefusedWithHowToMakeOne) {
  const std::string expected =
      "must be base64 (optionally prefixed whsec_), as Standard Webhooks receivers decode it; generate one with: "
      "echo \"whsec_$(openssl rand -base64 32)\"";
  EXPECT_EQ(DecodeWebhookSecret("fault-test-secret").status().message(), expected);
  EXPECT_EQ(DecodeWebhookSecret("whsec_not base64 at all!").status().message(), expected);
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + kBareSecret.substr(1)).status().message(), expected);  // bad length
  EXPECT_EQ(DecodeWebhookSecret("").status().message(), expected);
  const std::string path = Config("webhook_secret: fault-test-secret\n");
  EXPECT_EQ(Error(Load(path)), path + ":1: webhook_secret " + expected);
  EXPECT_EQ(Error(Load("", {{"DOCGEN_WEBHOOK_SECRET", "bench"}})), "DOCGEN_WEBHOOK_SECRET: " + expected);
}

TEST_F(SettingsTest, ARefusedValueDoesNotAlsoBreakTheRulesThatDependOnIt) {
  // A bad secret with a shared database: one error (the secret), not also "set webhook_secret".
  const std::string path = Config("database: postgres://db/docgen\nwebhook_secret: fault-test-secret\n");
  const std::string error = Error(Load(path));
  EXPECT_EQ(error.rfind(path + ":2: webhook_secret must be base64", 0), 0u) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  // An unreadable file: only that, not the worker's need for a database it may have named.
  const std::string missing = (dir_ / "absent.yaml").string();
  EXPECT_EQ(Error(Load(missing, {}, {}, /*worker_only=*/true)), missing + ": cannot read the config file");
}

TEST_F(SettingsTest, TooShortWebhookSecretsAreRefused) {
  const std::string short_key = Base64Encode(KeyBytes().substr(0, 15));
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + short_key).status().message(),
            "must decode to at least 16 bytes, not 15; generate one with: echo \"whsec_$(openssl rand -base64 32)\"");
  EXPECT_TRUE(DecodeWebhookSecret(Base64Encode(KeyBytes().substr(0, 16))).ok());
}

TEST_F(SettingsTest, SecretsAreNeverRepeatedInMessages) {
  const std::string error = Error(Load(Config("webhook_secret: hunter2-is-my-password\n")));
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  for (const Setting& s : ServiceSettings()) {
    if (s.key == "webhook_secret" || s.key == "auth.client_secret") {
      EXPECT_TRUE(s.secret) << s.key;
    }
  }
}

TEST_F(SettingsTest, AGeneratedWebhookSecretIsKeptInTheDataFolderForItsOwnerOnly) {
  auto loaded = Load("", {{"DOCGEN_DATA", (dir_ / "data").string()}});
  ASSERT_TRUE(loaded.ok());
  ServiceOptions options = *loaded;
  ASSERT_TRUE(EnsureWebhookSecret(options).ok());
  const fs::path file = dir_ / "data" / "webhook-secret";
  std::string text;
  std::getline(std::ifstream(file), text);
  ASSERT_EQ(text.rfind("whsec_", 0), 0u);
  EXPECT_EQ(options.runner.webhook_secret, *DecodeWebhookSecret(text));
  EXPECT_EQ(options.runner.webhook_secret.size(), 32u);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // The next start reads the same key.
  ServiceOptions again = *loaded;
  ASSERT_TRUE(EnsureWebhookSecret(again).ok());
  EXPECT_EQ(again.runner.webhook_secret, options.runner.webhook_secret);
}

TEST_F(SettingsTest, AConfiguredWebhookSecretLeavesTheDataFolderAlone) {
  auto loaded = Load("", {{"DOCGEN_DATA", (dir_ / "data").string()}, {"DOCGEN_WEBHOOK_SECRET", kWhsecSecret}});
  ASSERT_TRUE(loaded.ok());
  ServiceOptions options = *loaded;
  ASSERT_TRUE(EnsureWebhookSecret(options).ok());
  EXPECT_EQ(options.runner.webhook_secret, KeyBytes());
  EXPECT_FALSE(fs::exists(dir_ / "data" / "webhook-secret"));
}

TEST_F(SettingsTest, ADamagedWebhookSecretFileIsRefused) {
  fs::create_directories(dir_ / "data");
  std::ofstream(dir_ / "data" / "webhook-secret") << "not-base64!\n";
  ServiceOptions options;
  options.data_dir = (dir_ / "data").string();
  const Status status = EnsureWebhookSecret(options);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().rfind((dir_ / "data" / "webhook-secret").string() + ": must be base64", 0), 0u) << status.message();
}

TEST_F(SettingsTest, TheTableDescribesEverySettingOnceWithHelp) {
  std::set<std::string> keys, envs, flags;
  for (const Setting& s : ServiceSettings()) {
    EXPECT_FALSE(s.help.empty()) << s.key;
    EXPECT_FALSE(s.default_text.empty()) << s.key;
    EXPECT_NE(s.store, nullptr) << s.key;
    EXPECT_TRUE(keys.insert(s.key).second) << "duplicate key " << s.key;
    if (!s.env.empty()) {
      EXPECT_TRUE(envs.insert(s.env).second) << "duplicate env " << s.env;
    }
    if (!s.flag.empty()) {
      EXPECT_TRUE(flags.insert(s.flag).second) << "duplicate flag " << s.flag;
    }
    if (!s.env.empty()) {
      EXPECT_EQ(s.env.rfind("DOCGEN_", 0), 0u) << s.env;
    }
    if (!s.flag.empty()) {
      EXPECT_EQ(s.flag.rfind("--", 0), 0u) << s.flag;
    }
    if (s.type == SettingType::kInteger || s.type == SettingType::kDuration) {
      EXPECT_LE(s.min, s.max) << s.key;
    }
    if (s.type == SettingType::kEnum) {
      EXPECT_FALSE(s.choices.empty()) << s.key;
    }
    if (s.worker_flag) {
      EXPECT_FALSE(s.flag.empty()) << s.key;
    }
  }
  // Every key, variable and flag docgen ever accepted is still there.
  for (const char* key : {"listen", "data", "catalog", "workers", "max_body_bytes", "lease_seconds", "retry.initial_ms",
                          "retry.factor", "retry.cap_ms", "retry.max_attempts", "webhook_secret", "retention_days",
                          "http_threads", "auth.mode", "auth.token_file", "auth.introspection_url", "auth.client_id",
                          "auth.client_secret", "auth.cache_entries", "auth.max_ttl_seconds", "auth.negative_ttl_seconds",
                          "auth.provider_rate_per_second", "auth.max_wait_ms", "redis", "allow_private_callbacks",
                          "database", "blob_store", "blob_dir", "idle_poll_ms", "noop_jobs"}) {
    EXPECT_TRUE(keys.count(key)) << key;
  }
  for (const char* env : {"DOCGEN_LISTEN", "DOCGEN_DATA", "DOCGEN_DATABASE", "DOCGEN_CATALOG", "DOCGEN_WORKERS",
                          "DOCGEN_WEBHOOK_SECRET", "DOCGEN_AUTH", "DOCGEN_REDIS", "DOCGEN_INTROSPECTION_URL",
                          "DOCGEN_CLIENT_ID", "DOCGEN_CLIENT_SECRET"}) {
    EXPECT_TRUE(envs.count(env)) << env;
  }
  for (const char* flag : {"--listen", "--data", "--catalog", "--workers", "--redis", "--database"}) {
    EXPECT_TRUE(flags.count(flag)) << flag;
  }
}

TEST_F(SettingsTest, ServeAndWorkerFlagsComeFromTheTable) {
  CLI::App serve("serve");
  SettingsFlags serve_flags;
  AddSettingFlags(serve, false, serve_flags);
  const char* serve_argv[] = {"serve", "--workers", "3", "--redis", "redis://r:1", "--config", "c.yaml"};
  serve.parse(7, const_cast<char**>(serve_argv));
  EXPECT_EQ(serve_flags.config, "c.yaml");
  EXPECT_EQ(serve_flags.values, (std::map<std::string, std::string>{{"--workers", "3"}, {"--redis", "redis://r:1"}}));
  EXPECT_FALSE(serve_flags.worker_only);
  EXPECT_NE(serve.get_option("--workers")->get_description().find("DOCGEN_WORKERS"), std::string::npos);

  CLI::App worker("worker");
  SettingsFlags worker_flags;
  AddSettingFlags(worker, true, worker_flags);
  EXPECT_TRUE(worker_flags.worker_only);
  for (const char* flag : {"--listen", "--data", "--config", "--workers", "--database"}) {
    EXPECT_NO_THROW(worker.get_option(flag)) << flag;
  }
  EXPECT_THROW(worker.get_option("--catalog"), CLI::OptionNotFound);
  EXPECT_THROW(worker.get_option("--redis"), CLI::OptionNotFound);
}

}  // namespace
}  // namespace docgen
