// A synthetic catalog with a realistic spread: ~2,000 editions over products,
// 50 jurisdictions, agencies and coverages; some ids with several editions
// in adjacent windows; a fifth with variables schemas. Deterministic.
#pragma once

#include <docgen/catalog.h>

#include <random>
#include <string>

namespace docgen::bench {

struct SyntheticCatalog {
  CatalogFiles files;
  int editions = 0;
};

inline SyntheticCatalog MakeSyntheticCatalog(int target_editions) {
  static const char* kStates[] = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL",
                                  "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT",
                                  "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
                                  "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"};
  const std::vector<std::string> products = {"cyber", "tech_eo", "mpl", "d_and_o", "crime"};
  std::vector<std::string> agencies, coverages;
  for (int i = 1; i <= 20; ++i) agencies.push_back("AG-" + std::to_string(i));
  for (int i = 1; i <= 30; ++i) coverages.push_back("cov_" + std::to_string(i));

  std::mt19937 rng(20251126);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto list = [](const std::vector<std::string>& items) {
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
    return s + "]";
  };

  SyntheticCatalog out;
  std::string catalog = "name: Synthetic\nproducts: " + list(products) + "\njurisdictions: [";
  for (int i = 0; i < 50; ++i) catalog += std::string(i ? ", " : "") + kStates[i];
  catalog += "]\nagencies: " + list(agencies) + "\ncoverages:\n";
  for (const auto& c : coverages) catalog += "  - {code: " + c + ", label: Coverage " + c + "}\n";
  out.files["catalog.yaml"] = catalog;

  const char* kModes[] = {"yes", "no", "copy"};
  for (int id = 0; out.editions < target_editions; ++id) {
    const std::string doc_id = "DOC-" + std::to_string(1000 + id);
    const int edition_count = 1 + (pick(10) < 2 ? 1 + pick(2) : 0);  // 20% have 2-3 editions
    const std::string product = products[static_cast<size_t>(pick(5))];
    std::vector<std::string> states;
    if (pick(10) < 3) {
      for (int k = 0, n = 1 + pick(5); k < n; ++k) states.push_back(kStates[pick(50)]);
      std::sort(states.begin(), states.end());
      states.erase(std::unique(states.begin(), states.end()), states.end());
    }
    std::vector<std::string> doc_agencies;
    if (pick(10) == 0) doc_agencies.push_back(agencies[static_cast<size_t>(pick(20))]);
    std::vector<std::string> doc_coverages;
    if (pick(10) < 4) {
      for (int k = 0, n = 1 + pick(3); k < n; ++k) doc_coverages.push_back(coverages[static_cast<size_t>(pick(30))]);
      std::sort(doc_coverages.begin(), doc_coverages.end());
      doc_coverages.erase(std::unique(doc_coverages.begin(), doc_coverages.end()), doc_coverages.end());
    }
    const bool has_variables = pick(5) == 0;
    const std::string renewal = kModes[pick(3)];
    const std::string reissue = kModes[pick(3)];
    const std::string template_path = "templates/" + doc_id + ".md";
    std::string body = "---\nfooter: \"{{doc.id}} ({{doc.edition}}) Page {{page}} of {{pages}}\"\n---\n# {{doc.title}}\n\n"
                       "This endorsement modifies the policy issued to **{{quote.insured.name}}**.\n\n";
    if (has_variables) body += "The limit is {{#money}}{{vars.limit}}{{/money}}; the waiting period is {{vars.hours}} hours.\n";
    body += "{{#quote.coverages}}\n- {{code}}{{#limit}}: {{#money}}{{limit}}{{/money}}{{/limit}}\n{{/quote.coverages}}\n";
    out.files[template_path] = body;
    for (int e = 0; e < edition_count && out.editions < target_editions; ++e) {
      std::string yaml = "id: " + doc_id + "\ntitle: Synthetic document " + doc_id + "\nkind: endorsement\n";
      yaml += "edition: \"20" + std::to_string(20 + e) + "-01\"\norder: " + std::to_string(100 + pick(900)) + "\n";
      yaml += "applies_to:\n  products: [" + product + "]\n";
      if (!states.empty()) yaml += "  jurisdictions: " + list(states) + "\n";
      if (!doc_agencies.empty()) yaml += "  agencies: " + list(doc_agencies) + "\n";
      if (!doc_coverages.empty()) {
        yaml += "  coverages: " + list(doc_coverages) + "\n";
        if (pick(4) == 0) yaml += "  coverages_match: all\n";
      }
      if (edition_count > 1) {
        yaml += "  effective: {";
        if (e > 0) yaml += "from: 20" + std::to_string(20 + e) + "-01-01";
        if (e + 1 < edition_count) yaml += std::string(e > 0 ? ", " : "") + "until: 20" + std::to_string(21 + e) + "-01-01";
        yaml += "}\n";
      }
      yaml += "attach: {new: " + std::string(pick(3) ? "yes" : "no") + ", renewal: " + renewal + ", reissue: " + reissue + "}\n";
      yaml += "deletable: " + std::string(pick(4) ? "true" : "false") + "\n";
      if (pick(20) == 0) yaml += "flag_manual: true\n";
      if (has_variables) {
        yaml += "variables:\n  type: object\n  required: [limit]\n  properties:\n"
                "    limit: {type: integer, minimum: 0, title: Limit (USD), examples: [1000000]}\n"
                "    hours: {type: integer, enum: [8, 12, 24], default: 12}\n";
      }
      yaml += "template: " + template_path + "\n";
      out.files["documents/" + doc_id + "-" + std::to_string(e) + ".yaml"] = yaml;
      ++out.editions;
    }
  }
  return out;
}

}  // namespace docgen::bench
