// The Store contract, run against every backend: SQLite, and PostgreSQL when
// DOCGEN_TEST_POSTGRES names a server (tests/with_postgres.sh starts one;
// ctest always runs it so). Times are passed explicitly, so leases and
// backoff are tested without sleeping.
#include <docgen/store.h>

#include "slo/slo_report.h"
#include "store/blob_store.h"
#include "support/actor.h"
#include "store/pg_pool.h"
#include "store/sqlite_backend.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <atomic>
#include <algorithm>
#include <chrono>
#include <thread>

namespace docgen {
namespace {

namespace fs = std::filesystem;

std::string PostgresUrl() {
  const char* url = std::getenv("DOCGEN_TEST_POSTGRES");
  return url == nullptr ? "" : url;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool postgres() const { return GetParam() == "postgres"; }

  void SetUp() override {
    if (postgres()) {
      if (PostgresUrl().empty()) GTEST_SKIP() << "DOCGEN_TEST_POSTGRES is not set: run through tests/with_postgres.sh";
      pqxx::connection c(PostgresUrl());  // every test starts from an empty database
      pqxx::nontransaction(c).exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
    }
    dir_ = fs::temp_directory_path() / ("docgen-store-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = Open();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<Store>> store =
        postgres() ? OpenPostgresStore(PostgresUrl(), 4) : OpenSqliteStore((dir_ / "db.sqlite").string());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  Job NewJob(const std::string& id, const std::string& key = "", int64_t now = 1000) {
    Job job;
    job.id = id;
    job.idempotency_key = key;
    job.request_hash = "hash-" + id;
    job.quote = {{"quote_id", "Q-" + id}};
    job.catalog_version = 1;
    job.max_attempts = 3;
    job.created_at = job.run_after = now;
    return job;
  }
  Job Create(const Job& job) {
    Result<CreatedJob> stored = store_->CreateJob(job);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? stored->job : Job{};
  }
  // The claimed job's id, or "" when none was due.
  std::string Claim(const std::string& worker, int64_t now, int64_t lease_until, Store* store = nullptr) {
    Result<std::optional<Job>> job = (store ? store : store_.get())->ClaimJob(worker, now, lease_until);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() && *job ? (*job)->id : "";
  }
  Job Get(const std::string& id) {
    Result<Job> job = store_->GetJob(id);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : Job{};
  }
  CatalogVersion Publish(CatalogVersion version) {
    Result<CatalogVersion> stored = store_->PublishCatalog(version, testing::By(version.created_at));
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    return stored.ok() ? *stored : CatalogVersion{};
  }

  // Runs SQL straight on the database, behind the store's back.
  void Raw(const std::string& sql) {
    if (postgres()) {
      pqxx::connection c(PostgresUrl());
      pqxx::nontransaction(c).exec(sql);
    } else {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK);
      char* error = nullptr;
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
      sqlite3_free(error);
      sqlite3_close(db);
    }
  }
  // Injects a failure: every `event` (INSERT, UPDATE, DELETE) on `table` fails
  // inside the transaction that makes it.
  void Refuse(const std::string& event, const std::string& table) {
    Raw(postgres() ? "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql; "
                     "CREATE TRIGGER refuse BEFORE " + event + " ON " + table + " FOR EACH ROW EXECUTE FUNCTION refuse();"
                   : "CREATE TRIGGER refuse BEFORE " + event + " ON " + table + " BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, CreatedJobsAreQueuedAndListedNewestFirst) {
  Create(NewJob("a", "", 1000));
  Create(NewJob("b", "", 2000));
  auto jobs = store_->ListJobs({});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].id, "b");
  EXPECT_EQ((*jobs)[1].status, JobStatus::kQueued);
  JobFilter filter;
  filter.created_after = 1500;
  EXPECT_EQ(store_->ListJobs(filter)->size(), 1u);
  filter.status = JobStatus::kRunning;
  EXPECT_EQ(store_->ListJobs(filter)->size(), 0u);
}

TEST_P(StoreTest, SloMinutesAddUpAcrossProcessesAndArePruned) {
  ASSERT_TRUE(store_->AddSloMinutes({{"jobs-succeed", 10, 9, 10}, {"jobs-succeed", 11, 5, 5}, {"api-available", 10, 1, 2}}).ok());
  ASSERT_TRUE(store_->AddSloMinutes({{"jobs-succeed", 10, 1, 3}}).ok());  // another process's counts of the same minute
  ASSERT_TRUE(store_->AddSloMinutes({}).ok());
  auto all = store_->ListSloMinutes(0, 100, 1);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].slo, "jobs-succeed");
  EXPECT_EQ((*all)[1].minute, 10);
  EXPECT_EQ((*all)[1].good, 10);
  EXPECT_EQ((*all)[1].total, 13);
  EXPECT_EQ(store_->ListSloMinutes(11, 100, 1)->size(), 1u);
  EXPECT_EQ(store_->ListSloMinutes(0, 10, 1)->size(), 2u);  // until is inclusive
  EXPECT_EQ(*store_->PruneSloMinutes(11), 2);
  EXPECT_EQ(store_->ListSloMinutes(0, 100, 1)->size(), 1u);
}

// The database sums what a report and a chart need: the same numbers as
// adding up the minutes one by one.
TEST_P(StoreTest, SloMinutesAreSummedBySpanAndByStepInTheDatabase) {
  std::vector<SloMinute> minutes;
  for (int64_t m = 1000; m < 1100; ++m) {
    minutes.push_back({"jobs-succeed", m, m % 7, 10 + m % 3});
    if (m % 4 == 0) minutes.push_back({"resolve-fast", m, 1, 2});
  }
  ASSERT_TRUE(store_->AddSloMinutes(minutes).ok());
  const std::vector<int64_t> since = {1000, 1050, 1090, 1099, 2000};
  auto sums = store_->SumSloMinutes(since, 1095);
  ASSERT_TRUE(sums.ok());
  EXPECT_EQ(*sums, SumMinutes(minutes, since, 1095));
  EXPECT_EQ((*sums)["jobs-succeed"][4], (SloEvents{0, 0}));  // a span after `until` is empty
  EXPECT_TRUE(store_->SumSloMinutes({}, 1095)->empty());

  auto steps = store_->ListSloMinutes(1003, 1096, 15);
  ASSERT_TRUE(steps.ok());
  std::map<std::pair<std::string, int64_t>, SloEvents> expected;
  for (const SloMinute& m : minutes) {
    if (m.minute < 1003 || m.minute > 1096) continue;
    SloEvents& e = expected[{m.slo, m.minute - m.minute % 15}];
    e.good += m.good;
    e.total += m.total;
  }
  ASSERT_EQ(steps->size(), expected.size());
  for (const SloMinute& s : *steps) {
    EXPECT_EQ((SloEvents{s.good, s.total}), (expected[{s.slo, s.minute}])) << s.slo << " " << s.minute;
  }
  EXPECT_EQ(steps->front().minute, 990);  // a step is named by its first minute, even when the span starts inside it
  EXPECT_FALSE(store_->ListSloMinutes(0, 10, 0).ok());
}

// GET /v1/jobs shows only the quote's quote_id: a listing must not read
// every listed job's quote (up to max_body_bytes each).
TEST_P(StoreTest, OnlyAClaimReadsTheQuote) {
  Job big = NewJob("big", "", 1000);
  big.quote = {{"quote_id", "Q-big"}, {"padding", std::string(1 << 20, 'x')}};
  Create(big);
  Job anonymous = NewJob("anonymous", "", 2000);
  anonymous.quote = {{"quote_id", 42}};  // not a string: no quote_id
  Create(anonymous);
  auto jobs = store_->ListJobs({});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[1].id, "big");
  EXPECT_EQ((*jobs)[1].quote_id, "Q-big");
  EXPECT_EQ((*jobs)[1].quote, nlohmann::json::object()) << "the quote was read";
  EXPECT_EQ((*jobs)[0].quote_id, "");
  const Job got = Get("big");
  EXPECT_EQ(got.quote_id, "Q-big");
  EXPECT_EQ(got.quote, nlohmann::json::object()) << "GetJob read the quote";
  EXPECT_EQ(store_->CancelJob("anonymous", testing::By(3000))->quote, nlohmann::json::object());
  Result<std::optional<Job>> claimed = store_->ClaimJob("w", 3000, 9000);
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_EQ((*claimed)->quote["padding"].get<std::string>().size(), size_t{1} << 20);  // the worker gets it
}

