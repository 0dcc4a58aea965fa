// A small pool of PostgreSQL connections shared by the threads of one
// process. Run() lends a connection to a body that opens its own
// transaction; when the connection is lost (the server restarted, a network
// blip), the connection is dropped and the body runs again on a new one,
// with exponential backoff, for up to `retry_window_ms`. Only failures that
// guarantee the transaction did not commit are retried: a commit whose
// outcome is unknown (pqxx::in_doubt_error) becomes StoreUnavailable.
#pragma once

#include <docgen/store.h>

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace docgen {

class PgPool {
 public:
  // `on_outage(true, why)` is called once when connections start failing,
  // `on_outage(false, "")` once they work again (for the log).
  using OutageCallback = std::function<void(bool down, const std::string& why)>;

  PgPool(std::string url, int size, OutageCallback on_outage = nullptr, int64_t retry_window_ms = 15000)
      : url_(std::move(url)), size_(size < 1 ? 1 : size), retry_window_ms_(retry_window_ms), on_outage_(std::move(on_outage)) {}

  const std::string& url() const { return url_; }

  // `patient` false: one attempt, for health checks and metrics, which must
  // answer quickly while the database is away.
  template <typename Body>
  auto Run(Body&& body, bool patient = true) -> decltype(body(std::declval<pqxx::connection&>())) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(patient ? retry_window_ms_ : 0);
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this);
      try {
        lease.Connect();
        auto result = body(lease.connection());
        if (attempt > 0) Outage(false, "");
        return result;
      } catch (const pqxx::in_doubt_error& e) {
        lease.Discard();
        throw StoreUnavailable(std::string("the database connection was lost while committing; the change may or may not "
                                           "have been saved: ") + e.what());
      } catch (const pqxx::broken_connection& e) {
        lease.Discard();
        Backoff(attempt, deadline, e.what());
      } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock: safe to run again
        Backoff(attempt, deadline, e.what());
      } catch (const pqxx::sql_error& e) {
        // 57P01..57P03: the server is shutting down or starting; 08xxx: connection exceptions.
        const std::string state = e.sqlstate();
        if (state.rfind("57P", 0) != 0 && state.rfind("08", 0) != 0) throw;
        lease.Discard();
        Backoff(attempt, deadline, e.what());
      }
    }
  }

  // Connections opened after a lost one (for metrics and logs).
  int64_t reconnects() const {
    std::lock_guard lock(mutex_);
    return reconnects_;
  }

 private:
  // A connection borrowed from the pool for one Run attempt.
  class Lease {
   public:
    explicit Lease(PgPool& pool) : pool_(pool), connection_(pool.Acquire()) {}
    ~Lease() { pool_.Release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    void Connect() {
      if (!connection_ || !connection_->is_open()) {
        connection_.reset();
        connection_ = std::make_unique<pqxx::connection>(pool_.url_);
        pool_.Opened();
      }
    }
    pqxx::connection& connection() { return *connection_; }
    void Discard() { connection_.reset(); }

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  // Waits for a free slot; returns its connection (null when not yet opened).
  std::unique_ptr<pqxx::connection> Acquire() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return in_use_ < size_; });
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
  void Opened() {
    std::lock_guard lock(mutex_);
    if (opened_++ >= size_) ++reconnects_;
  }
  void Outage(bool down, const std::string& why) {
    {
      std::lock_guard lock(mutex_);
      if (down_ == down) return;
      down_ = down;
    }
    if (on_outage_) on_outage_(down, why);
  }
  void Backoff(int attempt, std::chrono::steady_clock::time_point deadline, const char* why) {
    Outage(true, why);
    const auto delay = std::chrono::milliseconds(std::min<int64_t>(50LL << std::min(attempt, 6), 2000));
    if (std::chrono::steady_clock::now() + delay > deadline) {
      throw StoreUnavailable(std::string("PostgreSQL is unavailable: ") + why);
    }
    std::this_thread::sleep_for(delay);
  }

  const std::string url_;
  const int size_;
  const int64_t retry_window_ms_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int in_use_ = 0;
  int64_t opened_ = 0;
  int64_t reconnects_ = 0;
  bool down_ = false;
  OutageCallback on_outage_;
};

}  // namespace docgen
