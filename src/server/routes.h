// The API's route table: one row per route says its method, path pattern
// (also its metrics label and its path in docs/openapi.json), OpenAPI
// operation id, the role it needs and its handler. Registration, metrics
// labels and authorisation all derive from it, and tests/server_routes_test
// checks it against docs/openapi.json both ways: adding a route is one row
// here, one handler, and one operation in the document.
//
// Handlers are plain functions of the service's parts (Api) and the request
// context (Call), grouped by resource in routes_<resource>.cc. They run on
// the HTTP server's threads; everything they touch is thread-safe.
#pragma once

#include <docgen/store.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/auth.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "jobs/job_runner.h"
#include "server/errors.h"
#include "server/http.h"
#include "store/blob_store.h"

namespace docgen {

class SloMeter;

struct ServiceOptions;
class Renderer;

// A fixed number of slots for expensive work on HTTP threads; a request
// that finds none free is answered 429 at once instead of queueing.
class WorkSlots {
 public:
  // A taken slot, given back when destroyed.
  class Slot {
   public:
    explicit Slot(WorkSlots& slots) : slots_(&slots) {}
    Slot(Slot&& other) noexcept : slots_(std::exchange(other.slots_, nullptr)) {}
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot() {
      if (slots_ != nullptr) ++slots_->free_;
    }

   private:
    WorkSlots* slots_;
  };

  explicit WorkSlots(int slots) : free_(slots) {}
  // A slot, or nullopt when all are taken.
  std::optional<Slot> TryTake() {
    int free = free_.load();
    while (free > 0) {
      if (free_.compare_exchange_weak(free, free - 1)) return Slot(*this);
    }
    return std::nullopt;
  }

 private:
  std::atomic<int> free_;
};

// The parts of the service a handler may use.
struct Api {
  const ServiceOptions& options;
  Store& store;
  BlobStore& blobs;
  CatalogVersions& catalogs;
  Authenticator& auth;
  Metrics& metrics;
  const Log& log;
  const Clock& clock;
  const std::atomic<bool>& ready;  // started and not shutting down
  WorkSlots& render_slots;         // synchronous renders in progress
  SloMeter& slo_meter;             // this process's SLO events not yet stored
};

// The request's one log event (SPEC §9), written by the dispatcher when
// the request ends: what the handler did (`message`, "request" when it
// noted nothing) and what it learned (the job it made, the package it
// resolved, the error it answered with).
struct RequestEvent {
  std::string message = "request";
  std::string error_code;  // of an error response
  nlohmann::json fields = nlohmann::json::object();
};

// One request as a handler sees it: the request, its path parameters by
// name, its id (echoed as X-Request-Id, in every error and log line), its
// trace id (in its log event, and carried into the jobs it creates), and
// the authenticated caller.
struct Call {
  const HttpRequest& request;
  std::map<std::string, std::string> params;
  std::string request_id;
  std::string trace_id;  // the W3C trace the request belongs to (its traceparent's, else a new one)
  std::string subject;  // the token's subject; "" on public routes
  Role role = Role::kNone;  // the token's role; kNone on public routes
  RequestEvent* event = nullptr;  // the dispatcher's, for Note