TEST_P(StoreTest, AMissingJobIsNotFound) {
  EXPECT_EQ(store_->GetJob("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CancelJob("nope", testing::By(1000)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->RetryJob("nope", testing::By(1000)).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, AnIdempotencyKeyReturnsTheFirstJobAndRefusesADifferentRequest) {
  Create(NewJob("a", "key-1"));
  Job again = NewJob("b", "key-1");
  again.request_hash = "hash-a";
  Result<CreatedJob> replay = store_->CreateJob(again);
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->job.id, "a");
  Result<CreatedJob> different = store_->CreateJob(NewJob("c", "key-1"));
  EXPECT_EQ(different.status().code(), StatusCode::kConflict);
  EXPECT_NE(different.status().message().find("Idempotency-Key"), std::string::npos);
}

TEST_P(StoreTest, AJobIsClaimedByOneWorkerOnly) {
  Create(NewJob("a"));
  Result<std::optional<Job>> first = store_->ClaimJob("w1", 1000, 5000);
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->status, JobStatus::kRunning);
  EXPECT_EQ((*first)->attempts, 1);
  EXPECT_EQ(Claim("w2", 1000, 5000), "");
}

TEST_P(StoreTest, ConcurrentClaimsFromSeveralConnectionsNeverShareAJob) {
  for (int i = 0; i < 50; ++i) Create(NewJob("j" + std::to_string(i)));
  std::vector<std::unique_ptr<Store>> connections;
  for (int i = 0; i < 4; ++i) connections.push_back(Open());
  std::vector<std::vector<std::string>> claimed(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        Result<std::optional<Job>> job = connections[t]->ClaimJob("w" + std::to_string(t), 1000, 9000);
        if (!job.ok() || !*job) break;
        claimed[t].push_back((*job)->id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  size_t total = 0;
  for (const auto& list : claimed) {
    total += list.size();
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(total, 50u);
  EXPECT_EQ(all.size(), 50u);
}

TEST_P(StoreTest, HeartbeatsExtendOnlyTheHoldersLease) {
  Create(NewJob("a"));
  Claim("w1", 1000, 2000);
  EXPECT_TRUE(store_->Heartbeat("a", "w1", 9000).ok());
  EXPECT_EQ(store_->Heartbeat("a", "w2", 9000).code(), StatusCode::kConflict);
  EXPECT_EQ(Get("a").lease_until, 9000);
}

// Validation jobs share the queue with render jobs; each kind is listed on
// its own, and a running job's progress is written only by its holder.
TEST_P(StoreTest, JobsOfEachKindAreListedApartAndReportProgress) {
  Create(NewJob("render", "", 1000));
  Job validation = NewJob("validation", "", 2000);
  validation.kind = JobKind::kValidate;
  validation.progress = {{"policies_done", 0}, {"policies_total", 12}};
  Create(validation);
  JobFilter filter;
  filter.kind = JobKind::kValidate;
  auto listed = store_->ListJobs(filter);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, "validation");
  EXPECT_EQ((*listed)[0].kind, JobKind::kValidate);
  EXPECT_EQ((*listed)[0].progress["policies_total"], 12);
  filter.kind = JobKind::kRender;
  EXPECT_EQ(store_->ListJobs(filter)->size(), 1u);
  EXPECT_EQ(store_->ListJobs({})->size(), 2u);
  EXPECT_EQ(Claim("w1", 3000, 9000), "render");
  EXPECT_EQ(Claim("w1", 3000, 9000), "validation");
  EXPECT_TRUE(store_->ReportProgress("validation", "w1", {{"policies_done", 5}, {"policies_total", 12}}).ok());
  EXPECT_EQ(store_->ReportProgress("validation", "w2", {{"policies_done", 9}}).code(), StatusCode::kConflict);
  EXPECT_EQ(Get("validation").progress["policies_done"], 5);
  ASSERT_TRUE(store_->CancelJob("validation", testing::By(4000)).ok());
  EXPECT_EQ(store_->ReportProgress("validation", "w1", {{"policies_done", 6}}).code(), StatusCode::kConflict)
      << "a canceled job's worker learns it at its next report";
}

TEST_P(StoreTest, ExpiredLeasesReturnToTheQueueAndTheOldHolderCannotFinish) {
  Create(NewJob("a"));
  Claim("w1", 1000, 2000);
  EXPECT_EQ(store_->ReapExpiredLeases(1500)->total(), 0);
  EXPECT_EQ(store_->ReapExpiredLeases(2500)->requeued, 1);
  EXPECT_EQ(Get("a").status, JobStatus::kQueued);
  Result<std::optional<Job>> again = store_->ClaimJob("w2", 2600, 9000);
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_EQ((*again)->attempts, 2);
  EXPECT_EQ(store_->CompleteJob("a", "w1", {{"pages", 1}}, 3000).code(), StatusCode::kConflict);
  EXPECT_TRUE(store_->CompleteJob("a", "w2", {{"pages", 1}}, 3000).ok());
  EXPECT_EQ(Get("a").status, JobStatus::kSucceeded);
}

TEST_P(StoreTest, ALeaseThatExpiresOnTheLastAttemptFailsTheJob) {
  Job job = NewJob("a");
  job.max_attempts = 1;
  Create(job);
  Claim("w1", 1000, 2000);
  const Result<ReapedLeases> reaped = store_->ReapExpiredLeases(3000);
  EXPECT_EQ(reaped->failed, 1);
  EXPECT_EQ(reaped->requeued, 0);
  Job failed = Get("a");
  EXPECT_EQ(failed.status, JobStatus::kFailed);
  EXPECT_EQ(failed.errors[0]["code"], "lease_expired");
}

TEST_P(StoreTest, RetryLaterWaitsUntilItsTime) {
  Create(NewJob("a"));
  Claim("w1", 1000, 5000);
  EXPECT_TRUE(store_->RetryLater("a", "w1", nlohmann::json::array(), 4000, 1100).ok());
  EXPECT_EQ(Claim("w1", 3999, 9000), "");
  EXPECT_EQ(Claim("w1", 4000, 9000), "a");
}

TEST_P(StoreTest, AReleasedJobGoesBackToTheQueueWithoutSpendingItsAttempt) {
  Create(NewJob("a"));
  Claim("w1", 1000, 5000);
  EXPECT_EQ(store_->ReleaseJob("a", "w2", 1200, 1100).code(), StatusCode::kConflict);  // not the holder
  EXPECT_TRUE(store_->ReleaseJob("a", "w1", 1200, 1100).ok());
  Job released = Get("a");
  EXPECT_EQ(released.status, JobStatus::kQueued);
  EXPECT_EQ(released.attempts, 0);
  EXPECT_EQ(Claim("w1", 1199, 9000), "");
  Result<std::optional<Job>> again = store_->ClaimJob("w1", 1200, 9000);
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_EQ((*again)->attempts, 1);
}

TEST_P(StoreTest, AfterTenReleasesAnOutageCountsTheAttempt) {
  Create(NewJob("a"));
  for (int i = 0; i < kFreeReleases + 2; ++i) {
    ASSERT_EQ(Claim("w", 1000 + i, 9000), "a");
    ASSERT_TRUE(store_->ReleaseJob("a", "w", 1000 + i, 1000 + i).ok());
  }
  const Job job = Get("a");
  EXPECT_EQ(job.releases, kFreeReleases + 2);
  EXPECT_EQ(job.attempts, 2);  // the two releases beyond the free ones counted
  ASSERT_TRUE(store_->CancelJob("a", testing::By(2000)).ok());
  ASSERT_TRUE(store_->RetryJob("a", testing::By(2100)).ok());
  EXPECT_EQ(Get("a").releases, 0);  // a retry by hand starts afresh
}

// The whole audit log, oldest first, read two entries at a time (as
// `docgen audit verify` pages through it), and what a walk of its chain says.
struct AuditWalk {
  std::vector<AuditEntry> entries;
  std::string problem;  // "" when the chain holds
};

AuditWalk WalkAudit(Store& store) {
  AuditWalk walk;
  AuditChainVerifier verifier;
  AuditFilter page;
  page.after_seq = 0;
  page.limit = 2;
  while (true) {
    Result<std::vector<AuditEntry>> entries = store.ListAudit(page);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (!entries.ok() || entries->empty()) break;
    for (const auto& e : *entries) {
      verifier.Add(e);
      walk.entries.push_back(e);
    }
    page.after_seq = entries->back().seq;
  }
  walk.problem = verifier.problem();
  return walk;
}

std::vector<std::string> ActionsAndTargets(const AuditWalk& walk) {
  std::vector<std::string> out;
  for (const auto& e : walk.entries) out.push_back(e.action + " " + e.target);
  return out;
}

TEST_P(StoreTest, EveryAuditedChangeWritesOneEntryAndRefusalsWriteNone) {
  Create(NewJob("a"));
  const Actor alice{"alice", "admin", "req-1", "", 1000};
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array(), alice).ok());
  ASSERT_TRUE(store_->DeleteDraft("A", alice).ok());
  EXPECT_EQ(store_->DeleteDraft("A", alice).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->PutTemplateDraft("templates/a.md", "# A", alice).ok());
  ASSERT_TRUE(store_->DeleteTemplateDraft("templates/a.md", alice).ok());
  ASSERT_TRUE(store_->PublishCatalog({0, "sha256:aa", "Acme", 1000, "alice", nlohmann::json::object()}, alice).ok());
  ASSERT_TRUE(store_->PublishCatalog({0, "sha256:aa", "Acme", 1000, "alice", nlohmann::json::object()}, alice).ok());  // already current
  ASSERT_TRUE(store_->CancelJob("a", alice).ok());
  EXPECT_EQ(store_->CancelJob("a", alice).status().code(), StatusCode::kConflict);
  ASSERT_TRUE(store_->RetryJob("a", alice).ok());
  ASSERT_TRUE(store_->AppendAudit(CommandLineActor(2000, "left the team"), "token.revoke", "token:0123456789ab",
                                  {{"subject", "bob"}}).ok());

  AuditWalk walk = WalkAudit(*store_);
  EXPECT_EQ(walk.problem, "");
  EXPECT_EQ(ActionsAndTargets(walk), (std::vector<std::string>{
                                         "draft.save document:A", "draft.delete document:A",
                                         "template_draft.save template:templates/a.md", "template_draft.delete template:templates/a.md",
                                         "catalog.publish catalog_version:1", "job.cancel job:a", "job.retry job:a",
                                         "token.revoke token:0123456789ab"}));
  for (size_t i = 0; i < walk.entries.size(); ++i) EXPECT_EQ(walk.entries[i].seq, static_cast<int64_t>(i + 1));
  const AuditEntry& publish = walk.entries[4];
  EXPECT_EQ(publish.actor.name, "alice");
  EXPECT_EQ(publish.actor.role, "admin");
  EXPECT_EQ(publish.actor.request_id, "req-1");
  EXPECT_EQ(nlohmann::json::parse(publish.details)["digest"], "sha256:aa");
  EXPECT_EQ(walk.entries[7].actor.role, "cli");
  EXPECT_EQ(walk.entries[7].actor.reason, "left the team");
}

