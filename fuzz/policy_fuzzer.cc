// libFuzzer target: arbitrary bytes as JSON Lines of policies, validated
// against the example catalog (with its rules) and serialised. Must never
// crash, hang or leak; every line gets exactly one result; and the batch's
// fast reader (simdjson) gives each line the result of the full parse
// (nlohmann::json::parse, then ValidatePolicy).
#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "util/text.h"
#include "validate/batch.h"
#include "validate/policy_reader.h"

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

  docgen::PolicyReader reader;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (docgen::JsonNestingDepth(line) > 64) continue;
    const std::string fast = docgen::PolicyResultToJson(docgen::ValidatePolicyText(ExampleCatalog(), line, reader)).dump();
    nlohmann::json policy;
    try {
      policy = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      if (fast.find("\"invalid_policy\"") == std::string::npos) std::abort();  // read what the full parse refuses
      continue;
    }
    if (fast != docgen::PolicyResultToJson(docgen::ValidatePolicy(ExampleCatalog(), policy)).dump()) std::abort();
  }
  return 0;
}
