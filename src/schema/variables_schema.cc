#include "schema/variables_schema.h"

#include <re2/re2.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <exception>
#include <new>
#include <set>

#include "schema/flat_schema.h"
#include "util/text.h"

namespace docgen {
namespace {

constexpr int kMaxRefDepth = 32;

// Follows a local "$ref" ("#/definitions/x"); returns `node` when it has none.
const nlohmann::json* Deref(const nlohmann::json& root, const nlohmann::json* node) {
  for (int hops = 0; hops < kMaxRefDepth && node->is_object(); ++hops) {
    auto ref = node->find("$ref");
    if (ref == node->end() || !ref->is_string()) return node;
    const std::string& target = ref->get_ref<const std::string&>();
    if (target.empty() || target[0] != '#') return node;
    try {
      node = &root.at(nlohmann::json::json_pointer(target.substr(1)));
    } catch (const std::exception&) {
      return node;
    }
  }
  return node;
}

// `seen`: schema nodes already applied to this instance node (a schema
// reached twice through allOf/$ref adds nothing the second time).
void FillDefaults(const nlohmann::json& root, const nlohmann::json& schema, nlohmann::json& instance, int depth,
                  std::set<const nlohmann::json*>& seen) {
  if (depth > kMaxRefDepth) return;
  const nlohmann::json* s = Deref(root, &schema);
  if (!s->is_object() || !seen.insert(s).second) return;
  if (auto all = s->find("allOf"); all != s->end() && all->is_array()) {
    for (const auto& part : *all) FillDefaults(root, part, instance, depth + 1, seen);
  }
  if (instance.is_array()) {
    // Every item present is an enclosing object for its own defaults.
    auto items = s->find("items");
    if (items == s->end()) return;
    for (size_t i = 0; i < instance.size(); ++i) {
      std::set<const nlohmann::json*> item_seen;
      if (items->is_array()) {
        if (i < items->size()) FillDefaults(root, (*items)[i], instance[i], depth + 1, item_seen);
      } else {
        FillDefaults(root, *items, instance[i], depth + 1, item_seen);
      }
    }
    return;
  }
  if (!instance.is_object()) return;
  auto properties = s->find("properties");
  if (properties == s->end() || !properties->is_object()) return;
  for (const auto& [name, property_schema] : properties->items()) {
    const nlohmann::json* p = Deref(root, &property_schema);
    if (!p->is_object()) continue;
    auto value = instance.find(name);
    if (value == instance.end()) {
      if (auto def = p->find("default"); def != p->end()) instance[name] = *def;
      continue;
    }
    std::set<const nlohmann::json*> property_seen;
    FillDefaults(root, *p, *value, depth + 1, property_seen);
  }
}

// Keywords whose sub-schemas apply to the same instance location.
const char* const kSameLocation[] = {"allOf", "anyOf", "oneOf", "not", "if", "then", "else"};

// Follows same-location edges ($ref, allOf, ...) from `node`. A cycle among
// them would make validation recurse forever, so it is refused. `done` holds
// nodes known to lead to no cycle.
bool SameLocationCycle(const nlohmann::json& root, const nlohmann::json* node, std::vector<const nlohmann::json*>& path,
                       std::set<const nlohmann::json*>& done, std::string& error) {
  if (!node->is_object() || done.count(node)) return false;
  if (std::find(path.begin(), path.end(), node) != path.end()) {
    error = "its \"$ref\"/\"allOf\" references form a loop";
    return true;
  }
  if (path.size() > 64) {
    error = "its references are nested more than 64 levels deep";
    return true;
  }
  path.push_back(node);
  std::vector<const nlohmann::json*> next;
  if (auto ref = node->find("$ref"); ref != node->end()) {
    if (!ref->is_string()) {
      error = "\"$ref\" must be a text";
      return true;
    }
    const std::string& target = ref->get_ref<const std::string&>();
    if (target.empty() || target[0] != '#') {
      error = "\"$ref\" " + target + " points outside the schema; only local references (#/...) are supported";
      return true;
    }
    try {
      next.push_back(&root.at(nlohmann::json::json_pointer(target.substr(1))));
    } catch (const std::exception&) {
      error = "\"$ref\" " + target + " points to nothing in the schema";
      return true;
    }
  }
  for (const char* keyword : kSameLocation) {
    auto it = node->find(keyword);
    if (it == node->end()) continue;
    if (it->is_array()) {
      for (const auto& part : *it) next.push_back(&part);
    } else {
      next.push_back(&*it);
    }
  }
  for (const nlohmann::json* n : next) {
    if (SameLocationCycle(root, n, path, done, error)) return true;
  }
  path.pop_back();
  done.insert(node);
  return false;
}

// Runs SameLocationCycle from every object in the schema document.
bool AnyCycle(const nlohmann::json& root, const nlohmann::json& node, std::set<const nlohmann::json*>& done,
              std::string& error, int depth) {
  if (depth > 64) {
    error = "it is nested more than 64 levels deep";
    return true;
  }
  if (node.is_object()) {
    std::vector<const nlohmann::json*> path;
    if (SameLocationCycle(root, &node, path, done, error)) return true;
    for (const auto& [key, value] : node.items()) {
      if (key == "enum" || key == "const" || key == "default" || key == "examples") continue;  // data, not schemas
      if (AnyCycle(root, value, done, error, depth + 1)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& item : node) {
      if (AnyCycle(root, item, done, error, depth + 1)) return true;
    }
  }
  return false;
}

// Collects top-level property names, through allOf/anyOf/oneOf and $ref.
void CollectPropertyNames(const nlohmann::json& root, const nlohmann::json* node, std::set<std::string>& names,
                          int depth) {
  if (depth > 16) return;
  node = Deref(root, node);
  if (!node->is_object()) return;
  if (auto properties = node->find("properties"); properties != node->end() && properties->is_object()) {
    for (const auto& [name, unused] : properties->items()) names.insert(name);
  }
  for (const char* keyword : {"allOf", "anyOf", "oneOf"}) {
    auto it = node->find(keyword);
    if (it == node->end() || !it->is_array()) continue;
    for (const auto& part : *it) CollectPropertyNames(root, &part, names, depth + 1);
  }
}

// valijson checks "format" (date, time, date-time) with fixed std::regex
// patterns; std::regex recurses once per character, so strings longer than
// kMaxCheckedString are refused before it runs. "pattern" is RE2's (below).
bool UsesFormat(const nlohmann::json& node, int depth = 0) {
  if (depth > 64) return true;
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "format") return true;
      if (UsesFormat(value, depth + 1)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& item : node) {
      if (UsesFormat(item, depth + 1)) return true;
    }
  }
  return false;
}

// Finds the first string or key longer than kMaxCheckedString.
constexpr size_t kMaxCheckedString = 10000;
std::string FirstOverlongString(const nlohmann::json& node, const std::string& path) {
  if (node.is_string()) return node.get_ref<const std::string&>().size() > kMaxCheckedString ? (path.empty() ? "/" : path) : "";
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      std::string child = path + "/" + EscapePointerToken(key);
      if (key.size() > kMaxCheckedString) return child;
      if (std::string found = FirstOverlongString(value, child); !found.empty()) return found;
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (std::string found = FirstOverlongString(node[i], path + "/" + std::to_string(i)); !found.empty()) return found;
    }
  }
  return {};
}

