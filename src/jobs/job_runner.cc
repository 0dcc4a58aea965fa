// The job runner: claims, runs and finishes jobs; reaps leases; delivers webhooks.
#include "jobs/job_runner.h"

#include <httplib.h>

#include <docgen/render.h>
#include <docgen/resolve.h>
#include <docgen/validate.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <random>
#include <sstream>
#include <utility>

#include "base/memory.h"
#include "base/trace.h"
#include "jobs/job_json.h"
#include "jobs/catalog_files_json.h"
#include "jobs/operations.h"
#include "jobs/test_run_job.h"
#include "jobs/webhook.h"
#include "jobs/work_event.h"
#include "util/diagnostic_json.h"
#include "util/text.h"
#include "validate/batch.h"

namespace docgen {
namespace {

uint64_t RandomBits() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return random();
}

// A job's log fields with the trace it belongs to (jobs made before traces have none).
nlohmann::json WithTrace(const Job& job, nlohmann::json fields) {
  if (!job.trace_id.empty()) fields["trace_id"] = job.trace_id;
  return fields;
}

// Keeps a job's lease alive from another thread while it runs.
class Heartbeat {
 public:
  Heartbeat(Store& store, const Job& job, const std::string& worker, int64_t lease_ms, const Clock& clock)
      : thread_([&store, id = job.id, worker, lease_ms, &clock, this] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(lease_ms / 3, 10)), [this] { return done_; })) {
            // A failed beat is tried again at the next one; a lost lease is noticed when the job finishes.
            (void)store.Heartbeat(id, worker, clock.NowMs() + lease_ms);
          }
        }) {}
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

int64_t RetryPolicy::Delay(int attempt, uint64_t random) const {
  double delay = static_cast<double>(initial_ms);
  for (int i = 1; i < attempt && delay < static_cast<double>(cap_ms); ++i) delay *= factor;
  const auto capped = static_cast<int64_t>(std::min(delay, static_cast<double>(cap_ms)));
  const int64_t half = capped / 2;
  return half + (half > 0 ? static_cast<int64_t>(random % static_cast<uint64_t>(half + 1)) : 0);
}

