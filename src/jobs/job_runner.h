// Durable generation jobs: worker threads claim due jobs from the Store with
// a lease, keep the lease alive with heartbeats while rendering, write the
// results to the BlobStore before marking the job done, and retry transient
// failures with exponential backoff and jitter. Invalid input fails at once.
// An outage of the database or the blob folder (kUnavailable) is not the
// job's fault: the job goes back to the queue without spending its attempt
// (or, if the outage outlasts the lease, the reaper puts it back). A reaper
// returns expired leases to the queue; webhook threads deliver signed
// callbacks with retries, at most webhook_per_host at a time to one host (a
// delivery whose host is busy waits in this process a moment and is tried
// again), to the address checked when the delivery starts. Start()/Stop() are called by one thread; RunOnce,
// ReapOnce and DeliverOneWebhook may be called from any thread.
#pragma once

#include <docgen/store.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "jobs/callback_url.h"
#include "jobs/catalog_versions.h"
#include "store/blob_store.h"

namespace docgen {

struct RetryPolicy {
  int64_t initial_ms = 1000;
  double factor = 2.0;
  int64_t cap_ms = 5 * 60 * 1000;
  int max_attempts = 5;
  // The delay before attempt `attempt + 1`, with equal jitter in [d/2, d].
  int64_t Delay(int attempt, uint64_t random) const;
};

struct RunnerOptions {
  int workers = 2;
  int64_t lease_ms = 30000;
  int64_t poll_ms = 200;  // how long an idle worker waits before looking again (a queued job wakes it sooner)
  bool noop_jobs = false;  // benchmarks of the queue alone: jobs succeed at once, nothing is rendered
  RetryPolicy retry;
  RetryPolicy webhook_retry{1000, 2.0, 5 * 60 * 1000, 8};
  std::string webhook_secret;  // raw key bytes
  bool allow_private_callbacks = false;  // tests and closed networks: allow callbacks to private addresses
  int webhook_threads = 4;               // deliveries in flight at once, per process
  int webhook_per_host = 2;              // of those, at most this many to one host:port
  HostResolver resolve_host;             // tests: names to addresses; empty: getaddrinfo
  std::string worker_prefix = "worker";
  int test_run_threads = 0;  // render threads of one test run; 0: one per core
  // Fault injection for tests: called before a job's results are stored;
  // returning false makes that attempt a transient failure.
  std::function<bool(const Job&)> before_store;
};

class JobRunner {
 public:
  JobRunner(Store& store, BlobStore& blobs, CatalogVersions& catalogs, Metrics& metrics, const Log& log, const Clock& clock,
            RunnerOptions options);
  ~JobRunner();

  void Start();
  // Stops claiming; waits for jobs in flight to finish (their leases are kept
  // alive meanwhile). Idempotent.
  void Stop();

  // Claims and runs one due job on the calling thread; false when none was
  // due, the Status when the claim itself failed.
  Result<bool> RunOnce(const std::string& worker);
  // One reaper pass; returns how many leases it returned or failed.
  Result<int> ReapOnce();
  // Delivers one due webhook (or sets it aside a moment when its host has
  // webhook_per_host deliveries in flight); false when none was due.
  Result<bool> DeliverOneWebhook();
  // Claims one operation run that is queued, or whose process died, and
  // runs it to its end (jobs/operations.h); false when none was waiting.
  Result<bool> RunOneOperation(const std::string& worker);

 private:
  void Execute(const Job& job, const std::string& worker);
  // A validation job's results (stored with `put`) and summary; nullopt
  // when it was stopped because the worker lost the job.
  std::optional<nlohmann::json> Validate(const Job& job, const std::string& worker, const Catalog& catalog,
                                         const std::function<std::string(std::string_view)>& put);
  struct Attempt;  // one attempt at a job and its wide event (job_runner.cc)
  using LogLine = void (Log::*)(const std::string&, nlohmann::json) const;
  // Logs the attempt's one event (SPEC §9). `outcome`: succeeded, invalid or
  // failed when the job ended; retrying, released (an outage gave the attempt
  // back) or lost (its lease went to another worker, or it was canceled)
  // when it did not. `code`: the first error's, "" when none.
  void End(Attempt& attempt, LogLine line, const std::string& message, const char* outcome, const std::string& code,
           const nlohmann::json& details = nlohmann::json::object());
  // Marks a job done (or gives it back after an outage), with its metrics.
  void Complete(Attempt& attempt, const nlohmann::json& result);
  // The caller's input cannot be produced: the job fails at once, never retried.
  void Invalid(Attempt& attempt, const Diagnostics& errors, const std::string& what);
  // Counts a job that reached its final state; `code` is its first error's
  // ("" when it succeeded). A test run that did not succeed counts as a
  // failed run (Complete counts the others).
  void Finished(const Job& job, const char* outcome, const std::string& code);
  void CountJobEnd(const char* outcome, const std::string& code);
  // A test run (jobs/test_run_job.h) of `published`, or of the drafts the job carries.
  void TestRun(Attempt& attempt, const Catalog& published);
  // The attempt was cut short by an outage: give it back (retrying while
  // the lease lasts), or leave the job to the reaper.
  void Release(Attempt& attempt, const Status& outage);
  // docgen's fault: retried with backoff until the attempts are used up.
  void Transient(Attempt& attempt, const std::string& why);
  // The job is no longer this worker's: nothing is recorded.
  void Lost(Attempt& attempt, const std::string& code);
  template <typename F>
  auto Guarded(const char* what, F&& pass) -> decltype(pass());
  void WorkerLoop(int index);
  void ReaperLoop();
  void WebhookLoop();
  void OperationsLoop();
  Status DeliverWebhook(const Job& job);  // one attempt, recorded

  Store& store_;
  BlobStore& blobs_;
  CatalogVersions& catalogs_;
  Metrics& metrics_;
  const Log& log_;
  const Clock& clock_;
  RunnerOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  HostResolver resolve_host_;
  // Deliveries whose host was at its limit when claimed: still held for this
  // process by the store's claim, tried again here once the host has room.
  struct ParkedWebhook {
    Job job;
    std::string host;
    std::chrono::steady_clock::time_point claimed;
    std::chrono::steady_clock::time_point ready;
  };
  std::mutex webhook_mutex_;
  std::map<std::string, int> webhooks_in_flight_;  // by host:port
  std::deque<ParkedWebhook> parked_webhooks_;
};

}  // namespace docgen
