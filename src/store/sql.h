// The seam between the Store's statements, written once (sql_store.cc), and
// the two databases under them. A SqlBackend opens a transaction on one of
// its connections and lends it to a body as a SqlSession; it supplies only
// what differs between SQLite and PostgreSQL: how statements run, row locks
// for claims, locks held for a transaction, waking idle workers, and the
// mapping of its native errors to Status codes (in one place per backend).
//
// Statements use PostgreSQL's positional parameters ($1, $2, ...), which
// SQLite also accepts (as parameter names). Sessions are used by one thread
// at a time; backends are thread-safe.
#pragma once

#include <docgen/status.h>

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace docgen {

using SqlParam = std::variant<std::nullptr_t, int64_t, std::string>;

// One result row as text (SQL NULL reads as ""); Int parses a number column.
class SqlRow {
 public:
  explicit SqlRow(std::vector<std::string> values) : values_(std::move(values)) {}
  const std::string& Text(size_t column) const { return values_.at(column); }
  int64_t Int(size_t column) const;
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::string> values_;
};

struct SqlResult {
  std::vector<SqlRow> rows;
  int64_t affected = 0;  // rows an INSERT, UPDATE or DELETE changed
};

// Locks held until the transaction ends.
enum class SqlLock { kMigrations, kReaper, kCatalog, kAudit };

// How long a call may wait for the database.
enum class Patience {
  kRetry,  // through the backend's retry window: the work must get done
  kOnce,   // one attempt: health checks and metrics answer at once
};

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement. Failures throw the backend's native exceptions;
  // SqlBackend::Run turns them into a Status.
  virtual SqlResult Exec(const std::string& sql, const std::vector<SqlParam>& params = {}) = 0;
  // Runs several statements without parameters (migrations).
  virtual void ExecScript(const std::string& sql) = 0;
  // Waits for the lock; with TryLock, false when another transaction holds it.
  virtual void Lock(SqlLock lock) = 0;
  virtual bool TryLock(SqlLock lock) = 0;
  // Idle workers of every process sharing the store wake once this
  // transaction commits (never when it rolls back).
  virtual void WakeWorkersOnCommit() = 0;
};

class SqlBackend {
 public:
  enum class Access {
    kRead,   // one or more reads; no write lock taken
    kWrite,  // a transaction that writes: all of it commits or none
  };
  virtual ~SqlBackend() = default;

  // Runs `body` in a transaction: it commits when the body returns an ok
  // Status and rolls back otherwise, returning the body's Status. The
  // backend's exceptions (from the body or the commit) become kUnavailable
  // (unreachable, busy, disk full or failing, a lost commit), kConflict
  // (a unique key taken) or kInternal. A body may run more than once (the
  // backend retries on a new connection when nothing can have committed),
  // so it must only change what it returns through its captures.
  virtual Status Run(Access access, Patience patience, const std::function<Status(SqlSession&)>& body) = 0;

  // Appended to the SELECT that picks a row to claim, so that concurrent
  // claims skip rows another transaction is claiming ("" where writers are
  // serialised anyway).
  virtual const char* SkipLockedRows() const = 0;

  // The wake-up counter of Store::JobsSignal / WaitForJobs.
  virtual uint64_t JobsSignal() = 0;
  virtual void WaitForJobs(uint64_t seen, int64_t timeout_ms) = 0;
};

}  // namespace docgen
