// Each SLO's state from its events per minute (SPEC §9, GET /v1/slos):
// compliance and error budget left over its window, and burn rates over
// 5m, 30m, 1h, 2h, 6h, 1d and 3d (the share of bad events over the window
// divided by the share the objective allows: 1 spends the budget exactly
// over the SLO's window, 14.4 spends 2% of a 30-day budget in an hour).
// Pure: the same counts and time give the same report.
#pragma once

#include <docgen/store.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "slo/slo.h"

namespace docgen {

// The earliest minute a report at `now_ms` reads (the longest window).
int64_t SloReportSince(const std::vector<Slo>& slos, int64_t now_ms);

// [{name, description, objective, window_days, good, total, compliance,
//   error_budget_left, burn_rates: {"5m": x, ...}}]; compliance and a burn
// rate are null when their window has no event (error_budget_left is 1 then).
nlohmann::ordered_json SloReport(const std::vector<Slo>& slos, const std::vector<SloMinute>& minutes, int64_t now_ms);

}  // namespace docgen
