#include "jobs/job_runner.h"

#include <httplib.h>

#include <docgen/render.h>
#include <docgen/resolve.h>

#include <chrono>
#include <condition_variable>
#include <random>

#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "jobs/webhook.h"
#include "util/diagnostic_json.h"
#include "util/text.h"

namespace docgen {
namespace {

uint64_t RandomBits() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  return random();
}

// Keeps a job's lease alive from another thread while it runs.
class Heartbeat {
 public:
  Heartbeat(Store& store, const Job& job, const std::string& worker, int64_t lease_ms, const NowFunction& now)
      : thread_([&store, id = job.id, worker, lease_ms, now, this] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(lease_ms / 3, 10)), [this] { return done_; })) {
            try {
              store.Heartbeat(id, worker, now() + lease_ms);
            } catch (const std::exception&) {
              // The next beat tries again; a lost lease is noticed when the job completes.
            }
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

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t RetryPolicy::Delay(int attempt, uint64_t random) const {
  double delay = static_cast<double>(initial_ms);
  for (int i = 1; i < attempt && delay < static_cast<double>(cap_ms); ++i) delay *= factor;
  const auto capped = static_cast<int64_t>(std::min(delay, static_cast<double>(cap_ms)));
  const int64_t half = capped / 2;
  return half + (half > 0 ? static_cast<int64_t>(random % static_cast<uint64_t>(half + 1)) : 0);
}

std::shared_ptr<const Catalog> CatalogVersions::Get(int64_t version, std::string* error, int64_t* resolved_version) {
  if (version == 0) version = store_.CurrentCatalogVersion();  // cheap; the files are read once per version
  if (version == 0) {
    *error = "no catalog has been published";
    return nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    if (version != 0) {
      if (auto it = cache_.find(version); it != cache_.end()) {
        if (resolved_version) *resolved_version = version;
        return it->second;
      }
    }
  }
  std::optional<CatalogVersion> stored = store_.GetCatalogVersion(version);
  if (!stored) {
    *error = version == 0 ? "no catalog has been published" : "catalog version " + std::to_string(version) + " does not exist";
    return nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(stored->version); it != cache_.end()) {
      if (resolved_version) *resolved_version = stored->version;
      return it->second;
    }
  }
  CatalogLoad load = LoadCatalog(CatalogFilesFromJson(stored->files));
  if (!load.catalog) {
    *error = "catalog version " + std::to_string(stored->version) + " has lint errors";
    return nullptr;
  }
  std::lock_guard lock(mutex_);
  cache_[stored->version] = load.catalog;
  if (resolved_version) *resolved_version = stored->version;
  return load.catalog;
}

