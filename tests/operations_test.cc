// Registered operations (SPEC §10, src/jobs/operations.h) on a real store,
// SQLite and PostgreSQL: a dry run lists exactly what the run then changes,
// parameters and reasons are checked with clear errors, and a run goes on
// from where an earlier attempt stopped.
#include "jobs/operations.h"

#include "jobs/job_json.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <filesystem>

#include <unistd.h>

namespace docgen {
namespace {

namespace fs = std::filesystem;

class OperationsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const char* postgres = std::getenv("DOCGEN_TEST_POSTGRES");
    if (GetParam() == "postgres") {
      if (postgres == nullptr) GTEST_SKIP() << "DOCGEN_TEST_POSTGRES is not set: run through tests/with_postgres.sh";
      pqxx::connection c(postgres);
      pqxx::nontransaction(c).exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    }
    dir_ = fs::temp_directory_path() / ("docgen-ops-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = GetParam() == "postgres" ? OpenPostgresStore(postgres, 2) : OpenSqliteStore((dir_ / "db.sqlite").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    for (const char* digest : {"sha256:v1", "sha256:v2"}) {
      CatalogVersion v{0, digest, "Acme", 100, "t", {{"catalog.yaml", digest}}};
      ASSERT_TRUE(store_->PublishCatalog(v, Admin()).ok());
    }
    // Created at 100 (before every window below), 1000 and 2000.
    AddJob("old-failed", JobKind::kRender, 100, 1, false);
    AddJob("failed-1", JobKind::kRender, 1000, 2, false);
    AddJob("failed-2", JobKind::kValidate, 2000, 2, false);
    AddJob("rendered-v1", JobKind::kRender, 1000, 1, true);
    AddJob("rendered-v2", JobKind::kRender, 2000, 2, true);
    AddJob("validated", JobKind::kValidate, 2000, 2, true);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  Actor Admin(const std::string& reason = "test") const { return {"alice", "admin", "", reason, clock_.NowMs()}; }
  void AddJob(const std::string& id, JobKind kind, int64_t created_at, int64_t version, bool succeeds) {
    Job job;
    job.id = id;
    job.kind = kind;
    job.request_hash = "h";
    job.quote = {{"quote_id", "Q-" + id}};
    job.catalog_version = version;
    job.created_at = job.run_after = created_at;
    ASSERT_TRUE(store_->CreateJob(job).ok());
    ASSERT_EQ((*store_->ClaimJob("w", created_at, created_at + 100))->id, id);
    ASSERT_TRUE((succeeds ? store_->CompleteJob(id, "w", {{"pages", 1}}, created_at + 10)
                          : store_->FailJob(id, "w", nlohmann::json::array(), created_at + 10))
                    .ok());
  }
  // Starts a run and runs it to its end in this thread, as a worker would.
  OpRun Run(const std::string& name, const nlohmann::json& params) {
    Result<OpRun> started = StartOperation(*store_, name, params, false, Admin());
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    if (!started.ok()) return {};
    auto claimed = store_->ClaimOpRun(started->id, "worker", clock_.NowMs(), clock_.NowMs() + 30000);
    EXPECT_TRUE(claimed.ok() && *claimed);
    EXPECT_TRUE(ExecuteOpRun(*store_, **claimed, "worker", clock_, 30000).ok());
    return *store_->GetOpRun(started->id);
  }
  std::vector<std::string> DryPlan(const std::string& name, const nlohmann::json& params) {
    Result<OpRun> dry = StartOperation(*store_, name, params, true, Admin());
    EXPECT_TRUE(dry.ok()) << dry.status().ToString();
    std::vector<std::string> out;
    if (dry.ok()) {
      for (const auto& step : dry->plan) out.push_back(step["description"]);
    }
    return out;
  }
  Status Refused(const std::string& name, const nlohmann::json& params, const std::string& reason = "test") {
    return StartOperation(*store_, name, params, false, Admin(reason)).status();
  }

