#include "render/typeset.h"

#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

namespace docgen {

// A document being laid out. Fragments are made in reading order and placed
// on the page being filled once the keeps that involve them can be decided;
// a finished page is handed on and let go with the fragments on it. What a
// block opens (a structure element, a list item's marker) is held until its
// first fragment is made, so a fragment is complete when it is made, apart
// from the closing tags appended to the last one.
struct LaidOutDocument {
  // Opened before the next fragment: a structure tag, or (tag null) a list item's lead.
  struct Opening {
    const char* tag = nullptr;
    std::shared_ptr<PangoLayout> marker;  // a list item: its number or bullet
    double marker_x = 0;
    bool tighten = false;  // a list item: closer to the one before than a paragraph
  };
  // A page filled but not handed on yet, and the number of the first fragment after it.
  struct Finished {
    Page page;
    size_t end = 0;
  };
  PageStyle style;
  std::deque<Fragment> fragments;  // not yet let go; fragments.front() is number `first` (deque: stable addresses)
  size_t first = 0;
  size_t next = 0;                // the number of the next fragment to place
  Page page;                      // being filled
  double y = 0;                   // where the next fragment goes on it
  int pages = 0;                  // filled
  std::deque<Finished> finished;  // filled, held until the page count is known or kHeldPages are
  bool streaming = false;         // pages were handed on before the count was known
  std::vector<Opening> openings;
  std::vector<double> quote_bars;  // the x of each quote the next fragments are in, outermost first
  std::vector<std::string> figure_alts;
  size_t Made() const { return first + fragments.size(); }
  Fragment& At(size_t number) { return fragments[number - first]; }
};

namespace {

constexpr double kScale = PANGO_SCALE;
// A keep chain (fragments that must share a page) is read at most this far
// past the fragment being placed, so a fragment is placed once this many
// more are laid out.
constexpr size_t kKeepChain = 8;
// Pages held back so that a document of up to this many is handed on with
// its page count; a longer one is handed on as it is laid out, without.
constexpr size_t kHeldPages = 16;
// A table's column widths are found from its first this many rows' cells
// (header included) and the character widths of the rest's; its cells are
// laid out this many rows at a time.
constexpr size_t kMeasuredRows = 1000;
constexpr double kListIndent = 18;
constexpr double kQuoteIndent = 14;
constexpr double kCellPadding = 4;
constexpr const char* kMonospace = "Liberation Mono";
// Drawn inside this tag, content becomes an artifact (pdf_assembler.cc:
// cairo 1.16 refuses a tag named Artifact).
constexpr const char* kArtifact = "Private";

// Pango's font map calls FcInit, which loads fonts.conf (and what it
// includes) and then also reads every file in fontconfig's conf.avail for
// its description: about 2 ms of a 45 ms `docgen render`, for nothing that
// matches a font. The same rules are loaded here, without the scan, and made
// the process's configuration before the first font map exists. If fonts.conf
// cannot be read, nothing is set and FcInit falls back as it always does.
PangoFontMap* NewFontMap() {
  static const bool loaded = [] {
    FcConfig* config = FcConfigCreate();
    if (config == nullptr) return false;
    const bool ok = FcConfigParseAndLoad(config, nullptr, FcTrue) && FcConfigBuildFonts(config);
    if (ok) FcConfigSetCurrent(config);  // holds its own reference
    FcConfigDestroy(config);
    return ok;
  }();
  (void)loaded;
  PangoFontMap* map = pango_cairo_font_map_new();
  // The layouts are in points (72 dpi, set on each context in ContextFor). Pango asks a
  // font for its metrics (every line's height) through a context of its own
  // made at the font map's resolution: left at 96 dpi, that second resolution
  // made a second fontconfig pattern for every font, each matched and sorted
  // in two threads of its own. At 72 the metrics reuse the layouts' patterns.
  pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(map), 72);
  return map;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ListMarker(bool ordered, int number, int depth) {
  if (ordered) return std::to_string(number) + ".";
  static const char* kBullets[] = {"\u2022", "\u25e6", "\u25aa"};
  return kBullets[depth % 3];
}

struct PngReader {
  const std::string* bytes;
  size_t offset;
};

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* reader = static_cast<PngReader*>(closure);
  if (reader->offset + length > reader->bytes->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, reader->bytes->data() + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

std::string EscapeMarkup(const std::string& text) {
  gchar* escaped = g_markup_escape_text(text.data(), static_cast<gssize>(text.size()));
  std::string out(escaped);
  g_free(escaped);
  return out;
}

// Pango breaks a line inside a word that has no break opportunity by shaping
// the rest of the word again for every line: quadratic in the word's length
// (a 100,000-character name took half a minute). A zero-width space every
// kLongWord characters of such a run gives Pango a place to break, so each
// line shapes at most that much. Words shorter than kLongWord (all real
// words) are untouched, so ordinary text lays out exactly as before.
constexpr size_t kLongWord = 1000;

std::string BreakLongWords(const std::string& markup) {
  if (markup.size() <= kLongWord) return markup;
  std::string out;
  size_t run = 0;  // characters since the last break opportunity
  bool inserted = false;
  for (size_t i = 0; i < markup.size();) {
    const char c = markup[i];
    if (c == '<') {  // a tag: copied whole, not counted
      size_t end = markup.find('>', i);
      end = end == std::string::npos ? markup.size() : end + 1;
      out.append(markup, i, end - i);
      i = end;
      continue;
    }
    size_t length = 1;
    if (c == '&') {  // an entity counts as one character
      size_t end = markup.find(';', i);
      length = end == std::string::npos ? 1 : end + 1 - i;
    } else if ((static_cast<unsigned char>(c) & 0x80) != 0) {
      while (i + length < markup.size() && (static_cast<unsigned char>(markup[i + length]) & 0xC0) == 0x80) ++length;
    }
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '-';
    if (space || (length == 3 && markup.compare(i, 3, "\u200b") == 0)) {
      run = 0;
    } else if (++run > kLongWord) {
      out += "\u200b";
      inserted = true;
      run = 1;
    }
    out.append(markup, i, length);
    i += length;
  }
  return inserted ? out : markup;
}

// A table row's grey header fill, and its grid: top and bottom rules and
// every column's left rule.
void AddRowFrame(Fragment& row, const std::shared_ptr<const RowGrid>& grid, double height) {
  if (grid->header) {
    DrawOp fill;
    fill.kind = DrawOp::Kind::kFill;
    fill.x = grid->x;
    fill.width = grid->Width();
    fill.height = height;
    fill.gray = 0.92;
    row.ops.insert(row.ops.begin(), std::move(fill));  // under the text
  }
  DrawOp rules;
  rules.kind = DrawOp::Kind::kGrid;
  rules.grid = grid;
  rules.height = height;
  rules.gray = 0.55;
  row.ops.push_back(std::move(rules));
}

// Where Pango puts a line `line` units wide in a box `box` units wide
// (pango-layout.c, get_x_offset).
int AlignedOffset(PangoAlignment alignment, int box, int line) {
  if (alignment == PANGO_ALIGN_RIGHT) return box - line;
  if (alignment != PANGO_ALIGN_CENTER) return 0;
  const int offset = (box - line) / 2;
  return ((box | line) & (PANGO_SCALE - 1)) == 0 ? PANGO_UNITS_ROUND(offset) : offset;
}

DrawOp Tag(DrawOp::Kind kind, const char* tag) {
  DrawOp op;
  op.kind = kind;
  op.tag = tag;
  return op;
}

// Appends a structure tag to `ops` when the document is tagged (only then:
// an untagged document's layout stays as small as it was).
void PushTag(const LaidOutDocument& doc, std::vector<DrawOp>& ops, DrawOp::Kind kind, const char* tag) {
  if (doc.style.tagged) ops.push_back(Tag(kind, tag));
}

// Makes the fragments laid out between OpenTag and CloseTag one structure
// element `tag` (none when there are none). OpenTag returns what CloseTag
// needs to know whether any were.
size_t OpenTag(LaidOutDocument& doc, const char* tag) {
  if (doc.style.tagged) doc.openings.push_back({tag, nullptr, 0, false});
  return doc.Made();
}
void CloseTag(LaidOutDocument& doc, const char* tag, size_t made_before) {
  if (!doc.style.tagged) return;
  if (doc.Made() == made_before) {
    doc.openings.pop_back();  // still waiting for a fragment: nothing to close
    return;
  }
  doc.fragments.back().ops.push_back(Tag(DrawOp::Kind::kEndTag, tag));
}

// Structure tags as drawn: for a tagged PDF only.
void BeginTag(cairo_t* cr, const PageStyle& style, const char* tag) {
  if (style.tagged) cairo_tag_begin(cr, tag, nullptr);
}
void EndTag(cairo_t* cr, const PageStyle& style, const char* tag) {
  if (style.tagged) cairo_tag_end(cr, tag);
}

bool IsCellTag(const DrawOp& op) {
  const std::string_view tag = op.tag;
  return tag == "TR" || tag == "TH" || tag == "TD";
}

// A row taller than a page, line by line: each line of each cell with its
// extent from the row's top (cell by cell, top to bottom), and the
// structure it sits in (the table's start or end, a list item and its
// marker) before and after its cells. Its own TR, TH and TD are made again
// for each part.
struct TallRow {
  struct Line {
    double top = 0, bottom = 0;
    size_t cell = 0;
    DrawOp op;  // kLayoutLine; y is the baseline from the row's top
  };
  std::vector<Line> lines;
  std::vector<DrawOp> before, after;
};

TallRow TallRowOf(const Fragment& row) {
  TallRow tall;
  size_t cells = 0;
  for (const DrawOp& op : row.ops) {
    if (op.kind == DrawOp::Kind::kBeginTag || op.kind == DrawOp::Kind::kEndTag) {
      if (!IsCellTag(op)) (cells == 0 ? tall.before : tall.after).push_back(op);
      continue;
    }
    if (op.kind == DrawOp::Kind::kLayoutLine && cells == 0) {
      tall.before.push_back(op);  // the marker of the list item the row starts
      continue;
    }
    if (op.kind != DrawOp::Kind::kLayout) continue;  // the fill and grid are drawn again around each part
    PangoLayoutIter* iter = pango_layout_get_iter(op.layout.get());
    int index = 0;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      TallRow::Line line;
      line.cell = cells;
      line.top = op.y + logical.y / kScale;
      line.bottom = line.top + logical.height / kScale;
      line.op.kind = DrawOp::Kind::kLayoutLine;
      line.op.layout = op.layout;
      line.op.line_index = index++;
      line.op.x = op.x + logical.x / kScale;  // aligned within the cell
      line.op.y = op.y + pango_layout_iter_get_baseline(iter) / kScale;
      tall.lines.push_back(std::move(line));
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    ++cells;
  }
  return tall;
}

// Places a row taller than a page: the lines of its cells that fit go on
// this page, the rest continue on the next ones, under the repeated header.
// Each line goes in exactly one part; a part starts at its highest line and
// is a row of its own in the structure tree.
void PlaceTallRow(const Fragment& row, double available, LaidOutDocument& doc, const std::function<void()>& next_page) {
  double& y = doc.y;
  const RowGrid& grid = *row.tall;
  const TallRow tall = TallRowOf(row);
  const char* cell_tag = grid.header ? "TH" : "TD";
  std::vector<bool> placed(tall.lines.size(), false);
  size_t left = tall.lines.size();
  bool first = true;
  while (left > 0) {
    Page& page = doc.page;
    if (page.items.empty() && row.repeat_header != nullptr) {
      page.items.push_back({0, row.repeat_header.get(), true});
      y = row.repeat_header->height;
    }
    const bool fresh = page.items.empty() || (page.items.size() == 1 && page.items[0].repeated);
    const double space = first && !page.items.empty() ? row.space_before : 0;
    double from = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < tall.lines.size(); ++i) {
      if (!placed[i]) from = std::min(from, tall.lines[i].top);
    }
    const double room = available - y - space - 2 * kCellPadding;
    std::vector<size_t> take;
    for (size_t i = 0; i < tall.lines.size(); ++i) {
      if (!placed[i] && tall.lines[i].bottom - from <= room) take.push_back(i);
    }
    if (take.empty() && !fresh) {  // not one line fits: the row starts on the next page
      next_page();
      continue;
    }
    if (take.empty()) {  // a single line taller than a page: shown anyway, overflowing
      for (size_t i = 0; i < tall.lines.size() && take.empty(); ++i) {
        if (!placed[i] && tall.lines[i].top == from) take.push_back(i);
      }
    }
    Fragment part;
    if (first) part.ops = tall.before;
    // Every column has its cell in every part, empty when its lines are done,
    // so that a screen reader keeps the columns apart.
    PushTag(doc, part.ops, DrawOp::Kind::kBeginTag, "TR");
    double bottom = from;
    size_t k = 0;  // `take` is in cell order
    for (size_t cell = 0; cell < grid.widths.size(); ++cell) {
      PushTag(doc, part.ops, DrawOp::Kind::kBeginTag, cell_tag);
      for (; k < take.size() && tall.lines[take[k]].cell == cell; ++k) {
        DrawOp op = tall.lines[take[k]].op;
        op.y -= from - kCellPadding;
        part.ops.push_back(std::move(op));
        bottom = std::max(bottom, tall.lines[take[k]].bottom);
        placed[take[k]] = true;
      }
      PushTag(doc, part.ops, DrawOp::Kind::kEndTag, cell_tag);
    }
    PushTag(doc, part.ops, DrawOp::Kind::kEndTag, "TR");
    left -= take.size();
    if (left == 0) part.ops.insert(part.ops.end(), tall.after.begin(), tall.after.end());
    part.height = bottom - from + 2 * kCellPadding;
    AddRowFrame(part, row.tall, part.height);
    page.parts.push_back(std::move(part));
    page.items.push_back({y + space, &page.parts.back()});
    y += space + page.parts.back().height;
    first = false;
    if (left > 0) next_page();
  }
}

}  // namespace

void GObjectDeleter::operator()(void* object) const {
  if (object != nullptr) g_object_unref(object);
}

std::optional<Image> DecodeImage(const std::string& path, const std::string& bytes, std::string& error) {
  Image image;
  auto ends_with = [&](const char* suffix) {
    const size_t n = std::strlen(suffix);
    return path.size() >= n && Lower(path.substr(path.size() - n)) == suffix;
  };
  if (ends_with(".png")) {
    // Refuse decompression bombs before decoding: width and height are in the IHDR chunk.
    if (bytes.size() >= 24 && bytes.compare(12, 4, "IHDR") == 0) {
      auto be32 = [&](size_t at) {
        return (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
               (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
               (static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
               static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
      };
      if (static_cast<uint64_t>(be32(16)) * be32(20) > 25'000'000) {
        error = "is larger than 25 megapixels";
        return std::nullopt;
      }
    }
    PngReader reader{&bytes, 0};
    cairo_surface_t* surface = cairo_image_surface_create_from_png_stream(ReadPng, &reader);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
      cairo_surface_destroy(surface);
      error = "is not a readable PNG image";
      return std::nullopt;
    }
    image.png.reset(surface, cairo_surface_destroy);
    image.width = cairo_image_surface_get_width(surface) * 0.75;  // CSS pixels (96 per inch) to points
    image.height = cairo_image_surface_get_height(surface) * 0.75;
    return image;
  }
  if (ends_with(".svg")) {
    image.svg = Svg::Decode(bytes, error);
    if (!image.svg) return std::nullopt;
    double width = 0, height = 0;
    if (!image.svg->IntrinsicSize(width, height) || width <= 0 || height <= 0) {
      error = "is an SVG image without a width and height";
      return std::nullopt;
    }
    image.width = width * 0.75;
    image.height = height * 0.75;
    return image;
  }
  error = "is not a PNG or SVG image";
  return std::nullopt;
}

Typesetter::Typesetter() : font_map_(NewFontMap()) {
  PangoFontFamily** families = nullptr;
  int count = 0;
  pango_font_map_list_families(font_map_.get(), &families, &count);
  for (int i = 0; i < count; ++i) families_.insert(Lower(pango_font_family_get_name(families[i])));
  g_free(families);
  // Generic aliases resolve to whatever fontconfig picks on the machine: not a pinned font.
  for (const char* alias : {"sans", "sans-serif", "serif", "monospace", "system-ui", "cursive", "fantasy", "emoji", "math"}) {
    families_.erase(alias);
  }
}

bool Typesetter::HasFamily(const std::string& family) const { return families_.count(Lower(family)) > 0; }

PangoContext* Typesetter::ContextFor(const std::string& lang) {
  constexpr size_t kMaxLanguages = 64;  // a layout holds its own context: dropping these loses nothing
  if (auto it = contexts_.find(lang); it != contexts_.end()) return it->second.get();
  if (contexts_.size() >= kMaxLanguages) contexts_.clear();
  GObjectPtr<PangoContext> context(pango_font_map_create_context(font_map_.get()));
  // Layout in points, with unhinted metrics, so line breaks do not depend on a device.
  pango_cairo_context_set_resolution(context.get(), 72);
  const std::unique_ptr<cairo_font_options_t, decltype(&cairo_font_options_destroy)> options(
      cairo_font_options_create(), cairo_font_options_destroy);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options.get());  // copies them
  // The document's language chooses among fonts and glyph forms; left to the
  // process's locale ("C" on a server), Pango gave Latin text now "c", now "en".
  pango_context_set_language(context.get(), pango_language_from_string(lang.c_str()));
  return contexts_.emplace(lang, std::move(context)).first->second.get();
}

std::shared_ptr<PangoLayout> Typesetter::NewLayout(const std::string& lang, const std::string& markup,
                                                   const std::string& family, double size, double width,
                                                   PangoAlignment alignment, PangoWrapMode wrap, bool one_line) {
  constexpr size_t kMaxCachedLayouts = 20000;
  // The key: the language and family, the other inputs' bytes (formatting
  // doubles as text cost more than the lookup), then the markup.
  const int modes[] = {alignment, wrap, one_line ? 1 : 0};
  std::string key;
  key.reserve(lang.size() + family.size() + 2 + 2 * sizeof(double) + sizeof modes + markup.size());
  key.append(lang).push_back('\0');
  key.append(family).push_back('\0');
  key.append(reinterpret_cast<const char*>(&size), sizeof size).append(reinterpret_cast<const char*>(&width), sizeof width);
  key.append(reinterpret_cast<const char*>(modes), sizeof modes).append(markup);
  if (auto it = layouts_.find(key); it != layouts_.end()) return it->second;
  if (layouts_.size() >= kMaxCachedLayouts) layouts_.clear();
  PangoLayout* layout = pango_layout_new(ContextFor(lang));
  PangoFontDescription* font = pango_font_description_new();
  pango_font_description_set_family(font, family.c_str());
  pango_font_description_set_absolute_size(font, size * kScale);
  pango_layout_set_font_description(layout, font);
  pango_font_description_free(font);
  if (width > 0) pango_layout_set_width(layout, static_cast<int>(width * kScale));
  pango_layout_set_wrap(layout, wrap);
  pango_layout_set_alignment(layout, alignment);
  pango_layout_set_markup(layout, BreakLongWords(markup).c_str(), -1);
  if (one_line) pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
  std::shared_ptr<PangoLayout> shared(layout, [](PangoLayout* l) { g_object_unref(l); });
  layouts_.emplace(std::move(key), shared);
  return shared;
}

void Typesetter::AddTextLines(const std::shared_ptr<PangoLayout>& layout, double x, double space_before, bool keep_all,
                              LaidOutDocument& doc) {
  PangoLayoutIter* iter = pango_layout_get_iter(layout.get());
  const int lines = pango_layout_get_line_count(layout.get());
  int index = 0;
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(iter, nullptr, &logical);
    const double top = logical.y / kScale;
    Fragment fragment;
    fragment.height = logical.height / kScale;
    fragment.space_before = index == 0 ? space_before : 0;
    fragment.break_before = index == 0 && pending_break_;
    // Keep a paragraph's first two and last two lines together (no orphans, no widows).
    fragment.keep_with_next = keep_all || lines <= 3 ? index < lines - 1 : (index == 0 || index == lines - 2);
    DrawOp op;
    op.kind = DrawOp::Kind::kLayoutLine;
    op.layout = layout;
    op.line_index = index;
    op.x = x;
    op.y = pango_layout_iter_get_baseline(iter) / kScale - top;
    // Each line is a Span of its paragraph or heading: cairo 1.16 marks
    // the content of leaf elements only, and a paragraph that continues on
    // the next page has the page's artifacts (footer, header) inside it.
    PushTag(doc, fragment.ops, DrawOp::Kind::kBeginTag, "Span");
    fragment.ops.push_back(std::move(op));
    PushTag(doc, fragment.ops, DrawOp::Kind::kEndTag, "Span");
    AddFragment(doc, std::move(fragment));
    ++index;
  } while (pango_layout_iter_next_line(iter));
  pango_layout_iter_free(iter);
  pending_break_ = false;
}

void Typesetter::LayoutTable(const Block& table, double x, double width, LaidOutDocument& doc) {
  const PageStyle& style = doc.style;
  const size_t columns = table.align.size();
  if (columns == 0) return;
  // Column widths from content: natural widths when they fit, otherwise
  // each column gets its longest word plus a share of the rest.
  auto markup_of = [&](size_t r, size_t c) {
    return r < static_cast<size_t>(table.header_rows) ? "<b>" + table.rows[r][c] + "</b>" : table.rows[r][c];
  };
  // Each cell unwrapped, measured; its layout goes to its row when the row
  // is made, and is let go with the row's page. Only the first kMeasuredRows
  // rows' cells are measured to find the column widths: a cell of a later
  // row that is plain ASCII text is sized by the sum of its characters'
  // widths (never less than its width, kerning aside; the margin covers the
  // kerning that widens), any other by a layout it does not keep (only the
  // layout cache does, 20,000 at most). Later rows
  // are measured kMeasuredRows at a time as they are made. So a long table
  // holds a chunk of rows' cells, not every row's. (Shaping every cell
  // twice instead, for its width and for its row, took 1.4x the time; each
  // cell shaped alone as its row is made, between pages, 1.14x at 20,000
  // rows against 1.01x in chunks.)
  struct Cell {
    std::shared_ptr<PangoLayout> layout;  // unwrapped
    PangoRectangle logical{};
    bool one_line = true;
    bool ltr = true;  // its line runs left to right
  };
  auto measure = [&](size_t r, size_t c) {
    Cell cell;
    cell.layout = NewLayout(style.lang, markup_of(r, c), style.font_family, style.font_size, -1);
    pango_layout_get_extents(cell.layout.get(), nullptr, &cell.logical);
    cell.one_line = pango_layout_get_line_count(cell.layout.get()) == 1;
    cell.ltr = pango_layout_line_get_resolved_direction(pango_layout_get_line_readonly(cell.layout.get(), 0)) ==
               PANGO_DIRECTION_LTR;
    return cell;
  };
  std::array<double, 128> advance;  // points; a printable character's width alone, once asked for
  advance.fill(-1);
  auto ascii_width = [&](std::string_view text) -> std::optional<double> {
    double sum = 0;
    for (const unsigned char ch : text) {
      if (ch < 0x20 || ch > 0x7e || ch == '<' || ch == '&') return std::nullopt;  // markup, or not ASCII
      if (advance[ch] < 0) {
        PangoRectangle logical;
        pango_layout_get_extents(
            NewLayout(style.lang, std::string(1, static_cast<char>(ch)), style.font_family, style.font_size, -1).get(),
            nullptr, &logical);
        advance[ch] = logical.width / kScale;
      }
      sum += advance[ch];
    }
    return sum * 1.02 + 0.5;
  };
  const size_t measured_rows = std::min(table.rows.size(), kMeasuredRows);
  std::vector<Cell> cells(measured_rows * columns);
  std::vector<double> natural(columns, 1), minimum(columns, 1);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r % 1024 == 1023 && Expired()) return;  // a long table is checked for the deadline as it goes
    for (size_t c = 0; c < columns; ++c) {
      double cell_width = 0;
      if (r < measured_rows) {
        Cell& cell = cells[r * columns + c];
        cell = measure(r, c);
        cell_width = cell.logical.width / kScale;
      } else if (const std::optional<double> ascii = ascii_width(table.rows[r][c])) {
        cell_width = *ascii;
      } else {
        cell_width = measure(r, c).logical.width / kScale;
      }
      natural[c] = std::max(natural[c], cell_width + 2 * kCellPadding);
    }
  }
  double natural_sum = 0;
  for (double n : natural) natural_sum += n;
  if (natural_sum > width) {
    for (size_t r = 0; r < table.rows.size(); ++r) {
      for (size_t c = 0; c < columns; ++c) {
        // Wrapped at every word, its widest line is the column's narrowest
        // possible width (measured for every row: where Pango may break a
        // line is not where the spaces are, "Jan /" stays together).
        auto words = NewLayout(style.lang, markup_of(r, c), style.font_family, style.font_size, 1.0 / kScale,
                               PANGO_ALIGN_LEFT, PANGO_WRAP_WORD);
        PangoRectangle logical;
        pango_layout_get_extents(words.get(), nullptr, &logical);
        minimum[c] = std::max(minimum[c], std::min(logical.width / kScale + 2 * kCellPadding, width / 2));
      }
    }
  }
  double minimum_sum = 0;
  for (double m : minimum) minimum_sum += m;
  std::vector<double> widths(columns);
  for (size_t c = 0; c < columns; ++c) {
    if (natural_sum <= width) {
      widths[c] = natural[c] * width / natural_sum;  // stretch to the text width
    } else if (minimum_sum >= width) {
      widths[c] = minimum[c] * width / minimum_sum;
    } else {
      const double flexible = natural_sum - minimum_sum;
      widths[c] = minimum[c] + (flexible > 0 ? (natural[c] - minimum[c]) / flexible * (width - minimum_sum) : 0);
    }
  }
  const double page_height = style.height - 2 * style.margin;
  const size_t made_before = OpenTag(doc, "Table");
  std::shared_ptr<const Fragment> header;
  const auto header_grid = std::make_shared<const RowGrid>(RowGrid{x, widths, true});
  const auto body_grid = std::make_shared<const RowGrid>(RowGrid{x, widths, false});
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (r % 1024 == 1023 && Expired()) return;
    if (r >= measured_rows && r % measured_rows == 0) {  // the next chunk's cells
      for (size_t m = r; m < std::min(table.rows.size(), r + measured_rows); ++m) {
        for (size_t c = 0; c < columns; ++c) cells[(m - r) * columns + c] = measure(m, c);
      }
    }
    const bool is_header = r < static_cast<size_t>(table.header_rows);
    Fragment row;
    row.space_before = r == 0 ? style.font_size * 0.6 : 0;
    row.break_before = r == 0 && pending_break_;
    double height = 0;
    double cx = x;
    const char* cell_tag = is_header ? "TH" : "TD";
    const std::shared_ptr<const RowGrid>& grid = is_header ? header_grid : body_grid;
    row.ops.reserve(columns * (doc.style.tagged ? 3 : 1) + 4);
    PushTag(doc, row.ops, DrawOp::Kind::kBeginTag, "TR");
    for (size_t c = 0; c < columns; ++c) {
      const PangoAlignment alignment =
          table.align[c] == 'r' ? PANGO_ALIGN_RIGHT : table.align[c] == 'c' ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT;
      Cell cell = std::move(cells[(r % measured_rows) * columns + c]);
      std::shared_ptr<PangoLayout> unwrapped = std::move(cell.layout);  // the row's now
      const int box = static_cast<int>((widths[c] - 2 * kCellPadding) * kScale);
      DrawOp op;
      op.kind = DrawOp::Kind::kLayout;
      op.x = cx + kCellPadding;
      op.y = kCellPadding;
      if (cell.one_line && cell.ltr && cell.logical.width <= box) {
        // It fits unwrapped: drawn as measured, moved as Pango aligns a
        // left-to-right line in the box (right to left swaps the sides).
        op.layout = std::move(unwrapped);
        op.x += AlignedOffset(alignment, box, cell.logical.width) / kScale;
        height = std::max(height, cell.logical.height / kScale + 2 * kCellPadding);
      } else {
        op.layout = NewLayout(style.lang, markup_of(r, c), style.font_family, style.font_size,
                              widths[c] - 2 * kCellPadding, alignment);
        PangoRectangle logical;
        pango_layout_get_extents(op.layout.get(), nullptr, &logical);
        height = std::max(height, logical.height / kScale + 2 * kCellPadding);
      }
      PushTag(doc, row.ops, DrawOp::Kind::kBeginTag, cell_tag);
      row.ops.push_back(std::move(op));
      PushTag(doc, row.ops, DrawOp::Kind::kEndTag, cell_tag);
      cx += widths[c];
    }
    PushTag(doc, row.ops, DrawOp::Kind::kEndTag, "TR");
    AddRowFrame(row, grid, height);
    row.height = height;
    row.keep_with_next = is_header;
    row.repeat_header = is_header ? nullptr : header;
    if (height > page_height - (row.repeat_header != nullptr ? row.repeat_header->height : 0)) {
      row.tall = grid;
    }
    AddFragment(doc, std::move(row));
    if (is_header && !doc.fragments.back().tall) {
      header = std::make_shared<const Fragment>(doc.fragments.back());  // a header taller than a page is not repeated
    }
    pending_break_ = false;
  }
  CloseTag(doc, "Table", made_before);
}

