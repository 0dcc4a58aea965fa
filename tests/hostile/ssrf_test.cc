// Callback URLs as a way into the server's network (SSRF): every spelling of
// a loopback or private address is refused by the checker, which classifies
// the binary address the resolver (or inet_aton) produced, never the text; a
// name that resolves to a private address is refused when the job is
// accepted and again when it is delivered; a delivery connects to the
// address it checked; viewers do not see why a delivery failed; and silent
// receivers do not hold up a healthy one.
#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "jobs/callback_url.h"
#include "jobs/catalog_files_json.h"
#include "jobs/job_runner.h"
#include "jobs/webhook.h"
#include "server/service.h"
#include "support/files.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;
const fs::path kExamples = fs::path(DOCGEN_SOURCE_DIR) / "examples";

IpAddress V4(const char* text) {
  in_addr a{};
  EXPECT_EQ(inet_pton(AF_INET, text, &a), 1) << text;
  return IpAddress::V4(ntohl(a.s_addr));
}

IpAddress V6(const char* text) {
  std::array<uint8_t, 16> bytes{};
  EXPECT_EQ(inet_pton(AF_INET6, text, bytes.data()), 1) << text;
  return IpAddress::V6(bytes);
}

// The resolver seam: names the test gives addresses; every other name does not resolve.
class FakeDns {
 public:
  void Set(const std::string& name, std::vector<IpAddress> addresses) {
    std::lock_guard lock(mutex_);
    names_[name] = std::move(addresses);
  }
  int lookups() const { return lookups_; }
  HostResolver Resolver() {
    return [this](const std::string& name) -> Result<std::vector<IpAddress>> {
      ++lookups_;
      std::lock_guard lock(mutex_);
      auto it = names_.find(name);
      if (it == names_.end()) return Status::InvalidArgument("Name or service not known");
      return it->second;
    };
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<IpAddress>> names_;
  std::atomic<int> lookups_{0};
};

// ---------------------------------------------------------------- the checker

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_.Set("hooks.example.com", {V4("93.184.216.34")});
    dns_.Set("localhost", {V4("127.0.0.1"), V6("::1")});
    dns_.Set("internal.example.com", {V4("10.0.0.5")});
    dns_.Set("metadata.example.com", {V4("169.254.169.254")});
    dns_.Set("mixed.example.com", {V4("93.184.216.34"), V4("127.0.0.1")});
    dns_.Set("v6only.example.com", {V6("fd00::1")});
  }
  Result<CallbackTarget> Check(const std::string& url, bool allow_private = false) {
    return CheckCallbackUrl(url, allow_private, dns_.Resolver());
  }
  FakeDns dns_;
};

