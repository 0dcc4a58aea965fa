// The audit log (SPEC §10): every change a person makes through docgen is
// one append-only entry, written by the Store in the same transaction as the
// change itself. The caller says who made the change (an Actor); the Store
// says what it was (action, target, details): each audited Store method is
// one action, named in one place (README "Audit log").
//
// Each entry carries the hash of the one before it, so a walk of the chain
// (AuditChainVerifier) names the first entry that was edited, removed,
// inserted or reordered behind docgen's back.
#pragma once

#include <cstdint>
#include <string>

namespace docgen {

// Who makes an audited change, when and why.
struct Actor {
  std::string name;        // the token's subject, or "cli:USER" for the command line
  std::string role;        // the token's role ("admin", ...), or "cli"
  std::string request_id;  // the API request; "" from the command line
  std::string reason;      // why, when the person said; "" when not
  int64_t at = 0;          // ms since the epoch: the time of the change
};

// The person at the command line: "cli:USER" (the effective user's name,
// else its uid) with role "cli".
Actor CommandLineActor(int64_t at, std::string reason = "");

// An entry as stored.
struct AuditEntry {
  int64_t seq = 0;       // 1, 2, 3, ... with no gaps
  Actor actor;
  std::string action;    // "draft.save", "catalog.publish", "job.cancel", ...
  std::string target;    // what it changed: "document:CY-DEC", "job:job_...", ...
  std::string details;   // a JSON object, as stored (what the hash covers)
  std::string prev_hash; // the hash of entry seq - 1 ("" for the first)
  std::string hash;      // AuditHash of this entry
};

struct AuditFilter {
  std::string actor, action, target;  // exact matches; "" matches any
  int64_t since = 0;                  // at >= since (0: no bound)
  int64_t until = 0;                  // at < until (0: no bound)
  int64_t before_seq = 0;             // newest first, seq < before_seq (0: from the newest)
  int64_t after_seq = -1;             // >= 0: oldest first, seq > after_seq (walking the chain)
  int limit = 100;
};

// The hash an entry must carry: SHA-256 (hex) over its seq, every other
// field and the previous entry's hash.
std::string AuditHash(const AuditEntry& entry);

// Walks the chain in seq order, one entry at a time, in constant memory.
class AuditChainVerifier {
 public:
  // False (and problem() says which entry and how) from the first entry that
  // does not follow from the ones before it; later calls change nothing.
  bool Add(const AuditEntry& entry);
  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  int64_t entries() const { return count_; }
  const std::string& head() const { return last_hash_; }  // the last good entry's hash

 private:
  int64_t count_ = 0;
  int64_t last_seq_ = 0;
  std::string last_hash_;
  std::string problem_;
};

}  // namespace docgen
