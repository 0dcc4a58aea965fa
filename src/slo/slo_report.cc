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

// Good and total events of `slo` in the minutes (now - minutes, now].
std::pair<int64_t, int64_t> Events(const std::vector<SloMinute>& counts, const std::string& slo, int64_t now_minute, int64_t minutes) {
  int64_t good = 0, total = 0;
  for (const SloMinute& c : counts) {
    if (c.slo != slo || c.minute <= now_minute - minutes || c.minute > now_minute) continue;
    good += c.good;
    total += c.total;
  }
  return {good, total};
}

double BadShare(std::pair<int64_t, int64_t> events) {
  const auto [good, total] = events;
  return static_cast<double>(std::max<int64_t>(0, total - good)) / static_cast<double>(total);
}

}  // namespace

int64_t SloReportSince(const std::vector<Slo>& slos, int64_t now_ms) {
  int64_t longest = WindowMinutes(SloWindows().back());
  for (const Slo& slo : slos) longest = std::max(longest, slo.window_days * kMinutesPerDay);
  return now_ms / 60000 - longest + 1;
}

nlohmann::ordered_json SloReport(const std::vector<Slo>& slos, const std::vector<SloMinute>& minutes, int64_t now_ms) {
  const int64_t now_minute = now_ms / 60000;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Slo& slo : slos) {
    const SloIndicator ratio = AsRatio(slo.indicator);
    const auto window = Events(minutes, slo.name, now_minute, slo.window_days * kMinutesPerDay);
    nlohmann::ordered_json s;
    s["name"] = slo.name;
    s["description"] = slo.description;
    s["objective"] = slo.objective;
    s["window_days"] = slo.window_days;
    s["indicator"] = {{"good", ratio.good}, {"total", ratio.total}};
    s["good"] = window.first;
    s["total"] = window.second;
    s["compliance"] = window.second > 0 ? nlohmann::ordered_json(100 * (1 - BadShare(window))) : nlohmann::ordered_json();
    s["error_budget_left"] = window.second > 0 ? 1 - BadShare(window) / slo.ErrorBudget() : 1.0;
    nlohmann::ordered_json burn = nlohmann::ordered_json::object();
    for (const std::string& w : SloWindows()) {
      const auto events = Events(minutes, slo.name, now_minute, WindowMinutes(w));
      burn[w] = events.second > 0 ? nlohmann::ordered_json(BadShare(events) / slo.ErrorBudget()) : nlohmann::ordered_json();
    }
    s["burn_rates"] = std::move(burn);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace docgen
