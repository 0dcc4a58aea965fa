// libFuzzer target: arbitrary bytes as a template (front matter + Mustache),
// parsed and linted the way the catalog lints a document's template.
#include <cstdint>
#include <string>

#include "catalog/lint_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  docgen::TemplateScope scope;
  scope.document_id = "FUZZ";
  (void)docgen::LintTemplate("templates/fuzz.md", text, scope);
  return 0;
}
