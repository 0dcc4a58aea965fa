// Step 2 of resolution: does an edition apply to a quote? Internal.
#pragma once

#include <docgen/catalog.h>
#include <docgen/resolve.h>

#include <string>
#include <vector>

namespace docgen {

// One bit per applies_to condition that can fail.
enum EligibilityMismatch : unsigned {
  kProductMismatch = 1u << 0,
  kJurisdictionMismatch = 1u << 1,
  kAgencyMismatch = 1u << 2,
  kCoverageMismatch = 1u << 3,
  kBeforeWindow = 1u << 4,
  kAfterWindow = 1u << 5,
};

// A quote's codes as positions in the catalog's lists, found once per resolution.
struct QuoteCodes {
  int product = -1;
  int jurisdiction = -1;
  int agency = -1;  // -1 also when the quote has none
  CodeSet coverages;
  QuoteCodes(const Catalog& catalog, const QuoteFacts& quote);
};

// 0 when every non-empty field of `applies_to` matches and the effective
// date lies in [from, until); otherwise the failed conditions. No allocation.
unsigned Mismatches(const DocumentEdition& edition, const QuoteFacts& quote, const QuoteCodes& codes);

// Appends, in words, each failed condition of `mismatches`.
void DescribeMismatches(const DocumentEdition& edition, const QuoteFacts& quote, unsigned mismatches,
                        std::vector<std::string>& out);

}  // namespace docgen