JobRunner::JobRunner(Store& store, BlobStore& blobs, CatalogVersions& catalogs, Metrics& metrics, const Log& log,
                     const Clock& clock, RunnerOptions options)
    : store_(store),
      blobs_(blobs),
      catalogs_(catalogs),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      options_(std::move(options)),
      resolve_host_(options_.resolve_host ? options_.resolve_host : SystemResolver()) {
  metrics_.Describe("docgen_jobs_finished_total", Metrics::Type::kCounter,
                    "Jobs that reached a final state, by outcome: succeeded, invalid (the caller's input, never retried) "
                    "or failed (docgen's fault: attempts used up).");
  metrics_.Describe("docgen_job_errors_total", Metrics::Type::kCounter,
                    "Jobs that ended invalid or failed, by outcome and error code (the first error's).");
  metrics_.Describe("docgen_job_attempts_total", Metrics::Type::kCounter,
                    "Job runs, by outcome (released: cut short by a database or blob folder outage, not counted as an attempt).");
  metrics_.Describe("docgen_job_duration_seconds", Metrics::Type::kHistogram, "Time from claim to result of a job run.",
                    {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  metrics_.Describe("docgen_render_duration_seconds", Metrics::Type::kHistogram, "Time to render a package.",
                    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  WorkEvent::Describe(metrics_);
  DescribeTestRunMetrics(metrics_);
  metrics_.Describe("docgen_pages_rendered_total", Metrics::Type::kCounter, "PDF pages rendered.");
  metrics_.Describe("docgen_policies_validated_total", Metrics::Type::kCounter, "Policies validated by batch validation jobs.");
  metrics_.Describe("docgen_operation_runs_total", Metrics::Type::kCounter,
                    "Registered operation runs this process ran, by operation and whether they finished or stopped to be resumed.");
  metrics_.Describe("docgen_validation_findings_total", Metrics::Type::kCounter,
                    "Findings of batch validation jobs, by finding code.");
  metrics_.Describe("docgen_webhook_deliveries_total", Metrics::Type::kCounter, "Webhook delivery attempts, by outcome.");
  metrics_.Describe("docgen_leases_reaped_total", Metrics::Type::kCounter, "Expired job leases returned to the queue.");
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Start() {
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { WorkerLoop(i); });
  threads_.emplace_back([this] { ReaperLoop(); });
  // Separate from the reaper, and several: a slow receiver holds up neither.
  for (int i = 0; i < std::max(1, options_.webhook_threads); ++i) threads_.emplace_back([this] { WebhookLoop(); });
  threads_.emplace_back([this] { OperationsLoop(); });
}

void JobRunner::Stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  std::lock_guard lock(webhook_mutex_);
  parked_webhooks_.clear();  // still held by their claims; the store offers them again when the holds end
}

Result<bool> JobRunner::RunOnce(const std::string& worker) {
  const int64_t now = clock_.NowMs();
  Result<std::optional<Job>> job = store_.ClaimJob(worker, now, now + options_.lease_ms);
  if (!job.ok()) return job.status();
  if (!*job) return false;
  Execute(**job, worker);
  return true;
}

// One attempt at a job, and its wide event (SPEC §9): the job's ids and
// dimensions, and the time each stage took; logged once, when it ends.
struct JobRunner::Attempt {
  Attempt(const Job& claimed, const std::string& by) : job(claimed), worker(by) {
    const nlohmann::json& quote = job.quote;
    fields = {{"job_id", job.id},
              {"kind", ToString(job.kind)},
              {"quote_id", quote.is_object() && quote.contains("quote_id") && quote["quote_id"].is_string() ? quote["quote_id"]
                                                                                                          : nlohmann::json("")},
              {"catalog_version", job.catalog_version},
              {"attempt", job.attempts},
              {"worker", worker}};
    // The request that made the job (jobs made before these were kept have none).
    if (!job.trace_id.empty()) fields["trace_id"] = job.trace_id;
    if (!job.request_id.empty()) fields["request_id"] = job.request_id;
    if (!job.subject.empty()) fields["subject"] = job.subject;
  }
  const Job& job;
  const std::string& worker;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  WorkEvent work;
  nlohmann::json fields;
};

void JobRunner::End(Attempt& attempt, LogLine line, const std::string& message, const char* outcome, const std::string& code,
                    const nlohmann::json& details) {
  nlohmann::json fields = attempt.fields;
  attempt.work.AddTo(fields);
  fields["outcome"] = outcome;
  fields["error_code"] = code;
  fields["duration_ms"] =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - attempt.started).count() * 1e6) / 1e3;
  for (const auto& [key, value] : details.items()) fields[key] = value;
  attempt.work.Observe(metrics_);
  (log_.*line)(message, std::move(fields));
}

void JobRunner::Invalid(Attempt& attempt, const Diagnostics& errors, const std::string& what) {
  const Job& job = attempt.job;
  const std::string code = errors.empty() ? "invalid_input" : errors.front().code;
  Status failed = store_.FailJob(job.id, attempt.worker, nlohmann::json(DiagnosticsToJson(errors)), clock_.NowMs());
  if (failed.code() == StatusCode::kUnavailable) return Release(attempt, failed);
  metrics_.Add("docgen_job_attempts_total", {{"outcome", "invalid_input"}});
  if (!failed.ok()) return Lost(attempt, code);
  Finished(job, "invalid", code);
  End(attempt, &Log::Info, what, "invalid", code, {{"errors", errors.size()}});
}

void JobRunner::Lost(Attempt& attempt, const std::string& code) {
  End(attempt, &Log::Warn, "job attempt ended after its lease was lost or the job was canceled; its result is not recorded",
      "lost", code);
}