JobRunner::JobRunner(Store& store, BlobStore& blobs, CatalogVersions& catalogs, Metrics& metrics, const Log& log,
                     RunnerOptions options, NowFunction now)
    : store_(store), blobs_(blobs), catalogs_(catalogs), metrics_(metrics), log_(log), options_(std::move(options)), now_(std::move(now)) {
  metrics_.Describe("docgen_jobs_finished_total", Metrics::Type::kCounter, "Jobs that reached a final state, by status.");
  metrics_.Describe("docgen_job_attempts_total", Metrics::Type::kCounter, "Job runs started, by outcome.");
  metrics_.Describe("docgen_job_duration_seconds", Metrics::Type::kHistogram, "Time from claim to result of a job run.",
                    {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  metrics_.Describe("docgen_render_duration_seconds", Metrics::Type::kHistogram, "Time to render a package.",
                    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
  metrics_.Describe("docgen_pages_rendered_total", Metrics::Type::kCounter, "PDF pages rendered.");
  metrics_.Describe("docgen_webhook_deliveries_total", Metrics::Type::kCounter, "Webhook delivery attempts, by outcome.");
  metrics_.Describe("docgen_leases_reaped_total", Metrics::Type::kCounter, "Expired job leases returned to the queue.");
}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Start() {
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { WorkerLoop(i); });
  threads_.emplace_back([this] { ReaperLoop(); });
  threads_.emplace_back([this] { WebhookLoop(); });  // a slow receiver cannot hold up the reaper
}

void JobRunner::Stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool JobRunner::RunOnce(const std::string& worker) {
  const int64_t now = now_();
  std::optional<Job> job = store_.ClaimJob(worker, now, now + options_.lease_ms);
  if (!job) return false;
  Execute(*job, worker);
  return true;
}

void JobRunner::Execute(const Job& job, const std::string& worker) {
  static thread_local Renderer renderer;  // one font map and layout cache per worker thread
  const auto started = std::chrono::steady_clock::now();
  const nlohmann::json quote_id = job.quote.is_object() && job.quote.contains("quote_id") && job.quote["quote_id"].is_string()
                                      ? job.quote["quote_id"]
                                      : nlohmann::json("");
  const nlohmann::json ids = {{"job_id", job.id}, {"quote_id", quote_id}, {"worker", worker}, {"attempt", job.attempts}};
  Heartbeat heartbeat(store_, job, worker, options_.lease_ms, now_);
  auto seconds_since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto transient = [&](const std::string& why) {
    const nlohmann::json errors = {{{"code", "transient_failure"}, {"message", why}}};
    metrics_.Add("docgen_job_attempts_total", {{"outcome", "transient_failure"}});
    if (job.attempts >= job.max_attempts) {
      if (store_.FailJob(job.id, worker, errors, now_())) {
        metrics_.Add("docgen_jobs_finished_total", {{"status", "failed"}});
        log_.Error("job failed after its last attempt", {{"job_id", job.id}, {"error", why}, {"attempts", job.attempts}});
      }
      return;
    }
    const int64_t delay = options_.retry.Delay(job.attempts, RandomBits());
    if (store_.RetryLater(job.id, worker, errors, now_() + delay, now_())) {
      log_.Warn("job attempt failed; will retry", {{"job_id", job.id}, {"error", why}, {"retry_in_ms", delay}});
    }
  };
  auto permanent = [&](const Diagnostics& errors, const char* what) {
    metrics_.Add("docgen_job_attempts_total", {{"outcome", "invalid_input"}});
    if (!store_.FailJob(job.id, worker, nlohmann::json(DiagnosticsToJson(errors)), now_())) return;  // lease lost or canceled
    metrics_.Add("docgen_jobs_finished_total", {{"status", "failed"}});
    nlohmann::json fields = ids;
    fields["errors"] = errors.size();
    log_.Info(what, fields);
  };
  try {
    if (options_.noop_jobs) {
      if (store_.CompleteJob(job.id, worker, {{"pages", 0}, {"documents", nlohmann::json::array()}}, now_())) {
        metrics_.Add("docgen_jobs_finished_total", {{"status", "succeeded"}});
      }
      return;
    }
    std::string error;
    std::shared_ptr<const Catalog> catalog = catalogs_.Get(job.catalog_version, &error);
    if (!catalog) {
      if (error.find("lint errors") != std::string::npos || error.find("does not exist") != std::string::npos) {
        Diagnostic d;  // a stored version that cannot be used will not get better
        d.code = "catalog_unavailable";
        d.message = error;
        permanent({d}, "job failed: its catalog version cannot be used");
      } else {
        transient(error);
      }
      return;
    }
    Package package = Resolve(*catalog, job.quote);
    if (!package.valid) {
      permanent(package.errors, "job failed: the quote does not resolve to a valid package");
      return;
    }
    const auto render_started = std::chrono::steady_clock::now();
    RenderResult rendered = renderer.Render(*catalog, package, job.quote);
    metrics_.Observe("docgen_render_duration_seconds", {},
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - render_started).count());
    if (!rendered.output) {
      permanent(rendered.errors, "job failed: the package cannot be rendered");
      return;
    }
    if (options_.before_store && !options_.before_store(job)) {
      transient("injected failure before storing the results");
      return;
    }
    // Results are stored before the job is marked done: a crash in between
    // re-runs the job, which writes the same bytes under the same names.
    nlohmann::json result = {{"pages", rendered.output->pages}, {"documents", nlohmann::json::array()}};
    std::string name;
    Status status = blobs_.Put(rendered.output->package_pdf, &name);
    result["package_pdf"] = name;
    if (status.ok) status = blobs_.Put(PackageToJson(package).dump(2) + "\n", &name);
    result["package_json"] = name;
    for (const auto& doc : rendered.output->documents) {
      if (!status.ok) break;
      status = blobs_.Put(doc.pdf, &name);
      result["documents"].push_back({{"name", doc.file_name}, {"blob", name}, {"pages", doc.pages}});
    }
    if (!status.ok) {
      transient(status.message);
      return;
    }
    if (!store_.CompleteJob(job.id, worker, result, now_())) {
      log_.Warn("job finished after its lease was lost or it was canceled; result not recorded", ids);
      return;
    }
    metrics_.Add("docgen_job_attempts_total", {{"outcome", "succeeded"}});
    metrics_.Add("docgen_jobs_finished_total", {{"status", "succeeded"}});
    metrics_.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
    metrics_.Observe("docgen_job_duration_seconds", {}, seconds_since_start());
    nlohmann::json fields = ids;
    fields["pages"] = rendered.output->pages;
    fields["duration_ms"] = static_cast<int64_t>(seconds_since_start() * 1000);
    log_.Info("job succeeded", fields);
  } catch (const StoreUnavailable& e) {
    // Not the job's fault, and the store cannot record anything now: the
    // job keeps its attempt, and the reaper puts it back when its lease ends.
    nlohmann::json fields = ids;
    fields["error"] = e.what();
    log_.Warn("database unavailable; the job runs again once its lease expires", fields);
  } catch (const std::exception& e) {
    transient(e.what());
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
  while (!stopping_) {
    bool ran = false;
    uint64_t signal = 0;
    try {
      signal = store_.JobsSignal();  // before the claim: a job queued after it wakes the wait below
      ran = RunOnce(worker);
    } catch (const std::exception& e) {
      log_.Error("cannot claim jobs", {{"worker", worker}, {"error", e.what()}});
    }
    if (!ran) store_.WaitForJobs(signal, options_.poll_ms);
  }
}

void JobRunner::ReapOnce() {
  const int reaped = store_.ReapExpiredLeases(now_());
  if (reaped > 0) {
    metrics_.Add("docgen_leases_reaped_total", {}, reaped);
    log_.Warn("returned jobs with expired leases to the queue", {{"jobs", reaped}});
  }
}

bool JobRunner::DeliverOneWebhook() {
  const int64_t now = now_();
  std::optional<Job> job = store_.ClaimWebhook(now, now + 30000);
  if (!job) return false;
  const std::string type = std::string("job.") + ToString(job->status);
  const std::string message_id = "msg_" + job->id + "_" + std::to_string(job->finished_at);
  const int64_t timestamp = now / 1000;
  const std::string body =
      nlohmann::ordered_json{{"type", type}, {"timestamp", IsoTime(now)}, {"data", JobToJson(*job)}}.dump();
  WebhookAttempt attempt;
  attempt.attempt = job->webhook_attempts + 1;
  attempt.at = now;
  attempt.generation = job->finished_at;
  const UrlParts url = SplitUrl(job->callback_url);
  try {
    httplib::Client client(url.origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(5);
    client.set_write_timeout(5);
    httplib::Headers headers = {{"webhook-id", message_id},
                                {"webhook-timestamp", std::to_string(timestamp)},
                                {"webhook-signature", SignWebhook(options_.webhook_secret, message_id, timestamp, body)}};
    // An overall deadline: a receiver that trickles bytes cannot hold this thread.
    std::mutex deadline_mutex;
    std::condition_variable deadline_cv;
    bool answered = false;
    std::thread watchdog([&] {
      std::unique_lock lock(deadline_mutex);
      if (!deadline_cv.wait_for(lock, std::chrono::seconds(15), [&] { return answered; })) client.stop();
    });
    auto response = client.Post(url.path, headers, body, "application/json");
    {
      std::lock_guard lock(deadline_mutex);
      answered = true;
    }
    deadline_cv.notify_all();
    watchdog.join();
    if (response) {
      attempt.http_status = response->status;
      if (response->status < 200 || response->status >= 300) attempt.error = "HTTP " + std::to_string(response->status);
    } else {
      attempt.error = httplib::to_string(response.error());
    }
  } catch (const std::exception& e) {
    attempt.error = e.what();
  }
  const bool delivered = attempt.error.empty();
  const bool give_up = !delivered && attempt.attempt >= options_.webhook_retry.max_attempts;
  const int64_t next = now + options_.webhook_retry.Delay(attempt.attempt, RandomBits());
  store_.RecordWebhookAttempt(job->id, attempt, delivered, give_up, next);
  metrics_.Add("docgen_webhook_deliveries_total", {{"outcome", delivered ? "delivered" : give_up ? "given_up" : "failed"}});
  if (!delivered) {
    log_.Warn("webhook delivery failed", {{"job_id", job->id}, {"attempt", attempt.attempt}, {"error", attempt.error}});
  }
  return true;
}

void JobRunner::ReaperLoop() {
  while (!stopping_) {
    try {
      ReapOnce();
    } catch (const std::exception& e) {
      log_.Error("reaper pass failed", {{"error", e.what()}});
    }
    for (int64_t slept = 0; slept < std::max<int64_t>(options_.lease_ms / 2, 100) && !stopping_; slept += options_.poll_ms) {
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
    }
  }
}

void JobRunner::WebhookLoop() {
  while (!stopping_) {
    try {
      for (int i = 0; i < 50 && !stopping_ && DeliverOneWebhook(); ++i) {
      }
    } catch (const std::exception& e) {
      log_.Error("webhook pass failed", {{"error", e.what()}});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.poll_ms));
  }
}

}  // namespace docgen
