#include "catalog/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <regex>
#include <set>

#include "util/text.h"

namespace docgen {
namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 100000;

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "empty";
    case YAML::NodeType::Scalar:
      return "\"" + node.Scalar() + "\"";
    default:
      return "nothing";
  }
}

bool LooksLikeInteger(const std::string& s) {
  static const std::regex kInteger("[-+]?[0-9]+");
  return s.size() < 40 && std::regex_match(s, kInteger);
}

bool LooksLikeFloat(const std::string& s) {
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  return s.size() < 80 && std::regex_match(s, kFloat);
}

}  // namespace

std::optional<bool> ParseYamlBool(const std::string& text) {
  static const std::set<std::string> kTrue = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const std::set<std::string> kFalse = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  if (kTrue.count(text)) return true;
  if (kFalse.count(text)) return false;
  return std::nullopt;
}

int YamlReader::LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.line < 0 ? 0 : mark.line + 1;
}

int YamlReader::FileLineOf(const YAML::Node& node) const {
  const int line = LineOf(node);
  return line == 0 ? 0 : line + line_offset_;
}

void YamlReader::Error(std::string code, std::string message, const YAML::Node& at) {
  Diagnostic d;
  d.code = std::move(code);
  d.message = std::move(message);
  d.file = file_;
  d.line = FileLineOf(at);
  diagnostics_.push_back(std::move(d));
}

void YamlReader::Warning(std::string code, std::string message, const YAML::Node& at) {
  Error(std::move(code), std::move(message), at);
  diagnostics_.back().severity = Severity::kWarning;
}

std::optional<YAML::Node> YamlReader::Parse(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Diagnostic d;
    d.code = "yaml_syntax";
    d.file = file_;
    d.line = e.mark.line < 0 ? 0 : e.mark.line + 1 + line_offset_;
    d.column = e.mark.column < 0 ? 0 : e.mark.column + 1;
    d.message = "This file is not valid YAML: " + e.msg + ".";
    diagnostics_.push_back(std::move(d));
  } catch (const std::exception& e) {
    Diagnostic d;
    d.code = "yaml_syntax";
    d.file = file_;
    d.message = std::string("This file is not valid YAML: ") + e.what() + ".";
    diagnostics_.push_back(std::move(d));
  }
  return std::nullopt;
}

bool YamlReader::ExpectMap(const YAML::Node& node, const std::string& what) {
  if (node.IsMap()) return true;
  Error("invalid_value", what + " must be a mapping of fields (key: value), but it is " + Describe(node) + ".", node);
  return false;
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where) {
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      Error("invalid_value", "Field names in " + where + " must be plain words.", it->first);
      continue;
    }
    const std::string& key = it->first.Scalar();
    if (!seen.insert(key).second) {
      Error("duplicate_key", "Field \"" + key + "\" appears twice in " + where + "; keep one.", it->first);
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "Unknown field \"" + key + "\" in " + where + ".";
    if (std::string suggestion = SuggestClosest(key, allowed); !suggestion.empty()) {
      message += " Did you mean \"" + suggestion + "\"?";
    } else {
      message += " Known fields: " + Join(allowed) + ".";
    }
    Error("unknown_field", std::move(message), it->first);
  }
}

bool YamlReader::Require(const YAML::Node& map, const char* key, const std::string& where) {
  if (map[key] && !map[key].IsNull()) return true;
  Error("missing_field", "Required field \"" + std::string(key) + "\" is missing from " + where + ".", map);
  return false;
}

std::optional<std::string> YamlReader::String(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node) return std::nullopt;
  if (!node.IsScalar() || node.Scalar().empty()) {
    Error("invalid_value", "Field \"" + std::string(key) + "\" must be a non-empty text, but it is " + Describe(node) + ".",
          node);
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::vector<std::string>> YamlReader::StringList(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node || node.IsNull()) return std::vector<std::string>{};
  if (!node.IsSequence()) {
    Error("invalid_value", "Field \"" + std::string(key) + "\" must be a list such as [A, B], but it is " +
                               Describe(node) + ".", node);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      Error("invalid_value", "Every entry of \"" + std::string(key) + "\" must be a code, but one is " + Describe(item) + ".",
            item);
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node) return std::nullopt;
  if (node.IsScalar()) {
    if (auto value = ParseYamlBool(node.Scalar())) return value;
  }
  Error("invalid_value", "Field \"" + std::string(key) + "\" must be yes or no, but it is " + Describe(node) + ".", node);
  return std::nullopt;
}

std::optional<int> YamlReader::Int(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node) return std::nullopt;
  if (node.IsScalar() && LooksLikeInteger(node.Scalar())) {
    long long value = std::strtoll(node.Scalar().c_str(), nullptr, 10);
    if (value >= -1000000000LL && value <= 1000000000LL) return static_cast<int>(value);
  }
  Error("invalid_value", "Field \"" + std::string(key) + "\" must be a whole number, but it is " + Describe(node) + ".",
        node);
  return std::nullopt;
}

std::optional<double> YamlReader::Number(const YAML::Node& map, const char* key) {
  const YAML::Node node = map[key];
  if (!node) return std::nullopt;
  if (node.IsScalar() && LooksLikeFloat(node.Scalar())) return std::strtod(node.Scalar().c_str(), nullptr);
  Error("invalid_value", "Field \"" + std::string(key) + "\" must be a number, but it is " + Describe(node) + ".", node);
  return std::nullopt;
}

std::optional<nlohmann::json> YamlReader::ToJson(const YAML::Node& node) {
  nlohmann::json out;
  size_t budget = kMaxNodes;
  if (!ToJsonRecursive(node, out, 0, budget)) return std::nullopt;
  return out;
}

bool YamlReader::ToJsonRecursive(const YAML::Node& node, nlohmann::json& out, int depth, size_t& budget) {
  if (depth > kMaxDepth || budget == 0) {
    Error("invalid_value", "This part of the file is nested too deeply or is too large (limits: 64 levels, 100,000 values).",
          node);
    return false;
  }
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          Error("invalid_value", "Keys must be plain words.", it->first);
          return false;
        }
        if (!ToJsonRecursive(it->second, out[it->first.Scalar()], depth + 1, budget)) return false;
      }
      return true;
    }
    case YAML::NodeType::Sequence: {
      out = nlohmann::json::array();
      for (const auto& item : node) {
        out.push_back(nullptr);
        if (!ToJsonRecursive(item, out.back(), depth + 1, budget)) return false;
      }
      return true;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (!IsPlain(node)) {
        out = s;
      } else if (s == "null" || s == "Null" || s == "NULL" || s == "~") {
        out = nullptr;
      } else if (s == "true" || s == "True" || s == "TRUE") {
        out = true;
      } else if (s == "false" || s == "False" || s == "FALSE") {
        out = false;
      } else if (LooksLikeInteger(s)) {
        errno = 0;
        long long value = std::strtoll(s.c_str(), nullptr, 10);
        if (errno == ERANGE) {
          out = std::strtod(s.c_str(), nullptr);
        } else {
          out = value;
        }
      } else if (LooksLikeFloat(s)) {
        out = std::strtod(s.c_str(), nullptr);
      } else {
        out = s;
      }
      return true;
    }
    default:
      out = nullptr;
      return true;
  }
}

}  // namespace docgen
