// Rendering: a resolved package -> PDFs (SPEC §4). Templates are evaluated
// (strict Mustache), typeset as Markdown (cmark-gfm, Pango) and drawn to PDF
// (Cairo), then finished with qpdf (producer, deterministic /ID).
//
// Every error of a package is collected before any page is drawn; when there
// is one, nothing is produced. Output is deterministic: the same catalog,
// package and quote give the same bytes.
//
// A Renderer keeps a font map and parsed templates between calls, so reuse
// one for many packages. It is not thread-safe: use one per thread.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>
#include <docgen/resolve.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace docgen {

struct RenderedDocument {
  std::string file_name;  // "01-CY-DEC.pdf": 1-based position, two digits or more
  std::string pdf;
  int pages = 0;
};

struct RenderOutput {
  std::string package_pdf;  // every document in order, one bookmark each; empty for one edition on its own
  std::vector<RenderedDocument> documents;
  int pages = 0;
};

// Where a render's time went, in seconds (the wide event's stage times).
struct RenderTimings {
  double evaluate = 0;  // templates loaded and evaluated (Mustache)
  double typeset = 0;   // Markdown parsed and laid out in pages (Pango)
  double draw = 0;      // pages drawn to PDF (Cairo)
  double assemble = 0;  // documents finished and merged into the package (qpdf)
};

struct RenderResult {
  std::optional<RenderOutput> output;  // empty when `errors` is not
  Diagnostics errors;  // the package's own errors, or template_error / missing_value / missing_font / render_timeout
  RenderTimings timings;  // of the stages it finished (a render stopped by an error or its deadline: the earlier ones)
};

// Resource budgets of a Renderer (README "Limits").
struct RenderOptions {
  // A render still running after this long stops with a render_timeout
  // error (checked between documents, blocks and pages, and while templates
  // are evaluated). Zero or negative: no deadline.
  std::chrono::milliseconds deadline{30000};
  // Decoded images kept between and within renders (least recently used
  // first out), in decoded bytes. An image larger than this is decoded for
  // each use and not kept.
  size_t image_cache_bytes = 64u << 20;
  // The ICC profile of PDF/A's sRGB output intent (Debian's icc-profiles-free),
  // read at the first archival render.
  std::string srgb_profile = "/usr/share/color/icc/sRGB.icc";
  // False: plain PDFs whatever the catalog asks. Test runs compare pages,
  // which look the same, and poppler draws pages with PDF/A's output intent
  // about five times slower (it manages their colours).
  bool archive = true;
};

// The versions of the libraries that draw and finish the PDFs (Cairo, Pango,
// qpdf): what besides docgen itself and the fonts shapes the output.
std::string RenderLibraryVersions();

class Renderer {
 public:
  Renderer();
  explicit Renderer(RenderOptions options);
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // `quote` is the quote the package was resolved from (the templates' `quote`).
  RenderResult Render(const Catalog& catalog, const Package& package, const nlohmann::json& quote);
  // The same, for a quote handed over: it is let go once the last page of
  // the last document is drawn, before that document is finished and the
  // package merged, so that a one-off render of a long quote does not hold
  // the quote while qpdf holds the PDFs. After an error it may or may not
  // have been let go.
  RenderResult Render(const Catalog& catalog, const Package& package, nlohmann::json&& quote);

  // One edition of `catalog` on its own, as a one-document package (a
  // preview, without resolution): `vars` get the edition's schema defaults
  // and are validated (invalid_variables errors, `path` under /vars), then
  // the document is rendered with `quote` as the templates' quote. Its
  // output is the document's PDF alone: no package PDF is merged.
  RenderResult RenderEdition(const Catalog& catalog, const DocumentEdition& edition, const nlohmann::json& vars,
                             const nlohmann::json& quote);

 private:
  // What Render and RenderEdition ask of RenderPackage.
  struct Request {
    const nlohmann::json& quote;
    bool package_pdf = true;                // false: RenderOutput::package_pdf stays empty (an edition on its own)
    nlohmann::json* handed_over = nullptr;  // `quote` itself when the caller handed it over: nulled once drawn
  };
  RenderResult RenderGuarded(const Catalog& catalog, const Package& package, const Request& request);
  RenderResult RenderPackage(const Catalog& catalog, const Package& package, const Request& request);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace docgen
