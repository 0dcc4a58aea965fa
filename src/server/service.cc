// The service's lifecycle: open the stores, publish the start-up catalog,
// bind, start the workers and the maintenance pass; stop in reverse.
// Requests are the dispatcher's (server/dispatcher.h), routes the table's
// (server/routes.cc).
#include "server/service.h"

#include <algorithm>
#include <docgen/catalog.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "base/cron.h"
#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "jobs/test_run_job.h"
#include "jobs/work_event.h"
#include "server/dispatcher.h"
#include "server/http_server.h"
#include "slo/slo.h"
#include "slo/slo_meter.h"
#include "slo/slo_report.h"
#include "util/diagnostic_json.h"

namespace docgen {
namespace {

// Creates `dir` and its missing parents with mode 0700: the data folder holds
// insured names and policies. Folders that exist keep their mode.
Status MakePrivateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::is_directory(dir, ec)) return Status::Ok();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (Status status = MakePrivateDirectories(dir.parent_path()); !status.ok()) return status;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Unavailable("cannot create the data folder " + dir.string() + ": " + std::strerror(errno));
  }
  ::chmod(dir.c_str(), 0700);  // exactly 0700, whatever the umask
  return Status::Ok();
}

// Group and other permission bits of a file or folder ("" when it has none, or does not exist).
std::string WiderThanOwner(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return mode;
}

bool IsLoopbackHost(const std::string& host) {
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost" || h == "::1") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;  // 127.0.0.0/8
  in6_addr v6{};
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};  // ::ffff:127.x.x.x
    return std::memcmp(v6.s6_addr, kMapped, 12) == 0 && v6.s6_addr[12] == 127;
  }
  return false;
}

// An exclusive lock on DATA/docgen.lock (flock), held while this object
// lives, that is for the life of the service: one `docgen serve` per data
// folder on the embedded store. The file holds the holder's pid (for the
// message another process gets); it is never removed, so that the lock
// always protects the same file.
class DataFolderLock {
 public:
  DataFolderLock() = default;
  DataFolderLock(const DataFolderLock&) = delete;
  DataFolderLock& operator=(const DataFolderLock&) = delete;
  ~DataFolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

  Status Take(const std::filesystem::path& data_dir) {
    const std::filesystem::path path = data_dir / "docgen.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Unavailable("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      char text[32] = {};
      const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
      ::close(fd);
      if (error != EWOULDBLOCK) return Status::Unavailable("cannot lock " + path.string() + ": " + std::strerror(error));
      std::string pid = n > 0 ? std::string(text, static_cast<size_t>(n)) : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) pid = "unknown";
      return Status::Unavailable("another docgen (pid " + pid + ") is using the data folder " + data_dir.string() +
                                 " (" + path.string() + " is locked); stop it first, or give this one another --data");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
      // The lock is what matters; the pid is only for the message.
    }
    fd_ = fd;
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

}  // namespace

struct Service::Impl {
  ServiceOptions options;
  DataFolderLock data_lock;  // first member: released last
  SystemClock system_clock;
  const Clock& clock;
  Log log;
  Metrics metrics;
  std::unique_ptr<SloMeter> slo_meter;  // before the store: what records metrics stops first
  std::unique_ptr<Store> store;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<CatalogVersions> catalogs;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<JobRunner> runner;
  std::unique_ptr<Api> api;
  std::unique_ptr<StaticFiles> ui;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<HttpServer> http;
  std::atomic<bool> ready{false};
  mutable std::mutex lifecycle_mutex;  // Start's last step against Shutdown from the signal thread
  bool shutdown_requested = false;  // by Shutdown, even before Start finished
  bool stopped_before_serving = false;  // Start returned because of it
  std::unique_ptr<WorkSlots> render_slots;
  std::optional<CronSchedule> test_schedule;  // test_runs.schedule, when set
  int64_t last_test_tick = 0;                 // the last tick a run was made for (by any process)
  std::thread maintenance;
  std::mutex maintenance_mutex;
  std::condition_variable maintenance_cv;
  bool stopping = false;