// "pattern" is matched with RE2, never with std::regex (which valijson would
// use: it recurses per character and backtracks exponentially). The schema
// given to valijson has every "pattern" keyword renamed to kRe2Pattern, which
// a constraint builder turns into an Re2PatternConstraint.
constexpr const char* kRe2Pattern = "x-docgen-re2-pattern";

// RE2 options for patterns: UTF-8, no logging, a bounded program.
RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_max_mem(8 << 20);
  return options;
}

class Re2PatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit Re2PatternConstraint(const RE2* re) : re_(re) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;  // "pattern" applies to strings only
    if (RE2::PartialMatch(target.asString(), *re_)) return true;  // unanchored, as JSON Schema says
    if (results != nullptr) results->pushError(context, "Failed to match regex specified by 'pattern' constraint.");
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) Re2PatternConstraint(re_); }
  size_t sizeOf() const override { return sizeof(Re2PatternConstraint); }
  const RE2* re_;  // owned by the VariablesSchema
};

class Re2PatternBuilder : public valijson::ConstraintBuilder {
 public:
  explicit Re2PatternBuilder(std::vector<std::unique_ptr<RE2>>& store) : store_(store) {}
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    auto re = std::make_unique<RE2>(value.asString(), PatternOptions());
    if (!re->ok()) throw std::runtime_error("pattern \"" + value.asString() + "\" cannot be used: " + re->error());
    store_.push_back(std::move(re));
    return new Re2PatternConstraint(store_.back().get());
  }

 private:
  std::vector<std::unique_ptr<RE2>>& store_;
};

