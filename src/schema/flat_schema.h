// The common variables schema, a flat object of typed properties, checked
// without valijson: the validator checks a variables object for every
// document of every policy, and most of them are valid.
//
// It only answers "valid"; the words of a violation always come from the
// full check. So it may send a valid instance on to the full check, but
// never calls an invalid one valid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

class FlatSchema {
 public:
  // Null unless `schema` is an object schema whose only keywords are
  // properties, required and annotations, with properties that use only
  // type (integer, number, string, boolean), enum, minimum, maximum,
  // default and annotations.
  static std::optional<FlatSchema> From(const nlohmann::json& schema);

  // True when `instance`, with the properties' defaults filled in, is valid.
  bool Accepts(const nlohmann::json& instance) const;

 private:
  enum class Type { kAny, kInteger, kNumber, kString, kBoolean };
  struct Property {
    std::string name;
    Type type = Type::kAny;
    std::optional<std::vector<nlohmann::json>> one_of;  // enum
    std::optional<double> minimum, maximum;
    std::optional<nlohmann::json> fallback;  // default
  };
  static bool Holds(const Property& p, const nlohmann::json& value);

  std::vector<Property> properties_;
  std::vector<std::string> required_;
};

}  // namespace docgen