void JobRunner::Transient(Attempt& attempt, const std::string& why) {
  const Job& job = attempt.job;
  const nlohmann::json errors = {{{"code", "transient_failure"}, {"message", why}}};
  const bool last = job.attempts >= job.max_attempts;
  const int64_t delay = options_.retry.Delay(job.attempts, RandomBits());
  const Status recorded = last ? store_.FailJob(job.id, attempt.worker, errors, clock_.NowMs())
                               : store_.RetryLater(job.id, attempt.worker, errors, clock_.NowMs() + delay, clock_.NowMs());
  if (recorded.code() == StatusCode::kUnavailable) return Release(attempt, recorded);
  metrics_.Add("docgen_job_attempts_total", {{"outcome", "transient_failure"}});
  if (!recorded.ok()) return Lost(attempt, "transient_failure");
  if (last) {
    Finished(job, "failed", "transient_failure");
    End(attempt, &Log::Error, "job failed after its last attempt", "failed", "transient_failure",
        {{"error", why}, {"attempts", job.attempts}});
  } else {
    End(attempt, &Log::Warn, "job attempt failed; will retry", "retrying", "transient_failure",
        {{"error", why}, {"retry_in_ms", delay}});
  }
}

void JobRunner::Finished(const Job& job, const char* outcome, const std::string& code) {
  if (job.kind == JobKind::kTestRun) {  // a run of the catalog's tests, not a job of the job SLOs
    metrics_.Add("docgen_test_runs_total", {{"trigger", ToString(TestRunTriggerOf(job))}, {"outcome", "failed"}});
    return;
  }
  CountJobEnd(outcome, code);
}

void JobRunner::CountJobEnd(const char* outcome, const std::string& code) {
  metrics_.Add("docgen_jobs_finished_total", {{"outcome", outcome}});
  if (!code.empty()) metrics_.Add("docgen_job_errors_total", {{"outcome", outcome}, {"code", code}});
}

