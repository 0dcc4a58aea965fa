#include "resolve/eligibility.h"

#include <algorithm>

#include "util/text.h"

namespace docgen {
namespace {
bool In(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}
}  // namespace

bool IsEligible(const DocumentEdition& edition, const CheckedQuote& quote, std::vector<std::string>& reasons) {
  const AppliesTo& a = edition.applies_to;
  const size_t before = reasons.size();
  if (!a.products.empty() && !In(a.products, quote.product)) {
    reasons.push_back("product " + quote.product + " is not one of " + Join(a.products));
  }
  if (!a.jurisdictions.empty() && !In(a.jurisdictions, quote.jurisdiction)) {
    reasons.push_back("jurisdiction " + quote.jurisdiction + " is not one of " + Join(a.jurisdictions));
  }
  if (!a.agencies.empty() && !In(a.agencies, quote.agency)) {
    reasons.push_back(quote.agency.empty() ? "the quote has no agency; this edition is for " + Join(a.agencies)
                                           : "agency " + quote.agency + " is not one of " + Join(a.agencies));
  }
  if (!a.coverages.empty()) {
    std::vector<std::string> missing;
    for (const auto& code : a.coverages) {
      if (!In(quote.coverages, code)) missing.push_back(code);
    }
    if (a.coverages_match_all && !missing.empty()) {
      reasons.push_back("coverage " + Join(missing) + " is not on the quote (all of " + Join(a.coverages) + " are required)");
    } else if (!a.coverages_match_all && missing.size() == a.coverages.size()) {
      reasons.push_back("none of the coverages " + Join(a.coverages) + " is on the quote");
    }
  }
  if (a.effective_from && quote.effective < *a.effective_from) {
    reasons.push_back("effective date " + quote.effective_text + " is before this edition starts on " +
                      FormatIsoDate(*a.effective_from));
  }
  if (a.effective_until && !(quote.effective < *a.effective_until)) {
    reasons.push_back("effective date " + quote.effective_text + " is on or after this edition ends on " +
                      FormatIsoDate(*a.effective_until));
  }
  return reasons.size() == before;
}

}  // namespace docgen
