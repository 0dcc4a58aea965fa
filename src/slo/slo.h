// Service level objectives (SPEC §9) as configuration: what share of events
// must be good over a window, and how an event is counted good, as PromQL
// over docgen's own metrics. Built-in defaults cover job success, resolve and
// render latency and API availability; the config file's `slos:` replaces
// them. From them come Prometheus rules (prometheus_rules.h) and a Grafana
// dashboard (dashboard.h).
#pragma once

#include <docgen/status.h>

#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace docgen {

struct SloIndicator {
  // ratio: good and total are series selectors of counters; a latency
  // indicator is turned into one over the HTTP duration histogram.
  std::string good;
  std::string total;
  // latency: the route ("POST /v1/packages:resolve") and the threshold, one
  // of the histogram's bucket bounds. Empty route for a ratio.
  std::string route;
  double threshold_seconds = 0;
};

struct Slo {
  std::string name;         // [a-z0-9-]+, unique
  std::string description;  // optional words for the dashboard and alerts
  double objective = 99.9;  // percent of events that are good
  int64_t window_days = 28;
  SloIndicator indicator;

  double ErrorBudget() const { return 1 - objective / 100; }  // the share of events allowed to be bad
};

// Buckets of docgen_http_request_duration_seconds: a latency threshold must be one.
const std::vector<double>& HttpLatencyBuckets();

std::vector<Slo> DefaultSlos();

// The `slos:` list of a config file. Every mistake is one message naming
// the file, line and field ("docgen.yaml:7: slos[1].objective must be ...").
Result<std::vector<Slo>> ParseSlos(const YAML::Node& list, const std::string& path);

// A latency indicator as a ratio: good = requests of the route within the
// threshold, total = all requests of the route.
SloIndicator AsRatio(const SloIndicator& indicator);

}  // namespace docgen
