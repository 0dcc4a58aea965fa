#include <docgen/resolve.h>

#include "util/diagnostic_json.h"
#include "util/text.h"

namespace docgen {
namespace {

constexpr int kMaxQuoteDepth = 64;

Package InvalidQuote(const Catalog& catalog, std::string message) {
  Package package;
  package.catalog_name = catalog.name;
  package.catalog_digest = catalog.digest;
  Diagnostic d;
  d.code = "invalid_quote";
  d.message = std::move(message);
  package.errors.push_back(std::move(d));
  for (const auto& edition : catalog.editions) {
    package.explain.push_back({&edition, false, 0, 0, {"not considered: the quote is not valid JSON"}});
  }
  return package;
}

}  // namespace

const char* ToString(DocumentSource source) {
  switch (source) {
    case DocumentSource::kAuto:
      return "auto";
    case DocumentSource::kCopy:
      return "copy";
    case DocumentSource::kAdded:
      return "added";
  }
  return "auto";
}

const char* ToString(ReviewReason reason) {
  return reason == ReviewReason::kFlagManual ? "flag_manual" : "dropped_from_prior";
}

Package ResolveText(const Catalog& catalog, std::string_view quote_json, nlohmann::json* parsed) {
  if (JsonNestingDepth(quote_json) > kMaxQuoteDepth) {
    return InvalidQuote(catalog, "The quote is nested more than 64 levels deep.");
  }
  nlohmann::json quote;
  try {
    quote = nlohmann::json::parse(quote_json);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (size_t bracket = what.find("] "); what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      what = what.substr(bracket + 2);
    }
    return InvalidQuote(catalog, "The quote is not valid JSON: " + what);
  }
  Package package = Resolve(catalog, quote);
  if (parsed != nullptr) *parsed = std::move(quote);
  return package;
}

nlohmann::ordered_json PackageToJson(const Package& package) {
  nlohmann::ordered_json j;
  j["quote_id"] = package.quote_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(package.quote_id);
  j["transaction"] =
      package.transaction.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(package.transaction);
  j["catalog"] = {{"name", package.catalog_name}, {"digest", package.catalog_digest}};
  j["valid"] = package.valid;
  auto& documents = j["documents"] = nlohmann::ordered_json::array();
  for (const auto& doc : package.documents) {
    nlohmann::ordered_json d;
    d["id"] = doc.id;
    d["edition"] = doc.edition;
    d["kind"] = ToString(doc.kind);
    d["title"] = doc.title;
    d["source"] = ToString(doc.source);
    d["instance"] = doc.instance;
    d["variables"] = nlohmann::ordered_json(doc.variables);
    documents.push_back(std::move(d));
  }
  auto& review = j["review"] = nlohmann::ordered_json::array();
  for (const auto& item : package.review) {
    review.push_back({{"id", item.id}, {"reason", ToString(item.reason)}, {"attached", item.attached}});
  }
  auto& explain = j["explain"] = nlohmann::ordered_json::array();
  for (const auto& entry : package.explain) {
    nlohmann::ordered_json e;
    e["id"] = entry.edition->id;
    e["edition"] = entry.edition->edition;
    e["eligible"] = entry.eligible;
    e["instances"] = entry.instances;
    e["reasons"] = ExplainReasons(package, entry);
    explain.push_back(std::move(e));
  }
  auto& errors = j["errors"] = nlohmann::ordered_json::array();
  errors = DiagnosticsToJson(package.errors);
  return j;
}

}  // namespace docgen
