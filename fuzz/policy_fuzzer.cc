// libFuzzer target: arbitrary bytes as JSON Lines of policies, validated
// against the example catalog (with its rules) and serialised. Must never
// crash, hang or leak; every line gets exactly one result.
#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "validate/batch.h"

namespace {
const docgen::Catalog& ExampleCatalog() {
  static const std::shared_ptr<const docgen::Catalog> catalog = [] {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(DOCGEN_SOURCE_DIR "/examples/acme-cyber");
    if (!load.catalog) std::abort();
    return load.catalog;
  }();
  return *catalog;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  std::ostringstream out;
  docgen::BatchOptions options;
  options.threads = 1;
  const docgen::BatchOutcome outcome = docgen::ValidateBatch(ExampleCatalog(), in, out, options);
  if (outcome.summary.policies != docgen::CountPolicies(text)) std::abort();  // one result per policy
  return 0;
}
