// The embedded Store: one SQLite database in WAL mode. Claims take a write
// lock first (BEGIN IMMEDIATE), so several processes sharing the file never
// claim the same job. One connection per Store, serialised by a mutex.
#include <docgen/store.h>

#include <sqlite3.h>

#include "store/store_common.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace docgen {
namespace {

constexpr int kSchemaVersion = 3;

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
      catalog_version INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      run_after INTEGER NOT NULL,
      lease_owner TEXT NOT NULL DEFAULT '',
      lease_until INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      finished_at INTEGER NOT NULL DEFAULT 0,
      errors TEXT NOT NULL DEFAULT '[]',
      result TEXT NOT NULL DEFAULT 'null',
      webhook_state TEXT NOT NULL DEFAULT '',
      webhook_attempts INTEGER NOT NULL DEFAULT 0,
      webhook_next_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_due ON jobs(status, run_after);
    CREATE INDEX jobs_created ON jobs(created_at);
    CREATE INDEX jobs_webhook ON jobs(webhook_state, webhook_next_at);
    CREATE TABLE webhook_attempts (
      job_id TEXT NOT NULL, generation INTEGER NOT NULL, attempt INTEGER NOT NULL, at INTEGER NOT NULL,
      http_status INTEGER NOT NULL, error TEXT NOT NULL,
      PRIMARY KEY (job_id, generation, attempt)
    );
    CREATE TABLE catalog_versions (
      version INTEGER PRIMARY KEY,
      digest TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      files TEXT NOT NULL
    );
    )sql",
    // version 2
    R"sql(
    CREATE TABLE catalog_drafts (
      id TEXT PRIMARY KEY,
      editions TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    )sql",
    // version 3: the claim's whole ORDER BY in the index (a deep queue was sorted on every claim)
    R"sql(
    DROP INDEX jobs_due;
    CREATE INDEX jobs_queue ON jobs(status, run_after, created_at);
    )sql",
};

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) throw SqliteError(sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& BindNull(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  // True when a row is available.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SqliteError(sqlite3_errmsg(db_));
  }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* kJobColumns =
    "id, idempotency_key, request_hash, status, quote, callback_url, catalog_version, attempts, max_attempts, "
    "run_after, lease_owner, lease_until, created_at, updated_at, finished_at, errors, result, webhook_state, "
    "webhook_attempts, webhook_next_at";

Job ReadJob(const Statement& s) {
  Job job;
  job.id = s.Text(0);
  job.idempotency_key = s.Text(1);
  job.request_hash = s.Text(2);
  job.status = ParseJobStatus(s.Text(3)).value_or(JobStatus::kFailed);
  job.quote = nlohmann::json::parse(s.Text(4), nullptr, false);
  job.callback_url = s.Text(5);
  job.catalog_version = s.Int(6);
  job.attempts = static_cast<int>(s.Int(7));
  job.max_attempts = static_cast<int>(s.Int(8));
  job.run_after = s.Int(9);
  job.lease_owner = s.Text(10);
  job.lease_until = s.Int(11);
  job.created_at = s.Int(12);
  job.updated_at = s.Int(13);
  job.finished_at = s.Int(14);
  job.errors = nlohmann::json::parse(s.Text(15), nullptr, false);
  job.result = nlohmann::json::parse(s.Text(16), nullptr, false);
  job.webhook_state = s.Text(17);
  job.webhook_attempts = static_cast<int>(s.Int(18));
  job.webhook_next_at = s.Int(19);
  return job;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  void Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw SqliteError(message);
    }
  }

  // Runs `body` in a transaction; IMMEDIATE takes the write lock up front.
  template <typename F>
  auto Transaction(F&& body, bool immediate = true) {
    Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    try {
      auto result = body();
      Exec("COMMIT");
      return result;
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void Migrate() {
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");  // a job accepted with 202 survives power loss
    Exec("PRAGMA foreign_keys=ON");
    sqlite3_busy_timeout(db_, 10000);
    Transaction([&] {
      const int64_t applied = [&] {  // finalized before the migrations: DROP needs no statement running
        Statement version(db_, "PRAGMA user_version");
        version.Step();
        return version.Int(0);
      }();
      if (applied > kSchemaVersion) {
        throw SqliteError("the database has schema version " + std::to_string(applied) + ", newer than this docgen (" +
                          std::to_string(kSchemaVersion) + "); upgrade docgen");
      }
      for (int64_t v = applied; v < kSchemaVersion; ++v) Exec(kMigrations[v]);
      Exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
      return 0;
    });
  }

  Status CreateJob(const Job& job, Job* stored, bool* created) override {
    std::lock_guard lock(mutex_);
    try {
      *created = false;
      Status result = Transaction([&]() -> Status {
        if (!job.idempotency_key.empty()) {
          Statement find(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE idempotency_key = ?").c_str());
          find.Bind(1, job.idempotency_key);
          if (find.Step()) {
            Job existing = ReadJob(find);
            if (existing.request_hash != job.request_hash) {
              return Status::Error("conflict: this Idempotency-Key was used for a different request");
            }
            *stored = std::move(existing);
            *created = false;
            return Status::Ok();
          }
        }
        Statement insert(db_,
                         "INSERT INTO jobs (id, idempotency_key, request_hash, status, quote, callback_url, catalog_version, "
                         "max_attempts, run_after, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)");
        insert.Bind(1, job.id);
        if (job.idempotency_key.empty()) {
          insert.BindNull(2);
        } else {
          insert.Bind(2, job.idempotency_key);
        }
        insert.Bind(3, job.request_hash).Bind(4, job.quote.dump()).Bind(5, job.callback_url);
        insert.Bind(6, job.catalog_version).Bind(7, static_cast<int64_t>(job.max_attempts));
        insert.Bind(8, job.run_after).Bind(9, job.created_at).Bind(10, job.created_at);
        insert.Step();
        *stored = *GetLocked(job.id);
        *created = true;
        return Status::Ok();
      });
      if (*created) Wake();
      return result;
    } catch (const std::exception& e) {
      return Status::Error(e.what());
    }
  }

  std::optional<Job> GetJob(const std::string& id) override {
    std::lock_guard lock(mutex_);
    return GetLocked(id);
  }

  std::vector<Job> ListJobs(const JobFilter& filter) override {
    std::lock_guard lock(mutex_);
    std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1=1";
    if (filter.status) sql += " AND status = ?1";
    if (filter.created_after > 0) sql += " AND created_at >= ?2";
    if (filter.created_before > 0) sql += " AND created_at < ?3";
    sql += " ORDER BY created_at DESC, id LIMIT ?4";
    Statement s(db_, sql.c_str());
    if (filter.status) s.Bind(1, std::string(ToString(*filter.status)));
    if (filter.created_after > 0) s.Bind(2, filter.created_after);
    if (filter.created_before > 0) s.Bind(3, filter.created_before);
    s.Bind(4, static_cast<int64_t>(std::clamp(filter.limit, 1, 1000)));
    std::vector<Job> out;
    while (s.Step()) out.push_back(ReadJob(s));
    return out;
  }

  std::optional<Job> ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) override {
    std::lock_guard lock(mutex_);
    return Transaction([&]() -> std::optional<Job> {
      Statement pick(db_, "SELECT id FROM jobs WHERE status = 'queued' AND run_after <= ? ORDER BY run_after, created_at LIMIT 1");
      pick.Bind(1, now);
      if (!pick.Step()) return std::nullopt;
      const std::string id = pick.Text(0);
      Statement claim(db_,
                      "UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, "
                      "updated_at = ? WHERE id = ?");
      claim.Bind(1, worker).Bind(2, lease_until).Bind(3, now).Bind(4, id);
      claim.Step();
      return GetLocked(id);
    });
  }

  bool Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND status = 'running'");
    s.Bind(1, lease_until).Bind(2, id).Bind(3, worker);
    s.Step();
    return sqlite3_changes(db_) == 1;
  }

  bool Finish(const std::string& id, const std::string& worker, const char* status, const nlohmann::json& errors,
              const nlohmann::json& result, int64_t now) {
    std::lock_guard lock(mutex_);
    return Transaction([&] {
      Statement s(db_,
                  "UPDATE jobs SET status = ?, errors = ?, result = ?, lease_owner = '', lease_until = 0, updated_at = ?, "
                  "finished_at = ?, webhook_state = CASE WHEN callback_url = '' THEN '' ELSE 'pending' END, "
                  "webhook_next_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'");
      s.Bind(1, std::string(status)).Bind(2, errors.dump()).Bind(3, result.dump()).Bind(4, now).Bind(5, now).Bind(6, now);
      s.Bind(7, id).Bind(8, worker);
      s.Step();
      return sqlite3_changes(db_) == 1;
    });
  }

  bool CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) override {
    return Finish(id, worker, "succeeded", nlohmann::json::array(), result, now);
  }

  bool FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) override {
    return Finish(id, worker, "failed", errors, nullptr, now);
  }

  bool RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t run_after,
                  int64_t now) override {
    std::lock_guard lock(mutex_);
    Statement s(db_,
                "UPDATE jobs SET status = 'queued', errors = ?, run_after = ?, lease_owner = '', lease_until = 0, "
                "updated_at = ? WHERE id = ? AND lease_owner = ? AND status = 'running'");
    s.Bind(1, errors.dump()).Bind(2, run_after).Bind(3, now).Bind(4, id).Bind(5, worker);
    s.Step();
    if (sqlite3_changes(db_) != 1) return false;
    Wake();
    return true;
  }

  int ReapExpiredLeases(int64_t now) override {
    std::lock_guard lock(mutex_);
    return Transaction([&] {
      Statement fail(db_,
                     "UPDATE jobs SET status = 'failed', lease_owner = '', lease_until = 0, updated_at = ?1, finished_at = ?1, "
                     "errors = ?2, webhook_state = CASE WHEN callback_url = '' THEN '' ELSE 'pending' END, "
                     "webhook_next_at = ?1 WHERE status = 'running' AND lease_until < ?1 AND attempts >= max_attempts");
      fail.Bind(1, now).Bind(2, std::string(kLeaseExpiredErrors));
      fail.Step();
      int touched = sqlite3_changes(db_);
      Statement requeue(db_,
                        "UPDATE jobs SET status = 'queued', lease_owner = '', lease_until = 0, updated_at = ?1, run_after = ?1 "
                        "WHERE status = 'running' AND lease_until < ?1");
      requeue.Bind(1, now);
      requeue.Step();
      if (sqlite3_changes(db_) > 0) Wake();
      return touched + sqlite3_changes(db_);
    });
  }

  // Other processes sharing the file cannot signal this one: the timeout is
  // their latency. Within the process a created job wakes a worker at once.
  uint64_t JobsSignal() override {
    std::lock_guard lock(wake_mutex_);
    return wake_generation_;
  }
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override {
    std::unique_lock lock(wake_mutex_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return wake_generation_ != seen; });
  }

  bool CancelJob(const std::string& id, int64_t now) override {
    std::lock_guard lock(mutex_);
    Statement s(db_,
                "UPDATE jobs SET status = 'canceled', lease_owner = '', lease_until = 0, updated_at = ?1, finished_at = ?1 "
                "WHERE id = ?2 AND status IN ('queued', 'running')");
    s.Bind(1, now).Bind(2, id);
    s.Step();
    return sqlite3_changes(db_) == 1;
  }

  bool RetryJob(const std::string& id, int64_t now) override {
    std::lock_guard lock(mutex_);
    Statement s(db_,
                "UPDATE jobs SET status = 'queued', attempts = 0, run_after = ?1, updated_at = ?1, finished_at = 0, "
                "errors = '[]', webhook_state = '', webhook_attempts = 0 WHERE id = ?2 AND status IN ('failed', 'canceled')");
    s.Bind(1, now).Bind(2, id);
    s.Step();
    if (sqlite3_changes(db_) != 1) return false;
    Wake();
    return true;
  }

  std::optional<Job> ClaimWebhook(int64_t now, int64_t lease_until) override {
    std::lock_guard lock(mutex_);
    return Transaction([&]() -> std::optional<Job> {
      Statement pick(db_,
                     "SELECT id FROM jobs WHERE webhook_state = 'pending' AND webhook_next_at <= ? AND "
                     "status IN ('succeeded', 'failed') ORDER BY webhook_next_at LIMIT 1");
      pick.Bind(1, now);
      if (!pick.Step()) return std::nullopt;
      const std::string id = pick.Text(0);
      Statement hold(db_, "UPDATE jobs SET webhook_next_at = ? WHERE id = ?");  // others skip it while it is in flight
      hold.Bind(1, lease_until).Bind(2, id);
      hold.Step();
      return GetLocked(id);
    });
  }

  void RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                            int64_t next_at) override {
    std::lock_guard lock(mutex_);
    Transaction([&] {
      // The generation is the finish time the delivery was about: a job
      // retried meanwhile has a new one, and this attempt no longer applies to it.
      Statement record(db_,
                       "INSERT OR REPLACE INTO webhook_attempts (job_id, generation, attempt, at, http_status, error) "
                       "VALUES (?, ?, ?, ?, ?, ?)");
      record.Bind(1, id).Bind(2, attempt.generation).Bind(3, static_cast<int64_t>(attempt.attempt)).Bind(4, attempt.at);
      record.Bind(5, static_cast<int64_t>(attempt.http_status)).Bind(6, attempt.error);
      record.Step();
      Statement update(db_,
                       "UPDATE jobs SET webhook_state = ?, webhook_attempts = ?, webhook_next_at = ? WHERE id = ? AND "
                       "finished_at = ? AND status IN ('succeeded', 'failed')");
      update.Bind(1, std::string(delivered ? "delivered" : give_up ? "failed" : "pending"));
      update.Bind(2, static_cast<int64_t>(attempt.attempt)).Bind(3, next_at).Bind(4, id).Bind(5, attempt.generation);
      update.Step();
      return 0;
    });
  }

  std::vector<WebhookAttempt> WebhookAttempts(const std::string& id) override {
    std::lock_guard lock(mutex_);
    Statement s(db_,
                "SELECT attempt, at, http_status, error, generation FROM webhook_attempts WHERE job_id = ? "
                "ORDER BY generation, attempt");
    s.Bind(1, id);
    std::vector<WebhookAttempt> out;
    while (s.Step()) out.push_back({static_cast<int>(s.Int(0)), s.Int(1), static_cast<int>(s.Int(2)), s.Text(3), s.Int(4)});
    return out;
  }

  Status PublishCatalog(CatalogVersion* version) override {
    std::lock_guard lock(mutex_);
    try {
      return Transaction([&]() -> Status {
        // Only the current version counts as "the same": publishing an older
        // catalog again (a rollback) makes it current as a new version.
        Statement find(db_,
                       "SELECT version, created_at, created_by FROM catalog_versions WHERE digest = ? AND "
                       "version = (SELECT MAX(version) FROM catalog_versions)");
        find.Bind(1, version->digest);
        if (find.Step()) {
          version->version = find.Int(0);
          version->created_at = find.Int(1);
          version->created_by = find.Text(2);
          return Status::Ok();
        }
        Statement insert(db_, "INSERT INTO catalog_versions (digest, name, created_at, created_by, files) VALUES (?, ?, ?, ?, ?)");
        insert.Bind(1, version->digest).Bind(2, version->name).Bind(3, version->created_at).Bind(4, version->created_by);
        insert.Bind(5, version->files.dump());
        insert.Step();
        version->version = sqlite3_last_insert_rowid(db_);
        return Status::Ok();
      });
    } catch (const std::exception& e) {
      return Status::Error(e.what());
    }
  }

  Status PutDraft(const std::string& id, const nlohmann::json& editions, int64_t now) override {
    std::lock_guard lock(mutex_);
    try {
      // updated_at only moves forward, so a publish can tell an edit made after its snapshot.
      Statement s(db_,
                  "INSERT INTO catalog_drafts (id, editions, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
                  "editions = ?2, updated_at = MAX(?3, catalog_drafts.updated_at + 1)");
      s.Bind(1, id).Bind(2, editions.dump()).Bind(3, now);
      s.Step();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Error(e.what());
    }
  }

  bool DeleteDraft(const std::string& id) override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "DELETE FROM catalog_drafts WHERE id = ?");
    s.Bind(1, id);
    s.Step();
    return sqlite3_changes(db_) == 1;
  }

  std::map<std::string, Draft> Drafts() override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT id, editions, updated_at FROM catalog_drafts ORDER BY id");
    std::map<std::string, Draft> out;
    while (s.Step()) out[s.Text(0)] = {nlohmann::json::parse(s.Text(1), nullptr, false), s.Int(2)};
    return out;
  }

  Status PublishDrafts(CatalogVersion* version, const std::map<std::string, Draft>& published) override {
    Status status = PublishCatalog(version);
    if (!status.ok) return status;
    std::lock_guard lock(mutex_);
    try {
      Transaction([&] {
        // Only the drafts that went into this version: an edit saved meanwhile stays a draft.
        for (const auto& [id, draft] : published) {
          Statement s(db_, "DELETE FROM catalog_drafts WHERE id = ? AND updated_at = ?");
          s.Bind(1, id).Bind(2, draft.updated_at);
          s.Step();
        }
        return 0;
      });
    } catch (const std::exception& e) {
      return Status::Error(std::string("published, but the drafts could not be cleared: ") + e.what());
    }
    return Status::Ok();
  }

  std::optional<CatalogVersion> GetCatalogVersion(int64_t version) override {
    std::lock_guard lock(mutex_);
    Statement s(db_, version == 0 ? "SELECT version, digest, name, created_at, created_by, files FROM catalog_versions "
                                    "ORDER BY version DESC LIMIT 1"
                                  : "SELECT version, digest, name, created_at, created_by, files FROM catalog_versions "
                                    "WHERE version = ?");
    if (version != 0) s.Bind(1, version);
    if (!s.Step()) return std::nullopt;
    return CatalogVersion{s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), nlohmann::json::parse(s.Text(5), nullptr, false)};
  }

  int64_t CurrentCatalogVersion() override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM catalog_versions");
    s.Step();
    return s.Int(0);
  }

  std::vector<CatalogVersion> ListCatalogVersions() override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT version, digest, name, created_at, created_by FROM catalog_versions ORDER BY version DESC");
    std::vector<CatalogVersion> out;
    while (s.Step()) out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), nullptr});
    return out;
  }

  int PruneJobs(int64_t before) override {
    std::lock_guard lock(mutex_);
    return Transaction([&] {
      Statement attempts(db_,
                         "DELETE FROM webhook_attempts WHERE job_id IN (SELECT id FROM jobs WHERE finished_at > 0 AND "
                         "finished_at < ? AND webhook_state != 'pending')");
      attempts.Bind(1, before);
      attempts.Step();
      Statement jobs(db_, "DELETE FROM jobs WHERE finished_at > 0 AND finished_at < ? AND webhook_state != 'pending'");
      jobs.Bind(1, before);
      jobs.Step();
      return sqlite3_changes(db_);
    });
  }

  std::vector<std::string> ReferencedBlobs() override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT result FROM jobs WHERE status = 'succeeded'");
    std::vector<std::string> out;
    while (s.Step()) CollectResultBlobs(nlohmann::json::parse(s.Text(0), nullptr, false), &out);
    return out;
  }

  std::vector<std::pair<JobStatus, int64_t>> CountJobs() override {
    std::lock_guard lock(mutex_);
    Statement s(db_, "SELECT status, COUNT(*) FROM jobs GROUP BY status");
    std::vector<std::pair<JobStatus, int64_t>> out;
    while (s.Step()) {
      if (auto status = ParseJobStatus(s.Text(0))) out.emplace_back(*status, s.Int(1));
    }
    return out;
  }

  Status Ping() override {
    std::lock_guard lock(mutex_);
    try {
      Statement s(db_, "SELECT 1");
      s.Step();
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Error(e.what());
    }
  }

 private:
  std::optional<Job> GetLocked(const std::string& id) {
    Statement s(db_, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?").c_str());
    s.Bind(1, id);
    if (!s.Step()) return std::nullopt;
    return ReadJob(s);
  }

  void Wake() {
    {
      std::lock_guard lock(wake_mutex_);
      ++wake_generation_;
    }
    wake_cv_.notify_all();
  }

  sqlite3* db_;
  std::mutex mutex_;
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  uint64_t wake_generation_ = 0;
};

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::string& path, Status* status) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    *status = Status::Error("cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return nullptr;
  }
  auto store = std::make_unique<SqliteStore>(db);
  try {
    store->Migrate();
  } catch (const std::exception& e) {
    *status = Status::Error("cannot prepare " + path + ": " + e.what());
    return nullptr;
  }
  *status = Status::Ok();
  return store;
}

}  // namespace docgen
