#include "store/store_common.h"

#include <docgen/store.h>

namespace docgen {

const char* const kLeaseExpiredErrors =
    R"([{"code":"lease_expired","message":"The job ran out of attempts: its worker stopped responding every time."}])";

void CollectResultBlobs(const nlohmann::json& result, std::vector<std::string>* names) {
  if (!result.is_object()) return;
  for (const char* key : {"package_pdf", "package_json", "results"}) {
    if (result.contains(key) && result[key].is_string()) names->push_back(result[key]);
  }
  if (result.contains("documents") && result["documents"].is_array()) {
    for (const auto& d : result["documents"]) {
      if (d.is_object() && d.contains("blob") && d["blob"].is_string()) names->push_back(d["blob"]);
    }
  }
}

const char* ToString(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kSucceeded:
      return "succeeded";
    case JobStatus::kFailed:
      return "failed";
    case JobStatus::kCanceled:
      return "canceled";
  }
  return "failed";
}

std::optional<JobStatus> ParseJobStatus(const std::string& text) {
  for (JobStatus s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed, JobStatus::kCanceled}) {
    if (text == ToString(s)) return s;
  }
  return std::nullopt;
}

const char* ToString(JobKind kind) {
  switch (kind) {
    case JobKind::kRender: return "render";
    case JobKind::kValidate: return "validate";
    case JobKind::kTestRun: return "test_run";
  }
  return "render";
}

std::optional<JobKind> ParseJobKind(const std::string& text) {
  for (JobKind kind : {JobKind::kRender, JobKind::kValidate, JobKind::kTestRun}) {
    if (text == ToString(kind)) return kind;
  }
  return std::nullopt;
}

bool IsPostgresUrl(const std::string& location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

}  // namespace docgen
