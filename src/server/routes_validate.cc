// The policy validator over HTTP (SPEC §7): one policy at once, or a batch
// of JSON Lines as a durable job with progress and downloadable results.
#include <docgen/validate.h>

#include <regex>

#include "jobs/job_json.h"
#include "server/routes.h"
#include "server/service.h"
#include "util/text.h"
#include "validate/batch.h"

namespace docgen::handlers {
namespace {

bool ValidValidationId(const std::string& id) {
  static const std::regex kId("val_[0-9a-f]{24}");
  return std::regex_match(id, kId);
}

Result<Job> FindValidation(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  const Status missing = Status::NotFound("There is no validation " + id.substr(0, 64) + ".");
  if (!ValidValidationId(id)) return missing;
  Result<Job> job = api.store.GetJob(id);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) return missing;
  if (job.ok() && job->kind != JobKind::kValidate) return missing;
  return job;
}

void CountFindings(Api& api, const PolicyResult& result) {
  api.metrics.Add("docgen_policies_validated_total", {});
  for (const auto& f : result.findings) api.metrics.Add("docgen_validation_findings_total", {{"code", f.code}});
}

}  // namespace

HttpResponse ValidatePolicyRoute(Api& api, const Call& call) {
  JsonBody policy = ParseJsonBody(call);
  if (!policy.value) return policy.error;
  Result<LoadedCatalog> catalog = api.catalogs.Get(0);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  PolicyResult result = ValidatePolicy(*catalog->catalog, *policy.value);
  CountFindings(api, result);
  nlohmann::ordered_json body = PolicyResultToJson(result);
  body["catalog"]["version"] = catalog->version;
  // A policy that is not a policy is a bad request; one with findings is a
  // successful validation that found something.
  const bool malformed = !result.findings.empty() && result.findings.front().code == "invalid_policy";
  return JsonResponse(malformed ? 422 : 200, body);
}

HttpResponse CreateValidation(Api& api, const Call& call) {
  const std::string type = call.request.Header("Content-Type");
  const bool lines = type.rfind("application/x-ndjson", 0) == 0 || type.rfind("application/jsonl", 0) == 0 ||
                     type.rfind("application/json", 0) == 0 || type.rfind("text/plain", 0) == 0;
  if (!lines) {
    return call.Fail(ApiError{415, "unsupported_media_type", "Send the policies as application/x-ndjson: one JSON policy a line."});
  }
  const std::string& text = call.request.body;
  const long long total = CountPolicies(text);
  if (total == 0) return call.Fail(Status::InvalidArgument("The body holds no policies: send one JSON policy a line."));
  const std::string key = call.request.Header("Idempotency-Key");
  if (key.size() > 255) return call.Fail(Status::InvalidArgument("Idempotency-Key is longer than 255 characters."));
  Result<LoadedCatalog> catalog = api.catalogs.Get(0);
  if (!catalog.ok()) return CatalogFailure(call, catalog.status());
  Job job;
  job.kind = JobKind::kValidate;
  job.id = "val_" + RandomHex(12);
  job.idempotency_key = key.empty() ? "" : call.subject + "\nvalidation\n" + key;
  job.request_hash = Sha256Hex(text);
  job.quote = {{"policies", text}};
  job.progress = {{"policies_done", 0}, {"policies_total", total}};
  job.catalog_version = catalog->version;
  job.max_attempts = api.options.runner.retry.max_attempts;
  job.created_at = job.run_after = api.clock.NowMs();
  return AcceptJob(api, call, std::move(job), "/v1/validations", &ValidationToJson, [&](const Job& created) {
    call.Note("validation accepted", {{"validation_id", created.id}, {"policies", total}});
  });
}

HttpResponse ListValidations(Api& api, const Call& call) {
  Result<JobFilter> filter = JobFilterFromQuery(call, JobKind::kValidate);
  if (!filter.ok()) return call.Fail(filter.status());
  Result<std::vector<Job>> jobs = api.store.ListJobs(*filter);
  if (!jobs.ok()) return call.Fail(jobs.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& job : *jobs) list.push_back(ValidationToJson(job));
  return JsonResponse(200, {{"validations", list}});
}

HttpResponse GetValidation(Api& api, const Call& call) {
  Result<Job> job = FindValidation(api, call);
  if (!job.ok()) return call.Fail(job.status());
  return JsonResponse(200, ValidationToJson(*job));
}

HttpResponse GetValidationResults(Api& api, const Call& call) {
  Result<Job> job = FindValidation(api, call);
  if (!job.ok()) return call.Fail(job.status());
  if (job->status != JobStatus::kSucceeded) {
    return call.Fail(ApiError{409, "not_ready", "Validation " + job->id + " is " + ToString(job->status) + "; results exist once it succeeded."});
  }
  const std::string blob = job->result.is_object() ? job->result.value("results", "") : "";
  Result<std::string> bytes = api.blobs.Get(blob);
  if (!bytes.ok()) {
    if (bytes.status().code() != StatusCode::kNotFound) return call.Fail(bytes.status());
    return call.Fail(ApiError{410, "gone", "The results of validation " + job->id + " are no longer stored."});
  }
  HttpResponse response;
  response.content_type = "application/x-ndjson";
  response.body = std::move(*bytes);
  response.SetHeader("Content-Disposition", "attachment; filename=\"" + job->id + "-results.jsonl\"");
  return response;
}

HttpResponse CancelValidation(Api& api, const Call& call) {
  Result<Job> job = FindValidation(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<Job> canceled = api.store.CancelJob(job->id, call.By(api.clock.NowMs()));
  if (!canceled.ok()) return call.Fail(canceled.status());
  call.Note("validation canceled", {{"validation_id", job->id}});
  return JsonResponse(200, ValidationToJson(*canceled));
}

}  // namespace docgen::handlers
