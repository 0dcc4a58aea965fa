// The shape of a policy (SPEC §7): an object with a `quote` object and a
// `documents` list of {id, edition, variables?}. Checked before anything else
// by the validator, and by lint for the policies of rule tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

struct ShapeProblem {
  std::string path;     // JSON Pointer into the policy: "", "/quote", "/documents/2/edition"
  std::string message;  // in words
};

// Every malformation of `policy`; empty when it is a well-formed policy.
std::vector<ShapeProblem> CheckPolicyShape(const nlohmann::json& policy);

}  // namespace docgen
