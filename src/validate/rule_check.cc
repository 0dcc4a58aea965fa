#include "validate/rule_check.h"

#include <algorithm>

#include "util/text.h"

namespace docgen {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The quote value a condition is about; null when the quote lacks it (or holds null there).
const nlohmann::json* ValueOf(const FieldCondition& c, const nlohmann::json& quote) {
  const nlohmann::json* value = nullptr;
  if (!c.coverage.empty()) {
    auto coverages = quote.find("coverages");
    if (coverages == quote.end() || !coverages->is_array()) return nullptr;
    for (const auto& entry : *coverages) {
      if (!entry.is_object() || entry.value("code", nlohmann::json()) != c.coverage) continue;
      auto field = entry.find(c.field);
      if (field != entry.end()) value = &*field;
      break;
    }
  } else {
    try {
      const nlohmann::json::json_pointer pointer(c.path);
      if (quote.contains(pointer)) value = &quote.at(pointer);
    } catch (const nlohmann::json::exception&) {
      return nullptr;  // lint refuses malformed pointers; a pointer through a scalar finds nothing
    }
  }
  return value != nullptr && !value->is_null() ? value : nullptr;
}

bool Holds(const FieldCondition& c, const nlohmann::json& quote) {
  const nlohmann::json* value = ValueOf(c, quote);
  if (c.exists && *c.exists != (value != nullptr)) return false;
  if (c.equals && (value == nullptr || *value != *c.equals)) return false;
  if (c.in && (value == nullptr || std::find(c.in->begin(), c.in->end(), *value) == c.in->end())) return false;
  const bool number = value != nullptr && value->is_number();
  if (c.min && (!number || value->get<double>() < *c.min)) return false;
  if (c.max && (!number || value->get<double>() > *c.max)) return false;
  return true;
}

std::string Named(const Catalog& catalog, const std::string& id) {
  auto editions = catalog.EditionsOf(id);
  return editions.empty() ? id : id + " (" + editions.back().title + ")";
}

}  // namespace

bool RuleApplies(const Rule& rule, const Package& package, const nlohmann::json& quote) {
  const RuleScope& when = rule.when;
  const QuoteFacts& facts = package.facts;
  if (!when.products.empty() && !Contains(when.products, facts.product)) return false;
  if (!when.jurisdictions.empty() && !Contains(when.jurisdictions, facts.jurisdiction)) return false;
  if (!when.agencies.empty() && !Contains(when.agencies, facts.agency)) return false;
  if (!when.transactions.empty() && !Contains(when.transactions, package.transaction)) return false;
  if (!when.coverages.empty()) {
    auto on_quote = [&](const std::string& code) { return Contains(facts.coverages, code); };
    const bool match = when.coverages_match_all ? std::all_of(when.coverages.begin(), when.coverages.end(), on_quote)
                                                : std::any_of(when.coverages.begin(), when.coverages.end(), on_quote);
    if (!match) return false;
  }
  return std::all_of(when.fields.begin(), when.fields.end(), [&](const FieldCondition& c) { return Holds(c, quote); });
}

void CheckRule(const Rule& rule, const Catalog& catalog, const Package& package, const nlohmann::json& quote,
               const std::unordered_set<std::string_view>& carried, std::vector<Finding>& out) {
  if (!RuleApplies(rule, package, quote)) return;
  auto violation = [&](std::string message) -> Finding& {
    Finding& f = out.emplace_back();
    f.code = "rule_violation";
    f.severity = rule.warning ? Severity::kWarning : Severity::kError;
    f.rule = rule.id;
    f.message = rule.id + " (" + rule.description + "): " + std::move(message);
    return f;
  };
  for (const auto& id : rule.require_all) {
    if (carried.count(id)) continue;
    violation("the policy must carry " + Named(catalog, id) + ", but it does not.").document = id;
  }
  if (!rule.require_any.empty() &&
      std::none_of(rule.require_any.begin(), rule.require_any.end(), [&](const std::string& id) { return carried.count(id) > 0; })) {
    violation("the policy must carry one of " + Join(rule.require_any) + ", but it carries none of them.").extra["documents"] =
        rule.require_any;
  }
  for (const auto& id : rule.forbid) {
    if (!carried.count(id)) continue;
    violation("the policy must not carry " + Named(catalog, id) + ", but it does.").document = id;
  }
}

}  // namespace docgen
