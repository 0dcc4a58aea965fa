// Durable state of the service behind one interface: generation jobs with
// leases, webhook deliveries, published catalog versions and drafts, and the
// audit log.
// The SQLite backend is the embedded default; the PostgreSQL backend lets
// many docgen processes share one queue. Both are one implementation of the
// statements (src/store/sql_store.cc) over a backend that supplies only what
// differs: connections, transactions, row locks, wake-ups and the mapping
// of its native errors. Both pass the same tests (tests/store_test.cc).
//
// Every method is thread-safe and atomic. Times are milliseconds since the
// Unix epoch, passed in by the caller (tests control the clock). Failures are
// values with the codes of docgen/status.h, the same on both backends:
//   kNotFound     no such job, draft or catalog version
//   kConflict     the state does not allow it: a reused Idempotency-Key with
//                 a different request, a lease the worker no longer holds,
//                 a job that cannot be canceled or retried in its state
//   kUnavailable  the database cannot be reached, is locked past its busy
//                 timeout, or its disk is full or failing. Nothing was
//                 changed, or a commit's outcome was lost: every write here
//                 can be repeated safely by its caller
//   kInternal     anything else (a bug, a corrupt database); see the message
#pragma once

#include <docgen/audit.h>
#include <docgen/status.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCanceled };

// What a job does: render a quote's package (SPEC §6), validate a batch of
// policies (SPEC §7), or run the catalog's tests (SPEC §8). All share the
// queue, leases, retries and webhooks.
enum class JobKind { kRender, kValidate, kTestRun };
const char* ToString(JobKind kind);
std::optional<JobKind> ParseJobKind(const std::string& text);
const char* ToString(JobStatus status);
std::optional<JobStatus> ParseJobStatus(const std::string& text);

struct Job {
  std::string id;
  JobKind kind = JobKind::kRender;
  JobStatus status = JobStatus::kQueued;
  std::string idempotency_key;       // empty when none
  std::string request_hash;          // sha256 of the request, for idempotent replays
  nlohmann::json quote;              // ListJobs leaves it empty ({}) when quote_id is known
  std::string quote_id;              // the quote's "quote_id" (a string), "" when it has none; set by CreateJob
  std::string callback_url;          // empty when none
  std::string trace_id;              // W3C trace id of the request that made it (its log events and webhooks carry it)
  std::string request_id;            // that request's id, and the caller's subject ("" for jobs made before they were kept)
  std::string subject;
  std::string product;               // the quote's "product" and "jurisdiction" (strings), "" when none; set by CreateJob
  std::string jurisdiction;
  int64_t catalog_version = 0;       // the version the job resolves against
  int attempts = 0;                  // runs started (an attempt given back after an outage is not counted)
  int releases = 0;                  // attempts given back after an outage (ReleaseJob)
  int max_attempts = 5;
  int64_t run_after = 0;             // not claimed before this time
  std::string lease_owner;
  int64_t lease_until = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t finished_at = 0;
  nlohmann::json errors = nlohmann::json::array();  // diagnostics of a failed job
  nlohmann::json result;             // {"package_pdf": sha, "package_json": sha, "documents": [...], "pages": n}
  nlohmann::json progress = nlohmann::json::object();  // how far it got, as CreateJob and then its worker set it
  std::string webhook_state;         // "", "pending", "delivered", "failed"
  int webhook_attempts = 0;
  int64_t webhook_next_at = 0;
};

struct JobFilter {
  std::optional<JobKind> kind;
  std::optional<JobStatus> status;
  int64_t created_after = 0;   // inclusive; 0: no bound
  int64_t created_before = 0;  // exclusive; 0: no bound
  int64_t catalog_version = 0; // 0: any
  int limit = 100;             // ListJobs: at most 1,000
};

// One change of a registered operation (SPEC §10).
struct OpStep {
  enum class Kind {
    kRetryJob,   // queue failed or canceled job `job_id` again
    kCopyJob,    // a new job `new_job_id` with job `job_id`'s input, on the current catalog version
    kPruneJobs,  // delete jobs finished before `number` (ms), as retention does
    kRepublish,  // make catalog version `number` current again
  };
  Kind kind = Kind::kRetryJob;
  std::string job_id;
  std::string new_job_id;
  int64_t number = 0;
};

