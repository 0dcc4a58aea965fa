// Finishing cairo's PDFs with qpdf: document information (title, subject,
// creator, producer, fixed dates), the language and the title shown in the
// viewer's title bar, PDF/A-2b when asked, a deterministic /ID, and the package PDF
// merged from the documents with one bookmark each. Kept apart so that qpdf's
// headers stay in one file. Not thread-safe; one assembler per package.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace docgen {

// An ICC colour profile as PDF/A embeds it (the output intent): deflated
// once, then shared by every PDF a renderer finishes.
struct IccProfile {
  std::string deflated;  // a FlateDecode stream of the profile's bytes
};
std::shared_ptr<const IccProfile> MakeIccProfile(const std::string& bytes);

struct PdfInfo {
  std::string title;
  std::string subject;
  std::string lang = "en";  // BCP 47
  // PDF/A-2b (ISO 19005-2, level B) with this ICC profile as the sRGB output
  // intent; null: a plain PDF.
  std::shared_ptr<const IccProfile> archive_profile;
  bool tagged = false;  // cairo drew structure tags: artifacts, alt text and header scopes to finish
  // The alt text of each Figure of the structure tree, in reading order
  // (cairo writes no /Alt).
  std::vector<std::string> figure_alts;
  // The headers and footers, drawn once the page count was known: the last
  // `furniture_pages` pages, each laid over the body page that many before
  // it, then removed. 0: none.
  int furniture_pages = 0;
};

// cairo 1.16 cannot mark content as an artifact, so the typesetter draws
// artifacts in a "Private" structure tag. This rewrites each
// `/Private << /MCID n >> BDC` of a page's decoded content as
// `/Artifact << /Type /Pagination >> BDC`, scanning the bytes (qpdf's token
// filters made a tagged render take three times as long); strings and
// comments are skipped, never rewritten. It reads content as cairo writes
// it: a name spelt with # escapes, or a property list holding a string
// with ">>", is not recognised. Null when the content holds an inline
// image (`BI`), whose binary data only a tokenizer can skip.
std::optional<std::string> MarkArtifactsInContent(std::string_view content);

// The version of qpdf that finishes the PDFs (test runs count it among a
// variant's inputs).
std::string QpdfVersion();

class PdfAssembler {
 public:
  // `merges`: the documents are kept for Package(); false when no package PDF
  // is wanted (a preview of one edition), so that each is let go once finished.
  explicit PdfAssembler(bool merges = true);
  ~PdfAssembler();
  PdfAssembler(const PdfAssembler&) = delete;
  PdfAssembler& operator=(const PdfAssembler&) = delete;

  // Takes a PDF as cairo wrote it; returns it finished. It also becomes the
  // next part of the package, under `bookmark`.
  std::string AddDocument(std::string cairo_pdf, const PdfInfo& info, const std::string& bookmark);

  // Every document added so far, in order, as one PDF; once, since the
  // package is made in the first document's object model. A logic error
  // when the assembler does not merge, holds no document, or made its
  // package already (and so is adding a document after it).
  std::string Package(const PdfInfo& info);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace docgen