void JobRunner::Release(Attempt& attempt, const Status& outage) {
  const Job& job = attempt.job;
  metrics_.Add("docgen_job_attempts_total", {{"outcome", "released"}});
  nlohmann::json details = {{"error", outage.message()}, {"releases", job.releases + 1}};
  // An outage that never ends must not keep a job forever: once its free
  // releases are used up and its attempts spent, it fails.
  if (job.releases >= kFreeReleases && job.attempts >= job.max_attempts) {
    const nlohmann::json errors = {{{"code", "unavailable"},
                                    {"message", "Every attempt was cut short by an outage of the database or the blob folder: " +
                                                    outage.message()}}};
    const Status failed = store_.FailJob(job.id, attempt.worker, errors, clock_.NowMs());
    if (failed.ok()) {
      Finished(job, "failed", "unavailable");
      return End(attempt, &Log::Error, "job failed: its attempts were used up by outages", "failed", "unavailable", details);
    }
    if (failed.code() != StatusCode::kUnavailable) return Lost(attempt, "unavailable");
  }
  // Backoff grows with the outages this job met, so a long outage is not a busy loop.
  const int64_t delay = options_.retry.Delay(job.releases + 1, RandomBits());
  details["retry_in_ms"] = delay;
  // Tried until the lease would end (once when stopping): after that the
  // reaper returns the job, and counts the attempt as for a worker that stopped.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.lease_ms);
  for (int64_t wait_ms = 50;; wait_ms = std::min<int64_t>(wait_ms * 2, 1000)) {
    const int64_t now = clock_.NowMs();
    const Status released = store_.ReleaseJob(job.id, attempt.worker, now + delay, now);
    if (released.ok()) break;
    if (released.code() != StatusCode::kUnavailable) return Lost(attempt, "unavailable");  // no longer ours
    if (stopping_ || std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms) > deadline) {
      details["left_to_reaper"] = true;  // the outage outlasted the lease
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
  End(attempt, &Log::Warn, "job cut short by an outage; it goes back to the queue without spending an attempt", "released",
      "unavailable", details);
}

void JobRunner::Execute(const Job& job, const std::string& worker) {
  static thread_local Renderer renderer;  // one font map and layout cache per worker thread
  Attempt attempt(job, worker);
  Heartbeat heartbeat(store_, job, worker, options_.lease_ms, clock_);
  try {
    nlohmann::json result = {{"pages", 0}, {"documents", nlohmann::json::array()}};
    if (!options_.noop_jobs) {
      Result<LoadedCatalog> catalog = catalogs_.Get(job.catalog_version);
      if (!catalog.ok()) {
        switch (catalog.status().code()) {
          case StatusCode::kNotFound:
          case StatusCode::kInvalidArgument: {
            Diagnostic d;  // a stored version that cannot be used will not get better
            d.code = "catalog_unavailable";
            d.message = catalog.status().message();
            return Invalid(attempt, {d}, "job failed: its catalog version cannot be used");
          }
          case StatusCode::kUnavailable:
            return Release(attempt, catalog.status());
          default:
            return Transient(attempt, catalog.status().message());
        }
      }
      // Results are stored before the job is marked done: a crash in between
      // re-runs the job, which writes the same bytes under the same names.
      Status stored = Status::Ok();
      auto put = [&](std::string_view bytes) -> std::string {
        if (!stored.ok()) return "";
        const WorkEvent::Timer timer = attempt.work.Time(Stage::kStore);
        Result<std::string> name = blobs_.Put(bytes);
        if (!name.ok()) stored = name.status();
        return name.ok() ? *name : "";
      };
      if (job.kind == JobKind::kTestRun) return TestRun(attempt, *catalog->catalog);
      if (job.kind == JobKind::kValidate) {
        std::optional<nlohmann::json> validated = Validate(job, worker, *catalog->catalog, put);
        if (!validated) return Lost(attempt, "");
        if (stored.code() == StatusCode::kUnavailable) return Release(attempt, stored);
        if (!stored.ok()) return Transient(attempt, stored.message());
        return Complete(attempt, *validated);
      }
      Package package;
      {
        const WorkEvent::Timer timer = attempt.work.Time(Stage::kResolve);
        package = Resolve(*catalog->catalog, job.quote);
      }
      attempt.work.Resolved(package);
      // Invalid input fails at once: it will not get better.
      if (!package.valid) return Invalid(attempt, package.errors, "job failed: the quote does not resolve to a valid package");
      const auto render_started = std::chrono::steady_clock::now();
      RenderResult rendered = renderer.Render(*catalog->catalog, package, job.quote);
      metrics_.Observe("docgen_render_duration_seconds", {},
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - render_started).count());
      attempt.work.Rendered(rendered.timings, rendered.output ? rendered.output->pages : 0);
      if (!rendered.output) return Invalid(attempt, rendered.errors, "job failed: the package cannot be rendered");
      if (options_.before_store && !options_.before_store(job)) {
        return Transient(attempt, "injected failure before storing the results");
      }
      result["pages"] = rendered.output->pages;
      result["package_pdf"] = put(rendered.output->package_pdf);
      result["package_json"] = put(PackageToJson(package).dump(2) + "\n");
      for (const auto& doc : rendered.output->documents) {
        result["documents"].push_back({{"name", doc.file_name}, {"blob", put(doc.pdf)}, {"pages", doc.pages}});
      }
      if (stored.code() == StatusCode::kUnavailable) return Release(attempt, stored);
      if (!stored.ok()) return Transient(attempt, stored.message());
    }
    Complete(attempt, result);
  } catch (const std::exception& e) {
    Transient(attempt, e.what());
  }
}

