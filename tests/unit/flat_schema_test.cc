// FlatSchema answers "valid" without valijson for the common schema. It must
// never call valid what the full check (valijson, after defaults) refuses:
// every schema below is tried on every instance against the full check.
#include <gtest/gtest.h>

#include <string>

#include "schema/flat_schema.h"
#include "schema/variables_schema.h"

namespace docgen {
namespace {

// The same schema, with a keyword FlatSchema does not take and that changes
// nothing: VariablesSchema then always runs valijson.
std::shared_ptr<const VariablesSchema> Full(nlohmann::json schema) {
  schema["definitions"] = nlohmann::json::object();
  std::string error;
  auto compiled = VariablesSchema::Compile(schema, &error);
  EXPECT_NE(compiled, nullptr) << error;
  return compiled;
}

const nlohmann::json kSchemas = nlohmann::json::parse(R"json([
  {"type": "object", "required": ["limit"], "properties": {
     "limit": {"type": "integer", "minimum": 0, "title": "Limit (USD)"},
     "hours": {"type": "integer", "enum": [8, 12, 24], "default": 12}}},
  {"properties": {"rate": {"type": "number", "minimum": 0.5, "maximum": 2}, "name": {"type": "string"},
                  "flag": {"type": "boolean", "default": false}}},
  {"type": "object", "required": ["a", "b"], "properties": {"a": {"enum": ["x", 1, true, null]}, "b": {"default": "d"}}},
  {"properties": {"n": {"type": "integer", "default": "twelve"}}},
  {"properties": {"f": {"enum": [1.5, 2]}, "m": {"maximum": 10}}}
])json");

const nlohmann::json kInstances = nlohmann::json::parse(R"([
  {}, {"limit": 100000}, {"limit": 100000, "hours": 12}, {"limit": -1}, {"limit": 1.0}, {"limit": 1.5}, {"limit": "1"},
  {"limit": 5, "hours": 9}, {"limit": 5, "hours": 12.0}, {"limit": 18446744073709551615},
  {"rate": 0.5}, {"rate": 2}, {"rate": 2.01}, {"rate": 0.49}, {"rate": true}, {"name": "x", "flag": true}, {"name": 3},
  {"flag": "yes"}, {"a": "x"}, {"a": "x", "b": 1}, {"a": 1, "b": null}, {"a": true}, {"a": null}, {"a": "y"}, {"a": 1.0},
  {"n": 3}, {"f": 1.5}, {"f": 2}, {"f": 3}, {"m": 10}, {"m": 10.5}, {"m": "big"}, {"extra": [1, 2]}
])");

TEST(FlatSchema, NeverAcceptsWhatTheFullCheckRefuses) {
  int accepted = 0, valid = 0;
  for (const auto& schema : kSchemas) {
    const auto flat = FlatSchema::From(schema);
    ASSERT_TRUE(flat.has_value()) << schema;
    const auto full = Full(schema);
    for (const auto& instance : kInstances) {
      const bool full_valid = full->ValidateWithDefaults(instance).empty();
      const bool flat_valid = flat->Accepts(instance);
      EXPECT_TRUE(!flat_valid || full_valid) << "flat accepts what the full check refuses: " << schema << " " << instance;
      accepted += flat_valid;
      valid += full_valid;
    }
  }
  // It is only worth having if it takes most valid instances itself.
  EXPECT_GE(accepted * 10, valid * 8) << accepted << " of " << valid;
}

TEST(FlatSchema, TakesOnlyFlatSchemas) {
  for (const char* schema : {
           R"({"type": "object", "properties": {"a": {"type": "object"}}})",
           R"({"properties": {"a": {"type": ["integer", "null"]}}})",
           R"({"properties": {"a": {"$ref": "#/definitions/x"}}, "definitions": {"x": {}}})",
           R"({"properties": {"a": {"type": "string", "pattern": "^x$"}}})",
           R"({"properties": {"a": {"type": "string", "format": "date"}}})",
           R"({"additionalProperties": false})",
           R"({"allOf": [{"required": ["a"]}]})",
           R"({"properties": {"a": {"minimum": "1"}}})",
       }) {
    EXPECT_FALSE(FlatSchema::From(nlohmann::json::parse(schema)).has_value()) << schema;
  }
}

}  // namespace
}  // namespace docgen
