// Test runs over HTTP (SPEC §8): durable runs of every document variant
// against the goldens, their variants and pictures, and approval.
#include <regex>

#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "jobs/test_run_job.h"
#include "server/draft_catalog.h"
#include "server/routes.h"
#include "server/service.h"
#include "util/text.h"

namespace docgen::handlers {
namespace {

constexpr int kDefaultVariants = 100;
constexpr int kMaxVariants = 1000;

Result<Job> FindTestRun(Api& api, const Call& call) {
  static const std::regex kId("run_[0-9a-f]{24}");
  const std::string& id = call.Param("id");
  const Status missing = Status::NotFound("There is no test run " + id.substr(0, 64) + ".");
  if (!std::regex_match(id, kId)) return missing;
  Result<Job> job = api.store.GetJob(id);
  if (!job.ok() && job.status().code() == StatusCode::kNotFound) return missing;
  if (job.ok() && job->kind != JobKind::kTestRun) return missing;
  return job;
}

// An optional JSON object body: {} when there is none.
JsonBody OptionalObject(const Call& call, const char* shape) {
  if (call.request.body.empty()) return {nlohmann::json::object(), {}};
  JsonBody body = ParseJsonBody(call);
  if (body.value && !body.value->is_object()) {
    return {std::nullopt, call.Fail(Status::InvalidArgument(std::string("Send ") + shape + " (every field optional)."))};
  }
  return body;
}

}  // namespace

HttpResponse CreateTestRun(Api& api, const Call& call) {
  JsonBody body = OptionalObject(call, "{\"drafts\": true|false}");
  if (!body.value) return body.error;
  for (const auto& [key, value] : body.value->items()) {
    if (key != "drafts") return call.Fail(Status::InvalidArgument("/" + key.substr(0, 64) + ": unknown field; a test run takes drafts."));
    if (!value.is_boolean()) return call.Fail(Status::InvalidArgument("/drafts: true or false."));
  }
  const bool drafts = body.value->value("drafts", false);
  const std::string key = call.request.Header("Idempotency-Key");
  if (key.size() > 255) return call.Fail(Status::InvalidArgument("Idempotency-Key is longer than 255 characters."));

  Job job = NewTestRunJob(nullptr, 0, api.options.runner.retry.max_attempts, api.clock.NowMs());
  if (drafts) {
    // The drafts as they are now: editing on while the run goes does not change what it tests.
    Result<DraftCatalog> drafted = DraftFiles(api);
    if (!drafted.ok()) return DraftFailure(call, drafted.status());
    CatalogLoad load = LoadCatalog(drafted->files);
    if (!load.catalog) return LintFailed(call, load, "The catalog with the drafts applied has lint errors; GET /v1/catalog/drafts:lint lists them.");
    job.quote = TestRunInput(TestRunTrigger::kDrafts, CatalogFilesToJson(drafted->files));
    job.catalog_version = drafted->version;
  } else {
    Result<int64_t> current = api.store.CurrentCatalogVersion();
    if (!current.ok()) return call.Fail(current.status());
    if (*current == 0) {
      return call.Fail(ApiError{409, "no_catalog", "No catalog has been published yet; publish one before running its tests."});
    }
    job.quote = TestRunInput(TestRunTrigger::kManual);
    job.catalog_version = *current;
  }
  job.idempotency_key = key.empty() ? "" : call.subject + "\ntest-run\n" + key;
  // The request, not the state it met: a retry with the same key after a publish or an edit finds the first run.
  job.request_hash = Sha256Hex(std::string("test-run\n") + (drafts ? "drafts" : "manual"));
  return AcceptJob(api, call, std::move(job), "/v1/test-runs", &TestRunToJson, [&](const Job& created) {
    call.Note("test run accepted", {{"test_run_id", created.id}, {"drafts", drafts}, {"catalog_version", created.catalog_version}});
  });
}

HttpResponse ListTestRuns(Api& api, const Call& call) {
  Result<JobFilter> filter = JobFilterFromQuery(call, JobKind::kTestRun);
  if (!filter.ok()) return call.Fail(filter.status());
  Result<std::vector<Job>> jobs = api.store.ListJobs(*filter);
  if (!jobs.ok()) return call.Fail(jobs.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& job : *jobs) list.push_back(TestRunToJson(job));
  return JsonResponse(200, {{"test_runs", list}});
}

HttpResponse GetTestRun(Api& api, const Call& call) {
  Result<Job> job = FindTestRun(api, call);
  if (!job.ok()) return call.Fail(job.status());
  return JsonResponse(200, TestRunToJson(*job));
}

HttpResponse ListTestRunVariants(Api& api, const Call& call) {
  Result<Job> job = FindTestRun(api, call);
  if (!job.ok()) return call.Fail(job.status());
  const std::string status = call.request.Query("status");
  if (!status.empty() && status != "same" && status != "changed" && status != "new" && status != "failed" && status != "removed") {
    return call.Fail(Status::InvalidArgument("?status= is same, changed, new, failed or removed, not \"" + status.substr(0, 32) + "\"."));
  }
  TestVariantFilter filter;
  filter.status = status;
  filter.limit = kDefaultVariants;
  const std::optional<int64_t> limit = WholeQuery(call, "limit", 1, kMaxVariants, filter.limit);
  if (!limit) return call.Fail(Status::InvalidArgument("?limit= is a whole number from 1 to " + std::to_string(kMaxVariants) + "."));
  filter.limit = static_cast<int>(*limit);
  const std::optional<int64_t> after = WholeQuery(call, "after", 0, int64_t{1} << 40, filter.after);
  if (!after) return call.Fail(Status::InvalidArgument("?after= is the seq of the last variant of the previous page."));
  filter.after = *after;
  nlohmann::ordered_json body;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  if (status != "removed") {
    Result<std::vector<TestVariantRecord>> variants = api.store.TestVariants(job->id, filter);
    if (!variants.ok()) return call.Fail(variants.status());
    for (const auto& v : *variants) list.push_back(TestVariantToJson(job->id, v));
    body["next_after"] = static_cast<int>(variants->size()) == filter.limit ? nlohmann::ordered_json(variants->back().seq) : nullptr;
  }
  body["variants"] = std::move(list);
  // Goldens whose variant no longer exists are known once the run ended.
  if ((status.empty() || status == "removed") && filter.after == 0) {
    body["removed"] = job->result.is_object() ? job->result.value("removed", nlohmann::json::array()) : nlohmann::json::array();
  }
  return JsonResponse(200, body);
}

HttpResponse GetTestRunImage(Api& api, const Call& call) {
  Result<Job> job = FindTestRun(api, call);
  if (!job.ok()) return call.Fail(job.status());
  const std::string& kind = call.Param("kind");
  std::string page_text = call.Param("page");
  const bool png = page_text.size() > 4 && page_text.compare(page_text.size() - 4, 4, ".png") == 0;
  const std::optional<int64_t> seq = WholeNumber(call.Param("seq"), 1, int64_t{1} << 40);
  const std::optional<int64_t> page = png ? WholeNumber(page_text.substr(0, page_text.size() - 4), 1, 100000) : std::nullopt;
  if (!seq || !page || (kind != "golden" && kind != "new" && kind != "diff")) {
    return call.Fail(Status::NotFound("There is no such picture: ask for variants/SEQ/golden|new|diff/PAGE.png."));
  }
  TestVariantFilter filter;
  filter.after = *seq - 1;
  filter.limit = 1;
  Result<std::vector<TestVariantRecord>> variants = api.store.TestVariants(job->id, filter);
  if (!variants.ok()) return call.Fail(variants.status());
  if (variants->empty() || variants->front().seq != *seq) {
    return call.Fail(Status::NotFound("Test run " + job->id + " has no variant " + std::to_string(*seq) + " (yet)."));
  }
  const TestVariantRecord& v = variants->front();
  const std::vector<std::string>& names = kind == "golden" ? v.golden : kind == "new" ? v.pages : v.diffs;
  const size_t index = static_cast<size_t>(*page - 1);
  if (index >= names.size() || names[index].empty()) {
    return call.Fail(Status::NotFound("Variant " + v.key + " has no " + kind + " picture of page " + std::to_string(*page) + "."));
  }
  Result<std::string> bytes = api.blobs.Get(names[index]);
  if (!bytes.ok()) {
    if (bytes.status().code() != StatusCode::kNotFound) return call.Fail(bytes.status());
    return call.Fail(ApiError{410, "gone", "The picture is no longer stored."});
  }
  HttpResponse response;
  response.content_type = "image/png";
  response.body = std::move(*bytes);
  response.SetHeader("Cache-Control", "private, max-age=86400, immutable");  // a blob's bytes never change
  return response;
}

HttpResponse ApproveTestRunRoute(Api& api, const Call& call) {
  JsonBody body = OptionalObject(call, "{\"variants\": [KEY or key prefix, ...], \"reason\": \"...\"}");
  if (!body.value) return body.error;
  std::vector<std::string> only;
  Actor by = call.By(api.clock.NowMs());
  for (const auto& [key, value] : body.value->items()) {
    if (key == "reason" && value.is_string()) {
      by.reason = value.get<std::string>();
    } else if (key == "variants" && value.is_array() && !value.empty()) {
      for (size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string() || value[i].get<std::string>().empty()) {
          return call.Fail(Status::InvalidArgument("/variants/" + std::to_string(i) + ": a variant key, or the start of keys (\"FORM@1/\")."));
        }
        only.push_back(value[i].get<std::string>());
      }
    } else {
      return call.Fail(Status::InvalidArgument("/" + key.substr(0, 64) +
                                               (key == "reason" || key == "variants" ? ": reason is a string, variants a non-empty list of keys."
                                                                                     : ": unknown field; approval takes variants and reason.")));
    }
  }
  Result<Job> job = FindTestRun(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<Approval> approved = ApproveTestRun(api.store, *job, only, by);
  if (!approved.ok()) {
    if (approved.status().code() == StatusCode::kConflict) return call.Fail(ApiError::FromStatus(approved.status()).WithCode("not_ready"));
    return call.Fail(approved.status());
  }
  call.Note("test run approved", {{"test_run_id", job->id}, {"approved", approved->approved}, {"dropped", approved->dropped}});
  return JsonResponse(200, {{"approved", approved->approved}, {"dropped", approved->dropped}, {"test_run", TestRunToJson(*job)}});
}

HttpResponse CancelTestRun(Api& api, const Call& call) {
  Result<Job> job = FindTestRun(api, call);
  if (!job.ok()) return call.Fail(job.status());
  Result<Job> canceled = api.store.CancelJob(job->id, call.By(api.clock.NowMs()));
  if (!canceled.ok()) return call.Fail(canceled.status());
  call.Note("test run canceled", {{"test_run_id", job->id}});
  return JsonResponse(200, TestRunToJson(*canceled));
}

}  // namespace docgen::handlers
