// Durable generation jobs: worker threads claim due jobs from the Store with
// a lease, keep the lease alive with heartbeats while rendering, write the
// results to the BlobStore before marking the job done, and retry transient
// failures with exponential backoff and jitter. Invalid input fails at once.
// An outage of the database or the blob folder (kUnavailable) is not the
// job's fault: the job goes back to the queue without spending its attempt
// (or, if the outage outlasts the lease, the reaper puts it back). A reaper
// returns expired leases to the queue; a webhook thread delivers signed
// callbacks with retries. Start()/Stop() are called by one thread; RunOnce,
// ReapOnce and DeliverOneWebhook may be called from any thread.
#pragma once

#include <docgen/store.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
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
  std::string worker_prefix = "worker";
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
  // Delivers one due webhook; false when none was due.
  Result<bool> DeliverOneWebhook();

 private:
  void Execute(const Job& job, const std::string& worker);
  // The attempt was cut short by an outage: give it back (retrying while
  // the lease lasts), or leave the job to the reaper.
  void Release(const Job& job, const std::string& worker, const Status& outage);
  void Transient(const Job& job, const std::string& worker, const std::string& why);
  template <typename F>
  auto Guarded(const char* what, F&& pass) -> decltype(pass());
  void WorkerLoop(int index);
  void ReaperLoop();
  void WebhookLoop();

  Store& store_;
  BlobStore& blobs_;
  CatalogVersions& catalogs_;
  Metrics& metrics_;
  const Log& log_;
  const Clock& clock_;
  RunnerOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace docgen
