// A Store that passes every call to a real one, except the calls it is told
// to fail: those return kUnavailable without reaching the database, as a
// lost connection or a locked database would. Fault injection only; the
// state under it is a real SQLite store.
#pragma once

#include <docgen/store.h>

#include <mutex>
#include <set>
#include <vector>
#include <string>

namespace docgen::testing {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& inner) : inner_(inner) {}

  // The `n`th call from now (1: the next one) fails.
  void FailCall(int n) { FailCalls({n}); }
  // Each of the `nth` calls from now fails.
  void FailCalls(const std::set<int>& nth) {
    std::lock_guard lock(mutex_);
    fail_at_.clear();
    for (int n : nth) fail_at_.insert(calls_ + n);
  }
  // Every call of this name fails until Heal() (an outage that does not end).
  void FailEvery(const std::string& name) {
    std::lock_guard lock(mutex_);
    failing_ = name;
  }
  void Heal() {
    std::lock_guard lock(mutex_);
    failing_.clear();
    fail_at_.clear();
  }
  // True once every call chosen by FailCall(s) has failed.
  bool injected() {
    std::lock_guard lock(mutex_);
    return !fail_at_.empty() && calls_ >= *fail_at_.rbegin();
  }
  // Names of the calls made so far, in order (for messages).
  std::vector<std::string> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

  Result<CreatedJob> CreateJob(const Job& job) override { return Pass("CreateJob", [&] { return inner_.CreateJob(job); }); }
  Result<Job> GetJob(const std::string& id) override { return Pass("GetJob", [&] { return inner_.GetJob(id); }); }
  Result<std::vector<Job>> ListJobs(const JobFilter& f) override { return Pass("ListJobs", [&] { return inner_.ListJobs(f); }); }
  Result<std::optional<Job>> ClaimJob(const std::string& w, int64_t now, int64_t until) override {
    return Pass("ClaimJob", [&] { return inner_.ClaimJob(w, now, until); });
  }
  Status ReportProgress(const std::string& id, const std::string& w, const nlohmann::json& progress) override {
    return PassStatus("ReportProgress", [&] { return inner_.ReportProgress(id, w, progress); });
  }
  Status Heartbeat(const std::string& id, const std::string& w, int64_t until) override {
    return PassStatus("Heartbeat", [&] { return inner_.Heartbeat(id, w, until); });
  }
  Status CompleteJob(const std::string& id, const std::string& w, const nlohmann::json& r, int64_t now) override {
    return PassStatus("CompleteJob", [&] { return inner_.CompleteJob(id, w, r, now); });
  }
  Status FailJob(const std::string& id, const std::string& w, const nlohmann::json& e, int64_t now) override {
    return PassStatus("FailJob", [&] { return inner_.FailJob(id, w, e, now); });
  }
  Status RetryLater(const std::string& id, const std::string& w, const nlohmann::json& e, int64_t after, int64_t now) override {
    return PassStatus("RetryLater", [&] { return inner_.RetryLater(id, w, e, after, now); });
  }
  Status ReleaseJob(const std::string& id, const std::string& w, int64_t after, int64_t now) override {
    return PassStatus("ReleaseJob", [&] { return inner_.ReleaseJob(id, w, after, now); });
  }
  Result<ReapedLeases> ReapExpiredLeases(int64_t now) override { return Pass("ReapExpiredLeases", [&] { return inner_.ReapExpiredLeases(now); }); }
  uint64_t JobsSignal() override { return inner_.JobsSignal(); }
  void WaitForJobs(uint64_t seen, int64_t timeout_ms) override { inner_.WaitForJobs(seen, timeout_ms); }
  Result<Job> CancelJob(const std::string& id, const Actor& by) override { return Pass("CancelJob", [&] { return inner_.CancelJob(id, by); }); }
  Result<Job> RetryJob(const std::string& id, const Actor& by) override { return Pass("RetryJob", [&] { return inner_.RetryJob(id, by); }); }
  Result<std::optional<Job>> ClaimWebhook(int64_t now, int64_t until) override {
    return Pass("ClaimWebhook", [&] { return inner_.ClaimWebhook(now, until); });
  }
  Status RecordWebhookAttempt(const std::string& id, const WebhookAttempt& a, bool delivered, bool give_up, int64_t next) override {
    return PassStatus("RecordWebhookAttempt", [&] { return inner_.RecordWebhookAttempt(id, a, delivered, give_up, next); });
  }
  Result<std::vector<WebhookAttempt>> WebhookAttempts(const std::string& id) override {
    return Pass("WebhookAttempts", [&] { return inner_.WebhookAttempts(id); });
  }
  Result<CatalogVersion> PublishCatalog(const CatalogVersion& v, const Actor& by) override {
    return Pass("PublishCatalog", [&] { return inner_.PublishCatalog(v, by); });
  }
  Result<CatalogVersion> GetCatalogVersion(int64_t v) override { return Pass("GetCatalogVersion", [&] { return inner_.GetCatalogVersion(v); }); }
  Result<int64_t> CurrentCatalogVersion() override { return Pass("CurrentCatalogVersion", [&] { return inner_.CurrentCatalogVersion(); }); }
  Result<std::vector<CatalogVersion>> ListCatalogVersions() override {
    return Pass("ListCatalogVersions", [&] { return inner_.ListCatalogVersions(); });
  }
  Status PutDraft(const std::string& id, const nlohmann::json& e, const Actor& by) override {
    return PassStatus("PutDraft", [&] { return inner_.PutDraft(id, e, by); });
  }
  Status DeleteDraft(const std::string& id, const Actor& by) override { return PassStatus("DeleteDraft", [&] { return inner_.DeleteDraft(id, by); }); }
  Result<std::map<std::string, Draft>> Drafts() override { return Pass("Drafts", [&] { return inner_.Drafts(); }); }
  Status PutTemplateDraft(const std::string& path, const std::string& text, const Actor& by) override {
    return PassStatus("PutTemplateDraft", [&] { return inner_.PutTemplateDraft(path, text, by); });
  }
  Status DeleteTemplateDraft(const std::string& path, const Actor& by) override {
    return PassStatus("DeleteTemplateDraft", [&] { return inner_.DeleteTemplateDraft(path, by); });
  }
  Result<std::map<std::string, TemplateDraft>> TemplateDrafts() override {
    return Pass("TemplateDrafts", [&] { return inner_.TemplateDrafts(); });
  }
  Result<CatalogVersion> PublishDrafts(const CatalogVersion& v, const std::map<std::string, Draft>& p,
                                       const std::map<std::string, TemplateDraft>& t, const Actor& by) override {
    return Pass("PublishDrafts", [&] { return inner_.PublishDrafts(v, p, t, by); });
  }
  Result<AuditEntry> AppendAudit(const Actor& by, const std::string& action, const std::string& target,
                                 const nlohmann::json& details) override {
    return Pass("AppendAudit", [&] { return inner_.AppendAudit(by, action, target, details); });
  }
  Result<std::vector<AuditEntry>> ListAudit(const AuditFilter& f) override { return Pass("ListAudit", [&] { return inner_.ListAudit(f); }); }
  Status RecordTokenUse(const std::string& id, int64_t at) override {
    return PassStatus("RecordTokenUse", [&] { return inner_.RecordTokenUse(id, at); });
  }
  Result<std::map<std::string, int64_t>> TokenLastUsed() override { return Pass("TokenLastUsed", [&] { return inner_.TokenLastUsed(); }); }
  Status AddSloMinutes(const std::vector<SloMinute>& counts) override {
    return Pass("AddSloMinutes", [&] { return inner_.AddSloMinutes(counts); });
  }
  Result<std::vector<SloMinute>> ListSloMinutes(int64_t since_minute, int64_t until_minute, int64_t step_minutes) override {
    return Pass("ListSloMinutes", [&] { return inner_.ListSloMinutes(since_minute, until_minute, step_minutes); });
  }
  Result<std::map<std::string, std::vector<SloEvents>>> SumSloMinutes(const std::vector<int64_t>& since_minutes,
                                                                       int64_t until_minute) override {
    return Pass("SumSloMinutes", [&] { return inner_.SumSloMinutes(since_minutes, until_minute); });
  }
  Result<int> PruneSloMinutes(int64_t before_minute) override {
    return Pass("PruneSloMinutes", [&] { return inner_.PruneSloMinutes(before_minute); });
  }
  Result<OpRun> CreateOpRun(const OpRun& run) override { return Pass("CreateOpRun", [&] { return inner_.CreateOpRun(run); }); }
  Result<std::optional<OpRun>> ClaimOpRun(const std::string& id, const std::string& w, int64_t now, int64_t until) override {
    return Pass("ClaimOpRun", [&] { return inner_.ClaimOpRun(id, w, now, until); });
  }
  Result<std::optional<std::string>> ApplyOpStep(const std::string& run, int64_t step, const OpStep& change, const std::string& w,
                                                 int64_t now, int64_t until) override {
    return Pass("ApplyOpStep", [&] { return inner_.ApplyOpStep(run, step, change, w, now, until); });
  }
  Status FinishOpRun(const std::string& id, const std::string& w, const std::string& error, int64_t now) override {
    return PassStatus("FinishOpRun", [&] { return inner_.FinishOpRun(id, w, error, now); });
  }
  Result<OpRun> GetOpRun(const std::string& id) override { return Pass("GetOpRun", [&] { return inner_.GetOpRun(id); }); }
  Result<std::vector<OpRun>> ListOpRuns(int limit) override { return Pass("ListOpRuns", [&] { return inner_.ListOpRuns(limit); }); }
  Result<std::vector<std::string>> JobIds(const JobFilter& f) override { return Pass("JobIds", [&] { return inner_.JobIds(f); }); }
  Status RecordTestVariants(const std::string& run_id, const std::string& worker, const std::vector<TestVariantRecord>& variants,
                            const nlohmann::json& progress) override {
    return PassStatus("RecordTestVariants", [&] { return inner_.RecordTestVariants(run_id, worker, variants, progress); });
  }
  Result<std::vector<TestVariantRecord>> TestVariants(const std::string& run_id, const TestVariantFilter& filter) override {
    return Pass("TestVariants", [&] { return inner_.TestVariants(run_id, filter); });
  }
  Result<std::map<std::string, Golden>> Goldens() override { return Pass("Goldens", [&] { return inner_.Goldens(); }); }
  Status ApproveGoldens(const std::string& run_id, const std::vector<Golden>& approved, const std::vector<std::string>& dropped,
                        const nlohmann::json& details, const Actor& by) override {
    return PassStatus("ApproveGoldens", [&] { return inner_.ApproveGoldens(run_id, approved, dropped, details, by); });
  }
  Result<int> PruneJobs(int64_t before) override { return Pass("PruneJobs", [&] { return inner_.PruneJobs(before); }); }
  Result<std::vector<std::string>> ReferencedBlobs() override { return Pass("ReferencedBlobs", [&] { return inner_.ReferencedBlobs(); }); }
  Result<std::vector<std::pair<JobStatus, int64_t>>> CountJobs() override { return Pass("CountJobs", [&] { return inner_.CountJobs(); }); }
  Status Ping() override { return PassStatus("Ping", [&] { return inner_.Ping(); }); }

 private:
  bool Fails(const char* name) {
    std::lock_guard lock(mutex_);
    log_.push_back(name);
    ++calls_;
    return fail_at_.count(calls_) > 0 || failing_ == name;
  }
  template <typename F>
  auto Pass(const char* name, F&& call) -> decltype(call()) {
    if (Fails(name)) return Status::Unavailable(std::string("injected outage in ") + name);
    return call();
  }
  template <typename F>
  Status PassStatus(const char* name, F&& call) {
    if (Fails(name)) return Status::Unavailable(std::string("injected outage in ") + name);
    return call();
  }

  Store& inner_;
  std::mutex mutex_;
  int calls_ = 0;
  std::set<int> fail_at_;
  std::string failing_;
  std::vector<std::string> log_;
};

}  // namespace docgen::testing
