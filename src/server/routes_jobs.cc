// Durable jobs: create (idempotent per caller), list, look at, download the
// results of, cancel and retry.
#include <regex>

#include "jobs/callback_url.h"
#include "jobs/job_json.h"
#include "server/routes.h"
#include "server/service.h"
#include "util/text.h"

namespace docgen::handlers {
namespace {

bool ValidJobId(const std::string& id) {
  static const std::regex kId("job_[0-9a-f]{24}");
  return std::regex_match(id, kId);
}

std::string NewJobId() { return "job_" + RandomHex(12); }

// The job named in the path, or the 404 / store error.
Result<Job> FindJob(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  if (!ValidJobId(id)) return Status::NotFound("There is no job " + id.substr(0, 64) + ".");
  Result<Job> job = api.store.GetJob(id);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) return Status::NotFound("There is no job " + id + ".");
  if (job.ok() && job->kind != JobKind::kRender) return Status::NotFound("There is no job " + id + ".");
  return job;
}

std::string ResultBlob(const Job& job, const char* key) {
  return job.result.is_object() && job.result.contains(key) && job.result[key].is_string() ? job.result[key].get<std::string>() : "";
}

HttpResponse Download(Api& api, const Call& call, const Job& job, const std::string& blob, const char* type) {
  if (job.status != JobStatus::kSucceeded) {
    return call.Fail(ApiError{409, "not_ready", "Job " + job.id + " is " + ToString(job.status) + "; results exist once it succeeded."});
  }
  Result<std::string> bytes = api.blobs.Get(blob);
  if (!bytes.ok()) {
    if (bytes.status().code() != StatusCode::kNotFound) return call.Fail(bytes.status());
    return call.Fail(ApiError{410, "gone", "The result of job " + job.id + " is no longer stored."});
  }
  HttpResponse response;
  response.content_type = type;
  response.body = std::move(*bytes);
  return response;
}

// The callback URL of a job request, or why it is refused: a URL that
// uriparser reads (http or https, a host, no user info), whose host resolves
// now, and (unless private callbacks are allowed) only to public addresses.
// The delivery checks it again and connects to the address it checked.
Result<std::string> CallbackUrl(const nlohmann::json& body, const RunnerOptions& runner) {
  if (!body.contains("callback_url")) return std::string();
  const auto& c = body["callback_url"];
  if (!c.is_string()) return Status::InvalidArgument("\"callback_url\" must be an http:// or https:// URL.");
  static const HostResolver kSystem = SystemResolver();
  Result<CallbackTarget> checked = CheckCallbackUrl(c.get<std::string>(), runner.allow_private_callbacks,
                                                    runner.resolve_host ? runner.resolve_host : kSystem);
  // A name that cannot be resolved right now is refused too: the caller
  // sees why and may send the job again.
  if (!checked.ok()) return Status::InvalidArgument(checked.status().message());
  return c.get<std::string>();
}

}  // namespace

HttpResponse CreateJob(Api& api, const Call& call) {
  JsonBody body = ParseJsonBody(call);
  if (!body.value) return body.error;
  nlohmann::json& request = *body.value;  // the quote is moved out of it below: one copy of a large quote, not two
  if (!request.is_object()) return call.Fail(Status::InvalidArgument("The body must be an object {\"quote\": ..., \"callback_url\": ...}."));
  for (const auto& [key, unused] : request.items()) {
    if (key != "quote" && key != "callback_url") {
      return call.Fail(Status::InvalidArgument("Unknown field \"" + key + "\"; a job takes quote and callback_url."));
    }
  }
  if (!request.contains("quote") || !request["quote"].is_object()) {
    return call.Fail(Status::InvalidArgument("\"quote\" is required and must be an object."));
  }
  Result<std::string> callback = CallbackUrl(request, api.options.runner);
  if (!callback.ok()) return call.Fail(callback.status());
  const std::string key = call.request.Header("Idempotency-Key");
  if (key.size() > 255) return call.Fail(Status::InvalidArgument("Idempotency-Key is longer than 255 characters."));
  Result<LoadedCatalog> catalog = api.catalogs.Get(0);
  if (!catalog.ok()) {
    if (catalog.status().code() == StatusCode::kUnavailable) return call.Fail(catalog.status());
    return call.Fail(ApiError{503, "catalog_unavailable", catalog.status().message()});
  }
  Job job;
  job.id = NewJobId();
  // Keys are per caller: another client's key can neither return nor reveal this job.
  job.idempotency_key = key.empty() ? "" : call.subject + "\n" + key;
  job.request_hash = Sha256Hex(request.dump());
  job.quote = std::move(request["quote"]);
  job.callback_url = *callback;
  job.catalog_version = catalog->version;
  job.max_attempts = api.options.runner.retry.max_attempts;
  job.created_at = job.run_after = api.clock.NowMs();
  return AcceptJob(api, call, std::move(job), "/v1/jobs", &JobToJson, [&](const Job& created) {
    call.Note("job accepted", {{"job_id", created.id}, {"quote_id", created.quote_id}, {"catalog_version", created.catalog_version}});
    api.metrics.Add("docgen_jobs_created_total", {});
  });
}