  FakeClock clock_{10000};
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(OperationsTest, RetryFailedQueuesExactlyTheFailedJobsItsDryRunListed) {
  EXPECT_EQ(DryPlan("retry-failed", {{"since", "500"}}),
            (std::vector<std::string>{"queue again job failed-1", "queue again job failed-2"}));
  EXPECT_EQ(store_->GetJob("failed-1")->status, JobStatus::kFailed) << "a dry run changes nothing";
  OpRun run = Run("retry-failed", {{"since", "500"}});
  EXPECT_EQ(run.status, "succeeded");
  EXPECT_EQ(run.outcomes, (std::vector<std::string>{"queued job failed-1 again", "queued job failed-2 again"}));
  EXPECT_EQ(store_->GetJob("failed-2")->status, JobStatus::kQueued);
  EXPECT_EQ(store_->GetJob("old-failed")->status, JobStatus::kFailed) << "outside the window";
  EXPECT_EQ(run.by.reason, "test");
}

TEST_P(OperationsTest, RegenerateRendersTheJobsOfACatalogVersionAgainOnTheCurrentOne) {
  const std::vector<std::string> plan = DryPlan("regenerate", {{"catalog_version", 1}});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_TRUE(plan[0].starts_with("render again job rendered-v1 as new job job_")) << plan[0];
  OpRun run = Run("regenerate", {{"catalog_version", 1}});
  ASSERT_EQ(run.outcomes.size(), 1u);
  const std::string new_id = run.plan[0]["new_job_id"];
  EXPECT_EQ(run.outcomes[0], "created job " + new_id + " from job rendered-v1");
  const Job copy = *store_->GetJob(new_id);
  EXPECT_EQ(copy.status, JobStatus::kQueued);
  EXPECT_EQ(copy.kind, JobKind::kRender);
  EXPECT_EQ(copy.catalog_version, 2);
  EXPECT_EQ(copy.quote_id, "Q-rendered-v1");
  EXPECT_EQ(Run("regenerate", {{"since", "1500"}}).outcomes.size(), 1u) << "rendered-v2 only: validations are not rendered";
}

TEST_P(OperationsTest, RevalidateValidatesTheSucceededValidationsOfAWindowAgain) {
  OpRun run = Run("revalidate", {{"since", "1970-01-01"}});
  ASSERT_EQ(run.outcomes.size(), 1u);
  const std::string new_id = run.plan[0]["new_job_id"];
  EXPECT_TRUE(new_id.starts_with("val_"));
  EXPECT_EQ(store_->GetJob(new_id)->kind, JobKind::kValidate);
}

TEST_P(OperationsTest, PruneAndRepublish) {
  clock_.Set(2011 + 24 * 60 * 60 * 1000);  // a day and 1 ms after the last job finished (at 2010)
  EXPECT_EQ(Run("prune", {{"older_than_days", 1}}).outcomes, (std::vector<std::string>{"deleted 6 finished jobs"}));
  OpRun rollback = Run("republish", {{"version", 1}});
  EXPECT_EQ(rollback.outcomes, (std::vector<std::string>{"catalog version 3 is current: the files of version 1"}));
  EXPECT_EQ(store_->GetCatalogVersion(0)->digest, "sha256:v1");
}

TEST_P(OperationsTest, ParametersAndReasonsAreCheckedWithClearErrors) {
  EXPECT_EQ(Refused("retry-failed", nlohmann::json::object()).message(), "/params/since: \"Jobs created from\" (/since) is required but missing.");
  EXPECT_EQ(Refused("retry-failed", {{"since", "last week"}}).message(),
            "/params/since: \"last week\" is not a date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch.");
  EXPECT_EQ(Refused("retry-failed", {{"since", "500"}, {"colour", "red"}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Refused("regenerate", nlohmann::json::object()).code(), StatusCode::kInvalidArgument) << "a window or a version";
  EXPECT_EQ(Refused("prune", {{"older_than_days", -1}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Refused("republish", {{"version", 9}}).message(), "/params/version: there is no catalog version 9.");
  EXPECT_EQ(Refused("retry-failed", {{"since", "500"}}, "  ").message(),
            "/reason: say why this operation runs; the reason is kept with the run and in the audit log.");
  EXPECT_EQ(Refused("defragment", nlohmann::json::object()).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListOpRuns(10)->empty()) << "nothing refused was stored";

  const Operation& prune = *FindOperation("prune");
  EXPECT_EQ((*OpParamsFromPairs(prune, {"older_than_days=7"}))["older_than_days"], 7);
  EXPECT_EQ(OpParamsFromPairs(prune, {"older_than_days=soon"}).status().message(), "--param older_than_days: \"soon\" is not a whole number.");
  EXPECT_EQ(OpParamsFromPairs(prune, {"days=7"}).status().message(), "--param days: prune has no such parameter (it takes older_than_days).");
  EXPECT_EQ(OpParamsFromPairs(prune, {"=7"}).status().code(), StatusCode::kInvalidArgument);
}

// A worker that stopped after the first step: the next one applies the
// remaining steps only.
TEST_P(OperationsTest, ARunGoesOnFromWhereAnEarlierAttemptStopped) {
  Result<OpRun> started = StartOperation(*store_, "retry-failed", {{"since", "500"}}, false, Admin());
  ASSERT_TRUE(started.ok());
  auto first = store_->ClaimOpRun(started->id, "first", 10000, 10100);
  ASSERT_TRUE(first.ok() && *first);
  OpStep step;
  step.job_id = "failed-1";
  ASSERT_TRUE(store_->ApplyOpStep(started->id, 0, step, "first", 10050, 10100).ok());  // then "first" dies
  ASSERT_EQ((*store_->ClaimJob("w", 10060, 20000))->id, "failed-1");  // the queued job runs and fails again
  ASSERT_TRUE(store_->FailJob("failed-1", "w", nlohmann::json::array(), 10070).ok());

  clock_.Set(10200);
  auto second = store_->ClaimOpRun("", "second", 10200, 40000);
  ASSERT_TRUE(second.ok() && *second);
  ASSERT_TRUE(ExecuteOpRun(*store_, **second, "second", clock_, 30000).ok());
  OpRun done = *store_->GetOpRun(started->id);
  EXPECT_EQ(done.status, "succeeded");
  EXPECT_EQ(done.outcomes, (std::vector<std::string>{"queued job failed-1 again", "queued job failed-2 again"}));
  EXPECT_EQ(store_->GetJob("failed-1")->status, JobStatus::kFailed) << "step 1 was not applied a second time";
}

// The times an operator types: --since, ?since=, params "since"/"until".
TEST(ParseIsoTimeTest, DatesUtcTimesAndMillisecondsAreReadEverythingElseIsNot) {
  EXPECT_EQ(ParseIsoTime("1970-01-02"), 86400000);
  EXPECT_EQ(ParseIsoTime("2026-11-30T17:05:00Z"), 1796058300000);
  EXPECT_EQ(ParseIsoTime("2026-11-30T17:05:00.250Z"), 1796058300250);
  EXPECT_EQ(ParseIsoTime("2026-11-30T17:05:00+00:00"), 1796058300000);
  EXPECT_EQ(ParseIsoTime("1796058300000"), 1796058300000);
  EXPECT_EQ(ParseIsoTime(IsoTime(1796058300250)), 1796058300250) << "what docgen prints, it reads";
  for (const char* bad : {"", "yesterday", "2026-11-30T17:05:00", "2026-11-30T17:05:00+01:00", "2026-02-31", "2026-13-01",
                          "2026-11-30 17:05", "1969-12-31", "2026-11-30Tnoon", "2026-11-30T17:05:00Zjunk"}) {
    EXPECT_EQ(ParseIsoTime(bad), std::nullopt) << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OperationsTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace docgen