// A failure after the change but before the commit (here: writing its audit
// entry) leaves neither the change nor the entry.
TEST_P(StoreTest, AChangeAndItsAuditEntryCommitTogetherOrNotAtAll) {
  Create(NewJob("a"));
  ASSERT_TRUE(store_->PutDraft("kept", nlohmann::json::array(), testing::By(1000)).ok());
  Refuse("INSERT", "audit_log");
  EXPECT_FALSE(store_->PutDraft("A", nlohmann::json::array(), testing::By(1000)).ok());
  EXPECT_FALSE(store_->DeleteDraft("kept", testing::By(1000)).ok());
  EXPECT_FALSE(store_->PutTemplateDraft("templates/a.md", "# A", testing::By(1000)).ok());
  EXPECT_FALSE(store_->CancelJob("a", testing::By(1000)).ok());
  EXPECT_FALSE(store_->PublishDrafts({0, "sha256:bb", "Acme", 1000, "t", nlohmann::json::object()}, *store_->Drafts(), {},
                                     testing::By(1000)).ok());
  EXPECT_FALSE(store_->PublishCatalog({0, "sha256:aa", "Acme", 1000, "t", nlohmann::json::object()}, testing::By(1000)).ok());
  EXPECT_FALSE(store_->AppendAudit(testing::By(1000), "token.create", "token:x", nlohmann::json::object()).ok());
  OpRun run;
  run.id = "op_1";
  run.operation = "prune";
  run.by = testing::By(1000);
  EXPECT_FALSE(store_->CreateOpRun(run).ok());

  EXPECT_EQ(store_->ListOpRuns(10)->size(), 0u);
  EXPECT_EQ(store_->Drafts()->size(), 1u);
  EXPECT_EQ(store_->Drafts()->count("kept"), 1u);
  EXPECT_TRUE(store_->TemplateDrafts()->empty());
  EXPECT_EQ(Get("a").status, JobStatus::kQueued);
  EXPECT_EQ(*store_->CurrentCatalogVersion(), 0);
  EXPECT_EQ(WalkAudit(*store_).entries.size(), 1u);  // only the draft saved before
}

class AuditChainTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(store_->PutDraft("D" + std::to_string(i), nlohmann::json::array(), testing::By(1000 * i)).ok());
    }
    ASSERT_EQ(WalkAudit(*store_).problem, "");
  }
};

TEST_P(AuditChainTest, AnEntryEditedInTheDatabaseIsNamed) {
  Raw("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
  EXPECT_EQ(WalkAudit(*store_).problem, "entry 3 was changed after it was written (its hash does not match its content)");
}

TEST_P(AuditChainTest, AnEntryDeletedFromTheMiddleIsNamed) {
  Raw("DELETE FROM audit_log WHERE seq = 3");
  EXPECT_EQ(WalkAudit(*store_).problem, "entry 3 is missing: it was removed from the log");
}

// Entries 3-5 moved up one, and a forged entry 3 that links correctly to
// entry 2: the old entry 3 (now 4) no longer follows it.
TEST_P(AuditChainTest, AnEntryInsertedInTheMiddleIsNamed) {
  const AuditEntry second = WalkAudit(*store_).entries[1];
  Raw("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3");
  Raw("UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000");
  AuditEntry forged;
  forged.seq = 3;
  forged.actor = {"mallory", "admin", "", "", 2500};
  forged.action = "draft.save";
  forged.target = "document:X";
  forged.details = "{}";
  forged.prev_hash = second.hash;
  forged.hash = AuditHash(forged);
  Raw("INSERT INTO audit_log (seq, at, actor, role, action, target, request_id, reason, details, prev_hash, hash) VALUES "
      "(3, 2500, 'mallory', 'admin', 'draft.save', 'document:X', '', '', '{}', '" + forged.prev_hash + "', '" + forged.hash + "')");
  EXPECT_EQ(WalkAudit(*store_).problem,
            "entry 4 does not follow entry 3 (its prev_hash differs): an entry was inserted or replaced here");
}

TEST_P(AuditChainTest, ListsNewestFirstWithFiltersAndPages) {
  ASSERT_TRUE(store_->DeleteDraft("D1", {"bob", "admin", "", "", 9000}).ok());
  AuditFilter filter;
  filter.limit = 2;
  auto page = *store_->ListAudit(filter);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 6);
  EXPECT_EQ(page[1].seq, 5);
  filter.before_seq = page[1].seq;  // the next page
  page = *store_->ListAudit(filter);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, 4);

  AuditFilter by_actor;
  by_actor.actor = "bob";
  EXPECT_EQ(store_->ListAudit(by_actor)->size(), 1u);
  AuditFilter by_action;
  by_action.action = "draft.save";
  EXPECT_EQ(store_->ListAudit(by_action)->size(), 5u);
  AuditFilter by_target;
  by_target.target = "document:D1";
  EXPECT_EQ(store_->ListAudit(by_target)->size(), 2u);
  AuditFilter window;
  window.since = 2000;
  window.until = 4000;  // entries at 2000 and 3000
  auto in_window = *store_->ListAudit(window);
  ASSERT_EQ(in_window.size(), 2u);
  EXPECT_EQ(in_window[0].actor.at, 3000);
}

