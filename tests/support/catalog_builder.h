// Builds small in-memory catalogs for tests, so each test shows the exact
// YAML it is about.
#pragma once

#include <docgen/catalog.h>
#include <docgen/resolve.h>

#include <string>

namespace docgen::testing {

// catalog.yaml with products cyber/tech_eo, jurisdictions CA/NY/TX, agencies
// AG-1/AG-2 and coverages ransomware/breach/bi/ftf.
inline std::string BaseCatalogYaml() {
  return "name: Test Catalog\n"
         "products: [cyber, tech_eo]\n"
         "jurisdictions: [CA, NY, TX]\n"
         "agencies: [AG-1, AG-2]\n"
         "coverages:\n"
         "  - {code: ransomware, label: Ransomware}\n"
         "  - {code: breach, label: Breach}\n"
         "  - {code: bi, label: Business Interruption}\n"
         "  - {code: ftf, label: Funds Transfer Fraud}\n";
}

class CatalogBuilder {
 public:
  CatalogBuilder() { files_["catalog.yaml"] = BaseCatalogYaml(); }

  // Adds documents/<id>.yaml (file name from `file`), with a template
  // templates/<file>.md holding `template_text`. The YAML must not name a
  // template; one is appended.
  CatalogBuilder& Document(const std::string& file, const std::string& yaml, const std::string& template_text = "# Title\n") {
    files_["documents/" + file + ".yaml"] = yaml + "template: templates/" + file + ".md\n";
    files_["templates/" + file + ".md"] = template_text;
    return *this;
  }
  CatalogBuilder& File(const std::string& path, const std::string& bytes) {
    files_[path] = bytes;
    return *this;
  }
  const CatalogFiles& files() const { return files_; }
  CatalogLoad Load() const { return LoadCatalog(files_); }

 private:
  CatalogFiles files_;
};

// A new-business quote for cyber in CA with the given coverages, as JSON text.
inline nlohmann::json Quote(const std::string& transaction = "new", const std::string& date = "2025-03-01") {
  return {{"quote_id", "Q-1"},       {"transaction", transaction}, {"product", "cyber"},
          {"jurisdiction", "CA"},    {"agency", "AG-1"},           {"effective_date", date},
          {"coverages", nlohmann::json::array()}};
}

inline void AddCoverage(nlohmann::json& quote, const std::string& code) { quote["coverages"].push_back({{"code", code}}); }

}  // namespace docgen::testing