TEST_F(CheckerTest, EverySpellingOfALoopbackOrPrivateAddressIsRefused) {
  struct Case {
    const char* url;
    const char* address;  // what it resolves to
    const char* kind;
  };
  const Case cases[] = {
      {"http://127.0.0.1/", "127.0.0.1", "a loopback address"},
      {"http://2130706433/", "127.0.0.1", "a loopback address"},
      {"http://0x7f000001/", "127.0.0.1", "a loopback address"},
      {"http://0X7F000001/", "127.0.0.1", "a loopback address"},
      {"http://0177.0.0.1/", "127.0.0.1", "a loopback address"},
      {"http://017700000001/", "127.0.0.1", "a loopback address"},
      {"http://127.1/", "127.0.0.1", "a loopback address"},
      {"http://127.0.1/", "127.0.0.1", "a loopback address"},
      {"http://0x7f.0.0.1/", "127.0.0.1", "a loopback address"},
      {"http://0x7f.1/", "127.0.0.1", "a loopback address"},
      {"http://127.000.000.001/", "127.0.0.1", "a loopback address"},
      {"http://127.0.0.1./", "127.0.0.1", "a loopback address"},
      {"http://127.255.255.254:8080/x", "127.255.255.254", "a loopback address"},
      {"HTTPS://127.0.0.1:443/", "127.0.0.1", "a loopback address"},
      {"http://localhost/", "127.0.0.1", "a loopback address"},
      {"http://localhost./", "127.0.0.1", "a loopback address"},
      {"http://LOCALHOST:9000/hook", "127.0.0.1", "a loopback address"},
      {"http://0/", "0.0.0.0", "an unspecified address"},
      {"http://0.0.0.0/", "0.0.0.0", "an unspecified address"},
      {"http://0x0/", "0.0.0.0", "an unspecified address"},
      {"http://0.1.2.3/", "0.1.2.3", "0.0.0.0/8"},
      {"http://10.1.2.3/", "10.1.2.3", "a private address"},
      {"http://10.1/", "10.0.0.1", "a private address"},
      {"http://012.1.2.3/", "10.1.2.3", "a private address"},
      {"http://167772161/", "10.0.0.1", "a private address"},
      {"http://172.16.0.1/", "172.16.0.1", "a private address"},
      {"http://172.31.255.255/", "172.31.255.255", "a private address"},
      {"http://192.168.0.1/", "192.168.0.1", "a private address"},
      {"http://0xc0a80001/", "192.168.0.1", "a private address"},
      {"http://100.64.0.1/", "100.64.0.1", "carrier-grade NAT"},
      {"http://100.127.255.255/", "100.127.255.255", "carrier-grade NAT"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local address"},
      {"http://224.0.0.1/", "224.0.0.1", "a multicast address"},
      {"http://239.255.255.250/", "239.255.255.250", "a multicast address"},
      {"http://255.255.255.255/", "255.255.255.255", "a broadcast address"},
      {"http://4294967295/", "255.255.255.255", "a broadcast address"},
      {"http://240.0.0.1/", "240.0.0.1", "a reserved address"},
      {"http://192.0.0.8/", "192.0.0.8", "a reserved address"},
      {"http://192.0.2.1/", "192.0.2.1", "a documentation address"},
      {"http://198.51.100.7/", "198.51.100.7", "a documentation address"},
      {"http://203.0.113.9/", "203.0.113.9", "a documentation address"},
      {"http://198.18.0.1/", "198.18.0.1", "a benchmarking address"},
      {"http://[::1]/", "::1", "a loopback address"},
      {"http://[0:0:0:0:0:0:0:1]:8080/", "::1", "a loopback address"},
      {"http://[::]/", "::", "an unspecified address"},
      {"http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "an IPv4-mapped IPv6 address"},
      {"http://[::ffff:7f00:1]/", "::ffff:127.0.0.1", "an IPv4-mapped IPv6 address"},
      {"http://[::ffff:8.8.8.8]/", "::ffff:8.8.8.8", "an IPv4-mapped IPv6 address"},
      {"http://[::127.0.0.1]/", "::127.0.0.1", "an IPv4-compatible IPv6 address"},
      {"http://[::ffff:0:7f00:1]/", "::ffff:0:7f00:1", "an IPv4-translated IPv6 address"},
      {"http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1, a loopback address"},
      {"http://[64:ff9b::10.0.0.1]/", "64:ff9b::a00:1", "a NAT64 address of 10.0.0.1, a private address"},
      {"http://[64:ff9b:1::1]/", "64:ff9b:1::1", "local NAT64"},
      {"http://[2002:7f00:1::1]/", "2002:7f00:1::1", "a 6to4 address of 127.0.0.1, a loopback address"},
      {"http://[2002:c0a8:101::1]/", "2002:c0a8:101::1", "a 6to4 address of 192.168.1.1, a private address"},
      {"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo address"},
      {"http://[2001:db8::1]/", "2001:db8::1", "a documentation address"},
      {"http://[fc00::1]/", "fc00::1", "a private (unique local) address"},
      {"http://[fd12:3456::1]/", "fd12:3456::1", "a private (unique local) address"},
      {"http://[FE80::1]/", "fe80::1", "a link-local address"},
      {"http://[febf::1]/", "febf::1", "a link-local address"},
      {"http://[fec0::1]/", "fec0::1", "a site-local address"},
      {"http://[ff02::1]/", "ff02::1", "a multicast address"},
      {"http://[100::1]/", "100::1", "discard"},
      {"http://[4000::1]/", "4000::1", "a reserved address"},
      {"http://internal.example.com/", "10.0.0.5", "a private address"},
      {"http://metadata.example.com/", "169.254.169.254", "a link-local address"},
      {"http://mixed.example.com/", "127.0.0.1", "a loopback address"},  // one bad answer is enough
      {"https://v6only.example.com/", "fd00::1", "unique local"},
  };
  for (const Case& c : cases) {
    Result<CallbackTarget> checked = Check(c.url);
    ASSERT_FALSE(checked.ok()) << c.url << " was accepted, to " << checked->address.ToString();
    EXPECT_EQ(checked.status().code(), StatusCode::kInvalidArgument) << c.url;
    const std::string& message = checked.status().message();
    EXPECT_NE(message.find(std::string("resolves to ") + c.address + ","), std::string::npos)
        << c.url << ": " << message;
    EXPECT_NE(message.find(c.kind), std::string::npos) << c.url << ": " << message;
    EXPECT_NE(message.find("which this server does not call"), std::string::npos) << c.url << ": " << message;

    Result<CallbackTarget> allowed = Check(c.url, /*allow_private=*/true);
    ASSERT_TRUE(allowed.ok()) << c.url << ": " << allowed.status().message();
    EXPECT_EQ(allowed->address.ToString(),
              c.url == std::string("http://mixed.example.com/") ? "93.184.216.34" : c.address)
        << c.url;
  }
  const Result<CallbackTarget> integer = Check("http://2130706433/");
  EXPECT_EQ(integer.status().message(),
            "\"callback_url\" resolves to 127.0.0.1, a loopback address, which this server does not call.");
}

TEST_F(CheckerTest, TheSystemResolverAndInetAtonAgree) {
  // No fake: the spellings inet_aton reads never reach the resolver, and
  // "localhost" is in every /etc/hosts.
  for (const char* url : {"http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://0/", "http://localhost/",
                          "http://localhost./", "http://127.0.0.1./", "http://[::ffff:127.0.0.1]/"}) {
    Result<CallbackTarget> checked = CheckCallbackUrl(url, false, SystemResolver());
    ASSERT_FALSE(checked.ok()) << url;
    EXPECT_NE(checked.status().message().find("which this server does not call"), std::string::npos)
        << url << ": " << checked.status().message();
  }
  Result<CallbackTarget> missing = CheckCallbackUrl("http://no-such-host.invalid/", false, SystemResolver());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no-such-host.invalid"), std::string::npos) << missing.status().message();
}

TEST_F(CheckerTest, MalformedUrlsAreRefused) {
  const std::string long_url = "https://hooks.example.com/" + std::string(2048, 'a');
  for (const std::string& url : std::vector<std::string>{"",
                                                         "hooks.example.com/x",
                                                         "//hooks.example.com/",
                                                         "ftp://hooks.example.com/",
                                                         "file:///etc/passwd",
                                                         "gopher://hooks.example.com:70/",
                                                         "javascript:alert(1)",
                                                         "http:hooks.example.com",
                                                         "http:///path",
                                                         "http://",
                                                         "http://user:secret@hooks.example.com/",
                                                         "http://user@hooks.example.com/",
                                                         "http://@hooks.example.com/",
                                                         "http://hooks.example.com:0/",
                                                         "http://hooks.example.com:00000/",
                                                         "http://hooks.example.com:65536/",
                                                         "http://hooks.example.com:99999999999/",
                                                         "http://hooks.example.com:-1/",
                                                         "http://hooks.example.com:x/",
                                                         "http://hooks example.com/",
                                                         "http://hooks.example.com/a b",
                                                         "http://%31%32%37.0.0.1/",
                                                         "http://hooks.example.com\\@127.0.0.1/",
                                                         "http://[v1.x]/",
                                                         "http://[::1/",
                                                         "http://[fe80::1%25eth0]/",
                                                         "http://hooks.example.com/\n",
                                                         " http://hooks.example.com/",
                                                         std::string("http://hooks.example.com/\0x", 28),
                                                         long_url}) {
    Result<CallbackTarget> checked = Check(url);
    EXPECT_FALSE(checked.ok()) << url;
    if (!checked.ok()) {
      EXPECT_EQ(checked.status().code(), StatusCode::kInvalidArgument) << url;
      EXPECT_EQ(checked.status().message().rfind("\"callback_url\"", 0), 0u) << checked.status().message();
    }
  }
  // A name that does not resolve is refused, with the name and the reason.
  Result<CallbackTarget> unknown = Check("https://nowhere.example.com/hook");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "\"callback_url\" names the host nowhere.example.com, which does not resolve (Name or service not known).");
}

TEST_F(CheckerTest, PublicUrlsAreAcceptedAndSplitForTheDelivery) {
  Result<CallbackTarget> a = Check("https://Hooks.Example.COM/cb/1?x=1&y=%20#fragment");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->scheme, "https");
  EXPECT_EQ(a->host, "hooks.example.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->target, "/cb/1?x=1&y=%20");
  EXPECT_EQ(a->address.ToString(), "93.184.216.34");
  EXPECT_EQ(a->HostHeader(), "hooks.example.com");
  EXPECT_EQ(a->HostKey(), "hooks.example.com:443");

  Result<CallbackTarget> b = Check("HTTP://hooks.example.com:8080");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->target, "/");
  EXPECT_EQ(b->HostHeader(), "hooks.example.com:8080");

  Result<CallbackTarget> c = Check("http://hooks.example.com?x");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->target, "/?x");

  Result<CallbackTarget> d = Check("http://[2606:4700:4700::1111]:8443/x");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->host_is_ipv6);
  EXPECT_EQ(d->HostHeader(), "[2606:4700:4700::1111]:8443");

  for (const char* url :
       {"http://8.8.8.8/", "http://134744072/", "http://[2002:808:808::1]/", "http://[64:ff9b::808:808]/",
        "http://hooks.example.com./", "https://hooks.example.com:65535/"}) {
    Result<CallbackTarget> ok = Check(url);
    EXPECT_TRUE(ok.ok()) << url << ": " << ok.status().message();
  }
}

