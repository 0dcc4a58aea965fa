// The job runner on the calling thread, with a fake clock and a real SQLite
// store behind a fault-injecting one: every outage of the store, wherever it
// falls in a job's life, loses nothing and spends no attempt; transient
// failures back off by the clock; expired leases are reaped.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "jobs/job_runner.h"
#include "jobs/webhook.h"
#include "support/actor.h"
#include "support/faulty_store.h"
#include "support/files.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;
const fs::path kExamples = fs::path(DOCGEN_SOURCE_DIR) / "examples";

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("docgen-runner-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = OpenSqliteStore((dir_ / "db.sqlite").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    real_ = std::move(*opened);
    faulty_ = std::make_unique<testing::FaultyStore>(*real_);
    blobs_ = OpenDirectoryBlobStore(dir_ / "blobs");
    catalogs_ = std::make_unique<CatalogVersions>(*faulty_);
    CatalogRead read = ReadCatalogDirectory((kExamples / "acme-cyber").string());
    ASSERT_TRUE(read.diagnostics.empty());
    ASSERT_TRUE(real_->PublishCatalog({0, "sha256:test", "acme", clock_.NowMs(), "test", CatalogFilesToJson(read.files)}, testing::By(clock_.NowMs())).ok());
  }
  void TearDown() override {
    runner_.reset();
    fs::remove_all(dir_);
  }

  JobRunner& Runner(bool noop) {
    RunnerOptions options;
    options.lease_ms = 60'000;  // no heartbeat during a test
    options.retry = {1000, 2.0, 8000, 3};
    options.noop_jobs = noop;
    options.before_store = [this](const Job&) { return !fail_before_store_; };
    runner_.reset();
    catalogs_ = std::make_unique<CatalogVersions>(*faulty_);  // nothing cached: each run reads its catalog
    runner_ = std::make_unique<JobRunner>(*faulty_, *blobs_, *catalogs_, metrics_, log_, clock_, options);
    return *runner_;
  }
  std::string Submit(const std::string& id) {
    Job job;
    job.id = id;
    job.request_hash = "hash-" + id;
    job.quote = nlohmann::json::parse(testing::ReadFile(kExamples / "quotes" / "tech-eo-new.json"));
    job.catalog_version = 1;
    job.max_attempts = 3;
    job.created_at = job.run_after = clock_.NowMs();
    EXPECT_TRUE(real_->CreateJob(job).ok());
    return id;
  }
  Job Stored(const std::string& id) { return *real_->GetJob(id); }
  // Runs one due job, and returns the wide events (SPEC §9) its attempt logged.
  std::vector<nlohmann::json> AttemptEvents(JobRunner& runner) {
    ::testing::internal::CaptureStderr();
    (void)runner.RunOnce("w");
    std::istringstream lines(::testing::internal::GetCapturedStderr());
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(lines, line);) {
      nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
      if (event.is_object() && event.contains("outcome")) events.push_back(std::move(event));
    }
    return events;
  }
  // Runs due jobs until none is left due now; returns how many runs happened.
  int RunAllDue(JobRunner& runner) {
    int runs = 0;
    for (int i = 0; i < 20; ++i) {
      Result<bool> ran = runner.RunOnce("w");
      if (ran.ok() && !*ran) break;
      ++runs;
    }
    return runs;
  }

  fs::path dir_;
  FakeClock clock_{1'700'000'000'000};
  Metrics metrics_;
  Log log_;
  std::unique_ptr<Store> real_;
  std::unique_ptr<testing::FaultyStore> faulty_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<CatalogVersions> catalogs_;
  std::unique_ptr<JobRunner> runner_;
  bool fail_before_store_ = false;
};

