// The Store contract, run against every backend: SQLite, and PostgreSQL when
// DOCGEN_TEST_POSTGRES names a server (tests/with_postgres.sh starts one;
// ctest always runs it so). Times are passed explicitly, so leases and
// backoff are tested without sleeping.
#include <docgen/store.h>

#include "store/blob_store.h"
#include "store/pg_pool.h"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <filesystem>
#include <fstream>
#include <atomic>
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
    Status status;
    auto store = postgres() ? OpenPostgresStore(PostgresUrl(), 4, &status) : OpenSqliteStore((dir_ / "db.sqlite").string(), &status);
    EXPECT_TRUE(status.ok) << status.message;
    return store;
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
    Job stored;
    bool created = false;
    EXPECT_TRUE(store_->CreateJob(job, &stored, &created).ok);
    return stored;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, CreatedJobsAreQueuedAndListedNewestFirst) {
  Create(NewJob("a", "", 1000));
  Create(NewJob("b", "", 2000));
  auto jobs = store_->ListJobs({});
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].id, "b");
  EXPECT_EQ(jobs[1].status, JobStatus::kQueued);
  JobFilter filter;
  filter.created_after = 1500;
  EXPECT_EQ(store_->ListJobs(filter).size(), 1u);
}

TEST_P(StoreTest, AnIdempotencyKeyReturnsTheFirstJobAndRefusesADifferentRequest) {
  Create(NewJob("a", "key-1"));
  Job again = NewJob("b", "key-1");
  again.request_hash = "hash-a";
  Job stored;
  bool created = true;
  ASSERT_TRUE(store_->CreateJob(again, &stored, &created).ok);
  EXPECT_FALSE(created);
  EXPECT_EQ(stored.id, "a");
  Job different = NewJob("c", "key-1");
  Status status = store_->CreateJob(different, &stored, &created);
  EXPECT_FALSE(status.ok);
  EXPECT_EQ(status.message.rfind("conflict", 0), 0u);
}

TEST_P(StoreTest, AJobIsClaimedByOneWorkerOnly) {
  Create(NewJob("a"));
  auto first = store_->ClaimJob("w1", 1000, 5000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, JobStatus::kRunning);
  EXPECT_EQ(first->attempts, 1);
  EXPECT_FALSE(store_->ClaimJob("w2", 1000, 5000));
}

