#include "jobs/job_json.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace docgen {

std::string IsoTime(int64_t epoch_ms) {
  if (epoch_ms <= 0) return "";
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[40];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(epoch_ms % 1000));
  return std::string(stamp) + millis;
}

const char* JobOutcome(const Job& job) {
  switch (job.status) {
    case JobStatus::kSucceeded:
      return "succeeded";
    case JobStatus::kCanceled:
      return "canceled";
    case JobStatus::kFailed: {
      const std::string code = job.errors.is_array() && !job.errors.empty() && job.errors[0].is_object()
                                   ? job.errors[0].value("code", "")
                                   : "";
      return code == "transient_failure" || code == "unavailable" || code == "lease_expired" ? "failed" : "invalid";
    }
    default:
      return nullptr;
  }
}

nlohmann::ordered_json JobToJson(const Job& job) {
  nlohmann::ordered_json j;
  j["id"] = job.id;
  j["status"] = ToString(job.status);
  if (const char* outcome = JobOutcome(job)) j["outcome"] = outcome;
  if (!job.quote_id.empty()) {
    j["quote_id"] = job.quote_id;
  } else {  // a Job not read from the store
    j["quote_id"] = job.quote.is_object() && job.quote.contains("quote_id") && job.quote["quote_id"].is_string()
                        ? job.quote["quote_id"]
                        : nlohmann::json(nullptr);
  }
  if (!job.product.empty()) j["product"] = job.product;
  if (!job.jurisdiction.empty()) j["jurisdiction"] = job.jurisdiction;
  j["catalog_version"] = job.catalog_version;
  if (!job.trace_id.empty()) j["trace_id"] = job.trace_id;
  j["attempts"] = job.attempts;
  j["max_attempts"] = job.max_attempts;
  j["created_at"] = IsoTime(job.created_at);
  j["updated_at"] = IsoTime(job.updated_at);
  if (job.finished_at > 0) j["finished_at"] = IsoTime(job.finished_at);
  if (job.status == JobStatus::kQueued && job.attempts > 0) j["next_attempt_at"] = IsoTime(job.run_after);
  if (!job.callback_url.empty()) {
    j["callback_url"] = job.callback_url;
    j["webhook"] = {{"state", job.webhook_state.empty() ? "waiting" : job.webhook_state}, {"attempts", job.webhook_attempts}};
  }
  if (!job.idempotency_key.empty()) {  // stored as "subject\nkey"
    const size_t newline = job.idempotency_key.find('\n');
    j["idempotency_key"] = newline == std::string::npos ? job.idempotency_key : job.idempotency_key.substr(newline + 1);
  }
  j["errors"] = nlohmann::ordered_json(job.errors);
  if (job.status == JobStatus::kSucceeded && job.result.is_object()) {
    nlohmann::ordered_json result;
    result["pages"] = job.result.value("pages", 0);
    result["package_pdf"] = "/v1/jobs/" + job.id + "/package.pdf";
    result["package_json"] = "/v1/jobs/" + job.id + "/package.json";
    result["documents"] = nlohmann::ordered_json::array();
    if (job.result.contains("documents")) {
      for (const auto& d : job.result["documents"]) {
        result["documents"].push_back({{"name", d.value("name", "")},
                                       {"pages", d.value("pages", 0)},
                                       {"url", "/v1/jobs/" + job.id + "/documents/" + d.value("name", "")}});
      }
    }
    j["result"] = std::move(result);
  }
  return j;
}

nlohmann::ordered_json ValidationToJson(const Job& job) {
  nlohmann::ordered_json j;
  j["id"] = job.id;
  j["status"] = ToString(job.status);
  if (const char* outcome = JobOutcome(job)) j["outcome"] = outcome;
  j["catalog_version"] = job.catalog_version;
  if (!job.trace_id.empty()) j["trace_id"] = job.trace_id;
  const int64_t total = job.progress.value("policies_total", int64_t{0});
  const int64_t done = job.status == JobStatus::kSucceeded ? total : job.progress.value("policies_done", int64_t{0});
  j["progress"] = {{"policies_done", done}, {"policies_total", total}, {"percent", total > 0 ? done * 100 / total : 100}};
  j["attempts"] = job.attempts;
  j["max_attempts"] = job.max_attempts;
  j["created_at"] = IsoTime(job.created_at);
  j["updated_at"] = IsoTime(job.updated_at);
  if (job.finished_at > 0) j["finished_at"] = IsoTime(job.finished_at);
  if (job.status == JobStatus::kSucceeded && job.result.is_object() && job.result.contains("summary")) {
    j["summary"] = job.result["summary"];
  }
  if (job.status == JobStatus::kFailed || (job.status == JobStatus::kQueued && job.attempts > 0)) j["errors"] = job.errors;
  j["links"] = {{"self", "/v1/validations/" + job.id}, {"results", "/v1/validations/" + job.id + "/results"}};
  return j;
}

