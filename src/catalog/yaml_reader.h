// Typed reading of YAML mappings with findings instead of exceptions: every
// read names the file and line, unknown keys are reported with a suggestion,
// and YAML is converted to JSON (for variables schemas) with size limits.
//
// A YamlReader is used by one thread for one file.
#pragma once

#include <docgen/diagnostic.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace docgen {

class YamlReader {
 public:
  YamlReader(std::string file, Diagnostics& diagnostics) : file_(std::move(file)), diagnostics_(diagnostics) {}

  const std::string& file() const { return file_; }
  // Lines of this YAML text start at line `offset + 1` of the file (front matter).
  void set_line_offset(int offset) { line_offset_ = offset; }

  // Parses `text`; reports yaml_syntax and returns nullopt on failure.
  std::optional<YAML::Node> Parse(const std::string& text);

  void Error(std::string code, std::string message, const YAML::Node& at);
  void Warning(std::string code, std::string message, const YAML::Node& at);
  static int LineOf(const YAML::Node& node);  // 1-based within the YAML text; 0 unknown
  int FileLineOf(const YAML::Node& node) const;

  // Reports keys of `map` outside `allowed` (unknown_field) and repeated keys
  // (duplicate_key). `where` names the mapping in messages ("the document").
  void CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where);
  // Reports a missing required field of `map`.
  bool Require(const YAML::Node& map, const char* key, const std::string& where);
  bool ExpectMap(const YAML::Node& node, const std::string& what);

  std::optional<std::string> String(const YAML::Node& map, const char* key);
  std::optional<std::vector<std::string>> StringList(const YAML::Node& map, const char* key);
  std::optional<bool> Bool(const YAML::Node& map, const char* key);
  std::optional<int> Int(const YAML::Node& map, const char* key);
  std::optional<double> Number(const YAML::Node& map, const char* key);

  // YAML 1.2 core schema to JSON: quoted scalars are strings, plain ones
  // become null, booleans, integers or floats when they look like one.
  std::optional<nlohmann::json> ToJson(const YAML::Node& node);

 private:
  bool ToJsonRecursive(const YAML::Node& node, nlohmann::json& out, int depth, size_t& budget);

  std::string file_;
  Diagnostics& diagnostics_;
  int line_offset_ = 0;
};

// YAML 1.1 and 1.2 boolean spellings (yes/no/on/off/true/false/y/n, any case form).
std::optional<bool> ParseYamlBool(const std::string& text);

}  // namespace docgen
