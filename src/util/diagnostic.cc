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
