// Hardening of the service (README "Hardening"): the per-address limit on
// unknown tokens under introspection, the bounded cache of catalog versions,
// and the token file under concurrent writers. The end-to-end checks
// (modes, lock, auth none, Content-Disposition) are in
// service_hardening_test.sh.
#include <httplib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "auth/auth.h"
#include "auth/failure_limiter.h"
#include "jobs/catalog_files_json.h"
#include "jobs/catalog_versions.h"
#include "support/actor.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(DOCGEN_SOURCE_DIR) / "examples";

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 ("docgen-hardening-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// ---- FailureLimiter ----

TEST(FailureLimiterTest, AnAddressIsLimitedAfterItsFailuresUntilTheWindowEnds) {
  FailureLimiter limiter(3, 60'000);
  const int64_t t = 1'000'000;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", t + i), 0);
    limiter.RecordFailure("10.0.0.1", t + i);
  }
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", t + 10), 60);  // the window started at t
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", t + 59'001), 1);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.2", t + 10), 0) << "another address is not limited";
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", t + 60'000), 0) << "a new window";
  limiter.RecordFailure("10.0.0.1", t + 60'000);
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.1", t + 60'001), 0) << "one failure in the new window";
}

TEST(FailureLimiterTest, AnUnknownAddressIsNeverLimitedAndZeroTurnsItOff) {
  FailureLimiter limiter(1, 60'000);
  for (int i = 0; i < 10; ++i) limiter.RecordFailure("", i);
  EXPECT_EQ(limiter.RetryAfterSeconds("", 10), 0);
  FailureLimiter off(0, 60'000);
  for (int i = 0; i < 10; ++i) off.RecordFailure("10.0.0.1", i);
  EXPECT_EQ(off.RetryAfterSeconds("10.0.0.1", 10), 0);
}

TEST(FailureLimiterTest, TheTableOfAddressesIsBounded) {
  FailureLimiter limiter(2, 60'000, 100);
  for (int i = 0; i < 10'000; ++i) limiter.RecordFailure("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256), i);
  EXPECT_LE(limiter.tracked(), 100u);
}

TEST(FailureLimiterTest, CountsEveryFailureFromManyThreads) {
  FailureLimiter limiter(8 * 500, 60'000);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 499; ++j) limiter.RecordFailure("10.0.0.9", 5);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(limiter.RetryAfterSeconds("10.0.0.9", 6), 0);  // 3992 of 4000
  for (int j = 0; j < 8; ++j) limiter.RecordFailure("10.0.0.9", 6);
  EXPECT_GT(limiter.RetryAfterSeconds("10.0.0.9", 7), 0);
}

// ---- Authenticator: unknown tokens per client address ----

// An RFC 7662 provider that knows one token and counts its calls.
class CountingProvider {
 public:
  CountingProvider() {
    server_.Post("/introspect", [this](const httplib::Request& request, httplib::Response& response) {
      ++calls;
      const bool good = request.get_param_value("token") == "good-token";
      response.set_content(good ? R"({"active": true, "scope": "docgen:viewer", "sub": "s"})" : R"({"active": false})",
                           "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~CountingProvider() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/introspect"; }
  std::atomic<int> calls{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(UnknownTokenLimitTest, RandomTokensFromOneAddressStopCostingProviderCalls) {
  CountingProvider provider;
  Metrics metrics;
  Log log;
  FakeClock clock;
  AuthOptions options;
  options.mode = "introspection";
  options.introspection_url = provider.url();
  Authenticator auth(options, metrics, log, clock);

  // A good token checked before the flood stays usable from the same address (cached).
  ASSERT_EQ(auth.Check("good-token", "192.0.2.7").outcome, AuthResult::Outcome::kOk);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(auth.Check("random-" + std::to_string(i), "192.0.2.7").outcome, AuthResult::Outcome::kUnauthorized) << i;
  }
  EXPECT_EQ(provider.calls.load(), 21);
  AuthResult limited = auth.Check("random-20", "192.0.2.7");
  EXPECT_EQ(limited.outcome, AuthResult::Outcome::kRateLimited);
  EXPECT_GE(limited.retry_after_seconds, 1);
  EXPECT_LE(limited.retry_after_seconds, 60);
  EXPECT_EQ(provider.calls.load(), 21) << "a limited address makes no provider call";
  EXPECT_EQ(auth.Check("good-token", "192.0.2.7").outcome, AuthResult::Outcome::kOk) << "cached tokens keep working";
  EXPECT_EQ(auth.Check("random-3", "192.0.2.7").outcome, AuthResult::Outcome::kUnauthorized) << "a cached negative answer";
  EXPECT_EQ(auth.Check("random-21", "192.0.2.8").outcome, AuthResult::Outcome::kUnauthorized) << "other addresses are not limited";
  EXPECT_EQ(provider.calls.load(), 22);
  clock.Advance(60'000);
  EXPECT_EQ(auth.Check("random-22", "192.0.2.7").outcome, AuthResult::Outcome::kUnauthorized) << "the window ended";
  EXPECT_EQ(provider.calls.load(), 23);
}

// ---- CatalogVersions: bounded, current kept ----

class CatalogVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto opened = OpenSqliteStore((dir_ / "docgen.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    files_ = ReadCatalogDirectory(kExamples / "acme-cyber").files;
    ASSERT_FALSE(files_.empty());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  // Publishes a distinct version (a comment makes the digest differ).
  int64_t Publish(int n) {
    CatalogFiles files = files_;
    files["catalog.yaml"] += "\n# variant " + std::to_string(n) + "\n";
    CatalogLoad load = LoadCatalog(files);
    EXPECT_TRUE(load.catalog) << "variant " << n;
    CatalogVersion version;
    version.digest = load.catalog->digest;
    version.name = load.catalog->name;
    version.created_at = 1000 + n;
    version.created_by = "test";
    version.files = CatalogFilesToJson(files);
    auto published = store_->PublishCatalog(version, testing::By(version.created_at));
    EXPECT_TRUE(published.ok());
    return published.ok() ? published->version : 0;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  CatalogFiles files_;
};

TEST_F(CatalogVersionsTest, KeepsAtMostItsCapacityAndAlwaysTheCurrentVersion) {
  CatalogVersions versions(*store_, 3);
  std::vector<int64_t> published;
  for (int i = 0; i < 12; ++i) published.push_back(Publish(i));
  const int64_t current = published.back();
  auto loaded_current = versions.Get(0);
  ASSERT_TRUE(loaded_current.ok());
  EXPECT_EQ(loaded_current->version, current);
  const Catalog* current_catalog = loaded_current->catalog.get();
  for (int64_t v : published) {
    auto loaded = versions.Get(v);
    ASSERT_TRUE(loaded.ok()) << v;
    EXPECT_EQ(loaded->version, v);
    EXPECT_LE(versions.cached(), 3u);
  }
  // Old versions went; the current one never did: the same object is served.
  EXPECT_EQ(versions.Get(0)->catalog.get(), current_catalog);
  for (int i = 0; i < 11; ++i) ASSERT_TRUE(versions.Get(published[static_cast<size_t>(i)]).ok());
  EXPECT_EQ(versions.Get(0)->catalog.get(), current_catalog);
  EXPECT_LE(versions.cached(), 3u);
  // A dropped version is loaded again, equal to what it was.
  auto first_again = versions.Get(published[0]);
  ASSERT_TRUE(first_again.ok());
  EXPECT_EQ(first_again->catalog->digest, LoadCatalog([&] {
                                            CatalogFiles f = files_;
                                            f["catalog.yaml"] += "\n# variant 0\n";
                                            return f;
                                          }())
                                              .catalog->digest);
}

TEST_F(CatalogVersionsTest, IsSafeUnderConcurrentReaders) {
  std::vector<int64_t> published;
  for (int i = 0; i < 6; ++i) published.push_back(Publish(i));
  CatalogVersions versions(*store_, 2);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        const int64_t v = (i + t) % 3 == 0 ? 0 : published[static_cast<size_t>((i * 7 + t) % 6)];
        auto loaded = versions.Get(v);
        if (!loaded.ok() || !loaded->catalog || (v != 0 && loaded->version != v)) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(versions.cached(), 2u);
}

// ---- The token file under concurrent writers ----

TEST(TokenFileTest, ConcurrentCreatorsKeepEveryTokenAndTheFileIsTheOwnersOnly) {
  const fs::path dir = TempDir("tokens");
  const std::string file = (dir / "data" / "tokens.json").string();
  std::vector<std::string> tokens(24);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] {
      std::string error;
      tokens[i] = CreateToken(file, Role::kViewer, "subject-" + std::to_string(i), &error).value_or("");
    });
  }
  for (auto& t : threads) t.join();
  std::ifstream in(file);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["tokens"].size(), tokens.size());
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size());
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(dir / "data").permissions() & fs::perms::all, fs::perms::owner_all) << "the folder it created";
  for (const auto& entry : fs::directory_iterator(dir / "data")) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << "left behind: " << entry.path();
  }
  Metrics metrics;
  Log log;
  FakeClock clock;
  AuthOptions options;
  options.token_file = file;
  Authenticator auth(options, metrics, log, clock);
  for (const std::string& token : tokens) EXPECT_EQ(auth.Check(token).outcome, AuthResult::Outcome::kOk);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace docgen
