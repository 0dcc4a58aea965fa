// Each SLO's state from its events per minute (SPEC §9, GET /v1/slos):
// compliance and error budget left over its window, and burn rates over
// 5m, 30m, 1h, 2h, 6h, 1d and 3d (the share of bad events over the window
// divided by the share the objective allows: 1 spends the budget exactly
// over the SLO's window, 14.4 spends 2% of a 30-day budget in an hour).
// Pure: the same counts and time give the same report.
#pragma once

#include <docgen/store.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "slo/slo.h"

namespace docgen {

// Each SLO's events since each of a report's first minutes (SumSloMinutes).
using SloSums = std::map<std::string, std::vector<SloEvents>>;

// The first minute of each span a report at `now_ms` sums: each SLO's own
// window, in order, then the burn windows (SloWindows(): 5m ... 3d).
std::vector<int64_t> SloReportSince(const std::vector<Slo>& slos, int64_t now_ms);

// [{name, description, objective, window_days, good, total, compliance,
//   error_budget_left, burn_rates: {"5m": x, ...}}] from each SLO's events
// since each of SloReportSince's minutes; compliance and a burn rate are
// null when their span has no event (error_budget_left is 1 then).
nlohmann::ordered_json SloReport(const std::vector<Slo>& slos, const SloSums& sums);

// A span of GET /v1/slos?history: its name ("24h"), length and step.
struct SloHistorySpan {
  const char* name;
  int64_t minutes;
  int64_t step_minutes;  // about a hundred points at most
};
// 6h in 5-minute steps, 24h in 15-minute, 7d in 2-hour, 28d in 6-hour.
const std::vector<SloHistorySpan>& SloHistorySpans();
// The first step of a span's chart at `now_ms`: the points are the steps
// from it to the step of now (a step is named by its first minute).
int64_t SloHistoryFirstStep(const SloHistorySpan& span, int64_t now_ms);

// The earliest minute a report or a chart at `now_ms` reads: older minutes
// can be pruned.
int64_t SloKeepSince(const std::vector<Slo>& slos, int64_t now_ms);

// The sums SumSloMinutes gives, from minutes in memory (tests).
SloSums SumMinutes(const std::vector<SloMinute>& minutes, const std::vector<int64_t>& since, int64_t until_minute);

}  // namespace docgen
