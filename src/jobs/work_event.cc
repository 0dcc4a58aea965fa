#include "jobs/work_event.h"

#include <docgen/render.h>
#include <docgen/resolve.h>

#include <cmath>

namespace docgen {
namespace {

constexpr std::array<const char*, 6> kStageNames = {"resolve", "evaluate", "typeset", "draw", "assemble", "store"};

}  // namespace

void WorkEvent::Add(Stage stage, double seconds) {
  const auto i = static_cast<size_t>(stage);
  seconds_[i] += seconds;
  reached_[i] = true;
}

void WorkEvent::Resolved(const Package& package) {
  dimensions_["product"] = package.facts.product;
  dimensions_["jurisdiction"] = package.facts.jurisdiction;
  dimensions_["transaction"] = package.transaction;
  dimensions_["documents"] = package.documents.size();
}

void WorkEvent::Rendered(const RenderTimings& timings, int pages) {
  Add(Stage::kEvaluate, timings.evaluate);
  Add(Stage::kTypeset, timings.typeset);
  Add(Stage::kDraw, timings.draw);
  Add(Stage::kAssemble, timings.assemble);
  dimensions_["pages"] = pages;
}

void WorkEvent::AddTo(nlohmann::json& fields) const {
  for (const auto& [key, value] : dimensions_.items()) fields[key] = value;
  for (size_t i = 0; i < kStages; ++i) {
    // Milliseconds to the microsecond: short stages still show.
    fields[std::string(kStageNames[i]) + "_ms"] = std::round(seconds_[i] * 1e6) / 1e3;
  }
}

void WorkEvent::Observe(Metrics& metrics) const {
  for (size_t i = 0; i < kStages; ++i) {
    if (reached_[i]) metrics.Observe("docgen_stage_duration_seconds", {{"stage", kStageNames[i]}}, seconds_[i]);
  }
}

void WorkEvent::Describe(Metrics& metrics) {
  metrics.Describe("docgen_stage_duration_seconds", Metrics::Type::kHistogram,
                   "Time spent in each stage of producing a package (resolve, evaluate, typeset, draw, assemble, store), "
                   "by jobs and synchronous requests.",
                   {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5});
}

}  // namespace docgen