// Registered operations: a run's steps are applied at most once, by the
// worker that holds the run; a run whose worker died is claimed again and
// goes on from the first step not applied.
class OpRunTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    for (const char* id : {"a", "b"}) {
      Create(NewJob(id));
      ASSERT_EQ(Claim("w", 1000, 5000), id);
      ASSERT_TRUE(store_->FailJob(id, "w", nlohmann::json::array(), 1100).ok());
    }
  }
  OpRun NewRun(bool dry_run = false) {
    OpRun run;
    run.id = "op_1";
    run.operation = "retry-failed";
    run.params = {{"since", "1970-01-01"}};
    run.dry_run = dry_run;
    run.by = {"alice", "admin", "req-9", "after the outage", 2000};
    run.plan = nlohmann::json::array({{{"description", "queue a"}}, {{"description", "queue b"}}});
    return run;
  }
  static OpStep Retry(const std::string& job) {
    OpStep step;
    step.kind = OpStep::Kind::kRetryJob;
    step.job_id = job;
    return step;
  }
};

TEST_P(OpRunTest, AStepIsAppliedOnceByTheWorkerThatHoldsTheRun) {
  ASSERT_TRUE(store_->CreateOpRun(NewRun()).ok());
  EXPECT_EQ(store_->ApplyOpStep("op_1", 0, Retry("a"), "w1", 2100, 9000).status().code(), StatusCode::kConflict) << "not claimed yet";
  auto claimed = store_->ClaimOpRun("op_1", "w1", 2100, 9000);
  ASSERT_TRUE(claimed.ok() && *claimed);
  EXPECT_EQ((*claimed)->status, "running");
  EXPECT_FALSE(*store_->ClaimOpRun("", "w2", 2200, 9000)) << "held: no one else gets it";

  auto first = store_->ApplyOpStep("op_1", 0, Retry("a"), "w1", 2300, 9000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(**first, "queued job a again");
  EXPECT_EQ(Get("a").status, JobStatus::kQueued);
  ASSERT_EQ(Claim("w", 2400, 9000), "a");  // it runs, and fails again
  ASSERT_TRUE(store_->FailJob("a", "w", nlohmann::json::array(), 2500).ok());
  auto again = store_->ApplyOpStep("op_1", 0, Retry("a"), "w1", 2600, 9000);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "step 0 was applied before";
  EXPECT_EQ(Get("a").status, JobStatus::kFailed) << "not queued a second time";
  EXPECT_EQ(store_->ApplyOpStep("op_1", 1, Retry("b"), "w2", 2700, 9000).status().code(), StatusCode::kConflict) << "w2 does not hold it";
  EXPECT_EQ(store_->ApplyOpStep("op_1", 2, Retry("b"), "w1", 2700, 9000).status().code(), StatusCode::kInvalidArgument)
      << "the plan has 2 steps";
}

TEST_P(OpRunTest, ARunWhoseWorkerDiedIsResumedAtItsFirstStepNotApplied) {
  ASSERT_TRUE(store_->CreateOpRun(NewRun()).ok());
  ASSERT_TRUE(*store_->ClaimOpRun("", "w1", 2100, 3000));
  ASSERT_TRUE(store_->ApplyOpStep("op_1", 0, Retry("a"), "w1", 2200, 3000).ok());  // lease until 3000; then w1 dies
  EXPECT_FALSE(*store_->ClaimOpRun("", "w2", 2900, 9000)) << "the lease still runs";
  auto resumed = store_->ClaimOpRun("", "w2", 3000, 9000);
  ASSERT_TRUE(resumed.ok() && *resumed);
  EXPECT_EQ((*resumed)->steps_done, 1);
  EXPECT_EQ(store_->ApplyOpStep("op_1", 1, Retry("b"), "w1", 3100, 9000).status().code(), StatusCode::kConflict) << "w1 lost it";
  ASSERT_TRUE(store_->ApplyOpStep("op_1", 1, Retry("b"), "w2", 3100, 9000).ok());
  ASSERT_TRUE(store_->FinishOpRun("op_1", "w2", "", 3200).ok());
  EXPECT_EQ(store_->FinishOpRun("op_1", "w2", "", 3300).code(), StatusCode::kConflict) << "finished once";

  OpRun done = *store_->GetOpRun("op_1");
  EXPECT_EQ(done.status, "succeeded");
  EXPECT_EQ(done.steps_done, 2);
  EXPECT_EQ(done.outcomes, (std::vector<std::string>{"queued job a again", "queued job b again"}));
  EXPECT_EQ(done.by.reason, "after the outage");
  EXPECT_EQ(done.finished_at, 3200);
  EXPECT_EQ(store_->GetOpRun("op_2").status().code(), StatusCode::kNotFound);
}

TEST_P(OpRunTest, ADryRunIsStoredFinishedAndEveryRunIsAudited) {
  OpRun dry = NewRun(true);
  dry.id = "op_dry";
  ASSERT_EQ(store_->CreateOpRun(dry)->status, "succeeded");
  ASSERT_EQ(store_->CreateOpRun(NewRun())->status, "queued");
  EXPECT_FALSE(*store_->ClaimOpRun("op_dry", "w", 2100, 9000)) << "a dry run is never run";
  auto runs = *store_->ListOpRuns(10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(ActionsAndTargets(WalkAudit(*store_)), (std::vector<std::string>{"ops.dry_run ops_run:op_dry", "ops.run ops_run:op_1"}));
}

// The change of a step and its record commit together: a failure recording
// the step leaves the job as it was.
TEST_P(OpRunTest, AStepAndItsRecordCommitTogetherOrNotAtAll) {
  ASSERT_TRUE(store_->CreateOpRun(NewRun()).ok());
  ASSERT_TRUE(*store_->ClaimOpRun("op_1", "w1", 2100, 9000));
  Refuse("INSERT", "ops_steps");
  EXPECT_FALSE(store_->ApplyOpStep("op_1", 0, Retry("a"), "w1", 2200, 9000).ok());
  EXPECT_EQ(Get("a").status, JobStatus::kFailed);
  EXPECT_EQ(store_->GetOpRun("op_1")->steps_done, 0);
}

TEST_P(OpRunTest, StepsCopyJobsPruneAndRepublish) {
  OpRun three = NewRun();
  three.plan.push_back({{"description", "prune"}});
  ASSERT_TRUE(store_->CreateOpRun(three).ok());
  ASSERT_TRUE(*store_->ClaimOpRun("op_1", "w1", 2100, 9000));
  Publish({0, "sha256:v1", "Acme", 1000, "t", {{"catalog.yaml", "one"}}});
  Publish({0, "sha256:v2", "Acme", 1000, "t", {{"catalog.yaml", "two"}}});
  OpStep copy;
  copy.kind = OpStep::Kind::kCopyJob;
  copy.job_id = "a";
  copy.new_job_id = "a2";
  EXPECT_EQ(**store_->ApplyOpStep("op_1", 0, copy, "w1", 2200, 9000), "created job a2 from job a");
  const Job a2 = Get("a2");
  EXPECT_EQ(a2.status, JobStatus::kQueued);
  EXPECT_EQ(a2.catalog_version, 2) << "on the current version";
  EXPECT_EQ(a2.quote_id, "Q-a");

  OpStep republish;
  republish.kind = OpStep::Kind::kRepublish;
  republish.number = 1;
  EXPECT_EQ(**store_->ApplyOpStep("op_1", 1, republish, "w1", 2300, 9000),
            "catalog version 3 is current: the files of version 1");
  EXPECT_EQ(store_->GetCatalogVersion(0)->digest, "sha256:v1");
  EXPECT_EQ(store_->GetCatalogVersion(0)->created_by, "alice");

  OpStep prune;
  prune.kind = OpStep::Kind::kPruneJobs;
  prune.number = 1200;  // a and b failed at 1100
  EXPECT_EQ(**store_->ApplyOpStep("op_1", 2, prune, "w1", 2400, 9000), "deleted 2 finished jobs");  // a and b, failed at 1100
  EXPECT_EQ(store_->GetJob("b").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get("a2").status, JobStatus::kQueued) << "the copy is not finished: it stays";
}

// A failure inside the transaction that publishes drafts leaves neither the
// new version nor the cleared drafts.
TEST_P(StoreTest, PublishingDraftsIsOneTransaction) {
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array(), testing::By(1000)).ok());
  const auto snapshot = *store_->Drafts();
  Refuse("DELETE", "catalog_drafts");
  Result<CatalogVersion> published = store_->PublishDrafts({0, "sha256:dd", "Acme", 1000, "test", nlohmann::json::object()}, snapshot, {}, testing::By(1000));
  EXPECT_FALSE(published.ok());
  EXPECT_EQ(*store_->CurrentCatalogVersion(), 0);  // no version without its drafts cleared
  EXPECT_EQ(store_->Drafts()->size(), 1u);
}

