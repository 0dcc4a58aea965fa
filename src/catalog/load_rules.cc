// rules/*.yaml: one rule a file. Every mistake is a finding with file and line;
// a rule with an error of its own is still linted to the end.
#include "catalog/load_rules.h"

#include <algorithm>
#include <map>

#include "catalog/yaml_reader.h"
#include "util/text.h"
#include "validate/policy_shape.h"

namespace docgen {
namespace {

const std::vector<std::string> kRuleFields = {"id", "description", "severity", "when", "require", "forbid", "tests"};
const std::vector<std::string> kWhenFields = {"products",  "jurisdictions",   "agencies", "transactions",
                                              "coverages", "coverages_match", "fields"};
const std::vector<std::string> kConditionFields = {"coverage", "field", "path", "equals", "in", "min", "max", "exists"};
const std::vector<std::string> kRequireFields = {"all", "any"};
const std::vector<std::string> kTestFields = {"name", "policy", "expect"};
const std::vector<std::string> kTransactions = {"new", "renewal", "reissue"};

// RFC 6901: "" or "/" followed by tokens in which "~" is only "~0" or "~1".
bool ValidPointer(const std::string& pointer) {
  if (!pointer.empty() && pointer[0] != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] != '~') continue;
    if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return false;
  }
  return true;
}

class RuleParser {
 public:
  RuleParser(const std::string& file, const RuleContext& context, Diagnostics& diagnostics)
      : reader_(file, diagnostics), context_(context), diagnostics_(diagnostics), errors_before_(Errors()) {}

  // The rule, or nullopt when the file has errors of its own.
  std::optional<Rule> Parse(const std::string& text, int& id_line) {
    auto root = reader_.Parse(text);
    if (!root) return std::nullopt;
    if (!reader_.ExpectMap(*root, "A rule file")) return std::nullopt;
    const YAML::Node& map = *root;
    rule_.file = reader_.file();
    reader_.CheckKeys(map, kRuleFields, "the rule");
    id_line = reader_.FileLineOf(map);
    if (reader_.Require(map, "id", "the rule")) {
      id_line = reader_.FileLineOf(map["id"]);
      if (auto id = reader_.String(map, "id")) {
        rule_.id = *id;
        if (!ValidId(rule_.id)) {
          reader_.Error("invalid_id", "Rule id \"" + rule_.id + "\" must be capital letters, digits, '.', '_' or '-', starting with a letter or digit.",
                        map["id"]);
        }
      }
    }
    if (reader_.Require(map, "description", "the rule")) {
      if (auto description = reader_.String(map, "description")) rule_.description = *description;
    }
    if (auto severity = reader_.String(map, "severity")) {
      if (*severity == "warning") {
        rule_.warning = true;
      } else if (*severity != "error") {
        reader_.Error("invalid_value", "\"severity\" must be error or warning, but it is \"" + *severity + "\".", map["severity"]);
      }
    }
    if (const YAML::Node when = map["when"]; when && !when.IsNull()) ParseWhen(when);
    bool requires_something = false;
    if (const YAML::Node require = map["require"]; require && !require.IsNull()) {
      if (reader_.ExpectMap(require, "\"require\"")) {
        reader_.CheckKeys(require, kRequireFields, "\"require\"");
        if (auto all = DocumentList(require, "all")) rule_.require_all = *all;
        if (auto any = DocumentList(require, "any")) rule_.require_any = *any;
      }
    }
    if (auto forbid = DocumentList(map, "forbid")) rule_.forbid = *forbid;
    requires_something = !rule_.require_all.empty() || !rule_.require_any.empty() || !rule_.forbid.empty();
    if (!requires_something && Errors() == errors_before_) {
      reader_.Error("empty_rule", "The rule neither requires nor forbids any document, so it can never be broken; add \"require\" or \"forbid\".",
                    map["id"] ? map["id"] : map);
    }
    ParseTests(map);
    if (Errors() != errors_before_) return std::nullopt;
    return std::move(rule_);
  }