TEST_P(StoreTest, ConcurrentClaimsFromSeveralConnectionsNeverShareAJob) {
  for (int i = 0; i < 50; ++i) Create(NewJob("j" + std::to_string(i)));
  std::vector<std::unique_ptr<Store>> connections;
  for (int i = 0; i < 4; ++i) connections.push_back(Open());
  std::vector<std::vector<std::string>> claimed(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (auto job = connections[t]->ClaimJob("w" + std::to_string(t), 1000, 9000)) claimed[t].push_back(job->id);
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
  store_->ClaimJob("w1", 1000, 2000);
  EXPECT_TRUE(store_->Heartbeat("a", "w1", 9000));
  EXPECT_FALSE(store_->Heartbeat("a", "w2", 9000));
  EXPECT_EQ(store_->GetJob("a")->lease_until, 9000);
}

TEST_P(StoreTest, ExpiredLeasesReturnToTheQueueAndTheOldHolderCannotFinish) {
  Create(NewJob("a"));
  store_->ClaimJob("w1", 1000, 2000);
  EXPECT_EQ(store_->ReapExpiredLeases(1500), 0);
  EXPECT_EQ(store_->ReapExpiredLeases(2500), 1);
  EXPECT_EQ(store_->GetJob("a")->status, JobStatus::kQueued);
  auto again = store_->ClaimJob("w2", 2600, 9000);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_FALSE(store_->CompleteJob("a", "w1", {{"pages", 1}}, 3000));
  EXPECT_TRUE(store_->CompleteJob("a", "w2", {{"pages", 1}}, 3000));
  EXPECT_EQ(store_->GetJob("a")->status, JobStatus::kSucceeded);
}

TEST_P(StoreTest, ALeaseThatExpiresOnTheLastAttemptFailsTheJob) {
  Job job = NewJob("a");
  job.max_attempts = 1;
  Create(job);
  store_->ClaimJob("w1", 1000, 2000);
  store_->ReapExpiredLeases(3000);
  auto failed = store_->GetJob("a");
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_EQ(failed->errors[0]["code"], "lease_expired");
}

TEST_P(StoreTest, RetryLaterWaitsUntilItsTime) {
  Create(NewJob("a"));
  store_->ClaimJob("w1", 1000, 5000);
  EXPECT_TRUE(store_->RetryLater("a", "w1", nlohmann::json::array(), 4000, 1100));
  EXPECT_FALSE(store_->ClaimJob("w1", 3999, 9000));
  EXPECT_TRUE(store_->ClaimJob("w1", 4000, 9000));
}

TEST_P(StoreTest, CancelAndRetry) {
  Create(NewJob("a"));
  EXPECT_TRUE(store_->CancelJob("a", 1100));
  EXPECT_FALSE(store_->CancelJob("a", 1200));
  EXPECT_FALSE(store_->ClaimJob("w", 1300, 9000));
  EXPECT_TRUE(store_->RetryJob("a", 1400));
  auto job = store_->ClaimJob("w", 1500, 9000);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_FALSE(store_->RetryJob("a", 1600));  // running: nothing to retry
}

TEST_P(StoreTest, FinishedJobsWithACallbackWaitForTheirWebhook) {
  Job job = NewJob("a");
  job.callback_url = "http://127.0.0.1:1/hook";
  Create(job);
  store_->ClaimJob("w", 1000, 9000);
  store_->CompleteJob("a", "w", {{"pages", 1}}, 2000);
  auto pending = store_->ClaimWebhook(2000, 32000);
  ASSERT_TRUE(pending);
  EXPECT_FALSE(store_->ClaimWebhook(2000, 32000));  // held while in flight
  store_->RecordWebhookAttempt("a", {1, 2000, 500, "HTTP 500", 2000}, false, false, 3000);
  auto retry = store_->ClaimWebhook(3000, 33000);
  ASSERT_TRUE(retry);
  store_->RecordWebhookAttempt("a", {2, 3000, 204, "", 2000}, true, false, 0);
  EXPECT_EQ(store_->GetJob("a")->webhook_state, "delivered");
  EXPECT_EQ(store_->WebhookAttempts("a").size(), 2u);
}

TEST_P(StoreTest, AWebhookAttemptForAnEarlierFinishDoesNotTouchARetriedJob) {
  Job job = NewJob("a");
  job.callback_url = "http://example.test/hook";
  Create(job);
  store_->ClaimJob("w", 1000, 9000);
  store_->FailJob("a", "w", nlohmann::json::array(), 2000);
  ASSERT_TRUE(store_->ClaimWebhook(2000, 32000));
  EXPECT_TRUE(store_->RetryJob("a", 2100));  // while the delivery is in flight
  store_->RecordWebhookAttempt("a", {1, 2200, 500, "HTTP 500", 2000}, false, false, 2300);
  EXPECT_EQ(store_->GetJob("a")->webhook_state, "");  // not "pending" for a queued job
  EXPECT_FALSE(store_->ClaimWebhook(9999, 40000));
  EXPECT_EQ(store_->WebhookAttempts("a").size(), 1u);  // the history is kept
}

TEST_P(StoreTest, PublishingTheSameCatalogTwiceKeepsOneVersion) {
  CatalogVersion v{0, "sha256:aa", "Acme", 1000, "test", {{"catalog.yaml", "name: A\n"}}};
  ASSERT_TRUE(store_->PublishCatalog(&v).ok);
  EXPECT_EQ(v.version, 1);
  CatalogVersion same{0, "sha256:aa", "Acme", 2000, "test", {{"catalog.yaml", "name: A\n"}}};
  store_->PublishCatalog(&same);
  EXPECT_EQ(same.version, 1);
  CatalogVersion next{0, "sha256:bb", "Acme", 3000, "test", {{"catalog.yaml", "name: B\n"}}};
  store_->PublishCatalog(&next);
  EXPECT_EQ(next.version, 2);
  EXPECT_EQ(store_->GetCatalogVersion(0)->version, 2);
  EXPECT_EQ(store_->GetCatalogVersion(1)->files["catalog.yaml"], "name: A\n");
  // Publishing the first catalog again is a rollback: it becomes current, as version 3.
  CatalogVersion rollback{0, "sha256:aa", "Acme", 4000, "test", {{"catalog.yaml", "name: A\n"}}};
  store_->PublishCatalog(&rollback);
  EXPECT_EQ(rollback.version, 3);
  EXPECT_EQ(store_->GetCatalogVersion(0)->digest, "sha256:aa");
  EXPECT_EQ(store_->CurrentCatalogVersion(), 3);
}

TEST_P(StoreTest, DraftsArePerDocumentAndClearedByPublishing) {
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array({{{"id", "A"}}}), 1000).ok);
  ASSERT_TRUE(store_->PutDraft("B", nlohmann::json::array(), 1000).ok);
  EXPECT_EQ(store_->Drafts().size(), 2u);
  EXPECT_TRUE(store_->DeleteDraft("B"));
  EXPECT_FALSE(store_->DeleteDraft("B"));
  auto snapshot = store_->Drafts();
  ASSERT_TRUE(store_->PutDraft("C", nlohmann::json::array(), 1000).ok);  // saved after the snapshot
  ASSERT_TRUE(store_->PutDraft("A", nlohmann::json::array({{{"id", "A"}, {"edition", "2"}}}), 1000).ok);  // edited after it
  CatalogVersion v{0, "sha256:cc", "Acme", 1000, "test", nlohmann::json::object()};
  ASSERT_TRUE(store_->PublishDrafts(&v, snapshot).ok);
  auto left = store_->Drafts();
  EXPECT_EQ(left.size(), 2u);  // A (edited since) and C (new) stay drafts
  EXPECT_TRUE(left.count("A") && left.count("C"));
}

