// Registered operations (SPEC §10): one-off maintenance done through docgen,
// never by scripts against the database. Each operation declares its
// parameters as a JSON Schema (the admin UI builds its form from it), plans
// the steps a run makes (a dry run stores and shows that plan, changing
// nothing), and a run applies its steps one at a time, each at most once
// (Store::ApplyOpStep), so a run cut short by a crash is resumed by whoever
// claims it next and never applies a step twice.
//
// Built in: retry-failed, regenerate, revalidate, prune, republish
// (README "Registered operations").
#pragma once

#include <docgen/store.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace docgen {

struct Operation {
  std::string name;
  std::string summary;
  nlohmann::json params_schema;  // JSON Schema of the parameters object
};

const std::vector<Operation>& Operations();
const Operation* FindOperation(const std::string& name);  // null when there is none

// Parameters from the command line's KEY=VALUE pairs: each value read as its
// schema's type says (integers as numbers). kInvalidArgument naming the pair.
Result<nlohmann::json> OpParamsFromPairs(const Operation& op, const std::vector<std::string>& pairs);

// Checks the parameters and reason, plans the steps and stores the run
// (audited as who `by` names, with `by.reason`). kInvalidArgument says which
// parameter (JSON Pointer) is wrong and why; kNotFound for an unknown
// operation. A dry run is stored finished, its plan being what a run would do.
Result<OpRun> StartOperation(Store& store, const std::string& name, const nlohmann::json& params, bool dry_run, const Actor& by);

// Runs a claimed run to its end from where it stopped: applies each step not
// yet applied, keeping the lease alive, and marks the run succeeded (or
// failed with why). `progress` hears (steps done, steps) after each step.
// Stops early, leaving the run to be resumed, when `stop` becomes true, the
// lease is lost, or the database stays unavailable.
Status ExecuteOpRun(Store& store, const OpRun& run, const std::string& worker, const Clock& clock, int64_t lease_ms,
                    const std::atomic<bool>* stop = nullptr,
                    const std::function<void(int64_t done, int64_t total)>& progress = nullptr);

// As the API shows it: {"id", "operation", "params", "dry_run", "actor",
// "role", "reason", "status", "created_at", "finished_at"?, "steps": n,
// "steps_done", "error"?}; with steps, also the descriptions of the plan's
// steps and the outcomes of those applied, from step `offset` on, at most
// `limit` of each ("steps_offset": offset): a plan may have 100,000 steps.
nlohmann::ordered_json OpRunToJson(const OpRun& run, bool with_steps, size_t offset = 0, size_t limit = 1000);

}  // namespace docgen
