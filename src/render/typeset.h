// Typesetting: blocks -> fragments (Pango shapes and breaks lines) ->
// pages (keeps, widows and orphans, table header repeat) -> drawing on a
// Cairo surface. Pages are handed on as they are laid out and let go with
// their fragments, so a long document holds a few pages of layouts at a
// time (and a long table a thousand rows' cells). A Typesetter owns one font map, and a Pango
// context for each document language, that every document reuses; it is not
// thread-safe (use one per thread).
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "render/markdown.h"
#include "render/svg.h"


namespace docgen {

struct GObjectDeleter {
  void operator()(void* object) const;
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectDeleter>;

struct PageStyle {
  double width = 612;   // points
  double height = 792;
  double margin = 54;
  std::string font_family = "Liberation Serif";
  double font_size = 10;
  std::string lang = "en";  // the document's language (BCP 47): for screen readers, and the typesetting language
  bool archive = true;      // PDF/A-2b (pdf: {archive: pdf-a-2b}, the default) or a plain PDF (none)
  bool tagged = false;      // a tagged PDF, for screen readers (pdf: {tagged: true})
};

// A decoded image: a PNG surface or an SVG handle, with its natural size in points.
struct Image {
  std::shared_ptr<cairo_surface_t> png;
  std::optional<Svg> svg;
  double width = 0;
  double height = 0;
};

// Decodes PNG or SVG bytes; nullopt (and `error`) when they are neither.
std::optional<Image> DecodeImage(const std::string& path, const std::string& bytes, std::string& error);

// The grid of a table's rows: column widths, for the rules drawn around
// each row, and for splitting a row taller than a page between the lines of
// its cells (the grid is then drawn again around each part).
struct RowGrid {
  double x = 0;
  std::vector<double> widths;  // of the columns
  bool header = false;
  double Width() const {
    double sum = 0;
    for (double w : widths) sum += w;
    return sum;
  }
};

// What a fragment draws, in reading order. kBeginTag and kEndTag open and
// close an element of the tagged PDF's structure tree (cairo's tags: P, H1,
// L, LI, Lbl, LBody, Table, TR, TH, TD, Figure, ...); elements may span
// fragments and pages. Kept small: a long table holds a few per cell.
struct DrawOp {
  enum class Kind { kLayoutLine, kLayout, kLine, kFill, kGrid, kImage, kBeginTag, kEndTag };
  Kind kind = Kind::kLayout;
  int line_index = 0;            // kLayoutLine
  double x = 0, y = 0;           // from the fragment's top-left; kLayoutLine: y is the baseline
  double x2 = 0, y2 = 0;         // kLine end point
  double width = 0, height = 0;  // kFill, kImage size; kGrid: the row's height
  double gray = 0;               // kLine, kFill colour
  std::shared_ptr<PangoLayout> layout;       // kLayoutLine, kLayout
  std::shared_ptr<const RowGrid> grid;       // kGrid: the rules around each cell of a table row
  std::shared_ptr<const std::string> image;  // kImage: the asset path, decoded (again) when the page is drawn
  const char* tag = "";                      // kBeginTag, kEndTag: the structure type (a literal)
};

// The unit of pagination: one line of text, a table row, an image, a rule.
struct Fragment {
  double height = 0;
  double space_before = 0;     // dropped at the top of a page
  bool keep_with_next = false;
  bool break_before = false;   // <!-- pagebreak -->
  std::shared_ptr<const Fragment> repeat_header;  // table body rows: (a copy of) the header row to repeat after a break
  std::vector<DrawOp> ops;
  std::shared_ptr<const RowGrid> tall;  // a row taller than a page: drawn as the parts pagination cuts
};

struct Placement {
  double y = 0;  // from the top of the text area
  const Fragment* fragment = nullptr;
  bool repeated = false;  // a table's header row again after a break: drawn, not tagged again
};

struct Page {
  std::vector<Placement> items;
  std::deque<Fragment> parts;  // the parts of rows taller than a page that this page shows
};

// What a layout leaves once its pages have been drawn.
struct LayoutSummary {
  int pages = 0;                         // laid out (all handed on, unless the layout was stopped)
  std::vector<std::string> figure_alts;  // each image's alt text, in the order of the Figure elements
};

struct LaidOutDocument;  // a document being laid out (typeset.cc)

class Typesetter {
 public:
  Typesetter();
  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  // True when fontconfig has the family (compared case-insensitively).
  bool HasFamily(const std::string& family) const;