void Typesetter::LayoutBlocks(const std::vector<Block>& blocks, double x, double width, int list_depth,
                              LaidOutDocument& doc, const ImageLookup& image_for) {
  const PageStyle& style = doc.style;
  const double paragraph_space = style.font_size * 0.6;
  for (const auto& block : blocks) {
    if (Expired()) return;
    switch (block.kind) {
      case Block::Kind::kParagraph: {
        const size_t made = OpenTag(doc, "P");
        AddTextLines(NewLayout(style.lang, block.markup, style.font_family, style.font_size, width), x, paragraph_space,
                     false, doc);
        CloseTag(doc, "P", made);
        break;
      }
      case Block::Kind::kCode: {
        const size_t made = OpenTag(doc, "P");
        AddTextLines(NewLayout(style.lang, block.markup, kMonospace, style.font_size * 0.9, width), x, paragraph_space,
                     false, doc);
        CloseTag(doc, "P", made);
        break;
      }
      case Block::Kind::kHeading: {
        static const double kSizes[] = {1.6, 1.3, 1.15, 1.0, 1.0, 1.0};
        const int level = std::clamp(block.level, 1, 6);
        const double size = style.font_size * kSizes[level - 1];
        static const char* kTags[] = {"H1", "H2", "H3", "H4", "H5", "H6"};
        const size_t made = OpenTag(doc, kTags[level - 1]);
        AddTextLines(NewLayout(style.lang, "<b>" + block.markup + "</b>", style.font_family, size, width), x,
                     size * 0.8, true, doc);
        doc.fragments.back().keep_with_next = true;  // never alone at the bottom of a page (not placed yet: kKeepChain)
        CloseTag(doc, kTags[level - 1], made);
        break;
      }
      case Block::Kind::kList: {
        // L > LI > (Lbl: the marker, LBody: the item's blocks). An item's
        // lead (LI, its marker, LBody) goes before its first fragment.
        const size_t list_made = OpenTag(doc, "L");
        int number = block.start;
        for (const auto& item : block.items) {
          LaidOutDocument::Opening lead;
          lead.marker = NewLayout(style.lang, ListMarker(block.ordered, number, list_depth), style.font_family,
                                  style.font_size, -1);
          lead.marker_x = x + 2;
          lead.tighten = list_depth == 0 || &item != &block.items.front();  // items sit closer together than paragraphs
          doc.openings.push_back(std::move(lead));
          const size_t made = doc.Made();
          LayoutBlocks(item, x + kListIndent, width - kListIndent, list_depth + 1, doc, image_for);
          if (doc.Made() == made) {  // an empty item: no marker, no number
            doc.openings.pop_back();
            continue;
          }
          ++number;
          PushTag(doc, doc.fragments.back().ops, DrawOp::Kind::kEndTag, "LBody");
          PushTag(doc, doc.fragments.back().ops, DrawOp::Kind::kEndTag, "LI");
        }
        CloseTag(doc, "L", list_made);
        break;
      }
      case Block::Kind::kQuote: {
        const size_t made = OpenTag(doc, "BlockQuote");
        doc.quote_bars.push_back(x + 2);
        LayoutBlocks(block.children, x + kQuoteIndent, width - kQuoteIndent, list_depth, doc, image_for);
        doc.quote_bars.pop_back();
        CloseTag(doc, "BlockQuote", made);
        break;
      }
      case Block::Kind::kRule: {
        Fragment rule;
        rule.height = style.font_size;
        rule.space_before = paragraph_space;
        rule.break_before = pending_break_;
        DrawOp op;
        op.kind = DrawOp::Kind::kLine;
        op.x = x;
        op.x2 = x + width;
        op.y = op.y2 = style.font_size / 2;
        op.gray = 0.5;
        rule.ops.push_back(op);
        AddFragment(doc, std::move(rule));
        pending_break_ = false;
        break;
      }
      case Block::Kind::kImage: {
        std::shared_ptr<const Image> image = image_for(block.image);
        if (!image) break;  // reported by the renderer before layout
        double w = image->width, h = image->height;
        if (w > width) {  // scale down to the text width, never up
          h *= width / w;
          w = width;
        }
        const double page_height = style.height - 2 * style.margin;
        if (h > page_height) {  // and to the page height
          w *= page_height / h;
          h = page_height;
        }
        Fragment fragment;
        fragment.height = h;
        fragment.space_before = paragraph_space;
        fragment.break_before = pending_break_;
        DrawOp op;
        op.kind = DrawOp::Kind::kImage;
        op.x = x;
        op.width = w;
        op.height = h;
        op.image = std::make_shared<const std::string>(block.image);
        PushTag(doc, fragment.ops, DrawOp::Kind::kBeginTag, "Figure");
        fragment.ops.push_back(std::move(op));
        PushTag(doc, fragment.ops, DrawOp::Kind::kEndTag, "Figure");
        AddFragment(doc, std::move(fragment));
        doc.figure_alts.push_back(block.alt);
        pending_break_ = false;
        break;
      }
      case Block::Kind::kTable:
        LayoutTable(block, x, width, doc);
        break;
      case Block::Kind::kPageBreak:
        pending_break_ = true;
        break;
    }
  }
}