nlohmann::ordered_json TestRunToJson(const Job& job) {
  nlohmann::ordered_json j;
  j["id"] = job.id;
  j["status"] = ToString(job.status);
  if (const char* outcome = JobOutcome(job)) j["outcome"] = outcome;
  const std::string trigger = job.progress.is_object() ? job.progress.value("trigger", "manual") : "manual";
  j["trigger"] = trigger;
  j["drafts"] = trigger == "drafts";
  j["catalog_version"] = job.catalog_version;
  if (!job.subject.empty()) j["requested_by"] = job.subject;
  if (!job.trace_id.empty()) j["trace_id"] = job.trace_id;
  const bool done = job.status == JobStatus::kSucceeded && job.result.is_object();
  const nlohmann::json& p = job.progress;
  const int64_t total = done ? job.result.value("variants", int64_t{0}) : p.value("variants_total", int64_t{0});
  const int64_t finished = done ? total : p.value("variants_done", int64_t{0});
  j["progress"] = {{"variants_done", finished}, {"variants_total", total}, {"percent", total > 0 ? finished * 100 / total : (done ? 100 : 0)}};
  nlohmann::ordered_json counts = {{"same", 0}, {"changed", 0}, {"new", 0}, {"failed", 0}, {"removed", 0}};
  const nlohmann::json& source = done ? job.result.value("counts", nlohmann::json::object()) : p.value("counts", nlohmann::json::object());
  for (auto& [name, n] : counts.items()) {
    if (source.contains(name) && source[name].is_number_integer()) n = source[name];
  }
  j["counts"] = counts;
  if (done) {
    j["removed"] = job.result.value("removed", nlohmann::json::array());
    j["rendered"] = job.result.value("rendered", 0);
    j["resumed"] = job.result.value("resumed", 0);
    j["seconds"] = job.result.value("seconds", 0.0);
  }
  j["attempts"] = job.attempts;
  j["created_at"] = IsoTime(job.created_at);
  j["updated_at"] = IsoTime(job.updated_at);
  if (job.finished_at > 0) {
    j["finished_at"] = IsoTime(job.finished_at);
    j["duration_ms"] = job.finished_at - job.created_at;
  }
  if (job.status == JobStatus::kFailed || (job.status == JobStatus::kQueued && job.attempts > 0)) j["errors"] = job.errors;
  const std::string self = "/v1/test-runs/" + job.id;
  j["links"] = {{"self", self}, {"variants", self + "/variants"}, {"approve", self + ":approve"}};
  return j;
}

nlohmann::ordered_json TestVariantToJson(const std::string& run_id, const TestVariantRecord& v) {
  nlohmann::ordered_json j;
  j["seq"] = v.seq;
  j["key"] = v.key;
  j["status"] = v.status;
  for (const char* field : {"pages", "changed_pages", "changed_share", "error", "rendered"}) {
    if (v.result.contains(field)) j[field] = v.result[field];
  }
  // A picture's link names the variant by its place in the run and the page.
  const std::string base = "/v1/test-runs/" + run_id + "/variants/" + std::to_string(v.seq) + "/";
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  const size_t count = std::max({v.golden.size(), v.pages.size(), v.diffs.size()});
  for (size_t n = 1; n <= count; ++n) {
    nlohmann::ordered_json page = {{"page", n}};
    const std::string suffix = "/" + std::to_string(n) + ".png";
    if (n <= v.golden.size() && !v.golden[n - 1].empty()) page["golden"] = base + "golden" + suffix;
    if (n <= v.pages.size() && !v.pages[n - 1].empty()) page["new"] = base + "new" + suffix;
    if (n <= v.diffs.size() && !v.diffs[n - 1].empty()) page["diff"] = base + "diff" + suffix;
    images.push_back(std::move(page));
  }
  j["images"] = std::move(images);
  return j;
}

std::optional<int64_t> ParseIsoTime(const std::string& text) {
  if (!text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos) return std::stoll(text);
  std::tm utc{};
  int millis = 0, end = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &utc.tm_year, &utc.tm_mon, &utc.tm_mday, &end) != 3) return std::nullopt;
  std::string rest = text.substr(static_cast<size_t>(end));
  if (!rest.empty()) {  // a time of day, in UTC
    int more = 0;
    if (std::sscanf(rest.c_str(), "T%2d:%2d:%2d%n", &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &more) != 3) return std::nullopt;
    rest.erase(0, static_cast<size_t>(more));
    if (!rest.empty() && rest[0] == '.') {
      if (std::sscanf(rest.c_str(), ".%3d%n", &millis, &more) != 1) return std::nullopt;
      rest.erase(0, static_cast<size_t>(more));
    }
    if (rest != "Z" && rest != "+00:00") return std::nullopt;
  }
  if (utc.tm_year < 1970 || utc.tm_mon < 1 || utc.tm_mon > 12 || utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour > 23 ||
      utc.tm_min > 59 || utc.tm_sec > 60) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  const std::tm asked = utc;
  const std::time_t seconds = ::timegm(&utc);  // normalises: 2026-02-31 would become 2026-03-03
  if (utc.tm_mday != asked.tm_mday || utc.tm_mon != asked.tm_mon) return std::nullopt;
  return static_cast<int64_t>(seconds) * 1000 + millis;
}

nlohmann::ordered_json AuditEntryToJson(const AuditEntry& e) {
  nlohmann::ordered_json j = {{"seq", e.seq},           {"at", IsoTime(e.actor.at)},     {"actor", e.actor.name},
                              {"role", e.actor.role},   {"action", e.action},            {"target", e.target},
                              {"request_id", e.actor.request_id}};
  if (!e.actor.reason.empty()) j["reason"] = e.actor.reason;
  j["details"] = nlohmann::ordered_json::parse(e.details, nullptr, false);
  if (j["details"].is_discarded()) j["details"] = e.details;  // as stored, when it is not JSON (an edited entry)
  j["prev_hash"] = e.prev_hash;
  j["hash"] = e.hash;
  return j;
}

}  // namespace docgen
