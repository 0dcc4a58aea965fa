#include "schema/flat_schema.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

namespace docgen {
namespace {

bool Annotation(const std::string& key) {
  static const std::set<std::string> kAnnotations = {"title", "description", "$schema", "$id", "$comment", "examples"};
  return kAnnotations.count(key) > 0;
}

// Equal as valijson compares enum members (strict types): integers with
// integers, texts with texts... Numbers with a fraction are left to it.
bool SameValue(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_integer() && b.is_number_integer()) return a == b;
  if (a.is_string() || a.is_boolean() || a.is_null()) return a.type() == b.type() && a == b;
  return false;
}

}  // namespace

std::optional<FlatSchema> FlatSchema::From(const nlohmann::json& schema) {
  if (!schema.is_object()) return std::nullopt;
  FlatSchema flat;
  for (const auto& [key, value] : schema.items()) {
    if (key == "type") {
      if (value != "object") return std::nullopt;
    } else if (key == "required") {
      if (!value.is_array()) return std::nullopt;
      for (const auto& name : value) {
        if (!name.is_string()) return std::nullopt;
        flat.required_.push_back(name.get<std::string>());
      }
    } else if (key == "properties") {
      if (!value.is_object()) return std::nullopt;
      for (const auto& [name, property] : value.items()) {
        if (!property.is_object()) return std::nullopt;
        Property& p = flat.properties_.emplace_back();
        p.name = name;
        for (const auto& [keyword, argument] : property.items()) {
          if (keyword == "type") {
            static const std::map<std::string, Type> kTypes = {
                {"integer", Type::kInteger}, {"number", Type::kNumber}, {"string", Type::kString}, {"boolean", Type::kBoolean}};
            auto type = argument.is_string() ? kTypes.find(argument.get<std::string>()) : kTypes.end();
            if (type == kTypes.end()) return std::nullopt;
            p.type = type->second;
          } else if (keyword == "enum") {
            if (!argument.is_array()) return std::nullopt;
            p.one_of = std::vector<nlohmann::json>(argument.begin(), argument.end());
          } else if (keyword == "minimum" || keyword == "maximum") {
            if (!argument.is_number()) return std::nullopt;
            (keyword == "minimum" ? p.minimum : p.maximum) = argument.get<double>();
          } else if (keyword == "default") {
            p.fallback = argument;
          } else if (!Annotation(keyword)) {
            return std::nullopt;
          }
        }
      }
    } else if (!Annotation(key)) {
      return std::nullopt;
    }
  }
  return flat;
}

bool FlatSchema::Holds(const Property& p, const nlohmann::json& value) {
  // valijson reads integers as int64: a larger one is left to it.
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
  switch (p.type) {
    case Type::kAny: break;
    case Type::kInteger: if (!value.is_number_integer()) return false; break;
    case Type::kNumber: if (!value.is_number()) return false; break;
    case Type::kString: if (!value.is_string()) return false; break;
    case Type::kBoolean: if (!value.is_boolean()) return false; break;
  }
  if (p.one_of && std::none_of(p.one_of->begin(), p.one_of->end(), [&](const nlohmann::json& e) { return SameValue(e, value); })) {
    return false;
  }
  if (value.is_number()) {
    const double n = value.get<double>();
    if ((p.minimum && !(n >= *p.minimum)) || (p.maximum && !(n <= *p.maximum))) return false;
  }
  return true;
}

bool FlatSchema::Accepts(const nlohmann::json& instance) const {
  if (!instance.is_object()) return false;
  for (const Property& p : properties_) {
    auto given = instance.find(p.name);
    const nlohmann::json* value = given != instance.end() ? &*given : p.fallback ? &*p.fallback : nullptr;
    if (value != nullptr && !Holds(p, *value)) return false;
  }
  for (const std::string& name : required_) {
    if (instance.contains(name)) continue;
    auto p = std::find_if(properties_.begin(), properties_.end(), [&](const Property& q) { return q.name == name; });
    if (p == properties_.end() || !p->fallback) return false;
  }
  return true;
}

}  // namespace docgen
