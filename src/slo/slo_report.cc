#include "slo/slo_report.h"

#include <algorithm>
#include <utility>

#include "slo/prometheus_rules.h"

namespace docgen {
namespace {

constexpr int64_t kMinutesPerDay = 24 * 60;

// Minutes in a window named as the rules name it ("5m", "2h", "3d").
int64_t WindowMinutes(const std::string& window) {
  const int64_t n = std::stoll(window.substr(0, window.size() - 1));
  switch (window.back()) {
    case 'm': return n;
    case 'h': return n * 60;
    default: return n * kMinutesPerDay;
  }
}

double BadShare(SloEvents events) {
  return static_cast<double>(std::max<int64_t>(0, events.total - events.good)) / static_cast<double>(events.total);
}

}  // namespace

std::vector<int64_t> SloReportSince(const std::vector<Slo>& slos, int64_t now_ms) {
  const int64_t now_minute = now_ms / 60000;
  std::vector<int64_t> since;
  for (const Slo& slo : slos) since.push_back(now_minute - slo.window_days * kMinutesPerDay + 1);
  for (const std::string& w : SloWindows()) since.push_back(now_minute - WindowMinutes(w) + 1);
  return since;
}

nlohmann::ordered_json SloReport(const std::vector<Slo>& slos, const SloSums& sums) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  const std::vector<std::string>& windows = SloWindows();
  for (size_t i = 0; i < slos.size(); ++i) {
    const Slo& slo = slos[i];
    const auto found = sums.find(slo.name);
    // The SLO's events since the report's n-th first minute (none: no events).
    auto events = [&](size_t n) { return found != sums.end() && n < found->second.size() ? found->second[n] : SloEvents{}; };
    const SloIndicator ratio = AsRatio(slo.indicator);
    const SloEvents window = events(i);
    nlohmann::ordered_json s;
    s["name"] = slo.name;
    s["description"] = slo.description;
    s["objective"] = slo.objective;
    s["window_days"] = slo.window_days;
    s["indicator"] = {{"good", ratio.good}, {"total", ratio.total}};
    s["good"] = window.good;
    s["total"] = window.total;
    s["compliance"] = window.total > 0 ? nlohmann::ordered_json(100 * (1 - BadShare(window))) : nlohmann::ordered_json();
    s["error_budget_left"] = window.total > 0 ? 1 - BadShare(window) / slo.ErrorBudget() : 1.0;
    nlohmann::ordered_json burn = nlohmann::ordered_json::object();
    for (size_t w = 0; w < windows.size(); ++w) {
      const SloEvents span = events(slos.size() + w);
      burn[windows[w]] = span.total > 0 ? nlohmann::ordered_json(BadShare(span) / slo.ErrorBudget()) : nlohmann::ordered_json();
    }
    s["burn_rates"] = std::move(burn);
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<SloHistorySpan>& SloHistorySpans() {
  static const std::vector<SloHistorySpan> kSpans = {
      {"6h", 6 * 60, 5}, {"24h", 24 * 60, 15}, {"7d", 7 * kMinutesPerDay, 120}, {"28d", 28 * kMinutesPerDay, 360}};
  return kSpans;
}

int64_t SloHistoryFirstStep(const SloHistorySpan& span, int64_t now_ms) {
  const int64_t now_minute = now_ms / 60000;
  const int64_t last = now_minute - now_minute % span.step_minutes;
  return last - (span.minutes / span.step_minutes - 1) * span.step_minutes;
}

int64_t SloKeepSince(const std::vector<Slo>& slos, int64_t now_ms) {
  const std::vector<int64_t> since = SloReportSince(slos, now_ms);
  int64_t keep = *std::min_element(since.begin(), since.end());
  for (const SloHistorySpan& span : SloHistorySpans()) keep = std::min(keep, SloHistoryFirstStep(span, now_ms));
  return keep;
}

SloSums SumMinutes(const std::vector<SloMinute>& minutes, const std::vector<int64_t>& since, int64_t until_minute) {
  SloSums sums;
  for (const SloMinute& m : minutes) {
    if (m.minute > until_minute) continue;
    std::vector<SloEvents>& slo = sums[m.slo];
    slo.resize(since.size());
    for (size_t i = 0; i < since.size(); ++i) {
      if (m.minute < since[i]) continue;
      slo[i].good += m.good;
      slo[i].total += m.total;
    }
  }
  return sums;
}

}  // namespace docgen