std::optional<nlohmann::json> JobRunner::Validate(const Job& job, const std::string& worker, const Catalog& catalog,
                                                  const std::function<std::string(std::string_view)>& put) {
  const nlohmann::json& input = job.quote;  // {"policies": JSON Lines text}
  std::istringstream in(input.is_object() ? input.value("policies", "") : "");
  std::ostringstream out;
  std::atomic<bool> stop{false};
  const int64_t total = job.progress.value("policies_total", int64_t{0});
  auto last_report = std::chrono::steady_clock::now();
  BatchOptions batch;
  batch.threads = 1;  // one job per worker thread; the workers share the cores
  batch.stop = &stop;
  batch.progress = [&](const BatchProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report < std::chrono::milliseconds(500)) return;
    last_report = now;
    const Status reported = store_.ReportProgress(job.id, worker, {{"policies_done", p.policies}, {"policies_total", total}});
    if (reported.code() == StatusCode::kConflict) stop = true;  // canceled, or the lease went to another worker
  };
  BatchOutcome outcome = ValidateBatch(catalog, in, out, batch);
  if (outcome.stopped) return std::nullopt;
  nlohmann::json result;
  result["results"] = put(out.str());
  result["summary"] = outcome.summary.ToJson();
  return result;
}

void JobRunner::TestRun(Attempt& attempt, const Catalog& published) {
  const Job& job = attempt.job;
  std::shared_ptr<const Catalog> drafts;  // a drafts run tests the drafts as they were when it was asked for
  if (job.quote.is_object() && job.quote.contains("files")) {
    CatalogLoad load = LoadCatalog(CatalogFilesFromJson(job.quote["files"]));
    if (!load.catalog) return Invalid(attempt, load.diagnostics, "test run failed: the drafts do not make a valid catalog");
    drafts = std::move(load.catalog);
  }
  const TestRunWork work{store_, blobs_, metrics_, options_.test_run_threads, &stopping_};
  Result<nlohmann::json> result = RunTestRunJob(work, drafts ? *drafts : published, job, attempt.worker);
  if (result.ok()) return Complete(attempt, *result);
  switch (result.status().code()) {
    case StatusCode::kUnavailable: return Release(attempt, result.status());
    case StatusCode::kConflict: return Lost(attempt, "");
    default: return Transient(attempt, result.status().message());
  }
}

void JobRunner::Complete(Attempt& attempt, const nlohmann::json& result) {
  const Job& job = attempt.job;
  Status completed = Status::Ok();
  {
    const WorkEvent::Timer timer = attempt.work.Time(Stage::kStore);
    completed = store_.CompleteJob(job.id, attempt.worker, result, clock_.NowMs());
  }
  if (completed.code() == StatusCode::kUnavailable) return Release(attempt, completed);
  if (!completed.ok()) return Lost(attempt, "");
  metrics_.Add("docgen_job_attempts_total", {{"outcome", "succeeded"}});
  nlohmann::json details = nlohmann::json::object();
  if (job.kind == JobKind::kTestRun) {
    const nlohmann::json counts = result.value("counts", nlohmann::json::object());
    const bool clean = counts.value("same", 0) == result.value("variants", 0) && counts.value("removed", 0) == 0;
    metrics_.Add("docgen_test_runs_total", {{"trigger", ToString(TestRunTriggerOf(job))}, {"outcome", clean ? "clean" : "differences"}});
    details = {{"trigger", ToString(TestRunTriggerOf(job))}, {"counts", counts},
               {"variants", result.value("variants", 0)}, {"rendered", result.value("rendered", 0)}};
    return End(attempt, &Log::Info, "test run finished", "succeeded", "", details);
  }
  Finished(job, "succeeded", "");
  metrics_.Observe("docgen_job_duration_seconds", {},
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - attempt.started).count());
  if (job.kind == JobKind::kValidate && result.contains("summary")) {
    const nlohmann::json& summary = result["summary"];
    metrics_.Add("docgen_policies_validated_total", {}, summary.value("policies", 0.0));
    for (const auto& [code, n] : summary["findings_by_code"].items()) {
      metrics_.Add("docgen_validation_findings_total", {{"code", code}}, n.get<double>());
    }
    details["policies"] = summary["policies"];
    details["with_errors"] = summary["with_errors"];
  } else {
    metrics_.Add("docgen_pages_rendered_total", {}, result.value("pages", 0));
  }
  if (options_.noop_jobs) return;  // queue benchmarks: nothing ran, nothing to tell
  End(attempt, &Log::Info, "job succeeded", "succeeded", "", details);
}