  Impl(ServiceOptions o, const Clock* c) : options(std::move(o)), clock(c != nullptr ? *c : system_clock) {}

  bool Shared() const { return IsPostgresUrl(options.database); }

  void DescribeMetrics() {
    WorkEvent::Describe(metrics);  // synchronous renders observe it too, also where no worker runs
    metrics.Describe("docgen_database_up", Metrics::Type::kGauge,
                     "1 when the last metrics scrape could read the job counts from the database, else 0 (the counts are then stale).");
    metrics.Describe("docgen_database_outages_total", Metrics::Type::kCounter,
                     "Times the shared database became unreachable (lost) and reachable again (restored).");
    metrics.Describe("docgen_http_requests_total", Metrics::Type::kCounter, "HTTP requests, by method, route and status.");
    metrics.Describe("docgen_http_request_duration_seconds", Metrics::Type::kHistogram, "HTTP request latency, by method and route.",
                     HttpLatencyBuckets());  // latency SLOs count the requests within one of these bounds
    metrics.Describe("docgen_jobs", Metrics::Type::kGauge, "Jobs in the store, by status.");
    metrics.Describe("docgen_queue_depth", Metrics::Type::kGauge, "Jobs waiting to run.");
    metrics.Describe("docgen_jobs_created_total", Metrics::Type::kCounter, "Jobs accepted.");
  }

  // The job store and the blob store the options name.
  Status OpenStores() {
    namespace fs = std::filesystem;
    if (options.blob_store != "directory" && options.blob_store != "database") {
      return Status::InvalidArgument("blob_store must be directory or database, not " + options.blob_store);
    }
    if (options.blob_store == "database" && !Shared()) {
      return Status::InvalidArgument("blob_store: database needs a PostgreSQL database (database: postgres://...)");
    }
    Result<std::unique_ptr<Store>> opened = Status::Internal("no store");
    if (Shared()) {
      // One connection per worker, its heartbeat and HTTP thread, plus the
      // reaper, webhook and maintenance passes (README: connections per process).
      const int connections = 2 * options.runner.workers + (options.worker_only ? 0 : options.http_threads) + 3;
      opened = OpenPostgresStore(options.database, connections, [this](bool down, const std::string& why) {
        metrics.Add("docgen_database_outages_total", {{"state", down ? "lost" : "restored"}});
        if (down) {
          log.Error("database connection lost; reconnecting with backoff", {{"error", why}});
        } else {
          log.Info("database connection restored");
        }
      });
    } else {
      opened = OpenSqliteStore(options.database.empty() ? (fs::path(options.data_dir) / "docgen.sqlite").string() : options.database);
    }
    if (!opened.ok()) return opened.status();
    store = std::move(*opened);
    if (options.blob_store == "database") {
      Result<std::unique_ptr<BlobStore>> pg_blobs = OpenPostgresBlobStore(options.database, options.runner.workers + (options.worker_only ? 1 : 4));
      if (!pg_blobs.ok()) return pg_blobs.status();
      blobs = std::move(*pg_blobs);
    } else {
      blobs = OpenDirectoryBlobStore(options.blob_dir.empty() ? fs::path(options.data_dir) / "blobs" : fs::path(options.blob_dir));
    }
    return Status::Ok();
  }

  // The catalog folder given at start becomes the current version (unless it already is).
  Status PublishStartupCatalog() {
    if (options.catalog_dir.empty()) return Status::Ok();
    CatalogRead read = ReadCatalogDirectory(options.catalog_dir);
    CatalogLoad load = read.diagnostics.empty() ? LoadCatalog(read.files) : CatalogLoad{nullptr, read.diagnostics};
    if (!load.catalog) {
      for (const auto& d : load.diagnostics) log.Error("catalog finding", {{"finding", FormatDiagnostic(d)}});
      return Status::InvalidArgument("the catalog " + options.catalog_dir + " has errors and cannot be published");
    }
    CatalogVersion version;
    version.digest = load.catalog->digest;
    version.name = load.catalog->name;
    version.created_at = clock.NowMs();
    version.created_by = "docgen serve --catalog";
    version.files = CatalogFilesToJson(read.files);
    Result<CatalogVersion> published =
        store->PublishCatalog(version, CommandLineActor(version.created_at, "docgen serve --catalog " + options.catalog_dir));
    if (!published.ok()) return published.status().Context("cannot publish the catalog");
    log.Info("catalog version current", {{"version", published->version}, {"digest", published->digest}});
    return Status::Ok();
  }

