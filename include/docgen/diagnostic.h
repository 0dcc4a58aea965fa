// Diagnostics: the one way every docgen stage reports an expected failure.
//
// A stage never throws at its caller for bad input; it returns data together
// with a list of Diagnostic values, collected to the end of the stage so the
// user sees every problem at once. A diagnostic says what (code, message),
// how bad (severity) and where: a file and line for catalog findings, a JSON
// Pointer (plus document id and instance) for quote and variable findings.
//
// Plain value types; safe to copy and to share between threads read-only.
#pragma once

#include <string>
#include <vector>

namespace docgen {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;      // stable, snake_case: "unknown_field", "invalid_quote", ...
  std::string message;   // one sentence a non-developer understands
  std::string file;      // catalog-relative file, empty when not about a file
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;        // 1-based; 0 when unknown
  std::string path;      // JSON Pointer into the quote or an instance's variables
  std::string document;  // document id the finding is about, if any
  int instance = 0;      // 1-based instance of `document`; 0 when not about one
};

using Diagnostics = std::vector<Diagnostic>;

// True when any diagnostic has Severity::kError.
bool HasErrors(const Diagnostics& diagnostics);

// "documents/X.yaml:12:3: error [unknown_field]: ..." — one line, for terminals.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

}  // namespace docgen
