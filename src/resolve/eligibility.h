// Step 2 of resolution: does an edition apply to a quote? Internal.
#pragma once

#include <docgen/catalog.h>

#include <string>
#include <vector>

#include "resolve/quote_check.h"

namespace docgen {

// True when every non-empty field of `applies_to` matches and the effective
// date lies in [from, until). Appends, in words, every reason it does not.
bool IsEligible(const DocumentEdition& edition, const CheckedQuote& quote, std::vector<std::string>& reasons);

}  // namespace docgen