  const std::string& Param(const std::string& name) const { return params.at(name); }
  HttpResponse Fail(const ApiError& error) const;
  HttpResponse Fail(const Status& status) const { return Fail(ApiError::FromStatus(status)); }
  // The caller as the audit log names them, at `now`.
  Actor By(int64_t now) const { return {subject, ToString(role), request_id, "", now}; }
  // Adds to the request's log event: what the handler did, and its fields.
  void Note(const std::string& message, const nlohmann::json& fields = nlohmann::json::object()) const;
  void Note(const nlohmann::json& fields) const;
};

using Handler = HttpResponse (*)(Api& api, const Call& call);

// 429 too_many_renders with Retry-After; `advice` says what else to do.
HttpResponse TooManyRenders(const Call& call, const std::string& advice);
// A catalog that could not be read: the store's unavailable as it is, any
// other failure 503 catalog_unavailable.
HttpResponse CatalogFailure(const Call& call, const Status& status);

struct Route {
  const char* method;        // GET, POST, PUT, DELETE (GET routes answer HEAD too)
  const char* pattern;       // "/v1/jobs/{id}:cancel"; a {name} matches one segment without '/' or ':',
                             // a {name*} at the end the rest of the path ('/' included); both are called name
  const char* operation_id;  // "cancelJob"
  Role role;                 // the least role that may call it; Role::kNone: public
  bool on_worker;            // also served by `docgen worker` (health and metrics)
  bool quiet;                // no log line per request (probes and scrapes); still counted in metrics
  Handler handler;
};

const std::vector<Route>& RouteTable();

// Handlers, by resource.
namespace handlers {
// routes_health.cc
HttpResponse Health(Api&, const Call&);
HttpResponse Readiness(Api&, const Call&);
HttpResponse MetricsText(Api&, const Call&);
HttpResponse OpenApi(Api&, const Call&);
// routes_packages.cc
Renderer& ThreadRenderer();  // the HTTP thread's renderer (font map, layouts), for synchronous renders
HttpResponse ResolvePackage(Api&, const Call&);
HttpResponse RenderPackage(Api&, const Call&);
// routes_jobs.cc
HttpResponse CreateJob(Api&, const Call&);
HttpResponse ListJobs(Api&, const Call&);
HttpResponse GetJob(Api&, const Call&);
HttpResponse GetJobPackagePdf(Api&, const Call&);
HttpResponse GetJobPackageJson(Api&, const Call&);
HttpResponse GetJobDocument(Api&, const Call&);
HttpResponse ListJobWebhooks(Api&, const Call&);
HttpResponse CancelJob(Api&, const Call&);
HttpResponse RetryJob(Api&, const Call&);
// routes_validate.cc
HttpResponse ValidatePolicyRoute(Api&, const Call&);
HttpResponse CreateValidation(Api&, const Call&);
HttpResponse ListValidations(Api&, const Call&);
HttpResponse GetValidation(Api&, const Call&);
HttpResponse GetValidationResults(Api&, const Call&);
HttpResponse CancelValidation(Api&, const Call&);
// routes_catalog.cc
HttpResponse GetCatalog(Api&, const Call&);
HttpResponse ListCatalogDocuments(Api&, const Call&);
HttpResponse GetCatalogDocument(Api&, const Call&);
HttpResponse ListCatalogVersions(Api&, const Call&);
HttpResponse PublishCatalogVersion(Api&, const Call&);
HttpResponse GetCatalogVersion(Api&, const Call&);
HttpResponse GetCatalogVersionFile(Api&, const Call&);
HttpResponse LintDrafts(Api&, const Call&);
HttpResponse GetDraft(Api&, const Call&);
HttpResponse PutDraft(Api&, const Call&);
HttpResponse DeleteDraft(Api&, const Call&);
HttpResponse GetTemplateDraft(Api&, const Call&);
HttpResponse PutTemplateDraft(Api&, const Call&);
HttpResponse DeleteTemplateDraft(Api&, const Call&);
HttpResponse PreviewDraft(Api&, const Call&);
HttpResponse ListAudit(Api&, const Call&);
HttpResponse VerifyAudit(Api&, const Call&);
HttpResponse ListOperations(Api&, const Call&);
HttpResponse RunOperation(Api&, const Call&);
HttpResponse ListOperationRuns(Api&, const Call&);
HttpResponse GetOperationRun(Api&, const Call&);
HttpResponse ListSlos(Api&, const Call&);
// routes_test_runs.cc
HttpResponse CreateTestRun(Api&, const Call&);
HttpResponse ListTestRuns(Api&, const Call&);
HttpResponse GetTestRun(Api&, const Call&);
HttpResponse ListTestRunVariants(Api&, const Call&);
HttpResponse GetTestRunImage(Api&, const Call&);
HttpResponse ApproveTestRunRoute(Api&, const Call&);
HttpResponse CancelTestRun(Api&, const Call&);
}  // namespace handlers

// Whole-number text such as a path segment ("42"): nullopt when it is not
// only digits or falls outside [min, max].
std::optional<int64_t> WholeNumber(std::string_view text, int64_t min, int64_t max);
// A whole-number query parameter ?name=: `fallback` when it is absent, and
// nullopt (refuse the request) when it is not a whole number in [min, max].
std::optional<int64_t> WholeQuery(const Call& call, const std::string& name, int64_t min, int64_t max, int64_t fallback);

// What the job-like resources (/v1/jobs, /v1/validations, /v1/test-runs) share.
// The list filter of `kind` from ?status=&created_after=&created_before=&limit=, or why the query is refused.
Result<JobFilter> JobFilterFromQuery(const Call& call, JobKind kind);
// Stores a new job (or finds the earlier one with the same Idempotency-Key)
// and answers 202 with `to_json` of it and `Location: collection/ID`; a reused
// key with another request is 409 idempotency_conflict. `created` hears of a
// job that was really created (not replayed), to log and count it. The job
// joins the call's trace. (Taken by value: callers move their job in, so a
// large quote is never copied.)
HttpResponse AcceptJob(Api& api, const Call& call, Job job, const std::string& collection,
                       nlohmann::ordered_json (*to_json)(const Job&), const std::function<void(const Job&)>& created);

// A request body parsed as JSON (application/json, at most 64 levels deep),
// or the 400/415 response that says why it is not.
struct JsonBody {
  std::optional<nlohmann::json> value;
  HttpResponse error;
};
JsonBody ParseJsonBody(const Call& call);

}  // namespace docgen
