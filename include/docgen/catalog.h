// The catalog: the insurer's document editions and the enumerations that
// quotes are checked against (SPEC §1).
//
// Loading is split in two so that the core stays free of I/O:
//   ReadCatalogDirectory()  reads the files of a catalog directory (I/O);
//   LoadCatalog()           turns those bytes into a Catalog and lint findings
//                           (pure: the same files give the same result).
// A Catalog is immutable once loaded and safe to share between threads.
#pragma once

#include <docgen/diagnostic.h>
#include <docgen/rule.h>

#include <filesystem>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

class VariablesSchema;  // compiled JSON Schema; see src/schema/

enum class Transaction { kNew = 0, kRenewal = 1, kReissue = 2 };
enum class AttachMode { kNo, kYes, kCopy };
enum class DocumentKind { kDeclarations, kForm, kEndorsement, kNotice };

const char* ToString(Transaction transaction);
const char* ToString(AttachMode mode);
const char* ToString(DocumentKind kind);

// A calendar date as days since 1970-01-01 (proleptic Gregorian).
struct Date {
  int days = 0;
  friend auto operator<=>(const Date&, const Date&) = default;
};
// Parses exactly YYYY-MM-DD with a real month and day; nullopt otherwise.
std::optional<Date> ParseIsoDate(std::string_view text);
std::string FormatIsoDate(Date date);

// A set of catalog codes as bits: code i of one of catalog.yaml's lists is
// bit i. Eligibility tests these instead of comparing strings.
class CodeSet {
 public:
  void Add(int index);
  bool Has(int index) const {  // false for index -1 (a code the catalog lacks)
    if (index < 0) return false;
    if (index < 64) return (first_ >> index & 1) != 0;
    const size_t word = static_cast<size_t>(index) / 64 - 1;
    return word < rest_.size() && (rest_[word] >> (index % 64) & 1) != 0;
  }
  bool Intersects(const CodeSet& other) const;
  bool SubsetOf(const CodeSet& other) const;

 private:
  uint64_t first_ = 0;           // codes 0-63: most catalogs have fewer (no allocation, no indirection)
  std::vector<uint64_t> rest_;   // codes 64 and up
};

struct AppliesTo {
  std::vector<std::string> products;       // empty: any
  std::vector<std::string> jurisdictions;  // empty: any
  std::vector<std::string> agencies;       // empty: any
  std::vector<std::string> coverages;      // empty: no condition
  bool coverages_match_all = false;        // false: any listed code suffices
  std::optional<Date> effective_from;      // inclusive
  std::optional<Date> effective_until;     // exclusive
  // The lists above as positions in catalog.yaml's lists; filled by LoadCatalog.
  CodeSet product_set, jurisdiction_set, agency_set, coverage_set;
};

struct DocumentEdition {
  std::string id;
  std::string title;
  DocumentKind kind = DocumentKind::kForm;
  std::string edition;
  int order = 1000;
  AppliesTo applies_to;
  AttachMode attach[3] = {AttachMode::kNo, AttachMode::kNo, AttachMode::kNo};  // by Transaction
  bool deletable = true;
  bool flag_manual = false;
  bool multiple = false;
  nlohmann::json variables_schema = nlohmann::json::object();  // as written
  std::shared_ptr<const VariablesSchema> schema;                // compiled; never null once loaded
  std::string template_path;  // catalog-relative, e.g. "templates/CY-DEC.md"
  std::string file;           // catalog-relative file the edition came from

  AttachMode AttachFor(Transaction t) const { return attach[static_cast<int>(t)]; }
};

struct Coverage {
  std::string code;
  std::string label;
};

struct Catalog {
  Catalog() = default;
  Catalog(const Catalog&) = delete;  // edition_index views its own editions' ids
  Catalog& operator=(const Catalog&) = delete;

  std::string name;
  std::vector<std::string> products;
  std::vector<std::string> jurisdictions;
  std::vector<std::string> agencies;  // empty: quotes carry no agency check
  std::vector<Coverage> coverages;
  nlohmann::json defaults = nlohmann::json::object();  // page/font defaults as written
  std::vector<DocumentEdition> editions;  // sorted by (id, effective_from, edition)
  std::map<std::string, std::string> templates;  // catalog-relative path -> text
  std::map<std::string, std::string> assets;     // "assets/..." -> bytes (images for templates)
  std::vector<Rule> rules;                // validator rules (rules/*.yaml), sorted by id
  nlohmann::json sample_quote;            // samples/quote.json (test runs, SPEC §8); null when absent
  std::string digest;  // "sha256:<hex>" over every file of the catalog
  // Where each id's editions are in `editions` (first, count); filled by LoadCatalog.
  std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>> edition_index;
  // Per product (its position in `products`): the editions that may apply to
  // it (those listing it, and those listing no product), in catalog order.
  std::vector<std::vector<uint32_t>> editions_by_product;

  bool HasProduct(std::string_view code) const;
  bool HasJurisdiction(std::string_view code) const;
  bool HasAgency(std::string_view code) const;
  bool HasCoverage(std::string_view code) const;
  // Position of a code in catalog.yaml's list; -1 when it is not declared.
  int ProductIndex(std::string_view code) const;
  int JurisdictionIndex(std::string_view code) const;
  int AgencyIndex(std::string_view code) const;
  int CoverageIndex(std::string_view code) const;
  // Editions of one id, in catalog order (adjacent in `editions`); empty
  // when the id is unknown. No allocation.
  std::span<const DocumentEdition> EditionsOf(std::string_view id) const;
  const Rule* FindRule(std::string_view id) const;
};

// The raw files of a catalog: catalog-relative path ("documents/a.yaml") to bytes.
using CatalogFiles = std::map<std::string, std::string>;

struct CatalogRead {
  CatalogFiles files;
  Diagnostics diagnostics;  // unreadable directory or files
};

// Reads catalog.yaml, documents/*.yaml, templates/**, assets/** and rules/*.yaml.
CatalogRead ReadCatalogDirectory(const std::filesystem::path& dir);

struct CatalogLoad {
  std::shared_ptr<const Catalog> catalog;  // null when any finding is an error
  Diagnostics diagnostics;                 // every lint finding, errors and warnings
};

// Parses and lints every file (SPEC §1). Never throws for bad input.
CatalogLoad LoadCatalog(const CatalogFiles& files);

// ReadCatalogDirectory + LoadCatalog.
CatalogLoad LoadCatalogDirectory(const std::filesystem::path& dir);

}  // namespace docgen