// The signature receivers check (docs/api-guide.md): HMAC-SHA256 of
// "id.timestamp.body" under the key, base64, after "v1,". The expected value
// is Python's hmac module's, so any library docgen uses must agree with it.
TEST(Webhook, TheSignatureIsHmacSha256OfIdTimestampAndBodyAsReceiversComputeIt) {
  EXPECT_EQ(SignWebhook("whsec-test-key", "evt_1", 1700000000, "{\"a\":1}"),
            "v1,2m46GZ6vSH1NBM18NQBSzX2hWE939kLrEiP9tXwqc8o=");
}

TEST_F(JobRunnerTest, AJobRunsToItsResultsWhichAreStoredBeforeItIsDone) {
  JobRunner& runner = Runner(false);
  Submit("a");
  ASSERT_TRUE(*runner.RunOnce("w"));
  const Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.finished_at, clock_.NowMs());
  EXPECT_TRUE(blobs_->Get(job.result["package_pdf"]).ok());
  EXPECT_FALSE(*runner.RunOnce("w"));  // nothing else is due
}

// Every call the runner makes to the store, made to fail in turn: the job
// still succeeds exactly once, on its first counted attempt.
TEST_F(JobRunnerTest, AnOutageAtAnyCallLosesNothingAndSpendsNoAttempt) {
  int outages = 0;
  for (int n = 1;; ++n) {
    JobRunner& runner = Runner(false);
    const std::string id = Submit("job-" + std::to_string(n));
    const size_t before = faulty_->log().size();
    faulty_->FailCall(n);
    const std::vector<nlohmann::json> events = AttemptEvents(runner);  // the outage may fail the claim itself
    if (!faulty_->injected()) break;  // the job's life has fewer calls than n
    ++outages;
    const std::string failed = faulty_->log()[before + static_cast<size_t>(n) - 1];
    SCOPED_TRACE("outage in " + failed + " (call " + std::to_string(n) + ")");
    if (n > 1) {  // the job was claimed: its attempt ends with one event, which says it was given back
      ASSERT_EQ(events.size(), 1u);
      EXPECT_EQ(events[0]["outcome"], "released");
      EXPECT_EQ(events[0]["error_code"], "unavailable");
      EXPECT_EQ(events[0]["job_id"], id);
    }
    clock_.Advance(60'000);  // past any backoff the release asked for
    RunAllDue(runner);
    const Job job = Stored(id);
    EXPECT_EQ(job.status, JobStatus::kSucceeded) << job.errors.dump();
    EXPECT_EQ(job.attempts, 1);
  }
  // The claim, the catalog version, the completion, and the release of a cut-short attempt at least.
  EXPECT_GE(outages, 3);
}

// Two calls in a row fail: the attempt's completion, then the first try to
// give the attempt back. The release is tried again and the job is kept.
TEST_F(JobRunnerTest, AnOutageThatAlsoHitsTheReleaseIsRiddenOut) {
  JobRunner& runner = Runner(true);
  Submit("a");
  faulty_->FailCalls({2, 3});  // 1 claim, 2 completion, 3 release, 4 release again
  ASSERT_TRUE(*runner.RunOnce("w"));
  const std::vector<std::string> calls = faulty_->log();
  ASSERT_GE(calls.size(), 4u);
  EXPECT_EQ(calls[calls.size() - 2], "ReleaseJob");
  EXPECT_EQ(calls.back(), "ReleaseJob");
  Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(job.releases, 1);
  clock_.Advance(60'000);
  ASSERT_TRUE(*runner.RunOnce("w"));
  EXPECT_EQ(Stored("a").status, JobStatus::kSucceeded);
  EXPECT_EQ(Stored("a").attempts, 1);
}

// An outage while recording a failure (RetryLater, FailJob) gives the attempt back too.
TEST_F(JobRunnerTest, AnOutageWhileRecordingAFailureGivesTheAttemptBack) {
  JobRunner& runner = Runner(false);
  Submit("a");
  fail_before_store_ = true;
  faulty_->FailEvery("RetryLater");
  ASSERT_TRUE(*runner.RunOnce("w"));
  faulty_->Heal();
  Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_TRUE(job.errors.empty());  // the failure was not recorded: it did not count
}

// An outage that never ends must not keep a job forever: after
// kFreeReleases given-back attempts, they count, and the job fails.
TEST_F(JobRunnerTest, AnEndlessOutageEventuallyFailsTheJob) {
  JobRunner& runner = Runner(true);
  Submit("a");
  faulty_->FailEvery("CompleteJob");
  for (int i = 0; i < kFreeReleases + 10 && Stored("a").status == JobStatus::kQueued; ++i) {
    ASSERT_TRUE(*runner.RunOnce("w"));
    clock_.Advance(10 * 60'000);  // past the longest backoff
  }
  faulty_->Heal();
  const Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.releases, kFreeReleases + 2);  // the free ones, then two counted before the third failed it
  EXPECT_EQ(job.errors[0]["code"], "unavailable");
}

TEST_F(JobRunnerTest, ATransientFailureSpendsAnAttemptAndWaitsForItsBackoff) {
  JobRunner& runner = Runner(false);
  Submit("a");
  fail_before_store_ = true;
  ASSERT_TRUE(*runner.RunOnce("w"));
  fail_before_store_ = false;
  Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.errors[0]["code"], "transient_failure");
  // The first backoff is 1 s with equal jitter: between 0.5 and 1 s.
  EXPECT_GE(job.run_after, clock_.NowMs() + 500);
  EXPECT_LE(job.run_after, clock_.NowMs() + 1000);
  EXPECT_FALSE(*runner.RunOnce("w"));
  clock_.Advance(1000);
  ASSERT_TRUE(*runner.RunOnce("w"));
  job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.attempts, 2);
}