HttpResponse ListJobs(Api& api, const Call& call) {
  Result<JobFilter> filter = JobFilterFromQuery(call, JobKind::kRender);  // validations are listed at /v1/validations
  if (!filter.ok()) return call.Fail(filter.status());
  Result<std::vector<Job>> jobs = api.store.ListJobs(*filter);
  if (!jobs.ok()) return call.Fail(jobs.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& job : *jobs) list.push_back(JobToJson(job));
  return JsonResponse(200, {{"jobs", list}});
}

HttpResponse GetJob(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  return JsonResponse(200, JobToJson(*job));
}

HttpResponse GetJobPackagePdf(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  return Download(api, call, *job, ResultBlob(*job, "package_pdf"), "application/pdf");
}

HttpResponse GetJobPackageJson(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  return Download(api, call, *job, ResultBlob(*job, "package_json"), "application/json");
}

HttpResponse GetJobDocument(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  const std::string& name = call.Param("name");
  if (job->result.is_object() && job->result.contains("documents")) {
    for (const auto& d : job->result["documents"]) {
      if (d.value("name", "") == name) return Download(api, call, *job, d.value("blob", ""), "application/pdf");
    }
  }
  return call.Fail(Status::NotFound("Job " + job->id + " has no document " + name.substr(0, 128) + "."));
}

HttpResponse ListJobWebhooks(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<std::vector<WebhookAttempt>> attempts = api.store.WebhookAttempts(job->id);
  if (!attempts.ok()) return call.Fail(attempts.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  // Why a delivery failed (the receiver's status, a refused or unreachable
  // address) would tell a viewer about hosts behind this server: admins only.
  const bool details = call.role == Role::kAdmin;
  for (const auto& a : *attempts) {
    nlohmann::ordered_json entry = {
        {"attempt", a.attempt}, {"at", IsoTime(a.at)}, {"outcome", a.error.empty() ? "delivered" : "failed"}};
    if (details) {
      entry["http_status"] = a.http_status;
      entry["error"] = a.error;
    }
    list.push_back(std::move(entry));
  }
  return JsonResponse(200, {{"job_id", job->id}, {"state", job->webhook_state}, {"attempts", list}});
}

HttpResponse CancelJob(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<Job> canceled = api.store.CancelJob(job->id, call.By(api.clock.NowMs()));
  if (!canceled.ok()) return call.Fail(canceled.status());
  call.Note("job canceled", {{"job_id", job->id}});
  return JsonResponse(200, JobToJson(*canceled));
}

HttpResponse RetryJob(Api& api, const Call& call) {
  Result<Job> job = FindJob(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<Job> retried = api.store.RetryJob(job->id, call.By(api.clock.NowMs()));
  if (!retried.ok()) return call.Fail(retried.status());
  call.Note("job retried by request", {{"job_id", job->id}});
  return JsonResponse(202, JobToJson(*retried));
}

}  // namespace docgen::handlers

namespace docgen {

Result<JobFilter> JobFilterFromQuery(const Call& call, JobKind kind) {
  JobFilter filter;
  filter.kind = kind;
  if (call.request.HasQuery("status")) {
    filter.status = ParseJobStatus(call.request.Query("status"));
    if (!filter.status) return Status::InvalidArgument("status must be queued, running, succeeded, failed or canceled.");
  }
  const std::optional<int64_t> after = WholeQuery(call, "created_after", 0, INT64_MAX, filter.created_after);
  const std::optional<int64_t> before = WholeQuery(call, "created_before", 0, INT64_MAX, filter.created_before);
  const std::optional<int64_t> limit = WholeQuery(call, "limit", 0, INT64_MAX, 100);
  if (!after || !before || !limit) {
    return Status::InvalidArgument("created_after, created_before (milliseconds since the epoch) and limit must be whole numbers.");
  }
  filter.created_after = *after;
  filter.created_before = *before;
  filter.limit = static_cast<int>(std::clamp<int64_t>(*limit, 1, 1000));
  return filter;
}

HttpResponse AcceptJob(Api& api, const Call& call, Job job, const std::string& collection,
                       nlohmann::ordered_json (*to_json)(const Job&), const std::function<void(const Job&)>& created) {
  // The job's log events name the request and caller that made it, and join
  // its trace (so do its webhooks).
  job.trace_id = call.trace_id;
  job.request_id = call.request_id;
  job.subject = call.subject;
  Result<CreatedJob> stored = api.store.CreateJob(job);
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kConflict) {
      return call.Fail(ApiError::FromStatus(stored.status()).WithCode("idempotency_conflict"));
    }
    call.Note("cannot store a job", {{"error", stored.status().ToString()}, {"kind", ToString(job.kind)}});
    return call.Fail(stored.status());
  }
  HttpResponse response = JsonResponse(202, to_json(stored->job));  // a replay answers as the original request did
  if (stored->created) {
    created(stored->job);
  } else {
    response.SetHeader("Idempotent-Replayed", "true");
  }
  response.SetHeader("Location", collection + "/" + stored->job.id);
  return response;
}

}  // namespace docgen
