// The policy validator (SPEC §7): a policy that was issued is compared with
// the package its quote resolves to, and checked against the catalog's
// custom rules.
//
// Pure like Resolve(): no I/O, no clock; the same catalog and policy give the
// same result, findings in a fixed order (README "Policy validator"). Safe to
// call from many threads against one shared Catalog.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

struct Finding {
  std::string code;  // invalid_policy, missing_document, rule_violation, a step-1 code...
  Severity severity = Severity::kError;
  std::string message;                // words for the operations team
  std::string document;               // the id the finding is about, if any
  std::string rule;                   // rule_violation: the rule's id
  std::optional<std::string> path;    // JSON Pointer (into the policy, quote or variables)
  int instance = 0;                   // invalid_variables: 1-based among the policy's instances of the id
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // expected, found, edition, documents, details...
};

struct PolicyResult {
  nlohmann::json policy_id;  // as the policy gives it; null when it has none
  bool ok = true;            // no finding is an error
  std::string catalog_name;
  std::string catalog_digest;
  std::vector<Finding> findings;
};

// Validates one parsed policy against `rules` (by default every rule of the catalog).
PolicyResult ValidatePolicy(const Catalog& catalog, const nlohmann::json& policy);
PolicyResult ValidatePolicy(const Catalog& catalog, const nlohmann::json& policy, std::span<const Rule> rules);

// Parses one JSON Lines line first: text that is not JSON is an invalid_policy
// result (path "") naming the column, never an exception.
PolicyResult ValidatePolicyText(const Catalog& catalog, std::string_view line);

// {"policy_id", "ok", "catalog": {"name", "digest"}, "findings": [...]}, keys in a fixed order.
nlohmann::ordered_json PolicyResultToJson(const PolicyResult& result);

// Totals over many results, for the closing summary of a batch.
struct ValidationSummary {
  long long policies = 0;
  long long ok = 0;
  long long with_errors = 0;
  long long with_warnings = 0;  // ok, but with warnings
  std::map<std::string, long long> findings_by_code;

  void Add(const PolicyResult& result);
  void Merge(const ValidationSummary& other);
  nlohmann::ordered_json ToJson() const;
};

// One rule test (SPEC §7 `tests:`) run against its own rule.
struct RuleTestOutcome {
  std::string rule;
  std::string name;
  bool expect_violation = true;
  bool passed = false;
  PolicyResult result;  // what the validator said of the test's policy
};

// Runs the tests of every rule, or of the rule with id `only` when given.
std::vector<RuleTestOutcome> RunRuleTests(const Catalog& catalog, std::string_view only = {});

}  // namespace docgen
