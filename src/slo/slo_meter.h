// Counts each SLO's good and total events per minute as docgen records its
// metrics (a MetricsListener), so GET /v1/slos works without Prometheus: the
// counts are added to the store every minute (Drain), a few numbers per SLO
// per minute whatever the traffic.
//
// An event is what the SLO's selectors select: a counter increment
// (`docgen_jobs_finished_total{outcome="failed"}` counts by its amount), an
// observation counted by `NAME_count{...}`, or one within the bound of
// `NAME_bucket{...,le="B"}`.
#pragma once

#include <docgen/store.h>

#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/metrics.h"
#include "slo/selector.h"
#include "slo/slo.h"

namespace docgen {

class SloMeter final : public MetricsListener {
 public:
  SloMeter(const std::vector<Slo>& slos, const Clock& clock);

  void Counted(const std::string& name, const Labels& labels, double by) override;
  void Observed(const std::string& name, const Labels& labels, double value) override;

  // The counts not yet handed out, and forgets them.
  std::vector<SloMinute> Drain();
  // Takes back counts that could not be stored, to be handed out again.
  void Restore(const std::vector<SloMinute>& counts);

 private:
  struct Indicator {
    std::string slo;
    SeriesSelector good;
    SeriesSelector total;
  };
  void Count(size_t slo, bool good, double by);

  const Clock& clock_;
  std::vector<Indicator> indicators_;
  std::mutex mutex_;
  std::map<std::pair<size_t, int64_t>, std::pair<double, double>> pending_;  // (slo, minute) -> (good, total)
};

}  // namespace docgen
