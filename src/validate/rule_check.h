// Evaluates one custom rule on a resolved quote and the ids a policy carries.
#pragma once

#include <docgen/resolve.h>
#include <docgen/rule.h>
#include <docgen/validate.h>

#include <unordered_set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

// True when every condition of the rule's `when` holds for this quote.
bool RuleApplies(const Rule& rule, const Package& package, const nlohmann::json& quote);

// The rule's violations (none when it does not apply). `carried` holds the
// ids the policy carries, in any edition.
void CheckRule(const Rule& rule, const Catalog& catalog, const Package& package, const nlohmann::json& quote,
               const std::unordered_set<std::string_view>& carried, std::vector<Finding>& out);

}  // namespace docgen
