// A custom validator rule (SPEC §7): what a policy of some kind must or must
// not carry, written as data in rules/*.yaml. Loaded and linted with the
// catalog (src/catalog/load_rules.cc); evaluated by src/validate/.
//
// Plain value types, immutable once the catalog is loaded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

// One condition on a quote value. The value is either a field of the quote's
// coverage entry with code `coverage`, or the value at JSON Pointer `path`.
// Every operator given must hold; a missing value fails all but exists:false.
struct FieldCondition {
  std::string coverage;  // with `field`; empty when `path` is used
  std::string field;
  std::string path;      // JSON Pointer into the quote
  std::optional<nlohmann::json> equals;
  std::optional<std::vector<nlohmann::json>> in;
  std::optional<double> min;  // inclusive
  std::optional<double> max;  // inclusive
  std::optional<bool> exists;
};

// When a rule applies: every non-empty condition must hold.
struct RuleScope {
  std::vector<std::string> products;
  std::vector<std::string> jurisdictions;
  std::vector<std::string> agencies;
  std::vector<std::string> transactions;
  std::vector<std::string> coverages;
  bool coverages_match_all = false;
  std::vector<FieldCondition> fields;
};

struct RuleTest {
  std::string name;
  nlohmann::json policy;
  bool expect_violation = true;
  int line = 0;  // in the rule's file
};

struct Rule {
  std::string id;
  std::string description;
  bool warning = false;  // severity: warning instead of error
  RuleScope when;
  std::vector<std::string> require_all;
  std::vector<std::string> require_any;
  std::vector<std::string> forbid;
  std::vector<RuleTest> tests;
  std::string file;  // catalog-relative
};

}  // namespace docgen