// A thread's loop must outlive anything a pass throws (out of memory, a
// thread that cannot start): the pass fails, the loop goes on.
template <typename F>
auto JobRunner::Guarded(const char* what, F&& pass) -> decltype(pass()) {
  try {
    return pass();
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + " pass threw: " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + " pass threw an unknown exception");
  }
}

void JobRunner::WorkerLoop(int index) {
  // Unique per process run (pids repeat across containers and restarts), so
  // a stalled worker can never act on a lease that another one now holds.
  static const std::string run = [] {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(RandomBits()));
    return std::string(hex);
  }();
  const std::string worker = options_.worker_prefix + "-" + run + "-" + std::to_string(index);
  bool worked = false;  // since this thread last gave its free memory back
  while (!stopping_) {
    const uint64_t signal = store_.JobsSignal();  // before the claim: a job queued after it wakes the wait below
    Result<bool> ran = Guarded("worker", [&] { return RunOnce(worker); });
    if (!ran.ok()) log_.Error("cannot claim jobs", {{"worker", worker}, {"error", ran.status().ToString()}});
    if (ran.ok() && *ran) worked = true;
    if (!ran.ok() || !*ran) {
      // The queue is empty: what the last jobs (quotes, packages, PDFs) used
      // goes back to the system instead of staying with an idle thread.
      if (worked) {
        store_.WaitForJobs(signal, kIdleBeforeRelease.count());
        if (store_.JobsSignal() != signal) continue;  // a job came: not idle after all
        ReleaseFreeMemory();
        worked = false;
        continue;
      }
      store_.WaitForJobs(signal, options_.poll_ms);
    }
  }
}

Result<int> JobRunner::ReapOnce() {
  Result<ReapedLeases> reaped = store_.ReapExpiredLeases(clock_.NowMs());
  if (!reaped.ok()) return reaped.status();
  if (reaped->total() > 0) {
    metrics_.Add("docgen_leases_reaped_total", {}, reaped->total());
    log_.Warn("returned jobs with expired leases to the queue", {{"jobs", reaped->requeued}, {"failed", reaped->failed}});
  }
  // Out of attempts because its worker died each time: docgen's fault.
  for (int i = 0; i < reaped->failed; ++i) CountJobEnd("failed", "lease_expired");
  return reaped->total();
}

namespace {

// How long a claimed delivery is held for this process (the store offers it
// to no one else meanwhile); a parked delivery that could not start well
// within the hold is left to be claimed again when the hold ends.
constexpr int64_t kWebhookHoldMs = 30000;
constexpr auto kParkedFor = std::chrono::milliseconds(250);
constexpr auto kParkedAtMost = std::chrono::seconds(10);
constexpr size_t kMaxParked = 256;

}  // namespace

