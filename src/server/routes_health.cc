// Health, readiness, metrics and the API's own description: public, and
// (but for the description) served by `docgen worker` too.
#include "server/openapi.h"
#include "server/routes.h"

namespace docgen::handlers {

HttpResponse Health(Api&, const Call&) { return JsonResponse(200, {{"status", "ok"}}); }

HttpResponse Readiness(Api& api, const Call&) {
  nlohmann::ordered_json checks;
  const Status db = api.store.Ping();
  checks["database"] = db.ok() ? "ok" : db.message();
  bool catalog_ok = false;
  if (db.ok()) {
    Result<LoadedCatalog> current = api.catalogs.Get(0);
    catalog_ok = current.ok();
    checks["catalog"] = catalog_ok ? "version " + std::to_string(current->version) : current.status().message();
  } else {
    checks["catalog"] = "unknown while the database is unavailable";
  }
  checks["auth"] = api.auth.Health();  // degraded (shared cache down) is reported, not fatal
  const bool ok = db.ok() && catalog_ok && api.ready;
  return JsonResponse(ok ? 200 : 503, {{"status", ok ? "ready" : "not_ready"}, {"checks", checks}});
}

HttpResponse MetricsText(Api& api, const Call&) {
  // The process's own metrics are served even while the database is away.
  Result<std::vector<std::pair<JobStatus, int64_t>>> counts = api.store.CountJobs();
  if (counts.ok()) {
    int64_t queued = 0;
    for (JobStatus s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed, JobStatus::kCanceled}) {
      api.metrics.Set("docgen_jobs", {{"status", ToString(s)}}, 0);
    }
    for (const auto& [status, count] : *counts) {
      api.metrics.Set("docgen_jobs", {{"status", ToString(status)}}, static_cast<double>(count));
      if (status == JobStatus::kQueued) queued = count;
    }
    api.metrics.Set("docgen_queue_depth", {}, static_cast<double>(queued));
  }
  api.metrics.Set("docgen_database_up", {}, counts.ok() ? 1 : 0);
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4";
  response.body = api.metrics.Render();
  return response;
}

HttpResponse OpenApi(Api&, const Call&) {
  HttpResponse response;
  response.content_type = "application/json";
  response.body = std::string(kOpenApiJson);
  return response;
}

}  // namespace docgen::handlers
