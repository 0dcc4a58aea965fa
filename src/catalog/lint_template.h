// Lint of one template file and of page settings (catalog defaults and
// template front matter). Internal to the catalog stage.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>

#include <string>

#include <yaml-cpp/yaml.h>

namespace docgen {

class VariablesSchema;
class YamlReader;

// What a template's names are checked against.
struct TemplateScope {
  const VariablesSchema* schema = nullptr;  // the edition's variables
  bool has_schema = false;                  // false: the edition declares no variables
  std::string document_id;
  const Catalog* catalog = nullptr;  // for coverage codes; null when catalog.yaml is broken
};

// Front matter, Mustache syntax and references that can never be supplied.
Diagnostics LintTemplate(const std::string& file, const std::string& text, const TemplateScope& scope);

// Checks `page` and `font` (and, in front matter, `header`/`footer` keys).
void LintPageSettings(YamlReader& reader, const YAML::Node& settings, bool front_matter);

}  // namespace docgen
