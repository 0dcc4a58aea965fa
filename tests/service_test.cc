// The HTTP API over real loopback HTTP: every route, every error status,
// idempotency, cancel and retry, retries of transient failures, signed
// webhooks to a receiver that fails on purpose, and hostile requests.
#include <httplib.h>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/files.h"

#include "jobs/catalog_files_json.h"
#include "jobs/webhook.h"
#include "util/text.h"
#include "server/service.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;
const fs::path kExamples = fs::path(DOCGEN_SOURCE_DIR) / "examples";

using testing::ReadFile;
using testing::Lines;

// A webhook receiver that checks signatures and answers 500 to the first
// `failures` deliveries.
class Receiver {
 public:
  explicit Receiver(std::string secret, int failures) : secret_(std::move(secret)), failures_(failures) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = req.get_header_value("webhook-id");
      const std::string timestamp = req.get_header_value("webhook-timestamp");
      const std::string signature = req.get_header_value("webhook-signature");
      const bool valid = !timestamp.empty() && signature == SignWebhook(secret_, id, std::stoll(timestamp), req.body);
      if (!valid) ++bad_signatures;
      if (received++ < failures_) {
        res.status = 500;
        return;
      }
      last_body = req.body;
      last_traceparent = req.get_header_value("traceparent");
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  std::atomic<int> received{0};
  std::atomic<int> bad_signatures{0};
  std::string last_body;
  std::string last_traceparent;

 private:
  std::string secret_;
  int failures_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Every test runs on the embedded default (SQLite, blobs in a folder) and on
// PostgreSQL with blobs in the database or in a folder, when
// DOCGEN_TEST_POSTGRES names a server (ctest runs this through
// tests/with_postgres.sh).
class ServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* postgres = std::getenv("DOCGEN_TEST_POSTGRES");
    const bool shared = GetParam() != "sqlite";
    if (shared) {
      if (postgres == nullptr) GTEST_SKIP() << "DOCGEN_TEST_POSTGRES is not set: run through tests/with_postgres.sh";
      pqxx::connection c(postgres);  // every test starts from an empty database
      pqxx::nontransaction(c).exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    }
    data_ = fs::temp_directory_path() / ("docgen-service-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(data_);
    ServiceOptions options;
    options.port = 0;
    options.data_dir = data_.string();
    if (shared) {
      options.database = postgres;
      options.blob_store = GetParam() == "postgres" ? "database" : "directory";  // postgres_blob_folder
    }
    options.catalog_dir = (kExamples / "acme-cyber").string();
    options.max_body_bytes = 256 * 1024;
    options.runner.workers = 2;
    options.runner.poll_ms = 10;
    options.runner.lease_ms = 2000;
    options.runner.retry = {20, 2.0, 200, 3};
    options.runner.webhook_retry = {20, 2.0, 200, 5};
    options.runner.webhook_secret = "test-secret";
    options.runner.allow_private_callbacks = true;  // the test receiver listens on loopback
    options.runner.before_store = [this](const Job& job) { return !(fail_first_attempt_ && job.attempts == 1); };
    fs::create_directories(data_);
    std::string error;
    for (Role role : {Role::kViewer, Role::kGenerator, Role::kAdmin}) {
      tokens_[role] = *CreateToken((data_ / "tokens.json").string(), role, std::string("test-") + ToString(role), &error);
    }
    service_ = std::make_unique<Service>(options);
    Status status = service_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    thread_ = std::thread([this] { service_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", service_->port());
    client_->set_read_timeout(30, 0);
    client_->set_bearer_token_auth(tokens_[Role::kAdmin]);
  }
  void TearDown() override {
    if (!service_) return;  // skipped (no PostgreSQL) before a service was started
    service_->Shutdown();
    thread_.join();
    service_.reset();
    fs::remove_all(data_);
  }

  nlohmann::json Json(const httplib::Result& r) { return r ? nlohmann::json::parse(r->body, nullptr, false) : nlohmann::json(); }
  httplib::Result PostJson(const std::string& path, const std::string& body, const httplib::Headers& headers = {}) {
    return client_->Post(path, headers, body, "application/json");
  }
  std::string JobBody(const std::string& quote_file, const std::string& callback = "") {
    nlohmann::json body = {{"quote", nlohmann::json::parse(ReadFile(kExamples / "quotes" / quote_file))}};
    if (!callback.empty()) body["callback_url"] = callback;
    return body.dump();
  }
  // Polls until the job leaves queued/running (bounded).
  nlohmann::json WaitForJob(const std::string& id) {
    nlohmann::json job;
    for (int i = 0; i < 500; ++i) {
      job = Json(client_->Get("/v1/jobs/" + id));
      if (job["status"] != "queued" && job["status"] != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return job;
  }

  fs::path data_;
  std::unique_ptr<Service> service_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  bool fail_first_attempt_ = false;
  std::map<Role, std::string> tokens_;
};

TEST_P(ServiceTest, HealthReadinessMetricsAndOpenApi) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  auto ready = client_->Get("/readyz");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(Json(ready)["checks"]["catalog"], "version 1");
  auto openapi = Json(client_->Get("/openapi.json"));
  EXPECT_EQ(openapi["openapi"], "3.0.3");
  EXPECT_TRUE(openapi["paths"].contains("/v1/jobs"));
  client_->Get("/healthz");
  const std::string metrics = client_->Get("/metrics")->body;
  for (const char* family : {"docgen_http_requests_total", "docgen_http_request_duration_seconds_bucket", "docgen_jobs{",
                             "docgen_queue_depth"}) {
    EXPECT_NE(metrics.find(family), std::string::npos) << family;
  }
}

TEST_P(ServiceTest, SlosCountThisProcesssEventsWithoutPrometheus) {
  ASSERT_EQ(PostJson("/v1/packages:resolve", ReadFile(kExamples / "quotes" / "new-ca-basic.json"))->status, 200);
  ASSERT_EQ(PostJson("/v1/packages:resolve", "{not json")->status, 400);
  httplib::Client viewer("127.0.0.1", service_->port());
  viewer.set_bearer_token_auth(tokens_[Role::kViewer]);
  auto answer = viewer.Get("/v1/slos");
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto body = Json(answer);
  std::map<std::string, nlohmann::json> slos;
  for (const auto& slo : body["slos"]) slos[slo["name"]] = slo;
  ASSERT_EQ(slos.size(), 4u) << body.dump();
  const auto& resolve = slos["resolve-fast"];
  EXPECT_EQ(resolve["total"], 2);  // both resolves, the refused one too (it was answered, fast)
  EXPECT_EQ(resolve["indicator"]["good"],
            "docgen_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/packages:resolve\",le=\"0.1\"}");
  EXPECT_FALSE(resolve["burn_rates"]["5m"].is_null());
  const auto& api = slos["api-available"];
  EXPECT_GE(api["total"].get<int>(), 2);
  EXPECT_EQ(api["good"], api["total"]);  // no 5xx
  EXPECT_EQ(api["error_budget_left"], 1.0);
  EXPECT_TRUE(slos["jobs-succeed"]["compliance"].is_null());  // no job finished yet
  EXPECT_FALSE(resolve.contains("history"));  // asked for only
  EXPECT_EQ(httplib::Client("127.0.0.1", service_->port()).Get("/v1/slos")->status, 401);

  // The on-call page's charts: every SLO's events per step over the span, a point per step.
  answer = viewer.Get("/v1/slos?history=6h");
  ASSERT_EQ(answer->status, 200) << answer->body;
  const auto history = Json(answer)["slos"][1]["history"];
  EXPECT_EQ(history["span"], "6h");
  EXPECT_EQ(history["step_minutes"], 5);
  ASSERT_EQ(history["points"].size(), 72u);
  int64_t total = 0;
  for (const auto& point : history["points"]) total += point["total"].get<int64_t>();
  EXPECT_EQ(total, 2);  // the two resolves, in the last step (or the one before, across a step's edge)
  EXPECT_LT(history["points"][0]["at"].get<std::string>(), history["points"][71]["at"].get<std::string>());
  answer = viewer.Get("/v1/slos?history=1y");
  EXPECT_EQ(answer->status, 400);
  EXPECT_NE(answer->body.find("history must be 6h, 24h, 7d or 28d"), std::string::npos) << answer->body;
}

TEST_P(ServiceTest, ResolveAndRenderSynchronously) {
  auto ok = PostJson("/v1/packages:resolve", ReadFile(kExamples / "quotes" / "new-ca-basic.json"));
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(Json(ok)["documents"].size(), 5u);
  auto invalid = PostJson("/v1/packages:resolve", ReadFile(kExamples / "quotes" / "errors-collected.json"));
  EXPECT_EQ(invalid->status, 422);
  EXPECT_EQ(Json(invalid)["errors"].size(), 5u);
  auto pdf = PostJson("/v1/packages:render", ReadFile(kExamples / "quotes" / "renewal-copy.json"));
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->body.rfind("%PDF-", 0), 0u);
  auto not_rendered = PostJson("/v1/packages:render", ReadFile(kExamples / "quotes" / "unknown-codes.json"));
  EXPECT_EQ(not_rendered->status, 422);
  EXPECT_EQ(Json(not_rendered)["error"]["details"][0]["code"], "unknown_jurisdiction");
}

TEST_P(ServiceTest, AJobRunsToItsResultsWhichCanBeDownloaded) {
  auto created = PostJson("/v1/jobs", JobBody("renewal-copy.json"));
  ASSERT_EQ(created->status, 202);
  const std::string id = Json(created)["id"];
  EXPECT_EQ(created->get_header_value("Location"), "/v1/jobs/" + id);
  nlohmann::json job = WaitForJob(id);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["catalog_version"], 1);
  EXPECT_EQ(job["result"]["documents"].size(), 7u);
  auto pdf = client_->Get("/v1/jobs/" + id + "/package.pdf");
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(Json(client_->Get("/v1/jobs/" + id + "/package.json"))["quote_id"], "Q-2001");
  EXPECT_EQ(client_->Get("/v1/jobs/" + id + "/documents/01-CY-DEC.pdf")->status, 200);
  EXPECT_EQ(client_->Get("/v1/jobs/" + id + "/documents/99-NOPE.pdf")->status, 404);
  EXPECT_EQ(client_->Post("/v1/jobs/" + id + ":cancel")->status, 409);
  EXPECT_EQ(client_->Post("/v1/jobs/" + id + ":retry")->status, 409);
  auto listed = Json(client_->Get("/v1/jobs?status=succeeded"));
  EXPECT_EQ(listed["jobs"][0]["id"], id);
  EXPECT_EQ(client_->Get("/v1/jobs?status=bogus")->status, 400);
}

TEST_P(ServiceTest, IdempotentResubmissionReturnsTheSameJob) {
  const httplib::Headers key = {{"Idempotency-Key", "order-42"}};
  auto first = PostJson("/v1/jobs", JobBody("new-ca-basic.json"), key);
  auto second = PostJson("/v1/jobs", JobBody("new-ca-basic.json"), key);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(second->status, 202);  // a replay answers as the original did
  EXPECT_EQ(second->get_header_value("Idempotent-Replayed"), "true");
  EXPECT_EQ(Json(first)["id"], Json(second)["id"]);
  EXPECT_EQ(Json(first)["idempotency_key"], "order-42");
  // Keys belong to their caller: the same key from another client is a new job.
  httplib::Client other("127.0.0.1", service_->port());
  other.set_bearer_token_auth(tokens_[Role::kGenerator]);
  auto theirs = other.Post("/v1/jobs", key, JobBody("tech-eo-new.json"), "application/json");
  EXPECT_EQ(theirs->status, 202);
  EXPECT_NE(Json(theirs)["id"], Json(first)["id"]);
  auto conflict = PostJson("/v1/jobs", JobBody("tech-eo-new.json"), key);
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(Json(client_->Get("/v1/jobs"))["jobs"].size(), 2u);
}

TEST_P(ServiceTest, InvalidInputFailsAtOnceAndCanBeRetriedByHand) {
  const std::string id = Json(PostJson("/v1/jobs", JobBody("errors-collected.json")))["id"];
  nlohmann::json job = WaitForJob(id);
  EXPECT_EQ(job["status"], "failed");
  EXPECT_EQ(job["attempts"], 1);  // no automatic retries for invalid input
  EXPECT_EQ(job["errors"].size(), 5u);
  EXPECT_EQ(client_->Get("/v1/jobs/" + id + "/package.pdf")->status, 409);
  auto retried = client_->Post("/v1/jobs/" + id + ":retry");
  EXPECT_EQ(retried->status, 202);
  EXPECT_EQ(WaitForJob(id)["status"], "failed");
}

TEST_P(ServiceTest, TransientFailuresAreRetriedWithBackoff) {
  fail_first_attempt_ = true;
  const std::string id = Json(PostJson("/v1/jobs", JobBody("new-ca-basic.json")))["id"];
  nlohmann::json job = WaitForJob(id);
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["attempts"], 2);
}

