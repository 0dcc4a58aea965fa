#include "jobs/operations.h"

#include <thread>

#include "jobs/job_json.h"
#include "schema/variables_schema.h"
#include "util/text.h"

namespace docgen {
namespace {

constexpr size_t kMaxSteps = 100000;  // a larger run is refused: narrow its window

const nlohmann::json kTime = {{"type", "string"},
                              {"description", "A date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch."}};

nlohmann::json Window(const std::string& what) {
  nlohmann::json since = kTime, until = kTime;
  since["title"] = what + " created from";
  until["title"] = what + " created before";
  until["description"] = "Default: now. " + kTime["description"].get<std::string>();
  return {{"since", since}, {"until", until}};
}

std::vector<Operation> BuiltIn() {
  nlohmann::json regenerate = {{"type", "object"}, {"additionalProperties", false}, {"properties", Window("Jobs")}};
  regenerate["properties"]["catalog_version"] = {{"type", "integer"}, {"minimum", 1}, {"title", "Catalog version"},
                                                 {"description", "Only jobs that were rendered with this catalog version."}};
  regenerate["anyOf"] = nlohmann::json::array({{{"required", {"since"}}}, {{"required", {"catalog_version"}}}});
  return {
      {"retry-failed", "Queue the failed jobs (renders and validations) created in a time window again, as new.",
       {{"type", "object"}, {"additionalProperties", false}, {"properties", Window("Jobs")}, {"required", {"since"}}}},
      {"regenerate",
       "Render the succeeded jobs of a time window or of a catalog version again, as new jobs on the current catalog version.",
       regenerate},
      {"revalidate", "Validate the policies of the succeeded validations of a time window again, as new validations on the current catalog.",
       {{"type", "object"}, {"additionalProperties", false}, {"properties", Window("Validations")}, {"required", {"since"}}}},
      {"prune", "Apply retention now: delete the jobs finished more than N days ago (their results go with the next blob sweep).",
       {{"type", "object"},
        {"additionalProperties", false},
        {"properties", {{"older_than_days", {{"type", "integer"}, {"minimum", 0}, {"maximum", 36500}, {"default", 30},
                                             {"title", "Older than (days)"}}}}}}},
      {"republish", "Make catalog version N current again (a rollback): its files become a new current version.",
       {{"type", "object"},
        {"additionalProperties", false},
        {"properties", {{"version", {{"type", "integer"}, {"minimum", 1}, {"title", "Catalog version"}}}}},
        {"required", {"version"}}}},
  };
}

const char* KindName(OpStep::Kind kind) {
  switch (kind) {
    case OpStep::Kind::kRetryJob: return "retry_job";
    case OpStep::Kind::kCopyJob: return "copy_job";
    case OpStep::Kind::kPruneJobs: return "prune_jobs";
    case OpStep::Kind::kRepublish: return "republish";
  }
  return "";
}

nlohmann::json StepJson(const OpStep& step, const std::string& description) {
  return {{"kind", KindName(step.kind)}, {"job_id", step.job_id}, {"new_job_id", step.new_job_id},
          {"number", step.number}, {"description", description}};
}

std::optional<OpStep> StepFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  OpStep step;
  const std::string kind = j.value("kind", "");
  bool known = false;
  for (OpStep::Kind k : {OpStep::Kind::kRetryJob, OpStep::Kind::kCopyJob, OpStep::Kind::kPruneJobs, OpStep::Kind::kRepublish}) {
    if (kind == KindName(k)) step.kind = k, known = true;
  }
  if (!known) return std::nullopt;
  step.job_id = j.value("job_id", "");
  step.new_job_id = j.value("new_job_id", "");
  step.number = j.value("number", int64_t{0});
  return step;
}

// The time parameter `name` (ms), `fallback` when absent.
Result<int64_t> TimeParam(const nlohmann::json& params, const char* name, int64_t fallback) {
  if (!params.contains(name)) return fallback;
  std::optional<int64_t> at = ParseIsoTime(params[name].get<std::string>());
  if (!at) {
    return Status::InvalidArgument(std::string("/params/") + name + ": \"" + params[name].get<std::string>() +
                                   "\" is not a date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) or ms since the epoch.");
  }
  return *at;
}

// The jobs a filter selects, as one step each.
Result<nlohmann::json> JobSteps(Store& store, JobFilter filter, OpStep::Kind kind, const char* new_prefix, const char* verb) {
  filter.limit = static_cast<int>(kMaxSteps + 1);
  Result<std::vector<std::string>> ids = store.JobIds(filter);
  if (!ids.ok()) return ids.status();
  if (ids->size() > kMaxSteps) {
    return Status::InvalidArgument("The run would change more than " + std::to_string(kMaxSteps) +
                                   " jobs; narrow the time window (since, until).");
  }
  nlohmann::json plan = nlohmann::json::array();
  for (auto it = ids->rbegin(); it != ids->rend(); ++it) {  // oldest first
    OpStep step;
    step.kind = kind;
    step.job_id = *it;
    if (kind == OpStep::Kind::kCopyJob) step.new_job_id = new_prefix + RandomHex(12);
    plan.push_back(StepJson(step, std::string(verb) + " job " + *it +
                                      (step.new_job_id.empty() ? "" : " as new job " + step.new_job_id)));
  }
  return plan;
}

Result<nlohmann::json> Plan(Store& store, const std::string& name, const nlohmann::json& params, int64_t now) {
  Result<int64_t> since = TimeParam(params, "since", 0);
  if (!since.ok()) return since.status();
  Result<int64_t> until = TimeParam(params, "until", now);
  if (!until.ok()) return until.status();
  JobFilter window;
  window.created_after = *since;
  window.created_before = *until;
  if (name == "retry-failed") {
    window.status = JobStatus::kFailed;
    return JobSteps(store, window, OpStep::Kind::kRetryJob, "", "queue again");
  }
  if (name == "regenerate" || name == "revalidate") {
    window.status = JobStatus::kSucceeded;
    window.kind = name == "regenerate" ? JobKind::kRender : JobKind::kValidate;
    window.catalog_version = params.value("catalog_version", int64_t{0});
    return JobSteps(store, window, OpStep::Kind::kCopyJob, name == "regenerate" ? "job_" : "val_",
                    name == "regenerate" ? "render again" : "validate again");
  }
  if (name == "prune") {
    const int64_t days = params.value("older_than_days", int64_t{30});
    OpStep step;
    step.kind = OpStep::Kind::kPruneJobs;
    step.number = now - days * 24 * 60 * 60 * 1000;
    return nlohmann::json::array({StepJson(step, "delete the jobs finished before " + IsoTime(step.number))});
  }
  if (name == "republish") {
    OpStep step;
    step.kind = OpStep::Kind::kRepublish;
    step.number = params["version"].get<int64_t>();
    Result<CatalogVersion> version = store.GetCatalogVersion(step.number);
    if (!version.ok()) {
      if (version.status().code() == StatusCode::kNotFound) {
        return Status::InvalidArgument("/params/version: there is no catalog version " + std::to_string(step.number) + ".");
      }
      return version.status();
    }
    return nlohmann::json::array({StepJson(step, "make catalog version " + std::to_string(step.number) + " (" + version->digest +
                                                     ") current again")});
  }
  return Status::NotFound("There is no operation " + name + ".");
}

}  // namespace

