#include "slo/dashboard.h"

#include <algorithm>
#include <string>

#include "slo/prometheus_rules.h"
#include "util/text.h"

namespace docgen {
namespace {

using Json = nlohmann::ordered_json;

const Json kDatasource = {{"type", "prometheus"}, {"uid", "${datasource}"}};

struct Target {
  std::string expr;
  std::string legend;
};

// Panels are laid out left to right, 24 columns to a row.
class Layout {
 public:
  Json Panel(const std::string& type, const std::string& title, int width, int height, const std::vector<Target>& targets,
             Json field_defaults = Json::object()) {
    if (x_ + width > 24) NewRow();
    Json panel = {{"id", ++id_},
                  {"type", type},
                  {"title", title},
                  {"datasource", kDatasource},
                  {"gridPos", {{"x", x_}, {"y", y_}, {"w", width}, {"h", height}}},
                  {"fieldConfig", {{"defaults", std::move(field_defaults)}, {"overrides", Json::array()}}},
                  {"targets", Json::array()}};
    char ref = 'A';
    for (const Target& t : targets) {
      panel["targets"].push_back({{"refId", std::string(1, ref++)}, {"datasource", kDatasource}, {"expr", t.expr}, {"legendFormat", t.legend}});
    }
    x_ += width;
    row_height_ = std::max(row_height_, height);
    return panel;
  }
  Json Row(const std::string& title) {
    NewRow();
    Json row = {{"id", ++id_}, {"type", "row"}, {"title", title}, {"collapsed", false}, {"gridPos", {{"x", 0}, {"y", y_}, {"w", 24}, {"h", 1}}},
                {"panels", Json::array()}};
    y_ += 1;
    return row;
  }

 private:
  void NewRow() {
    y_ += row_height_;
    x_ = 0;
    row_height_ = 0;
  }
  int id_ = 0, x_ = 0, y_ = 0, row_height_ = 0;
};

// Budget left over the SLO's window: 1 - (bad share / allowed share).
std::string BudgetLeft(const Slo& slo) {
  const SloIndicator ratio = AsRatio(slo.indicator);
  const std::string window = "[" + std::to_string(slo.window_days) + "d]";
  const std::string total = "sum(increase(" + ratio.total + window + "))";
  return "1 - ((" + total + " - (sum(increase(" + ratio.good + window + ")) or vector(0))) / " + total + ") / " +
         ShortestNumber(slo.ErrorBudget());
}

}  // namespace

Json SloDashboard(const std::vector<Slo>& slos) {
  Layout layout;
  Json panels = Json::array();
  panels.push_back(layout.Row("Service level objectives"));
  for (const Slo& slo : slos) {
    const std::string budget = ShortestNumber(slo.ErrorBudget());
    panels.push_back(layout.Panel(
        "stat", slo.name + ": error budget left (" + std::to_string(slo.window_days) + "d)", 6, 6, {{BudgetLeft(slo), slo.name}},
        {{"unit", "percentunit"},
         {"min", 0},
         {"max", 1},
         {"thresholds", {{"mode", "absolute"}, {"steps", Json::array({{{"color", "red"}, {"value", nullptr}}, {{"color", "orange"}, {"value", 0.25}}, {{"color", "green"}, {"value", 0.5}}})}}}}));
    std::vector<Target> burns;
    for (const std::string& window : SloWindows()) {
      burns.push_back({std::string(kSloErrorRatio) + window + "{slo=\"" + slo.name + "\"} / " + budget, window});
    }
    panels.push_back(layout.Panel("timeseries", slo.name + ": burn rate (1 = the budget lasts exactly the window)", 18, 6, burns,
                                  {{"unit", "x"}, {"min", 0}}));
  }
  panels.push_back(layout.Row("Jobs"));
  panels.push_back(layout.Panel("timeseries", "Jobs finished by outcome (per second)", 12, 8,
                                {{"sum by (outcome) (rate(docgen_jobs_finished_total[5m]))", "{{outcome}}"}}, {{"unit", "reqps"}}));
  panels.push_back(layout.Panel("timeseries", "Jobs invalid or failed, by error code (last hour)", 12, 8,
                                {{"sum by (outcome, code) (increase(docgen_job_errors_total[1h]))", "{{outcome}} {{code}}"}}));
  panels.push_back(layout.Panel("timeseries", "Queue depth", 12, 8, {{"sum(docgen_queue_depth)", "queued"}}));
  panels.push_back(layout.Panel("timeseries", "Render time of a job (p50, p95, p99)", 12, 8,
                                {{"histogram_quantile(0.5, sum by (le) (rate(docgen_render_duration_seconds_bucket[5m])))", "p50"},
                                 {"histogram_quantile(0.95, sum by (le) (rate(docgen_render_duration_seconds_bucket[5m])))", "p95"},
                                 {"histogram_quantile(0.99, sum by (le) (rate(docgen_render_duration_seconds_bucket[5m])))", "p99"}},
                                {{"unit", "s"}}));
  panels.push_back(layout.Panel(
      "timeseries", "Time per stage (p95: resolve, evaluate, typeset, draw, assemble, store)", 12, 8,
      {{"histogram_quantile(0.95, sum by (le, stage) (rate(docgen_stage_duration_seconds_bucket[5m])))", "{{stage}}"}},
      {{"unit", "s"}}));
  panels.push_back(layout.Row("API"));
  panels.push_back(layout.Panel("timeseries", "Requests by status (per second)", 12, 8,
                                {{"sum by (status) (rate(docgen_http_requests_total[5m]))", "{{status}}"}}, {{"unit", "reqps"}}));
  panels.push_back(layout.Panel(
      "timeseries", "Request latency p95 by route", 12, 8,
      {{"histogram_quantile(0.95, sum by (le, method, route) (rate(docgen_http_request_duration_seconds_bucket[5m])))", "{{method}} {{route}}"}},
      {{"unit", "s"}}));

  return {{"title", "docgen"},
          {"uid", "docgen-slo"},
          {"tags", {"docgen", "slo"}},
          {"timezone", "utc"},
          {"schemaVersion", 39},
          {"time", {{"from", "now-24h"}, {"to", "now"}}},
          {"refresh", "1m"},
          {"templating",
           {{"list", Json::array({{{"name", "datasource"}, {"type", "datasource"}, {"query", "prometheus"}, {"label", "Prometheus"}}})}}},
          {"panels", panels}};
}

}  // namespace docgen
