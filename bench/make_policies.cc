// Writes the validator benchmark's input: the synthetic 2,000-edition catalog
// (bench/synthetic_catalog.h) plus a few rules, and N policies as JSON Lines.
// The policies are 500 distinct ones (random products, states, coverages,
// their resolved documents with a fifth of them altered: a document dropped,
// one added, a stale edition, broken variables), repeated with new ids.
// Usage: make_policies OUT_DIR N [EDITIONS]   (EDITIONS: 2,000 by default)
#include <docgen/catalog.h>
#include <docgen/resolve.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "synthetic_catalog.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: make_policies OUT_DIR N [EDITIONS]\n";
    return 2;
  }
  const fs::path out = argv[1];
  const long long n = std::atoll(argv[2]);
  docgen::bench::SyntheticCatalog synthetic = docgen::bench::MakeSyntheticCatalog(argc == 4 ? std::atoi(argv[3]) : 2000);
  // Rules of each kind, on frequent documents, so that they apply often.
  synthetic.files["rules/high-limit.yaml"] =
      "id: HIGH-LIMIT\ndescription: cyber policies with cov_1 limits of $1M or more need DOC-1000\n"
      "when:\n  products: [cyber]\n  fields:\n    - {coverage: cov_1, field: limit, min: 1000000}\n"
      "require:\n  all: [DOC-1000]\n";
  synthetic.files["rules/west.yaml"] =
      "id: WEST\ndescription: western states need one of two notices\nseverity: warning\n"
      "when:\n  jurisdictions: [CA, WA, OR]\n  transactions: [new]\n  fields:\n    - {path: /insured/name, exists: true}\n"
      "require:\n  any: [DOC-1001, DOC-1002]\n";
  synthetic.files["rules/no-legacy.yaml"] =
      "id: NO-LEGACY\ndescription: renewals never carry DOC-1003\nwhen:\n  transactions: [renewal]\nforbid: [DOC-1003]\n";
  fs::remove_all(out / "catalog");
  for (const auto& [path, bytes] : synthetic.files) {
    fs::create_directories((out / "catalog" / path).parent_path());
    std::ofstream(out / "catalog" / path, std::ios::binary) << bytes;
  }
  docgen::CatalogLoad load = docgen::LoadCatalog(synthetic.files);
  if (!load.catalog) {
    for (const auto& d : load.diagnostics) std::cerr << docgen::FormatDiagnostic(d) << "\n";
    return 1;
  }
  const docgen::Catalog& catalog = *load.catalog;
  static const char* kStates[] = {"CA", "NY", "TX", "WA", "OR", "FL", "IL", "OH", "GA", "MA"};
  static const char* kProducts[] = {"cyber", "tech_eo", "mpl", "d_and_o", "crime"};
  std::mt19937 rng(7);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
  std::vector<nlohmann::json> pool;
  for (int i = 0; i < 500; ++i) {
    nlohmann::json quote = {{"quote_id", "Q-" + std::to_string(i)},
                            {"transaction", "new"},
                            {"product", kProducts[pick(5)]},
                            {"jurisdiction", kStates[pick(10)]},
                            {"agency", "AG-" + std::to_string(1 + pick(20))},
                            {"effective_date", "2021-06-01"},
                            {"insured", {{"name", "Insured " + std::to_string(i)}}},
                            {"coverages", nlohmann::json::array()}};
    for (int k = 0, c = 1 + pick(4); k < c; ++k) {
      quote["coverages"].push_back({{"code", "cov_" + std::to_string(1 + pick(30))}, {"limit", 250000 * (1 + pick(8))}});
    }
    docgen::Package package = docgen::Resolve(catalog, quote);
    nlohmann::json documents = nlohmann::json::array();
    for (const auto& d : package.documents) {
      nlohmann::json vars = d.variables;
      if (vars.is_object() && !d.edition_ref->variables_schema.empty()) vars["limit"] = 100000;
      documents.push_back({{"id", d.id}, {"edition", d.edition}, {"variables", vars}});
    }
    switch (pick(10)) {
      case 0:
        if (!documents.empty()) documents.erase(documents.begin());
        break;
      case 1:
        documents.push_back({{"id", "DOC-1005"}, {"edition", "2020-01"}});
        break;
      case 2:
        if (!documents.empty()) documents.back()["edition"] = "2019-01";
        break;
      default:
        break;
    }
    pool.push_back({{"quote", quote}, {"documents", documents}});
  }
  std::ofstream policies(out / "policies.jsonl", std::ios::binary);
  for (long long i = 0; i < n; ++i) {
    nlohmann::json policy = pool[static_cast<size_t>(i % 500)];
    policy["policy_id"] = "POL-" + std::to_string(i);
    policies << policy.dump() << '\n';
  }
  return policies ? 0 : 1;
}