TEST_F(JobRunnerTest, TheLastTransientFailureFailsTheJob) {
  JobRunner& runner = Runner(false);
  Submit("a");
  fail_before_store_ = true;
  for (int i = 0; i < 3; ++i) {
    RunAllDue(runner);
    clock_.Advance(10'000);
  }
  const Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.attempts, 3);
}

TEST_F(JobRunnerTest, AQuoteThatDoesNotResolveFailsAtOnceAsInvalid) {
  JobRunner& runner = Runner(false);
  Job job;
  job.id = "bad";
  job.request_hash = "h";
  job.quote = {{"quote_id", "Q-1"}};
  job.catalog_version = 1;
  job.created_at = job.run_after = clock_.NowMs();
  ASSERT_TRUE(real_->CreateJob(job).ok());
  const std::vector<nlohmann::json> events = AttemptEvents(runner);
  const Job failed = Stored("bad");
  EXPECT_EQ(failed.status, JobStatus::kFailed);
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_FALSE(failed.errors.empty());
  EXPECT_STREQ(JobOutcome(failed), "invalid");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["outcome"], "invalid");
  EXPECT_EQ(events[0]["error_code"], failed.errors[0]["code"]);
  EXPECT_EQ(events[0]["quote_id"], "Q-1");
  EXPECT_EQ(events[0]["draw_ms"], 0);  // it never got that far
}

TEST_F(JobRunnerTest, ARenderedJobsEventCarriesItsPackageAndEveryStagesTime) {
  JobRunner& runner = Runner(false);
  Submit("a");
  const std::vector<nlohmann::json> events = AttemptEvents(runner);
  ASSERT_EQ(events.size(), 1u);
  const nlohmann::json& event = events[0];
  EXPECT_EQ(event["outcome"], "succeeded");
  EXPECT_EQ(event["job_id"], "a");
  EXPECT_EQ(event["attempt"], 1);
  EXPECT_EQ(event["catalog_version"], 1);
  EXPECT_EQ(event["product"], "tech_eo");
  EXPECT_EQ(event["transaction"], "new");
  EXPECT_EQ(event["pages"], Stored("a").result["pages"]);
  for (const char* stage : {"resolve_ms", "evaluate_ms", "typeset_ms", "draw_ms", "assemble_ms", "store_ms"}) {
    EXPECT_GT(event[stage].get<double>(), 0) << stage;
  }
  EXPECT_NE(metrics_.Render().find("docgen_stage_duration_seconds_count{stage=\"draw\"} 1"), std::string::npos);
}

