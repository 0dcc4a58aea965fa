// Resolution: catalog + quote -> package (SPEC §2, §3).
//
// Resolve() is a pure function: no I/O, no clock, no randomness; the same
// catalog and quote give the same Package, and PackageToJson() the same bytes.
// Bad input never throws: it becomes errors inside the Package. Thread-safe:
// any number of threads may resolve against one shared Catalog.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

enum class DocumentSource { kAuto, kCopy, kAdded };
enum class ReviewReason { kFlagManual, kDroppedFromPrior };

const char* ToString(DocumentSource source);
const char* ToString(ReviewReason reason);

struct PackageDocument {
  std::string id;
  std::string edition;
  DocumentKind kind = DocumentKind::kForm;
  std::string title;
  int order = 1000;
  DocumentSource source = DocumentSource::kAuto;
  nlohmann::json variables = nlohmann::json::object();
  int instance = 1;  // 1-based among the package's instances of this id
  const DocumentEdition* edition_ref = nullptr;  // into the catalog resolved against
};

struct ReviewItem {
  std::string id;
  ReviewReason reason = ReviewReason::kFlagManual;
  bool attached = false;
};

struct ExplainEntry {
  std::string id;
  std::string edition;
  bool eligible = false;
  int instances = 0;  // how many instances ended up in the package
  std::vector<std::string> reasons;  // in words, in the order the rules ran
};

struct Package {
  std::string quote_id;     // empty when the quote had none
  std::string transaction;  // as given, empty when missing or malformed
  std::string catalog_name;
  std::string catalog_digest;
  bool valid = false;
  std::vector<PackageDocument> documents;
  std::vector<ReviewItem> review;
  std::vector<ExplainEntry> explain;
  Diagnostics errors;  // codes of SPEC §3; path is a JSON Pointer
};

// Resolves a parsed quote.
Package Resolve(const Catalog& catalog, const nlohmann::json& quote);

// Parses `quote_json` first; malformed JSON becomes an invalid_quote error
// naming the line and column. Nesting deeper than 64 levels is refused.
Package ResolveText(const Catalog& catalog, std::string_view quote_json);

// The package as SPEC §3 shows it, keys in a fixed order.
nlohmann::ordered_json PackageToJson(const Package& package);

}  // namespace docgen
