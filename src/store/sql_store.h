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
  Result<int> ReapExpiredLeases(int64_t now) override;
  uint64_t JobsSignal() override;
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override;
  Result<Job> CancelJob(const std::string& id, int64_t now) override;
  Result<Job> RetryJob(const std::string& id, int64_t now) override;
  Result<std::optional<Job>> ClaimWebhook(int64_t now, int64_t lease_until) override;
  Status RecordWebhookAttempt(const std::string& id, const WebhookAttempt& attempt, bool delivered, bool give_up,
                              int64_t next_at) override;
  Result<std::vector<WebhookAttempt>> WebhookAttempts(const std::string& id) override;
  Result<CatalogVersion> PublishCatalog(const CatalogVersion& version) override;
  Result<CatalogVersion> GetCatalogVersion(int64_t version) override;
  Result<int64_t> CurrentCatalogVersion() override;
  Result<std::vector<CatalogVersion>> ListCatalogVersions() override;
  Status PutDraft(const std::string& id, const nlohmann::json& editions, int64_t now) override;
  Status DeleteDraft(const std::string& id) override;
  Result<std::map<std::string, Draft>> Drafts() override;
  Status PutTemplateDraft(const std::string& path, const std::string& text, int64_t now) override;
  Status DeleteTemplateDraft(const std::string& path) override;
  Result<std::map<std::string, TemplateDraft>> TemplateDrafts() override;
  Result<CatalogVersion> PublishDrafts(const CatalogVersion& version, const std::map<std::string, Draft>& published,
                                       const std::map<std::string, TemplateDraft>& published_templates) override;
  Result<int> PruneJobs(int64_t before) override;
  Result<std::vector<std::string>> ReferencedBlobs() override;
  Result<std::vector<std::pair<JobStatus, int64_t>>> CountJobs() override;
  Status Ping() override;

 private:
  Status Read(const std::function<Status(SqlSession&)>& body, Patience patience = Patience::kRetry);
  Status Write(const std::function<Status(SqlSession&)>& body);
  Status Finish(const std::string& id, const std::string& worker, const char* status, const nlohmann::json& errors,
                const nlohmann::json& result, int64_t now);
  // Runs `update` ($1 id, $2 now); when it changes no row, says why: no such
  // job (kNotFound) or its state (kConflict, "job ID is STATE" + refusal).
  Result<Job> ChangeJobState(const std::string& id, int64_t now, const std::string& update, const char* refusal,
                             bool wake_workers);
  static CatalogVersion PublishIn(SqlSession& s, const CatalogVersion& version);

  std::unique_ptr<SqlBackend> backend_;
};

}  // namespace docgen