TEST_P(StoreTest, StateSurvivesReopening) {
  Create(NewJob("a", "key"));
  store_.reset();
  store_ = Open();
  EXPECT_EQ(store_->GetJob("a")->idempotency_key, "key");
}

TEST_P(StoreTest, PruningRemovesOldFinishedJobsOnly) {
  Create(NewJob("old"));
  Create(NewJob("new"));
  store_->ClaimJob("w", 1000, 9000);
  store_->CompleteJob("old", "w", {{"package_pdf", std::string(64, 'a')}}, 1500);
  EXPECT_EQ(store_->PruneJobs(1000), 0);
  EXPECT_EQ(store_->PruneJobs(2000), 1);
  EXPECT_FALSE(store_->GetJob("old"));
  EXPECT_TRUE(store_->GetJob("new"));
}

TEST_P(StoreTest, BlobsAreNamedByContentAndPrunedWhenUnreferenced) {
  Status status;
  auto owned = postgres() ? OpenPostgresBlobStore(PostgresUrl(), 2, &status) : OpenDirectoryBlobStore(dir_ / "blobs");
  ASSERT_TRUE(owned) << status.message;
  BlobStore& blobs = *owned;
  std::string a, again, b;
  ASSERT_TRUE(blobs.Put("same bytes", &a).ok);
  ASSERT_TRUE(blobs.Put("same bytes", &again).ok);
  ASSERT_TRUE(blobs.Put("other bytes", &b).ok);
  EXPECT_EQ(a, again);
  EXPECT_EQ(blobs.List().size(), 2u);
  EXPECT_EQ(*blobs.Get(a), "same bytes");
  EXPECT_FALSE(blobs.Get("../../etc/passwd"));
  EXPECT_FALSE(blobs.Get(std::string(64, 'z')));
  const std::string binary("\0\x01\xff%PDF", 7);
  std::string c;
  ASSERT_TRUE(blobs.Put(binary, &c).ok);
  EXPECT_EQ(*blobs.Get(c), binary);
  EXPECT_EQ(blobs.Prune({a, c}, 3600, 3600), 0);  // everything is young
  EXPECT_EQ(blobs.Prune({a, c}, 0, 0), 1);        // b
  EXPECT_EQ(blobs.List(), (std::set<std::string>{a, c}));
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
  std::string a;
  ASSERT_TRUE(blobs->Put("bytes", &a).ok);
  std::ofstream(dir / a.substr(0, 2) / (a + ".tmp-123")) << "partial";
  EXPECT_EQ(blobs->Prune({a}, 0, 3600), 0);  // a young partial write may belong to a job in flight
  EXPECT_EQ(blobs->Prune({a}, 0, 0), 1);
  EXPECT_EQ(blobs->List(), std::set<std::string>{a});
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
  Job stored;
  bool created = false;
  (postgres() ? store_ : waiter)->CreateJob(NewJob("wake"), &stored, &created);
  worker.join();
  EXPECT_TRUE(woken);
}

