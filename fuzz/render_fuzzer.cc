// libFuzzer target: arbitrary bytes as a document template (front matter,
// Mustache, Markdown), linted, then rendered to PDF for a fixed quote when
// lint passes; and the same bytes as page content whose artifacts are
// marked. Must never crash, hang or leak.
#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "render/pdf_assembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)docgen::MarkArtifactsInContent(std::string_view(reinterpret_cast<const char*>(data), size));
  static docgen::Renderer* renderer = new docgen::Renderer();  // fonts are loaded once, as in a service
  static const nlohmann::json quote = {
      {"quote_id", "Q-1"},       {"transaction", "new"},        {"product", "cyber"},
      {"jurisdiction", "CA"},    {"effective_date", "2025-03-01"},
      {"insured", {{"name", "A*B | C & Co <x>"}, {"address", "1 Main St"}}},
      {"coverages", {{{"code", "ransomware"}, {"limit", 1000000}, {"retention", 25000}}}}};
  docgen::CatalogFiles files;
  files["catalog.yaml"] =
      "name: Fuzz\nproducts: [cyber]\njurisdictions: [CA]\ncoverages: [{code: ransomware, label: Ransomware}]\n";
  files["documents/A.yaml"] =
      "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\ntemplate: templates/A.md\n"
      "variables: {type: object, properties: {limit: {type: integer, default: 5}, name: {type: string, default: x}}}\n";
  files["templates/A.md"] = std::string(reinterpret_cast<const char*>(data), size);
  files["assets/logo.svg"] = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20'/></svg>";
  docgen::CatalogLoad load = docgen::LoadCatalog(files);
  if (!load.catalog) return 0;
  docgen::Package package = docgen::Resolve(*load.catalog, quote);
  (void)renderer->Render(*load.catalog, package, quote);
  return 0;
}