 private:
  size_t Errors() const {
    return static_cast<size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                             [](const Diagnostic& d) { return d.severity == Severity::kError; }));
  }

  void ParseWhen(const YAML::Node& when) {
    if (!reader_.ExpectMap(when, "\"when\"")) return;
    reader_.CheckKeys(when, kWhenFields, "\"when\"");
    RuleScope& scope = rule_.when;
    Codes(when, "products", scope.products, [&](const std::string& c) { return context_.catalog->HasProduct(c); });
    Codes(when, "jurisdictions", scope.jurisdictions, [&](const std::string& c) { return context_.catalog->HasJurisdiction(c); });
    Codes(when, "agencies", scope.agencies, [&](const std::string& c) { return context_.catalog->HasAgency(c); });
    Codes(when, "coverages", scope.coverages, [&](const std::string& c) { return context_.catalog->HasCoverage(c); });
    if (auto transactions = reader_.StringList(when, "transactions")) {
      for (const auto& t : *transactions) {
        if (std::find(kTransactions.begin(), kTransactions.end(), t) == kTransactions.end()) {
          reader_.Error("invalid_value", "\"transactions\" lists \"" + t + "\"; a transaction is new, renewal or reissue.",
                        when["transactions"]);
        }
      }
      scope.transactions = *transactions;
    }
    if (auto match = reader_.String(when, "coverages_match")) {
      if (*match == "all") {
        scope.coverages_match_all = true;
      } else if (*match != "any") {
        reader_.Error("invalid_value", "\"coverages_match\" must be any or all, but it is \"" + *match + "\".",
                      when["coverages_match"]);
      }
    }
    if (const YAML::Node fields = when["fields"]; fields && !fields.IsNull()) {
      if (!fields.IsSequence()) {
        reader_.Error("invalid_value", "\"fields\" must be a list of conditions such as {path: /insured/state, in: [CA]}.", fields);
        return;
      }
      for (const auto& entry : fields) {
        if (auto condition = ParseCondition(entry)) scope.fields.push_back(std::move(*condition));
      }
    }
  }

  template <typename Declared>
  void Codes(const YAML::Node& when, const char* key, std::vector<std::string>& out, Declared declared) {
    auto codes = reader_.StringList(when, key);
    if (!codes) return;
    out = *codes;
    if (context_.catalog == nullptr) return;
    for (const auto& code : out) {
      if (!declared(code)) {
        reader_.Error("undeclared_code", "when." + std::string(key) + " lists \"" + code + "\", which catalog.yaml does not declare.",
                      when[key]);
      }
    }
  }

  std::optional<FieldCondition> ParseCondition(const YAML::Node& entry) {
    if (!reader_.ExpectMap(entry, "A field condition")) return std::nullopt;
    reader_.CheckKeys(entry, kConditionFields, "a field condition");
    FieldCondition c;
    auto invalid = [&](const std::string& message) {
      reader_.Error("invalid_operator", message, entry);
      return std::nullopt;
    };
    const bool has_coverage = static_cast<bool>(entry["coverage"]);
    const bool has_path = static_cast<bool>(entry["path"]);
    if (has_coverage == has_path) {
      return invalid(has_path ? "A condition names either a coverage (with field) or a path, not both."
                              : "A condition needs {coverage, field} or a path: which quote value it is about.");
    }
    if (has_coverage) {
      auto coverage = reader_.String(entry, "coverage");
      if (!coverage) return std::nullopt;
      c.coverage = *coverage;
      if (context_.catalog != nullptr && !context_.catalog->HasCoverage(c.coverage)) {
        reader_.Error("undeclared_code", "The condition's coverage \"" + c.coverage + "\" is not declared in catalog.yaml.",
                      entry["coverage"]);
      }
      if (!entry["field"]) return invalid("A coverage condition needs \"field\": which value of the coverage (limit, retention...).");
      auto field = reader_.String(entry, "field");
      if (!field) return std::nullopt;
      c.field = *field;
    } else {
      if (entry["field"]) return invalid("\"field\" goes with \"coverage\"; with \"path\" the pointer says everything.");
      auto path = reader_.String(entry, "path");
      if (!path) return std::nullopt;
      if (!ValidPointer(*path)) {
        reader_.Error("invalid_pointer", "\"" + *path + "\" is not a JSON Pointer: it must start with / (like /insured/state), and ~ must be written ~0.",
                      entry["path"]);
        return std::nullopt;
      }
      c.path = *path;
    }
    bool any_operator = false;
    if (const YAML::Node node = entry["equals"]) {
      any_operator = true;
      c.equals = reader_.ToJson(node);
      if (!c.equals) return std::nullopt;
    }
    if (const YAML::Node node = entry["in"]) {
      any_operator = true;
      auto list = reader_.ToJson(node);
      if (!list) return std::nullopt;
      if (!list->is_array()) return invalid("\"in\" must be a list of values, such as [CA, NY].");
      c.in = list->get<std::vector<nlohmann::json>>();
    }
    for (const char* key : {"min", "max"}) {
      const YAML::Node node = entry[key];
      if (!node) continue;
      any_operator = true;
      auto value = reader_.ToJson(node);
      if (!value) return std::nullopt;
      if (!value->is_number()) return invalid("\"" + std::string(key) + "\" must be a number.");
      (std::string_view(key) == "min" ? c.min : c.max) = value->get<double>();
    }
    if (const YAML::Node node = entry["exists"]) {
      any_operator = true;
      auto value = reader_.ToJson(node);
      if (!value) return std::nullopt;
      if (!value->is_boolean()) return invalid("\"exists\" must be true or false.");
      c.exists = value->get<bool>();
    }
    if (!any_operator) return invalid("The condition has no operator: give equals, in, min, max or exists.");
    return c;
  }

  std::optional<std::vector<std::string>> DocumentList(const YAML::Node& map, const char* key) {
    auto ids = reader_.StringList(map, key);
    if (!ids) return std::nullopt;
    for (const auto& id : *ids) {
      if (!context_.document_ids.count(id)) {
        std::vector<std::string> known(context_.document_ids.begin(), context_.document_ids.end());
        std::string message = "\"" + std::string(key) + "\" names document \"" + id + "\", which the catalog does not have.";
        if (auto suggestion = SuggestClosest(id, known); !suggestion.empty()) message += " Did you mean \"" + suggestion + "\"?";
        reader_.Error("unknown_document", std::move(message), map[key]);
      }
    }
    return ids;
  }

  void ParseTests(const YAML::Node& map) {
    const YAML::Node tests = map["tests"];
    if (!tests || tests.IsNull() || (tests.IsSequence() && tests.size() == 0)) {
      reader_.Warning("untested_rule", "The rule has no tests; add at least one policy that breaks it and one that passes.",
                      map["id"] ? map["id"] : map);
      return;
    }
    if (!tests.IsSequence()) {
      reader_.Error("invalid_value", "\"tests\" must be a list of {name, policy, expect}.", tests);
      return;
    }
    for (const auto& entry : tests) {
      if (!reader_.ExpectMap(entry, "A rule test")) continue;
      reader_.CheckKeys(entry, kTestFields, "a rule test");
      RuleTest test;
      test.line = reader_.FileLineOf(entry);
      auto bad_test = [&](const std::string& message) { reader_.Error("invalid_rule_test", message, entry); };
      if (!entry["name"]) {
        bad_test("The test has no \"name\": say in words what it checks.");
      } else if (auto name = reader_.String(entry, "name")) {
        test.name = *name;
      }
      if (auto expect = reader_.String(entry, "expect")) {
        if (*expect == "pass") {
          test.expect_violation = false;
        } else if (*expect != "violation") {
          reader_.Error("invalid_value", "\"expect\" must be violation or pass, but it is \"" + *expect + "\".", entry["expect"]);
        }
      }
      if (!entry["policy"]) {
        bad_test("The test has no \"policy\": the policy to check against this rule.");
        continue;
      }
      auto policy = reader_.ToJson(entry["policy"]);
      if (!policy) continue;
      auto problems = CheckPolicyShape(*policy);
      if (!problems.empty()) {
        const auto& p = problems.front();
        bad_test("Test \"" + test.name + "\": its policy is not a policy" + (p.path.empty() ? "" : " at " + p.path) + ": " + p.message);
        continue;
      }
      test.policy = std::move(*policy);
      rule_.tests.push_back(std::move(test));
    }
  }

  YamlReader reader_;
  const RuleContext& context_;
  Diagnostics& diagnostics_;
  size_t errors_before_;
  Rule rule_;
};

}  // namespace

std::vector<Rule> LoadRules(const CatalogFiles& files, const RuleContext& context, Diagnostics& diagnostics) {
  std::vector<Rule> rules;
  std::map<std::string, std::string> seen;  // rule id -> file
  for (const auto& [path, text] : files) {
    if (!path.starts_with("rules/")) continue;
    if (path.size() < 5 || path.substr(path.size() - 5) != ".yaml") {
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.code = "ignored_file";
      d.file = path;
      d.message = "Ignored: rule files must end in .yaml.";
      diagnostics.push_back(std::move(d));
      continue;
    }
    int id_line = 0;
    auto rule = RuleParser(path, context, diagnostics).Parse(text, id_line);
    if (!rule) continue;
    if (auto [it, inserted] = seen.emplace(rule->id, path); !inserted) {
      Diagnostic d;
      d.code = "duplicate_rule";
      d.file = path;
      d.line = id_line;
      d.message = "Rule id \"" + rule->id + "\" is already used by " + it->second + "; rule ids must be unique.";
      diagnostics.push_back(std::move(d));
      continue;
    }
    rules.push_back(std::move(*rule));
  }
  std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
  return rules;
}

}  // namespace docgen
