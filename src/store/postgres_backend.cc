// The shared backend: one PostgreSQL database for many docgen processes.
// Claims skip rows other transactions are claiming (FOR UPDATE SKIP LOCKED),
// so claims never wait on each other; every change that makes a job
// claimable sends NOTIFY docgen_jobs in its transaction, and one LISTEN
// connection per process wakes its idle workers. Locks held for a
// transaction (one reaper at a time, publishers and migrations taking turns)
// are advisory locks. Connections come from PgPool, which retries a
// transaction on a new connection when the old one was lost.
#include <docgen/store.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/pg_pool.h"
#include "store/inspect.h"
#include "store/schema.h"
#include "store/sql.h"
#include "store/sql_store.h"

namespace docgen {
namespace {

// Advisory lock keys (any fixed 64-bit numbers unique to docgen).
int64_t AdvisoryKey(SqlLock lock) {
  switch (lock) {
    case SqlLock::kMigrations: return 0x646f6367656e01;
    case SqlLock::kReaper: return 0x646f6367656e02;
    case SqlLock::kCatalog: return 0x646f6367656e03;
    case SqlLock::kAudit: return 0x646f6367656e04;
  }
  return 0x646f6367656e00;
}

class PostgresSession final : public SqlSession {
 public:
  explicit PostgresSession(pqxx::transaction_base& tx) : tx_(tx) {}

  SqlResult Exec(const std::string& sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> texts;
    texts.reserve(params.size());  // the pointers below stay valid
    std::vector<const char*> values;
    for (const SqlParam& p : params) {
      if (const auto* text = std::get_if<std::string>(&p)) {
        values.push_back(text->c_str());
      } else if (const auto* number = std::get_if<int64_t>(&p)) {
        values.push_back(texts.emplace_back(std::to_string(*number)).c_str());
      } else {
        values.push_back(nullptr);  // SQL NULL
      }
    }
    const pqxx::result r = tx_.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
    SqlResult out;
    out.affected = static_cast<int64_t>(r.affected_rows());
    out.rows.reserve(r.size());
    for (const auto& row : r) {
      std::vector<std::string> fields;
      fields.reserve(row.size());
      for (const auto& field : row) fields.emplace_back(field.is_null() ? std::string() : std::string(field.c_str(), field.size()));
      out.rows.emplace_back(std::move(fields));
    }
    return out;
  }
  void ExecScript(const std::string& sql) override { tx_.exec(sql); }
  void Lock(SqlLock lock) override { tx_.exec_params("SELECT pg_advisory_xact_lock($1)", AdvisoryKey(lock)); }
  bool TryLock(SqlLock lock) override {
    return tx_.exec_params1("SELECT pg_try_advisory_xact_lock($1)", AdvisoryKey(lock))[0].as<bool>();
  }
  // Sent in the transaction: delivered to listeners when (and only if) it commits.
  void WakeWorkersOnCommit() override { tx_.exec("NOTIFY docgen_jobs"); }

 private:
  pqxx::transaction_base& tx_;
};

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

class PostgresBackend final : public SqlBackend {
 public:
  PostgresBackend(const std::string& url, int connections, PgPool::OutageCallback on_outage)
      : pool_(url, connections, std::move(on_outage)), listener_(url) {}

  Status Run(Access access, Patience patience, const std::function<Status(SqlSession&)>& body) override {
    try {
      return pool_.Run(
          [&](pqxx::connection& c) {
            if (access == Access::kRead) {
              pqxx::nontransaction tx(c);  // a read: no BEGIN/ROLLBACK round trips
              PostgresSession session(tx);
              return body(session);
            }
            pqxx::work tx(c);
            PostgresSession session(tx);
            Status status = body(session);
            if (status.ok()) tx.commit();
            return status;
          },
          patience);
    } catch (...) {
      return StatusOfPostgresFailure(std::current_exception());
    }
  }

  const char* SkipLockedRows() const override { return " FOR UPDATE SKIP LOCKED"; }
  uint64_t JobsSignal() override { return listener_.Signal(); }
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override { listener_.Wait(seen, timeout_ms); }

 private:
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

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int connections,
                                                std::function<void(bool down, const std::string& why)> on_outage) {
  auto backend = std::make_unique<PostgresBackend>(url, connections, std::move(on_outage));
  Status status = MigrateSchema(*backend);
  if (!status.ok()) return status.Context("cannot prepare the database " + Redacted(url));
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(std::move(backend)));
}

Result<SchemaState> InspectPostgresSchema(const std::string& url) {
  PostgresBackend backend(url, 1, nullptr);
  Result<int> applied = AppliedMigrations(backend, "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = $1");
  if (!applied.ok()) return applied.status().Context("cannot read the database " + Redacted(url));
  return SchemaState{true, *applied, KnownSchemaVersion()};
}

}  // namespace docgen
