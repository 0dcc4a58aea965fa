// A small pool of PostgreSQL connections shared by the threads of one
// process. Run() lends a connection to a body that opens its own
// transaction; when the connection is lost (the server restarted, a network
// blip), the connection is dropped and the body runs again on a new one,
// with exponential backoff, for up to `retry_window_ms`. Only failures that
// guarantee the transaction did not commit are retried: a commit whose
// outcome is unknown (pqxx::in_doubt_error) throws PgUnavailable, and so
// does a database still away when the window ends. StatusOfPostgresFailure
// is the one mapping of every PostgreSQL failure to a Status code.
#pragma once

#include <docgen/status.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sql.h"  // Patience

namespace docgen {

// The database cannot be reached (or a commit's outcome was lost).
class PgUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The Status of a failure thrown by PgPool::Run or libpqxx, to be called
// from a catch block: the one mapping of PostgreSQL's errors. Outages are
// kUnavailable: the server unreachable, shutting down, out of disk (class
// 53), memory or connections, failing I/O (class 58), read-only (a standby
// after a failover: 25006), a statement cancelled by a timeout (57014) or a
// lock not available (55P03). A taken unique key is kConflict; anything
// else kInternal.
inline Status StatusOfPostgresFailure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const PgUnavailable& e) {
    return Status::Unavailable(e.what());
  } catch (const pqxx::broken_connection& e) {
    return Status::Unavailable(std::string("PostgreSQL is unavailable: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    if (state.rfind("53", 0) == 0 || state.rfind("58", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0 ||
        state == "25006" || state == "57014" || state == "55P03") {
      return Status::Unavailable("PostgreSQL is unavailable (" + state + "): " + e.what());
    }
    if (state == "23505") return Status::Conflict(e.what());
    return Status::Internal("PostgreSQL (" + state + "): " + e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("PostgreSQL: ") + e.what());
  } catch (...) {
    return Status::Internal("PostgreSQL: unknown failure");
  }
}

// The URL with the libpq settings every docgen connection needs, unless the
// URL sets them: a bounded connect (a host that drops packets would block
// forever) and TCP keepalives (a half-open connection is noticed).
inline std::string WithConnectionDefaults(const std::string& url) {
  std::string out = url;
  for (const char* setting : {"connect_timeout=5", "keepalives=1", "keepalives_idle=15", "keepalives_interval=5",
                              "keepalives_count=3"}) {
    const std::string name = std::string(setting).substr(0, std::string(setting).find('=') + 1);
    if (out.find("?" + name) != std::string::npos || out.find("&" + name) != std::string::npos) continue;
    out += (out.find('?') == std::string::npos ? "?" : "&") + std::string(setting);
  }
  return out;
}

class PgPool {
 public:
  // `on_outage(true, why)` is called once when connections start failing,
  // `on_outage(false, "")` once they work again (for the log).
  using OutageCallback = std::function<void(bool down, const std::string& why)>;

  PgPool(std::string url, int size, OutageCallback on_outage = nullptr, int64_t retry_window_ms = 15000)
      : url_(WithConnectionDefaults(url)), size_(std::max(size, 1)), retry_window_ms_(retry_window_ms), on_outage_(std::move(on_outage)) {}

  template <typename Body>
  auto Run(Body&& body, Patience patience = Patience::kRetry) -> decltype(body(std::declval<pqxx::connection&>())) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(patience == Patience::kRetry ? retry_window_ms_ : 0);
    for (int attempt = 0;; ++attempt) {
      std::string why;
      bool lost = true;  // the connection, as opposed to a transaction to run again (deadlock, serialization)
      {
        Lease lease(*this, deadline);  // the slot is given back before any backoff sleep
        try {
          lease.Connect();
          auto result = body(lease.connection());
          if (down_) Outage(false, "");
          return result;
        } catch (const pqxx::in_doubt_error& e) {
          lease.Discard();
          throw PgUnavailable(std::string("the database connection was lost while committing; the change may or may not "
                                             "have been saved: ") + e.what());
        } catch (const pqxx::broken_connection& e) {
          lease.Discard();
          why = e.what();
        } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock: safe to run again
          why = e.what();
          lost = false;
        } catch (const pqxx::sql_error& e) {
          // 57P01..57P03: the server is shutting down or starting; 08xxx: connection exceptions.
          const std::string state = e.sqlstate();
          if (state.rfind("57P", 0) != 0 && state.rfind("08", 0) != 0) throw;
          lease.Discard();
          why = e.what();
        }
      }
      if (lost) Outage(true, why);
      Backoff(attempt, deadline, why);
    }
  }

 private:
  // A pool slot, and its connection when one is open, for one Run attempt.
  class Lease {
   public:
    Lease(PgPool& pool, std::chrono::steady_clock::time_point deadline) : pool_(pool), connection_(pool.Acquire(deadline)) {}
    ~Lease() { pool_.Release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    void Connect() {
      if (!connection_ || !connection_->is_open()) {
        connection_.reset();
        connection_ = std::make_unique<pqxx::connection>(pool_.url_);
      }
    }
    pqxx::connection& connection() { return *connection_; }
    void Discard() { connection_.reset(); }

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Waits for a free slot (at most until `deadline`, and a moment more for
  // one-attempt calls); returns its connection, null when none is open yet.
  std::unique_ptr<pqxx::connection> Acquire(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    const auto until = std::max(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(2));
    if (!cv_.wait_until(lock, until, [&] { return in_use_ < size_; })) {
      throw PgUnavailable("every database connection of this process is busy");
    }
    ++in_use_;
    if (idle_.empty()) return nullptr;
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
  }
  void Release(std::unique_ptr<pqxx::connection> connection) {
    {
      std::lock_guard lock(mutex_);
      --in_use_;
      if (connection) idle_.push_back(std::move(connection));
    }
    cv_.notify_one();
  }
  // Reports the edges only: the first failure of an outage and the first success after it.
  void Outage(bool down, const std::string& why) {
    if (down_.exchange(down) == down) return;
    if (on_outage_) on_outage_(down, why);
  }
  static void Backoff(int attempt, std::chrono::steady_clock::time_point deadline, const std::string& why) {
    const auto delay = std::chrono::milliseconds(std::min<int64_t>(50LL << std::min(attempt, 6), 2000));
    if (std::chrono::steady_clock::now() + delay > deadline) throw PgUnavailable("PostgreSQL is unavailable: " + why);
    std::this_thread::sleep_for(delay);
  }

  const std::string url_;
  const int size_;
  const int64_t retry_window_ms_;
  const OutageCallback on_outage_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int in_use_ = 0;
  std::atomic<bool> down_{false};
};

}  // namespace docgen
