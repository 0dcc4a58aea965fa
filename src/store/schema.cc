#include "store/schema.h"

#include <iterator>
#include <string>

namespace docgen {
namespace {

// Each entry is one migration; never edit one that has shipped, add a new
// one. The SQL must run on SQLite and PostgreSQL alike (BIGINT is SQLite's
// INTEGER; partial indexes exist in both).
const char* const kMigrations[] = {
    // 1: jobs, webhook attempts, catalog versions and drafts, blobs (PostgreSQL's blob_store: database)
    R"sql(
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      idempotency_key TEXT UNIQUE,
      request_hash TEXT NOT NULL,
      status TEXT NOT NULL,
      quote TEXT NOT NULL,
      callback_url TEXT NOT NULL DEFAULT '',
      catalog_version BIGINT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      run_after BIGINT NOT NULL,
      lease_owner TEXT NOT NULL DEFAULT '',
      lease_until BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      finished_at BIGINT NOT NULL DEFAULT 0,
      errors TEXT NOT NULL DEFAULT '[]',
      result TEXT NOT NULL DEFAULT 'null',
      webhook_state TEXT NOT NULL DEFAULT '',
      webhook_attempts INTEGER NOT NULL DEFAULT 0,
      webhook_next_at BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_queue ON jobs (run_after, created_at) WHERE status = 'queued';
    CREATE INDEX jobs_leases ON jobs (lease_until) WHERE status = 'running';
    CREATE INDEX jobs_webhooks ON jobs (webhook_next_at) WHERE webhook_state = 'pending';
    CREATE INDEX jobs_created ON jobs (created_at);
    CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at > 0;
    CREATE TABLE webhook_attempts (
      job_id TEXT NOT NULL, generation BIGINT NOT NULL, attempt INTEGER NOT NULL, at BIGINT NOT NULL,
      http_status INTEGER NOT NULL, error TEXT NOT NULL,
      PRIMARY KEY (job_id, generation, attempt)
    );
    CREATE TABLE catalog_versions (
      version BIGINT PRIMARY KEY,
      digest TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      created_by TEXT NOT NULL,
      files TEXT NOT NULL
    );
    CREATE TABLE catalog_drafts (
      id TEXT PRIMARY KEY,
      editions TEXT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE blobs (
      name TEXT PRIMARY KEY,
      bytes BYTEA NOT NULL,
      written_at BIGINT NOT NULL
    );
    )sql",
    // 2: how often a job's attempt was given back after an outage (backoff, and a cap on free attempts)
    R"sql(
    ALTER TABLE jobs ADD COLUMN releases INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 3: the quote's quote_id beside the quote, so that listing jobs does not read every quote
    // (rows from before it have '' and are listed with their quote)
    R"sql(
    ALTER TABLE jobs ADD COLUMN quote_id TEXT NOT NULL DEFAULT '';
    )sql",
    // 4: template drafts: per catalog-relative path, the text the next published version gets
    R"sql(
    CREATE TABLE template_drafts (
      path TEXT PRIMARY KEY,
      text TEXT NOT NULL,
      updated_at BIGINT NOT NULL
    );
    )sql",
    // 5: validation jobs beside render jobs, and how far a running job got
    R"sql(
    ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'render';
    ALTER TABLE jobs ADD COLUMN progress TEXT NOT NULL DEFAULT '{}';
    )sql",
    // 6: the audit log (append-only, hash-chained; written with the change it records), and when each token was last used
    R"sql(
    CREATE TABLE audit_log (
      seq BIGINT PRIMARY KEY,
      at BIGINT NOT NULL,
      actor TEXT NOT NULL,
      role TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL,
      request_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_log_at ON audit_log (at);
    CREATE INDEX audit_log_actor ON audit_log (actor, seq);
    CREATE INDEX audit_log_action ON audit_log (action, seq);
    CREATE TABLE token_use (
      token_id TEXT PRIMARY KEY,
      last_used_at BIGINT NOT NULL
    );
    )sql",
    // 7: registered operations: each run, and each step it applied (at most once)
    R"sql(
    CREATE TABLE ops_runs (
      id TEXT PRIMARY KEY,
      operation TEXT NOT NULL,
      params TEXT NOT NULL,
      dry_run INTEGER NOT NULL,
      actor TEXT NOT NULL,
      role TEXT NOT NULL,
      request_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      status TEXT NOT NULL,
      steps INTEGER NOT NULL,
      error TEXT NOT NULL DEFAULT '',
      lease_owner TEXT NOT NULL DEFAULT '',
      lease_until BIGINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      finished_at BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX ops_runs_created ON ops_runs (created_at);
    -- apart from the run, whose row changes at every step: a plan can be megabytes
    CREATE TABLE ops_plans (
      run_id TEXT PRIMARY KEY,
      plan TEXT NOT NULL
    );
    CREATE TABLE ops_steps (
      run_id TEXT NOT NULL,
      step INTEGER NOT NULL,
      outcome TEXT NOT NULL,
      at BIGINT NOT NULL,
      PRIMARY KEY (run_id, step)
    );
    )sql",
    // 8: SLO events per minute (GET /v1/slos)
    R"sql(
    CREATE TABLE slo_minutes (
      slo TEXT NOT NULL,
      minute BIGINT NOT NULL,
      good BIGINT NOT NULL,
      total BIGINT NOT NULL,
      PRIMARY KEY (slo, minute)
    );
    )sql",
    // 9: the request a job came from (its W3C trace, its id and its caller),
    // and its quote's product and jurisdiction (failures grouped by them)
    R"sql(
    ALTER TABLE jobs ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN subject TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN product TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN jurisdiction TEXT NOT NULL DEFAULT '';
    )sql",
    // 10: test runs (jobs of kind test_run): each variant's result, recorded
    // once per run; and the approved goldens (their pages are blobs)
    R"sql(
    CREATE TABLE test_run_variants (
      run_id TEXT NOT NULL,
      seq BIGINT NOT NULL,
      key TEXT NOT NULL,
      status TEXT NOT NULL,
      result TEXT NOT NULL,
      blobs TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    CREATE INDEX test_run_variants_status ON test_run_variants (run_id, status, seq);
    CREATE TABLE goldens (
      key TEXT PRIMARY KEY,
      pages INTEGER NOT NULL,
      pdf_sha256 TEXT NOT NULL,
      inputs TEXT NOT NULL,
      blobs TEXT NOT NULL,
      run_id TEXT NOT NULL,
      approved_at BIGINT NOT NULL
    );
    )sql",
};

}  // namespace

int KnownSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Result<int> AppliedMigrations(SqlBackend& backend, const char* has_table) {
  int applied = 0;
  Status status = backend.Run(SqlBackend::Access::kRead, Patience::kOnce, [&](SqlSession& s) -> Status {
    applied = 0;
    if (s.Exec(has_table, {std::string("schema_migrations")}).rows.at(0).Int(0) > 0) {
      applied = static_cast<int>(s.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").rows.at(0).Int(0));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return applied;
}

Status MigrateSchema(SqlBackend& backend) {
  return backend.Run(SqlBackend::Access::kWrite, Patience::kRetry, [](SqlSession& s) -> Status {
    s.Lock(SqlLock::kMigrations);
    s.ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
    const int applied = static_cast<int>(s.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").rows.at(0).Int(0));
    const int known = KnownSchemaVersion();
    if (applied > known) {
      return Status::Internal("the database has schema version " + std::to_string(applied) + ", newer than this docgen (" +
                              std::to_string(known) + "); upgrade docgen");
    }
    for (int v = applied; v < known; ++v) {
      s.ExecScript(kMigrations[v]);
      s.Exec("INSERT INTO schema_migrations (version) VALUES ($1)", {int64_t{v + 1}});
    }
    return Status::Ok();
  });
}

}  // namespace docgen