// Template drafts are cleared in the same transaction: a failure clearing
// them leaves no version and every draft (documents and templates) in place.
TEST_P(StoreTest, PublishingTemplateDraftsIsTheSameTransaction) {
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array(), testing::By(1000)).ok());
  ASSERT_TRUE(store_->PutTemplateDraft("templates/a.md", "# A\n", testing::By(1000)).ok());
  const auto documents = *store_->Drafts();
  const auto templates = *store_->TemplateDrafts();
  Refuse("DELETE", "template_drafts");
  Result<CatalogVersion> published =
      store_->PublishDrafts({0, "sha256:dd", "Acme", 1000, "test", nlohmann::json::object()}, documents, templates, testing::By(1000));
  EXPECT_FALSE(published.ok());
  EXPECT_EQ(*store_->CurrentCatalogVersion(), 0);
  EXPECT_EQ(store_->Drafts()->size(), 1u);
  EXPECT_EQ(store_->TemplateDrafts()->size(), 1u);
}

TEST_P(StoreTest, TemplateDraftsArePerPathAndClearedByPublishingInOneTransaction) {
  const std::string text = "---\nfooter: \"{{page}}\"\n---\n# Caf\u00e9 \u2014 {{doc.title}}\n";  // UTF-8 kept as sent
  ASSERT_TRUE(store_->PutTemplateDraft("templates/a.md", text, testing::By(1000)).ok());
  ASSERT_TRUE(store_->PutTemplateDraft("templates/b.md", "B", testing::By(1000)).ok());
  auto drafts = *store_->TemplateDrafts();
  ASSERT_EQ(drafts.size(), 2u);
  EXPECT_EQ(drafts["templates/a.md"].text, text);
  EXPECT_EQ(drafts["templates/a.md"].updated_at, 1000);
  EXPECT_TRUE(store_->DeleteTemplateDraft("templates/b.md", testing::By(1000)).ok());
  EXPECT_EQ(store_->DeleteTemplateDraft("templates/b.md", testing::By(1000)).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->PutDraft("D", nlohmann::json::array(), testing::By(1000)).ok());
  const auto documents = *store_->Drafts();
  const auto snapshot = *store_->TemplateDrafts();
  ASSERT_TRUE(store_->PutTemplateDraft("templates/c.md", "C", testing::By(1000)).ok());       // saved after the snapshot
  ASSERT_TRUE(store_->PutTemplateDraft("templates/a.md", "edited", testing::By(1000)).ok());  // edited after it, at the same time
  EXPECT_GT(store_->TemplateDrafts()->at("templates/a.md").updated_at, 1000);    // updated_at still moved
  Result<CatalogVersion> v =
      store_->PublishDrafts({0, "sha256:ee", "Acme", 1000, "test", nlohmann::json::object()}, documents, snapshot, testing::By(1000));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->version, 1);
  EXPECT_TRUE(store_->Drafts()->empty());  // the document draft went with it
  auto left = *store_->TemplateDrafts();
  EXPECT_EQ(left.size(), 2u);  // a (edited since) and c (new) stay drafts
  EXPECT_EQ(left["templates/a.md"].text, "edited");
  EXPECT_TRUE(left.count("templates/c.md"));
}

TEST_P(StoreTest, CancelAndRetrySayWhyTheyAreRefused) {
  Create(NewJob("a"));
  Result<Job> canceled = store_->CancelJob("a", testing::By(1100));
  ASSERT_TRUE(canceled.ok());
  EXPECT_EQ(canceled->status, JobStatus::kCanceled);
  Status again = store_->CancelJob("a", testing::By(1200)).status();
  EXPECT_EQ(again.code(), StatusCode::kConflict);
  EXPECT_NE(again.message().find("is canceled"), std::string::npos) << again.message();
  EXPECT_EQ(Claim("w", 1300, 9000), "");
  Result<Job> retried = store_->RetryJob("a", testing::By(1400));
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->status, JobStatus::kQueued);
  Result<std::optional<Job>> job = store_->ClaimJob("w", 1500, 9000);
  ASSERT_TRUE(job.ok() && *job);
  EXPECT_EQ((*job)->attempts, 1);
  EXPECT_EQ(store_->RetryJob("a", testing::By(1600)).status().code(), StatusCode::kConflict);  // running: nothing to retry
}

TEST_P(StoreTest, FinishedJobsWithACallbackWaitForTheirWebhook) {
  Job job = NewJob("a");
  job.callback_url = "http://127.0.0.1:1/hook";
  Create(job);
  Claim("w", 1000, 9000);
  ASSERT_TRUE(store_->CompleteJob("a", "w", {{"pages", 1}}, 2000).ok());
  auto pending = store_->ClaimWebhook(2000, 32000);
  ASSERT_TRUE(pending.ok() && *pending);
  EXPECT_FALSE(*store_->ClaimWebhook(2000, 32000));  // held while in flight
  ASSERT_TRUE(store_->RecordWebhookAttempt("a", {1, 2000, 500, "HTTP 500", 2000}, false, false, 3000).ok());
  auto retry = store_->ClaimWebhook(3000, 33000);
  ASSERT_TRUE(retry.ok() && *retry);
  ASSERT_TRUE(store_->RecordWebhookAttempt("a", {2, 3000, 204, "", 2000}, true, false, 0).ok());
  EXPECT_EQ(Get("a").webhook_state, "delivered");
  EXPECT_EQ(store_->WebhookAttempts("a")->size(), 2u);
}

TEST_P(StoreTest, AWebhookAttemptForAnEarlierFinishDoesNotTouchARetriedJob) {
  Job job = NewJob("a");
  job.callback_url = "http://example.test/hook";
  Create(job);
  Claim("w", 1000, 9000);
  ASSERT_TRUE(store_->FailJob("a", "w", nlohmann::json::array(), 2000).ok());
  ASSERT_TRUE(*store_->ClaimWebhook(2000, 32000));
  EXPECT_TRUE(store_->RetryJob("a", testing::By(2100)).ok());  // while the delivery is in flight
  ASSERT_TRUE(store_->RecordWebhookAttempt("a", {1, 2200, 500, "HTTP 500", 2000}, false, false, 2300).ok());
  EXPECT_EQ(Get("a").webhook_state, "");  // not "pending" for a queued job
  EXPECT_FALSE(*store_->ClaimWebhook(9999, 40000));
  EXPECT_EQ(store_->WebhookAttempts("a")->size(), 1u);  // the history is kept
}