const std::vector<Operation>& Operations() {
  static const std::vector<Operation> kOperations = BuiltIn();
  return kOperations;
}

const Operation* FindOperation(const std::string& name) {
  for (const auto& op : Operations()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

Result<nlohmann::json> OpParamsFromPairs(const Operation& op, const std::vector<std::string>& pairs) {
  nlohmann::json params = nlohmann::json::object();
  const nlohmann::json& properties = op.params_schema["properties"];
  for (const auto& pair : pairs) {
    const size_t equals = pair.find('=');
    if (equals == std::string::npos || equals == 0) return Status::InvalidArgument("--param " + pair + ": write KEY=VALUE.");
    const std::string key = pair.substr(0, equals), value = pair.substr(equals + 1);
    if (!properties.contains(key)) {
      std::vector<std::string> known;
      for (const auto& [name, unused] : properties.items()) known.push_back(name);
      return Status::InvalidArgument("--param " + key + ": " + op.name + " has no such parameter (it takes " + Join(known) + ").");
    }
    if (properties[key].value("type", "") == "integer") {
      if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument("--param " + key + ": \"" + value + "\" is not a whole number.");
      }
      params[key] = std::stoll(value);
    } else {
      params[key] = value;
    }
  }
  return params;
}

Result<OpRun> StartOperation(Store& store, const std::string& name, const nlohmann::json& params, bool dry_run, const Actor& by) {
  const Operation* op = FindOperation(name);
  if (op == nullptr) return Status::NotFound("There is no operation " + name.substr(0, 64) + " (docgen ops list shows them).");
  if (by.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("/reason: say why this operation runs; the reason is kept with the run and in the audit log.");
  }
  static const auto kCompiled = [] {
    std::map<std::string, std::shared_ptr<const VariablesSchema>> compiled;
    for (const auto& o : Operations()) {
      std::string why;
      compiled[o.name] = VariablesSchema::Compile(o.params_schema, &why);
    }
    return compiled;
  }();
  const auto& schema = kCompiled.at(op->name);
  if (!params.is_object()) return Status::InvalidArgument("/params: the parameters are an object.");
  if (auto violations = schema->Validate(params); !violations.empty()) {
    return Status::InvalidArgument("/params" + violations[0].path + ": " + violations[0].message);
  }
  Result<nlohmann::json> plan = Plan(store, op->name, params, by.at);
  if (!plan.ok()) return plan.status();
  OpRun run;
  run.id = "op_" + RandomHex(12);
  run.operation = op->name;
  run.params = params;
  run.dry_run = dry_run;
  run.by = by;
  run.plan = std::move(*plan);
  return store.CreateOpRun(run);
}

Status ExecuteOpRun(Store& store, const OpRun& run, const std::string& worker, const Clock& clock, int64_t lease_ms,
                    const std::atomic<bool>* stop, const std::function<void(int64_t, int64_t)>& progress) {
  const int64_t total = run.steps;
  if (!run.plan.is_array() || static_cast<int64_t>(run.plan.size()) != total) {
    const std::string why = "its stored plan cannot be read";
    Status finished = store.FinishOpRun(run.id, worker, why, clock.NowMs());
    return finished.ok() ? Status::Internal(why) : finished;
  }
  // Steps are applied in order, so those done are the first steps_done.
  for (int64_t i = run.steps_done; i < total; ++i) {
    if (stop != nullptr && *stop) return Status::Unavailable("stopped; the run is resumed when its lease ends");
    std::optional<OpStep> step = StepFromJson(run.plan[static_cast<size_t>(i)]);
    if (!step) {
      const std::string why = "step " + std::to_string(i + 1) + " of the plan cannot be read";
      Status finished = store.FinishOpRun(run.id, worker, why, clock.NowMs());
      return finished.ok() ? Status::Internal(why) : finished;
    }
    Status applied = Status::Ok();
    for (int64_t wait_ms = 100;; wait_ms *= 2) {  // an outage: wait, while the lease lasts
      const int64_t now = clock.NowMs();
      Result<std::optional<std::string>> outcome = store.ApplyOpStep(run.id, i, *step, worker, now, now + lease_ms);
      applied = outcome.status();
      if (applied.code() != StatusCode::kUnavailable || wait_ms > lease_ms / 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
    if (applied.code() == StatusCode::kConflict || applied.code() == StatusCode::kUnavailable) return applied;
    if (!applied.ok()) {
      Status finished = store.FinishOpRun(run.id, worker, "step " + std::to_string(i + 1) + ": " + applied.message(), clock.NowMs());
      return finished.ok() ? applied : finished;
    }
    if (progress) progress(i + 1, total);
  }
  return store.FinishOpRun(run.id, worker, "", clock.NowMs());
}

nlohmann::ordered_json OpRunToJson(const OpRun& run, bool with_steps, size_t offset, size_t limit) {
  nlohmann::ordered_json j = {{"id", run.id},           {"operation", run.operation}, {"params", run.params},
                              {"dry_run", run.dry_run}, {"actor", run.by.name},       {"role", run.by.role},
                              {"reason", run.by.reason}, {"status", run.status},      {"created_at", IsoTime(run.by.at)}};
  if (run.finished_at > 0) j["finished_at"] = IsoTime(run.finished_at);
  j["steps"] = run.steps;
  j["steps_done"] = run.steps_done;
  if (!run.error.empty()) j["error"] = run.error;
  if (with_steps) {
    j["steps_offset"] = offset;
    j["plan"] = nlohmann::ordered_json::array();
    for (size_t i = offset; i < run.plan.size() && i < offset + limit; ++i) j["plan"].push_back(run.plan[i].value("description", ""));
    j["outcomes"] = nlohmann::ordered_json::array();
    for (size_t i = offset; i < run.outcomes.size() && i < offset + limit; ++i) j["outcomes"].push_back(run.outcomes[i]);
  }
  return j;
}

}  // namespace docgen
