// The audit log's hash chain (docgen/audit.h).
#include <docgen/audit.h>

#include <pwd.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/text.h"

namespace docgen {

std::string AuditHash(const AuditEntry& entry) {
  const Actor& a = entry.actor;
  // A JSON array: every field delimited and escaped, so no two entries hash
  // the same input by moving text from one field to the next.
  const nlohmann::json fields = {entry.seq,    a.at,         a.name,         a.role,          a.request_id,
                                 a.reason,     entry.action, entry.target,   entry.details,   entry.prev_hash};
  return Sha256Hex(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Actor CommandLineActor(int64_t at, std::string reason) {
  std::string user = std::to_string(::geteuid());
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(::geteuid(), &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) user = found->pw_name;
  return {"cli:" + user, "cli", "", std::move(reason), at};
}

bool AuditChainVerifier::Add(const AuditEntry& entry) {
  if (!problem_.empty()) return false;
  const std::string at = "entry " + std::to_string(entry.seq);
  if (entry.seq != last_seq_ + 1) {
    const int64_t first_missing = last_seq_ + 1, last_missing = entry.seq - 1;
    if (entry.seq <= last_seq_) {
      problem_ = at + " comes after entry " + std::to_string(last_seq_) + ": the log was reordered";
    } else if (first_missing == last_missing) {
      problem_ = "entry " + std::to_string(first_missing) + " is missing: it was removed from the log";
    } else {
      problem_ = "entries " + std::to_string(first_missing) + " to " + std::to_string(last_missing) +
                 " are missing: they were removed from the log";
    }
  } else if (entry.prev_hash != last_hash_) {
    problem_ = at + " does not follow entry " + std::to_string(last_seq_) +
               " (its prev_hash differs): an entry was inserted or replaced here";
  } else if (AuditHash(entry) != entry.hash) {
    problem_ = at + " was changed after it was written (its hash does not match its content)";
  }
  if (!problem_.empty()) return false;
  ++count_;
  last_seq_ = entry.seq;
  last_hash_ = entry.hash;
  return true;
}

}  // namespace docgen
