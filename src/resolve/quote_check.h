// Step 1 of resolution (SPEC §3): the quote's shape and codes. Internal.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>
#include <docgen/resolve.h>

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

// A document named by the quote (a prior instance or an addition).
struct QuoteDocumentRef {
  std::string id;
  nlohmann::json variables = nlohmann::json::object();
  std::string path;  // JSON Pointer of the entry in the quote
};

// The parts of a quote that resolution reads, once they passed step 1.
struct CheckedQuote {
  std::string quote_id;
  std::string transaction_text;
  Transaction transaction = Transaction::kNew;
  QuoteFacts facts;
  std::vector<QuoteDocumentRef> prior;  // only for renewal and reissue
  std::vector<QuoteDocumentRef> additions;
  std::vector<std::pair<std::string, std::string>> removals;  // id, path
  std::vector<std::pair<std::string, nlohmann::json>> overrides;
};

// Fills `out` as far as the quote allows and returns every step-1 error.
Diagnostics CheckQuote(const Catalog& catalog, const nlohmann::json& quote, CheckedQuote& out);

}  // namespace docgen
