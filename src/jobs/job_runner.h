// Durable generation jobs: worker threads claim due jobs from the Store with
// a lease, keep the lease alive with heartbeats while rendering, write the
// results to the BlobStore before marking the job done, and retry transient
// failures with exponential backoff and jitter. Invalid input fails at once.
// A reaper returns expired leases to the queue; a webhook thread delivers
// signed callbacks with retries. Start()/Stop() are called by one thread.
#pragma once

#include <docgen/catalog.h>
#include <docgen/store.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/log.h"
#include "server/metrics.h"
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

// Milliseconds since the epoch; replaceable in tests.
using NowFunction = std::function<int64_t()>;
int64_t SystemNowMs();

// Loads published catalog versions from the store, once each.
class CatalogVersions {
 public:
  explicit CatalogVersions(Store& store) : store_(store) {}
  // The catalog of `version` (0: current), or null with `error`.
  std::shared_ptr<const Catalog> Get(int64_t version, std::string* error, int64_t* resolved_version = nullptr);

 private:
  Store& store_;
  std::mutex mutex_;
  std::map<int64_t, std::shared_ptr<const Catalog>> cache_;
};

class JobRunner {
 public:
  JobRunner(Store& store, BlobStore& blobs, CatalogVersions& catalogs, Metrics& metrics, const Log& log,
            RunnerOptions options, NowFunction now = SystemNowMs);
  ~JobRunner();

  void Start();
  // Stops claiming; waits for jobs in flight to finish (their leases are kept
  // alive meanwhile). Idempotent.
  void Stop();

  // Claims and runs one due job on the calling thread; false when none was due.
  bool RunOnce(const std::string& worker);
  // One reaper pass and one webhook delivery pass, on the calling thread.
  void ReapOnce();
  bool DeliverOneWebhook();

 private:
  void Execute(const Job& job, const std::string& worker);
  void WorkerLoop(int index);
  void ReaperLoop();
  void WebhookLoop();

  Store& store_;
  BlobStore& blobs_;
  CatalogVersions& catalogs_;
  Metrics& metrics_;
  const Log& log_;
  RunnerOptions options_;
  NowFunction now_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace docgen
