// Pages as pictures: a PDF rasterised (poppler) at a fixed resolution, PNG
// files (Cairo) and the comparison of two pages within a per-pixel tolerance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace docgen::testrun {

// Pages are drawn at this resolution: a letter page is 612 x 792 pixels.
inline constexpr double kDotsPerInch = 72.0;
// Two pixels are the same when no channel differs by more than this (of 255):
// anti-aliasing may move an edge a little, a changed glyph moves far more.
inline constexpr int kChannelTolerance = 24;

// An opaque picture, one 0x00RRGGBB word a pixel, rows top to bottom.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint32_t> pixels;
};

struct Rasterised {
  std::vector<Image> pages;
  std::string error;  // set when the PDF cannot be read
};

Rasterised RasterisePdf(std::string_view pdf);

std::string EncodePng(const Image& image);
std::optional<Image> DecodePng(std::string_view png);  // nullopt when it is not a PNG

struct PageComparison {
  long long changed_pixels = 0;  // pixels beyond the tolerance (pixels of either page outside the other count)
  long long pixels = 0;          // of the larger page
  Image diff;                    // the new page faded, changed pixels red; empty when nothing changed
};

// Compares a page with its golden; pages of different sizes are compared over
// the area they share, and the rest counts as changed.
PageComparison ComparePages(const Image& golden, const Image& page);

}  // namespace docgen::testrun