bool Typesetter::Expired() {
  if (!stopped_ && expired_ != nullptr && *expired_ && (*expired_)()) stopped_ = true;
  return stopped_;
}

LayoutSummary Typesetter::Layout(const std::vector<Block>& blocks, const PageStyle& style, const ImageLookup& image_for,
                                 const PageSink& page_done, const std::function<bool()>& expired) {
  LaidOutDocument doc;
  doc.style = style;
  pending_break_ = false;
  expired_ = &expired;
  page_done_ = &page_done;
  stopped_ = false;
  LayoutBlocks(blocks, style.margin, style.width - 2 * style.margin, 0, doc, image_for);
  expired_ = nullptr;
  if (!stopped_) {
    Paginate(doc, /*all=*/true);
    FinishPage(doc, /*last=*/true);
  }
  page_done_ = nullptr;
  return {doc.pages, std::move(doc.figure_alts)};
}

void Typesetter::AddFragment(LaidOutDocument& doc, Fragment fragment) {
  if (!doc.openings.empty()) {
    const PageStyle& style = doc.style;
    std::vector<DrawOp> lead;
    for (LaidOutDocument::Opening& opening : doc.openings) {
      if (opening.tag != nullptr) {
        PushTag(doc, lead, DrawOp::Kind::kBeginTag, opening.tag);
        continue;
      }
      if (opening.tighten) fragment.space_before = std::min(fragment.space_before, style.font_size * 0.25);
      DrawOp marker;
      marker.kind = DrawOp::Kind::kLayoutLine;
      marker.layout = std::move(opening.marker);
      marker.x = opening.marker_x;
      auto line = std::find_if(fragment.ops.begin(), fragment.ops.end(),
                               [](const DrawOp& op) { return op.kind == DrawOp::Kind::kLayoutLine; });
      marker.y = line == fragment.ops.end() ? style.font_size : line->y;  // on the first line's baseline
      PushTag(doc, lead, DrawOp::Kind::kBeginTag, "LI");
      PushTag(doc, lead, DrawOp::Kind::kBeginTag, "Lbl");
      lead.push_back(std::move(marker));
      PushTag(doc, lead, DrawOp::Kind::kEndTag, "Lbl");
      PushTag(doc, lead, DrawOp::Kind::kBeginTag, "LBody");
    }
    doc.openings.clear();
    fragment.ops.insert(fragment.ops.begin(), std::make_move_iterator(lead.begin()),
                        std::make_move_iterator(lead.end()));
  }
  for (auto x = doc.quote_bars.rbegin(); x != doc.quote_bars.rend(); ++x) {  // the innermost quote's first
    DrawOp bar;
    bar.kind = DrawOp::Kind::kFill;
    bar.x = *x;
    bar.width = 2;
    bar.height = fragment.height;
    bar.gray = 0.7;
    fragment.ops.push_back(bar);
  }
  doc.fragments.push_back(std::move(fragment));
  Paginate(doc, /*all=*/false);
}

