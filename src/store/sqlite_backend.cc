// The embedded backend: one SQLite database in WAL mode, one connection per
// Store serialised by a mutex. Write transactions take the write lock first
// (BEGIN IMMEDIATE), so several processes sharing the file never claim the
// same job; claims need no row locks. Wake-ups are in-process only: another
// process sharing the file is noticed when its poll timeout ends.
#include <docgen/store.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/inspect.h"
#include "store/schema.h"
#include "store/sqlite_backend.h"
#include "store/sql.h"
#include "store/sql_store.h"

namespace docgen {
namespace {

constexpr int kBusyTimeoutMs = 10000;  // how long a writer waits for another process's lock
constexpr int kOnceWaitMs = 200;

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

Status StatusOf(const SqliteError& e) { return StatusOfSqliteError(e.code(), e.what()); }

void Check(sqlite3* db, int rc) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) throw SqliteError(sqlite3_extended_errcode(db), sqlite3_errmsg(db));
}

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    Check(db, sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds $1, $2, ... by name: SQLite numbers named parameters by first use.
  void Bind(const std::vector<SqlParam>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = sqlite3_bind_parameter_index(stmt_, ("$" + std::to_string(i + 1)).c_str());
      if (index == 0) continue;  // not used by this statement
      if (const auto* text = std::get_if<std::string>(&params[i])) {
        Check(db_, sqlite3_bind_text(stmt_, index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT));
      } else if (const auto* number = std::get_if<int64_t>(&params[i])) {
        Check(db_, sqlite3_bind_int64(stmt_, index, *number));
      } else {
        Check(db_, sqlite3_bind_null(stmt_, index));
      }
    }
  }

  SqlResult Run() {
    SqlResult result;
    const int columns = sqlite3_column_count(stmt_);
    for (;;) {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) break;
      Check(db_, rc);
      std::vector<std::string> values;
      values.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
        values.emplace_back(text == nullptr ? std::string() : std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))));
      }
      result.rows.emplace_back(std::move(values));
    }
    result.affected = sqlite3_changes(db_);
    return result;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void ExecScriptOn(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(sqlite3_extended_errcode(db), message);
  }
}

class SqliteSession final : public SqlSession {
 public:
  explicit SqliteSession(sqlite3* db) : db_(db) {}
  SqlResult Exec(const std::string& sql, const std::vector<SqlParam>& params) override {
    Statement statement(db_, sql);
    statement.Bind(params);
    return statement.Run();
  }
  void ExecScript(const std::string& sql) override { ExecScriptOn(db_, sql); }
  // BEGIN IMMEDIATE already serialises every writer, across processes too.
  void Lock(SqlLock) override {}
  bool TryLock(SqlLock) override { return true; }
  void WakeWorkersOnCommit() override { wake_ = true; }
  bool wake() const { return wake_; }

 private:
  sqlite3* db_;
  bool wake_ = false;
};

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;

class SqliteBackend final : public SqlBackend {
 public:
  explicit SqliteBackend(DatabaseHandle db) : db_(std::move(db)) {}

  Status Run(Access access, Patience patience, const std::function<Status(SqlSession&)>& body) override {
    SqliteSession session(db_.get());
    {
      // One attempt (health checks, metrics): a moment for this process's
      // other statements and for another process's lock, not the busy timeout.
      std::unique_lock lock(mutex_, std::defer_lock);
      if (patience == Patience::kOnce) {
        if (!lock.try_lock_for(std::chrono::milliseconds(kOnceWaitMs))) {
          return Status::Unavailable("the SQLite database is busy with this process's other statements");
        }
      } else {
        lock.lock();
      }
      sqlite3_busy_timeout(db_.get(), patience == Patience::kOnce ? kOnceWaitMs : kBusyTimeoutMs);
      try {
        ExecScriptOn(db_.get(), access == Access::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
        Status status = body(session);
        ExecScriptOn(db_.get(), status.ok() ? "COMMIT" : "ROLLBACK");
        if (!status.ok()) return status;
      } catch (const SqliteError& e) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);  // fails harmlessly when SQLite rolled back itself
        return StatusOf(e);
      } catch (const std::exception& e) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        return Status::Internal(e.what());
      }
    }
    if (session.wake()) Wake();
    return Status::Ok();
  }

  const char* SkipLockedRows() const override { return ""; }

  uint64_t JobsSignal() override {
    std::lock_guard lock(wake_mutex_);
    return wake_generation_;
  }
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override {
    std::unique_lock lock(wake_mutex_);
    wake_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return wake_generation_ != seen; });
  }

  // Databases made before the shared schema (docgen 0.1 numbered SQLite's
  // schema in PRAGMA user_version, 1 to 3) are brought to migration 1 of
  // store/schema.cc: the same tables, the indexes renamed.
  Status AdoptLegacySchema() {
    return Run(Access::kWrite, Patience::kRetry, [](SqlSession& s) -> Status {
      const int64_t legacy = s.Exec("PRAGMA user_version").rows.at(0).Int(0);
      if (legacy == 0) return Status::Ok();
      if (!s.Exec("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").rows.empty()) return Status::Ok();
      if (legacy > 3) {
        return Status::Internal("the database has schema version " + std::to_string(legacy) + ", newer than this docgen; upgrade docgen");
      }
      s.ExecScript(R"sql(
        CREATE TABLE IF NOT EXISTS catalog_drafts (id TEXT PRIMARY KEY, editions TEXT NOT NULL, updated_at BIGINT NOT NULL);
        DROP INDEX IF EXISTS jobs_due;
        DROP INDEX IF EXISTS jobs_queue;
        DROP INDEX IF EXISTS jobs_webhook;
        CREATE INDEX jobs_queue ON jobs (run_after, created_at) WHERE status = 'queued';
        CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 'running';
        CREATE INDEX jobs_webhooks ON jobs (webhook_next_at) WHERE webhook_state = 'pending';
        CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at > 0;
        CREATE TABLE blobs (name TEXT PRIMARY KEY, bytes BYTEA NOT NULL, written_at BIGINT NOT NULL);
        CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);
        INSERT INTO schema_migrations (version) VALUES (1);
        PRAGMA user_version = 0;
      )sql");
      return Status::Ok();
    });
  }

 private:
  void Wake() {
    {
      std::lock_guard lock(wake_mutex_);
      ++wake_generation_;
    }
    wake_cv_.notify_all();
  }

  DatabaseHandle db_;
  std::timed_mutex mutex_;
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  uint64_t wake_generation_ = 0;
};

