// `docgen serve`: the HTTP API (routes in server/routes.cc), the job workers
// and the background passes, on the embedded SQLite store and blob folder
// under the data folder, or on a shared PostgreSQL database. `docgen worker`
// is the same service without the API: it runs jobs and answers only
// /metrics and health checks. Shutdown() may come from another thread at
// any time (a signal), even while Start() is under way; handlers run on the
// HTTP server's thread pool. Under systemd
// (Type=notify) it says READY=1 once it serves, RELOADING=1 / READY=1
// around a reload, and STOPPING=1 when it shuts down.
#pragma once

#include <docgen/store.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/auth.h"
#include "base/clock.h"
#include "jobs/job_runner.h"
#include "slo/slo.h"

namespace docgen {

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (see Service::port())
  std::string data_dir = "data";
  std::string database;             // postgres://... URL, or a SQLite file; empty: DATA/docgen.sqlite
  std::string blob_store = "directory";  // "directory" (blob_dir) or "database" (PostgreSQL only)
  std::string blob_dir;             // empty: DATA/blobs
  bool worker_only = false;         // docgen worker: no API routes
  std::string catalog_dir;          // published at start when it differs from the current version
  std::string ui_dir;               // the admin UI's built files, served at /ui/; empty: beside the sources (web/dist)
  size_t max_body_bytes = 8u << 20;
  int http_threads = 8;             // handlers running at once
  int header_deadline_seconds = 15;  // to send a request's headers (HttpServerOptions)
  int max_sync_renders = 2;         // POST /v1/packages:render in progress at once (429 beyond)
  int64_t retention_ms = 30LL * 24 * 3600 * 1000;  // finished jobs older than this are pruned
  std::string test_run_schedule;    // cron (UTC) of scheduled test runs; empty: none
  RunnerOptions runner;
  AuthOptions auth;                 // token_file defaults to DATA/tokens.json
  std::vector<Slo> slos = DefaultSlos();  // the config file's `slos:` replaces them
};

class Service {
 public:
  // `clock` (which must outlive the service) dates jobs, leases and
  // versions; the system clock when null.
  explicit Service(ServiceOptions options, const Clock* clock = nullptr);
  ~Service();

  // Opens the store, publishes the catalog, binds the port and starts the
  // workers. On failure returns why: kInvalidArgument for bad settings or a
  // catalog with errors (exit status 2), anything else for the rest (1);
  // kUnavailable too when Shutdown() came first (then it never serves).
  Status Start();
  // Serves until Shutdown() (blocks the calling thread).
  void Serve();
  // Stops accepting requests, stops claiming jobs, waits for jobs in flight.
  // Before Start() has finished: Start() stops there instead of serving.
  void Shutdown();
  // SIGHUP, `systemctl reload`: publishes the --catalog folder again when it
  // changed (the token file is read again whenever it changes anyway). A
  // catalog with errors is refused and the current version stays.
  Status Reload();
  int port() const;
  // True when Start() returned because Shutdown() came first (a clean stop,
  // not a failure to start).
  bool StoppedBeforeServing() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace docgen
