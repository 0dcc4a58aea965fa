// The variants of a test run (SPEC §8): every document edition rendered alone
// with one sample, for each product and jurisdiction it applies to. Pure: the
// same catalog gives the same variants, in the same order, with the same keys.
#pragma once

#include <docgen/catalog.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen::testrun {

struct Variant {
  std::string key;  // ID@EDITION/PRODUCT/JURISDICTION/N (N: the 1-based sample number)
  const DocumentEdition* edition = nullptr;  // into the catalog enumerated
  std::string product;
  std::string jurisdiction;
  int sample = 1;
  nlohmann::json vars;   // the sample variables, before the schema's defaults
  nlohmann::json quote;  // the sample quote the templates see
};

// The sample variable sets of a variables schema: each item of its top-level
// `examples`; when it has none, one set of each property's first `examples`
// value, else its `default` (properties with neither are left out).
std::vector<nlohmann::json> SampleVariables(const nlohmann::json& schema);

// The quote a variant is rendered with: `base` (the catalog's
// samples/quote.json, or a built-in minimal quote when it is null) for that
// product and jurisdiction, the first declared agency the edition allows,
// the edition's coverages added, a date inside its window, transaction new.
nlohmann::json SampleQuote(const Catalog& catalog, const DocumentEdition& edition, const nlohmann::json& base,
                           const std::string& product, const std::string& jurisdiction);

// Every variant of the catalog: editions in catalog order, then products and
// jurisdictions in catalog.yaml's order, then samples.
std::vector<Variant> EnumerateVariants(const Catalog& catalog);

}  // namespace docgen::testrun
