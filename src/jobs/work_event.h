// The wide event of resolving and rendering one package (SPEC §9): its
// dimensions (product, jurisdiction, transaction, documents, pages) and the
// time spent in each stage: resolve, evaluate, typeset, draw, assemble,
// store. A job attempt and a synchronous render request each fill one and
// add it to their one log event; the stages' times are also observed as
// docgen_stage_duration_seconds{stage}.
#pragma once

#include <array>
#include <chrono>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/metrics.h"

namespace docgen {

struct Package;
struct RenderTimings;

enum class Stage { kResolve, kEvaluate, kTypeset, kDraw, kAssemble, kStore };

class WorkEvent {
 public:
  // Adds the time until it goes out of scope to a stage.
  class [[nodiscard]] Timer {
   public:
    Timer(WorkEvent& event, Stage stage) : event_(event), stage_(stage) {}
    ~Timer() { event_.Add(stage_, std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

   private:
    WorkEvent& event_;
    Stage stage_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  };

  Timer Time(Stage stage) { return Timer(*this, stage); }
  void Add(Stage stage, double seconds);
  // The package's dimensions: product, jurisdiction, transaction, documents.
  void Resolved(const Package& package);
  // The render's stage times, and the pages it made (0: it failed).
  void Rendered(const RenderTimings& timings, int pages);

  // The dimensions known so far, and every stage as NAME_ms (0 when the
  // work did not get that far), added to `fields`.
  void AddTo(nlohmann::json& fields) const;
  // The stages the work reached, as docgen_stage_duration_seconds{stage}.
  void Observe(Metrics& metrics) const;
  static void Describe(Metrics& metrics);

 private:
  static constexpr size_t kStages = 6;
  nlohmann::json dimensions_ = nlohmann::json::object();
  std::array<double, kStages> seconds_{};
  std::array<bool, kStages> reached_{};
};

}  // namespace docgen
