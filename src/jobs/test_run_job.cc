#include "jobs/test_run_job.h"

#include <algorithm>
#include <chrono>

#include "jobs/job_json.h"
#include "testrun/testrun.h"
#include "util/text.h"

namespace docgen {
namespace {

// How often (at most) a run's new results are written: a run killed loses
// at most this much work, and the progress shown lags by as much.
constexpr int kRecordBatch = 64;
constexpr auto kRecordEvery = std::chrono::seconds(1);

nlohmann::json CountsJson(const testrun::Counts& c) {
  return {{"same", c.same}, {"changed", c.changed}, {"new", c.added}, {"failed", c.failed}, {"removed", c.removed}};
}

void Count(testrun::Counts& counts, testrun::Status status) {
  switch (status) {
    case testrun::Status::kSame: ++counts.same; break;
    case testrun::Status::kChanged: ++counts.changed; break;
    case testrun::Status::kNew: ++counts.added; break;
    case testrun::Status::kFailed: ++counts.failed; break;
  }
}

std::optional<testrun::Status> ParseStatus(const std::string& text) {
  for (auto s : {testrun::Status::kSame, testrun::Status::kChanged, testrun::Status::kNew, testrun::Status::kFailed}) {
    if (text == testrun::ToString(s)) return s;
  }
  return std::nullopt;
}

TestVariantRecord ToRecord(size_t index, const testrun::VariantResult& v, const testrun::GoldenManifest& goldens) {
  TestVariantRecord r;
  r.seq = static_cast<int64_t>(index) + 1;
  r.key = v.key;
  r.status = testrun::ToString(v.status);
  r.result = {{"pages", v.pages}, {"pdf_sha256", v.pdf_sha256}, {"inputs", v.inputs}, {"rendered", v.rendered}};
  if (v.status == testrun::Status::kChanged) {
    r.result["changed_pages"] = v.changed_pages;
    r.result["changed_share"] = v.changed_share;
  }
  if (v.status == testrun::Status::kFailed) r.result["error"] = v.error;
  // The golden pages a changed variant was compared with stay viewable after
  // a later approval replaces them (a same variant's are its golden's).
  if (auto g = goldens.find(v.key); g != goldens.end() && v.status == testrun::Status::kChanged) r.golden = g->second.blobs;
  r.pages = v.kept_pages;
  r.diffs = v.kept_diffs;
  return r;
}

std::optional<testrun::VariantResult> FromRecord(const TestVariantRecord& r) {
  std::optional<testrun::Status> status = ParseStatus(r.status);
  if (!status) return std::nullopt;
  testrun::VariantResult v;
  v.key = r.key;
  v.status = *status;
  v.pages = r.result.value("pages", 0);
  v.pdf_sha256 = r.result.value("pdf_sha256", "");
  v.inputs = r.result.value("inputs", "");
  v.rendered = r.result.value("rendered", false);
  v.error = r.result.value("error", "");
  v.changed_share = r.result.value("changed_share", 0.0);
  if (r.result.contains("changed_pages") && r.result["changed_pages"].is_array()) {
    for (const auto& n : r.result["changed_pages"]) {
      if (n.is_number_integer()) v.changed_pages.push_back(n.get<int>());
    }
  }
  v.kept_pages = r.pages;
  v.kept_diffs = r.diffs;
  return v;
}

// Goldens read from the store's blobs; a run's pictures kept as blobs.
class BlobPages final : public testrun::PageStore {
 public:
  explicit BlobPages(BlobStore& blobs) : blobs_(blobs) {}
  Result<std::optional<std::string>> Golden(const std::string&, const testrun::GoldenEntry& golden, int page) const override {
    if (page < 1 || static_cast<size_t>(page) > golden.blobs.size()) return std::optional<std::string>();
    Result<std::string> bytes = blobs_.Get(golden.blobs[static_cast<size_t>(page - 1)]);
    if (bytes.ok()) return std::optional<std::string>(std::move(*bytes));
    // A golden page gone reads as a blank page (the variant shows as changed); an outage stops the run.
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return bytes.status();
  }
  Result<std::string> Keep(const std::string&, const char*, int, const std::string& png) override { return blobs_.Put(png); }

 private:
  BlobStore& blobs_;
};

// Writes a run's new results in batches, with its progress.
class Recorder {
 public:
  Recorder(const TestRunWork& work, const Job& job, const std::string& worker, const testrun::GoldenManifest& goldens,
           testrun::Counts counts, size_t done)
      : work_(work), job_(job), worker_(worker), goldens_(goldens), counts_(counts), done_(done) {}

