// A well-formed policy as the comparison reads it: the quote, and each
// carried document's id, edition and variables. The views point into
// whichever parse produced them (a JSON value, or PolicyReader's buffers)
// and live as long as it.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

struct CarriedDocument {
  std::string_view id;
  std::string_view edition;
  const nlohmann::json* variables = nullptr;  // null: the entry has none
};

struct PolicyView {
  const nlohmann::json* policy_id = nullptr;  // null: the policy has none
  const nlohmann::json* quote = nullptr;
  std::vector<CarriedDocument> documents;  // in policy order
};

}  // namespace docgen
