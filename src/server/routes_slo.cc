// GET /v1/slos (SPEC §9): each SLO's compliance, error budget left and burn
// rates from docgen's own per-minute counts (both stores), so the on-call
// page works without Prometheus. This process's latest events are stored
// first; other processes add theirs every minute.
#include "jobs/job_json.h"
#include "server/routes.h"
#include "server/service.h"
#include "slo/slo_meter.h"
#include "slo/slo_report.h"

namespace docgen::handlers {

HttpResponse ListSlos(Api& api, const Call& call) {
  // During a database incident this process's latest minute may be missing;
  // the answer still comes from what the store has.
  std::vector<SloMinute> pending = api.slo_meter.Drain();
  if (!api.store.AddSloMinutes(pending).ok()) api.slo_meter.Restore(pending);
  const int64_t now = api.clock.NowMs();
  Result<std::vector<SloMinute>> minutes = api.store.ListSloMinutes(SloReportSince(api.options.slos, now));
  if (!minutes.ok()) return call.Fail(minutes.status());
  nlohmann::ordered_json body;
  body["as_of"] = IsoTime(now);
  body["slos"] = SloReport(api.options.slos, *minutes, now);
  return JsonResponse(200, body);
}

}  // namespace docgen::handlers