TEST_P(StoreTest, AJobQueuedBetweenTheSignalAndTheWaitIsNotMissed) {
  const uint64_t seen = store_->JobsSignal();
  EXPECT_FALSE(store_->ClaimJob("w", 1000, 9000));  // an idle worker found nothing...
  Create(NewJob("meanwhile"));                      // ...and a job arrives before it waits
  if (postgres()) std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the NOTIFY travels
  const auto started = std::chrono::steady_clock::now();
  store_->WaitForJobs(seen, 20000);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_P(StoreTest, ADatabaseFromANewerDocgenIsRefused) {
  store_.reset();
  if (postgres()) {
    pqxx::connection c(PostgresUrl());
    pqxx::nontransaction(c).exec("INSERT INTO schema_migrations (version) VALUES (99)");
  } else {
    ASSERT_EQ(std::system(("sqlite3 " + (dir_ / "db.sqlite").string() + " 'PRAGMA user_version = 99'").c_str()), 0);
  }
  Status status;
  auto store = postgres() ? OpenPostgresStore(PostgresUrl(), 1, &status) : OpenSqliteStore((dir_ / "db.sqlite").string(), &status);
  EXPECT_FALSE(store);
  EXPECT_NE(status.message.find("schema version 99, newer than this docgen"), std::string::npos) << status.message;
}

TEST_P(StoreTest, AnOlderSqliteDatabaseIsMigratedKeepingItsJobs) {
  if (postgres()) GTEST_SKIP() << "PostgreSQL has one schema version so far";
  Create(NewJob("kept"));
  store_.reset();
  // Back to schema version 2, as an older docgen left it.
  const std::string db = (dir_ / "db.sqlite").string();
  ASSERT_EQ(std::system(("sqlite3 " + db + " 'DROP INDEX jobs_queue; CREATE INDEX jobs_due ON jobs(status, run_after); "
                         "PRAGMA user_version = 2'").c_str()), 0);
  store_ = Open();
  ASSERT_TRUE(store_);
  EXPECT_TRUE(store_->GetJob("kept"));
  EXPECT_TRUE(store_->ClaimJob("w", 1000, 9000));
}

TEST_P(StoreTest, OnlyOneProcessReapsAtATime) {
  if (!postgres()) GTEST_SKIP() << "SQLite serialises writers with BEGIN IMMEDIATE; the advisory lock is PostgreSQL's";
  Create(NewJob("a"));
  store_->ClaimJob("w", 1000, 2000);
  pqxx::connection holder(PostgresUrl());
  pqxx::work tx(holder);
  tx.exec("SELECT pg_advisory_lock(" + std::to_string(0x646f6367656e02) + ")");  // another process is reaping
  EXPECT_EQ(store_->ReapExpiredLeases(5000), 0);
  tx.exec("SELECT pg_advisory_unlock(" + std::to_string(0x646f6367656e02) + ")");
  EXPECT_EQ(store_->ReapExpiredLeases(5000), 1);
}

TEST_P(StoreTest, ALostConnectionIsReopened) {
  if (!postgres()) GTEST_SKIP() << "SQLite has no connection to lose";
  Create(NewJob("a"));
  pqxx::connection admin(PostgresUrl());
  // Ends every other session, as a server restart does.
  pqxx::nontransaction(admin).exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                                   "AND datname = current_database()");
  EXPECT_EQ(store_->GetJob("a")->id, "a");
  EXPECT_TRUE(store_->ClaimJob("w", 1000, 2000));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace
}  // namespace docgen
