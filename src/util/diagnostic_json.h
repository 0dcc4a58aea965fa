// Diagnostics as JSON, the same everywhere (package errors, lint output, API
// errors, stored job errors): code, message, then path, document, instance,
// file, line and column when they are set. Pure.
#pragma once

#include <docgen/diagnostic.h>

#include <nlohmann/json.hpp>

namespace docgen {

nlohmann::ordered_json DiagnosticToJson(const Diagnostic& diagnostic, bool with_severity = false);
nlohmann::ordered_json DiagnosticsToJson(const Diagnostics& diagnostics, bool with_severity = false);

}  // namespace docgen
