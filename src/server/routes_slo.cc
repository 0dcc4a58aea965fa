// GET /v1/slos (SPEC §9): each SLO's compliance, error budget left and burn
// rates from docgen's own per-minute counts (both stores), so the on-call
// page works without Prometheus; with ?history=6h|24h|7d|28d, also each
// SLO's good and total events per step over that span (the page's charts).
// This process's latest events are stored first; other processes add
// theirs every minute.
#include "jobs/job_json.h"
#include "server/routes.h"
#include "server/service.h"
#include "slo/slo_meter.h"
#include "slo/slo_report.h"

namespace docgen::handlers {
namespace {

// {"span", "step_minutes", "points": [{"at", "good", "total"}, ...]} for each
// SLO, a point for every step (no events: zeros), oldest first.
std::map<std::string, nlohmann::ordered_json> Histories(const std::vector<Slo>& slos, const std::vector<SloMinute>& steps,
                                                        const SloHistorySpan& span, int64_t first, int64_t last) {
  std::map<std::string, nlohmann::ordered_json> out;
  for (const Slo& slo : slos) {
    std::map<int64_t, const SloMinute*> found;
    for (const SloMinute& s : steps) {
      if (s.slo == slo.name) found[s.minute] = &s;
    }
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (int64_t step = first; step <= last; step += span.step_minutes) {
      const auto it = found.find(step);
      points.push_back({{"at", IsoTime(step * 60000)},
                        {"good", it != found.end() ? it->second->good : 0},
                        {"total", it != found.end() ? it->second->total : 0}});
    }
    out[slo.name] = {{"span", span.name}, {"step_minutes", span.step_minutes}, {"points", std::move(points)}};
  }
  return out;
}

}  // namespace

HttpResponse ListSlos(Api& api, const Call& call) {
  const SloHistorySpan* history = nullptr;
  if (call.request.HasQuery("history")) {
    const std::string span = call.request.Query("history");
    for (const SloHistorySpan& h : SloHistorySpans()) {
      if (span == h.name) history = &h;
    }
    if (history == nullptr) {
      return call.Fail(Status::InvalidArgument("history must be 6h, 24h, 7d or 28d, not \"" + span.substr(0, 40) + "\"."));
    }
  }
  // During a database incident this process's latest minute may be missing;
  // the answer still comes from what the store has.
  std::vector<SloMinute> pending = api.slo_meter.Drain();
  if (!api.store.AddSloMinutes(pending).ok()) api.slo_meter.Restore(pending);
  const int64_t now = api.clock.NowMs();
  const int64_t now_minute = now / 60000;
  Result<SloSums> sums = api.store.SumSloMinutes(SloReportSince(api.options.slos, now), now_minute);
  if (!sums.ok()) return call.Fail(sums.status());
  nlohmann::ordered_json body;
  body["as_of"] = IsoTime(now);
  body["slos"] = SloReport(api.options.slos, *sums);
  if (history != nullptr) {
    const int64_t first = SloHistoryFirstStep(*history, now);
    Result<std::vector<SloMinute>> steps = api.store.ListSloMinutes(first, now_minute, history->step_minutes);
    if (!steps.ok()) return call.Fail(steps.status());
    std::map<std::string, nlohmann::ordered_json> series =
        Histories(api.options.slos, *steps, *history, first, now_minute - now_minute % history->step_minutes);
    for (auto& slo : body["slos"]) slo["history"] = std::move(series[slo["name"].get<std::string>()]);
  }
  return JsonResponse(200, body);
}

}  // namespace docgen::handlers
