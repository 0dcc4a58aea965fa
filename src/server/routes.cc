#include "server/routes.h"

#include <charconv>

#include "util/text.h"

namespace docgen {

const std::vector<Route>& RouteTable() {
  using namespace handlers;  // NOLINT(google-build-using-namespace): the table reads as a table
  constexpr Role kPublic = Role::kNone;
  constexpr Role kViewer = Role::kViewer;
  constexpr Role kGenerator = Role::kGenerator;
  constexpr Role kAdmin = Role::kAdmin;
  static const std::vector<Route> kRoutes = {
      // method, pattern, operation id, role, served by docgen worker, quiet, handler
      {"GET", "/healthz", "getHealth", kPublic, true, true, Health},
      {"GET", "/readyz", "getReadiness", kPublic, true, true, Readiness},
      {"GET", "/metrics", "getMetrics", kPublic, true, true, MetricsText},
      {"GET", "/openapi.json", "getOpenApi", kPublic, false, false, OpenApi},

      {"POST", "/v1/packages:resolve", "resolvePackage", kGenerator, false, false, ResolvePackage},
      {"POST", "/v1/packages:render", "renderPackage", kGenerator, false, false, RenderPackage},

      {"POST", "/v1/jobs", "createJob", kGenerator, false, false, CreateJob},
      {"GET", "/v1/jobs", "listJobs", kViewer, false, false, ListJobs},
      {"GET", "/v1/jobs/{id}", "getJob", kViewer, false, false, GetJob},
      {"GET", "/v1/jobs/{id}/package.pdf", "getJobPackagePdf", kViewer, false, false, GetJobPackagePdf},
      {"GET", "/v1/jobs/{id}/package.json", "getJobPackageJson", kViewer, false, false, GetJobPackageJson},
      {"GET", "/v1/jobs/{id}/documents/{name}", "getJobDocument", kViewer, false, false, GetJobDocument},
      {"GET", "/v1/jobs/{id}/webhooks", "listJobWebhooks", kViewer, false, false, ListJobWebhooks},
      {"POST", "/v1/jobs/{id}:cancel", "cancelJob", kGenerator, false, false, CancelJob},
      {"POST", "/v1/jobs/{id}:retry", "retryJob", kGenerator, false, false, RetryJob},
      {"POST", "/v1/policies:validate", "validatePolicy", kGenerator, false, false, ValidatePolicyRoute},
      {"POST", "/v1/validations", "createValidation", kGenerator, false, false, CreateValidation},
      {"GET", "/v1/validations", "listValidations", kViewer, false, false, ListValidations},
      {"GET", "/v1/validations/{id}", "getValidation", kViewer, false, false, GetValidation},
      {"GET", "/v1/validations/{id}/results", "getValidationResults", kViewer, false, false, GetValidationResults},
      {"POST", "/v1/validations/{id}:cancel", "cancelValidation", kGenerator, false, false, CancelValidation},

      {"GET", "/v1/catalog", "getCatalog", kViewer, false, false, GetCatalog},
      {"GET", "/v1/catalog/documents", "listCatalogDocuments", kViewer, false, false, ListCatalogDocuments},
      {"GET", "/v1/catalog/documents/{id}", "getCatalogDocument", kViewer, false, false, GetCatalogDocument},
      {"GET", "/v1/catalog/versions", "listCatalogVersions", kViewer, false, false, ListCatalogVersions},
      {"POST", "/v1/catalog/versions", "publishCatalogVersion", kAdmin, false, false, PublishCatalogVersion},
      {"GET", "/v1/catalog/versions/{n}", "getCatalogVersion", kViewer, false, false, GetCatalogVersion},
      {"GET", "/v1/catalog/versions/{n}/files/{path*}", "getCatalogVersionFile", kViewer, false, false, GetCatalogVersionFile},
      {"GET", "/v1/catalog/drafts:lint", "lintDrafts", kAdmin, false, false, LintDrafts},
      {"GET", "/v1/catalog/drafts/documents/{id}", "getDraft", kAdmin, false, false, GetDraft},
      {"PUT", "/v1/catalog/drafts/documents/{id}", "putDraft", kAdmin, false, false, PutDraft},
      {"DELETE", "/v1/catalog/drafts/documents/{id}", "deleteDraft", kAdmin, false, false, DeleteDraft},
      {"GET", "/v1/catalog/drafts/templates/{path*}", "getTemplateDraft", kAdmin, false, false, GetTemplateDraft},
      {"PUT", "/v1/catalog/drafts/templates/{path*}", "putTemplateDraft", kAdmin, false, false, PutTemplateDraft},
      {"DELETE", "/v1/catalog/drafts/templates/{path*}", "deleteTemplateDraft", kAdmin, false, false, DeleteTemplateDraft},
      {"POST", "/v1/catalog/drafts:preview", "previewDraft", kAdmin, false, false, PreviewDraft},

      {"POST", "/v1/test-runs", "createTestRun", kAdmin, false, false, CreateTestRun},
      {"GET", "/v1/test-runs", "listTestRuns", kViewer, false, false, ListTestRuns},
      {"GET", "/v1/test-runs/{id}", "getTestRun", kViewer, false, false, GetTestRun},
      {"GET", "/v1/test-runs/{id}/variants", "listTestRunVariants", kViewer, false, false, ListTestRunVariants},
      {"GET", "/v1/test-runs/{id}/variants/{seq}/{kind}/{page}", "getTestRunImage", kViewer, false, false, GetTestRunImage},
      {"POST", "/v1/test-runs/{id}:approve", "approveTestRun", kAdmin, false, false, ApproveTestRunRoute},
      {"POST", "/v1/test-runs/{id}:cancel", "cancelTestRun", kAdmin, false, false, CancelTestRun},

      {"GET", "/v1/audit", "listAudit", kAdmin, false, false, ListAudit},
      {"GET", "/v1/audit:verify", "verifyAudit", kAdmin, false, false, VerifyAudit},
      {"GET", "/v1/ops", "listOperations", kAdmin, false, false, ListOperations},
      {"POST", "/v1/ops/{name}:run", "runOperation", kAdmin, false, false, RunOperation},
      {"GET", "/v1/ops/runs", "listOperationRuns", kAdmin, false, false, ListOperationRuns},
      {"GET", "/v1/ops/runs/{id}", "getOperationRun", kAdmin, false, false, GetOperationRun},

      {"GET", "/v1/slos", "listSlos", kViewer, false, false, ListSlos},
  };
  return kRoutes;
}

HttpResponse Call::Fail(const ApiError& error) const {
  if (event != nullptr) event->error_code = error.code;
  return ErrorResponse(error, request_id);
}

void Call::Note(const std::string& message, const nlohmann::json& fields) const {
  if (event == nullptr) return;
  event->message = message;
  Note(fields);
}

void Call::Note(const nlohmann::json& fields) const {
  if (event == nullptr) return;
  for (const auto& [key, value] : fields.items()) event->fields[key] = value;
}

std::optional<int64_t> WholeNumber(std::string_view text, int64_t min, int64_t max) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;  // no sign, no space
  const auto [stop, error] = std::from_chars(text.data(), end, n);
  if (error != std::errc() || stop != end || n < min || n > max) return std::nullopt;
  return n;
}

