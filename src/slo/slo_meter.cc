#include "slo/slo_meter.h"

#include <cmath>
#include <cstdlib>

namespace docgen {
namespace {

// Whether an observation `value` of histogram `name` is selected by `selector`.
bool Selects(const SeriesSelector& selector, const std::string& name, const Labels& labels, double value) {
  if (selector.name() == name + "_count") return selector.Matches(selector.name(), labels);
  if (selector.name() != name + "_bucket") return false;
  const std::string le = selector.Equal("le");
  char* end = nullptr;
  const double bound = std::strtod(le.c_str(), &end);
  if (le.empty() || *end != '\0' || !(value <= bound)) return false;
  Labels with_le = labels;
  with_le.emplace_back("le", le);
  return selector.Matches(selector.name(), with_le);
}

}  // namespace

SloMeter::SloMeter(const std::vector<Slo>& slos, const Clock& clock) : clock_(clock) {
  for (const Slo& slo : slos) {
    const SloIndicator ratio = AsRatio(slo.indicator);
    Result<SeriesSelector> good = SeriesSelector::Parse(ratio.good);
    Result<SeriesSelector> total = SeriesSelector::Parse(ratio.total);
    if (good.ok() && total.ok()) indicators_.push_back({slo.name, std::move(*good), std::move(*total)});  // ParseSlos checked them
  }
}

void SloMeter::Counted(const std::string& name, const Labels& labels, double by) {
  for (size_t i = 0; i < indicators_.size(); ++i) {
    if (indicators_[i].good.Matches(name, labels)) Count(i, true, by);
    if (indicators_[i].total.Matches(name, labels)) Count(i, false, by);
  }
}

void SloMeter::Observed(const std::string& name, const Labels& labels, double value) {
  for (size_t i = 0; i < indicators_.size(); ++i) {
    if (Selects(indicators_[i].good, name, labels, value)) Count(i, true, 1);
    if (Selects(indicators_[i].total, name, labels, value)) Count(i, false, 1);
  }
}

void SloMeter::Count(size_t slo, bool good, double by) {
  const int64_t minute = clock_.NowMs() / 60000;
  std::lock_guard lock(mutex_);
  auto& [g, t] = pending_[{slo, minute}];
  (good ? g : t) += by;
}

std::vector<SloMinute> SloMeter::Drain() {
  std::lock_guard lock(mutex_);
  std::vector<SloMinute> out;
  for (const auto& [key, counts] : pending_) {
    out.push_back({indicators_[key.first].slo, key.second, std::llround(counts.first), std::llround(counts.second)});
  }
  pending_.clear();
  return out;
}

void SloMeter::Restore(const std::vector<SloMinute>& counts) {
  std::lock_guard lock(mutex_);
  for (const SloMinute& c : counts) {
    for (size_t i = 0; i < indicators_.size(); ++i) {
      if (indicators_[i].slo != c.slo) continue;
      auto& [g, t] = pending_[{i, c.minute}];
      g += static_cast<double>(c.good);
      t += static_cast<double>(c.total);
    }
  }
}

}  // namespace docgen