TEST_P(StoreTest, PublishingTheSameCatalogTwiceKeepsOneVersion) {
  EXPECT_EQ(store_->GetCatalogVersion(0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CurrentCatalogVersion(), 0);
  EXPECT_EQ(Publish({0, "sha256:aa", "Acme", 1000, "test", {{"catalog.yaml", "name: A\n"}}}).version, 1);
  CatalogVersion same = Publish({0, "sha256:aa", "Acme", 2000, "other", {{"catalog.yaml", "name: A\n"}}});
  EXPECT_EQ(same.version, 1);
  EXPECT_EQ(same.created_at, 1000);  // the stored one
  EXPECT_EQ(Publish({0, "sha256:bb", "Acme", 3000, "test", {{"catalog.yaml", "name: B\n"}}}).version, 2);
  EXPECT_EQ(store_->GetCatalogVersion(0)->version, 2);
  EXPECT_EQ(store_->GetCatalogVersion(1)->files["catalog.yaml"], "name: A\n");
  EXPECT_EQ(store_->GetCatalogVersion(7).status().code(), StatusCode::kNotFound);
  // Publishing the first catalog again is a rollback: it becomes current, as version 3.
  EXPECT_EQ(Publish({0, "sha256:aa", "Acme", 4000, "test", {{"catalog.yaml", "name: A\n"}}}).version, 3);
  EXPECT_EQ(store_->GetCatalogVersion(0)->digest, "sha256:aa");
  EXPECT_EQ(*store_->CurrentCatalogVersion(), 3);
  EXPECT_EQ(store_->ListCatalogVersions()->size(), 3u);
}

TEST_P(StoreTest, DraftsArePerDocumentAndClearedByPublishingInOneTransaction) {
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array({{{"id", "A"}}}), testing::By(1000)).ok());
  ASSERT_TRUE(store_->PutDraft("B", nlohmann::json::array(), testing::By(1000)).ok());
  EXPECT_EQ(store_->Drafts()->size(), 2u);
  EXPECT_TRUE(store_->DeleteDraft("B", testing::By(1000)).ok());
  EXPECT_EQ(store_->DeleteDraft("B", testing::By(1000)).code(), StatusCode::kNotFound);
  auto snapshot = *store_->Drafts();
  ASSERT_TRUE(store_->PutDraft("C", nlohmann::json::array(), testing::By(1000)).ok());  // saved after the snapshot
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array({{{"id", "A"}, {"edition", "2"}}}), testing::By(1000)).ok());  // edited after it
  Result<CatalogVersion> v = store_->PublishDrafts({0, "sha256:cc", "Acme", 1000, "test", nlohmann::json::object()}, snapshot, {}, testing::By(1000));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->version, 1);
  auto left = *store_->Drafts();
  EXPECT_EQ(left.size(), 2u);  // A (edited since) and C (new) stay drafts
  EXPECT_TRUE(left.count("A") && left.count("C"));
}

TEST_P(StoreTest, StateSurvivesReopening) {
  Create(NewJob("a", "key"));
  store_.reset();
  store_ = Open();
  EXPECT_EQ(Get("a").idempotency_key, "key");
}

TEST_P(StoreTest, PruningRemovesOldFinishedJobsOnly) {
  Create(NewJob("old"));
  Create(NewJob("new"));
  Claim("w", 1000, 9000);
  ASSERT_TRUE(store_->CompleteJob("old", "w", {{"package_pdf", std::string(64, 'a')}}, 1500).ok());
  EXPECT_EQ(*store_->ReferencedBlobs(), std::vector<std::string>{std::string(64, 'a')});
  EXPECT_EQ(*store_->PruneJobs(1000), 0);
  EXPECT_EQ(*store_->PruneJobs(2000), 1);
  EXPECT_EQ(store_->GetJob("old").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetJob("new").ok());
}