// A run of a registered operation. Its plan (the steps, as the operation
// wrote them; opaque to the store) is fixed when the run is made: a dry run
// is stored finished with the plan of what a run would do.
struct OpRun {
  std::string id;
  std::string operation;
  nlohmann::json params = nlohmann::json::object();
  bool dry_run = false;
  Actor by;                     // who made the run, when (by.at) and why (by.reason)
  std::string status;           // queued, running, succeeded, failed
  nlohmann::json plan = nlohmann::json::array();  // ClaimOpRun, GetOpRun, CreateOpRun only
  int64_t steps = 0;                              // the plan's length
  int64_t steps_done = 0;
  std::vector<std::string> outcomes;  // what each applied step did, in step order (GetOpRun only)
  std::string error;            // why it failed
  std::string lease_owner;
  int64_t lease_until = 0;
  int64_t updated_at = 0;
  int64_t finished_at = 0;
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

// A template file's draft text, by catalog-relative path ("templates/a.md").
struct TemplateDraft {
  std::string text;
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

// What CreateJob did: made the job, or found the one made earlier with the same key.
struct CreatedJob {
  Job job;
  bool created = false;
};

// Attempts a job may give back after outages before they count.
inline constexpr int kFreeReleases = 10;

// What one pass of the reaper did.
struct ReapedLeases {
  int requeued = 0;  // back in the queue for another attempt
  int failed = 0;    // out of attempts: failed (lease_expired)
  int total() const { return requeued + failed; }
};

// One SLO's events in one minute (minute = milliseconds since the epoch / 60,000).
struct SloMinute {
  std::string slo;
  int64_t minute = 0;
  int64_t good = 0;
  int64_t total = 0;
};

// One SLO's good and total events over a span of minutes.
struct SloEvents {
  int64_t good = 0;
  int64_t total = 0;
  bool operator==(const SloEvents&) const = default;
};

// One variant's result in a test run (SPEC §8), as the run's worker recorded it.
struct TestVariantRecord {
  int64_t seq = 0;         // its place in the run's enumeration, 1-based
  std::string key;         // ID@EDITION/PRODUCT/JURISDICTION/N
  std::string status;      // same, changed, new or failed
  nlohmann::json result = nlohmann::json::object();  // pages, changed_pages, changed_share, error, pdf_sha256, inputs, rendered
  // Blob names of its pictures: the golden pages it was compared with, its
  // new pages (new, changed), and a diff image per page ("" where a page did not change).
  std::vector<std::string> golden, pages, diffs;
};

struct TestVariantFilter {
  std::string status;  // "": any
  int64_t after = 0;   // seq > after
  int limit = 0;       // 0: all
};

// An approved variant: its pages (blob names) and the digest of what made them.
struct Golden {
  std::string key;
  int pages = 0;
  std::string pdf_sha256;
  std::string inputs;
  std::vector<std::string> blobs;
  std::string run_id;  // the run it was approved from
  int64_t approved_at = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The quote of a job can be as large as a request body: only ClaimJob
  // returns it (the worker needs it). Every other call returns jobs with
  // `quote_id` and an empty `quote`.

  // Creates a job, or returns the existing one when `job.idempotency_key` was
  // used before (`created` false). A reused key with a different request
  // hash is kConflict.
  virtual Result<CreatedJob> CreateJob(const Job& job) = 0;
  virtual Result<Job> GetJob(const std::string& id) = 0;  // kNotFound
  virtual Result<std::vector<Job>> ListJobs(const JobFilter& filter) = 0;

