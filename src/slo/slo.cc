#include "slo/slo.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "slo/selector.h"
#include "util/text.h"

namespace docgen {
namespace {

// Reads one `slos:` entry; every problem is appended to `errors`.
class SloReader {
 public:
  SloReader(const std::string& path, std::vector<std::string>& errors) : path_(path), errors_(errors) {}

  Slo Read(const YAML::Node& entry, const std::string& at) {
    Slo slo;
    if (!entry.IsMap()) {
      Error(entry, at + " must be a mapping {name, objective, window, indicator}");
      return slo;
    }
    Only(entry, at, {"name", "description", "objective", "window", "indicator"});
    slo.name = Text(entry, "name", at, true);
    static const std::regex kName("[a-z0-9][a-z0-9-]{0,62}");
    if (!slo.name.empty() && !std::regex_match(slo.name, kName)) {
      Error(entry["name"], at + ".name must be lowercase letters, digits and dashes (like jobs-succeed), not \"" + slo.name + "\"");
    }
    slo.description = Text(entry, "description", at, false);
    if (const YAML::Node objective = entry["objective"]; !objective) {
      Error(entry, at + ".objective is missing: the percent of events that must be good, like 99.9");
    } else {
      double value = 0;
      if (!objective.IsScalar() || !YAML::convert<double>::decode(objective, value) || !(value > 0 && value < 100)) {
        Error(objective, at + ".objective must be a percent above 0 and below 100, like 99.9, not " + Show(objective));
      } else {
        slo.objective = value;
      }
    }
    if (const YAML::Node window = entry["window"]) {
      static const std::regex kDays("([0-9]{1,3})d");
      std::smatch days;
      const std::string text = window.IsScalar() ? window.Scalar() : "";
      if (!std::regex_match(text, days, kDays) || std::stoi(days[1]) < 1 || std::stoi(days[1]) > 365) {
        Error(window, at + ".window must be a number of days from 1d to 365d, like 28d, not " + Show(window));
      } else {
        slo.window_days = std::stoi(days[1]);
      }
    }
    if (const YAML::Node indicator = entry["indicator"]; !indicator) {
      Error(entry, at + ".indicator is missing: {ratio: {good, total}} or {latency: {route, threshold_seconds}}");
    } else {
      slo.indicator = Indicator(indicator, at + ".indicator");
    }
    return slo;
  }

 private:
  SloIndicator Indicator(const YAML::Node& node, const std::string& at) {
    SloIndicator indicator;
    if (!node.IsMap() || node.size() != 1 || !(node["ratio"] || node["latency"])) {
      Error(node, at + " must be exactly one of {ratio: {good, total}} or {latency: {route, threshold_seconds}}");
      return indicator;
    }
    if (const YAML::Node ratio = node["ratio"]) {
      if (!ratio.IsMap()) {
        Error(ratio, at + ".ratio must be a mapping {good, total} of PromQL series selectors");
        return indicator;
      }
      Only(ratio, at + ".ratio", {"good", "total"});
      indicator.good = Selector(ratio, "good", at + ".ratio");
      indicator.total = Selector(ratio, "total", at + ".ratio");
      return indicator;
    }
    const YAML::Node latency = node["latency"];
    if (!latency.IsMap()) {
      Error(latency, at + ".latency must be a mapping {route, threshold_seconds}");
      return indicator;
    }
    Only(latency, at + ".latency", {"route", "threshold_seconds"});
    indicator.route = Text(latency, "route", at + ".latency", true);
    static const std::regex kRoute("(GET|POST|PUT|PATCH|DELETE) /[^\\s\"]*");  // a pattern: /v1/jobs/{id}
    if (!indicator.route.empty() && !std::regex_match(indicator.route, kRoute)) {
      Error(latency["route"], at + ".latency.route must be a method and a path as /metrics labels it, like \"POST /v1/packages:resolve\", not \"" +
                                  indicator.route + "\"");
    }
    const YAML::Node threshold = latency["threshold_seconds"];
    std::string buckets;
    for (double b : HttpLatencyBuckets()) buckets += (buckets.empty() ? "" : ", ") + ShortestNumber(b);
    double value = 0;
    if (!threshold) {
      Error(latency, at + ".latency.threshold_seconds is missing: one of " + buckets);
    } else if (!threshold.IsScalar() || !YAML::convert<double>::decode(threshold, value) ||
               std::find(HttpLatencyBuckets().begin(), HttpLatencyBuckets().end(), value) == HttpLatencyBuckets().end()) {
      Error(threshold, at + ".latency.threshold_seconds must be one of the latency histogram's bounds (" + buckets + "), not " +
                           Show(threshold));
    } else {
      indicator.threshold_seconds = value;
    }
    return indicator;
  }

