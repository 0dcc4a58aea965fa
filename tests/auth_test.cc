// Token checks against a fake RFC 7662 provider (a real HTTP server on
// loopback that counts calls, expires and revokes tokens and can answer 429)
// and, when DOCGEN_TEST_REDIS names one (tests/with_redis.sh starts it), a
// real Redis shared by two authenticators. The clock is the test's.
#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "auth/auth.h"
#include "jobs/job_runner.h"

namespace docgen {
namespace {

class FakeProvider {
 public:
  struct Token {
    bool active = true;
    int64_t exp = 0;  // seconds; 0: none
    std::string scope = "docgen:generator";
    std::string sub = "client-a";  // "": no sub (client-credentials tokens)
    std::string client_id = "";    // sent when not empty
    bool numeric_sub = false;  // a provider that sends "sub": 12345
  };

  FakeProvider() {
    server_.Post("/introspect", [this](const httplib::Request& req, httplib::Response& res) {
      ++calls;
      if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
      if (overloaded) {
        res.status = 429;
        res.set_header("Retry-After", "2");
        return;
      }
      if (req.get_header_value("Authorization") != "Basic ZG9jZ2VuOnMzY3IzdA==") {  // docgen:s3cr3t
        res.status = 401;
        return;
      }
      std::lock_guard lock(mutex_);
      auto it = tokens_.find(req.get_param_value("token"));
      nlohmann::json body = {{"active", false}};
      if (it != tokens_.end() && it->second.active) {
        body = {{"active", true}, {"scope", it->second.scope}};
        if (!it->second.sub.empty()) body["sub"] = it->second.sub;
        if (!it->second.client_id.empty()) body["client_id"] = it->second.client_id;
        if (it->second.exp > 0) body["exp"] = it->second.exp;
        if (it->second.numeric_sub) body["sub"] = 12345;
      }
      res.set_content(body.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeProvider() {
    server_.stop();
    thread_.join();
  }
  void Set(const std::string& token, Token t) {
    std::lock_guard lock(mutex_);
    tokens_[token] = std::move(t);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/introspect"; }

  std::atomic<int> calls{0};
  std::atomic<bool> overloaded{false};
  std::atomic<int> delay_ms{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, Token> tokens_;
};

class AuthTest : public ::testing::Test {
 protected:
  std::unique_ptr<Authenticator> Make(const std::string& redis = "") {
    AuthOptions options;
    options.mode = "introspection";
    options.introspection_url = provider_.url();
    options.client_id = "docgen";
    options.client_secret = "s3cr3t";
    options.redis_url = redis;
    options.cache_entries = 100;
    options.max_ttl_ms = 60'000;
    options.negative_ttl_ms = 10'000;
    options.backoff_initial_ms = 1000;
    return std::make_unique<Authenticator>(options, metrics_, log_, clock_);
  }
  int64_t NowSeconds() const { return clock_.NowMs() / 1000; }

  FakeProvider provider_;
  Metrics metrics_;
  Log log_;
  FakeClock clock_{SystemClock().NowMs()};
};

TEST_F(AuthTest, CachedTokensSkipTheProvider) {
  provider_.Set("tok-a", {});
  auto auth = Make();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(auth->Check("tok-a").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(provider_.calls, 1);
  EXPECT_EQ(auth->Check("tok-a").role, Role::kGenerator);
  EXPECT_EQ(auth->Check("tok-a").subject, "client-a");
}

TEST_F(AuthTest, ConcurrentChecksOfANewTokenMakeOneCall) {
  provider_.Set("tok-b", {});
  provider_.delay_ms = 100;
  auto auth = Make();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] { ok += auth->Check("tok-b").outcome == AuthResult::Outcome::kOk; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 16);
  EXPECT_EQ(provider_.calls, 1);
}

TEST_F(AuthTest, ATokenIsRejectedOnceItsExpPassesEvenWhenCached) {
  provider_.Set("tok-c", {true, NowSeconds() + 30});
  auto auth = Make();
  EXPECT_EQ(auth->Check("tok-c").outcome, AuthResult::Outcome::kOk);
  clock_.Advance(29'000);
  EXPECT_EQ(auth->Check("tok-c").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(provider_.calls, 1);
  clock_.Advance(2'000);  // past exp; the provider still says active, the cache entry is gone
  EXPECT_EQ(auth->Check("tok-c").outcome, AuthResult::Outcome::kUnauthorized);
}

TEST_F(AuthTest, ARevokedTokenStopsWorkingWithinTheMaximumTtl) {
  provider_.Set("tok-d", {});
  auto auth = Make();
  EXPECT_EQ(auth->Check("tok-d").outcome, AuthResult::Outcome::kOk);
  provider_.Set("tok-d", {false});
  clock_.Advance(59'000);
  EXPECT_EQ(auth->Check("tok-d").outcome, AuthResult::Outcome::kOk);  // cached
  clock_.Advance(2'000);
  EXPECT_EQ(auth->Check("tok-d").outcome, AuthResult::Outcome::kUnauthorized);
}

TEST_F(AuthTest, InactiveTokensAreCachedBriefly) {
  auto auth = Make();
  EXPECT_EQ(auth->Check("nobody").outcome, AuthResult::Outcome::kUnauthorized);
  EXPECT_EQ(auth->Check("nobody").outcome, AuthResult::Outcome::kUnauthorized);
  EXPECT_EQ(provider_.calls, 1);
  clock_.Advance(11'000);
  auth->Check("nobody");
  EXPECT_EQ(provider_.calls, 2);
}

TEST_F(AuthTest, AnOverloadedProviderDoesNotStopCachedTokensAndIsBackedOffFrom) {
  provider_.Set("cached", {});
  provider_.Set("new-1", {});
  provider_.Set("new-2", {});
  auto auth = Make();
  ASSERT_EQ(auth->Check("cached").outcome, AuthResult::Outcome::kOk);
  provider_.overloaded = true;
  EXPECT_EQ(auth->Check("cached").outcome, AuthResult::Outcome::kOk);
  AuthResult refused = auth->Check("new-1");
  EXPECT_EQ(refused.outcome, AuthResult::Outcome::kUnavailable);
  EXPECT_GE(refused.retry_after_seconds, 2);  // the provider's Retry-After
  const int calls = provider_.calls;
  EXPECT_EQ(auth->Check("new-2").outcome, AuthResult::Outcome::kUnavailable);
  EXPECT_EQ(provider_.calls, calls);  // backing off: no call
  EXPECT_NE(auth->Health().find("introspection failing"), std::string::npos);
  provider_.overloaded = false;
  clock_.Advance(3'000);
  EXPECT_EQ(auth->Check("new-2").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(auth->Health(), "ok");
}

TEST_F(AuthTest, ScopesMapToTheHighestRole) {
  provider_.Set("multi", {true, 0, "openid docgen:viewer docgen:admin"});
  provider_.Set("none", {true, 0, "openid profile"});
  auto auth = Make();
  EXPECT_EQ(auth->Check("multi").role, Role::kAdmin);
  EXPECT_EQ(auth->Check("none").role, Role::kNone);
}

// Regression: a non-string "sub" threw inside the single flight and left
// every later request with that token waiting forever.
TEST_F(AuthTest, AnOddProviderAnswerNeitherThrowsNorWedgesTheToken) {
  FakeProvider::Token odd;
  odd.numeric_sub = true;
  provider_.Set("odd", odd);
  auto auth = Make();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(auth->Check("odd").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(auth->Check("odd").subject.rfind("token:", 0), 0u);  // a sub that is not text is no identity
}

// Client-credentials tokens carry client_id but no sub: each client is
// still its own caller (idempotency keys, logs), never the empty subject.
TEST_F(AuthTest, CallersWithoutASubAreToldApartByClientOrToken) {
  provider_.Set("svc-1", {.sub = "", .client_id = "policy-system"});
  provider_.Set("svc-2", {.sub = "", .client_id = "billing"});
  provider_.Set("anon-1", {.sub = ""});
  provider_.Set("anon-2", {.sub = ""});
  auto auth = Make();
  const AuthResult a = auth->Check("svc-1"), b = auth->Check("svc-2"), c = auth->Check("anon-1"), d = auth->Check("anon-2");
  EXPECT_EQ(a.subject, "client:policy-system");
  EXPECT_EQ(b.subject, "client:billing");
  EXPECT_EQ(c.subject.rfind("token:", 0), 0u) << c.subject;
  EXPECT_NE(c.subject, d.subject);
  EXPECT_EQ(c.subject.find("anon-1"), std::string::npos);  // never the token itself
  EXPECT_EQ(auth->Check("anon-1").subject, c.subject);       // stable across checks (cached)
}

TEST_F(AuthTest, TwoInstancesShareRedis) {
  const char* redis = std::getenv("DOCGEN_TEST_REDIS");
  if (redis == nullptr) GTEST_SKIP() << "run through tests/with_redis.sh, which starts a Redis server";
  provider_.Set("shared-" + std::to_string(clock_.NowMs()), {});
  const std::string token = "shared-" + std::to_string(clock_.NowMs());
  auto first = Make(redis);
  auto second = Make(redis);
  EXPECT_EQ(first->Check(token).outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(second->Check(token).outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(provider_.calls, 1);
  EXPECT_EQ(second->Health(), "ok");
  EXPECT_NE(metrics_.Render().find("docgen_auth_cache_total{level=\"redis\",result=\"hit\"} 1"), std::string::npos);
}

TEST_F(AuthTest, WhenRedisIsDownTheServiceKeepsWorking) {
  provider_.Set("tok-e", {});
  auto auth = Make("redis://127.0.0.1:1");  // nothing listens there
  EXPECT_EQ(auth->Check("tok-e").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(auth->Check("tok-e").outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(provider_.calls, 1);  // the in-process cache still works
  EXPECT_NE(auth->Health().find("redis unavailable"), std::string::npos);
  EXPECT_NE(metrics_.Render().find("docgen_auth_redis_errors_total"), std::string::npos);
}

TEST_F(AuthTest, TheTokenFileStoresOnlyHashes) {
  const std::string file = "/tmp/docgen-auth-test-" + std::to_string(::getpid()) + ".json";
  std::string error;
  auto token = CreateToken(file, Role::kViewer, "alice", &error);
  ASSERT_TRUE(token);
  std::ifstream in(file);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content.find(*token), std::string::npos);
  AuthOptions options;
  options.token_file = file;
  Authenticator auth(options, metrics_, log_, clock_);
  AuthResult ok = auth.Check(*token);
  EXPECT_EQ(ok.outcome, AuthResult::Outcome::kOk);
  EXPECT_EQ(ok.role, Role::kViewer);
  EXPECT_EQ(ok.subject, "alice");
  EXPECT_EQ(auth.Check(*token + "x").outcome, AuthResult::Outcome::kUnauthorized);
  std::remove(file.c_str());
}

}  // namespace
}  // namespace docgen