  // Claims the oldest queued job due at `now` for `worker` until `lease_until`
  // (attempts + 1, status running). nullopt when none is due.
  virtual Result<std::optional<Job>> ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) = 0;
  // Extends a lease the worker still holds; kConflict when it lost it.
  virtual Status Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) = 0;
  // Records how far a held job got (shown while it runs); kConflict when the
  // worker lost it (its lease expired, or it was canceled).
  virtual Status ReportProgress(const std::string& id, const std::string& worker, const nlohmann::json& progress) = 0;
  // Finish a job the worker still holds; kConflict (and no change) when it
  // lost the lease or the job was canceled meanwhile.
  virtual Status CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) = 0;
  virtual Status FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) = 0;
  // Puts a held job back in the queue until `run_after` (a transient failure).
  virtual Status RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t run_after,
                            int64_t now) = 0;
  // Puts a held job back in the queue until `run_after` without counting
  // its attempt: the attempt was cut short by an outage (the database or the
  // blob folder), not by anything about the job. `releases` counts these;
  // from the kFreeReleases-th on, the attempt counts after all (an outage
  // that never ends must not keep a job forever).
  virtual Status ReleaseJob(const std::string& id, const std::string& worker, int64_t run_after, int64_t now) = 0;
  // Returns running jobs whose lease expired to the queue (or fails them when
  // out of attempts, error lease_expired). Only one process reaps at a time;
  // the others reap nothing meanwhile.
  virtual Result<ReapedLeases> ReapExpiredLeases(int64_t now) = 0;
  // A counter that moves whenever a job may have become claimable (created,
  // retried or put back in the queue by any process sharing the store).
  // Idle workers read it before a claim that finds nothing, then wait for it
  // to move (or `timeout_ms` to pass): a job queued in between is not missed.
  virtual uint64_t JobsSignal() = 0;
  virtual void WaitForJobs(uint64_t seen, int64_t timeout_ms) = 0;

  // Audited changes (docgen/audit.h): each takes the Actor who makes it
  // (its `at` is the time of the change) and writes the change and its audit
  // entry in one transaction: both or neither. A call that changes nothing
  // (refused, not found) writes no entry.

  // Cancel a queued or running job ("job.cancel"); retry a failed or
  // canceled one ("job.retry"). Returns the job as it is afterwards;
  // kNotFound, or kConflict when its state does not allow it.
  virtual Result<Job> CancelJob(const std::string& id, const Actor& by) = 0;
  virtual Result<Job> RetryJob(const std::string& id, const Actor& by) = 0;

  // Webhooks: claims one job whose delivery is due; records an attempt.
  virtual Result<std::optional<Job>> ClaimWebhook(int64_t now, int64_t lease_until) = 0;
  virtual Status RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                                      int64_t next_at) = 0;
  virtual Result<std::vector<WebhookAttempt>> WebhookAttempts(const std::string& id) = 0;

  // Catalog versions: publish ("catalog.publish"; the digest of the current
  // version returns it and changes nothing; an older digest becomes a new
  // current version: a rollback). Returns the version as stored: its number,
  // and its creation when it already existed.
  virtual Result<CatalogVersion> PublishCatalog(const CatalogVersion& version, const Actor& by) = 0;
  virtual Result<CatalogVersion> GetCatalogVersion(int64_t version) = 0;  // 0: the current one; kNotFound
  virtual Result<int64_t> CurrentCatalogVersion() = 0;  // 0 when none; cheap (no files)
  virtual Result<std::vector<CatalogVersion>> ListCatalogVersions() = 0;  // newest first, without files

  // Catalog drafts: per document id, the editions that will replace that
  // id's editions in the next version ([] removes the document).
  // "draft.save" and "draft.delete".
  virtual Status PutDraft(const std::string& id, const nlohmann::json& editions, const Actor& by) = 0;
  virtual Status DeleteDraft(const std::string& id, const Actor& by) = 0;  // kNotFound when there is none
  virtual Result<std::map<std::string, Draft>> Drafts() = 0;
  // Template drafts: per catalog-relative path, the text that will replace
  // (or add) that template file in the next version. "template_draft.save"
  // and "template_draft.delete".
  virtual Status PutTemplateDraft(const std::string& path, const std::string& text, const Actor& by) = 0;
  virtual Status DeleteTemplateDraft(const std::string& path, const Actor& by) = 0;  // kNotFound when there is none
  virtual Result<std::map<std::string, TemplateDraft>> TemplateDrafts() = 0;
  // Publishes `version` and clears the document drafts of `published` and
  // the template drafts of `published_templates` that were not edited since
  // they were read, in one transaction.
  virtual Result<CatalogVersion> PublishDrafts(const CatalogVersion& version, const std::map<std::string, Draft>& published,
                                               const std::map<std::string, TemplateDraft>& published_templates,
                                               const Actor& by) = 0;

  // The audit log. AppendAudit records a change made outside the store (a
  // token created or revoked in the token file) and returns the entry.
  // ListAudit: newest first, or oldest first with filter.after_seq >= 0.
  virtual Result<AuditEntry> AppendAudit(const Actor& by, const std::string& action, const std::string& target,
                                         const nlohmann::json& details) = 0;
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter) = 0;

  // When each token (by its token file id) was last seen on a request:
  // recorded by the server (at most once a minute per token), read by
  // `docgen token list`.
  virtual Status RecordTokenUse(const std::string& token_id, int64_t at) = 0;
  virtual Result<std::map<std::string, int64_t>> TokenLastUsed() = 0;

  // Good and total events of each SLO per minute, for GET /v1/slos without
  // Prometheus. AddSloMinutes adds to what is there (every process adds its
  // own counts). ListSloMinutes gives each SLO's events of the minutes
  // [since, until] per step of `step_minutes` (a step is named by its first
  // minute, minute - minute % step; 1: the minutes as stored), by SLO then
  // minute: the points of a chart. SumSloMinutes gives each SLO's events of
  // the minutes [since_i, until] for each since_i, in that order, summed by
  // the database: a report reads one row per SLO, not every minute of its
  // window. PruneSloMinutes drops the minutes < before_minute.
  virtual Status AddSloMinutes(const std::vector<SloMinute>& counts) = 0;
  virtual Result<std::vector<SloMinute>> ListSloMinutes(int64_t since_minute, int64_t until_minute, int64_t step_minutes) = 0;
  virtual Result<std::map<std::string, std::vector<SloEvents>>> SumSloMinutes(const std::vector<int64_t>& since_minutes,
                                                                               int64_t until_minute) = 0;
  virtual Result<int> PruneSloMinutes(int64_t before_minute) = 0;

  // Registered operations. CreateOpRun stores a run ("ops.run" audited in
  // the same transaction; a dry run is stored succeeded). ClaimOpRun takes
  // run `id` ("" : the oldest) when it is queued, or running with an expired
  // lease (its process died): a claimed run resumes where it stopped.
  virtual Result<OpRun> CreateOpRun(const OpRun& run) = 0;
  virtual Result<std::optional<OpRun>> ClaimOpRun(const std::string& id, const std::string& worker, int64_t now,
                                                  int64_t lease_until) = 0;
  // Applies step `step` (0-based) of a run the worker holds and extends its
  // lease: the change and its record in one transaction, so a step is
  // applied at most once. Returns what it did, or nullopt when an earlier
  // attempt applied it; kConflict when the worker no longer holds the run.
  virtual Result<std::optional<std::string>> ApplyOpStep(const std::string& run_id, int64_t step, const OpStep& change,
                                                         const std::string& worker, int64_t now, int64_t lease_until) = 0;
  // Ends a held run: succeeded when `error` is empty, else failed.
  virtual Status FinishOpRun(const std::string& id, const std::string& worker, const std::string& error, int64_t now) = 0;
  virtual Result<OpRun> GetOpRun(const std::string& id) = 0;  // with its outcomes; kNotFound
  virtual Result<std::vector<OpRun>> ListOpRuns(int limit) = 0;  // newest first, without outcomes
  // The ids of the jobs a filter selects, newest first, up to filter.limit (no cap: operations plan with it).
  virtual Result<std::vector<std::string>> JobIds(const JobFilter& filter) = 0;

  // Test runs are jobs of kind test_run; their variants' results and the
  // goldens live beside them. RecordTestVariants records results of a run
  // the worker holds and sets its progress, in one transaction; a variant
  // recorded before (by an attempt that died) keeps its first result, so
  // a resumed run counts each variant once. kConflict when the worker no
  // longer holds the run.
  virtual Status RecordTestVariants(const std::string& run_id, const std::string& worker,
                                    const std::vector<TestVariantRecord>& variants, const nlohmann::json& progress) = 0;
  // A run's variants in enumeration order.
  virtual Result<std::vector<TestVariantRecord>> TestVariants(const std::string& run_id, const TestVariantFilter& filter) = 0;
  virtual Result<std::map<std::string, Golden>> Goldens() = 0;
  // Makes `approved` the goldens of their keys and drops the goldens of
  // `dropped`, with one "test_run.approve" audit entry (target `run_id`,
  // `details` as given): both or neither.
  virtual Status ApproveGoldens(const std::string& run_id, const std::vector<Golden>& approved, const std::vector<std::string>& dropped,
                                const nlohmann::json& details, const Actor& by) = 0;

  // Deletes jobs finished before `before` (and their webhook attempts and
  // test variants); returns how many jobs.
  virtual Result<int> PruneJobs(int64_t before) = 0;
  // The blob names succeeded jobs, test runs' variants and goldens still refer to.
  virtual Result<std::vector<std::string>> ReferencedBlobs() = 0;

  // Job counts by status, for metrics; and a health check. One attempt
  // each: they answer at once while the database is away.
  virtual Result<std::vector<std::pair<JobStatus, int64_t>>> CountJobs() = 0;
  virtual Status Ping() = 0;
};

// Opens (creating and migrating) the SQLite database at `path` in WAL mode.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// Connects to PostgreSQL (`postgres://` or `postgresql://` URL, libpq
// syntax) and runs the schema migrations it has not seen yet. Up to
// `connections` connections are kept; a lost one is reopened with backoff,
// and `on_outage` (optional) hears once when the database becomes
// unreachable (down, with why) and once when it is back.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url, int connections,
                                                std::function<void(bool down, const std::string& why)> on_outage = nullptr);

// True for a PostgreSQL URL (as opposed to a SQLite file path).
bool IsPostgresUrl(const std::string& location);

}  // namespace docgen
