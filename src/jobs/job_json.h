// The job as the API shows it (SPEC §6). Pure.
#pragma once

#include <docgen/store.h>

#include <nlohmann/json.hpp>

namespace docgen {

std::string IsoTime(int64_t epoch_ms);
nlohmann::ordered_json JobToJson(const Job& job);
// A batch validation (SPEC §7) as GET /v1/validations/{id} shows it: status,
// progress (policies done of the total), and the summary once it succeeded.
nlohmann::ordered_json ValidationToJson(const Job& job);

}  // namespace docgen
