// A Grafana dashboard for docgen (SPEC §9): per SLO its error budget left
// over the window and its burn rates; then the job outcomes by error code,
// the queue, and request and render latencies. Queries read the series of
// `docgen slo rules` and docgen's own metrics through a Prometheus data
// source chosen when the dashboard is imported.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "slo/slo.h"

namespace docgen {

nlohmann::ordered_json SloDashboard(const std::vector<Slo>& slos);

}  // namespace docgen
