// What both Store backends share: the stored form of a job's result and the
// error recorded when a job's worker stopped responding on its last attempt.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace docgen {

// The errors of a job whose lease expired on its last attempt (JSON text).
extern const char* const kLeaseExpiredErrors;

// Appends the blob names a succeeded job's `result` refers to.
void CollectResultBlobs(const nlohmann::json& result, std::vector<std::string>* names);

}  // namespace docgen