TEST(JobOutcome, TellsTheCallersFaultFromDocgensByTheFirstErrorsCode) {
  Job job;
  EXPECT_EQ(JobOutcome(job), nullptr);  // queued: not ended
  job.status = JobStatus::kSucceeded;
  EXPECT_STREQ(JobOutcome(job), "succeeded");
  job.status = JobStatus::kCanceled;
  EXPECT_STREQ(JobOutcome(job), "canceled");
  job.status = JobStatus::kFailed;
  for (const char* code : {"transient_failure", "unavailable", "lease_expired"}) {
    job.errors = {{{"code", code}}};
    EXPECT_STREQ(JobOutcome(job), "failed") << code;
  }
  for (const char* code : {"unknown_product", "invalid_variables", "catalog_unavailable", "render_timeout"}) {
    job.errors = {{{"code", code}}};
    EXPECT_STREQ(JobOutcome(job), "invalid") << code;
  }
}

TEST_F(JobRunnerTest, AJobWhoseWorkerDiedOnItsLastAttemptIsCountedFailed) {
  JobRunner& runner = Runner(true);
  Job job;
  job.id = "doomed";
  job.request_hash = "hash-doomed";
  job.quote = nlohmann::json::parse(testing::ReadFile(kExamples / "quotes" / "tech-eo-new.json"));
  job.catalog_version = 1;
  job.max_attempts = 1;
  job.created_at = job.run_after = clock_.NowMs();
  ASSERT_TRUE(real_->CreateJob(job).ok());
  ASSERT_TRUE(*real_->ClaimJob("dead-worker", clock_.NowMs(), clock_.NowMs() + 1000));
  clock_.Advance(1001);
  EXPECT_EQ(*runner.ReapOnce(), 1);
  EXPECT_EQ(Stored("doomed").status, JobStatus::kFailed);
  // The SLO sees it: docgen failed this job (its worker died every time).
  const std::string metrics = metrics_.Render();
  EXPECT_NE(metrics.find("docgen_jobs_finished_total{outcome=\"failed\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("docgen_job_errors_total{outcome=\"failed\",code=\"lease_expired\"} 1"), std::string::npos) << metrics;
}

TEST_F(JobRunnerTest, AnExpiredLeaseIsReapedAndTheJobRunsAgain) {
  JobRunner& runner = Runner(true);
  Submit("a");
  ASSERT_TRUE(*real_->ClaimJob("stalled-worker", clock_.NowMs(), clock_.NowMs() + 1000));
  EXPECT_EQ(*runner.ReapOnce(), 0);
  clock_.Advance(1001);
  EXPECT_EQ(*runner.ReapOnce(), 1);
  ASSERT_TRUE(*runner.RunOnce("w"));
  const Job job = Stored("a");
  EXPECT_EQ(job.status, JobStatus::kSucceeded);
  EXPECT_EQ(job.attempts, 2);
  EXPECT_EQ(real_->CompleteJob("a", "stalled-worker", {}, clock_.NowMs()).code(), StatusCode::kConflict);
}

TEST_F(JobRunnerTest, AClaimDuringAnOutageReportsItAndClaimsNothing) {
  JobRunner& runner = Runner(true);
  Submit("a");
  faulty_->FailCall(1);
  Result<bool> ran = runner.RunOnce("w");
  EXPECT_EQ(ran.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Stored("a").status, JobStatus::kQueued);
  EXPECT_EQ(Stored("a").attempts, 0);
}

}  // namespace
}  // namespace docgen
