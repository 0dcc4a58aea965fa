// The comparison of a policy with its package (SPEC §7). Findings come out
// in a fixed order (README "Policy validator"):
//   1. invalid_policy, or the quote's step-1 errors (and then nothing else);
//   2. resolution_error, in resolution's order;
//   3. per document id, ids of the package first in package order, then the
//      policy's other ids in policy order: the count finding (missing or
//      unexpected), then each policy instance's findings in policy order;
//   4. rule_violation, rules by id.
#include <docgen/resolve.h>
#include <docgen/validate.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "schema/variables_schema.h"
#include "util/diagnostic_json.h"
#include "util/text.h"
#include "validate/policy_reader.h"
#include "validate/policy_shape.h"
#include "validate/policy_view.h"
#include "validate/rule_check.h"

namespace docgen {
namespace {

std::string Plural(size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

// One document id as the comparison sees it.
struct IdGroup {
  std::string_view id;
  std::string title;
  size_t expected = 0;                        // instances in the package
  const DocumentEdition* package_edition = nullptr;
  size_t found = 0;                           // policy instances whose id the catalog has
  bool known = true;                          // the catalog has the id
  std::vector<Finding> instance_findings;     // in policy order
};

class Comparison {
 public:
  Comparison(const Catalog& catalog, const Package& package) : catalog_(catalog), package_(package) {}

  void Run(const std::vector<CarriedDocument>& documents, std::vector<Finding>& out) {
    index_.reserve(package_.documents.size() + documents.size());
    for (const auto& doc : package_.documents) {
      IdGroup& group = Group(doc.id);
      ++group.expected;
      group.package_edition = doc.edition_ref;
      group.title = doc.title;
    }
    for (const auto& doc : documents) CheckInstance(doc);
    for (auto& group : groups_) {
      if (group.known) CountFinding(group, out);
      for (auto& f : group.instance_findings) out.push_back(std::move(f));
    }
  }

 private:
  IdGroup& Group(std::string_view id) {
    auto [it, inserted] = index_.try_emplace(id, groups_.size());
    if (inserted) groups_.emplace_back().id = id;
    return groups_[it->second];
  }

  std::string Named(const IdGroup& group) const {
    return group.title.empty() ? std::string(group.id) : std::string(group.id) + " (" + group.title + ")";
  }

  void CheckInstance(const CarriedDocument& doc) {
    IdGroup& group = Group(doc.id);
    // Most instances carry the package's own edition: no catalog lookup.
    const bool as_package = group.package_edition != nullptr && group.package_edition->edition == doc.edition && !group.title.empty();
    const DocumentEdition* carried = as_package ? group.package_edition : Edition(group, doc);
    if (carried == nullptr) return;
    const int instance = static_cast<int>(++group.found);
    if (group.package_edition != nullptr && group.package_edition->edition != doc.edition) {
      Finding& f = Add(group, "stale_edition");
      f.message = "The policy carries edition " + std::string(doc.edition) + " of " + Named(group) +
                  ", but on the effective date " + package_.facts.effective_date + " the edition in force is " +
                  group.package_edition->edition + ".";
      f.extra["edition"] = doc.edition;
      f.extra["expected_edition"] = group.package_edition->edition;
    }
    for (auto& violation : carried->schema->ValidateWithDefaults(doc.variables != nullptr ? *doc.variables : no_variables_)) {
      Finding& f = Add(group, "invalid_variables");
      f.path = violation.path;
      f.instance = instance;
      f.message = Named(group) + (group.found > 1 || instance > 1 ? ", instance " + std::to_string(instance) : "") +
                  ": " + violation.message;
    }
  }

  // The catalog's edition that `doc` carries; null (and the finding) when
  // the catalog has no such document or edition.
  const DocumentEdition* Edition(IdGroup& group, const CarriedDocument& doc) {
    auto editions = catalog_.EditionsOf(doc.id);
    if (editions.empty()) {
      group.known = false;
      Finding& f = Add(group, "unknown_document");
      f.message = "The policy carries document " + std::string(doc.id) + ", which the catalog does not have.";
      f.extra["edition"] = doc.edition;
      return nullptr;
    }
    if (group.title.empty()) group.title = editions.back().title;
    auto it = std::find_if(editions.begin(), editions.end(), [&](const DocumentEdition& e) { return e.edition == doc.edition; });
    if (it != editions.end()) return &*it;
    ++group.found;
    std::vector<std::string> known;
    for (const auto& e : editions) known.push_back(e.edition);
    Finding& f = Add(group, "unknown_edition");
    f.message = "The policy carries edition \"" + std::string(doc.edition) + "\" of " + Named(group) +
                ", but the catalog has no such edition (it has " + Join(known) + ").";
    f.extra["edition"] = doc.edition;
    return nullptr;
  }

  Finding& Add(IdGroup& group, const char* code) {
    Finding& f = group.instance_findings.emplace_back();
    f.code = code;
    f.document = std::string(group.id);
    return f;
  }

  void CountFinding(const IdGroup& group, std::vector<Finding>& out) const {
    if (group.expected == group.found) return;
    Finding f;
    f.document = std::string(group.id);
    f.extra["expected"] = group.expected;
    f.extra["found"] = group.found;
    if (group.expected > group.found) {
      f.code = "missing_document";
      f.message = group.found == 0 ? "The policy lacks " + Named(group) + ", which this quote calls for."
                                   : "The policy carries " + Plural(group.found, "instance") + " of " + Named(group) +
                                         ", but this quote calls for " + std::to_string(group.expected) + ".";
    } else {
      f.code = "unexpected_document";
      f.message = group.expected == 0 ? "The policy carries " + Named(group) + ", which this quote does not call for."
                                      : "The policy carries " + Plural(group.found, "instance") + " of " + Named(group) +
                                            ", but this quote calls for " + std::to_string(group.expected) + ".";
    }
    out.push_back(std::move(f));
  }

  const Catalog& catalog_;
  const Package& package_;
  const nlohmann::json no_variables_ = nlohmann::json::object();
  std::vector<IdGroup> groups_;  // package ids in package order, then the policy's other ids
  std::unordered_map<std::string_view, size_t> index_;
};

void Finish(PolicyResult& result) {
  result.ok = std::none_of(result.findings.begin(), result.findings.end(),
                           [](const Finding& f) { return f.severity == Severity::kError; });
}

PolicyResult Begin(const Catalog& catalog) {
  PolicyResult result;
  result.catalog_name = catalog.name;
  result.catalog_digest = catalog.digest;
  return result;
}

PolicyResult Invalid(const Catalog& catalog, std::string message) {
  PolicyResult result = Begin(catalog);
  result.ok = false;
  Finding& f = result.findings.emplace_back();
  f.code = "invalid_policy";
  f.path = "";
  f.message = std::move(message);
  return result;
}

// Everything after the shape check, on a well-formed policy.
PolicyResult Validate(const Catalog& catalog, const PolicyView& policy, std::span<const Rule> rules) {
  PolicyResult result = Begin(catalog);
  if (policy.policy_id != nullptr) result.policy_id = *policy.policy_id;
  const nlohmann::json& quote = *policy.quote;
  // Only ids, editions and errors are compared: no explain words, and the
  // package's own variables are not checked (the policy's are, below).
  ResolveOptions options;
  options.explain = false;
  options.check_variables = false;
  const Package package = Resolve(catalog, quote, options);
  if (!package.quote_checked) {
    for (const auto& error : package.errors) {
      Finding& f = result.findings.emplace_back();
      f.code = error.code;
      f.message = "The policy's quote fails its checks: " + error.message;
      f.path = error.path;
      f.document = error.document;
    }
    Finish(result);
    return result;
  }
  for (const auto& error : package.errors) {
    if (error.code == "invalid_variables") continue;  // the policy's own variables are checked instead
    Finding& f = result.findings.emplace_back();
    f.code = "resolution_error";
    f.document = error.document;
    f.message = "Resolving the policy's quote reports an error: " + error.message;
    f.extra["details"] = DiagnosticToJson(error);
  }
  Comparison(catalog, package).Run(policy.documents, result.findings);
  if (!rules.empty()) {
    std::unordered_set<std::string_view> carried(policy.documents.size());
    for (const auto& doc : policy.documents) carried.insert(doc.id);
    for (const Rule& rule : rules) CheckRule(rule, catalog, package, quote, carried, result.findings);
  }
  Finish(result);
  return result;
}

}  // namespace

PolicyResult ValidatePolicy(const Catalog& catalog, const nlohmann::json& policy) {
  return ValidatePolicy(catalog, policy, catalog.rules);
}

PolicyResult ValidatePolicy(const Catalog& catalog, const nlohmann::json& policy, std::span<const Rule> rules) {
  auto problems = CheckPolicyShape(policy);
  if (!problems.empty()) {
    PolicyResult result = Begin(catalog);
    if (policy.is_object()) result.policy_id = policy.value("policy_id", nlohmann::json());
    for (auto& problem : problems) {
      Finding& f = result.findings.emplace_back();
      f.code = "invalid_policy";
      f.path = std::move(problem.path);
      f.message = std::move(problem.message);
    }
    Finish(result);
    return result;
  }
  PolicyView view;
  if (auto id = policy.find("policy_id"); id != policy.end()) view.policy_id = &*id;
  view.quote = &policy["quote"];
  for (const auto& entry : policy["documents"]) {
    auto variables = entry.find("variables");
    view.documents.push_back({entry["id"].get_ref<const std::string&>(), entry["edition"].get_ref<const std::string&>(),
                              variables == entry.end() ? nullptr : &*variables});
  }
  return Validate(catalog, view, rules);
}

PolicyResult ValidatePolicyText(const Catalog& catalog, std::string_view line) {
  PolicyReader reader;
  return ValidatePolicyText(catalog, line, reader);
}

PolicyResult ValidatePolicyText(const Catalog& catalog, std::string_view line, PolicyReader& reader) {
  if (const PolicyView* policy = reader.Read(line)) return Validate(catalog, *policy, catalog.rules);
  if (JsonNestingDepth(line) > kMaxPolicyNesting) {
    return Invalid(catalog, "The policy nests deeper than " + std::to_string(kMaxPolicyNesting) + " levels.");
  }
  nlohmann::json policy;
  try {
    policy = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    return Invalid(catalog, "This line is not JSON (at character " + std::to_string(e.byte) +
                                "): a policy must be one JSON object per line.");
  } catch (const nlohmann::json::exception&) {  // out_of_range: a number too large for a double
    return Invalid(catalog, "This line holds a number too large to read: a policy must be one JSON object per line.");
  }
  return ValidatePolicy(catalog, policy);
}

nlohmann::ordered_json PolicyResultToJson(const PolicyResult& result) {
  nlohmann::ordered_json out;
  out["policy_id"] = result.policy_id;
  out["ok"] = result.ok;
  out["catalog"] = {{"name", result.catalog_name}, {"digest", result.catalog_digest}};
  auto& findings = out["findings"] = nlohmann::ordered_json::array();
  for (const auto& f : result.findings) {
    nlohmann::ordered_json j;
    j["code"] = f.code;
    j["severity"] = f.severity == Severity::kError ? "error" : "warning";
    j["message"] = f.message;
    if (!f.document.empty()) j["document"] = f.document;
    if (!f.rule.empty()) j["rule"] = f.rule;
    if (f.path) j["path"] = *f.path;
    if (f.instance > 0) j["instance"] = f.instance;
    for (const auto& [key, value] : f.extra.items()) j[key] = value;
    findings.push_back(std::move(j));
  }
  return out;
}

void ValidationSummary::Add(const PolicyResult& result) {
  ++policies;
  if (!result.ok) {
    ++with_errors;
  } else {
    ++ok;
    if (!result.findings.empty()) ++with_warnings;
  }
  for (const auto& f : result.findings) ++findings_by_code[f.code];
}

void ValidationSummary::Merge(const ValidationSummary& other) {
  policies += other.policies;
  ok += other.ok;
  with_errors += other.with_errors;
  with_warnings += other.with_warnings;
  for (const auto& [code, n] : other.findings_by_code) findings_by_code[code] += n;
}

nlohmann::ordered_json ValidationSummary::ToJson() const {
  nlohmann::ordered_json out;
  out["policies"] = policies;
  out["ok"] = ok;
  out["with_errors"] = with_errors;
  out["with_warnings"] = with_warnings;
  out["findings_by_code"] = nlohmann::ordered_json::object();
  for (const auto& [code, n] : findings_by_code) out["findings_by_code"][code] = n;
  return out;
}

std::vector<RuleTestOutcome> RunRuleTests(const Catalog& catalog, std::string_view only) {
  std::vector<RuleTestOutcome> outcomes;
  for (const Rule& rule : catalog.rules) {
    if (!only.empty() && rule.id != only) continue;
    for (const RuleTest& test : rule.tests) {
      RuleTestOutcome& o = outcomes.emplace_back();
      o.rule = rule.id;
      o.name = test.name;
      o.expect_violation = test.expect_violation;
      o.result = ValidatePolicy(catalog, test.policy, std::span<const Rule>(&rule, 1));
      const bool violated = std::any_of(o.result.findings.begin(), o.result.findings.end(),
                                        [](const Finding& f) { return f.code == "rule_violation"; });
      o.passed = violated == test.expect_violation;
    }
  }
  return outcomes;
}

}  // namespace docgen
