// The Store's statements, written once for SQLite and PostgreSQL. What
// differs between the two (row locks for claims, transaction locks, wake-ups,
// error mapping) is the SqlBackend's.
#include "store/sql_store.h"

#include <algorithm>
#include <sstream>
#include <utility>

#include "store/store_common.h"

namespace docgen {
namespace {

using Access = SqlBackend::Access;

#define DOCGEN_JOB_COLUMNS(QUOTE)                                                                                    \
  "id, COALESCE(idempotency_key, ''), request_hash, status, " QUOTE                                                  \
  ", callback_url, catalog_version, attempts, max_attempts, "                                                        \
  "run_after, lease_owner, lease_until, created_at, updated_at, finished_at, errors, result, webhook_state, "         \
  "webhook_attempts, webhook_next_at, releases, quote_id, kind, progress, trace_id, request_id, subject, product, jurisdiction"
constexpr const char* kJobColumns = DOCGEN_JOB_COLUMNS("quote");
// Everything but a claim shows the quote's quote_id only: the quote itself
// (up to max_body_bytes each) is read by the worker that claims the job.
// (Jobs stored before schema 3 have no quote_id: they list without one.)
constexpr const char* kListedJobColumns = DOCGEN_JOB_COLUMNS("'{}'");
#undef DOCGEN_JOB_COLUMNS

std::string SelectJobs(const std::string& where) { return std::string("SELECT ") + kListedJobColumns + " FROM jobs " + where; }

// The quote's "quote_id" when it is a string, else "".
// A quote's top-level string field, "" when it has none.
std::string QuoteField(const nlohmann::json& quote, const char* name) {
  return quote.is_object() && quote.contains(name) && quote[name].is_string() ? quote[name].get<std::string>() : "";
}
std::string QuoteIdOf(const nlohmann::json& quote) { return QuoteField(quote, "quote_id"); }

nlohmann::json ParseStoredJson(const std::string& text) { return nlohmann::json::parse(text, nullptr, false); }

Job ReadJob(const SqlRow& r) {
  Job job;
  job.id = r.Text(0);
  job.idempotency_key = r.Text(1);
  job.request_hash = r.Text(2);
  job.status = ParseJobStatus(r.Text(3)).value_or(JobStatus::kFailed);
  job.quote = ParseStoredJson(r.Text(4));
  job.callback_url = r.Text(5);
  job.catalog_version = r.Int(6);
  job.attempts = static_cast<int>(r.Int(7));
  job.max_attempts = static_cast<int>(r.Int(8));
  job.run_after = r.Int(9);
  job.lease_owner = r.Text(10);
  job.lease_until = r.Int(11);
  job.created_at = r.Int(12);
  job.updated_at = r.Int(13);
  job.finished_at = r.Int(14);
  job.errors = ParseStoredJson(r.Text(15));
  job.result = ParseStoredJson(r.Text(16));
  job.webhook_state = r.Text(17);
  job.webhook_attempts = static_cast<int>(r.Int(18));
  job.webhook_next_at = r.Int(19);
  job.releases = static_cast<int>(r.Int(20));
  job.quote_id = r.Text(21);
  if (job.quote_id.empty()) job.quote_id = QuoteIdOf(job.quote);  // a row from before the column
  job.kind = ParseJobKind(r.Text(22)).value_or(JobKind::kRender);
  job.progress = ParseStoredJson(r.Text(23));
  job.trace_id = r.Text(24);
  job.request_id = r.Text(25);
  job.subject = r.Text(26);
  job.product = r.Text(27);
  job.jurisdiction = r.Text(28);
  return job;
}

std::optional<Job> FirstJob(const SqlResult& r) {
  if (r.rows.empty()) return std::nullopt;
  return ReadJob(r.rows[0]);
}

constexpr const char* kVersionColumns = "version, digest, name, created_at, created_by";

CatalogVersion ReadVersion(const SqlRow& r, bool with_files) {
  return {r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.Text(4), with_files ? ParseStoredJson(r.Text(5)) : nlohmann::json()};
}

// A finished job with a callback waits for its webhook.
constexpr const char* kWebhookPendingIfCallback = "webhook_state = CASE WHEN callback_url = '' THEN '' ELSE 'pending' END";

// The held-lease condition of every update a worker makes to its job ($1 id, $2 worker).
constexpr const char* kHeldBy = " WHERE id = $1 AND lease_owner = $2 AND status = 'running'";

Status LeaseLost(const std::string& id) {
  return Status::Conflict("job " + id + " is no longer held by this worker (its lease expired, or it was canceled)");
}

}  // namespace

SqlStore::SqlStore(std::unique_ptr<SqlBackend> backend) : backend_(std::move(backend)) {}

Status SqlStore::Read(const std::function<Status(SqlSession&)>& body, Patience patience) {
  return backend_->Run(Access::kRead, patience, body);
}

Status SqlStore::Write(const std::function<Status(SqlSession&)>& body, Patience patience) {
  return backend_->Run(Access::kWrite, patience, body);
}

Result<CreatedJob> SqlStore::CreateJob(const Job& job) {
  CreatedJob out;
  Status status = Write([&](SqlSession& s) -> Status {
    // ON CONFLICT DO NOTHING: two requests with one key at the same time make one job.
    const SqlResult inserted = s.Exec(
        "INSERT INTO jobs (id, idempotency_key, request_hash, status, quote, callback_url, catalog_version, max_attempts, "
        "run_after, created_at, updated_at, quote_id, kind, progress, trace_id, request_id, subject, product, jurisdiction) "
        "VALUES ($1, NULLIF($2, ''), $3, 'queued', $4, $5, $6, $7, $8, $9, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING " +
            std::string(kListedJobColumns),
        {job.id, job.idempotency_key, job.request_hash, job.quote.dump(), job.callback_url, job.catalog_version,
         int64_t{job.max_attempts}, job.run_after, job.created_at, QuoteIdOf(job.quote), std::string(ToString(job.kind)),
         job.progress.dump(), job.trace_id, job.request_id, job.subject, QuoteField(job.quote, "product"),
         QuoteField(job.quote, "jurisdiction")});
    if (std::optional<Job> created = FirstJob(inserted)) {
      s.WakeWorkersOnCommit();
      out = {std::move(*created), true};
      return Status::Ok();
    }
    std::optional<Job> existing = FirstJob(s.Exec(std::string("SELECT ") + kListedJobColumns + " FROM jobs WHERE idempotency_key = $1",
                                                  {job.idempotency_key}));
    if (!existing) return Status::Unavailable("the job could not be stored; try again");
    if (existing->request_hash != job.request_hash) {
      return Status::Conflict("this Idempotency-Key was used for a different request");
    }
    out = {std::move(*existing), false};
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<Job> SqlStore::GetJob(const std::string& id) {
  std::optional<Job> job;
  Status status = Read([&](SqlSession& s) {
    job = FirstJob(s.Exec(SelectJobs("WHERE id = $1"), {id}));
    return job ? Status::Ok() : Status::NotFound("there is no job " + id);
  });
  if (!status.ok()) return status;
  return std::move(*job);
}

namespace {

// The WHERE clause of a job filter, its parameters appended to `params`.
std::string JobWhere(const JobFilter& filter, std::vector<SqlParam>& params) {
  std::string where = "WHERE 1 = 1";
  auto bind = [&](const char* condition, SqlParam value) {
    params.push_back(std::move(value));
    where += std::string(" AND ") + condition + " $" + std::to_string(params.size());
  };
  if (filter.kind) bind("kind =", std::string(ToString(*filter.kind)));
  if (filter.status) bind("status =", std::string(ToString(*filter.status)));
  if (filter.created_after > 0) bind("created_at >=", filter.created_after);
  if (filter.created_before > 0) bind("created_at <", filter.created_before);
  if (filter.catalog_version > 0) bind("catalog_version =", filter.catalog_version);
  return where;
}

}  // namespace

Result<std::vector<std::string>> SqlStore::JobIds(const JobFilter& filter) {
  std::vector<SqlParam> params;
  std::string where = JobWhere(filter, params);
  params.emplace_back(std::in_place_type<int64_t>, std::max(filter.limit, 1));
  where += " ORDER BY created_at DESC, id LIMIT $" + std::to_string(params.size());
  std::vector<std::string> ids;
  Status status = Read([&](SqlSession& s) {
    ids.clear();
    for (const auto& row : s.Exec("SELECT id FROM jobs " + where, params).rows) ids.push_back(row.Text(0));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return ids;
}

Result<std::vector<Job>> SqlStore::ListJobs(const JobFilter& filter) {
  std::vector<SqlParam> params;
  std::string where = JobWhere(filter, params);
  params.emplace_back(std::in_place_type<int64_t>, std::clamp(filter.limit, 1, 1000));
  where += " ORDER BY created_at DESC, id LIMIT $" + std::to_string(params.size());
  std::vector<Job> jobs;
  Status status = Read([&](SqlSession& s) {
    jobs.clear();
    for (const auto& row : s.Exec(std::string("SELECT ") + kListedJobColumns + " FROM jobs " + where, params).rows) {
      jobs.push_back(ReadJob(row));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return jobs;
}

Result<std::optional<Job>> SqlStore::ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) {
  std::optional<Job> job;
  Status status = Write([&](SqlSession& s) {
    job = FirstJob(s.Exec("UPDATE jobs SET status = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, "
                          "updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_after <= $3 "
                          "ORDER BY run_after, created_at LIMIT 1" +
                              std::string(backend_->SkipLockedRows()) + ") RETURNING " + kJobColumns,
                          {worker, lease_until, now}));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return job;
}

Status SqlStore::Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) {
  return Write([&](SqlSession& s) {
    return s.Exec(std::string("UPDATE jobs SET lease_until = $3") + kHeldBy, {id, worker, lease_until}).affected == 1
               ? Status::Ok()
               : LeaseLost(id);
  });
}

Status SqlStore::ReportProgress(const std::string& id, const std::string& worker, const nlohmann::json& progress) {
  return Write([&](SqlSession& s) {
    return s.Exec(std::string("UPDATE jobs SET progress = $3") + kHeldBy, {id, worker, progress.dump()}).affected == 1
               ? Status::Ok()
               : LeaseLost(id);
  });
}

Status SqlStore::Finish(const std::string& id, const std::string& worker, const char* status, const nlohmann::json& errors,
                        const nlohmann::json& result, int64_t now) {
  return Write([&](SqlSession& s) {
    const SqlResult r = s.Exec(std::string("UPDATE jobs SET status = $3, errors = $4, result = $5, lease_owner = '', "
                                           "lease_until = 0, updated_at = $6, finished_at = $6, webhook_next_at = $6, ") +
                                   kWebhookPendingIfCallback + kHeldBy,
                               {id, worker, std::string(status), errors.dump(), result.dump(), now});
    return r.affected == 1 ? Status::Ok() : LeaseLost(id);
  });
}

Status SqlStore::CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) {
  return Finish(id, worker, "succeeded", nlohmann::json::array(), result, now);
}

Status SqlStore::FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) {
  return Finish(id, worker, "failed", errors, nullptr, now);
}

Status SqlStore::RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t run_after,
                            int64_t now) {
  return Write([&](SqlSession& s) {
    const SqlResult r = s.Exec(std::string("UPDATE jobs SET status = 'queued', errors = $3, run_after = $4, lease_owner = '', "
                                           "lease_until = 0, updated_at = $5") +
                                   kHeldBy,
                               {id, worker, errors.dump(), run_after, now});
    if (r.affected != 1) return LeaseLost(id);
    s.WakeWorkersOnCommit();
    return Status::Ok();
  });
}

Status SqlStore::ReleaseJob(const std::string& id, const std::string& worker, int64_t run_after, int64_t now) {
  return Write([&](SqlSession& s) {
    const SqlResult r = s.Exec(std::string("UPDATE jobs SET status = 'queued', run_after = $3, lease_owner = '', lease_until = 0, "
                                           "updated_at = $4, attempts = CASE WHEN releases < $5 THEN attempts - 1 ELSE attempts END, "
                                           "releases = releases + 1") +
                                   kHeldBy,
                               {id, worker, run_after, now, int64_t{kFreeReleases}});
    if (r.affected != 1) return LeaseLost(id);
    s.WakeWorkersOnCommit();
    return Status::Ok();
  });
}

Result<ReapedLeases> SqlStore::ReapExpiredLeases(int64_t now) {
  ReapedLeases reaped;
  Status status = Write([&](SqlSession& s) {
    reaped = ReapedLeases();
    if (!s.TryLock(SqlLock::kReaper)) return Status::Ok();  // another process is reaping
    const SqlResult failed = s.Exec(std::string("UPDATE jobs SET status = 'failed', lease_owner = '', lease_until = 0, "
                                                "updated_at = $1, finished_at = $1, errors = $2, webhook_next_at = $1, ") +
                                        kWebhookPendingIfCallback +
                                        " WHERE status = 'running' AND lease_until < $1 AND attempts >= max_attempts",
                                    {now, std::string(kLeaseExpiredErrors)});
    const SqlResult requeued = s.Exec(
        "UPDATE jobs SET status = 'queued', lease_owner = '', lease_until = 0, updated_at = $1, run_after = $1 "
        "WHERE status = 'running' AND lease_until < $1",
        {now});
    if (requeued.affected > 0) s.WakeWorkersOnCommit();
    reaped.failed = static_cast<int>(failed.affected);
    reaped.requeued = static_cast<int>(requeued.affected);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return reaped;
}

uint64_t SqlStore::JobsSignal() { return backend_->JobsSignal(); }
void SqlStore::WaitForJobs(uint64_t seen, int64_t timeout_ms) { backend_->WaitForJobs(seen, timeout_ms); }

Result<Job> SqlStore::ChangeJobState(const std::string& id, const Actor& by, const char* action, const std::string& update,
                                     const char* refusal, bool wake_workers) {
  std::optional<Job> job;
  Status status = Write([&](SqlSession& s) -> Status {
    const SqlResult changed = s.Exec(update + " RETURNING " + kListedJobColumns, {id, by.at});
    job = FirstJob(changed);
    if (job) {
      AuditIn(s, by, action, "job:" + id, {{"kind", ToString(job->kind)}, {"status", ToString(job->status)}});
      if (wake_workers) s.WakeWorkersOnCommit();
      return Status::Ok();
    }
    const SqlResult current = s.Exec("SELECT status FROM jobs WHERE id = $1", {id});
    if (current.rows.empty()) return Status::NotFound("there is no job " + id);
    return Status::Conflict("job " + id + " is " + current.rows[0].Text(0) + refusal);
  });
  if (!status.ok()) return status;
  return std::move(*job);
}

Result<Job> SqlStore::CancelJob(const std::string& id, const Actor& by) {
  return ChangeJobState(id, by, "job.cancel",
                        "UPDATE jobs SET status = 'canceled', lease_owner = '', lease_until = 0, updated_at = $2, finished_at = $2 "
                        "WHERE id = $1 AND status IN ('queued', 'running')",
                        " and cannot be canceled", false);
}

// A failed or canceled job back in the queue ($1 id, $2 now), as new.
constexpr const char* kRetryJobSql =
    "UPDATE jobs SET status = 'queued', attempts = 0, releases = 0, run_after = $2, updated_at = $2, finished_at = 0, "
    "errors = '[]', webhook_state = '', webhook_attempts = 0 WHERE id = $1 AND status IN ('failed', 'canceled')";

Result<Job> SqlStore::RetryJob(const std::string& id, const Actor& by) {
  return ChangeJobState(id, by, "job.retry", kRetryJobSql, "; only failed or canceled jobs can be retried", true);
}

Result<std::optional<Job>> SqlStore::ClaimWebhook(int64_t now, int64_t lease_until) {
  std::optional<Job> job;
  // Held by moving its due time: other processes skip it while it is in flight.
  Status status = Write([&](SqlSession& s) {
    job = FirstJob(s.Exec("UPDATE jobs SET webhook_next_at = $2 WHERE id = (SELECT id FROM jobs WHERE webhook_state = 'pending' "
                          "AND webhook_next_at <= $1 AND status IN ('succeeded', 'failed') ORDER BY webhook_next_at LIMIT 1" +
                              std::string(backend_->SkipLockedRows()) + ") RETURNING " + kListedJobColumns,
                          {now, lease_until}));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return job;
}

Status SqlStore::RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                                      int64_t next_at) {
  return Write([&](SqlSession& s) {
    s.Exec("INSERT INTO webhook_attempts (job_id, generation, attempt, at, http_status, error) VALUES ($1, $2, $3, $4, $5, $6) "
           "ON CONFLICT (job_id, generation, attempt) DO UPDATE SET at = excluded.at, http_status = excluded.http_status, "
           "error = excluded.error",
           {id, attempt.generation, int64_t{attempt.attempt}, attempt.at, int64_t{attempt.http_status}, attempt.error});
    // The generation is the finish time the delivery was about: a job
    // retried meanwhile has a new one, and this attempt no longer applies to it.
    s.Exec("UPDATE jobs SET webhook_state = $2, webhook_attempts = $3, webhook_next_at = $4 WHERE id = $1 AND "
           "finished_at = $5 AND status IN ('succeeded', 'failed')",
           {id, std::string(delivered ? "delivered" : give_up ? "failed" : "pending"), int64_t{attempt.attempt}, next_at,
            attempt.generation});
    return Status::Ok();
  });
}

Result<std::vector<WebhookAttempt>> SqlStore::WebhookAttempts(const std::string& id) {
  std::vector<WebhookAttempt> attempts;
  Status status = Read([&](SqlSession& s) {
    attempts.clear();
    for (const auto& r : s.Exec("SELECT attempt, at, http_status, error, generation FROM webhook_attempts WHERE job_id = $1 "
                                "ORDER BY generation, attempt",
                                {id})
                             .rows) {
      attempts.push_back({static_cast<int>(r.Int(0)), r.Int(1), static_cast<int>(r.Int(2)), r.Text(3), r.Int(4)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return attempts;
}

// Only the current version counts as "the same": publishing an older catalog
// again (a rollback) makes it current as a new version. The lock makes
// concurrent publishers take turns.
CatalogVersion SqlStore::PublishIn(SqlSession& s, const CatalogVersion& version, const Actor& by) {
  s.Lock(SqlLock::kCatalog);
  CatalogVersion stored = version;
  const SqlResult current =
      s.Exec(std::string("SELECT ") + kVersionColumns + " FROM catalog_versions ORDER BY version DESC LIMIT 1");
  if (!current.rows.empty() && current.rows[0].Text(1) == version.digest) {
    stored.version = current.rows[0].Int(0);
    stored.created_at = current.rows[0].Int(3);
    stored.created_by = current.rows[0].Text(4);
    return stored;
  }
  stored.version = current.rows.empty() ? 1 : current.rows[0].Int(0) + 1;
  s.Exec("INSERT INTO catalog_versions (version, digest, name, created_at, created_by, files) VALUES ($1, $2, $3, $4, $5, $6)",
         {stored.version, stored.digest, stored.name, stored.created_at, stored.created_by, stored.files.dump()});
  AuditIn(s, by, "catalog.publish", "catalog_version:" + std::to_string(stored.version),
          {{"version", stored.version}, {"digest", stored.digest}, {"name", stored.name}});
  return stored;
}

Result<CatalogVersion> SqlStore::PublishCatalog(const CatalogVersion& version, const Actor& by) {
  CatalogVersion stored;
  Status status = Write([&](SqlSession& s) {
    stored = PublishIn(s, version, by);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<CatalogVersion> SqlStore::PublishDrafts(const CatalogVersion& version, const std::map<std::string, Draft>& published,
                                               const std::map<std::string, TemplateDraft>& published_templates,
                                               const Actor& by) {
  CatalogVersion stored;
  // One transaction: the version and the clearing of its drafts happen together.
  // Draft rows are locked before the audit lock, in the order PutDraft takes
  // them: two transactions never wait for each other's locks.
  Status status = Write([&](SqlSession& s) {
    // Only the drafts that went into this version: an edit saved meanwhile stays a draft.
    int64_t cleared = 0;
    for (const auto& [id, draft] : published) {
      cleared += s.Exec("DELETE FROM catalog_drafts WHERE id = $1 AND updated_at = $2", {id, draft.updated_at}).affected;
    }
    for (const auto& [path, draft] : published_templates) {
      cleared += s.Exec("DELETE FROM template_drafts WHERE path = $1 AND updated_at = $2", {path, draft.updated_at}).affected;
    }
    stored = PublishIn(s, version, by);
    if (stored.created_at != version.created_at && cleared > 0) {  // the catalog was current already: only drafts were cleared
      AuditIn(s, by, "catalog.publish", "catalog_version:" + std::to_string(stored.version),
              {{"version", stored.version}, {"digest", stored.digest}, {"unchanged", true}, {"drafts_cleared", cleared}});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<CatalogVersion> SqlStore::GetCatalogVersion(int64_t version) {
  std::optional<CatalogVersion> out;
  Status status = Read([&](SqlSession& s) {
    const std::string select = std::string("SELECT ") + kVersionColumns + ", files FROM catalog_versions ";
    const SqlResult r = version == 0 ? s.Exec(select + "ORDER BY version DESC LIMIT 1")
                                     : s.Exec(select + "WHERE version = $1", {version});
    if (r.rows.empty()) {
      return Status::NotFound(version == 0 ? "no catalog has been published"
                                           : "there is no catalog version " + std::to_string(version));
    }
    out = ReadVersion(r.rows[0], true);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

Result<int64_t> SqlStore::CurrentCatalogVersion() {
  int64_t version = 0;
  Status status = Read([&](SqlSession& s) {
    version = s.Exec("SELECT COALESCE(MAX(version), 0) FROM catalog_versions").rows.at(0).Int(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Result<std::vector<CatalogVersion>> SqlStore::ListCatalogVersions() {
  std::vector<CatalogVersion> versions;
  Status status = Read([&](SqlSession& s) {
    versions.clear();
    for (const auto& r :
         s.Exec(std::string("SELECT ") + kVersionColumns + " FROM catalog_versions ORDER BY version DESC").rows) {
      versions.push_back(ReadVersion(r, false));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return versions;
}

Status SqlStore::PutDraft(const std::string& id, const nlohmann::json& editions, const Actor& by) {
  return Write([&](SqlSession& s) {
    // updated_at only moves forward, so a publish can tell an edit made after its snapshot.
    s.Exec("INSERT INTO catalog_drafts (id, editions, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
           "editions = excluded.editions, updated_at = CASE WHEN excluded.updated_at > catalog_drafts.updated_at "
           "THEN excluded.updated_at ELSE catalog_drafts.updated_at + 1 END",
           {id, editions.dump(), by.at});
    AuditIn(s, by, "draft.save", "document:" + id, {{"editions", editions.is_array() ? editions.size() : 0}});
    return Status::Ok();
  });
}

Status SqlStore::DeleteDraft(const std::string& id, const Actor& by) {
  return Write([&](SqlSession& s) {
    if (s.Exec("DELETE FROM catalog_drafts WHERE id = $1", {id}).affected != 1) return Status::NotFound("there is no draft for " + id);
    AuditIn(s, by, "draft.delete", "document:" + id, nlohmann::json::object());
    return Status::Ok();
  });
}

Result<std::map<std::string, Draft>> SqlStore::Drafts() {
  std::map<std::string, Draft> drafts;
  Status status = Read([&](SqlSession& s) {
    drafts.clear();
    for (const auto& r : s.Exec("SELECT id, editions, updated_at FROM catalog_drafts ORDER BY id").rows) {
      drafts[r.Text(0)] = {ParseStoredJson(r.Text(1)), r.Int(2)};
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return drafts;
}

Status SqlStore::PutTemplateDraft(const std::string& path, const std::string& text, const Actor& by) {
  return Write([&](SqlSession& s) {
    // As PutDraft: updated_at only moves forward.
    s.Exec("INSERT INTO template_drafts (path, text, updated_at) VALUES ($1, $2, $3) ON CONFLICT (path) DO UPDATE SET "
           "text = excluded.text, updated_at = CASE WHEN excluded.updated_at > template_drafts.updated_at "
           "THEN excluded.updated_at ELSE template_drafts.updated_at + 1 END",
           {path, text, by.at});
    AuditIn(s, by, "template_draft.save", "template:" + path, {{"bytes", text.size()}});
    return Status::Ok();
  });
}

Status SqlStore::DeleteTemplateDraft(const std::string& path, const Actor& by) {
  return Write([&](SqlSession& s) {
    if (s.Exec("DELETE FROM template_drafts WHERE path = $1", {path}).affected != 1) {
      return Status::NotFound("there is no draft for " + path);
    }
    AuditIn(s, by, "template_draft.delete", "template:" + path, nlohmann::json::object());
    return Status::Ok();
  });
}

Result<std::map<std::string, TemplateDraft>> SqlStore::TemplateDrafts() {
  std::map<std::string, TemplateDraft> drafts;
  Status status = Read([&](SqlSession& s) {
    drafts.clear();
    for (const auto& r : s.Exec("SELECT path, text, updated_at FROM template_drafts ORDER BY path").rows) {
      drafts[r.Text(0)] = {r.Text(1), r.Int(2)};
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return drafts;
}

// The lock makes appenders take turns (PostgreSQL; SQLite writers already
// do), so that each entry follows the one before it.
AuditEntry SqlStore::AuditIn(SqlSession& s, const Actor& by, const std::string& action, const std::string& target,
                             const nlohmann::json& details) {
  s.Lock(SqlLock::kAudit);
  AuditEntry entry;
  const SqlResult last = s.Exec("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  entry.seq = last.rows.empty() ? 1 : last.rows[0].Int(0) + 1;
  entry.prev_hash = last.rows.empty() ? "" : last.rows[0].Text(1);
  entry.actor = by;
  entry.action = action;
  entry.target = target;
  entry.details = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  entry.hash = AuditHash(entry);
  s.Exec("INSERT INTO audit_log (seq, at, actor, role, action, target, request_id, reason, details, prev_hash, hash) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
         {entry.seq, by.at, by.name, by.role, action, target, by.request_id, by.reason, entry.details, entry.prev_hash,
          entry.hash});
  return entry;
}

Result<AuditEntry> SqlStore::AppendAudit(const Actor& by, const std::string& action, const std::string& target,
                                         const nlohmann::json& details) {
  AuditEntry entry;
  Status status = Write([&](SqlSession& s) {
    entry = AuditIn(s, by, action, target, details);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return entry;
}

Result<std::vector<AuditEntry>> SqlStore::ListAudit(const AuditFilter& filter) {
  std::string where = "WHERE 1 = 1";
  std::vector<SqlParam> params;
  auto add = [&](const std::string& condition, SqlParam value) {
    params.push_back(std::move(value));
    where += " AND " + condition + " $" + std::to_string(params.size());
  };
  if (!filter.actor.empty()) add("actor =", filter.actor);
  if (!filter.action.empty()) add("action =", filter.action);
  if (!filter.target.empty()) add("target =", filter.target);
  if (filter.since > 0) add("at >=", filter.since);
  if (filter.until > 0) add("at <", filter.until);
  const bool ascending = filter.after_seq >= 0;
  if (ascending) add("seq >", filter.after_seq);
  if (!ascending && filter.before_seq > 0) add("seq <", filter.before_seq);
  params.emplace_back(std::in_place_type<int64_t>, std::clamp(filter.limit, 1, 1000));
  const std::string sql = "SELECT seq, at, actor, role, request_id, reason, action, target, details, prev_hash, hash FROM audit_log " +
                          where + " ORDER BY seq " + (ascending ? "ASC" : "DESC") + " LIMIT $" + std::to_string(params.size());
  std::vector<AuditEntry> entries;
  Status status = Read([&](SqlSession& s) {
    entries.clear();
    for (const auto& r : s.Exec(sql, params).rows) {
      AuditEntry& e = entries.emplace_back();
      e.seq = r.Int(0);
      e.actor = {r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Int(1)};
      e.action = r.Text(6);
      e.target = r.Text(7);
      e.details = r.Text(8);
      e.prev_hash = r.Text(9);
      e.hash = r.Text(10);
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return entries;
}

Status SqlStore::RecordTokenUse(const std::string& token_id, int64_t at) {
  // One attempt: it is noted on a request's way, which must not wait for the database.
  return Write([&](SqlSession& s) {
    s.Exec("INSERT INTO token_use (token_id, last_used_at) VALUES ($1, $2) ON CONFLICT (token_id) DO UPDATE SET "
           "last_used_at = CASE WHEN excluded.last_used_at > token_use.last_used_at THEN excluded.last_used_at "
           "ELSE token_use.last_used_at END",
           {token_id, at});
    return Status::Ok();
  }, Patience::kOnce);
}

Result<std::map<std::string, int64_t>> SqlStore::TokenLastUsed() {
  std::map<std::string, int64_t> out;
  Status status = Read([&](SqlSession& s) {
    out.clear();
    for (const auto& r : s.Exec("SELECT token_id, last_used_at FROM token_use").rows) out[r.Text(0)] = r.Int(1);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqlStore::AddSloMinutes(const std::vector<SloMinute>& counts) {
  if (counts.empty()) return Status::Ok();
  return Write([&](SqlSession& s) {
    for (const SloMinute& c : counts) {
      s.Exec("INSERT INTO slo_minutes (slo, minute, good, total) VALUES ($1, $2, $3, $4) ON CONFLICT (slo, minute) DO UPDATE SET "
             "good = slo_minutes.good + excluded.good, total = slo_minutes.total + excluded.total",
             {c.slo, c.minute, c.good, c.total});
    }
    return Status::Ok();
  });
}

Result<std::vector<SloMinute>> SqlStore::ListSloMinutes(int64_t since_minute, int64_t until_minute, int64_t step_minutes) {
  if (step_minutes < 1) return Status::InvalidArgument("a step is at least one minute");
  std::vector<SloMinute> out;
  Status status = Read([&](SqlSession& s) {
    out.clear();
    // Integer division on both databases: minutes are BIGINT.
    const SqlResult steps = s.Exec(
        "SELECT slo, minute - minute % $3 AS step, SUM(good), SUM(total) FROM slo_minutes WHERE minute >= $1 AND minute <= $2 "
        "GROUP BY slo, step ORDER BY slo, step",
        {since_minute, until_minute, step_minutes});
    for (const auto& r : steps.rows) out.push_back({r.Text(0), r.Int(1), r.Int(2), r.Int(3)});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::map<std::string, std::vector<SloEvents>>> SqlStore::SumSloMinutes(const std::vector<int64_t>& since_minutes,
                                                                               int64_t until_minute) {
  std::map<std::string, std::vector<SloEvents>> out;
  if (since_minutes.empty()) return out;
  // One row per SLO: for each span, SUM(CASE WHEN minute >= since THEN good ...).
  std::vector<SqlParam> params = {until_minute};
  std::string columns;
  for (int64_t since : since_minutes) {
    params.push_back(since);
    const std::string p = "$" + std::to_string(params.size());
    columns += ", SUM(CASE WHEN minute >= " + p + " THEN good ELSE 0 END), SUM(CASE WHEN minute >= " + p + " THEN total ELSE 0 END)";
  }
  params.push_back(*std::min_element(since_minutes.begin(), since_minutes.end()));
  const std::string sql = "SELECT slo" + columns + " FROM slo_minutes WHERE minute <= $1 AND minute >= $" +
                          std::to_string(params.size()) + " GROUP BY slo";
  Status status = Read([&](SqlSession& s) {
    out.clear();
    for (const auto& r : s.Exec(sql, params).rows) {
      std::vector<SloEvents>& sums = out[r.Text(0)];
      for (size_t i = 0; i < since_minutes.size(); ++i) sums.push_back({r.Int(1 + 2 * i), r.Int(2 + 2 * i)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<int> SqlStore::PruneSloMinutes(int64_t before_minute) {
  int pruned = 0;
  Status status = Write([&](SqlSession& s) {
    pruned = static_cast<int>(s.Exec("DELETE FROM slo_minutes WHERE minute < $1", {before_minute}).affected);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return pruned;
}

int SqlStore::PruneIn(SqlSession& s, int64_t before) {
  const char* finished = "finished_at > 0 AND finished_at < $1 AND webhook_state != 'pending'";
  s.Exec(std::string("DELETE FROM webhook_attempts WHERE job_id IN (SELECT id FROM jobs WHERE ") + finished + ")", {before});
  s.Exec(std::string("DELETE FROM test_run_variants WHERE run_id IN (SELECT id FROM jobs WHERE ") + finished + ")", {before});
  return static_cast<int>(s.Exec(std::string("DELETE FROM jobs WHERE ") + finished, {before}).affected);
}

Result<int> SqlStore::PruneJobs(int64_t before) {
  int deleted = 0;
  Status status = Write([&](SqlSession& s) {
    deleted = PruneIn(s, before);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return deleted;
}

Result<std::vector<std::string>> SqlStore::ReferencedBlobs() {
  std::vector<std::string> names;
  Status status = Read([&](SqlSession& s) {
    names.clear();
    for (const auto& r : s.Exec("SELECT result FROM jobs WHERE status = 'succeeded'").rows) {
      CollectResultBlobs(ParseStoredJson(r.Text(0)), &names);
    }
    // A test run's pictures (of any run still kept: a running one's too) and the goldens'.
    for (const char* query : {"SELECT blobs FROM test_run_variants", "SELECT blobs FROM goldens"}) {
      for (const auto& r : s.Exec(query).rows) {
        std::istringstream words(r.Text(0));
        for (std::string name; words >> name;) names.push_back(std::move(name));
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return names;
}

namespace {

// Blob names as stored: one text of names separated by spaces ("-" for none).
std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + (n.empty() ? std::string("-") : n);
  return out;
}

std::vector<std::string> SplitNames(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream words(text);
  for (std::string name; words >> name;) out.push_back(name == "-" ? "" : name);
  return out;
}

}  // namespace

Status SqlStore::RecordTestVariants(const std::string& run_id, const std::string& worker,
                                    const std::vector<TestVariantRecord>& variants, const nlohmann::json& progress) {
  return Write([&](SqlSession& s) -> Status {
    const SqlResult held = s.Exec("UPDATE jobs SET progress = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                                  {run_id, worker, progress.dump()});
    if (held.affected == 0) return Status::Conflict("test run " + run_id + " is no longer held by " + worker);
    for (const auto& v : variants) {
      // The blobs column holds every name the variant refers to, so that
      // ReferencedBlobs reads it without parsing; `result` says which is which.
      nlohmann::json result = v.result;
      result["golden"] = v.golden;
      result["pages_kept"] = v.pages;
      result["diffs"] = v.diffs;
      std::vector<std::string> all = v.golden;
      all.insert(all.end(), v.pages.begin(), v.pages.end());
      for (const auto& d : v.diffs) {
        if (!d.empty()) all.push_back(d);
      }
      s.Exec("INSERT INTO test_run_variants (run_id, seq, key, status, result, blobs) VALUES ($1, $2, $3, $4, $5, $6) "
             "ON CONFLICT (run_id, seq) DO NOTHING",
             {run_id, v.seq, v.key, v.status, result.dump(), JoinNames(all)});
    }
    return Status::Ok();
  });
}

Result<std::vector<TestVariantRecord>> SqlStore::TestVariants(const std::string& run_id, const TestVariantFilter& filter) {
  std::vector<TestVariantRecord> out;
  Status status = Read([&](SqlSession& s) {
    out.clear();
    std::string sql = "SELECT seq, key, status, result FROM test_run_variants WHERE run_id = $1 AND seq > $2";
    std::vector<SqlParam> params = {run_id, filter.after};
    if (!filter.status.empty()) {
      sql += " AND status = $3";
      params.emplace_back(filter.status);
    }
    sql += " ORDER BY seq";
    if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
    for (const auto& r : s.Exec(sql, params).rows) {
      TestVariantRecord v;
      v.seq = r.Int(0);
      v.key = r.Text(1);
      v.status = r.Text(2);
      v.result = ParseStoredJson(r.Text(3));
      if (!v.result.is_object()) v.result = nlohmann::json::object();
      auto names = [&](const char* field) {
        std::vector<std::string> list;
        if (v.result.contains(field) && v.result[field].is_array()) {
          for (const auto& n : v.result[field]) list.push_back(n.is_string() ? n.get<std::string>() : "");
        }
        v.result.erase(field);
        return list;
      };
      v.golden = names("golden");
      v.pages = names("pages_kept");
      v.diffs = names("diffs");
      out.push_back(std::move(v));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::map<std::string, Golden>> SqlStore::Goldens() {
  std::map<std::string, Golden> out;
  Status status = Read([&](SqlSession& s) {
    out.clear();
    for (const auto& r : s.Exec("SELECT key, pages, pdf_sha256, inputs, blobs, run_id, approved_at FROM goldens").rows) {
      Golden g{r.Text(0), static_cast<int>(r.Int(1)), r.Text(2), r.Text(3), SplitNames(r.Text(4)), r.Text(5), r.Int(6)};
      out.emplace(g.key, std::move(g));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqlStore::ApproveGoldens(const std::string& run_id, const std::vector<Golden>& approved, const std::vector<std::string>& dropped,
                                const nlohmann::json& details, const Actor& by) {
  return Write([&](SqlSession& s) -> Status {
    for (const auto& g : approved) {
      s.Exec("INSERT INTO goldens (key, pages, pdf_sha256, inputs, blobs, run_id, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
             "ON CONFLICT (key) DO UPDATE SET pages = excluded.pages, pdf_sha256 = excluded.pdf_sha256, inputs = excluded.inputs, "
             "blobs = excluded.blobs, run_id = excluded.run_id, approved_at = excluded.approved_at",
             {g.key, int64_t{g.pages}, g.pdf_sha256, g.inputs, JoinNames(g.blobs), run_id, by.at});
    }
    for (const auto& key : dropped) s.Exec("DELETE FROM goldens WHERE key = $1", {key});
    AuditIn(s, by, "test_run.approve", "test_run:" + run_id, details);
    return Status::Ok();
  });
}

Result<std::vector<std::pair<JobStatus, int64_t>>> SqlStore::CountJobs() {
  std::vector<std::pair<JobStatus, int64_t>> counts;
  Status status = Read(
      [&](SqlSession& s) {
        counts.clear();
        for (const auto& r : s.Exec("SELECT status, COUNT(*) FROM jobs GROUP BY status").rows) {
          if (auto job_status = ParseJobStatus(r.Text(0))) counts.emplace_back(*job_status, r.Int(1));
        }
        return Status::Ok();
      },
      Patience::kOnce);
  if (!status.ok()) return status;
  return counts;
}

Status SqlStore::Ping() {
  return Read([](SqlSession& s) {
    s.Exec("SELECT 1");
    return Status::Ok();
  }, Patience::kOnce);
}

// Registered operations.

namespace {

// The plan, from its own table, only where it is needed (a claim, one run).
constexpr const char* kOpRunColumns =
    "id, operation, params, dry_run, actor, role, request_id, reason, status, steps, error, lease_owner, lease_until, "
    "created_at, updated_at, finished_at, (SELECT COUNT(*) FROM ops_steps WHERE run_id = ops_runs.id)";
constexpr const char* kOpRunPlanColumn = ", (SELECT plan FROM ops_plans WHERE run_id = ops_runs.id)";

OpRun ReadOpRun(const SqlRow& r) {
  OpRun run;
  run.id = r.Text(0);
  run.operation = r.Text(1);
  run.params = ParseStoredJson(r.Text(2));
  run.dry_run = r.Int(3) != 0;
  run.by = {r.Text(4), r.Text(5), r.Text(6), r.Text(7), r.Int(13)};
  run.status = r.Text(8);
  run.steps = r.Int(9);
  if (r.size() > 17) run.plan = ParseStoredJson(r.Text(17));
  run.error = r.Text(10);
  run.lease_owner = r.Text(11);
  run.lease_until = r.Int(12);
  run.updated_at = r.Int(14);
  run.finished_at = r.Int(15);
  run.steps_done = r.Int(16);
  return run;
}

std::optional<OpRun> FirstOpRun(const SqlResult& r) {
  if (r.rows.empty()) return std::nullopt;
  return ReadOpRun(r.rows[0]);
}

}  // namespace

Result<OpRun> SqlStore::CreateOpRun(const OpRun& run) {
  OpRun stored = run;
  stored.status = run.dry_run ? "succeeded" : "queued";
  stored.updated_at = run.by.at;
  stored.finished_at = run.dry_run ? run.by.at : 0;
  Status status = Write([&](SqlSession& s) {
    stored.steps = static_cast<int64_t>(run.plan.size());
    s.Exec("INSERT INTO ops_runs (id, operation, params, dry_run, actor, role, request_id, reason, status, steps, created_at, "
           "updated_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
           {stored.id, stored.operation, stored.params.dump(), int64_t{stored.dry_run}, run.by.name, run.by.role, run.by.request_id,
            run.by.reason, stored.status, stored.steps, run.by.at, stored.finished_at});
    s.Exec("INSERT INTO ops_plans (run_id, plan) VALUES ($1, $2)", {stored.id, stored.plan.dump()});
    AuditIn(s, run.by, run.dry_run ? "ops.dry_run" : "ops.run", "ops_run:" + run.id,
            {{"operation", run.operation}, {"params", run.params}, {"steps", run.plan.size()}});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return stored;
}

Result<std::optional<OpRun>> SqlStore::ClaimOpRun(const std::string& id, const std::string& worker, int64_t now,
                                                  int64_t lease_until) {
  std::optional<OpRun> run;
  Status status = Write([&](SqlSession& s) {
    const std::string claimable = "(status = 'queued' OR (status = 'running' AND lease_until <= $3))";
    const std::string pick = id.empty() ? "(SELECT id FROM ops_runs WHERE " + claimable + " ORDER BY created_at LIMIT 1" +
                                              backend_->SkipLockedRows() + ")"
                                        : "$4";
    std::vector<SqlParam> params = {worker, lease_until, now};
    if (!id.empty()) params.push_back(id);
    run = FirstOpRun(s.Exec("UPDATE ops_runs SET status = 'running', lease_owner = $1, lease_until = $2, updated_at = $3 "
                            "WHERE id = " + pick + " AND " + claimable + " RETURNING " + kOpRunColumns + kOpRunPlanColumn,
                            params));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return run;
}

std::string SqlStore::ApplyIn(SqlSession& s, const OpStep& change, const Actor& by, int64_t now) {
  switch (change.kind) {
    case OpStep::Kind::kRetryJob: {
      if (s.Exec(kRetryJobSql, {change.job_id, now}).affected == 1) {
        s.WakeWorkersOnCommit();
        return "queued job " + change.job_id + " again";
      }
      const SqlResult current = s.Exec("SELECT status FROM jobs WHERE id = $1", {change.job_id});
      return current.rows.empty() ? "skipped: job " + change.job_id + " no longer exists"
                                  : "skipped: job " + change.job_id + " is " + current.rows[0].Text(0) + " now";
    }
    case OpStep::Kind::kCopyJob: {
      const SqlResult source = s.Exec("SELECT kind, progress FROM jobs WHERE id = $1", {change.job_id});
      if (source.rows.empty()) return "skipped: job " + change.job_id + " no longer exists";
      nlohmann::json progress = nlohmann::json::object();  // a fresh start, but a validation keeps its total
      const nlohmann::json old = ParseStoredJson(source.rows[0].Text(1));
      if (old.is_object() && old.contains("policies_total")) progress["policies_total"] = old["policies_total"];
      s.Exec("INSERT INTO jobs (id, idempotency_key, request_hash, status, quote, callback_url, catalog_version, max_attempts, "
             "run_after, created_at, updated_at, quote_id, kind, progress, trace_id, request_id, subject, product, "
             "jurisdiction) SELECT $1, NULL, request_hash, 'queued', quote, "
             "callback_url, (SELECT COALESCE(MAX(version), 0) FROM catalog_versions), max_attempts, $2, $2, $2, quote_id, kind, $3, "
             "trace_id, request_id, subject, product, jurisdiction "
             "FROM jobs WHERE id = $4",
             {change.new_job_id, now, progress.dump(), change.job_id});
      s.WakeWorkersOnCommit();
      return "created job " + change.new_job_id + " from job " + change.job_id;
    }
    case OpStep::Kind::kPruneJobs:
      return "deleted " + std::to_string(PruneIn(s, change.number)) + " finished jobs";
    case OpStep::Kind::kRepublish: {
      const SqlResult r = s.Exec(std::string("SELECT ") + kVersionColumns + ", files FROM catalog_versions WHERE version = $1",
                                 {change.number});
      if (r.rows.empty()) return "skipped: there is no catalog version " + std::to_string(change.number);
      CatalogVersion version = ReadVersion(r.rows[0], true);
      version.created_at = now;
      version.created_by = by.name;
      const CatalogVersion current = PublishIn(s, version, by);
      return current.version == change.number || current.created_at != now
                 ? "catalog version " + std::to_string(change.number) + " is current already"
                 : "catalog version " + std::to_string(current.version) + " is current: the files of version " +
                       std::to_string(change.number);
    }
  }
  return "skipped: unknown step";
}

Result<std::optional<std::string>> SqlStore::ApplyOpStep(const std::string& run_id, int64_t step, const OpStep& change,
                                                         const std::string& worker, int64_t now, int64_t lease_until) {
  std::optional<std::string> outcome;
  Status status = Write([&](SqlSession& s) -> Status {
    outcome.reset();
    const SqlResult held = s.Exec("UPDATE ops_runs SET lease_until = $3, updated_at = $4 WHERE id = $1 AND lease_owner = $2 AND "
                                  "status = 'running' RETURNING actor, role, request_id, reason, steps",
                                  {run_id, worker, lease_until, now});
    if (held.rows.empty()) return Status::Conflict("operation run " + run_id + " is no longer held by " + worker);
    if (step < 0 || step >= held.rows[0].Int(4)) {
      return Status::InvalidArgument("operation run " + run_id + " has no step " + std::to_string(step));
    }
    if (!s.Exec("SELECT 1 FROM ops_steps WHERE run_id = $1 AND step = $2", {run_id, step}).rows.empty()) {
      return Status::Ok();  // applied by an earlier attempt
    }
    const Actor by{held.rows[0].Text(0), held.rows[0].Text(1), held.rows[0].Text(2), held.rows[0].Text(3), now};
    outcome = ApplyIn(s, change, by, now);
    s.Exec("INSERT INTO ops_steps (run_id, step, outcome, at) VALUES ($1, $2, $3, $4)", {run_id, step, *outcome, now});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return outcome;
}

Status SqlStore::FinishOpRun(const std::string& id, const std::string& worker, const std::string& error, int64_t now) {
  return Write([&](SqlSession& s) {
    const SqlResult r = s.Exec("UPDATE ops_runs SET status = $3, error = $4, lease_owner = '', lease_until = 0, updated_at = $5, "
                               "finished_at = $5 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
                               {id, worker, std::string(error.empty() ? "succeeded" : "failed"), error, now});
    return r.affected == 1 ? Status::Ok() : Status::Conflict("operation run " + id + " is no longer held by " + worker);
  });
}

Result<OpRun> SqlStore::GetOpRun(const std::string& id) {
  std::optional<OpRun> run;
  Status status = Read([&](SqlSession& s) {
    run = FirstOpRun(s.Exec(std::string("SELECT ") + kOpRunColumns + kOpRunPlanColumn + " FROM ops_runs WHERE id = $1", {id}));
    if (!run) return Status::NotFound("there is no operation run " + id);
    for (const auto& r : s.Exec("SELECT outcome FROM ops_steps WHERE run_id = $1 ORDER BY step", {id}).rows) {
      run->outcomes.push_back(r.Text(0));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*run);
}

Result<std::vector<OpRun>> SqlStore::ListOpRuns(int limit) {
  std::vector<OpRun> runs;
  Status status = Read([&](SqlSession& s) {
    runs.clear();
    for (const auto& r : s.Exec(std::string("SELECT ") + kOpRunColumns + " FROM ops_runs ORDER BY created_at DESC, id LIMIT $1",
                                {int64_t{std::clamp(limit, 1, 1000)}}).rows) {
      runs.push_back(ReadOpRun(r));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return runs;
}

}  // namespace docgen
