// A document's variables schema (JSON Schema draft-07), compiled once when the
// catalog loads and then used by resolution to fill defaults and validate.
//
// Immutable after Compile(); every method is const and safe to call from many
// threads at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

class VariablesSchema {
 public:
  struct Violation {
    std::string path;     // JSON Pointer into the instance, "" for the root
    std::string message;  // in words, naming the variable by its title when it has one
  };

  // Compiles `schema`. On failure returns null and sets `*error` to why.
  static std::shared_ptr<const VariablesSchema> Compile(const nlohmann::json& schema, std::string* error);

  ~VariablesSchema();
  VariablesSchema(const VariablesSchema&) = delete;
  VariablesSchema& operator=(const VariablesSchema&) = delete;

  // Fills `default` values of `properties` into `instance`, at every level
  // where the enclosing object is present. Local "$ref"s are followed.
  void ApplyDefaults(nlohmann::json& instance) const;

  // Every violation, not just the first; empty when `instance` is valid.
  std::vector<Violation> Validate(const nlohmann::json& instance) const;

  // Validate() of a copy of `instance` with ApplyDefaults() filled in (no
  // copy when the schema accepts any object).
  std::vector<Violation> ValidateWithDefaults(const nlohmann::json& instance) const;

  // True when the schema declares top-level property `name`.
  bool HasProperty(const std::string& name) const;

 private:
  struct Impl;
  explicit VariablesSchema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace docgen