TEST_P(ServiceTest, CancelAQueuedJob) {
  // Many jobs ahead keep this one queued long enough to cancel it.
  for (int i = 0; i < 20; ++i) PostJson("/v1/jobs", JobBody("renewal-copy.json"));
  const std::string id = Json(PostJson("/v1/jobs", JobBody("renewal-copy.json")))["id"];
  auto canceled = client_->Post("/v1/jobs/" + id + ":cancel");
  if (canceled->status == 200) {
    EXPECT_EQ(Json(canceled)["status"], "canceled");
    EXPECT_EQ(WaitForJob(id)["status"], "canceled");
  } else {
    EXPECT_EQ(canceled->status, 409);  // it finished first; then it cannot be canceled
  }
}

TEST_P(ServiceTest, WebhooksAreSignedRetriedAndRecorded) {
  Receiver receiver("test-secret", 2);
  const std::string id = Json(PostJson("/v1/jobs", JobBody("tech-eo-new.json", receiver.url())))["id"];
  ASSERT_EQ(WaitForJob(id)["status"], "succeeded");
  nlohmann::json hooks;
  for (int i = 0; i < 500; ++i) {
    hooks = Json(client_->Get("/v1/jobs/" + id + "/webhooks"));
    if (hooks["state"] == "delivered") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(hooks["state"], "delivered") << hooks.dump();
  ASSERT_EQ(hooks["attempts"].size(), 3u);
  EXPECT_EQ(hooks["attempts"][0]["http_status"], 500);
  EXPECT_EQ(hooks["attempts"][2]["http_status"], 204);
  EXPECT_EQ(receiver.bad_signatures, 0);
  auto event = nlohmann::json::parse(receiver.last_body);
  EXPECT_EQ(event["type"], "job.succeeded");
  EXPECT_EQ(event["data"]["id"], id);
}

// W3C Trace Context: the job joins the caller's trace, and its webhook
// delivery continues it (same trace id, a span of its own).
TEST_P(ServiceTest, ATraceparentSentWithAJobComesBackOnItsWebhook) {
  Receiver receiver("test-secret", 0);
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto created = PostJson("/v1/jobs", JobBody("tech-eo-new.json", receiver.url()), {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
  ASSERT_EQ(created->status, 202);
  EXPECT_EQ(Json(created)["trace_id"], trace);
  const std::string id = Json(created)["id"];
  EXPECT_EQ(WaitForJob(id)["trace_id"], trace);
  for (int i = 0; i < 500 && receiver.received == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(receiver.received, 1);
  const std::string& header = receiver.last_traceparent;
  ASSERT_EQ(header.size(), 55u) << header;
  EXPECT_EQ(header.substr(0, 36), "00-" + trace + "-");
  EXPECT_NE(header.substr(36, 16), "00f067aa0ba902b7") << "the delivery is a span of its own";

  // A malformed traceparent (upper case) is no traceparent: the job starts a trace of its own.
  auto other = Json(PostJson("/v1/jobs", JobBody("tech-eo-new.json"), {{"traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}}));
  ASSERT_TRUE(other["trace_id"].is_string());
  EXPECT_EQ(other["trace_id"].get<std::string>().size(), 32u);
  EXPECT_NE(other["trace_id"], trace);
}

TEST_P(ServiceTest, HostileRequestsGetCleanErrorsAndTheServerKeepsServing) {
  EXPECT_EQ(PostJson("/v1/jobs", "{\"quote\": ")->status, 400);
  EXPECT_EQ(PostJson("/v1/jobs", std::string(300 * 1024, '[')) ->status, 413);
  EXPECT_EQ(PostJson("/v1/jobs", std::string(100, '[') + std::string(100, ']'))->status, 400);
  EXPECT_EQ(PostJson("/v1/jobs", "{\"quote\": 7}")->status, 400);
  EXPECT_EQ(PostJson("/v1/jobs", "{\"quote\": {}, \"priority\": 1}")->status, 400);
  EXPECT_EQ(PostJson("/v1/jobs", "{\"quote\": {}, \"callback_url\": \"file:///etc/passwd\"}")->status, 400);
  EXPECT_EQ(PostJson("/v1/jobs", "{\"quote\": {\"x\": [\"\\\"\", " + std::string(5000, '[') + std::string(5000, ']') + "]}}")->status,
            400);  // an escaped quote does not hide nesting
  auto numeric_id = PostJson("/v1/jobs", "{\"quote\": {\"quote_id\": 123}}");
  EXPECT_EQ(numeric_id->status, 202);  // accepted, then failed as invalid input
  EXPECT_EQ(WaitForJob(Json(numeric_id)["id"])["status"], "failed");
  EXPECT_EQ(client_->Get("/v1/catalog/versions/0")->status, 404);
  EXPECT_EQ(client_->Post("/v1/jobs", "{}", "text/plain")->status, 415);
  EXPECT_EQ(client_->Get("/v1/jobs/..%2F..%2Fetc%2Fpasswd")->status, 404);
  EXPECT_EQ(client_->Get("/v1/jobs/job_000000000000000000000000")->status, 404);
  EXPECT_EQ(client_->Get("/v1/jobs/job_0/../../etc/passwd")->status, 404);
  EXPECT_EQ(client_->Get("/v1/nothing-here")->status, 404);
  EXPECT_EQ(client_->Get("/v1/jobs?limit=abc")->status, 400);
  auto error = Json(client_->Get("/v1/nothing-here"));
  EXPECT_EQ(error["error"]["code"], "not_found");
  EXPECT_FALSE(error["error"]["request_id"].get<std::string>().empty());
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

// HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding has
// an empty body. It is answered at once, not after the server's 10 s read
// timeout (a client waiting 5 s for the answer proves it).
TEST_P(ServiceTest, APostWithoutABodyIsAnsweredAtOnce) {
  const std::string job = Json(PostJson("/v1/jobs", JobBody("tech-eo-new.json")))["id"];
  WaitForJob(job);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(service_->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  timeval five_seconds{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  const std::string request = "POST /v1/jobs/" + job + ":cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                              "Authorization: Bearer " + tokens_[Role::kAdmin] + "\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  ASSERT_FALSE(answer.empty()) << "no answer within 5 s";
  EXPECT_EQ(answer.rfind("HTTP/1.1 409", 0), 0u) << answer;  // the job succeeded: it cannot be canceled
  EXPECT_NE(answer.find("\"conflict\""), std::string::npos) << answer;
}

TEST_P(ServiceTest, AKnownPathWithAnotherMethodIs405WithAllow) {
  auto response = client_->Delete("/v1/jobs");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->get_header_value("Allow"), "POST, GET");
  EXPECT_EQ(Json(response)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(client_->Get("/v1/jobs/job_000000000000000000000000:cancel")->status, 405);
}

TEST_P(ServiceTest, EveryErrorCarriesTheRequestIdTheCallerSent) {
  auto response = client_->Get("/v1/jobs/job_000000000000000000000000", {{"X-Request-Id", "trace-abc.1"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->get_header_value("X-Request-Id"), "trace-abc.1");
  EXPECT_EQ(Json(response)["error"]["request_id"], "trace-abc.1");
}

TEST_P(ServiceTest, CatalogRoutes) {
  auto catalog = Json(client_->Get("/v1/catalog"));
  EXPECT_EQ(catalog["version"], 1);
  EXPECT_EQ(catalog["name"], "Acme Cyber");
  EXPECT_EQ(catalog["jurisdictions"], nlohmann::json({"CA", "NY", "TX", "FL", "WA"})) << "the declared codes, used or not";
  EXPECT_EQ(catalog["coverages"][1], nlohmann::json({{"code", "ransomware"}, {"label", "Ransomware and Cyber Extortion"}}));
  EXPECT_EQ(catalog["rules"], 3);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents"))["documents"].size(), 11u);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-FORM-100"))["documents"].size(), 2u);
  EXPECT_EQ(client_->Get("/v1/catalog/documents/NOPE")->status, 404);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/versions"))["versions"].size(), 1u);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/versions/1"))["version"], 1);
  EXPECT_EQ(client_->Get("/v1/catalog/versions/9")->status, 404);
}

TEST_P(ServiceTest, DraftsAreLintedAndPublishedAsANewVersion) {
  // A misspelt field: the draft is kept, lint says why, publishing is refused.
  auto put = client_->Put("/v1/catalog/drafts/documents/CY-END-150",
                          R"({"title": "Program Enhancement Endorsement", "kind": "endorsement", "edition": "2025-01",
                              "order": 150, "attach": {"new": "yes"}, "template": "templates/CY-END-150.md", "deleteable": true})",
                          "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(Json(put)["lint"]["valid"], false);
  auto lint = Json(client_->Get("/v1/catalog/drafts:lint"));
  EXPECT_EQ(lint["findings"][0]["code"], "unknown_field");
  auto refused = PostJson("/v1/catalog/versions", "{}");
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(Json(refused)["error"]["code"], "lint_failed");
  // Fixed, it publishes as version 2 and new jobs use it.
  put = client_->Put("/v1/catalog/drafts/documents/CY-END-150",
                     R"({"title": "Program Enhancement Endorsement", "kind": "endorsement", "edition": "2025-01",
                         "order": 150, "attach": {"new": "yes"}, "template": "templates/CY-END-150.md"})",
                     "application/json");
  EXPECT_EQ(Json(put)["lint"]["valid"], true);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/drafts/documents/CY-END-150"))["editions"][0]["edition"], "2025-01");
  auto published = PostJson("/v1/catalog/versions", "{}");
  ASSERT_EQ(published->status, 201) << published->body;
  EXPECT_EQ(Json(published)["version"], 2);
  EXPECT_EQ(client_->Get("/v1/catalog/drafts/documents/CY-END-150")->status, 404);  // drafts are cleared
  auto resolved = Json(PostJson("/v1/packages:resolve", ReadFile(kExamples / "quotes" / "new-ca-basic.json")));
  EXPECT_EQ(resolved["catalog"]["version"], 2);
  bool found = false;
  for (const auto& d : resolved["documents"]) found |= d["id"] == "CY-END-150" && d["edition"] == "2025-01";
  EXPECT_TRUE(found) << resolved["documents"].dump();
  EXPECT_EQ(client_->Delete("/v1/catalog/drafts/documents/CY-END-150")->status, 404);
}

// A catalog published whole names the file it cannot read, with a JSON
// Pointer, instead of publishing the catalog without it.
TEST_P(ServiceTest, AWholeCatalogWithAFileThatCannotBeReadIsRefusedNamingIt) {
  for (const auto& [file, pointer] : std::vector<std::pair<std::string, std::string>>{
           {R"({"base64": "Zh=="})", "/files/images~1logo.png/base64"},  // bits past the last byte
           {R"({"base64": "Zm9v\n"})", "/files/images~1logo.png/base64"},
           {R"(42)", "/files/images~1logo.png"}}) {
    auto refused = PostJson("/v1/catalog/versions",
                            R"({"files": {"catalog.yaml": "name: x\n", "images/logo.png": )" + file + "}}");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << file;
    EXPECT_TRUE(Json(refused)["error"]["message"].get<std::string>().starts_with(pointer + ": ")) << refused->body;
  }
  EXPECT_EQ(Json(client_->Get("/v1/catalog/versions"))["versions"].size(), 1u) << "nothing was published";
}

// Any published version can be read back: its documents, which files
// changed (by digest) and each file's text, so a client can diff two versions.
TEST_P(ServiceTest, EveryPublishedVersionKeepsItsDocumentsAndFiles) {
  auto put = client_->Put("/v1/catalog/drafts/documents/CY-END-150",
                          R"({"title": "Program Enhancement Endorsement", "kind": "endorsement", "edition": "2025-01",
                              "order": 150, "attach": {"new": "yes"}, "template": "templates/CY-END-150.md"})",
                          "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  ASSERT_EQ(PostJson("/v1/catalog/versions", "{}")->status, 201);

  auto edition_of = [](const nlohmann::json& list, const std::string& id) {
    for (const auto& d : list["documents"]) {
      if (d["id"] == id) return d["edition"].get<std::string>();
    }
    return std::string("none");
  };
  auto v1 = Json(client_->Get("/v1/catalog/documents?version=1"));
  auto v2 = Json(client_->Get("/v1/catalog/documents?version=2"));
  EXPECT_EQ(v1["version"], 1);
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v1["documents"].size(), 11u);
  EXPECT_EQ(edition_of(v1, "CY-END-150"), "2024-06");
  EXPECT_EQ(edition_of(v2, "CY-END-150"), "2025-01");
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents"))["documents"], v2["documents"]) << "the current version is 2";
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-END-150?version=1"))["documents"][0]["edition"], "2024-06");
  EXPECT_EQ(client_->Get("/v1/catalog/documents/NOPE?version=1")->status, 404);
  EXPECT_EQ(client_->Get("/v1/catalog/documents?version=9")->status, 404);
  EXPECT_EQ(client_->Get("/v1/catalog/documents?version=two")->status, 400);
  EXPECT_EQ(client_->Get("/v1/catalog/documents?version=1&source=drafts")->status, 400);

  auto d1 = Json(client_->Get("/v1/catalog/versions/1"));
  auto d2 = Json(client_->Get("/v1/catalog/versions/2"));
  ASSERT_EQ(d1["file_digests"].size(), d1["files"].size());
  const std::string decl = "documents/CY-DEC.yaml", drafted = "documents/CY-END-150.yaml";
  EXPECT_EQ(d1["file_digests"][decl], d2["file_digests"][decl]) << "an unchanged file keeps its digest";
  EXPECT_NE(d1["file_digests"][drafted], d2["file_digests"][drafted]) << "the drafted document changed";

  auto text = client_->Get("/v1/catalog/versions/1/files/" + drafted);
  ASSERT_EQ(text->status, 200);
  EXPECT_EQ(text->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(text->body, ReadFile(kExamples / "acme-cyber" / drafted));
  EXPECT_EQ(Sha256Hex(text->body), d1["file_digests"][drafted]);
  EXPECT_NE(client_->Get("/v1/catalog/versions/2/files/" + drafted)->body.find("2025-01"), std::string::npos);
  EXPECT_EQ(client_->Get("/v1/catalog/versions/1/files/documents/NOPE.yaml")->status, 404);
  EXPECT_EQ(client_->Get("/v1/catalog/versions/1/files/../../etc/passwd")->status, 404);
  EXPECT_EQ(client_->Get("/v1/catalog/versions/7/files/" + decl)->status, 404);
  EXPECT_EQ(client_->Put("/v1/catalog/drafts/documents/CY-DEC", R"({"id": "OTHER"})", "application/json")->status, 400);
}

// Each change made through the API is one audit entry naming the token's
// subject and role and the request's id; the log is filtered, paged and its
// chain verified through the API.
TEST_P(ServiceTest, ChangesThroughTheApiAreAuditedWithTheCallerAndTheRequest) {
  const std::string draft = R"({"title": "Program Enhancement Endorsement", "kind": "endorsement", "edition": "2025-01",
                                "order": 150, "attach": {"new": "yes"}, "template": "templates/CY-END-150.md"})";
  auto put = client_->Put("/v1/catalog/drafts/documents/CY-END-150", draft, "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  ASSERT_EQ(client_->Put("/v1/catalog/drafts/templates/templates/CY-END-150.md", R"({"text": "# Edited\n"})", "application/json")->status, 200);
  ASSERT_EQ(PostJson("/v1/catalog/versions", "{}")->status, 201);
  auto job = Json(PostJson("/v1/jobs", JobBody("new-ca-basic.json")));
  WaitForJob(job["id"]);
  auto retried = PostJson("/v1/jobs/" + job["id"].get<std::string>() + ":retry", "{}");  // succeeded: refused, not audited
  EXPECT_EQ(retried->status, 409);

  auto log = Json(client_->Get("/v1/audit"));
  ASSERT_TRUE(log["entries"].is_array()) << log.dump();
  std::vector<std::string> actions;
  for (const auto& e : log["entries"]) actions.push_back(e["action"].get<std::string>() + " " + e["target"].get<std::string>());
  EXPECT_EQ(actions, (std::vector<std::string>{"catalog.publish catalog_version:2", "template_draft.save template:templates/CY-END-150.md",
                                               "draft.save document:CY-END-150", "catalog.publish catalog_version:1"}))
      << "newest first; the first version was published by docgen serve --catalog";
  const auto& saved = log["entries"][2];
  EXPECT_EQ(saved["actor"], "test-admin");
  EXPECT_EQ(saved["role"], "admin");
  EXPECT_EQ(saved["request_id"], put->get_header_value("X-Request-Id"));
  EXPECT_EQ(saved["seq"], 2);
  EXPECT_TRUE(saved["at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(log["entries"][3]["role"], "cli");

  EXPECT_EQ(Json(client_->Get("/v1/audit?action=catalog.publish"))["entries"].size(), 2u);
  EXPECT_EQ(Json(client_->Get("/v1/audit?actor=test-admin"))["entries"].size(), 3u);
  EXPECT_EQ(Json(client_->Get("/v1/audit?target=document:CY-END-150"))["entries"].size(), 1u);
  EXPECT_EQ(Json(client_->Get("/v1/audit?since=2999-01-01"))["entries"].size(), 0u);
  auto page = Json(client_->Get("/v1/audit?limit=3"));
  ASSERT_EQ(page["entries"].size(), 3u);
  ASSERT_EQ(page["next_before"], 2);
  auto rest = Json(client_->Get("/v1/audit?limit=3&before=2"));
  ASSERT_EQ(rest["entries"].size(), 1u);
  EXPECT_FALSE(rest.contains("next_before"));
  EXPECT_EQ(client_->Get("/v1/audit?since=yesterday")->status, 400);
  EXPECT_EQ(client_->Get("/v1/audit?limit=0")->status, 400);
  auto verified = Json(client_->Get("/v1/audit:verify"));
  EXPECT_EQ(verified["valid"], true);
  EXPECT_EQ(verified["entries"], 4);
  EXPECT_EQ(verified["head"], log["entries"][0]["hash"]);
}

// Registered operations through the API: a dry run says what a run would
// change and changes nothing; a run is queued, run by the server's workers,
// and recorded with its reason.
TEST_P(ServiceTest, OperationsDryRunThenRunThroughTheApi) {
  auto ops = Json(client_->Get("/v1/ops"));
  ASSERT_EQ(ops["operations"].size(), 5u);
  EXPECT_EQ(ops["operations"][0]["name"], "retry-failed");
  EXPECT_EQ(ops["operations"][0]["params_schema"]["required"], nlohmann::json({"since"}));

  auto job = Json(PostJson("/v1/jobs", R"({"quote": {"quote_id": 123}})"));  // fails: not a valid quote
  ASSERT_EQ(WaitForJob(job["id"])["status"], "failed");
  const std::string body = R"({"reason": "the catalog was fixed", "params": {"since": "2020-01-01"}, "dry_run": true})";
  auto dry = PostJson("/v1/ops/retry-failed:run", body);
  ASSERT_EQ(dry->status, 200) << dry->body;
  EXPECT_EQ(Json(dry)["status"], "succeeded");
  EXPECT_EQ(Json(dry)["plan"], nlohmann::json({"queue again job " + job["id"].get<std::string>()}));
  EXPECT_EQ(Json(client_->Get("/v1/jobs/" + job["id"].get<std::string>()))["status"], "failed") << "a dry run changes nothing";

  auto run = PostJson("/v1/ops/retry-failed:run", R"({"reason": "the catalog was fixed", "params": {"since": "2020-01-01"}})");
  ASSERT_EQ(run->status, 202) << run->body;
  const std::string location = run->get_header_value("Location");
  nlohmann::json state;
  for (int i = 0; i < 500; ++i) {
    state = Json(client_->Get(location));
    if (state["status"] == "succeeded" || state["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state["status"], "succeeded") << state.dump();
  EXPECT_EQ(state["outcomes"], nlohmann::json({"queued job " + job["id"].get<std::string>() + " again"}));
  EXPECT_EQ(state["actor"], "test-admin");
  EXPECT_EQ(state["reason"], "the catalog was fixed");
  EXPECT_EQ(Json(client_->Get("/v1/ops/runs"))["runs"].size(), 2u);
  auto page = Json(client_->Get(location + "?offset=1&limit=5"));  // a plan can be long: shown a page at a time
  EXPECT_EQ(page["steps"], 1);
  EXPECT_EQ(page["steps_offset"], 1);
  EXPECT_EQ(page["plan"], nlohmann::json::array());
  EXPECT_EQ(client_->Get(location + "?limit=0")->status, 400);
  EXPECT_EQ(Json(client_->Get("/v1/audit?action=ops.run"))["entries"].size(), 1u);

  auto no_reason = PostJson("/v1/ops/retry-failed:run", R"({"params": {"since": "2020-01-01"}})");
  EXPECT_EQ(no_reason->status, 400);
  EXPECT_TRUE(Json(no_reason)["error"]["message"].get<std::string>().starts_with("/reason: ")) << no_reason->body;
  auto bad_param = PostJson("/v1/ops/prune:run", R"({"reason": "x", "params": {"older_than_days": "ten"}})");
  EXPECT_EQ(bad_param->status, 400);
  EXPECT_TRUE(Json(bad_param)["error"]["message"].get<std::string>().starts_with("/params/older_than_days: ")) << bad_param->body;
  EXPECT_EQ(PostJson("/v1/ops/defragment:run", R"({"reason": "x"})")->status, 404);
  EXPECT_EQ(PostJson("/v1/ops/prune:run", R"({"reason": "x", "force": true})")->status, 400);
  EXPECT_EQ(client_->Get("/v1/ops/runs/op_000000000000000000000000")->status, 404);
}

// The server notes when each token-file token was last used (what
// `docgen token list` shows), once a minute per token at the most.
TEST_P(ServiceTest, TheLastUseOfATokenIsRecorded) {
  ASSERT_EQ(client_->Get("/v1/jobs")->status, 200);
  const char* postgres = std::getenv("DOCGEN_TEST_POSTGRES");
  auto store = GetParam() == "sqlite" ? OpenSqliteStore((data_ / "docgen.sqlite").string()) : OpenPostgresStore(postgres, 1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto used = (*store)->TokenLastUsed();
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->count(TokenId(tokens_[Role::kAdmin])), 1u);
  EXPECT_EQ(used->count(TokenId(tokens_[Role::kViewer])), 0u) << "never used";
}

// A token revoked in the token file is refused from the very next request.
TEST_P(ServiceTest, ARevokedTokenFailsAtOnce) {
  httplib::Client viewer("127.0.0.1", service_->port());
  viewer.set_bearer_token_auth(tokens_[Role::kViewer]);
  ASSERT_EQ(viewer.Get("/v1/jobs")->status, 200);
  std::string error;
  auto revoked = RevokeTokens((data_ / "tokens.json").string(), "test-viewer", &error);
  ASSERT_TRUE(revoked) << error;
  EXPECT_EQ(revoked->size(), 1u);
  EXPECT_EQ(viewer.Get("/v1/jobs")->status, 401);
  EXPECT_EQ(client_->Get("/v1/jobs")->status, 200) << "the other tokens still work";
}

bool HasCode(const nlohmann::json& findings, const std::string& code) {
  for (const auto& f : findings) {
    if (f.value("code", "") == code) return true;
  }
  return false;
}

// Every field of an edition, in the shape of its YAML file: what a client
// gets back it can PUT as a draft unchanged; ?source=drafts shows the drafts.
TEST_P(ServiceTest, CatalogDocumentsCarryEveryFieldInTheShapeOfTheYaml) {
  auto list = Json(client_->Get("/v1/catalog/documents"));
  EXPECT_EQ(list["source"], "current");
  nlohmann::json additional;
  std::vector<nlohmann::json> form100;
  for (const auto& d : list["documents"]) {
    EXPECT_FALSE(d.contains("variables")) << d.dump();  // only on one document's route
    if (d["id"] == "CY-END-205") additional = d;
    if (d["id"] == "CY-FORM-100") form100.push_back(d);
  }
  ASSERT_TRUE(additional.is_object()) << list.dump();
  EXPECT_EQ(additional["attach"], nlohmann::json({{"new", "no"}, {"renewal", "copy"}, {"reissue", "copy"}}));
  EXPECT_EQ(additional["multiple"], true);
  EXPECT_EQ(additional["deletable"], true);
  EXPECT_EQ(additional["flag_manual"], false);
  EXPECT_EQ(additional["applies_to"]["products"], nlohmann::json({"cyber", "tech_eo"}));
  EXPECT_EQ(additional["applies_to"]["coverages_match"], "any");
  EXPECT_EQ(additional["order"], 320);
  EXPECT_EQ(additional["kind"], "endorsement");
  EXPECT_EQ(additional["template"], "templates/CY-END-205.md");
  ASSERT_EQ(form100.size(), 2u);
  EXPECT_EQ(form100[0]["applies_to"]["effective"], nlohmann::json({{"until", "2025-07-01"}}));
  EXPECT_EQ(form100[1]["applies_to"]["effective"], nlohmann::json({{"from", "2025-07-01"}}));

  auto one = Json(client_->Get("/v1/catalog/documents/CY-END-205"));
  ASSERT_EQ(one["documents"].size(), 1u);
  nlohmann::json edition = one["documents"][0];
  EXPECT_EQ(edition["variables"]["required"], nlohmann::json({"name"}));
  EXPECT_EQ(one["templates"]["templates/CY-END-205.md"], ReadFile(kExamples / "acme-cyber" / "templates" / "CY-END-205.md"));

  // Round trip: the edition as served is a valid draft; edited, the drafts show it.
  auto put = client_->Put("/v1/catalog/drafts/documents/CY-END-205", edition.dump(), "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(Json(put)["lint"]["valid"], true) << put->body;
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-END-205?source=drafts"))["documents"][0], edition);
  edition["flag_manual"] = true;
  edition["applies_to"]["effective"] = {{"from", "2026-01-01"}};
  put = client_->Put("/v1/catalog/drafts/documents/CY-END-205", edition.dump(), "application/json");
  EXPECT_EQ(Json(put)["lint"]["valid"], true) << put->body;
  auto drafted = Json(client_->Get("/v1/catalog/documents/CY-END-205?source=drafts"));
  EXPECT_EQ(drafted["source"], "drafts");
  EXPECT_EQ(drafted["version"], 1);
  EXPECT_EQ(drafted["documents"][0], edition);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-END-205"))["documents"][0]["flag_manual"], false);  // current: as published
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents?source=drafts"))["documents"].size(), 11u);
  EXPECT_EQ(client_->Get("/v1/catalog/documents?source=elsewhere")->status, 400);
  // Drafts with lint errors: the drafted catalog cannot be shown.
  ASSERT_EQ(client_->Put("/v1/catalog/drafts/documents/CY-END-205", R"({"title": "X"})", "application/json")->status, 200);
  auto refused = client_->Get("/v1/catalog/documents?source=drafts");
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(Json(refused)["error"]["code"], "lint_failed");
  EXPECT_FALSE(Json(refused)["error"]["details"].empty());
  EXPECT_EQ(client_->Get("/v1/catalog/documents")->status, 200);
}

TEST_P(ServiceTest, TemplateDraftsAreSavedLintedPreviewedAndPublished) {
  const std::string path = "/v1/catalog/drafts/templates/templates/CY-END-150.md";
  EXPECT_EQ(client_->Get(path)->status, 404);
  auto before = PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-END-150"})");
  ASSERT_EQ(before->status, 200) << before->body;
  EXPECT_EQ(before->get_header_value("Content-Type"), "application/pdf");
  EXPECT_EQ(before->body.rfind("%PDF-", 0), 0u);

  // A template that does not parse: saved, lint says why, preview and publish refuse.
  auto put = client_->Put(path, R"({"text": "# Broken {{#open}}\n"})", "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(Json(put)["lint"]["valid"], false);
  auto lint = Json(client_->Get("/v1/catalog/drafts:lint"));
  EXPECT_EQ(lint["templates"], nlohmann::json({"templates/CY-END-150.md"}));
  EXPECT_TRUE(HasCode(lint["findings"], "template_syntax")) << lint.dump();
  auto refused = PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-END-150"})");
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(Json(refused)["error"]["code"], "lint_failed");
  EXPECT_TRUE(HasCode(Json(refused)["error"]["details"], "template_syntax")) << refused->body;
  EXPECT_EQ(PostJson("/v1/catalog/versions", "{}")->status, 422);

  // Fixed (UTF-8 kept as sent): previewed with the draft, listed, published.
  const std::string text = "# Programme \u00e9tendu \u2014 {{doc.title}}\n\nDRAFT {{vars.note}}\n";
  put = client_->Put(path, nlohmann::json({{"text", text}}).dump(), "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(Json(put)["lint"]["valid"], false);  // vars.note is not in the (empty) variables schema
  EXPECT_TRUE(HasCode(Json(put)["lint"]["findings"], "unknown_reference")) << put->body;
  const std::string fixed = "# Programme \u00e9tendu \u2014 {{doc.title}}\n\nDRAFT for {{quote.insured.name}}\n";
  put = client_->Put(path, nlohmann::json({{"text", fixed}}).dump(), "application/json");
  EXPECT_EQ(Json(put)["lint"]["valid"], true) << put->body;
  EXPECT_EQ(Json(client_->Get(path))["text"], fixed);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-END-150?source=drafts"))["templates"]["templates/CY-END-150.md"], fixed);
  // Preview: a value the quote does not have is a render error; with a quote it renders.
  auto missing = PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-END-150"})");
  EXPECT_EQ(missing->status, 422);
  EXPECT_EQ(Json(missing)["error"]["code"], "render_failed");
  EXPECT_EQ(Json(missing)["error"]["details"][0]["code"], "missing_value") << missing->body;
  const nlohmann::json quote = nlohmann::json::parse(ReadFile(kExamples / "quotes" / "new-ca-basic.json"));
  auto preview = PostJson("/v1/catalog/drafts:preview", nlohmann::json({{"document", "CY-END-150"}, {"quote", quote}}).dump());
  ASSERT_EQ(preview->status, 200) << preview->body;
  EXPECT_EQ(preview->body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(preview->body, before->body);

  auto published = PostJson("/v1/catalog/versions", "{}");
  ASSERT_EQ(published->status, 201) << published->body;
  EXPECT_EQ(Json(published)["version"], 2);
  EXPECT_EQ(client_->Get(path)->status, 404);  // cleared by publishing
  EXPECT_TRUE(Json(client_->Get("/v1/catalog/drafts:lint"))["templates"].empty());
  EXPECT_EQ(Json(client_->Get("/v1/catalog/documents/CY-END-150"))["templates"]["templates/CY-END-150.md"], fixed);

  // A new template file, then discarded.
  const std::string added = "/v1/catalog/drafts/templates/templates/extra/new.md";
  EXPECT_EQ(client_->Put(added, R"({"text": "# New"})", "application/json")->status, 200);
  EXPECT_EQ(Json(client_->Get("/v1/catalog/drafts:lint"))["templates"], nlohmann::json({"templates/extra/new.md"}));
  EXPECT_EQ(client_->Delete(added)->status, 204);
  EXPECT_EQ(client_->Delete(added)->status, 404);

  // Refused: paths outside templates/, "..", absolute, empty parts; bodies that are not {"text": string}.
  for (const std::string bad : {"/v1/catalog/drafts/templates/catalog.yaml", "/v1/catalog/drafts/templates/templates/../catalog.yaml",
                                "/v1/catalog/drafts/templates//etc/passwd", "/v1/catalog/drafts/templates/templates//a.md",
                                "/v1/catalog/drafts/templates/templates/./a.md", "/v1/catalog/drafts/templates/templates/x/../a.md",
                                "/v1/catalog/drafts/templates/documents/CY-DEC.yaml"}) {
    EXPECT_EQ(client_->Put(bad, R"({"text": "x"})", "application/json")->status, 400) << bad;
    EXPECT_EQ(client_->Get(bad)->status, 400) << bad;
    EXPECT_EQ(client_->Delete(bad)->status, 400) << bad;
  }
  EXPECT_EQ(client_->Put(path, R"({"text": 5})", "application/json")->status, 400);
  EXPECT_EQ(client_->Put(path, R"({"text": "x", "other": 1})", "application/json")->status, 400);
  EXPECT_EQ(client_->Put(path, R"({"text": "a\u0000b"})", "application/json")->status, 400);
  EXPECT_EQ(client_->Put(path, "\"x\"", "application/json")->status, 400);
  EXPECT_EQ(client_->Put(path, "{\"text\": \"\xff\"}", "application/json")->status, 400);  // not UTF-8
}

TEST_P(ServiceTest, PreviewsCheckTheirVariablesAndNameWhatIsMissing) {
  auto invalid = PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-END-101", "vars": {"sublimit": "lots"}})");
  EXPECT_EQ(invalid->status, 422);
  EXPECT_EQ(Json(invalid)["error"]["code"], "render_failed");
  EXPECT_EQ(Json(invalid)["error"]["details"][0]["code"], "invalid_variables");
  EXPECT_EQ(Json(invalid)["error"]["details"][0]["path"], "/vars/sublimit");
  const nlohmann::json quote = nlohmann::json::parse(ReadFile(kExamples / "quotes" / "new-ca-basic.json"));
  auto ok = PostJson("/v1/catalog/drafts:preview",
                     nlohmann::json({{"document", "CY-END-101"}, {"vars", {{"sublimit", 250000}}}, {"quote", quote}}).dump());
  EXPECT_EQ(ok->status, 200) << ok->body;
  // An edition by name, or the one in effect on the quote's date (2025-03-01: the 2024-01 edition).
  auto preview = [&](const nlohmann::json& request) {
    auto r = PostJson("/v1/catalog/drafts:preview", request.dump());
    EXPECT_EQ(r->status, 200) << request.dump() << ": " << r->body;
    return r->body;
  };
  const std::string old_form = preview({{"document", "CY-FORM-100"}, {"edition", "2024-01"}, {"quote", quote}});
  const std::string new_form = preview({{"document", "CY-FORM-100"}, {"edition", "2025-07"}, {"quote", quote}});
  EXPECT_NE(old_form, new_form);
  EXPECT_EQ(preview({{"document", "CY-FORM-100"}, {"quote", quote}}), old_form);
  EXPECT_EQ(PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-FORM-100", "edition": "1999"})")->status, 404);
  EXPECT_EQ(PostJson("/v1/catalog/drafts:preview", R"({"document": "NOPE"})")->status, 404);
  EXPECT_EQ(PostJson("/v1/catalog/drafts:preview", R"({"vars": {}})")->status, 400);
  EXPECT_EQ(PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-DEC", "vars": []})")->status, 400);
  EXPECT_EQ(PostJson("/v1/catalog/drafts:preview", R"({"document": "CY-DEC", "extra": 1})")->status, 400);
}

// One policy at once, or a batch of JSON Lines as a durable job: the same
// results as the data-driven suite of examples/validate.
TEST_P(ServiceTest, PoliciesAreValidatedOneAtATimeAndInDurableBatches) {
  const std::string policies = ReadFile(kExamples / "validate" / "policies.jsonl");
  std::vector<nlohmann::json> expected;
  for (const auto& line : Lines(ReadFile(kExamples / "validate" / "expected.jsonl"))) expected.push_back(nlohmann::json::parse(line));
  const std::vector<std::string> lines = Lines(policies);
  ASSERT_EQ(lines.size(), expected.size());

  for (size_t i = 0; i < lines.size(); ++i) {
    auto one = PostJson("/v1/policies:validate", lines[i]);
    ASSERT_TRUE(one);
    const nlohmann::json result = Json(one);
    EXPECT_EQ(result["ok"], expected[i]["ok"]) << lines[i];
    EXPECT_EQ(result["policy_id"], expected[i]["policy_id"]);
    EXPECT_EQ(result["catalog"]["version"], 1);
    const bool malformed = !result["findings"].empty() && result["findings"][0]["code"] == "invalid_policy";
    EXPECT_EQ(one->status, malformed ? 422 : 200) << lines[i];
  }
  EXPECT_EQ(PostJson("/v1/policies:validate", "{not json")->status, 400);
  auto not_a_policy = PostJson("/v1/policies:validate", R"({"policy_id": "P-1", "documents": []})");
  EXPECT_EQ(not_a_policy->status, 422);
  EXPECT_EQ(Json(not_a_policy)["findings"][0]["path"], "/quote");

  auto created = client_->Post("/v1/validations", policies, "application/x-ndjson");
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string id = Json(created)["id"];
  EXPECT_EQ(created->get_header_value("Location"), "/v1/validations/" + id);
  EXPECT_EQ(Json(created)["progress"]["policies_total"], lines.size());
  nlohmann::json validation;
  for (int i = 0; i < 500; ++i) {
    validation = Json(client_->Get("/v1/validations/" + id));
    if (validation["status"] != "queued" && validation["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(validation["status"], "succeeded") << validation.dump();
  EXPECT_EQ(validation["progress"]["policies_done"], lines.size());
  EXPECT_EQ(validation["progress"]["percent"], 100);
  EXPECT_EQ(validation["summary"]["policies"], lines.size());
  auto results = client_->Get("/v1/validations/" + id + "/results");
  ASSERT_EQ(results->status, 200);
  EXPECT_EQ(results->get_header_value("Content-Type"), "application/x-ndjson");
  const std::vector<std::string> result_lines = Lines(results->body);
  ASSERT_EQ(result_lines.size(), expected.size());
  int with_errors = 0;
  for (size_t i = 0; i < result_lines.size(); ++i) {
    const nlohmann::json result = nlohmann::json::parse(result_lines[i]);
    EXPECT_EQ(result["policy_id"], expected[i]["policy_id"]) << "results keep the input's order";
    EXPECT_EQ(result["ok"], expected[i]["ok"]);
    with_errors += result["ok"] ? 0 : 1;
  }
  EXPECT_EQ(validation["summary"]["with_errors"], with_errors);
  EXPECT_EQ(Json(client_->Get("/v1/validations"))["validations"][0]["id"], id);
  EXPECT_EQ(client_->Get("/v1/jobs/" + id)->status, 404) << "a validation is not a render job";
  EXPECT_EQ(Json(client_->Get("/v1/jobs"))["jobs"].size(), 0u);
  EXPECT_EQ(client_->Post("/v1/validations/" + id + ":cancel")->status, 409);
  EXPECT_EQ(client_->Get("/v1/validations/val_000000000000000000000000")->status, 404);
  EXPECT_EQ(client_->Get("/v1/validations/job_x")->status, 404);
  EXPECT_EQ(client_->Post("/v1/validations", "\n\n", "application/x-ndjson")->status, 400);
  EXPECT_EQ(client_->Post("/v1/validations", policies, "text/csv")->status, 415);

  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("docgen_policies_validated_total"), std::string::npos);
  EXPECT_NE(metrics.find("docgen_validation_findings_total{code=\"missing_document\"}"), std::string::npos) << metrics;
}

TEST_P(ServiceTest, EveryRouteEnforcesItsRole) {
  const std::string job = Json(PostJson("/v1/jobs", JobBody("tech-eo-new.json")))["id"];
  WaitForJob(job);
  const std::string quote = ReadFile(kExamples / "quotes" / "tech-eo-new.json");
  struct Route {
    std::string method, path, body;
    Role needs;  // kNone: public
  };
  const std::vector<Route> routes = {
      {"GET", "/healthz", "", Role::kNone},
      {"GET", "/readyz", "", Role::kNone},
      {"GET", "/metrics", "", Role::kNone},
      {"GET", "/openapi.json", "", Role::kNone},
      {"POST", "/v1/packages:resolve", quote, Role::kGenerator},
      {"POST", "/v1/packages:render", quote, Role::kGenerator},
      {"POST", "/v1/jobs", "{\"quote\": " + quote + "}", Role::kGenerator},
      {"GET", "/v1/jobs", "", Role::kViewer},
      {"GET", "/v1/jobs/" + job, "", Role::kViewer},
      {"GET", "/v1/jobs/" + job + "/package.pdf", "", Role::kViewer},
      {"GET", "/v1/jobs/" + job + "/package.json", "", Role::kViewer},
      {"GET", "/v1/jobs/" + job + "/documents/01-TE-DEC.pdf", "", Role::kViewer},
      {"GET", "/v1/jobs/" + job + "/webhooks", "", Role::kViewer},
      {"POST", "/v1/jobs/" + job + ":cancel", "", Role::kGenerator},
      {"POST", "/v1/jobs/" + job + ":retry", "", Role::kGenerator},
      {"GET", "/v1/catalog", "", Role::kViewer},
      {"GET", "/v1/catalog/documents", "", Role::kViewer},
      {"GET", "/v1/catalog/documents/CY-DEC", "", Role::kViewer},
      {"GET", "/v1/catalog/versions", "", Role::kViewer},
      {"GET", "/v1/catalog/versions/1", "", Role::kViewer},
      {"GET", "/v1/catalog/versions/1/files/catalog.yaml", "", Role::kViewer},
      {"GET", "/v1/audit", "", Role::kAdmin},
      {"GET", "/v1/audit:verify", "", Role::kAdmin},
      {"GET", "/v1/ops", "", Role::kAdmin},
      {"POST", "/v1/ops/prune:run", R"({"reason": "role check", "dry_run": true})", Role::kAdmin},
      {"GET", "/v1/ops/runs", "", Role::kAdmin},
      {"GET", "/v1/ops/runs/op_000000000000000000000000", "", Role::kAdmin},
      {"GET", "/v1/catalog/drafts:lint", "", Role::kAdmin},
      {"GET", "/v1/catalog/drafts/documents/CY-DEC", "", Role::kAdmin},
      {"PUT", "/v1/catalog/drafts/documents/CY-DEC", "{}", Role::kAdmin},
      {"DELETE", "/v1/catalog/drafts/documents/CY-DEC", "", Role::kAdmin},
      {"GET", "/v1/catalog/drafts/templates/templates/CY-DEC.md", "", Role::kAdmin},
      {"PUT", "/v1/catalog/drafts/templates/templates/CY-DEC.md", R"({"text": "# Declarations"})", Role::kAdmin},
      {"DELETE", "/v1/catalog/drafts/templates/templates/CY-DEC.md", "", Role::kAdmin},
      {"POST", "/v1/catalog/drafts:preview", R"({"document": "CY-DEC"})", Role::kAdmin},
      {"POST", "/v1/catalog/versions", "{}", Role::kAdmin},
      {"POST", "/v1/policies:validate", "{}", Role::kGenerator},
      {"POST", "/v1/validations", "{}", Role::kGenerator},
      {"GET", "/v1/validations", "", Role::kViewer},
      {"GET", "/v1/validations/val_000000000000000000000000", "", Role::kViewer},
      {"GET", "/v1/validations/val_000000000000000000000000/results", "", Role::kViewer},
      {"POST", "/v1/validations/val_000000000000000000000000:cancel", "", Role::kGenerator},
  };
  auto send = [&](const Route& r, const std::string& token) {
    httplib::Client c("127.0.0.1", service_->port());
    if (!token.empty()) c.set_bearer_token_auth(token);
    if (r.method == "GET") return c.Get(r.path)->status;
    if (r.method == "DELETE") return c.Delete(r.path)->status;
    if (r.method == "PUT") return c.Put(r.path, r.body, "application/json")->status;
    return c.Post(r.path, r.body, "application/json")->status;
  };
  for (const auto& r : routes) {
    const std::string name = r.method + " " + r.path;
    if (r.needs == Role::kNone) {
      EXPECT_NE(send(r, ""), 401) << name;
      continue;
    }
    EXPECT_EQ(send(r, ""), 401) << name << " without a token";
    EXPECT_EQ(send(r, "dg_not-a-real-token"), 401) << name << " with a bad token";
    for (Role role : {Role::kViewer, Role::kGenerator, Role::kAdmin}) {
      const int status = send(r, tokens_[role]);
      if (static_cast<int>(role) < static_cast<int>(r.needs)) {
        EXPECT_EQ(status, 403) << name << " as " << ToString(role);
      } else {
        EXPECT_NE(status, 401) << name << " as " << ToString(role);
        EXPECT_NE(status, 403) << name << " as " << ToString(role);
      }
    }
  }
}

TEST_P(ServiceTest, TokensNeverReachTheLogsOrMetrics) {
  // The token must not appear in /metrics; logs are checked by the auth test script.
  PostJson("/v1/packages:resolve", ReadFile(kExamples / "quotes" / "tech-eo-new.json"));
  EXPECT_EQ(client_->Get("/metrics")->body.find(tokens_[Role::kAdmin]), std::string::npos);
}

// A signal that comes while the service is starting (its store opening, its
// catalog being published) stops it there: it never starts serving, so the
// process ends instead of serving on after the operator stopped it.
TEST(ServiceLifecycle, AShutdownBeforeStartHasFinishedStopsItFromServing) {
  const fs::path data = fs::temp_directory_path() / ("docgen-service-lifecycle-" + std::to_string(::getpid()));
  fs::remove_all(data);
  ServiceOptions options;
  options.port = 0;
  options.data_dir = data.string();
  options.catalog_dir = (kExamples / "acme-cyber").string();
  options.auth.mode = "none";  // no token file needed: it never serves
  {
    Service service(options);
    service.Shutdown();
    const Status status = service.Start();
    ASSERT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
    EXPECT_NE(status.message().find("shut down before it started serving"), std::string::npos) << status.message();
    EXPECT_TRUE(service.StoppedBeforeServing()) << "a clean stop, not a failure to start";
    service.Serve();  // returns at once: there is nothing to serve
    httplib::Client client("127.0.0.1", service.port());
    client.set_connection_timeout(2, 0);
    EXPECT_FALSE(client.Get("/healthz")) << "its port still answers";
  }
  fs::remove_all(data);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::Values("sqlite", "postgres", "postgres_blob_folder"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace docgen