Result<bool> JobRunner::DeliverOneWebhook() {
  std::optional<Job> job;
  std::string host;
  const int per_host = std::max(1, options_.webhook_per_host);
  auto host_is_busy = [&](const std::string& key) {  // under webhook_mutex_
    auto it = webhooks_in_flight_.find(key);
    return it != webhooks_in_flight_.end() && it->second >= per_host;
  };
  {
    std::lock_guard lock(webhook_mutex_);
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(parked_webhooks_, [&](const ParkedWebhook& p) { return now - p.claimed > kParkedAtMost; });
    for (auto it = parked_webhooks_.begin(); it != parked_webhooks_.end(); ++it) {
      if (it->ready <= now && !host_is_busy(it->host)) {
        job = std::move(it->job);
        host = std::move(it->host);
        parked_webhooks_.erase(it);
        ++webhooks_in_flight_[host];
        break;
      }
    }
  }
  if (!job) {
    const int64_t now = clock_.NowMs();
    Result<std::optional<Job>> claimed = store_.ClaimWebhook(now, now + kWebhookHoldMs);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) return false;
    job = std::move(**claimed);
    Result<CallbackTarget> parsed = ParseCallbackUrl(job->callback_url);
    host = parsed.ok() ? parsed->HostKey() : "";
    std::lock_guard lock(webhook_mutex_);
    if (host_is_busy(host)) {
      // The host is busy: try again in a moment (or, with too many set
      // aside, when the store's hold ends) rather than wait for it here.
      const auto steady = std::chrono::steady_clock::now();
      if (parked_webhooks_.size() < kMaxParked)
        parked_webhooks_.push_back({std::move(*job), host, steady, steady + kParkedFor});
      return true;
    }
    ++webhooks_in_flight_[host];
  }
  struct Slot {
    JobRunner& runner;
    const std::string& host;
    ~Slot() {
      std::lock_guard lock(runner.webhook_mutex_);
      if (--runner.webhooks_in_flight_[host] <= 0) runner.webhooks_in_flight_.erase(host);
    }
  } slot{*this, host};
  if (Status delivered = DeliverWebhook(*job); !delivered.ok()) return delivered;
  return true;
}

Status JobRunner::DeliverWebhook(const Job& job) {
  const int64_t now = clock_.NowMs();
  const std::string type = std::string("job.") + ToString(job.status);
  const std::string message_id = "msg_" + job.id + "_" + std::to_string(job.finished_at);
  const int64_t timestamp = now / 1000;
  const std::string body =
      nlohmann::ordered_json{{"type", type}, {"timestamp", IsoTime(now)}, {"data", JobToJson(job)}}.dump();
  WebhookAttempt attempt;
  attempt.attempt = job.webhook_attempts + 1;
  attempt.at = now;
  attempt.generation = job.finished_at;
  try {
    // Checked again at every delivery (a name may now resolve elsewhere),
    // and the connection goes to the address that was checked.
    Result<CallbackTarget> target = CheckCallbackUrl(job.callback_url, options_.allow_private_callbacks, resolve_host_);
    if (!target.ok()) {
      attempt.error = target.status().message();
    } else {
      std::unique_ptr<httplib::ClientImpl> client;
      if (target->scheme == "https") {
        client = std::make_unique<httplib::SSLClient>(target->host, target->port);
      } else {
        client = std::make_unique<httplib::ClientImpl>(target->host, target->port);
      }
      client->set_hostname_addr_map({{target->host, target->address.ToString()}});
      client->set_follow_location(false);
      client->set_connection_timeout(5);
      client->set_read_timeout(5);
      client->set_write_timeout(5);
      httplib::Headers headers = {
          {"Host", target->HostHeader()},
          {"webhook-id", message_id},
          {"webhook-timestamp", std::to_string(timestamp)},
          {"webhook-signature", SignWebhook(options_.webhook_secret, message_id, timestamp, body)}};
      // The receiver joins the trace of the request that made the job (a new span: this delivery).
      if (!job.trace_id.empty()) headers.emplace("traceparent", FormatTraceParent({job.trace_id, NewSpanId(), true}));
      // An overall deadline: a receiver that trickles bytes cannot hold this thread.
      std::mutex deadline_mutex;
      std::condition_variable deadline_cv;
      bool answered = false;
      std::thread watchdog([&] {
        std::unique_lock lock(deadline_mutex);
        if (!deadline_cv.wait_for(lock, std::chrono::seconds(15), [&] { return answered; })) client->stop();
      });
      auto response = client->Post(target->target, headers, body, "application/json");
      {
        std::lock_guard lock(deadline_mutex);
        answered = true;
      }
      deadline_cv.notify_all();
      watchdog.join();
      if (response) {
        attempt.http_status = response->status;
        if (response->status < 200 || response->status >= 300)
          attempt.error = "HTTP " + std::to_string(response->status);
      } else {
        attempt.error = httplib::to_string(response.error());
      }
    }
  } catch (const std::exception& e) {
    attempt.error = e.what();
  }
  const bool delivered = attempt.error.empty();
  const bool give_up = !delivered && attempt.attempt >= options_.webhook_retry.max_attempts;
  const int64_t next = clock_.NowMs() + options_.webhook_retry.Delay(attempt.attempt, RandomBits());
  // Not recorded (an outage): the delivery is due again when its hold ends, and is sent again.
  if (Status recorded = store_.RecordWebhookAttempt(job.id, attempt, delivered, give_up, next); !recorded.ok()) {
    return recorded;
  }
  metrics_.Add("docgen_webhook_deliveries_total", {{"outcome", delivered ? "delivered" : give_up ? "given_up" : "failed"}});
  if (!delivered) {
    log_.Warn("webhook delivery failed", WithTrace(job, {{"job_id", job.id}, {"attempt", attempt.attempt}, {"error", attempt.error}}));
  }
  return Status::Ok();
}