  Status Add(size_t index, const testrun::VariantResult& v) {
    pending_.push_back(ToRecord(index, v, goldens_));
    Count(counts_, v.status);
    ++done_;
    work_.metrics.Add("docgen_test_run_variants_total", {{"status", testrun::ToString(v.status)}});
    if (work_.stopping != nullptr && *work_.stopping) {
      // The process is stopping: what is done is kept, and the run goes on from there later.
      Status flushed = Flush();
      return flushed.ok() ? Status::Unavailable("docgen is shutting down; the run resumes from here in a process that runs") : flushed;
    }
    if (pending_.size() < kRecordBatch && std::chrono::steady_clock::now() - last_ < kRecordEvery) return Status::Ok();
    return Flush();
  }
  void SetTotal(size_t total) { total_ = total; }
  Status Flush() {
    nlohmann::json progress = {{"trigger", ToString(TestRunTriggerOf(job_))},
                               {"variants_done", done_},
                               {"variants_total", std::max(total_, done_)},
                               {"counts", CountsJson(counts_)}};
    Status recorded = work_.store.RecordTestVariants(job_.id, worker_, pending_, progress);
    if (recorded.ok()) pending_.clear();
    last_ = std::chrono::steady_clock::now();
    return recorded;
  }

 private:
  const TestRunWork& work_;
  const Job& job_;
  const std::string& worker_;
  const testrun::GoldenManifest& goldens_;
  testrun::Counts counts_;
  size_t done_ = 0;
  size_t total_ = 0;
  std::vector<TestVariantRecord> pending_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// An entry names one key, or the keys it starts when it ends with '/' or '@'
// ("CY-NOT-CA@", "CY-DEC@2025-01/cyber/"): ".../CA/1" is not ".../CA/10".
bool Chosen(const std::vector<std::string>& only, const std::string& key) {
  return only.empty() || std::any_of(only.begin(), only.end(), [&](const std::string& p) {
           const bool prefix = !p.empty() && (p.back() == '/' || p.back() == '@');
           return prefix ? key.rfind(p, 0) == 0 : key == p;
         });
}

}  // namespace

const char* ToString(TestRunTrigger trigger) {
  switch (trigger) {
    case TestRunTrigger::kManual: return "manual";
    case TestRunTrigger::kSchedule: return "schedule";
    case TestRunTrigger::kDrafts: return "drafts";
  }
  return "manual";
}

nlohmann::json TestRunInput(TestRunTrigger trigger, const nlohmann::json& draft_files) {
  nlohmann::json input = {{"trigger", ToString(trigger)}};
  if (!draft_files.is_null()) input["files"] = draft_files;
  return input;
}

TestRunTrigger TestRunTriggerOf(const Job& job) {
  const nlohmann::json& from = job.quote.is_object() && job.quote.contains("trigger") ? job.quote : job.progress;
  const std::string trigger = from.is_object() ? from.value("trigger", "") : "";
  for (auto t : {TestRunTrigger::kManual, TestRunTrigger::kSchedule, TestRunTrigger::kDrafts}) {
    if (trigger == ToString(t)) return t;
  }
  return TestRunTrigger::kManual;
}

Job NewTestRunJob(nlohmann::json input, int64_t catalog_version, int max_attempts, int64_t now) {
  Job job;
  job.kind = JobKind::kTestRun;
  job.id = "run_" + RandomHex(12);
  job.quote = std::move(input);
  // Only the worker reads a job's input back: the trigger is shown from its progress.
  job.progress = {{"trigger", job.quote.is_object() ? job.quote.value("trigger", "manual") : "manual"}};
  job.catalog_version = catalog_version;
  job.max_attempts = max_attempts;
  job.created_at = job.run_after = now;
  return job;
}

Job ScheduledTestRunJob(int64_t tick, int64_t catalog_version, int max_attempts, int64_t now) {
  Job job = NewTestRunJob(TestRunInput(TestRunTrigger::kSchedule), catalog_version, max_attempts, now);
  job.idempotency_key = "test-run schedule\n" + IsoTime(tick);
  job.request_hash = Sha256Hex(job.idempotency_key);  // the same for every process, whatever version it saw
  job.subject = "schedule";
  return job;
}

void DescribeTestRunMetrics(Metrics& metrics) {
  metrics.Describe("docgen_test_runs_total", Metrics::Type::kCounter,
                   "Test runs that ended, by trigger (manual, schedule, drafts) and outcome (clean: every variant same; "
                   "differences: something changed, new, failed or removed; failed: the run itself could not finish).");
  metrics.Describe("docgen_test_run_variants_total", Metrics::Type::kCounter,
                   "Variants test runs compared, by status (same, changed, new, failed).");
}

Result<nlohmann::json> RunTestRunJob(const TestRunWork& work, const Catalog& catalog, const Job& job, const std::string& worker) {
  Result<std::map<std::string, Golden>> stored = work.store.Goldens();
  if (!stored.ok()) return stored.status();
  testrun::GoldenManifest goldens;
  for (auto& [key, g] : *stored) goldens[key] = testrun::GoldenEntry{g.pages, g.pdf_sha256, g.inputs, std::move(g.blobs)};

  // What an earlier attempt recorded is taken as it is.
  Result<std::vector<TestVariantRecord>> recorded = work.store.TestVariants(job.id, {});
  if (!recorded.ok()) return recorded.status();
  testrun::RunOptions options;
  options.jobs = work.threads;
  testrun::Counts earlier_counts;
  for (const auto& r : *recorded) {
    if (std::optional<testrun::VariantResult> v = FromRecord(r)) {
      Count(earlier_counts, v->status);
      options.earlier.emplace(r.key, std::move(*v));
    }
  }
  Recorder recorder(work, job, worker, goldens, earlier_counts, options.earlier.size());
  options.on_result = [&](size_t index, const testrun::VariantResult& v) { return recorder.Add(index, v); };
  options.progress = [&](size_t, size_t total) { recorder.SetTotal(total); };

  BlobPages pages(work.blobs);
  testrun::RunResult run = testrun::RunTests(catalog, goldens, pages, options);
  if (!run.stopped.ok()) return run.stopped;
  recorder.SetTotal(run.variants.size());
  if (Status flushed = recorder.Flush(); !flushed.ok()) return flushed;

  int rendered = 0;
  for (const auto& v : run.variants) rendered += v.rendered ? 1 : 0;
  return nlohmann::json{{"counts", CountsJson(run.counts)},
                        {"removed", run.removed},
                        {"variants", run.variants.size()},
                        {"rendered", rendered},
                        {"resumed", options.earlier.size()},
                        {"seconds", run.seconds}};
}

Result<Approval> ApproveTestRun(Store& store, const Job& run, const std::vector<std::string>& only, const Actor& by) {
  if (run.status != JobStatus::kSucceeded) {
    return Status::Conflict("Test run " + run.id + " is " + ToString(run.status) + "; a run can be approved once it succeeded.");
  }
  Result<std::vector<TestVariantRecord>> variants = store.TestVariants(run.id, {});
  if (!variants.ok()) return variants.status();
  Result<std::map<std::string, Golden>> goldens = store.Goldens();
  if (!goldens.ok()) return goldens.status();
  std::vector<Golden> approved;
  std::vector<std::string> dropped;
  // A run is approved against the goldens it was compared with: a golden
  // approved since (from a newer run) is not overwritten with older pages.
  auto newer = [&](const std::string& key) {
    auto g = goldens->find(key);
    const bool since = g != goldens->end() && g->second.approved_at > run.created_at && g->second.run_id != run.id;
    return since ? g->second.run_id : std::string();
  };
  for (const auto& v : *variants) {
    if (v.status == "failed" || !Chosen(only, v.key)) continue;  // a failed variant's golden (if any) stays
    if (std::string newer_run = newer(v.key); !newer_run.empty()) {
      return Status::Conflict("The golden of " + v.key + " was approved from run " + newer_run + " after run " + run.id +
                              " started; start a new run and approve that.");
    }
    Golden g;
    g.key = v.key;
    g.pages = v.result.value("pages", 0);
    g.pdf_sha256 = v.result.value("pdf_sha256", "");
    g.inputs = v.result.value("inputs", "");
    if (v.status == "new" || v.status == "changed") {
      g.blobs = v.pages;
    } else if (auto was = goldens->find(v.key); was != goldens->end()) {
      g.blobs = was->second.blobs;  // same: the pages stay, what made them is recorded
    } else {
      continue;
    }
    approved.push_back(std::move(g));
  }
  if (run.result.is_object() && run.result.contains("removed") && run.result["removed"].is_array()) {
    for (const auto& key : run.result["removed"]) {
      if (!key.is_string() || !Chosen(only, key.get<std::string>())) continue;
      if (std::string newer_run = newer(key.get<std::string>()); !newer_run.empty()) {
        return Status::Conflict("The golden of " + key.get<std::string>() + " was approved from run " + newer_run + " after run " + run.id +
                                " started; start a new run and approve that.");
      }
      dropped.push_back(key.get<std::string>());
    }
  }
  Approval out{static_cast<int>(approved.size()), static_cast<int>(dropped.size())};
  nlohmann::json details = {{"approved", out.approved}, {"dropped", out.dropped}};
  if (!only.empty()) details["only"] = only;
  if (Status done = store.ApproveGoldens(run.id, approved, dropped, details, by); !done.ok()) return done;
  return out;
}

}  // namespace docgen
