// The service's lifecycle: open the stores, publish the start-up catalog,
// bind, start the workers and the maintenance pass; stop in reverse.
// Requests are the dispatcher's (server/dispatcher.h), routes the table's
// (server/routes.cc).
#include "server/service.h"

#include <docgen/catalog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "jobs/catalog_files_json.h"
#include "server/dispatcher.h"
#include "server/http_server.h"
#include "util/diagnostic_json.h"

namespace docgen {

struct Service::Impl {
  ServiceOptions options;
  SystemClock system_clock;
  const Clock& clock;
  Log log;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<CatalogVersions> catalogs;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<JobRunner> runner;
  std::unique_ptr<Api> api;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<HttpServer> http;
  std::atomic<bool> ready{false};
  std::thread maintenance;
  std::mutex maintenance_mutex;
  std::condition_variable maintenance_cv;
  bool stopping = false;

  Impl(ServiceOptions o, const Clock* c) : options(std::move(o)), clock(c != nullptr ? *c : system_clock) {}

  bool Shared() const { return IsPostgresUrl(options.database); }

  void DescribeMetrics() {
    metrics.Describe("docgen_database_up", Metrics::Type::kGauge,
                     "1 when the last metrics scrape could read the job counts from the database, else 0 (the counts are then stale).");
    metrics.Describe("docgen_database_outages_total", Metrics::Type::kCounter,
                     "Times the shared database became unreachable (lost) and reachable again (restored).");
    metrics.Describe("docgen_http_requests_total", Metrics::Type::kCounter, "HTTP requests, by method, route and status.");
    metrics.Describe("docgen_http_request_duration_seconds", Metrics::Type::kHistogram, "HTTP request latency, by method and route.",
                     {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
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
    Result<CatalogVersion> published = store->PublishCatalog(version);
    if (!published.ok()) return published.status().Context("cannot publish the catalog");
    log.Info("catalog version current", {{"version", published->version}, {"digest", published->digest}});
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
      while (!maintenance_cv.wait_for(lock, std::chrono::minutes(10), [this] { return stopping; })) PruneOnce(3600, 3600);
    });
  }
};

Service::Service(ServiceOptions options, const Clock* clock) : impl_(std::make_unique<Impl>(std::move(options), clock)) {}
Service::~Service() { Shutdown(); }

Status Service::Start() {
  Impl& s = *impl_;
  std::error_code ec;
  std::filesystem::create_directories(s.options.data_dir, ec);
  if (ec) return Status::Unavailable("cannot create the data folder " + s.options.data_dir + ": " + ec.message());
  s.DescribeMetrics();
  if (Status status = s.OpenStores(); !status.ok()) return status;
  s.catalogs = std::make_unique<CatalogVersions>(*s.store);
  if (Status status = s.PublishStartupCatalog(); !status.ok()) return status;
  if (Status status = s.StartAuth(); !status.ok()) return status;
  s.runner = std::make_unique<JobRunner>(*s.store, *s.blobs, *s.catalogs, s.metrics, s.log, s.clock, s.options.runner);
  s.api = std::make_unique<Api>(Api{s.options, *s.store, *s.blobs, *s.catalogs, *s.auth, s.metrics, s.log, s.clock, s.ready});
  s.dispatcher = std::make_unique<Dispatcher>(*s.api, s.options.worker_only);
  HttpServerOptions http;
  http.host = s.options.host;
  http.port = s.options.port;
  http.max_body_bytes = s.options.max_body_bytes;
  http.threads = s.options.http_threads;
  s.http = std::make_unique<HttpServer>(*s.dispatcher, http);
  if (Status status = s.http->Bind(); !status.ok()) return status;
  s.options.port = s.http->port();
  s.StartMaintenance();
  s.runner->Start();
  s.ready = true;
  s.log.Info("serving", {{"listen", s.options.host + ":" + std::to_string(s.options.port)}, {"data", s.options.data_dir},
                         {"workers", s.options.runner.workers}});
  return Status::Ok();
}

void Service::Serve() { impl_->http->Serve(); }

void Service::Shutdown() {
  Impl& s = *impl_;
  if (!s.ready.exchange(false)) return;
  s.log.Info("shutting down: no new requests or jobs; finishing jobs in flight");
  s.http->Stop();
  if (s.runner) s.runner->Stop();
  {
    std::lock_guard lock(s.maintenance_mutex);
    s.stopping = true;
  }
  s.maintenance_cv.notify_all();
  if (s.maintenance.joinable()) s.maintenance.join();
  s.log.Info("stopped");
}

int Service::port() const { return impl_->options.port; }

}  // namespace docgen