void JobRunner::ReaperLoop() {
  while (!stopping_) {
    Result<int> reaped = Guarded("reaper", [&] { return ReapOnce(); });
    if (!reaped.ok()) log_.Error("reaper pass failed", {{"error", reaped.status().ToString()}});
    for (int64_t slept = 0; slept < std::max<int64_t>(options_.lease_ms / 2, 100) && !stopping_; slept += options_.poll_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
    }
  }
}

Result<bool> JobRunner::RunOneOperation(const std::string& worker) {
  const int64_t now = clock_.NowMs();
  Result<std::optional<OpRun>> run = store_.ClaimOpRun("", worker, now, now + options_.lease_ms);
  if (!run.ok()) return run.status();
  if (!*run) return false;
  const OpRun& claimed = **run;
  const nlohmann::json ids = {{"run_id", claimed.id}, {"operation", claimed.operation}, {"worker", worker}};
  log_.Info(claimed.steps_done > 0 ? "operation run resumed" : "operation run started", ids);
  Status ran = ExecuteOpRun(store_, claimed, worker, clock_, options_.lease_ms, &stopping_);
  nlohmann::json fields = ids;
  if (!ran.ok()) fields["error"] = ran.message();
  if (ran.ok()) {
    log_.Info("operation run finished", fields);
  } else {
    log_.Warn("operation run stopped; it resumes when claimed again", fields);
  }
  metrics_.Add("docgen_operation_runs_total", {{"operation", claimed.operation}, {"outcome", ran.ok() ? "finished" : "stopped"}});
  return true;
}

void JobRunner::OperationsLoop() {
  const std::string worker = options_.worker_prefix + "-ops-" + RandomHex(8);
  const int64_t pause_ms = std::clamp<int64_t>(options_.poll_ms * 5, 50, 1000);  // each look is a (small) write
  while (!stopping_) {
    Result<bool> ran = Guarded("operations", [&] { return RunOneOperation(worker); });
    if (!ran.ok()) log_.Error("cannot claim operation runs", {{"error", ran.status().ToString()}});
    if (ran.ok() && *ran) continue;
    for (int64_t slept = 0; slept < pause_ms && !stopping_; slept += options_.poll_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
    }
  }
}

void JobRunner::WebhookLoop() {
  while (!stopping_) {
    for (int i = 0; i < 50 && !stopping_; ++i) {
      Result<bool> delivered = Guarded("webhooks", [&] { return DeliverOneWebhook(); });
      if (!delivered.ok()) log_.Error("webhook pass failed", {{"error", delivered.status().ToString()}});
      if (!delivered.ok() || !*delivered) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
  }
}

}  // namespace docgen