// Checks every "pattern" with RE2 and renames it for valijson (see above);
// refuses "patternProperties" (valijson would match instance keys with
// std::regex). Data keywords are left alone. Returns why, or empty.
std::string PreparePatterns(nlohmann::json& node, int depth = 0) {
  if (depth > 64) return {};
  if (node.is_object()) {
    if (auto it = node.find("pattern"); it != node.end() && it->is_string()) {
      RE2 re(it->get<std::string>(), PatternOptions());
      if (!re.ok()) {
        return "pattern \"" + it->get<std::string>() + "\" is not a valid RE2 regular expression (" + re.error() +
               "); patterns use RE2 syntax: no backreferences or lookaround";
      }
      nlohmann::json pattern = std::move(*it);
      node.erase(it);
      node[kRe2Pattern] = std::move(pattern);
    }
    if (node.contains("patternProperties")) {
      return "\"patternProperties\" is not supported (its patterns would be matched without RE2); use "
             "\"properties\" and \"additionalProperties\"";
    }
    for (auto& [key, value] : node.items()) {
      if (key == "enum" || key == "const" || key == "default" || key == "examples" || key == kRe2Pattern) continue;
      if (std::string bad = PreparePatterns(value, depth + 1); !bad.empty()) return bad;
    }
  } else if (node.is_array()) {
    for (auto& item : node) {
      if (std::string bad = PreparePatterns(item, depth + 1); !bad.empty()) return bad;
    }
  }
  return {};
}

// valijson context ["<root>", "[a]", "[0]"] -> "/a/0".
std::string PointerOf(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& element : context) {
    if (element.size() >= 2 && element.front() == '[' && element.back() == ']') {
      pointer += "/" + EscapePointerToken(std::string_view(element).substr(1, element.size() - 2));
    }
  }
  return pointer;
}

// The last '...'-quoted name in a valijson description.
std::string QuotedName(const std::string& description) {
  size_t end = description.rfind('\'');
  if (end == std::string::npos || end == 0) return {};
  size_t start = description.rfind('\'', end - 1);
  if (start == std::string::npos) return {};
  return description.substr(start + 1, end - start - 1);
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// valijson prints numbers with std::to_string(double): "0.000000" -> "0".
std::string TidyNumbers(std::string text) {
  size_t pos = 0;
  while ((pos = text.find(".000000", pos)) != std::string::npos) text.erase(pos, 7);
  return text;
}

// The sub-schema that describes instance location `pointer`, following
// properties and items; null when the schema does not say.
const nlohmann::json* SubschemaAt(const nlohmann::json& root, const std::string& pointer) {
  const nlohmann::json* node = Deref(root, &root);
  size_t pos = 1;
  while (pos <= pointer.size() && !pointer.empty()) {
    size_t next = pointer.find('/', pos);
    std::string token = pointer.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!node->is_object()) return nullptr;
    auto properties = node->find("properties");
    if (properties != node->end() && properties->is_object() && properties->contains(token)) {
      node = Deref(root, &(*properties)[token]);
    } else if (auto items = node->find("items"); items != node->end() && items->is_object()) {
      node = Deref(root, &*items);
    } else {
      return nullptr;
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return node;
}

std::string Subject(const nlohmann::json& root, const std::string& pointer) {
  if (pointer.empty()) return "The variables";
  const nlohmann::json* s = SubschemaAt(root, pointer);
  if (s != nullptr && s->is_object()) {
    auto title = s->find("title");
    if (title != s->end() && title->is_string()) return "\"" + title->get<std::string>() + "\" (" + pointer + ")";
  }
  return "Variable " + pointer;
}

}  // namespace

struct VariablesSchema::Impl {
  nlohmann::json source;
  nlohmann::json for_valijson;  // source with "pattern" renamed (PreparePatterns)
  std::vector<std::unique_ptr<RE2>> patterns;  // before `compiled`: its constraints point here
  valijson::Schema compiled;
  std::set<std::string> property_names;
  bool uses_format = false;
  // Nothing but annotations (and type: object): every object is valid as it
  // is. Most documents have such a schema; they skip valijson altogether.
  bool accepts_any_object = false;
  // A flat object of typed properties: a valid instance needs no valijson.
  std::optional<FlatSchema> flat;
};

VariablesSchema::VariablesSchema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VariablesSchema::~VariablesSchema() = default;

std::shared_ptr<const VariablesSchema> VariablesSchema::Compile(const nlohmann::json& schema, std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->source = schema;
  if (!schema.is_object()) {
    *error = "the variables schema must be a mapping (JSON Schema object)";
    return nullptr;
  }
  if (auto type = schema.find("type");
      type != schema.end() && *type != "object" &&
      !(type->is_array() && std::find(type->begin(), type->end(), "object") != type->end())) {
    *error = "the variables schema must describe an object (type: object), but its type is " + type->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return nullptr;
  }
  std::set<const nlohmann::json*> done;
  std::string cycle;
  if (AnyCycle(impl->source, impl->source, done, cycle, 0)) {
    *error = "the variables schema cannot be used: " + cycle;
    return nullptr;
  }
  impl->for_valijson = schema;
  if (std::string bad = PreparePatterns(impl->for_valijson); !bad.empty()) {
    *error = bad;
    return nullptr;
  }
  impl->uses_format = UsesFormat(schema);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(kRe2Pattern, new Re2PatternBuilder(impl->patterns));  // the parser deletes it
    valijson::adapters::NlohmannJsonAdapter adapter(impl->for_valijson);
    parser.populateSchema(adapter, impl->compiled);
  } catch (const std::exception& e) {
    *error = std::string("not a valid JSON Schema: ") + e.what();
    return nullptr;
  }
  CollectPropertyNames(impl->source, &impl->source, impl->property_names, 0);
  static const std::set<std::string> kAnnotations = {"type", "title", "description", "$schema", "$id", "$comment", "examples"};
  impl->accepts_any_object = true;
  for (const auto& [key, unused] : schema.items()) impl->accepts_any_object = impl->accepts_any_object && kAnnotations.count(key) > 0;
  impl->flat = FlatSchema::From(schema);
  return std::shared_ptr<const VariablesSchema>(new VariablesSchema(std::move(impl)));
}