  // `image_for(path)` returns the decoded image a block names, or null.
  // Layouts keep only the path and size of an image, not its pixels.
  using ImageLookup = std::function<std::shared_ptr<const Image>(const std::string& path)>;
  // Takes each page in order once it is final (`last`: the document's
  // last); the page and its fragments are let go when it returns. `count`
  // is the document's page count when it is known before its first page is
  // handed on (a document of a few pages is held until it is laid out), and
  // 0 for every page of a longer one, handed on as it is laid out. False
  // stops the layout (the caller says why).
  using PageSink = std::function<bool(const Page& page, bool last, int count)>;
  // Lays out `blocks` and hands each page to `page_done`. `expired()`, when
  // given, is asked between blocks; true stops the layout early (the caller
  // reports the timeout). A document has at least one page.
  LayoutSummary Layout(const std::vector<Block>& blocks, const PageStyle& style, const ImageLookup& image_for,
                       const PageSink& page_done, const std::function<bool()>& expired = {});

  // Draws a page's text, tables, rules and images on `cr` (the current page
  // of a surface sized to the style's page).
  void DrawPage(cairo_t* cr, const PageStyle& style, const Page& page, const ImageLookup& image_for);
  // Draws a page's header (left) and footer (centred) lines in its margins,
  // as artifacts.
  void DrawFurniture(cairo_t* cr, const PageStyle& style, const std::string& header, const std::string& footer);

 private:
  // Layouts are immutable once made and cached by their inputs, so the
  // boilerplate of a template is shaped once, not on every render.
  // `lang`: the document's language (BCP 47), which Pango's context is set to.
  std::shared_ptr<PangoLayout> NewLayout(const std::string& lang, const std::string& markup, const std::string& family,
                                         double size, double width, PangoAlignment alignment = PANGO_ALIGN_LEFT,
                                         PangoWrapMode wrap = PANGO_WRAP_WORD_CHAR, bool one_line = false);
  PangoContext* ContextFor(const std::string& lang);  // one per language, made on first use
  void LayoutBlocks(const std::vector<Block>& blocks, double x, double width, int list_depth, LaidOutDocument& doc,
                    const ImageLookup& image_for);
  bool Expired();
  void AddTextLines(const std::shared_ptr<PangoLayout>& layout, double x, double space_before, bool keep_all,
                    LaidOutDocument& doc);
  void LayoutTable(const Block& table, double x, double width, LaidOutDocument& doc);
  // Every fragment goes through here: it gets the structure opened before it
  // and the bars of the quotes it is in, then pagination moves on.
  void AddFragment(LaidOutDocument& doc, Fragment fragment);
  // Places the fragments whose keeps can be decided (`all`: every one left).
  void Paginate(LaidOutDocument& doc, bool all);
  void FinishPage(LaidOutDocument& doc, bool last);

  GObjectPtr<PangoFontMap> font_map_;
  std::map<std::string, GObjectPtr<PangoContext>> contexts_;  // by language, see ContextFor
  std::set<std::string> families_;  // lower-case names
  std::unordered_map<std::string, std::shared_ptr<PangoLayout>> layouts_;  // bounded, see NewLayout
  bool pending_break_ = false;
  const std::function<bool()>* expired_ = nullptr;  // during Layout
  const PageSink* page_done_ = nullptr;             // during Layout
  bool stopped_ = false;
};

}  // namespace docgen
