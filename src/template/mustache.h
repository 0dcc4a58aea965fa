// Mustache templates as docgen sees them: a front-matter split, a parse tree
// with line numbers (parsed by kainjow-mustache), and the names a template
// refers to. Lint uses the names; the renderer evaluates the tree.
//
// Pure functions over strings; thread-safe.
#pragma once

#include <docgen/diagnostic.h>

#include <string>
#include <string_view>
#include <vector>

namespace docgen {

struct MustacheNode {
  enum class Kind { kText, kVariable, kRawVariable, kSection, kInvertedSection, kComment };
  Kind kind = Kind::kText;
  std::string text;  // literal text for kText, the tag's name otherwise
  int line = 0;      // 1-based line in the template file
  std::vector<MustacheNode> children;  // sections only
};

struct MustacheParse {
  std::vector<MustacheNode> nodes;
  Diagnostics diagnostics;  // template_syntax errors; nodes are empty when any
};

// Parses `source`, whose first line is line `first_line` of `file`. Partials
// and delimiter changes are refused (docgen templates do not use them), as
// are sections nested deeper than 32 levels.
MustacheParse ParseMustache(std::string_view source, const std::string& file, int first_line = 1);

// A template file split into its YAML front matter and its body.
struct TemplateParts {
  bool has_front_matter = false;
  std::string front_matter;  // YAML text between the '---' lines
  int front_matter_line = 0; // line of the first YAML line
  std::string body;
  int body_line = 1;         // line of the body's first line
};

// Front matter is YAML between a first line "---" and the next line "---".
// Returns false (and fills `error`) when the opening line has no closing one.
bool SplitFrontMatter(std::string_view text, TemplateParts& parts, std::string& error);

}  // namespace docgen