void Typesetter::FinishPage(LaidOutDocument& doc, bool last) {
  doc.finished.push_back({std::move(doc.page), doc.next});  // every fragment before the next one is on it or before
  ++doc.pages;
  doc.page = Page();
  doc.y = 0;
  // The last page ends a held document; the kHeldPages-th that is not the last starts streaming one.
  if (!last && doc.finished.size() < kHeldPages) return;
  doc.streaming = doc.streaming || !last;
  while (!doc.finished.empty() && (last || doc.finished.size() >= kHeldPages)) {
    LaidOutDocument::Finished& page = doc.finished.front();
    const bool is_last = last && doc.finished.size() == 1;
    if (!stopped_ && !(*page_done_)(page.page, is_last, doc.streaming ? 0 : doc.pages)) stopped_ = true;
    const size_t end = page.end;
    doc.finished.pop_front();
    while (doc.first < end) {
      doc.fragments.pop_front();
      ++doc.first;
    }
  }
}

void Typesetter::Paginate(LaidOutDocument& doc, bool all) {
  const double available = doc.style.height - 2 * doc.style.margin;
  const auto next_page = [&] { FinishPage(doc, /*last=*/false); };
  for (; !stopped_ && doc.next < doc.Made() && (all || doc.next + kKeepChain < doc.Made()); ++doc.next) {
    const Fragment& f = doc.At(doc.next);
    if (f.break_before && !doc.page.items.empty()) next_page();
    if (f.tall) {
      PlaceTallRow(f, available, doc, next_page);
      continue;
    }
    Page* page = &doc.page;
    // The chain this fragment must share a page with.
    double chain = (page->items.empty() ? 0 : f.space_before) + f.height;
    for (size_t j = doc.next; j + 1 < doc.Made() && doc.At(j).keep_with_next && j < doc.next + kKeepChain; ++j) {
      const Fragment& following = doc.At(j + 1);
      if (following.break_before) break;
      // A row taller than a page is split: only its first line need follow here.
      chain +=
          following.space_before + (following.tall ? doc.style.font_size * 2 + 2 * kCellPadding : following.height);
    }
    const double own = (page->items.empty() ? 0 : f.space_before) + f.height;
    const bool chain_fits_fresh = chain - (page->items.empty() ? 0 : f.space_before) <= available;
    if (!page->items.empty() && ((doc.y + chain > available && chain_fits_fresh) || doc.y + own > available)) {
      next_page();
    }
    if (page->items.empty() && f.repeat_header != nullptr) {
      page->items.push_back({0, f.repeat_header.get(), true});
      doc.y = f.repeat_header->height;
    }
    const double space = page->items.empty() ? 0 : f.space_before;
    page->items.push_back({doc.y + space, &f});
    doc.y += space + f.height;
  }
}