// ------------------------------------------------- deliveries by the runner

// Webhooks received on loopback.
class Receiver {
 public:
  Receiver() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      hosts_.push_back(req.get_header_value("Host"));
      ++received;
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> hosts() {
    std::lock_guard lock(mutex_);
    return hosts_;
  }
  std::atomic<int> received{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> hosts_;
};

// A receiver that accepts connections and never answers.
class SilentReceiver {
 public:
  SilentReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        std::lock_guard lock(mutex_);
        if (closing_) {
          ::close(client);
          return;
        }
        clients_.push_back(client);
      }
    });
  }
  ~SilentReceiver() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      for (int c : clients_) ::close(c);
    }
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int connections() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(clients_.size());
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<int> clients_;
  bool closing_ = false;
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("docgen-ssrf-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = OpenSqliteStore((dir_ / "db.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    blobs_ = OpenDirectoryBlobStore(dir_ / "blobs");
    catalogs_ = std::make_unique<CatalogVersions>(*store_);
  }
  void TearDown() override {
    runner_.reset();
    fs::remove_all(dir_);
  }
  JobRunner& Runner(bool allow_private, int webhook_threads = 4) {
    RunnerOptions options;
    options.workers = 0;
    options.lease_ms = 60'000;
    options.poll_ms = 20;
    options.noop_jobs = true;
    options.webhook_retry = {60'000, 2.0, 60'000, 5};  // a failed attempt is not due again during a test
    options.webhook_secret = "secret";
    options.allow_private_callbacks = allow_private;
    options.webhook_threads = webhook_threads;
    options.resolve_host = dns_.Resolver();
    runner_ = std::make_unique<JobRunner>(*store_, *blobs_, *catalogs_, metrics_, log_, clock_, options);
    return *runner_;
  }
  // A finished job whose webhook is due (jobs finished later are claimed later).
  std::string Finished(const std::string& id, const std::string& callback) {
    Job job;
    job.id = id;
    job.request_hash = "hash-" + id;
    job.quote = {{"quote_id", id}};
    job.callback_url = callback;
    job.catalog_version = 1;
    job.max_attempts = 3;
    job.created_at = job.run_after = clock_.NowMs();
    EXPECT_TRUE(store_->CreateJob(job).ok());
    Result<bool> ran = runner_->RunOnce("w");
    EXPECT_TRUE(ran.ok() && *ran);
    clock_.Advance(1);
    return id;
  }
  std::vector<WebhookAttempt> Attempts(const std::string& id) { return *store_->WebhookAttempts(id); }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<CatalogVersions> catalogs_;
  Metrics metrics_;
  Log log_;
  FakeClock clock_;
  FakeDns dns_;
  std::unique_ptr<JobRunner> runner_;
};

