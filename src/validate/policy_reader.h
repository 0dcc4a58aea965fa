// The fast way from a JSON Lines line to a PolicyView, for batches: simdjson
// parses the line, and only the quote and non-empty variables become
// nlohmann values (the ~100 carried entries of a policy do not).
//
// It reads only what it can read exactly as nlohmann::json::parse followed by
// CheckPolicyShape would: valid JSON in the usual shape. Anything else (not
// JSON, a shape problem, a number simdjson will not take) is left to that
// slower path, which words the finding. One reader per thread; a view lives
// until the next Read.
#pragma once

#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <memory>
#include <string_view>

#include "validate/policy_view.h"

namespace docgen {

// Policies nested deeper are invalid (and left to the slow path, which says so).
inline constexpr int kMaxPolicyNesting = 64;

class PolicyReader {
 public:
  PolicyReader();
  ~PolicyReader();
  PolicyReader(const PolicyReader&) = delete;
  PolicyReader& operator=(const PolicyReader&) = delete;

  // The policy on `line`, or null when the slow path must decide.
  const PolicyView* Read(std::string_view line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ValidatePolicyText with a reader kept between lines (a batch's thread).
PolicyResult ValidatePolicyText(const Catalog& catalog, std::string_view line, PolicyReader& reader);

}  // namespace docgen
