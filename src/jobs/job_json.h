// Jobs and audit entries as the API shows them (SPEC §6, §10). Pure.
#pragma once

#include <docgen/store.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace docgen {

std::string IsoTime(int64_t epoch_ms);
// Milliseconds since the epoch from "2026-11-30", "2026-11-30T17:05:00Z" (or
// with .mmm, or +00:00) or a number of milliseconds; nullopt otherwise.
std::optional<int64_t> ParseIsoTime(const std::string& text);
// How a job ended (SPEC §9): "succeeded"; "invalid" (the caller's input,
// never retried); "failed" (docgen's fault: transient_failure, unavailable,
// lease_expired); "canceled"; nullptr while it has not ended.
const char* JobOutcome(const Job& job);
nlohmann::ordered_json JobToJson(const Job& job);
// A batch validation (SPEC §7) as GET /v1/validations/{id} shows it: status,
// progress (policies done of the total), and the summary once it succeeded.
nlohmann::ordered_json ValidationToJson(const Job& job);
// A test run (SPEC §8) as GET /v1/test-runs/{id} shows it: trigger, status,
// progress (variants done of the total) and counts, and once it succeeded
// the keys of removed goldens and its duration.
nlohmann::ordered_json TestRunToJson(const Job& job);
// One variant of a test run, with the links to its pictures.
nlohmann::ordered_json TestVariantToJson(const std::string& run_id, const TestVariantRecord& variant);
// {"seq", "at", "actor", "role", "action", "target", "request_id", "reason"?,
//  "details", "prev_hash", "hash"}: one line of `docgen audit export`.
nlohmann::ordered_json AuditEntryToJson(const AuditEntry& entry);

}  // namespace docgen
