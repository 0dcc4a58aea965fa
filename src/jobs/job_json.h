// The job as the API shows it (SPEC §6). Pure.
#pragma once

#include <docgen/store.h>

#include <nlohmann/json.hpp>

namespace docgen {

std::string IsoTime(int64_t epoch_ms);
nlohmann::ordered_json JobToJson(const Job& job);

}  // namespace docgen
