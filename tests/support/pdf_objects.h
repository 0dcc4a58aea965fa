// What tests read from a PDF's objects (with qpdf), in plain types. Its
// source is compiled as C++17: qpdf 11's headers do not compile with clang 14
// in C++20 mode, and the Sanitize build, where the tests run, is clang's.
#pragma once

#include <string>
#include <vector>

namespace docgen::testing {

// The document catalog's entries that viewers and screen readers read.
struct PdfCatalog {
  std::string lang;          // /Lang; "" when there is none
  bool shows_title = false;  // /ViewerPreferences /DisplayDocTitle is true
  bool tagged = false;       // a /StructTreeRoot
  bool marked = false;       // a /MarkInfo
  bool archival = false;     // XMP /Metadata and /OutputIntents
  std::string title;         // the document information's /Title
  std::string id_first;      // the first half of the trailer's /ID, its bytes
};
PdfCatalog ReadPdfCatalog(const std::string& pdf);

// The structure tree depth first: each element's type, with its table
// scope in brackets and its alt text after a colon, nesting by indentation
// ("H1", "  TH [Column]", "Figure: Logo").
std::string StructureOutline(const std::string& pdf);

// What one page draws: its content streams, then the content of each form
// XObject its resources name, and those names ("/DocgenFurniture").
struct PageDrawing {
  std::string contents;
  std::vector<std::string> forms;
};
std::vector<PageDrawing> PageDrawings(const std::string& pdf);

// A one-page letter PDF whose page draws `content` (its one content stream,
// unfiltered), with no resources: a document as no cairo writes it.
std::string OnePagePdf(const std::string& content);

// PDF/A-2b, as far as the file itself shows it, as GoogleTest expectations
// (each message starts with `where`): the XMP identification, equal to the
// document information; the sRGB output intent; every font embedded, a
// TrueType CID font mapping CIDs to glyphs; no image asking to be
// interpolated; no encryption and nothing that runs.
void ExpectArchival(const std::string& pdf, const std::string& where);

}  // namespace docgen::testing
