// The HTML report of a test run: one self-contained file (images inlined, no
// script) with the counts, filters by status, and for every variant that is
// not `same` its golden, new and diff pages side by side.
#pragma once

#include <string>

#include "testrun/goldens.h"
#include "testrun/testrun.h"

namespace docgen::testrun {

// Variants shown with their pictures; beyond this many the report lists the
// rest by key and status only, so that a first run of a large catalog still
// gives a file a browser opens.
inline constexpr int kReportVariantsWithPages = 200;

std::string HtmlReport(const RunResult& run, const std::string& title, const PageFolder& goldens, const PageFolder& scratch);

}  // namespace docgen::testrun
