// Strict Mustache evaluation of a parsed template against a JSON context
// (SPEC §4): {{x}} inserts literal text (escaped for Markdown, or not at all
// in plain-text mode), {{{x}}} inserts Markdown, a missing value is a
// missing_value error, and money/date/number format the text inside them.
//
// Pure; thread-safe.
#pragma once

#include <docgen/diagnostic.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "template/mustache.h"

namespace docgen {

struct EvaluationOptions {
  std::string file;       // template file, for diagnostics
  std::string document;   // document id, for diagnostics
  int instance = 0;
  bool markdown = true;   // false: plain text (headers, footers), nothing escaped
};

// Renders `nodes` with `context` as the root of the context stack. Every
// error is appended to `errors`; the text is meaningless when any was added.
// `extra`, when given, is searched first (headers and footers: page, pages).
// Output is capped at 16 MiB (a template_error beyond).
std::string Evaluate(const std::vector<MustacheNode>& nodes, const nlohmann::json& context,
                     const EvaluationOptions& options, Diagnostics& errors, const nlohmann::json* extra = nullptr);

// Replaces what PDF text cannot hold (C0 controls but tab and newline,
// noncharacters such as U+FFFE) with U+FFFD. Input is valid UTF-8.
std::string SanitizeText(const std::string& text);

// Backslash-escapes every ASCII punctuation character, so that cmark reads
// the text literally; newlines become spaces.
std::string EscapeMarkdown(const std::string& text);

// The formatting lambdas; nullopt when `text` is not a number / ISO date.
std::optional<std::string> FormatMoney(const std::string& text);   // "$1,234.50", "$1,000,000"
std::optional<std::string> FormatNumber(const std::string& text);  // "1,000,000", "1,234.5"
std::optional<std::string> FormatDate(const std::string& text);    // "March 1, 2025"

}  // namespace docgen