void VariablesSchema::ApplyDefaults(nlohmann::json& instance) const {
  if (impl_->accepts_any_object) return;
  std::set<const nlohmann::json*> seen;
  FillDefaults(impl_->source, impl_->source, instance, 0, seen);
}

std::vector<VariablesSchema::Violation> VariablesSchema::ValidateWithDefaults(const nlohmann::json& instance) const {
  if (impl_->accepts_any_object && instance.is_object()) return {};
  if (impl_->flat && impl_->flat->Accepts(instance)) return {};  // it fills the defaults in as it checks
  nlohmann::json filled = instance;
  ApplyDefaults(filled);
  return Validate(filled);
}

bool VariablesSchema::HasProperty(const std::string& name) const { return impl_->property_names.count(name) > 0; }

std::vector<VariablesSchema::Violation> VariablesSchema::Validate(const nlohmann::json& instance) const {
  if (impl_->accepts_any_object && instance.is_object()) return {};
  if (impl_->uses_format) {
    if (std::string path = FirstOverlongString(instance, ""); !path.empty()) {
      return {{path == "/" ? "" : path, "Variable " + path + " is longer than 10,000 characters, too long to check."}};
    }
  }
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(instance);
  try {
    validator.validate(impl_->compiled, adapter, &results);
  } catch (const std::exception& e) {
    return {{"", std::string("The variables could not be checked against the schema: ") + e.what()}};
  }

  std::vector<Violation> out;
  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    const std::string& d = error.description;
    // Summaries of a child's failure: the child reports the real cause itself.
    if (StartsWith(d, "Failed to validate against schema associated with property") ||
        StartsWith(d, "Failed to validate item #") ||
        StartsWith(d, "Failed to validate against additional properties schema") ||
        StartsWith(d, "Failed to validate against schema associated with pattern")) {
      continue;
    }
    std::string path = PointerOf(error.context);
    std::string message;
    if (StartsWith(d, "Missing required property")) {
      path += "/" + EscapePointerToken(QuotedName(d));
      message = Subject(impl_->source, path) + " is required but missing.";
    } else if (StartsWith(d, "Object contains a property that could not be validated")) {
      path += "/" + EscapePointerToken(QuotedName(d));
      message = "Variable " + path + " is not one this document accepts.";
    } else if (StartsWith(d, "Value type not permitted")) {
      const nlohmann::json* s = SubschemaAt(impl_->source, path);
      std::string expected;
      if (s != nullptr && s->is_object() && s->contains("type")) expected = " (expected " + s->at("type").dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + ")";
      message = Subject(impl_->source, path) + " has the wrong type" + expected + ".";
    } else if (StartsWith(d, "Failed to match against any enum values")) {
      const nlohmann::json* s = SubschemaAt(impl_->source, path);
      std::string allowed;
      if (s != nullptr && s->is_object() && s->contains("enum")) allowed = ": allowed values are " + s->at("enum").dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      message = Subject(impl_->source, path) + " is not one of the allowed values" + allowed + ".";
    } else {
      message = Subject(impl_->source, path) + ": " + TidyNumbers(d);
    }
    if (seen.emplace(path, message).second) out.push_back({path, message});
  }
  return out;
}

}  // namespace docgen
