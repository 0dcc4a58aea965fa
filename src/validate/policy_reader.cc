#include "validate/policy_reader.h"

#include <algorithm>
#include <deque>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

namespace docgen {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The value nlohmann::json::parse gives for the same text (numbers too: a
// non-negative integer is unsigned there).
nlohmann::json ToJson(element value) {
  switch (value.type()) {
    case element_type::ARRAY: {
      nlohmann::json out = nlohmann::json::array();
      for (element item : simdjson::dom::array(value)) out.push_back(ToJson(item));
      return out;
    }
    case element_type::OBJECT: {
      nlohmann::json out = nlohmann::json::object();
      for (auto [key, item] : simdjson::dom::object(value)) out[std::string(key)] = ToJson(item);  // the last of equal keys wins, as there
      return out;
    }
    case element_type::INT64: {
      const int64_t n = int64_t(value);
      return n >= 0 ? nlohmann::json(static_cast<uint64_t>(n)) : nlohmann::json(n);
    }
    case element_type::UINT64:
      return uint64_t(value);
    case element_type::DOUBLE:
      return double(value);
    case element_type::STRING:
      return std::string(std::string_view(value));
    case element_type::BOOL:
      return bool(value);
    case element_type::NULL_VALUE:
      break;
  }
  return nullptr;
}

}  // namespace

struct PolicyReader::Impl {
  simdjson::dom::parser parser;
  std::vector<char> padded;           // the line, then the padding simdjson reads past its end
  std::deque<nlohmann::json> values;  // what the view points to (stable addresses)
  const nlohmann::json no_variables = nlohmann::json::object();
  PolicyView view;

  // False when `documents` is not a list of {id, edition, variables?} with
  // non-empty texts and an object: the shape check words that.
  bool ReadDocuments(element documents) {
    if (!documents.is_array()) return false;
    for (element entry : simdjson::dom::array(documents)) {
      if (!entry.is_object()) return false;
      std::string_view id, edition;
      std::optional<element> variables;
      for (auto [key, value] : simdjson::dom::object(entry)) {
        if (key == "id" || key == "edition") {
          if (!value.is_string()) return false;
          (key == "id" ? id : edition) = std::string_view(value);
        } else if (key == "variables") {
          variables = value;
        }
      }
      if (id.empty() || edition.empty()) return false;
      CarriedDocument& doc = view.documents.emplace_back();
      doc.id = id;
      doc.edition = edition;
      if (!variables) continue;
      if (!variables->is_object()) return false;
      doc.variables = simdjson::dom::object(*variables).size() == 0 ? &no_variables : &values.emplace_back(ToJson(*variables));
    }
    return true;
  }
};

PolicyReader::PolicyReader() : impl_(std::make_unique<Impl>()) {
  // simdjson keeps this depth when it grows its buffers for a longer line.
  if (impl_->parser.allocate(64 * 1024, kMaxPolicyNesting) != simdjson::SUCCESS) throw std::bad_alloc();
}
PolicyReader::~PolicyReader() = default;

const PolicyView* PolicyReader::Read(std::string_view line) {
  Impl& s = *impl_;
  if (s.padded.size() < line.size() + simdjson::SIMDJSON_PADDING) s.padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::copy(line.begin(), line.end(), s.padded.begin());
  element root;
  if (s.parser.parse(s.padded.data(), line.size(), false).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return nullptr;
  }
  s.values.clear();
  s.view = PolicyView();
  std::optional<element> quote, documents, policy_id;
  for (auto [key, value] : simdjson::dom::object(root)) {
    if (key == "quote") quote = value;
    if (key == "documents") documents = value;
    if (key == "policy_id") policy_id = value;
  }
  if (!quote || !quote->is_object() || !documents || !s.ReadDocuments(*documents)) return nullptr;
  s.view.quote = &s.values.emplace_back(ToJson(*quote));
  if (policy_id) s.view.policy_id = &s.values.emplace_back(ToJson(*policy_id));
  return &s.view;
}

}  // namespace docgen
