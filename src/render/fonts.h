// The fonts a catalog asks for that this machine lacks (docgen doctor): a
// render would fail with missing_font for each document using one.
#pragma once

#include <docgen/catalog.h>

#include <string>
#include <vector>

namespace docgen {

struct MissingFont {
  std::string family;
  std::vector<std::string> templates;  // the templates that use it (the catalog's defaults, or their front matter)
};

// Each template's font family (the catalog's defaults, then its front
// matter) checked against the installed fonts (fontconfig, through Pango).
std::vector<MissingFont> MissingFonts(const Catalog& catalog);

}  // namespace docgen