TEST_F(DeliveryTest, TheDeliveryConnectsToTheCheckedAddressAndKeepsTheName) {
  Receiver receiver;
  // ".invalid" never resolves: only the checked address can reach the receiver.
  dns_.Set("hooks.pinned.invalid", {V4("127.0.0.1")});
  JobRunner& runner = Runner(/*allow_private=*/true);
  const std::string id =
      Finished("job_pinned", "http://hooks.pinned.invalid:" + std::to_string(receiver.port()) + "/hook");
  Result<bool> delivered = runner.DeliverOneWebhook();
  ASSERT_TRUE(delivered.ok() && *delivered);
  ASSERT_EQ(receiver.received, 1);
  EXPECT_EQ(receiver.hosts(), std::vector<std::string>{"hooks.pinned.invalid:" + std::to_string(receiver.port())});
  EXPECT_EQ(dns_.lookups(), 1);  // the check's lookup, and no other
  ASSERT_EQ(Attempts(id).size(), 1u);
  EXPECT_EQ(Attempts(id)[0].http_status, 204);
  EXPECT_EQ(store_->GetJob(id)->webhook_state, "delivered");
}

TEST_F(DeliveryTest, ANameThatNowResolvesToLoopbackIsNotCalled) {
  Receiver receiver;
  dns_.Set("hooks.rebind.example", {V4("93.184.216.34")});  // public when the job is accepted
  const std::string url = "http://hooks.rebind.example:" + std::to_string(receiver.port()) + "/hook";
  ASSERT_TRUE(CheckCallbackUrl(url, false, dns_.Resolver()).ok());
  JobRunner& runner = Runner(/*allow_private=*/false);
  const std::string id = Finished("job_rebind", url);
  dns_.Set("hooks.rebind.example", {V4("127.0.0.1")});  // loopback when it is delivered
  Result<bool> delivered = runner.DeliverOneWebhook();
  ASSERT_TRUE(delivered.ok() && *delivered);
  EXPECT_EQ(receiver.received, 0);
  const auto attempts = Attempts(id);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_NE(attempts[0].error.find("resolves to 127.0.0.1, a loopback address"), std::string::npos)
      << attempts[0].error;
}