  std::string Selector(const YAML::Node& map, const char* key, const std::string& at) {
    std::string text = Text(map, key, at, true);
    if (text.empty()) return text;
    if (Result<SeriesSelector> selector = SeriesSelector::Parse(text); !selector.ok()) {
      Error(map[key], at + "." + key + " must be one series selector, like docgen_jobs_finished_total{outcome=\"succeeded\"}, not \"" +
                          text + "\": " + selector.status().message());
      return "";
    }
    return text;
  }

  std::string Text(const YAML::Node& map, const char* key, const std::string& at, bool required) {
    const YAML::Node value = map[key];
    if (!value) {
      if (required) Error(map, at + "." + key + " is missing");
      return "";
    }
    if (!value.IsScalar() || value.Scalar().empty()) {
      Error(value, at + "." + key + " must be a non-empty text, not " + Show(value));
      return "";
    }
    if (FirstInvalidUtf8(value.Scalar()) != std::string::npos) {
      Error(value, at + "." + key + " must be UTF-8 text");
      return "";
    }
    return value.Scalar();
  }

  void Only(const YAML::Node& map, const std::string& at, std::initializer_list<const char*> keys) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
        std::string known;
        for (const char* k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
        Error(it->first, at + " has an unknown field \"" + key + "\" (it may have " + known + ")");
      }
    }
  }

  static std::string Show(const YAML::Node& node) {
    if (node.IsScalar()) return FirstInvalidUtf8(node.Scalar()) == std::string::npos ? "\"" + node.Scalar() + "\"" : "text that is not UTF-8";
    return node.IsMap() ? "a mapping" : node.IsSequence() ? "a list" : "nothing";
  }

  void Error(const YAML::Node& near, const std::string& message) {
    const YAML::Mark mark = near.Mark();
    errors_.push_back(path_ + (mark.is_null() ? "" : ":" + std::to_string(mark.line + 1)) + ": " + message);
  }

  const std::string& path_;
  std::vector<std::string>& errors_;
};

std::string Quoted(const std::string& route_part) { return "\"" + route_part + "\""; }


}  // namespace

const std::vector<double>& HttpLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return kBuckets;
}

std::vector<Slo> DefaultSlos() {
  std::vector<Slo> out;
  auto add = [&](std::string name, std::string description, double objective) -> SloIndicator& {
    Slo& slo = out.emplace_back();
    slo.name = std::move(name);
    slo.description = std::move(description);
    slo.objective = objective;
    return slo.indicator;
  };
  SloIndicator& jobs = add("jobs-succeed", "Jobs end succeeded or invalid (the caller's input), not failed by docgen.", 99.9);
  jobs.good = "docgen_jobs_finished_total{outcome=~\"succeeded|invalid\"}";
  jobs.total = "docgen_jobs_finished_total";
  SloIndicator& resolve = add("resolve-fast", "POST /v1/packages:resolve answers within 100 ms.", 99.9);
  resolve.route = "POST /v1/packages:resolve";
  resolve.threshold_seconds = 0.1;
  SloIndicator& render = add("render-fast", "POST /v1/packages:render answers within 2.5 s.", 99);
  render.route = "POST /v1/packages:render";
  render.threshold_seconds = 2.5;
  SloIndicator& api = add("api-available", "API requests are not answered with a 5xx status.", 99.9);
  api.good = "docgen_http_requests_total{status!~\"5..\"}";
  api.total = "docgen_http_requests_total";
  return out;
}

Result<std::vector<Slo>> ParseSlos(const YAML::Node& list, const std::string& path) {
  std::vector<std::string> errors;
  std::vector<Slo> slos;
  SloReader reader(path, errors);
  if (!list.IsSequence() || list.size() == 0) {
    const YAML::Mark mark = list.Mark();
    return Status::InvalidArgument(path + (mark.is_null() ? "" : ":" + std::to_string(mark.line + 1)) +
                                   ": slos must be a non-empty list of {name, objective, window, indicator}");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string at = "slos[" + std::to_string(i) + "]";
    Slo slo = reader.Read(list[i], at);
    if (!slo.name.empty() && !names.insert(slo.name).second) {
      errors.push_back(path + ":" + std::to_string(list[i].Mark().line + 1) + ": " + at + ".name \"" + slo.name +
                       "\" is used by an earlier SLO; names must be unique");
    }
    slos.push_back(std::move(slo));
  }
  if (!errors.empty()) {
    std::string message;
    for (const auto& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  return slos;
}

SloIndicator AsRatio(const SloIndicator& indicator) {
  if (indicator.route.empty()) return indicator;
  const size_t space = indicator.route.find(' ');
  const std::string labels = "method=" + Quoted(indicator.route.substr(0, space)) + ",route=" + Quoted(indicator.route.substr(space + 1));
  SloIndicator ratio;
  ratio.good = "docgen_http_request_duration_seconds_bucket{" + labels + ",le=\"" + LabelNumber(indicator.threshold_seconds) + "\"}";
  ratio.total = "docgen_http_request_duration_seconds_count{" + labels + "}";
  return ratio;
}

}  // namespace docgen
