// Durable state of the service behind one interface: generation jobs with
// leases, webhook deliveries, and published catalog versions. The SQLite
// backend is the embedded default; the PostgreSQL backend lets many docgen
// processes share one queue. Both pass the same tests (tests/store_test.cc).
//
// Every method is thread-safe and atomic. Times are milliseconds since the
// Unix epoch, passed in by the caller (tests control the clock). Expected
// failures are reported through Status; a database that cannot be reached
// (after the backend's own reconnection attempts), or a commit whose outcome
// the connection lost, throws StoreUnavailable, which the callers' loops and
// the HTTP layer turn into retries and 503s.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Status {
  bool ok = true;
  std::string message;  // why not, in words
  static Status Ok() { return {}; }
  static Status Error(std::string why) { return {false, std::move(why)}; }
};

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCanceled };
const char* ToString(JobStatus status);
std::optional<JobStatus> ParseJobStatus(const std::string& text);

struct Job {
  std::string id;
  JobStatus status = JobStatus::kQueued;
  std::string idempotency_key;       // empty when none
  std::string request_hash;          // sha256 of the request, for idempotent replays
  nlohmann::json quote;
  std::string callback_url;          // empty when none
  int64_t catalog_version = 0;       // the version the job resolves against
  int attempts = 0;                  // runs started
  int max_attempts = 5;
  int64_t run_after = 0;             // not claimed before this time
  std::string lease_owner;
  int64_t lease_until = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t finished_at = 0;
  nlohmann::json errors = nlohmann::json::array();  // diagnostics of a failed job
  nlohmann::json result;             // {"package_pdf": sha, "package_json": sha, "documents": [...], "pages": n}
  std::string webhook_state;         // "", "pending", "delivered", "failed"
  int webhook_attempts = 0;
  int64_t webhook_next_at = 0;
};

struct JobFilter {
  std::optional<JobStatus> status;
  int64_t created_after = 0;   // inclusive; 0: no bound
  int64_t created_before = 0;  // exclusive; 0: no bound
  int limit = 100;
};

struct WebhookAttempt {
  int attempt = 0;
  int64_t at = 0;
  int http_status = 0;  // 0 when no response
  std::string error;
  int64_t generation = 0;  // the job's finished_at the delivery was about
};

struct Draft {
  nlohmann::json editions;  // [] removes the document
  int64_t updated_at = 0;
};

struct CatalogVersion {
  int64_t version = 0;
  std::string digest;
  std::string name;
  int64_t created_at = 0;
  std::string created_by;
  nlohmann::json files;  // {"catalog.yaml": "...", ...}; binary assets base64 under "base64:" keys
};

class Store {
 public:
  virtual ~Store() = default;

  // Creates a job, or returns the existing one when `job.idempotency_key` was
  // used before (`*created` false). A reused key with a different request is
  // refused (Status with "conflict").
  virtual Status CreateJob(const Job& job, Job* stored, bool* created) = 0;
  virtual std::optional<Job> GetJob(const std::string& id) = 0;
  virtual std::vector<Job> ListJobs(const JobFilter& filter) = 0;

  // Claims the oldest queued job due at `now` for `worker` until `lease_until`
  // (attempts + 1, status running). nullopt when none is due.
  virtual std::optional<Job> ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) = 0;
  // Extends a lease the worker still holds; false when it lost it.
  virtual bool Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) = 0;
  // Finishes a job the worker still holds; false (and no change) when it lost the lease.
  virtual bool CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) = 0;
  virtual bool FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) = 0;
  // Puts a held job back in the queue until `run_after` (a transient failure).
  virtual bool RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors,
                          int64_t run_after, int64_t now) = 0;
  // Returns running jobs whose lease expired to the queue (or fails them when
  // out of attempts). Returns how many it touched.
  // Only one process reaps at a time; the others return 0 meanwhile.
  virtual int ReapExpiredLeases(int64_t now) = 0;
  // A counter that moves whenever a job may have become claimable (created,
  // retried or put back in the queue by any process sharing the store).
  // Idle workers read it before a claim that finds nothing, then wait for it
  // to move (or `timeout_ms` to pass): a job queued in between is not missed.
  virtual uint64_t JobsSignal() = 0;
  virtual void WaitForJobs(uint64_t seen, int64_t timeout_ms) = 0;

  // Cancel a queued or running job; retry a failed or canceled one. false when not allowed.
  virtual bool CancelJob(const std::string& id, int64_t now) = 0;
  virtual bool RetryJob(const std::string& id, int64_t now) = 0;

  // Webhooks: claims one job whose delivery is due; records an attempt.
  virtual std::optional<Job> ClaimWebhook(int64_t now, int64_t lease_until) = 0;
  virtual void RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered,
                                    bool give_up, int64_t next_at) = 0;
  virtual std::vector<WebhookAttempt> WebhookAttempts(const std::string& id) = 0;

  // Catalog versions: publish (the digest of the current version returns it;
  // an older digest becomes a new current version: a rollback).
  virtual Status PublishCatalog(CatalogVersion* version) = 0;
  virtual std::optional<CatalogVersion> GetCatalogVersion(int64_t version) = 0;  // 0: the current one
  virtual int64_t CurrentCatalogVersion() = 0;  // 0 when none; cheap (no files)
  virtual std::vector<CatalogVersion> ListCatalogVersions() = 0;  // without files

  // Catalog drafts: per document id, the editions that will replace that
  // id's editions in the next version ([] removes the document).
  virtual Status PutDraft(const std::string& id, const nlohmann::json& editions, int64_t now) = 0;
  virtual bool DeleteDraft(const std::string& id) = 0;
  virtual std::map<std::string, Draft> Drafts() = 0;
  // Publishes `version`, then clears the drafts of `published` that were not
  // edited since (after a crash in between, publishing again yields the same
  // version: same digest).
  virtual Status PublishDrafts(CatalogVersion* version, const std::map<std::string, Draft>& published) = 0;

  // Jobs finished before `before` are deleted; returns the blob names still referenced.
  virtual int PruneJobs(int64_t before) = 0;
  virtual std::vector<std::string> ReferencedBlobs() = 0;

  // Job counts by status, for metrics and /readyz.
  virtual std::vector<std::pair<JobStatus, int64_t>> CountJobs() = 0;
  virtual Status Ping() = 0;
};

// Opens (creating and migrating) the SQLite database at `path` in WAL mode.
std::unique_ptr<Store> OpenSqliteStore(const std::string& path, Status* status);

// Connects to PostgreSQL (`postgres://` or `postgresql://` URL, libpq
// syntax) and runs the schema migrations it has not seen yet. Up to
// `connections` connections are kept; a lost one is reopened with backoff,
// and `on_outage` (optional) hears once when the database becomes
// unreachable (down, with why) and once when it is back.
std::unique_ptr<Store> OpenPostgresStore(const std::string& url, int connections, Status* status,
                                         std::function<void(bool down, const std::string& why)> on_outage = nullptr);

// True for a PostgreSQL URL (as opposed to a SQLite file path).
bool IsPostgresUrl(const std::string& location);

}  // namespace docgen
