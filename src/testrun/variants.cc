#include "testrun/variants.h"

#include <algorithm>

namespace docgen::testrun {
namespace {

// The quote of a catalog without samples/quote.json.
nlohmann::json BuiltInQuote() {
  return {{"quote_id", "TEST-RUN"},
          {"transaction", "new"},
          {"effective_date", "2025-01-01"},
          {"insured", {{"name", "Sample Insured LLC"}, {"address", "1 Sample Street, Springfield"}}},
          {"coverages", nlohmann::json::array()}};
}

// The declared codes the edition applies to (all of them when its applies_to leaves the list empty), in catalog.yaml's order.
std::vector<std::string> CodesOf(const std::vector<std::string>& declared, const std::vector<std::string>& listed, const CodeSet& set) {
  std::vector<std::string> out;
  for (size_t i = 0; i < declared.size(); ++i) {
    if (listed.empty() || set.Has(static_cast<int>(i))) out.push_back(declared[i]);
  }
  return out;
}

bool Lists(const std::vector<std::string>& codes, const std::string& code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// Its window's start, else the sample's date when inside the window, else the day before its end.
std::string EffectiveDate(const AppliesTo& applies_to, const nlohmann::json& sample_date) {
  if (applies_to.effective_from) return FormatIsoDate(*applies_to.effective_from);
  const std::optional<Date> until = applies_to.effective_until;
  std::optional<Date> date = sample_date.is_string() ? ParseIsoDate(sample_date.get<std::string>()) : std::nullopt;
  if (date && (!until || *date < *until)) return FormatIsoDate(*date);
  if (until) return FormatIsoDate(Date{until->days - 1});
  return "2025-01-01";  // no date in the sample and no window: the built-in quote's
}

}  // namespace

std::vector<nlohmann::json> SampleVariables(const nlohmann::json& schema) {
  if (!schema.is_object()) return {nlohmann::json::object()};
  if (auto it = schema.find("examples"); it != schema.end() && it->is_array() && !it->empty()) {
    return std::vector<nlohmann::json>(it->begin(), it->end());
  }
  nlohmann::json set = nlohmann::json::object();
  if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
    for (const auto& [name, property] : props->items()) {
      if (!property.is_object()) continue;
      if (auto ex = property.find("examples"); ex != property.end() && ex->is_array() && !ex->empty()) {
        set[name] = ex->front();
      } else if (auto def = property.find("default"); def != property.end()) {
        set[name] = *def;
      }
    }
  }
  return {set};
}

nlohmann::json SampleQuote(const Catalog& catalog, const DocumentEdition& edition, const nlohmann::json& base,
                           const std::string& product, const std::string& jurisdiction) {
  nlohmann::json quote = base.is_object() ? base : BuiltInQuote();
  const AppliesTo& a = edition.applies_to;
  quote["product"] = product;
  quote["jurisdiction"] = jurisdiction;
  quote["transaction"] = "new";
  for (const auto& agency : catalog.agencies) {
    if (a.agencies.empty() || Lists(a.agencies, agency)) {
      quote["agency"] = agency;
      break;
    }
  }
  nlohmann::json& coverages = quote["coverages"];
  if (!coverages.is_array()) coverages = nlohmann::json::array();
  for (const auto& code : a.coverages) {
    const bool has = std::any_of(coverages.begin(), coverages.end(), [&](const nlohmann::json& c) {
      return c.is_object() && c.contains("code") && c["code"] == code;
    });
    if (!has) coverages.push_back({{"code", code}});
  }
  quote["effective_date"] = EffectiveDate(a, quote.value("effective_date", nlohmann::json()));
  return quote;
}

std::vector<Variant> EnumerateVariants(const Catalog& catalog) {
  std::vector<Variant> out;
  for (const DocumentEdition& edition : catalog.editions) {
    const std::vector<nlohmann::json> samples = SampleVariables(edition.variables_schema);
    const AppliesTo& a = edition.applies_to;
    for (const auto& product : CodesOf(catalog.products, a.products, a.product_set)) {
      for (const auto& jurisdiction : CodesOf(catalog.jurisdictions, a.jurisdictions, a.jurisdiction_set)) {
        const nlohmann::json quote = SampleQuote(catalog, edition, catalog.sample_quote, product, jurisdiction);
        for (size_t n = 0; n < samples.size(); ++n) {
          Variant v;
          v.key = edition.id + "@" + edition.edition + "/" + product + "/" + jurisdiction + "/" + std::to_string(n + 1);
          v.edition = &edition;
          v.product = product;
          v.jurisdiction = jurisdiction;
          v.sample = static_cast<int>(n + 1);
          v.vars = samples[n];
          v.quote = quote;
          out.push_back(std::move(v));
        }
      }
    }
  }
  return out;
}

}  // namespace docgen::testrun