  // auth mode none accepts every request as admin: a loud warning always, and
  // refused on an address other hosts can reach unless explicitly allowed.
  Status CheckOpenAccess() {
    if (options.worker_only || options.auth.mode != "none") return Status::Ok();
    const bool loopback = IsLoopbackHost(options.host);
    log.Warn("AUTH IS OFF (auth mode none): every request is accepted without a token and with the admin role; "
             "for local experiments only",
             {{"listen", options.host + ":" + std::to_string(options.port)}, {"loopback", loopback}});
    if (!loopback && !options.auth.allow_none_on_network) {
      return Status::InvalidArgument("auth mode none would let anyone who can reach " + options.host +
                                     " use every route as admin: listen on a loopback address (127.0.0.1, ::1, localhost), "
                                     "use auth mode token_file or introspection, or set auth.allow_none_on_network: true "
                                     "(DOCGEN_ALLOW_NO_AUTH=1)");
    }
    return Status::Ok();
  }

  // The data folder and what docgen keeps in it are for the service's user
  // only. Folders docgen creates are 0700 and files 0600; a folder or file
  // that already exists with a wider mode is left as it is, with a warning.
  Status PrepareDataFolder() {
    namespace fs = std::filesystem;
    const fs::path data(options.data_dir);
    std::error_code ec;
    const bool existed = fs::exists(data, ec);
    if (Status status = MakePrivateDirectories(data); !status.ok()) return status;
    if (existed) {
      if (std::string mode = WiderThanOwner(data); !mode.empty()) {
        log.Warn("the data folder can be read by other users; docgen leaves its mode alone: chmod 700 it",
                 {{"data", options.data_dir}, {"mode", mode}});
      }
      for (const char* name : {"docgen.sqlite", "tokens.json", "webhook-secret"}) {
        if (std::string mode = WiderThanOwner(data / name); !mode.empty()) {
          log.Warn("a file in the data folder can be read by other users: chmod 600 it",
                   {{"file", (data / name).string()}, {"mode", mode}});
        }
      }
    }
    return Status::Ok();
  }

  Status StartAuth() {
    if (options.worker_only) options.auth.mode = "none";  // it serves no API
    if (options.auth.mode == "token_file" && options.auth.token_file.empty()) {
      options.auth.token_file = (std::filesystem::path(options.data_dir) / "tokens.json").string();
    }
    if (options.auth.mode == "introspection" && options.auth.introspection_url.empty()) {
      return Status::InvalidArgument("auth mode introspection needs an introspection_url");
    }
    if (options.auth.mode != "token_file" && options.auth.mode != "introspection" && options.auth.mode != "none") {
      return Status::InvalidArgument("auth mode must be token_file, introspection or none");
    }
    auth = std::make_unique<Authenticator>(options.auth, metrics, log, clock);
    return Status::Ok();
  }

  // Retention: finished jobs older than the retention period go, and so do
  // blobs no job refers to (once old enough not to belong to a job in flight).
  void PruneOnce(int min_blob_age_seconds, int min_temporary_age_seconds) {
    Result<int> jobs = store->PruneJobs(clock.NowMs() - options.retention_ms);
    Result<std::vector<std::string>> referenced = jobs.ok() ? store->ReferencedBlobs() : jobs.status();
    if (!referenced.ok()) {
      log.Error("pruning failed", {{"error", referenced.status().ToString()}});
      return;
    }
    Result<int> blob_count =
        blobs->Prune(std::set<std::string>(referenced->begin(), referenced->end()), min_blob_age_seconds, min_temporary_age_seconds);
    if (!blob_count.ok()) {
      log.Error("pruning blobs failed", {{"error", blob_count.status().ToString()}});
      return;
    }
    if (*jobs > 0 || *blob_count > 0) log.Info("pruned", {{"jobs", *jobs}, {"blobs", *blob_count}});
  }

