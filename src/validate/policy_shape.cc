#include "validate/policy_shape.h"

namespace docgen {
namespace {

const char* TypeName(const nlohmann::json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "a list";
  if (value.is_string()) return "a text";
  if (value.is_number()) return "a number";
  if (value.is_boolean()) return "true or false";
  return "null";
}

}  // namespace

std::vector<ShapeProblem> CheckPolicyShape(const nlohmann::json& policy) {
  std::vector<ShapeProblem> problems;
  if (!policy.is_object()) {
    problems.push_back({"", std::string("A policy must be a JSON object, but this is ") + TypeName(policy) + "."});
    return problems;
  }
  auto quote = policy.find("quote");
  if (quote == policy.end()) {
    problems.push_back({"/quote", "The policy has no \"quote\": the quote it was issued from."});
  } else if (!quote->is_object()) {
    problems.push_back({"/quote", std::string("\"quote\" must be an object, but it is ") + TypeName(*quote) + "."});
  }
  auto documents = policy.find("documents");
  if (documents == policy.end()) {
    problems.push_back({"/documents", "The policy has no \"documents\": the list of documents it carries."});
    return problems;
  }
  if (!documents->is_array()) {
    problems.push_back({"/documents", std::string("\"documents\" must be a list, but it is ") + TypeName(*documents) + "."});
    return problems;
  }
  for (size_t i = 0; i < documents->size(); ++i) {
    const auto& entry = (*documents)[i];
    const std::string at = "/documents/" + std::to_string(i);
    const std::string which = "Document " + std::to_string(i + 1) + " of the policy";
    if (!entry.is_object()) {
      problems.push_back({at, which + " must be an object {id, edition, variables}, but it is " + TypeName(entry) + "."});
      continue;
    }
    for (const char* key : {"id", "edition"}) {
      auto it = entry.find(key);
      if (it == entry.end()) {
        problems.push_back({at + "/" + key, which + " has no \"" + key + "\"."});
      } else if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
        problems.push_back({at + "/" + key, which + ": \"" + key + "\" must be a non-empty text, but it is " +
                                                (it->is_string() ? std::string("empty") : TypeName(*it)) + "."});
      }
    }
    if (auto it = entry.find("variables"); it != entry.end() && !it->is_object()) {
      problems.push_back({at + "/variables", which + ": \"variables\" must be an object, but it is " + TypeName(*it) + "."});
    }
  }
  return problems;
}

}  // namespace docgen