void Typesetter::DrawPage(cairo_t* cr, const PageStyle& style, const Page& page, const ImageLookup& image_for) {
  const auto begin = [&](const char* tag) { BeginTag(cr, style, tag); };
  const auto end = [&](const char* tag) { EndTag(cr, style, tag); };
  cairo_save(cr);
  // Fills and rules first, in one artifact, one path per grey: under the
  // text as before, and far fewer drawing operations (cairo's PDF surface
  // works per operation, which made pages of tables slow).
  struct Placed {
    const DrawOp* op;
    double top;  // of its fragment
  };
  struct Group {
    double grey;
    std::vector<Placed> ops;
  };
  std::vector<Group> fills, rules;  // by grey, in the order first seen
  for (const Placement& placed : page.items) {
    for (const DrawOp& op : placed.fragment->ops) {
      if (op.kind != DrawOp::Kind::kLine && op.kind != DrawOp::Kind::kFill && op.kind != DrawOp::Kind::kGrid) continue;
      std::vector<Group>& groups = op.kind == DrawOp::Kind::kFill ? fills : rules;
      auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.grey == op.gray; });
      if (it == groups.end()) it = groups.insert(groups.end(), {op.gray, {}});
      it->ops.push_back({&op, style.margin + placed.y});
    }
  }
  const bool artifact = !fills.empty() || !rules.empty();
  if (artifact) begin(kArtifact);
  for (const Group& group : fills) {
    for (const auto& [op, top] : group.ops) cairo_rectangle(cr, op->x, top + op->y, op->width, op->height);
    cairo_set_source_rgb(cr, group.grey, group.grey, group.grey);
    cairo_fill(cr);
  }
  for (const Group& group : rules) {
    // A row's grid is a rule above and below it, one left of every column
    // and one after the last. Rows that follow one another with the same
    // columns share the rule between them, and their column rules are drawn
    // once for the run of rows: the same picture in a fraction of the path.
    const RowGrid* run = nullptr;  // the columns of the run of rows being drawn
    double run_top = 0, run_bottom = 0;
    const auto column_rules = [&] {
      if (run == nullptr) return;
      double rule = run->x;
      for (size_t c = 0; c <= run->widths.size(); ++c) {
        cairo_move_to(cr, rule, run_top);
        cairo_line_to(cr, rule, run_bottom);
        if (c < run->widths.size()) rule += run->widths[c];
      }
    };
    const auto row_rule = [&](const RowGrid& grid, double y) {
      double right = grid.x;  // summed as the column rules are, so that the corners meet exactly
      for (double w : grid.widths) right += w;
      cairo_move_to(cr, grid.x, y);
      cairo_line_to(cr, right, y);
    };
    for (const auto& [op, top] : group.ops) {
      if (op->kind == DrawOp::Kind::kLine) {
        cairo_move_to(cr, op->x, top + op->y);
        cairo_line_to(cr, op->x2, top + op->y2);
        continue;
      }
      const RowGrid& grid = *op->grid;
      const bool continues =
          run != nullptr && run->x == grid.x && run->widths == grid.widths && std::abs(top - run_bottom) < 1e-6;
      if (!continues) {
        column_rules();
        run = &grid;
        run_top = top;
        row_rule(grid, top);
      }
      run_bottom = top + op->height;
      row_rule(grid, run_bottom);
    }
    column_rules();
    cairo_set_source_rgb(cr, group.grey, group.grey, group.grey);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
  }
  if (artifact) end(kArtifact);
  for (const auto& [y, fragment, repeated] : page.items) {
    const double top = style.margin + y;
    if (repeated) begin(kArtifact);
    for (const DrawOp& op : fragment->ops) {
      switch (op.kind) {
        case DrawOp::Kind::kBeginTag:
          if (!repeated) begin(op.tag);
          break;
        case DrawOp::Kind::kEndTag:
          if (!repeated) end(op.tag);
          break;
        case DrawOp::Kind::kLayoutLine:
          cairo_set_source_rgb(cr, 0, 0, 0);
          cairo_move_to(cr, op.x, top + op.y);
          pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(op.layout.get(), op.line_index));
          break;
        case DrawOp::Kind::kLayout:
          cairo_set_source_rgb(cr, 0, 0, 0);
          cairo_move_to(cr, op.x, top + op.y);
          pango_cairo_show_layout(cr, op.layout.get());
          break;
        case DrawOp::Kind::kLine:  // drawn above
        case DrawOp::Kind::kFill:
        case DrawOp::Kind::kGrid:
          break;
        case DrawOp::Kind::kImage: {
          const std::shared_ptr<const Image> image = image_for(*op.image);
          if (!image) break;  // checked before layout; the same bytes decode the same way
          cairo_save(cr);
          cairo_translate(cr, op.x, top + op.y);
          if (image->svg) {
            image->svg->Draw(cr, op.width, op.height);
          } else if (image->png) {
            cairo_scale(cr, op.width / cairo_image_surface_get_width(image->png.get()),
                        op.height / cairo_image_surface_get_height(image->png.get()));
            cairo_set_source_surface(cr, image->png.get(), 0, 0);
            cairo_paint(cr);
          }
          cairo_restore(cr);
          break;
        }
      }
    }
    if (repeated) end(kArtifact);
  }
  cairo_restore(cr);
}