  void StartMaintenance() {
    // Leftovers of a process that was killed while writing a result. With the
    // embedded store no job runs yet in this data folder, so every partial
    // write is a leftover. With a shared database other processes' jobs are
    // running: their results may not be recorded yet, so only the hourly
    // limits apply.
    if (Shared()) {
      PruneOnce(3600, 3600);
    } else {
      PruneOnce(/*min_blob_age_seconds=*/static_cast<int>(options.runner.lease_ms / 1000) + 1, /*min_temporary_age_seconds=*/0);
    }
    maintenance = std::thread([this] {
      std::unique_lock lock(maintenance_mutex);
      StartScheduledTestRun();
      for (int beat = 1; !maintenance_cv.wait_for(lock, std::chrono::seconds(10), [this] { return stopping; }); ++beat) {
        StartScheduledTestRun();
        if (beat % 6 == 0) FlushSloCounts();
        if (beat % 60 == 0) PruneOnce(3600, 3600);
      }
    });
  }

  // The test-run schedule (SPEC §8): the latest tick of the last ten minutes
  // starts a run of the current catalog. Every process sharing the store
  // tries; the tick's idempotency key lets one run in.
  void StartScheduledTestRun() {
    if (!test_schedule) return;
    const int64_t now = clock.NowMs();
    std::optional<int64_t> tick = LastCronTick(*test_schedule, now, 10);
    if (!tick || *tick == last_test_tick) return;
    Result<int64_t> current = store->CurrentCatalogVersion();
    if (!current.ok()) return log.Warn("scheduled test run not started yet; tried again shortly", {{"error", current.status().message()}});
    last_test_tick = *tick;
    if (*current == 0) return log.Warn("scheduled test run skipped: no catalog is published", {{"tick", IsoTime(*tick)}});
    Result<CreatedJob> created = store->CreateJob(ScheduledTestRunJob(*tick, *current, options.runner.retry.max_attempts, now));
    if (!created.ok()) {
      last_test_tick = 0;  // tried again at the next beat
      return log.Warn("scheduled test run not started yet; tried again shortly", {{"error", created.status().message()}});
    }
    log.Info(created->created ? "scheduled test run queued" : "scheduled test run already queued by another process",
             {{"test_run_id", created->job.id}, {"tick", IsoTime(*tick)}, {"catalog_version", created->job.catalog_version}});
  }

  // Adds this process's SLO events to the store (kept for the next try when
  // the database is away), and drops minutes older than the longest window.
  void FlushSloCounts() {
    if (!slo_meter) return;
    std::vector<SloMinute> counts = slo_meter->Drain();
    if (Status added = store->AddSloMinutes(counts); !added.ok()) {
      slo_meter->Restore(counts);
      log.Warn("SLO event counts not stored; kept for the next try", {{"error", added.message()}});
      return;
    }
    (void)store->PruneSloMinutes(SloKeepSince(options.slos, clock.NowMs()));
  }
};

Service::Service(ServiceOptions options, const Clock* clock) : impl_(std::make_unique<Impl>(std::move(options), clock)) {}
Service::~Service() { Shutdown(); }

