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

// Limits of resolution (README "Limits"). Beyond them a quote gets an error,
// never an unbounded amount of work:
inline constexpr size_t kMaxPackageDocuments = 500;      // too_many_documents
inline constexpr size_t kMaxInstancesPerDocument = 200;  // too_many_instances (a `multiple` document)
inline constexpr size_t kMaxQuoteStringLength = 20000;   // value_too_long: characters in one string value or key

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

// What resolution read from the quote; explain's words are made from it.
struct QuoteFacts {
  std::string product;
  std::string jurisdiction;
  std::string agency;          // empty when the quote has none
  std::string effective_date;  // as written
  Date effective;
  std::vector<std::string> coverages;  // codes, in quote order
};

// Why one catalog edition is or is not in the package. Kept compact (no
// words) so that resolving against thousands of editions stays cheap; the
// words come from ExplainReasons().
struct ExplainEntry {
  const DocumentEdition* edition = nullptr;  // into the catalog resolved against
  bool eligible = false;
  int instances = 0;          // how many instances ended up in the package
  unsigned mismatches = 0;    // which applies_to conditions failed (bit set); 0 when eligible
  std::vector<std::string> notes;  // what the rules did with it, in words, in order
};

struct Package {
  std::string quote_id;     // empty when the quote had none
  std::string transaction;  // as given, empty when missing or malformed
  std::string catalog_name;
  std::string catalog_digest;
  QuoteFacts facts;
  bool quote_checked = false;  // step 1 passed (false: no documents, only step-1 errors)
  bool valid = false;
  std::vector<PackageDocument> documents;
  std::vector<ReviewItem> review;
  std::vector<ExplainEntry> explain;
  Diagnostics errors;  // codes of SPEC §3; path is a JSON Pointer
};

// What a caller needs of a resolution. The defaults give the whole package;
// the validator, which compares only ids and editions, turns the rest off.
struct ResolveOptions {
  // Explain in full: an entry for every edition, with notes in words. When
  // false, entries only for the editions of the quote's product, and no notes.
  bool explain = true;
  bool check_variables = true;  // step 7: defaults and invalid_variables errors
};

// Resolves a parsed quote. The package points into `catalog` (editions), so
// the catalog must outlive it.
Package Resolve(const Catalog& catalog, const nlohmann::json& quote, const ResolveOptions& options = {});

// Parses `quote_json` first; malformed JSON becomes an invalid_quote error
// naming the line and column. Nesting deeper than 64 levels is refused.
// `parsed`, when given, receives the parsed JSON whenever the text parses
// (left as it was when it is malformed or nested too deep), for a caller that
// goes on to render a valid package's quote.
Package ResolveText(const Catalog& catalog, std::string_view quote_json, nlohmann::json* parsed = nullptr);

// An explain entry's reasons in words: why the edition is or is not
// eligible, then what the rules did with it.
std::vector<std::string> ExplainReasons(const Package& package, const ExplainEntry& entry);

// The package as SPEC §3 shows it, keys in a fixed order.
nlohmann::ordered_json PackageToJson(const Package& package);

}  // namespace docgen