void Typesetter::DrawFurniture(cairo_t* cr, const PageStyle& style, const std::string& header,
                               const std::string& footer) {
  if (header.empty() && footer.empty()) return;
  cairo_save(cr);
  // In a smaller size, as artifacts, which screen readers skip.
  const double size = std::max(6.0, style.font_size * 0.8);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  BeginTag(cr, style, kArtifact);
  if (!header.empty()) {
    auto layout = NewLayout(style.lang, EscapeMarkup(header), style.font_family, size, style.width - 2 * style.margin,
                            PANGO_ALIGN_LEFT, PANGO_WRAP_WORD_CHAR, /*one_line=*/true);
    cairo_move_to(cr, style.margin, style.margin / 2 - size / 2);
    pango_cairo_show_layout(cr, layout.get());
  }
  if (!footer.empty()) {
    auto layout = NewLayout(style.lang, EscapeMarkup(footer), style.font_family, size, style.width - 2 * style.margin,
                            PANGO_ALIGN_CENTER, PANGO_WRAP_WORD_CHAR, /*one_line=*/true);
    cairo_move_to(cr, style.margin, style.height - style.margin / 2 - size / 2);
    pango_cairo_show_layout(cr, layout.get());
  }
  EndTag(cr, style, kArtifact);
  cairo_restore(cr);
}

}  // namespace docgen
