#include "resolve/eligibility.h"

#include <algorithm>

#include "util/text.h"

namespace docgen {
namespace {
bool In(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}
}  // namespace

QuoteCodes::QuoteCodes(const Catalog& catalog, const QuoteFacts& quote)
    : product(catalog.ProductIndex(quote.product)),
      jurisdiction(catalog.JurisdictionIndex(quote.jurisdiction)),
      agency(quote.agency.empty() ? -1 : catalog.AgencyIndex(quote.agency)) {
  for (const auto& code : quote.coverages) coverages.Add(catalog.CoverageIndex(code));
}

unsigned Mismatches(const DocumentEdition& edition, const QuoteFacts& quote, const QuoteCodes& codes) {
  const AppliesTo& a = edition.applies_to;
  unsigned out = 0;
  if (!a.products.empty() && !a.product_set.Has(codes.product)) out |= kProductMismatch;
  if (!a.jurisdictions.empty() && !a.jurisdiction_set.Has(codes.jurisdiction)) out |= kJurisdictionMismatch;
  if (!a.agencies.empty() && !a.agency_set.Has(codes.agency)) out |= kAgencyMismatch;
  if (!a.coverages.empty()) {
    const bool match = a.coverages_match_all ? a.coverage_set.SubsetOf(codes.coverages) : a.coverage_set.Intersects(codes.coverages);
    if (!match) out |= kCoverageMismatch;
  }
  if (a.effective_from && quote.effective < *a.effective_from) out |= kBeforeWindow;
  if (a.effective_until && !(quote.effective < *a.effective_until)) out |= kAfterWindow;
  return out;
}

void DescribeMismatches(const DocumentEdition& edition, const QuoteFacts& quote, unsigned mismatches,
                        std::vector<std::string>& out) {
  const AppliesTo& a = edition.applies_to;
  if (mismatches & kProductMismatch) {
    out.push_back("product " + quote.product + " is not one of " + Join(a.products));
  }
  if (mismatches & kJurisdictionMismatch) {
    out.push_back("jurisdiction " + quote.jurisdiction + " is not one of " + Join(a.jurisdictions));
  }
  if (mismatches & kAgencyMismatch) {
    out.push_back(quote.agency.empty() ? "the quote has no agency; this edition is for " + Join(a.agencies)
                                       : "agency " + quote.agency + " is not one of " + Join(a.agencies));
  }
  if (mismatches & kCoverageMismatch) {
    if (a.coverages_match_all) {
      std::vector<std::string> missing;
      for (const auto& code : a.coverages) {
        if (!In(quote.coverages, code)) missing.push_back(code);
      }
      out.push_back("coverage " + Join(missing) + " is not on the quote (all of " + Join(a.coverages) + " are required)");
    } else {
      out.push_back("none of the coverages " + Join(a.coverages) + " is on the quote");
    }
  }
  if (mismatches & kBeforeWindow) {
    out.push_back("effective date " + quote.effective_date + " is before this edition starts on " +
                  FormatIsoDate(*a.effective_from));
  }
  if (mismatches & kAfterWindow) {
    out.push_back("effective date " + quote.effective_date + " is on or after this edition ends on " +
                  FormatIsoDate(*a.effective_until));
  }
}

}  // namespace docgen
