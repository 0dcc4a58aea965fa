// The Store over a SqlBackend: every statement of jobs, webhooks, catalog
// versions and drafts written once, in sql_store.cc. The backend runs them
// (see store/sql.h). Thread-safe, as its backend is.
#pragma once

#include <docgen/store.h>

#include <functional>
#include <memory>

#include "store/sql.h"

namespace docgen {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlBackend> backend);

  Result<CreatedJob> CreateJob(const Job& job) override;
  Result<Job> GetJob(const std::string& id) override;
  Result<std::vector<Job>> ListJobs(const JobFilter& filter) override;
  Result<std::optional<Job>> ClaimJob(const std::string& worker, int64_t now, int64_t lease_until) override;
  Status Heartbeat(const std::string& id, const std::string& worker, int64_t lease_until) override;
  Status ReportProgress(const std::string& id, const std::string& worker, const nlohmann::json& progress) override;
  Status CompleteJob(const std::string& id, const std::string& worker, const nlohmann::json& result, int64_t now) override;
  Status FailJob(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t now) override;
  Status RetryLater(const std::string& id, const std::string& worker, const nlohmann::json& errors, int64_t run_after,
                    int64_t now) override;
  Status ReleaseJob(const std::string& id, const std::string& worker, int64_t run_after, int64_t now) override;
  Result<ReapedLeases> ReapExpiredLeases(int64_t now) override;
  uint64_t JobsSignal() override;
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override;
  Result<Job> CancelJob(const std::string& id, const Actor& by) override;
  Result<Job> RetryJob(const std::string& id, const Actor& by) override;
  Result<std::optional<Job>> ClaimWebhook(int64_t now, int64_t lease_until) override;
  Status RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                              int64_t next_at) override;
  Result<std::vector<WebhookAttempt>> WebhookAttempts(const std::string& id) override;
  Result<CatalogVersion> PublishCatalog(const CatalogVersion& version, const Actor& by) override;
  Result<CatalogVersion> GetCatalogVersion(int64_t version) override;
  Result<int64_t> CurrentCatalogVersion() override;
  Result<std::vector<CatalogVersion>> ListCatalogVersions() override;
  Status PutDraft(const std::string& id, const nlohmann::json& editions, const Actor& by) override;
  Status DeleteDraft(const std::string& id, const Actor& by) override;
  Result<std::map<std::string, Draft>> Drafts() override;
  Status PutTemplateDraft(const std::string& path, const std::string& text, const Actor& by) override;
  Status DeleteTemplateDraft(const std::string& path, const Actor& by) override;
  Result<std::map<std::string, TemplateDraft>> TemplateDrafts() override;
  Result<CatalogVersion> PublishDrafts(const CatalogVersion& version, const std::map<std::string, Draft>& published,
                                       const std::map<std::string, TemplateDraft>& published_templates, const Actor& by) override;
  Result<AuditEntry> AppendAudit(const Actor& by, const std::string& action, const std::string& target,
                                 const nlohmann::json& details) override;
  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& filter) override;
  Status RecordTokenUse(const std::string& token_id, int64_t at) override;
  Result<std::map<std::string, int64_t>> TokenLastUsed() override;
  Status AddSloMinutes(const std::vector<SloMinute>& counts) override;
  Result<std::vector<SloMinute>> ListSloMinutes(int64_t since_minute, int64_t until_minute, int64_t step_minutes) override;
  Result<std::map<std::string, std::vector<SloEvents>>> SumSloMinutes(const std::vector<int64_t>& since_minutes,
                                                                       int64_t until_minute) override;
  Result<int> PruneSloMinutes(int64_t before_minute) override;
  Result<OpRun> CreateOpRun(const OpRun& run) override;
  Result<std::optional<OpRun>> ClaimOpRun(const std::string& id, const std::string& worker, int64_t now, int64_t lease_until) override;
  Result<std::optional<std::string>> ApplyOpStep(const std::string& run_id, int64_t step, const OpStep& change,
                                                 const std::string& worker, int64_t now, int64_t lease_until) override;
  Status FinishOpRun(const std::string& id, const std::string& worker, const std::string& error, int64_t now) override;
  Result<OpRun> GetOpRun(const std::string& id) override;
  Result<std::vector<OpRun>> ListOpRuns(int limit) override;
  Result<std::vector<std::string>> JobIds(const JobFilter& filter) override;
  Status RecordTestVariants(const std::string& run_id, const std::string& worker, const std::vector<TestVariantRecord>& variants,
                            const nlohmann::json& progress) override;
  Result<std::vector<TestVariantRecord>> TestVariants(const std::string& run_id, const TestVariantFilter& filter) override;
  Result<std::map<std::string, Golden>> Goldens() override;
  Status ApproveGoldens(const std::string& run_id, const std::vector<Golden>& approved, const std::vector<std::string>& dropped,
                        const nlohmann::json& details, const Actor& by) override;
  Result<int> PruneJobs(int64_t before) override;
  Result<std::vector<std::string>> ReferencedBlobs() override;
  Result<std::vector<std::pair<JobStatus, int64_t>>> CountJobs() override;
  Status Ping() override;

 private:
  Status Read(const std::function<Status(SqlSession&)>& body, Patience patience = Patience::kRetry);
  Status Write(const std::function<Status(SqlSession&)>& body, Patience patience = Patience::kRetry);
  Status Finish(const std::string& id, const std::string& worker, const char* status, const nlohmann::json& errors,
                const nlohmann::json& result, int64_t now);
  // Runs `update` ($1 id, $2 now); when it changes no row, says why: no such
  // job (kNotFound) or its state (kConflict, "job ID is STATE" + refusal).
  Result<Job> ChangeJobState(const std::string& id, const Actor& by, const char* action, const std::string& update,
                             const char* refusal, bool wake_workers);
  // Publishes in `s`; a new version is audited as "catalog.publish".
  static CatalogVersion PublishIn(SqlSession& s, const CatalogVersion& version, const Actor& by);
  static int PruneIn(SqlSession& s, int64_t before);
  // The change of one operation step, in `s`; returns what it did.
  static std::string ApplyIn(SqlSession& s, const OpStep& change, const Actor& by, int64_t now);
  // Appends the entry of a change made in `s` (same transaction).
  static AuditEntry AuditIn(SqlSession& s, const Actor& by, const std::string& action, const std::string& target,
                            const nlohmann::json& details);

  std::unique_ptr<SqlBackend> backend_;
};

}  // namespace docgen