Status Service::Start() {
  Impl& s = *impl_;
  if (Status status = s.CheckOpenAccess(); !status.ok()) return status;
  if (Status status = s.PrepareDataFolder(); !status.ok()) return status;
  // One process per data folder on the embedded store: a second one's start-up
  // cleanup would remove the first one's results in flight.
  if (!s.Shared()) {
    if (Status status = s.data_lock.Take(s.options.data_dir); !status.ok()) return status;
  }
  s.DescribeMetrics();
  if (!s.options.test_run_schedule.empty()) {
    Result<CronSchedule> schedule = ParseCron(s.options.test_run_schedule);
    if (!schedule.ok()) return Status::InvalidArgument("test_runs.schedule: " + schedule.status().message());
    s.test_schedule = *schedule;
  }
  if (Status status = s.OpenStores(); !status.ok()) return status;
  s.slo_meter = std::make_unique<SloMeter>(s.options.slos, s.clock);
  s.metrics.Listen(s.slo_meter.get());
  s.catalogs = std::make_unique<CatalogVersions>(*s.store);
  if (Status status = s.PublishStartupCatalog(); !status.ok()) return status;
  if (Status status = s.StartAuth(); !status.ok()) return status;
  s.runner = std::make_unique<JobRunner>(*s.store, *s.blobs, *s.catalogs, s.metrics, s.log, s.clock, s.options.runner);
  s.render_slots = std::make_unique<WorkSlots>(std::max(1, s.options.max_sync_renders));
  s.api = std::make_unique<Api>(
      Api{s.options, *s.store, *s.blobs, *s.catalogs, *s.auth, s.metrics, s.log, s.clock, s.ready, *s.render_slots, *s.slo_meter});
  if (!s.options.worker_only) {
    s.ui = std::make_unique<StaticFiles>(s.options.ui_dir.empty() ? std::string(DOCGEN_DEFAULT_UI_DIR) : s.options.ui_dir, "/ui");
  }
  s.dispatcher = std::make_unique<Dispatcher>(*s.api, s.options.worker_only, s.ui.get());
  HttpServerOptions http;
  http.host = s.options.host;
  http.port = s.options.port;
  http.max_body_bytes = s.options.max_body_bytes;
  http.header_deadline_seconds = s.options.header_deadline_seconds;
  http.threads = s.options.http_threads;
  s.http = std::make_unique<HttpServer>(*s.dispatcher, http);
  if (Status status = s.http->Bind(); !status.ok()) return status;
  s.options.port = s.http->port();
  {
    std::lock_guard lock(s.lifecycle_mutex);
    if (s.shutdown_requested) {
      s.http->Stop();  // Serve() returns at once
      s.stopped_before_serving = true;
      return Status::Unavailable("shut down before it started serving");
    }
    s.StartMaintenance();
    s.runner->Start();
    s.ready = true;
    sd_notify(0, "READY=1");  // systemd (Type=notify): started, never after STOPPING=1; a no-op elsewhere
  }
  s.log.Info("serving", {{"listen", s.options.host + ":" + std::to_string(s.options.port)}, {"data", s.options.data_dir},
                         {"workers", s.options.runner.workers}});
  return Status::Ok();
}

void Service::Serve() { impl_->http->Serve(); }

Status Service::Reload() {
  Impl& s = *impl_;
  if (!s.ready) return Status::Unavailable("not serving");
  sd_notify(0, "RELOADING=1");
  s.log.Info("reloading: the catalog folder is published again if it changed");
  Status status = s.PublishStartupCatalog();
  if (!status.ok()) s.log.Error("reload refused; the current catalog version stays", {{"error", status.message()}});
  sd_notify(0, "READY=1");
  return status;
}

void Service::Shutdown() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.lifecycle_mutex);
    s.shutdown_requested = true;  // a Start still under way sees it and does not start serving
    if (!s.ready.exchange(false)) return;
  }
  sd_notify(0, "STOPPING=1");
  s.log.Info("shutting down: no new requests or jobs; finishing jobs in flight");
  s.http->Stop();
  if (s.runner) s.runner->Stop();
  {
    std::lock_guard lock(s.maintenance_mutex);
    s.stopping = true;
  }
  s.maintenance_cv.notify_all();
  if (s.maintenance.joinable()) s.maintenance.join();
  s.FlushSloCounts();
  s.log.Info("stopped");
}

int Service::port() const { return impl_->options.port; }

bool Service::StoppedBeforeServing() const {
  std::lock_guard lock(impl_->lifecycle_mutex);
  return impl_->stopped_before_serving;
}

}  // namespace docgen