std::optional<int64_t> WholeQuery(const Call& call, const std::string& name, int64_t min, int64_t max, int64_t fallback) {
  if (!call.request.HasQuery(name)) return fallback;
  return WholeNumber(call.request.Query(name), min, max);
}

HttpResponse TooManyRenders(const Call& call, const std::string& advice) {
  HttpResponse busy = call.Fail(ApiError{
      429, "too_many_renders", "As many renders are in progress as this server allows; try again in a moment" +
                                   (advice.empty() ? std::string(".") : ", " + advice)});
  busy.SetHeader("Retry-After", "1");
  return busy;
}

HttpResponse CatalogFailure(const Call& call, const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return call.Fail(status);
  return call.Fail(ApiError{503, "catalog_unavailable", status.message()});
}

JsonBody ParseJsonBody(const Call& call) {
  const std::string type = call.request.Header("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    return {std::nullopt, call.Fail(ApiError{415, "unsupported_media_type", "Send the body as application/json."})};
  }
  if (JsonNestingDepth(call.request.body) > 64) {
    return {std::nullopt, call.Fail(ApiError{400, "invalid_json", "The body is nested more than 64 levels deep."})};
  }
  try {
    return {nlohmann::json::parse(call.request.body), {}};
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (size_t bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    return {std::nullopt, call.Fail(ApiError{400, "invalid_json", "The body is not valid JSON: " + what})};
  }
}

}  // namespace docgen