TEST_F(DeliveryTest, ALiteralLoopbackCallbackIsNotCalledEvenIfStored) {
  Receiver receiver;
  JobRunner& runner = Runner(/*allow_private=*/false);
  const std::string id = Finished("job_literal", "http://2130706433:" + std::to_string(receiver.port()) + "/hook");
  ASSERT_TRUE(*runner.DeliverOneWebhook());
  EXPECT_EQ(receiver.received, 0);
  ASSERT_EQ(Attempts(id).size(), 1u);
  EXPECT_NE(Attempts(id)[0].error.find("a loopback address"), std::string::npos);
}

TEST_F(DeliveryTest, SilentReceiversDoNotHoldUpAHealthyOne) {
  SilentReceiver silent;
  Receiver healthy;
  Runner(/*allow_private=*/true);
  // Four deliveries to a receiver that never answers are due first.
  for (int i = 0; i < 4; ++i)
    Finished("job_silent_" + std::to_string(i), "http://127.0.0.1:" + std::to_string(silent.port()) + "/hook");
  const std::string id = Finished("job_healthy", "http://localhost:" + std::to_string(healthy.port()) + "/hook");
  dns_.Set("localhost", {V4("127.0.0.1")});
  const auto started = std::chrono::steady_clock::now();
  runner_->Start();
  // One thread would reach it after 4 x 5 s of read timeouts; with several
  // threads and at most 2 deliveries per host it goes at once. The bound is
  // below one read timeout, not a tight timing.
  while (healthy.received == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(4)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(healthy.received, 1);
  EXPECT_LE(silent.connections(), 2) << "at most 2 deliveries in flight to one host";
  runner_->Stop();
  EXPECT_EQ(store_->GetJob(id)->webhook_state, "delivered");
}

TEST_F(DeliveryTest, OneWebhookThreadStillDeliversEverything) {
  Receiver receiver;
  Runner(/*allow_private=*/true, /*webhook_threads=*/1);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        Finished("job_" + std::to_string(i), "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook"));
  runner_->Start();
  const auto started = std::chrono::steady_clock::now();
  while (receiver.received < 5 && std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  runner_->Stop();
  EXPECT_EQ(receiver.received, 5);
  for (const auto& id : ids) EXPECT_EQ(store_->GetJob(id)->webhook_state, "delivered") << id;
}

// ------------------------------------------------------------- the API

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = fs::temp_directory_path() / ("docgen-ssrf-api-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(data_);
    fs::create_directories(data_);
    ServiceOptions options;
    options.port = 0;
    options.data_dir = data_.string();
    options.catalog_dir = (kExamples / "acme-cyber").string();
    options.runner.workers = 1;
    options.runner.poll_ms = 10;
    options.runner.webhook_retry = {60'000, 2.0, 60'000, 5};
    options.runner.webhook_secret = "secret";
    options.runner.allow_private_callbacks = false;
    options.runner.resolve_host = dns_.Resolver();
    std::string error;
    for (Role role : {Role::kViewer, Role::kAdmin}) {
      tokens_[role] =
          *CreateToken((data_ / "tokens.json").string(), role, std::string("test-") + ToString(role), &error);
    }
    service_ = std::make_unique<Service>(options);
    Status status = service_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    thread_ = std::thread([this] { service_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", service_->port());
    client_->set_read_timeout(30, 0);
  }
  void TearDown() override {
    if (service_) {
      service_->Shutdown();
      thread_.join();
      service_.reset();
    }
    fs::remove_all(data_);
  }
  nlohmann::json As(Role role, const std::string& path) {
    auto r = client_->Get(path, {{"Authorization", "Bearer " + tokens_[role]}});
    return r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json();
  }
  httplib::Result Submit(const std::string& callback) {
    nlohmann::json body = {
        {"quote", nlohmann::json::parse(testing::ReadFile(kExamples / "quotes" / "tech-eo-new.json"))},
        {"callback_url", callback}};
    return client_->Post("/v1/jobs", {{"Authorization", "Bearer " + tokens_[Role::kAdmin]}}, body.dump(),
                         "application/json");
  }

  fs::path data_;
  FakeDns dns_;
  std::unique_ptr<Service> service_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::map<Role, std::string> tokens_;
};

TEST_F(ApiTest, LoopbackCallbacksAreRefusedWhenTheJobIsAccepted) {
  dns_.Set("internal.example.com", {V4("192.168.1.10")});
  struct Case {
    const char* url;
    const char* message;
  };
  for (const Case& c :
       {Case{"http://2130706433/hook",
             "\"callback_url\" resolves to 127.0.0.1, a loopback address, which this server does not call."},
        Case{"http://0x7f.1/", "resolves to 127.0.0.1"},
        Case{"http://[::ffff:127.0.0.1]/", "an IPv4-mapped IPv6 address"},
        Case{"http://internal.example.com/", "resolves to 192.168.1.10, a private address"},
        Case{"http://nowhere.example.com/", "names the host nowhere.example.com, which does not resolve"},
        Case{"http://user:pw@internal.example.com/", "user name or password"}}) {
    auto response = Submit(c.url);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << c.url;
    const auto error = nlohmann::json::parse(response->body, nullptr, false);
    EXPECT_EQ(error["error"]["code"], "invalid_request") << response->body;
    EXPECT_NE(error["error"]["message"].get<std::string>().find(c.message), std::string::npos)
        << c.url << ": " << response->body;
  }
}

TEST_F(ApiTest, ViewersSeeTheOutcomeOfAttemptsButNotWhyTheyFailed) {
  dns_.Set("hooks.example.com", {V4("93.184.216.34")});
  auto accepted = Submit("http://hooks.example.com/hook");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 202) << accepted->body;
  const std::string id = nlohmann::json::parse(accepted->body)["id"];
  dns_.Set("hooks.example.com", {V4("10.0.0.7")});  // rebinding: the delivery is refused and recorded
  nlohmann::json admin;
  for (int i = 0; i < 1000; ++i) {
    admin = As(Role::kAdmin, "/v1/jobs/" + id + "/webhooks");
    if (admin["attempts"].is_array() && !admin["attempts"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(admin["attempts"].size(), 1u) << admin.dump();
  EXPECT_EQ(admin["attempts"][0]["outcome"], "failed");
  EXPECT_EQ(admin["attempts"][0]["http_status"], 0);
  EXPECT_NE(admin["attempts"][0]["error"].get<std::string>().find("resolves to 10.0.0.7, a private address"),
            std::string::npos);

  const nlohmann::json viewer = As(Role::kViewer, "/v1/jobs/" + id + "/webhooks");
  ASSERT_EQ(viewer["attempts"].size(), 1u) << viewer.dump();
  EXPECT_EQ(viewer["attempts"][0]["attempt"], 1);
  EXPECT_EQ(viewer["attempts"][0]["outcome"], "failed");
  EXPECT_TRUE(viewer["attempts"][0].contains("at"));
  EXPECT_FALSE(viewer["attempts"][0].contains("http_status")) << viewer.dump();
  EXPECT_FALSE(viewer["attempts"][0].contains("error")) << viewer.dump();
}

}  // namespace
}  // namespace docgen
