// Registered operations (SPEC §10): the built-in operations with their
// parameter schemas, runs (a dry run answers at once with its plan; a run is
// queued and run by a worker of any docgen process), and the runs' records.
#include <regex>

#include "jobs/operations.h"
#include "server/routes.h"

namespace docgen::handlers {

HttpResponse ListOperations(Api&, const Call&) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& op : Operations()) {
    list.push_back({{"name", op.name}, {"summary", op.summary}, {"params_schema", op.params_schema}});
  }
  return JsonResponse(200, {{"operations", list}});
}

HttpResponse RunOperation(Api& api, const Call& call) {
  JsonBody body = ParseJsonBody(call);
  if (!body.value) return body.error;
  const nlohmann::json& request = *body.value;
  if (!request.is_object()) return call.Fail(Status::InvalidArgument("Send {\"reason\": \"...\", \"params\": {...}, \"dry_run\": true|false}."));
  for (const auto& [key, unused] : request.items()) {
    if (key != "reason" && key != "params" && key != "dry_run") {
      return call.Fail(Status::InvalidArgument("/" + key.substr(0, 64) + ": unknown field; a run takes reason, params and dry_run."));
    }
  }
  if (!request.contains("reason") || !request["reason"].is_string()) {
    return call.Fail(Status::InvalidArgument("/reason: say why this operation runs (a string); it is kept with the run and in the audit log."));
  }
  if (request.contains("dry_run") && !request["dry_run"].is_boolean()) return call.Fail(Status::InvalidArgument("/dry_run: true or false."));
  const bool dry_run = request.value("dry_run", false);
  const nlohmann::json params = request.contains("params") ? request["params"] : nlohmann::json::object();
  Actor by = call.By(api.clock.NowMs());
  by.reason = request["reason"].get<std::string>();
  Result<OpRun> run = StartOperation(api.store, call.Param("name"), params, dry_run, by);
  if (!run.ok()) return call.Fail(run.status());
  call.Note(dry_run ? "operation dry run" : "operation run queued",
            {{"run_id", run->id}, {"operation", run->operation}, {"steps", run->plan.size()}});
  HttpResponse response = JsonResponse(dry_run ? 200 : 202, OpRunToJson(*run, true));
  response.SetHeader("Location", "/v1/ops/runs/" + run->id);
  return response;
}

HttpResponse ListOperationRuns(Api& api, const Call& call) {
  const std::optional<int64_t> limit = WholeQuery(call, "limit", 1, 1000, 100);
  if (!limit) return call.Fail(Status::InvalidArgument("\"limit\" is a whole number from 1 to 1000."));
  Result<std::vector<OpRun>> runs = api.store.ListOpRuns(static_cast<int>(*limit));
  if (!runs.ok()) return call.Fail(runs.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& run : *runs) list.push_back(OpRunToJson(run, false));
  return JsonResponse(200, {{"runs", list}});
}

HttpResponse GetOperationRun(Api& api, const Call& call) {
  const std::optional<int64_t> offset = WholeQuery(call, "offset", 0, 100000000, 0);
  const std::optional<int64_t> limit = WholeQuery(call, "limit", 1, 10000, 1000);
  if (!offset || !limit) {
    return call.Fail(Status::InvalidArgument("\"offset\" (from 0) and \"limit\" (1 to 10000) choose which steps of the plan are shown."));
  }
  static const std::regex kId("op_[0-9a-f]{24}");
  const std::string& id = call.Param("id");
  if (!std::regex_match(id, kId)) return call.Fail(Status::NotFound("There is no operation run " + id.substr(0, 64) + "."));
  Result<OpRun> run = api.store.GetOpRun(id);
  if (!run.ok()) {
    return call.Fail(run.status().code() == StatusCode::kNotFound ? Status::NotFound("There is no operation run " + id + ".") : run.status());
  }
  return JsonResponse(200, OpRunToJson(*run, true, static_cast<size_t>(*offset), static_cast<size_t>(*limit)));
}

}  // namespace docgen::handlers
