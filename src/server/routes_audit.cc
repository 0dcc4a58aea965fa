// The audit log (SPEC §10): its entries, newest first, filtered and paged,
// and a walk of its hash chain.
#include "jobs/job_json.h"
#include "server/routes.h"

namespace docgen::handlers {
namespace {

constexpr int kMaxPage = 1000;

// The filter of ?actor=&action=&target=&since=&until=&before=&limit=, or why not.
Result<AuditFilter> AuditFilterFromQuery(const Call& call) {
  AuditFilter filter;
  const HttpRequest& q = call.request;
  if (q.HasQuery("actor")) filter.actor = q.Query("actor");
  if (q.HasQuery("action")) filter.action = q.Query("action");
  if (q.HasQuery("target")) filter.target = q.Query("target");
  for (auto [name, out] : {std::pair<const char*, int64_t*>{"since", &filter.since}, {"until", &filter.until}}) {
    if (!q.HasQuery(name)) continue;
    std::optional<int64_t> at = ParseIsoTime(q.Query(name));
    if (!at) {
      return Status::InvalidArgument(std::string("\"") + name + "\" is a date (2026-11-30), a UTC time (2026-11-30T17:05:00Z) "
                                     "or milliseconds since the epoch.");
    }
    *out = *at;
  }
  const std::optional<int64_t> limit = WholeQuery(call, "limit", 1, kMaxPage, 100);
  if (!limit) return Status::InvalidArgument("\"limit\" is a whole number from 1 to 1000.");
  const std::optional<int64_t> before = WholeQuery(call, "before", 1, INT64_MAX, filter.before_seq);
  if (!before) return Status::InvalidArgument("\"before\" is an entry's seq: the page goes on with older entries.");
  filter.before_seq = *before;
  filter.limit = static_cast<int>(*limit);
  return filter;
}

}  // namespace

HttpResponse ListAudit(Api& api, const Call& call) {
  Result<AuditFilter> filter = AuditFilterFromQuery(call);
  if (!filter.ok()) return call.Fail(filter.status());
  Result<std::vector<AuditEntry>> entries = api.store.ListAudit(*filter);
  if (!entries.ok()) return call.Fail(entries.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : *entries) list.push_back(AuditEntryToJson(e));
  nlohmann::ordered_json body = {{"entries", list}};
  // A full page may have more behind it: the next page starts below its last seq.
  if (static_cast<int>(entries->size()) == filter->limit) body["next_before"] = entries->back().seq;
  return JsonResponse(200, body);
}

HttpResponse VerifyAudit(Api& api, const Call& call) {
  AuditChainVerifier verifier;
  AuditFilter page;
  page.after_seq = 0;
  page.limit = kMaxPage;
  while (verifier.ok()) {
    Result<std::vector<AuditEntry>> entries = api.store.ListAudit(page);
    if (!entries.ok()) return call.Fail(entries.status());
    if (entries->empty()) break;
    for (const auto& e : *entries) verifier.Add(e);
    page.after_seq = entries->back().seq;
  }
  nlohmann::ordered_json body = {{"valid", verifier.ok()}, {"entries", verifier.entries()}, {"head", verifier.head()}};
  if (!verifier.ok()) body["problem"] = verifier.problem();
  return JsonResponse(200, body);
}

}  // namespace docgen::handlers