TEST_P(StoreTest, BlobsAreNamedByContentAndPrunedWhenUnreferenced) {
  std::unique_ptr<BlobStore> owned;
  if (postgres()) {
    auto opened = OpenPostgresBlobStore(PostgresUrl(), 2);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    owned = std::move(*opened);
  } else {
    owned = OpenDirectoryBlobStore(dir_ / "blobs");
  }
  BlobStore& blobs = *owned;
  const std::string a = *blobs.Put("same bytes");
  EXPECT_EQ(*blobs.Put("same bytes"), a);
  const std::string b = *blobs.Put("other bytes");
  EXPECT_NE(a, b);
  EXPECT_EQ(blobs.List()->size(), 2u);
  EXPECT_EQ(*blobs.Get(a), "same bytes");
  EXPECT_EQ(blobs.Get("../../etc/passwd").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(blobs.Get(std::string(64, 'e')).status().code(), StatusCode::kNotFound);
  const std::string binary("\0\x01\xff%PDF", 7);
  const std::string c = *blobs.Put(binary);
  EXPECT_EQ(*blobs.Get(c), binary);
  EXPECT_EQ(*blobs.Prune({a, c}, 3600, 3600), 0);  // everything is young
  EXPECT_EQ(*blobs.Prune({a, c}, 0, 0), 1);        // b
  EXPECT_EQ(*blobs.List(), (std::set<std::string>{a, c}));
}

TEST(PostgresUrlTest, ConnectionsGetATimeoutAndKeepalivesUnlessTheUrlSetsThem) {
  EXPECT_EQ(WithConnectionDefaults("postgresql://docgen@db:5432/docgen"),
            "postgresql://docgen@db:5432/docgen?connect_timeout=5&keepalives=1&keepalives_idle=15&keepalives_interval=5"
            "&keepalives_count=3");
  const std::string own = WithConnectionDefaults("postgres://db/docgen?sslmode=require&connect_timeout=30");
  EXPECT_NE(own.find("sslmode=require&connect_timeout=30&keepalives=1"), std::string::npos) << own;
  EXPECT_EQ(own.find("connect_timeout=5"), std::string::npos) << own;
}

TEST(DirectoryBlobStoreTest, PartialWritesArePrunedOnceOld) {
  const fs::path dir = fs::temp_directory_path() / ("docgen-blob-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto blobs = OpenDirectoryBlobStore(dir);
  const std::string a = *blobs->Put("bytes");
  std::ofstream(dir / a.substr(0, 2) / (a + ".tmp-123")) << "partial";
  EXPECT_EQ(*blobs->Prune({a}, 0, 3600), 0);  // a young partial write may belong to a job in flight
  EXPECT_EQ(*blobs->Prune({a}, 0, 0), 1);
  EXPECT_EQ(*blobs->List(), std::set<std::string>{a});
  fs::remove_all(dir);
}

TEST_P(StoreTest, IdleWorkersAreWokenWhenAJobIsQueued) {
  auto waiter = Open();  // another connection, as another process would have
  uint64_t seen = waiter->JobsSignal();  // PostgreSQL: starts listening
  if (postgres()) {
    // Wait until the listener is in place and has done its first look, so
    // that only the NOTIFY of the new job can wake the wait below.
    pqxx::connection admin(PostgresUrl());
    for (int i = 0; i < 200; ++i) {
      if (pqxx::nontransaction(admin).exec("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%'").size() == 1) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = waiter->JobsSignal();
  }
  std::atomic<bool> woken{false};
  std::thread worker([&] {
    const auto started = std::chrono::steady_clock::now();
    waiter->WaitForJobs(seen, 20000);
    woken = std::chrono::steady_clock::now() - started < std::chrono::seconds(10);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // In-process for SQLite (the same Store), across connections for PostgreSQL.
  EXPECT_TRUE((postgres() ? store_ : waiter)->CreateJob(NewJob("wake")).ok());
  worker.join();
  EXPECT_TRUE(woken);
}

TEST_P(StoreTest, AJobQueuedBetweenTheSignalAndTheWaitIsNotMissed) {
  const uint64_t seen = store_->JobsSignal();
  EXPECT_EQ(Claim("w", 1000, 9000), "");  // an idle worker found nothing...
  Create(NewJob("meanwhile"));                      // ...and a job arrives before it waits
  if (postgres()) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the NOTIFY travels
  const auto started = std::chrono::steady_clock::now();
  store_->WaitForJobs(seen, 20000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_P(StoreTest, ADatabaseFromANewerDocgenIsRefused) {
  store_.reset();
  const std::string newer = "INSERT INTO schema_migrations (version) VALUES (99)";
  if (postgres()) {
    pqxx::connection c(PostgresUrl());
    pqxx::nontransaction(c).exec(newer);
  } else {
    ASSERT_EQ(std::system(("sqlite3 " + (dir_ / "db.sqlite").string() + " '" + newer + "'").c_str()), 0);
  }
  auto store = postgres() ? OpenPostgresStore(PostgresUrl(), 1) : OpenSqliteStore((dir_ / "db.sqlite").string());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("schema version 99, newer than this docgen"), std::string::npos)
      << store.status().ToString();
}

// docgen 0.1 numbered the SQLite schema in PRAGMA user_version (1 to 3):
// 1 made jobs, webhook attempts and catalog versions; 2 added the drafts;
// 3 replaced the jobs_due index by jobs_queue.
TEST_P(StoreTest, DatabasesOfTheFirstSqliteSchemasAreAdoptedKeepingTheirJobs) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL databases always had schema_migrations";
  store_.reset();
  const std::string v1 =
      "CREATE TABLE jobs (id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, request_hash TEXT NOT NULL, status TEXT NOT NULL, "
      "quote TEXT NOT NULL, callback_url TEXT NOT NULL DEFAULT '', catalog_version INTEGER NOT NULL, attempts INTEGER NOT NULL "
      "DEFAULT 0, max_attempts INTEGER NOT NULL, run_after INTEGER NOT NULL, lease_owner TEXT NOT NULL DEFAULT '', lease_until "
      "INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, finished_at INTEGER NOT NULL "
      "DEFAULT 0, errors TEXT NOT NULL DEFAULT '[]', result TEXT NOT NULL DEFAULT 'null', webhook_state TEXT NOT NULL DEFAULT "
      "'', webhook_attempts INTEGER NOT NULL DEFAULT 0, webhook_next_at INTEGER NOT NULL DEFAULT 0); "
      "CREATE INDEX jobs_due ON jobs(status, run_after); CREATE INDEX jobs_created ON jobs(created_at); "
      "CREATE INDEX jobs_webhook ON jobs(webhook_state, webhook_next_at); "
      "CREATE TABLE webhook_attempts (job_id TEXT NOT NULL, generation INTEGER NOT NULL, attempt INTEGER NOT NULL, at INTEGER "
      "NOT NULL, http_status INTEGER NOT NULL, error TEXT NOT NULL, PRIMARY KEY (job_id, generation, attempt)); "
      "CREATE TABLE catalog_versions (version INTEGER PRIMARY KEY, digest TEXT NOT NULL, name TEXT NOT NULL, created_at "
      "INTEGER NOT NULL, created_by TEXT NOT NULL, files TEXT NOT NULL); "
      "INSERT INTO jobs (id, request_hash, status, quote, catalog_version, max_attempts, run_after, created_at, updated_at) "
      "VALUES ('kept', 'h', 'queued', '{}', 1, 3, 1000, 1000, 1000); "
      "INSERT INTO catalog_versions VALUES (1, 'sha256:aa', 'Acme', 1000, 'test', '{}'); ";
  const std::string v2 = v1 + "CREATE TABLE catalog_drafts (id TEXT PRIMARY KEY, editions TEXT NOT NULL, updated_at INTEGER NOT NULL); "
                              "INSERT INTO catalog_drafts VALUES ('A', '[]', 1000); ";
  const std::string v3 = v2 + "DROP INDEX jobs_due; CREATE INDEX jobs_queue ON jobs(status, run_after, created_at); ";
  const std::vector<std::pair<int, std::string>> legacy = {{1, v1}, {2, v2}, {3, v3}};
  for (const auto& [version, sql] : legacy) {
    SCOPED_TRACE("user_version " + std::to_string(version));
    const fs::path db = dir_ / ("legacy-" + std::to_string(version) + ".sqlite");
    ASSERT_EQ(std::system(("sqlite3 " + db.string() + " \"" + sql + "PRAGMA user_version = " + std::to_string(version) + ";\"").c_str()), 0);
    auto opened = OpenSqliteStore(db.string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    EXPECT_TRUE(store_->GetJob("kept").ok());
    EXPECT_EQ(Claim("w", 1000, 9000), "kept");
    EXPECT_EQ(*store_->CurrentCatalogVersion(), 1);
    EXPECT_EQ(Publish({0, "sha256:bb", "Acme", 2000, "test", nlohmann::json::object()}).version, 2);
    EXPECT_EQ(store_->Drafts()->size(), version >= 2 ? 1u : 0u);  // drafts kept
    EXPECT_TRUE(store_->PutDraft("B", nlohmann::json::array(), testing::By(1000)).ok());
    store_.reset();
    opened = OpenSqliteStore(db.string());  // and opening it again changes nothing
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ((*opened)->GetJob("kept")->attempts, 1);
  }
}

TEST_P(StoreTest, ADatabaseLockedByAnotherProcessIsAnOutageNotAFailure) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL outages are tested by ALostConnectionIsReopened and tests/scale_fault_test.sh";
  Create(NewJob("a"));
  // Another writer holds the write lock for longer than the busy timeout (10 s).
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Result<CreatedJob> blocked = store_->CreateJob(NewJob("b"));
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(store_->CreateJob(NewJob("b")).ok());  // nothing half-written, and it works again
  EXPECT_EQ(store_->ListJobs({})->size(), 2u);
}

TEST_P(StoreTest, ProcessesOpeningANewDatabaseAtOnceAllGetIt) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL migrations wait for an advisory lock";
  // Twenty `docgen token create` on a fresh data folder open its database at
  // the same moment: each must wait its turn to switch it to WAL, to migrate
  // and to write, also while the last one out checkpoints the WAL.
  store_.reset();
  for (int round = 0; round < 10; ++round) {
    const std::string db = (dir_ / ("fresh-" + std::to_string(round) + ".sqlite")).string();
    std::vector<pid_t> openers;
    for (int i = 0; i < 20; ++i) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        // Each opens the database, writes and closes it, as `token create` does.
        Result<std::unique_ptr<Store>> store = OpenSqliteStore(db);
        Status status = store.ok() ? (*store)->CreateJob(NewJob("job-" + std::to_string(i))).status() : store.status();
        if (store.ok()) store->reset();
        if (!status.ok()) std::fprintf(stderr, "%s\n", status.ToString().c_str());
        std::_Exit(status.ok() ? 0 : 1);
      }
      openers.push_back(pid);
    }
    int failed = 0;
    for (pid_t pid : openers) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failed;
    }
    EXPECT_EQ(failed, 0) << "round " << round;
  }
}

TEST_P(StoreTest, OnlyOneProcessReapsAtATime) {
  if (!postgres()) GTEST_SKIP() << "SQLite serialises writers with BEGIN IMMEDIATE; the advisory lock is PostgreSQL's";
  Create(NewJob("a"));
  Claim("w", 1000, 2000);
  pqxx::connection holder(PostgresUrl());
  pqxx::work tx(holder);
  tx.exec("SELECT pg_advisory_lock(" + std::to_string(0x646f6367656e02) + ")");  // another process is reaping
  EXPECT_EQ(store_->ReapExpiredLeases(5000)->total(), 0);
  tx.exec("SELECT pg_advisory_unlock(" + std::to_string(0x646f6367656e02) + ")");
  EXPECT_EQ(store_->ReapExpiredLeases(5000)->requeued, 1);
}

TEST_P(StoreTest, ALostConnectionIsReopened) {
  if (!postgres()) GTEST_SKIP() << "SQLite has no connection to lose";
  Create(NewJob("a"));
  pqxx::connection admin(PostgresUrl());
  // Ends every other session, as a server restart does.
  pqxx::nontransaction(admin).exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                                   "AND datname = current_database()");
  EXPECT_EQ(Get("a").id, "a");
  EXPECT_EQ(Claim("w", 1000, 2000), "a");
}

