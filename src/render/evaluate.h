// Strict Mustache evaluation of a parsed template against a JSON context
// (SPEC §4): {{x}} inserts literal text (escaped for Markdown, or not at all
// in plain-text mode), {{{x}}} inserts Markdown, a missing value is a
// missing_value error, and money/date/number format the text inside them.
//
// Pure; thread-safe.
#pragma once

#include <docgen/diagnostic.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "template/mustache.h"

namespace docgen {

// What evaluations may spend, shared by every evaluation of one render: section
// repetitions (the {{#money}}/{{#date}}/{{#number}} lambdas included) and a
// deadline. Once spent, evaluation stops with one error.
struct EvaluationBudget {
  static constexpr size_t kMaxIterations = 1000000;
  size_t iterations = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool timed_out = false;
};

struct EvaluationOptions {
  std::string file;       // template file, for diagnostics
  std::string document;   // document id, for diagnostics
  int instance = 0;
  bool markdown = true;   // false: plain text (headers, footers), nothing escaped
  EvaluationBudget* budget = nullptr;  // null: a budget of this evaluation alone, no deadline
};

// Renders `nodes` with `context` as the root of the context stack. Every
// error is appended to `errors`; the text is meaningless when any was added.
// `extra`, when given, is searched first (headers and footers: page, pages).
// Output is capped at 16 MiB (a template_error beyond); past the budget's
// deadline evaluation stops with render_timeout.
std::string Evaluate(const std::vector<MustacheNode>& nodes, const nlohmann::json& context,
                     const EvaluationOptions& options, Diagnostics& errors, const nlohmann::json* extra = nullptr);

// A root frame of the context stack: an object whose members are names, or
// a named value (as if it were the object {name: value}), which lets a
// render name the caller's quote without copying it.
struct Frame {
  Frame(const nlohmann::json* object) : value(object) {}  // NOLINT: implicit, frames are written as lists of objects
  Frame(const char* frame_name, const nlohmann::json* named) : value(named), name(frame_name) {}
  const nlohmann::json* value;
  const char* name = nullptr;
};

// The same with a stack of root frames, outermost first: a name is looked up
// from the last frame to the first. Lets many documents share immutable
// frames (quote, coverage, package) instead of each copying them. The last
// frame is an object, not a named value.
std::string EvaluateFrames(const std::vector<MustacheNode>& nodes, const std::vector<Frame>& frames,
                           const EvaluationOptions& options, Diagnostics& errors);

// Replaces what PDF text cannot hold (C0 controls but tab and newline,
// noncharacters such as U+FFFE) with U+FFFD. Input is valid UTF-8.
std::string SanitizeText(const std::string& text);

// Backslash-escapes every ASCII punctuation character that could start
// Markdown (all but , % $ ?), so that cmark reads the text literally;
// newlines become spaces.
std::string EscapeMarkdown(const std::string& text);

// The formatting lambdas; nullopt when `text` is not a number / ISO date.
std::optional<std::string> FormatMoney(const std::string& text);   // "$1,234.50", "$1,000,000"
std::optional<std::string> FormatNumber(const std::string& text);  // "1,000,000", "1,234.5"
std::optional<std::string> FormatDate(const std::string& text);    // "March 1, 2025"

}  // namespace docgen