// Every open asks for WAL (a no-op once the database is in it). While another
// process switches a new database to WAL, or checkpoints the WAL as the last
// one out, SQLite refuses at once rather than wait in the busy handler (that
// could deadlock): twenty `docgen token create` on a fresh data folder hit
// it. So the request is retried, up to the busy timeout.
void EnterWalMode(sqlite3* db) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (int wait_ms = 1;; wait_ms = std::min(wait_ms * 2, 50)) {
    try {
      ExecScriptOn(db, "PRAGMA journal_mode=WAL");
      return;
    } catch (const SqliteError& e) {
      if ((e.code() & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace

// SQLite's result codes, mapped once. A busy or locked database (past the
// busy timeout), a failing, full or read-only disk, an unopenable file and
// lack of memory are outages: retry later, as with a lost PostgreSQL. A
// taken unique key is a conflict; any other constraint is a bug.
Status StatusOfSqliteError(int extended_code, const std::string& message) {
  switch (extended_code & 0xff) {  // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Status::Unavailable("the SQLite database is unavailable: " + message);
    case SQLITE_CONSTRAINT:
      if (extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY) return Status::Conflict(message);
      return Status::Internal("SQLite: " + message);
    default:
      return Status::Internal("SQLite: " + message);
  }
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  // A new database is readable by its owner only (it holds insured names and
  // policies); SQLite gives its -wal and -shm files the database file's mode.
  // An existing file keeps its mode.
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  DatabaseHandle db(raw);
  if (rc != SQLITE_OK) {
    return Status::Unavailable("cannot open " + path + ": " + (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  try {
    EnterWalMode(db.get());
    ExecScriptOn(db.get(), "PRAGMA synchronous=FULL");  // a job accepted with 202 survives power loss
    ExecScriptOn(db.get(), "PRAGMA foreign_keys=ON");
  } catch (const SqliteError& e) {
    return StatusOf(e).Context("cannot prepare " + path);
  }
  auto backend = std::make_unique<SqliteBackend>(std::move(db));
  Status status = backend->AdoptLegacySchema();
  if (status.ok()) status = MigrateSchema(*backend);
  if (!status.ok()) return status.Context("cannot prepare " + path);
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(backend)));
}

Result<SchemaState> InspectSqliteSchema(const std::string& path) {
  SchemaState state;
  state.known = KnownSchemaVersion();
  if (::access(path.c_str(), F_OK) != 0) return state;
  state.exists = true;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr);
  DatabaseHandle db(raw);
  if (rc != SQLITE_OK) return Status::Unavailable("cannot open " + path + ": " + (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  SqliteBackend backend(std::move(db));
  Result<int> applied =
      AppliedMigrations(backend, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1");
  if (!applied.ok()) return applied.status().Context("cannot read " + path);
  state.applied = *applied;
  return state;
}

Status SnapshotSqlite(const std::string& path, const std::string& out) {
  if (::access(path.c_str(), F_OK) != 0) return Status::NotFound("there is no database at " + path);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr);
  DatabaseHandle db(raw);
  if (rc != SQLITE_OK) return Status::Unavailable("cannot open " + path + ": " + (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  try {
    Statement vacuum(db.get(), "VACUUM INTO $1");  // outside any transaction, as VACUUM must be
    vacuum.Bind({out});
    vacuum.Run();
  } catch (const SqliteError& e) {
    return StatusOf(e).Context("cannot copy " + path + " to " + out);
  }
  return Status::Ok();
}

Result<SchemaState> CheckSqliteFile(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr);
  DatabaseHandle db(raw);
  if (rc != SQLITE_OK) return Status::InvalidArgument(path + ": cannot be opened as a database: " + (db ? sqlite3_errmsg(db.get()) : "out of memory"));
  std::string verdict;
  try {
    Statement check(db.get(), "PRAGMA integrity_check");
    SqlResult result = check.Run();
    verdict = result.rows.empty() ? "no answer" : result.rows.front().Text(0);
  } catch (const SqliteError& e) {
    return Status::InvalidArgument(path + ": not a SQLite database (" + std::string(e.what()) + ")");
  }
  if (verdict != "ok") return Status::InvalidArgument(path + ": the database is damaged: " + verdict);
  db.reset();
  Result<SchemaState> state = InspectSqliteSchema(path);
  if (!state.ok()) return Status::InvalidArgument(state.status().message());
  if (state->applied == 0) return Status::InvalidArgument(path + ": not a docgen database (it has no schema_migrations)");
  if (state->applied > state->known) {
    return Status::InvalidArgument(path + ": schema version " + std::to_string(state->applied) + " is newer than this docgen's (" +
                                   std::to_string(state->known) + "); restore it with the docgen that made the backup, or a newer one");
  }
  return state;
}

}  // namespace docgen
