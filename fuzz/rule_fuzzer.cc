// libFuzzer target: a fuzzed rules/r.yaml inside the example catalog. Loading
// and linting must never crash, hang or leak; a rule that loads runs its own
// tests.
#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
const docgen::CatalogFiles& ExampleFiles() {
  static const docgen::CatalogFiles files = [] {
    docgen::CatalogRead read = docgen::ReadCatalogDirectory(DOCGEN_SOURCE_DIR "/examples/acme-cyber");
    if (docgen::HasErrors(read.diagnostics)) std::abort();
    return read.files;
  }();
  return files;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  docgen::CatalogFiles files = ExampleFiles();
  files["rules/r.yaml"] = std::string(reinterpret_cast<const char*>(data), size);
  docgen::CatalogLoad load = docgen::LoadCatalog(files);
  for (const auto& d : load.diagnostics) (void)docgen::FormatDiagnostic(d);
  if (load.catalog) {
    for (const auto& outcome : docgen::RunRuleTests(*load.catalog)) (void)docgen::PolicyResultToJson(outcome.result).dump();
  }
  return 0;
}