// Each backend maps its native errors in one place; the same kind of fault
// gets the same code on both.
TEST(StoreErrorMappingTest, SqliteOutagesAreUnavailableAndOnlyUniqueKeysConflict) {
  for (int code : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_IOERR_WRITE, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOMEM,
                   SQLITE_READONLY}) {
    EXPECT_EQ(StatusOfSqliteError(code, "x").code(), StatusCode::kUnavailable) << code;
  }
  EXPECT_EQ(StatusOfSqliteError(SQLITE_CONSTRAINT_UNIQUE, "x").code(), StatusCode::kConflict);
  EXPECT_EQ(StatusOfSqliteError(SQLITE_CONSTRAINT_PRIMARYKEY, "x").code(), StatusCode::kConflict);
  EXPECT_EQ(StatusOfSqliteError(SQLITE_CONSTRAINT_NOTNULL, "x").code(), StatusCode::kInternal);
  EXPECT_EQ(StatusOfSqliteError(SQLITE_CORRUPT, "x").code(), StatusCode::kInternal);
}

TEST(StoreErrorMappingTest, PostgresOutagesAreUnavailableAndOnlyUniqueKeysConflict) {
  auto code_of = [](const char* sqlstate) {
    return StatusOfPostgresFailure(std::make_exception_ptr(pqxx::sql_error("x", "SELECT 1", sqlstate))).code();
  };
  for (const char* state : {"53100", "53200", "53300", "58030", "25006", "57014", "55P03", "57P01", "08006"}) {
    EXPECT_EQ(code_of(state), StatusCode::kUnavailable) << state;
  }
  EXPECT_EQ(code_of("23505"), StatusCode::kConflict);
  EXPECT_EQ(code_of("23502"), StatusCode::kInternal);  // not null
  EXPECT_EQ(code_of("42P01"), StatusCode::kInternal);  // no such table
  EXPECT_EQ(StatusOfPostgresFailure(std::make_exception_ptr(PgUnavailable("down"))).code(), StatusCode::kUnavailable);
  EXPECT_EQ(StatusOfPostgresFailure(std::make_exception_ptr(pqxx::broken_connection("gone"))).code(), StatusCode::kUnavailable);
}

// Test runs (SPEC §8): a run's variants are recorded once, by the worker that holds the run.
TEST_P(StoreTest, ATestRunRecordsEachVariantOnceAndOnlyWhileHeld) {
  Job run = NewJob("run_1");
  run.kind = JobKind::kTestRun;
  Create(run);
  ASSERT_EQ(Claim("w1", 1000, 5000), "run_1");
  auto variant = [](int64_t seq, const std::string& status, const std::string& page) {
    TestVariantRecord v;
    v.seq = seq;
    v.key = "FORM@" + std::to_string(seq) + "/cyber/CA/1";
    v.status = status;
    v.result = {{"pages", 1}, {"inputs", "sha256:" + std::to_string(seq)}};
    v.pages = {page};
    v.diffs = {status == "changed" ? std::string(64, 'd') : ""};
    return v;
  };
  const std::string page_a(64, 'a'), page_b(64, 'b');
  ASSERT_TRUE(store_->RecordTestVariants("run_1", "w1", {variant(1, "new", page_a), variant(2, "changed", page_b)},
                                         {{"variants_done", 2}, {"variants_total", 3}})
                  .ok());
  // A second attempt that records variant 2 again (its first attempt died after recording it) keeps the first result.
  ASSERT_TRUE(store_->RecordTestVariants("run_1", "w1", {variant(2, "failed", ""), variant(3, "same", "")}, {{"variants_done", 3}}).ok());
  // A worker that no longer holds the run records nothing.
  EXPECT_EQ(store_->RecordTestVariants("run_1", "w2", {variant(4, "new", "")}, {}).code(), StatusCode::kConflict);

  Result<std::vector<TestVariantRecord>> all = store_->TestVariants("run_1", {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].status, "changed");
  EXPECT_EQ((*all)[1].pages, std::vector<std::string>{page_b});
  EXPECT_EQ((*all)[1].diffs, std::vector<std::string>{std::string(64, 'd')});
  EXPECT_EQ((*all)[0].diffs, std::vector<std::string>{""});
  EXPECT_EQ((*all)[0].result, nlohmann::json({{"pages", 1}, {"inputs", "sha256:1"}}));
  EXPECT_EQ(Get("run_1").progress["variants_done"], 3);

  TestVariantFilter changed;
  changed.status = "changed";
  ASSERT_EQ(store_->TestVariants("run_1", changed)->size(), 1u);
  TestVariantFilter page;
  page.after = 1;
  page.limit = 1;
  ASSERT_EQ(store_->TestVariants("run_1", page)->size(), 1u);
  EXPECT_EQ(store_->TestVariants("run_1", page)->front().seq, 2);

  // Their pictures are kept from pruning while the run is.
  std::vector<std::string> referenced = *store_->ReferencedBlobs();
  for (const auto& name : {page_a, page_b, std::string(64, 'd')}) {
    EXPECT_NE(std::find(referenced.begin(), referenced.end(), name), referenced.end()) << name;
  }
  ASSERT_TRUE(store_->CompleteJob("run_1", "w1", {{"variants", 3}}, 2000).ok());
  EXPECT_EQ(*store_->PruneJobs(3000), 1);
  EXPECT_TRUE(store_->TestVariants("run_1", {})->empty());
  EXPECT_TRUE(store_->ReferencedBlobs()->empty());
}

TEST_P(StoreTest, ApprovingGoldensReplacesAndDropsThemWithOneAuditEntry) {
  Golden a{"A@1/cyber/CA/1", 1, "pdf-a", "in-a", {std::string(64, 'a')}, "", 0};
  Golden b{"B@1/cyber/CA/1", 2, "pdf-b", "in-b", {std::string(64, 'b'), std::string(64, 'c')}, "", 0};
  ASSERT_TRUE(store_->ApproveGoldens("run_1", {a, b}, {}, {{"approved", 2}}, testing::By(1000)).ok());
  a.pdf_sha256 = "pdf-a2";
  a.blobs = {std::string(64, 'e')};
  ASSERT_TRUE(store_->ApproveGoldens("run_2", {a}, {b.key}, {{"approved", 1}, {"dropped", 1}}, testing::By(2000)).ok());

  std::map<std::string, Golden> goldens = *store_->Goldens();
  ASSERT_EQ(goldens.size(), 1u);
  EXPECT_EQ(goldens[a.key].pdf_sha256, "pdf-a2");
  EXPECT_EQ(goldens[a.key].blobs, std::vector<std::string>{std::string(64, 'e')});
  EXPECT_EQ(goldens[a.key].run_id, "run_2");
  EXPECT_EQ(goldens[a.key].approved_at, 2000);
  EXPECT_EQ(*store_->ReferencedBlobs(), std::vector<std::string>{std::string(64, 'e')});

  AuditFilter filter;
  filter.action = "test_run.approve";
  std::vector<AuditEntry> entries = *store_->ListAudit(filter);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].target, "test_run:run_2");
  EXPECT_EQ(nlohmann::json::parse(entries[0].details)["dropped"], 1);

  // Both or neither: an approval whose audit entry cannot be written changes no golden.
  Refuse("INSERT", "audit_log");
  a.pdf_sha256 = "pdf-a3";
  EXPECT_FALSE(store_->ApproveGoldens("run_3", {a}, {}, {}, testing::By(3000)).ok());
  EXPECT_EQ(store_->Goldens()->at(a.key).pdf_sha256, "pdf-a2");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });
INSTANTIATE_TEST_SUITE_P(Backends, OpRunTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });
INSTANTIATE_TEST_SUITE_P(Backends, AuditChainTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace docgen
