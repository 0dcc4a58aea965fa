// The shared Store: one PostgreSQL database for many docgen processes.
// Workers claim with FOR UPDATE SKIP LOCKED (claims never wait on each
// other), every change that makes a job claimable sends NOTIFY docgen_jobs
// in its transaction, and one LISTEN connection per process wakes its idle
// workers. One reaper at a time holds an advisory lock. Schema migrations
// are numbered and applied on start under an advisory lock, so processes
// starting together do not race.
#include <docgen/store.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/pg_pool.h"
#include "store/store_common.h"

namespace docgen {
namespace {

// Advisory lock keys (any fixed 64-bit numbers unique to docgen).
constexpr int64_t kMigrationLock = 0x646f6367656e01;
constexpr int64_t kReaperLock = 0x646f6367656e02;
constexpr int64_t kCatalogLock = 0x646f6367656e03;

const char* kMigrations[] = {
    // version 1
    R"sql(
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      idempotency_key TEXT UNIQUE,
      request_hash TEXT NOT NULL,
      status TEXT NOT NULL,
      quote TEXT NOT NULL,
      callback_url TEXT NOT NULL DEFAULT '',
      catalog_version BIGINT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      run_after BIGINT NOT NULL,
      lease_owner TEXT NOT NULL DEFAULT '',
      lease_until BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      finished_at BIGINT NOT NULL DEFAULT 0,
      errors TEXT NOT NULL DEFAULT '[]',
      result TEXT NOT NULL DEFAULT 'null',
      webhook_state TEXT NOT NULL DEFAULT '',
      webhook_attempts INTEGER NOT NULL DEFAULT 0,
      webhook_next_at BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_queue ON jobs (run_after, created_at) WHERE status = 'queued';
    CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 'running';
    CREATE INDEX jobs_webhooks ON jobs (webhook_next_at) WHERE webhook_state = 'pending';
    CREATE INDEX jobs_created ON jobs (created_at);
    CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at > 0;
    CREATE TABLE webhook_attempts (
      job_id TEXT NOT NULL, generation BIGINT NOT NULL, attempt INTEGER NOT NULL, at BIGINT NOT NULL,
      http_status INTEGER NOT NULL, error TEXT NOT NULL,
      PRIMARY KEY (job_id, generation, attempt)
    );
    CREATE TABLE catalog_versions (
      version BIGINT PRIMARY KEY,
      digest TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      created_by TEXT NOT NULL,
      files TEXT NOT NULL
    );
    CREATE TABLE catalog_drafts (
      id TEXT PRIMARY KEY,
      editions TEXT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE blobs (
      name TEXT PRIMARY KEY,
      bytes BYTEA NOT NULL,
      written_at BIGINT NOT NULL
    );
    )sql",
};

constexpr const char* kJobColumns =
    "id, COALESCE(idempotency_key, ''), request_hash, status, quote, callback_url, catalog_version, attempts, max_attempts, "
    "run_after, lease_owner, lease_until, created_at, updated_at, finished_at, errors, result, webhook_state, "
    "webhook_attempts, webhook_next_at";

std::string WithJobColumns(const char* sql_before, const char* sql_after = "") {
  return std::string(sql_before) + kJobColumns + sql_after;
}

Job ReadJob(const pqxx::row& r) {
  Job job;
  job.id = r[0].as<std::string>();
  job.idempotency_key = r[1].as<std::string>();
  job.request_hash = r[2].as<std::string>();
  job.status = ParseJobStatus(r[3].as<std::string>()).value_or(JobStatus::kFailed);
  job.quote = nlohmann::json::parse(r[4].as<std::string>(), nullptr, false);
  job.callback_url = r[5].as<std::string>();
  job.catalog_version = r[6].as<int64_t>();
  job.attempts = r[7].as<int>();
  job.max_attempts = r[8].as<int>();
  job.run_after = r[9].as<int64_t>();
  job.lease_owner = r[10].as<std::string>();
  job.lease_until = r[11].as<int64_t>();
  job.created_at = r[12].as<int64_t>();
  job.updated_at = r[13].as<int64_t>();
  job.finished_at = r[14].as<int64_t>();
  job.errors = nlohmann::json::parse(r[15].as<std::string>(), nullptr, false);
  job.result = nlohmann::json::parse(r[16].as<std::string>(), nullptr, false);
  job.webhook_state = r[17].as<std::string>();
  job.webhook_attempts = r[18].as<int>();
  job.webhook_next_at = r[19].as<int64_t>();
  return job;
}

std::optional<Job> FirstJob(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return ReadJob(r[0]);
}

// Sent in a transaction: delivered to listeners when (and only if) it commits.
void NotifyJobs(pqxx::work& tx) { tx.exec("NOTIFY docgen_jobs"); }

// Wakes this process's idle workers on NOTIFY docgen_jobs, from a dedicated
// connection and thread. After a lost connection it wakes them too (they may
// have missed notifications) and reconnects with backoff.
class JobListener {
 public:
  explicit JobListener(const std::string& url) : url_(WithConnectionDefaults(url)) {}
  ~JobListener() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // Starts listening (once), then returns the wake-up counter.
  uint64_t Signal() {
    std::call_once(started_, [this] { thread_ = std::thread([this] { Loop(); }); });
    std::lock_guard lock(mutex_);
    return generation_;
  }
  void Wait(uint64_t seen, int64_t timeout_ms) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return generation_ != seen; });
  }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection& c, JobListener& listener) : pqxx::notification_receiver(c, "docgen_jobs"), listener_(listener) {}
    void operator()(const std::string&, int) override { listener_.Wake(); }

   private:
    JobListener& listener_;
  };

  void Wake() {
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    cv_.notify_all();
  }

  void Loop() {
    int failures = 0;
    while (!stopping_) {
      try {
        pqxx::connection connection(url_);
        Receiver receiver(connection, *this);  // runs LISTEN
        Wake();  // notifications sent while this process was not listening are lost: look now
        failures = 0;
        while (!stopping_) connection.await_notification(0, 200000);
      } catch (const std::exception&) {
        Wake();
        const int64_t delay = std::min<int64_t>(100LL << std::min(failures++, 5), 2000);
        for (int64_t slept = 0; slept < delay && !stopping_; slept += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }

  const std::string url_;
  std::atomic<bool> stopping_{false};
  std::once_flag started_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& url, int connections, PgPool::OutageCallback on_outage)
      : pool_(url, connections, std::move(on_outage)), listener_(url) {}

  void Migrate() {
    pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
      tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const int applied = tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
      const int known = static_cast<int>(std::size(kMigrations));
      if (applied > known) {
        throw std::runtime_error("the database has schema version " + std::to_string(applied) + ", newer than this docgen (" +
                                 std::to_string(known) + "); upgrade docgen");
      }
      for (int v = applied; v < known; ++v) {
        tx.exec(kMigrations[v]);
        tx.exec_params("INSERT INTO schema_migrations (version) VALUES ($1)", v + 1);
      }
      tx.commit();
      return 0;
    });
  }

  Status CreateJob(const Job& job, Job* stored, bool* created) override {
    try {
      return pool_.Run([&](pqxx::connection& c) -> Status {
        pqxx::work tx(c);
        // ON CONFLICT DO NOTHING: two requests with one key at the same time make one job.
        pqxx::result inserted = tx.exec_params(
            WithJobColumns("INSERT INTO jobs (id, idempotency_key, request_hash, status, quote, callback_url, catalog_version, "
                           "max_attempts, run_after, created_at, updated_at) VALUES ($1, NULLIF($2, ''), $3, 'queued', $4, $5, $6, $7, "
                           "$8, $9, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING "),
            job.id, job.idempotency_key, job.request_hash, job.quote.dump(), job.callback_url, job.catalog_version,
            job.max_attempts, job.run_after, job.created_at);
        if (!inserted.empty()) {
          NotifyJobs(tx);
          tx.commit();
          *stored = ReadJob(inserted[0]);
          *created = true;
          return Status::Ok();
        }
        std::optional<Job> existing =
            FirstJob(tx.exec_params(WithJobColumns("SELECT ", " FROM jobs WHERE idempotency_key = $1"), job.idempotency_key));
        tx.commit();
        if (!existing) return Status::Error("the job could not be stored; try again");
        if (existing->request_hash != job.request_hash) {
          return Status::Error("conflict: this Idempotency-Key was used for a different request");
        }
        *stored = std::move(*existing);
        *created = false;
        return Status::Ok();
      });
    } catch (const pqxx::sql_error& e) {
      return Status::Error(e.what());
    }
  }

  std::optional<Job> GetJob(const std::string& id) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      return FirstJob(tx.exec_params(WithJobColumns("SELECT ", " FROM jobs WHERE id = $1"), id));
    });
  }

  std::vector<Job> ListJobs(const JobFilter& filter) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      pqxx::result r = tx.exec_params(
          WithJobColumns("SELECT ", " FROM jobs WHERE ($1::text = '' OR status = $1::text) AND ($2::bigint = 0 OR created_at >= $2::bigint) "
                         "AND ($3::bigint = 0 OR created_at < $3::bigint) ORDER BY created_at DESC, id LIMIT $4"),
          filter.status ? ToString(*filter.status) : "", filter.created_after, filter.created_before,
          std::clamp(filter.limit, 1, 1000));
      std::vector<Job> out;
      for (const auto& row : r) out.push_back(ReadJob(row));
      return out;
    });
  }

  std::optional<Job> ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) override {
    // SKIP LOCKED: a row another worker is claiming is passed over, never waited for.
    return ModifyOneJob(WithJobColumns("UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = $2, "
                                       "attempts = attempts + 1, updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE "
                                       "status = 'queued' AND run_after <= $3 ORDER BY run_after, created_at LIMIT 1 "
                                       "FOR UPDATE SKIP LOCKED) RETURNING "),
                        worker, lease_until, now);
  }

  bool Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) override {
    return Modify(kQuiet, "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running'", id, worker,
                  lease_until) == 1;
  }

  bool CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) override {
    return Finish(id, worker, "succeeded", nlohmann::json::array(), result, now);
  }

  bool FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) override {
    return Finish(id, worker, "failed", errors, nullptr, now);
  }

  bool RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t run_after,
                  int64_t now) override {
    return Modify(kWakeWorkers, "UPDATE jobs SET status = 'queued', errors = $3, run_after = $4, lease_owner = '', lease_until = 0, "
                  "updated_at = $5 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                  id, worker, errors.dump(), run_after, now) == 1;
  }

  int ReapExpiredLeases(int64_t now) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock($1)", kReaperLock)[0].as<bool>()) return 0;
      const auto failed = tx.exec_params(
          "UPDATE jobs SET status = 'failed', lease_owner = '', lease_until = 0, updated_at = $1, finished_at = $1, "
          "errors = $2, webhook_state = CASE WHEN callback_url = '' THEN '' ELSE 'pending' END, webhook_next_at = $1 "
          "WHERE status = 'running' AND lease_until < $1 AND attempts >= max_attempts",
          now, std::string(kLeaseExpiredErrors));
      const auto requeued = tx.exec_params(
          "UPDATE jobs SET status = 'queued', lease_owner = '', lease_until = 0, updated_at = $1, run_after = $1 "
          "WHERE status = 'running' AND lease_until < $1",
          now);
      if (requeued.affected_rows() > 0) NotifyJobs(tx);
      tx.commit();
      return static_cast<int>(failed.affected_rows() + requeued.affected_rows());
    });
  }

  uint64_t JobsSignal() override { return listener_.Signal(); }
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override { listener_.Wait(seen, timeout_ms); }

  bool CancelJob(const std::string& id, int64_t now) override {
    return Modify(kQuiet, "UPDATE jobs SET status = 'canceled', lease_owner = '', lease_until = 0, updated_at = $2, finished_at = $2 "
                  "WHERE id = $1 AND status IN ('queued', 'running')",
                  id, now) == 1;
  }

  bool RetryJob(const std::string& id, int64_t now) override {
    return Modify(kWakeWorkers, "UPDATE jobs SET status = 'queued', attempts = 0, run_after = $2, updated_at = $2, finished_at = 0, "
                  "errors = '[]', webhook_state = '', webhook_attempts = 0 WHERE id = $1 AND status IN ('failed', 'canceled')",
                  id, now) == 1;
  }

  std::optional<Job> ClaimWebhook(int64_t now, int64_t lease_until) override {
    // Held by moving its due time: other processes skip it while it is in flight.
    return ModifyOneJob(WithJobColumns("UPDATE jobs SET webhook_next_at = $2 WHERE id = (SELECT id FROM jobs WHERE "
                                       "webhook_state = 'pending' AND webhook_next_at <= $1 AND status IN ('succeeded', "
                                       "'failed') ORDER BY webhook_next_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "),
                        now, lease_until);
  }

  void RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                            int64_t next_at) override {
    pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params(
          "INSERT INTO webhook_attempts (job_id, generation, attempt, at, http_status, error) VALUES ($1, $2, $3, $4, $5, $6) "
          "ON CONFLICT (job_id, generation, attempt) DO UPDATE SET at = EXCLUDED.at, http_status = EXCLUDED.http_status, "
          "error = EXCLUDED.error",
          id, attempt.generation, attempt.attempt, attempt.at, attempt.http_status, attempt.error);
      // The generation is the finish time the delivery was about: a job
      // retried meanwhile has a new one, and this attempt no longer applies to it.
      tx.exec_params(
          "UPDATE jobs SET webhook_state = $2, webhook_attempts = $3, webhook_next_at = $4 WHERE id = $1 AND "
          "finished_at = $5 AND status IN ('succeeded', 'failed')",
          id, std::string(delivered ? "delivered" : give_up ? "failed" : "pending"), attempt.attempt, next_at, attempt.generation);
      tx.commit();
      return 0;
    });
  }

  std::vector<WebhookAttempt> WebhookAttempts(const std::string& id) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      std::vector<WebhookAttempt> out;
      for (const auto& r : tx.exec_params("SELECT attempt, at, http_status, error, generation FROM webhook_attempts "
                                          "WHERE job_id = $1 ORDER BY generation, attempt",
                                          id)) {
        out.push_back({r[0].as<int>(), r[1].as<int64_t>(), r[2].as<int>(), r[3].as<std::string>(), r[4].as<int64_t>()});
      }
      return out;
    });
  }

  Status PublishCatalog(CatalogVersion* version) override {
    try {
      return pool_.Run([&](pqxx::connection& c) {
        pqxx::work tx(c);
        PublishIn(tx, version);
        tx.commit();
        return Status::Ok();
      });
    } catch (const pqxx::sql_error& e) {
      return Status::Error(e.what());
    }
  }

  Status PutDraft(const std::string& id, const nlohmann::json& editions, int64_t now) override {
    try {
      // updated_at only moves forward, so a publish can tell an edit made after its snapshot.
      Modify(kQuiet, "INSERT INTO catalog_drafts (id, editions, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
             "editions = EXCLUDED.editions, updated_at = GREATEST(EXCLUDED.updated_at, catalog_drafts.updated_at + 1)",
             id, editions.dump(), now);
      return Status::Ok();
    } catch (const pqxx::sql_error& e) {
      return Status::Error(e.what());
    }
  }

  bool DeleteDraft(const std::string& id) override { return Modify(kQuiet, "DELETE FROM catalog_drafts WHERE id = $1", id) == 1; }

  std::map<std::string, Draft> Drafts() override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      std::map<std::string, Draft> out;
      for (const auto& r : tx.exec("SELECT id, editions, updated_at FROM catalog_drafts ORDER BY id")) {
        out[r[0].as<std::string>()] = {nlohmann::json::parse(r[1].as<std::string>(), nullptr, false), r[2].as<int64_t>()};
      }
      return out;
    });
  }

  Status PublishDrafts(CatalogVersion* version, const std::map<std::string, Draft>& published) override {
    try {
      // One transaction: the version and the clearing of its drafts happen together.
      return pool_.Run([&](pqxx::connection& c) {
        pqxx::work tx(c);
        PublishIn(tx, version);
        for (const auto& [id, draft] : published) {
          tx.exec_params("DELETE FROM catalog_drafts WHERE id = $1 AND updated_at = $2", id, draft.updated_at);
        }
        tx.commit();
        return Status::Ok();
      });
    } catch (const pqxx::sql_error& e) {
      return Status::Error(e.what());
    }
  }

  std::optional<CatalogVersion> GetCatalogVersion(int64_t version) override {
    return pool_.Run([&](pqxx::connection& c) -> std::optional<CatalogVersion> {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      const pqxx::result r =
          version == 0 ? tx.exec("SELECT version, digest, name, created_at, created_by, files FROM catalog_versions "
                                 "ORDER BY version DESC LIMIT 1")
                       : tx.exec_params("SELECT version, digest, name, created_at, created_by, files FROM catalog_versions "
                                        "WHERE version = $1",
                                        version);
      if (r.empty()) return std::nullopt;
      return CatalogVersion{r[0][0].as<int64_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(), r[0][3].as<int64_t>(),
                            r[0][4].as<std::string>(), nlohmann::json::parse(r[0][5].as<std::string>(), nullptr, false)};
    });
  }

  int64_t CurrentCatalogVersion() override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      return tx.exec1("SELECT COALESCE(MAX(version), 0) FROM catalog_versions")[0].as<int64_t>();
    });
  }

  std::vector<CatalogVersion> ListCatalogVersions() override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      std::vector<CatalogVersion> out;
      for (const auto& r : tx.exec("SELECT version, digest, name, created_at, created_by FROM catalog_versions ORDER BY version DESC")) {
        out.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<int64_t>(),
                       r[4].as<std::string>(), nullptr});
      }
      return out;
    });
  }

  int PruneJobs(int64_t before) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("DELETE FROM webhook_attempts WHERE job_id IN (SELECT id FROM jobs WHERE finished_at > 0 AND "
                     "finished_at < $1 AND webhook_state != 'pending')",
                     before);
      const auto deleted =
          tx.exec_params("DELETE FROM jobs WHERE finished_at > 0 AND finished_at < $1 AND webhook_state != 'pending'", before);
      tx.commit();
      return static_cast<int>(deleted.affected_rows());
    });
  }

  std::vector<std::string> ReferencedBlobs() override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      std::vector<std::string> out;
      for (const auto& r : tx.exec("SELECT result FROM jobs WHERE status = 'succeeded'")) {
        CollectResultBlobs(nlohmann::json::parse(r[0].as<std::string>(), nullptr, false), &out);
      }
      return out;
    });
  }

  std::vector<std::pair<JobStatus, int64_t>> CountJobs() override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
      std::vector<std::pair<JobStatus, int64_t>> out;
      for (const auto& r : tx.exec("SELECT status, COUNT(*) FROM jobs GROUP BY status")) {
        if (auto status = ParseJobStatus(r[0].as<std::string>())) out.emplace_back(*status, r[1].as<int64_t>());
      }
      return out;
    }, Patience::kOnce);
  }

  Status Ping() override {
    try {
      return pool_.Run([&](pqxx::connection& c) {
        pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
        tx.exec("SELECT 1");
        return Status::Ok();
      }, Patience::kOnce);
    } catch (const std::exception& e) {
      return Status::Error(e.what());
    }
  }

 private:
  bool Finish(const std::string& id, const std::string& worker, const char* status, const nlohmann::json& errors,
              const nlohmann::json& result, int64_t now) {
    return Modify(kQuiet, "UPDATE jobs SET status = $3, errors = $4, result = $5, lease_owner = '', lease_until = 0, updated_at = $6, "
                  "finished_at = $6, webhook_state = CASE WHEN callback_url = '' THEN '' ELSE 'pending' END, "
                  "webhook_next_at = $6 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                  id, worker, std::string(status), errors.dump(), result.dump(), now) == 1;
  }

  // Runs one statement in its own transaction; returns the rows it changed.
  // With kWakeWorkers, a change also wakes idle workers in every process.
  template <typename... Args>
  int64_t Modify(bool wake_workers, const char* sql, const Args&... args) {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      const auto r = tx.exec_params(sql, args...);
      if (wake_workers && r.affected_rows() > 0) NotifyJobs(tx);
      tx.commit();
      return static_cast<int64_t>(r.affected_rows());
    });
  }
  // Runs one statement that changes at most one job and returns it, in its own transaction.
  template <typename... Args>
  std::optional<Job> ModifyOneJob(const std::string& sql, const Args&... args) {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      std::optional<Job> job = FirstJob(tx.exec_params(sql, args...));
      tx.commit();
      return job;
    });
  }
  static constexpr bool kWakeWorkers = true;
  static constexpr bool kQuiet = false;

  // Only the current version counts as "the same": publishing an older
  // catalog again (a rollback) makes it current as a new version. The lock
  // makes concurrent publishers take turns.
  static void PublishIn(pqxx::work& tx, CatalogVersion* version) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kCatalogLock);
    const pqxx::result current = tx.exec(
        "SELECT version, digest, created_at, created_by FROM catalog_versions ORDER BY version DESC LIMIT 1");
    if (!current.empty() && current[0][1].as<std::string>() == version->digest) {
      version->version = current[0][0].as<int64_t>();
      version->created_at = current[0][2].as<int64_t>();
      version->created_by = current[0][3].as<std::string>();
      return;
    }
    version->version = current.empty() ? 1 : current[0][0].as<int64_t>() + 1;
    tx.exec_params("INSERT INTO catalog_versions (version, digest, name, created_at, created_by, files) VALUES ($1, $2, $3, $4, $5, $6)",
                   version->version, version->digest, version->name, version->created_at, version->created_by,
                   version->files.dump());
  }

  PgPool pool_;
  JobListener listener_;
};

// The password of a URL is never echoed in errors.
std::string Redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace

std::unique_ptr<Store> OpenPostgresStore(const std::string& url, int connections, Status* status,
                                         std::function<void(bool down, const std::string& why)> on_outage) {
  try {
    auto store = std::make_unique<PostgresStore>(url, connections, std::move(on_outage));
    store->Migrate();
    *status = Status::Ok();
    return store;
  } catch (const std::exception& e) {
    *status = Status::Error("cannot prepare the database " + Redacted(url) + ": " + e.what());
    return nullptr;
  }
}

}  // namespace docgen
