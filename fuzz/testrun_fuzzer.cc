// libFuzzer target: arbitrary bytes as what a test run reads from files it
// does not control: a goldens manifest (goldens.json), a golden page (PNG)
// and a catalog's samples/quote.json. Each is accepted or refused with a
// message, never a crash; a PNG that decodes survives an encode/decode round
// trip unchanged, and an accepted sample quote gives every variant a quote.
#include <docgen/catalog.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "testrun/goldens.h"
#include "testrun/pages.h"
#include "testrun/variants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  docgen::testrun::ManifestRead manifest = docgen::testrun::ParseManifest(bytes, "goldens.json");
  if (!manifest.error.empty() && !manifest.manifest.empty()) std::abort();  // refused: nothing half-read

  if (std::optional<docgen::testrun::Image> image = docgen::testrun::DecodePng(bytes); image && image->width * image->height <= 4096 * 4096) {
    std::optional<docgen::testrun::Image> again = docgen::testrun::DecodePng(docgen::testrun::EncodePng(*image));
    if (!again || again->width != image->width || again->height != image->height || again->pixels != image->pixels) std::abort();
  }

  docgen::CatalogFiles files;
  files["catalog.yaml"] = "name: Fuzz\nproducts: [cyber]\njurisdictions: [CA, NY]\nagencies: [AG-1]\ncoverages:\n  - {code: ransomware, label: R}\n";
  files["documents/A.yaml"] =
      "id: A\ntitle: A\nkind: form\nedition: \"2025-01\"\napplies_to: {coverages: [ransomware], effective: {until: 2026-01-01}}\n"
      "attach: {new: yes, renewal: yes, reissue: yes}\ntemplate: templates/A.md\n";
  files["templates/A.md"] = "# A\n";
  files["samples/quote.json"] = bytes;
  docgen::CatalogLoad load = docgen::LoadCatalog(files);
  if (load.catalog) {
    for (const auto& v : docgen::testrun::EnumerateVariants(*load.catalog)) {
      if (!v.quote.is_object() || v.quote["effective_date"] != "2025-12-31" && v.quote["effective_date"] >= "2026-01-01") std::abort();
    }
  } else if (load.diagnostics.empty()) {
    std::abort();  // refused without saying why
  }
  return 0;
}
