#include <docgen/diagnostic.h>

#include <algorithm>

namespace docgen {

bool HasErrors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    out += d.file;
    if (d.line > 0) {
      out += ":" + std::to_string(d.line);
      if (d.column > 0) out += ":" + std::to_string(d.column);
    }
    out += ": ";
  }
  out += d.severity == Severity::kError ? "error" : "warning";
  out += " [" + d.code + "]";
  if (!d.document.empty()) {
    out += " " + d.document;
    if (d.instance > 0) out += " #" + std::to_string(d.instance);
  }
  if (!d.path.empty()) out += " at " + d.path;
  out += ": " + d.message;
  return out;
}

}  // namespace docgen

#include "util/diagnostic_json.h"

namespace docgen {

nlohmann::ordered_json DiagnosticToJson(const Diagnostic& d, bool with_severity) {
  nlohmann::ordered_json j;
  if (with_severity) j["severity"] = d.severity == Severity::kError ? "error" : "warning";
  j["code"] = d.code;
  j["message"] = d.message;
  if (!d.path.empty()) j["path"] = d.path;
  if (!d.document.empty()) j["document"] = d.document;
  if (d.instance > 0) j["instance"] = d.instance;
  if (!d.file.empty()) j["file"] = d.file;
  if (d.line > 0) j["line"] = d.line;
  if (d.column > 0) j["column"] = d.column;
  return j;
}

nlohmann::ordered_json DiagnosticsToJson(const Diagnostics& diagnostics, bool with_severity) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& d : diagnostics) out.push_back(DiagnosticToJson(d, with_severity));
  return out;
}

}  // namespace docgen
