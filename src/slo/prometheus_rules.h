// Prometheus rules for the SLOs (SPEC §9): per SLO, recording rules of its
// error ratio over 5m, 30m, 1h, 2h, 6h, 1d and 3d, and the multiwindow,
// multi-burn-rate alerts of the SRE workbook:
//   page:   1h and 5m above 14.4x the budget, or 6h and 30m above 6x;
//   ticket: 1d and 2h above 3x, or 3d and 6h above 1x.
// The text is a rule file `promtool check rules` accepts.
#pragma once

#include <string>
#include <vector>

#include "slo/slo.h"

namespace docgen {

// The recorded series: docgen:slo_errors:ratio_rate<window>{slo="NAME"}.
inline constexpr const char* kSloErrorRatio = "docgen:slo_errors:ratio_rate";

// The windows recorded, shortest first.
const std::vector<std::string>& SloWindows();

std::string SloRulesYaml(const std::vector<Slo>& slos);

}  // namespace docgen
