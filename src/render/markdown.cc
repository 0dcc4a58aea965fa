#include "render/markdown.h"

#include "render/evaluate.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <glib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

namespace docgen {
namespace {

struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct ParserDeleter {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};

// Pango markup for literal text; what PDF text cannot hold becomes U+FFFD.
std::string Escape(const char* raw) {
  if (raw == nullptr) return {};
  const std::string text = SanitizeText(raw);
  char* escaped = g_markup_escape_text(text.c_str(), static_cast<gssize>(text.size()));
  std::string out(escaped);
  g_free(escaped);
  return out;
}

bool TypeIs(cmark_node* node, const char* name) {
  const char* type = cmark_node_get_type_string(node);
  return type != nullptr && std::strcmp(type, name) == 0;
}

// Nesting deeper than this is flattened, so hostile input cannot exhaust the stack.
constexpr int kMaxDepth = 24;

// Inline children of `node` as Pango markup.
// Everything below `node` as plain text (used past the nesting limit).
std::string PlainTextOf(cmark_node* node) {
  char* text = cmark_render_plaintext(node, CMARK_OPT_DEFAULT, 0);
  std::string out = text != nullptr ? text : "";
  free(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Inlines(cmark_node* node, int depth = 0) {
  std::string out;
  if (depth > kMaxDepth) return Escape(PlainTextOf(node).c_str());  // flattened, not lost
  for (cmark_node* child = cmark_node_first_child(node); child != nullptr; child = cmark_node_next(child)) {
    switch (cmark_node_get_type(child)) {
      case CMARK_NODE_TEXT:
        out += Escape(cmark_node_get_literal(child));
        break;
      case CMARK_NODE_SOFTBREAK:
        out += ' ';
        break;
      case CMARK_NODE_LINEBREAK:
        out += '\n';
        break;
      case CMARK_NODE_CODE:
        out += "<tt>" + Escape(cmark_node_get_literal(child)) + "</tt>";
        break;
      case CMARK_NODE_EMPH:
        out += "<i>" + Inlines(child, depth + 1) + "</i>";
        break;
      case CMARK_NODE_STRONG:
        out += "<b>" + Inlines(child, depth + 1) + "</b>";
        break;
      case CMARK_NODE_LINK:
        out += "<u>" + Inlines(child, depth + 1) + "</u>";
        break;
      case CMARK_NODE_IMAGE:
        out += Inlines(child, depth + 1);  // an image inside running text shows its description
        break;
      case CMARK_NODE_HTML_INLINE:
        if (std::strncmp(cmark_node_get_literal(child), "<!--", 4) != 0) out += Escape(cmark_node_get_literal(child));
        break;
      default:
        if (TypeIs(child, "strikethrough")) {
          out += "<s>" + Inlines(child, depth + 1) + "</s>";
        } else {
          out += Inlines(child, depth + 1);
        }
        break;
    }
  }
  return out;
}

std::vector<Block> Blocks(cmark_node* parent, int depth);

void AddBlock(cmark_node* node, std::vector<Block>& out, int depth) {
  Block block;
  block.line = cmark_node_get_start_line(node);
  switch (cmark_node_get_type(node)) {
    case CMARK_NODE_PARAGRAPH: {
      cmark_node* only = cmark_node_first_child(node);
      if (only != nullptr && cmark_node_next(only) == nullptr && cmark_node_get_type(only) == CMARK_NODE_IMAGE) {
        block.kind = Block::Kind::kImage;
        block.image = cmark_node_get_url(only) ? cmark_node_get_url(only) : "";
        block.alt = Inlines(only);
      } else {
        block.kind = Block::Kind::kParagraph;
        block.markup = Inlines(node);
      }
      break;
    }
    case CMARK_NODE_HEADING:
      block.kind = Block::Kind::kHeading;
      block.level = cmark_node_get_heading_level(node);
      block.markup = Inlines(node);
      break;
    case CMARK_NODE_LIST:
      block.kind = Block::Kind::kList;
      block.ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
      block.start = cmark_node_get_list_start(node);
      for (cmark_node* item = cmark_node_first_child(node); item != nullptr; item = cmark_node_next(item)) {
        block.items.push_back(Blocks(item, depth + 1));
      }
      break;
    case CMARK_NODE_BLOCK_QUOTE:
      block.kind = Block::Kind::kQuote;
      block.children = Blocks(node, depth + 1);
      break;
    case CMARK_NODE_THEMATIC_BREAK:
      block.kind = Block::Kind::kRule;
      break;
    case CMARK_NODE_CODE_BLOCK: {
      block.kind = Block::Kind::kCode;
      std::string text = cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
      while (!text.empty() && text.back() == '\n') text.pop_back();
      block.markup = Escape(text.c_str());
      break;
    }
    case CMARK_NODE_HTML_BLOCK: {
      std::string html = cmark_node_get_literal(node) ? cmark_node_get_literal(node) : "";
      if (html.find("<!-- pagebreak -->") != std::string::npos) {
        block.kind = Block::Kind::kPageBreak;
        break;
      }
      if (html.rfind("<!--", 0) == 0) return;  // a comment
      // Other HTML is not part of docgen's Markdown: show it as written rather than lose it.
      while (!html.empty() && html.back() == '\n') html.pop_back();
      block.kind = Block::Kind::kParagraph;
      block.markup = Escape(html.c_str());
      break;
    }
    default:
      if (TypeIs(node, "table")) {
        block.kind = Block::Kind::kTable;
        const uint16_t columns = cmark_gfm_extensions_get_table_columns(node);
        const uint8_t* align = cmark_gfm_extensions_get_table_alignments(node);
        for (uint16_t c = 0; c < columns; ++c) {
          const char a = align != nullptr ? static_cast<char>(align[c]) : 0;
          block.align.push_back(a == 'c' || a == 'r' ? a : 'l');
        }
        for (cmark_node* row = cmark_node_first_child(node); row != nullptr; row = cmark_node_next(row)) {
          std::vector<std::string> cells;
          for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr; cell = cmark_node_next(cell)) {
            cells.push_back(Inlines(cell));
          }
          cells.resize(columns);
          if (cmark_gfm_extensions_get_table_row_is_header(row)) ++block.header_rows;
          block.rows.push_back(std::move(cells));
        }
        break;
      }
      return;
  }
  out.push_back(std::move(block));
}

std::vector<Block> Blocks(cmark_node* parent, int depth) {
  std::vector<Block> out;
  if (depth > kMaxDepth) {  // flattened into one paragraph, not lost
    Block flat;
    flat.markup = Escape(PlainTextOf(parent).c_str());
    if (!flat.markup.empty()) out.push_back(std::move(flat));
    return out;
  }
  for (cmark_node* node = cmark_node_first_child(parent); node != nullptr; node = cmark_node_next(node)) {
    AddBlock(node, out, depth);
  }
  return out;
}

using Document = std::unique_ptr<cmark_node, NodeDeleter>;

// cmark-gfm's tree of `text`; null when it gives none.
Document Parse(std::string_view text) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  // Not autolink: data is escaped for these (EscapeMarkdown leaves some punctuation as is).
  for (const char* name : {"table", "strikethrough"}) {
    if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), extension);
    }
  }
  cmark_parser_feed(parser.get(), text.data(), text.size());
  return Document(cmark_parser_finish(parser.get()));
}

std::vector<Block> ParseWhole(std::string_view text) {
  const Document document = Parse(text);
  return document ? Blocks(document.get(), 0) : std::vector<Block>{};
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// A run of more than a batch of lines past two that start with '|': maybe
// a table's header, delimiter row and rows, the rows past the first batch
// to be parsed in batches.
struct LongRun {
  size_t first = 0;    // index of its first line
  size_t size = 0;     // lines
  size_t removed = 0;  // lines before it cut from the head document
};

std::vector<LongRun> LongRuns(const std::vector<std::string_view>& lines, size_t batch) {
  std::vector<LongRun> runs;
  for (size_t i = 0; i < lines.size();) {
    size_t end = i;
    while (end < lines.size() && !lines[end].empty() && lines[end][0] == '|') ++end;
    if (end - i > 2 + batch) runs.push_back({i, end - i, 0});
    i = std::max(end, i + 1);
  }
  return runs;
}

// Parses `rows` in batches under the table's header and delimiter lines and
// appends them to `table`; false when a batch is not exactly its lines' rows
// of a table like it.
bool AddRowsInBatches(std::string_view header, std::string_view delimiter, std::span<const std::string_view> rows,
                      size_t batch, Block& table) {
  for (size_t at = 0; at < rows.size(); at += batch) {
    const size_t count = std::min(batch, rows.size() - at);
    std::string text;
    text.append(header).append("\n").append(delimiter).append("\n");
    for (std::string_view row : rows.subspan(at, count)) text.append(row).append("\n");
    std::vector<Block> parsed = ParseWhole(text);
    if (parsed.size() != 1 || parsed[0].kind != Block::Kind::kTable || parsed[0].header_rows != 1 ||
        parsed[0].rows.size() != count + 1 || parsed[0].align != table.align) {
      return false;
    }
    std::move(parsed[0].rows.begin() + 1, parsed[0].rows.end(), std::back_inserter(table.rows));
  }
  return true;
}

void MapLines(std::vector<Block>& blocks, const std::function<int(int)>& line_in_source) {
  for (Block& block : blocks) {
    block.line = line_in_source(block.line);
    for (auto& item : block.items) MapLines(item, line_in_source);
    MapLines(block.children, line_in_source);
  }
}

}  // namespace

std::vector<Block> ParseMarkdown(const std::string& markdown, size_t table_batch) {
  // A batch parsed alone would not see the document's link reference
  // definitions; cmark counts a lone \r as a line end. Batches give the
  // blocks of one parse with the cmark-gfm of Debian 12; later releases
  // end a table once it has filled in 524,288 missing cells, which a batch
  // would not count, so with any other the document is parsed whole.
  if (table_batch == 0 || std::string_view(cmark_version_string()) != "0.29.0.gfm.6" ||
      markdown.find("]:") != std::string::npos || markdown.find('\r') != std::string::npos) {
    return ParseWhole(markdown);
  }
  const std::vector<std::string_view> lines = Lines(markdown);
  std::vector<LongRun> runs = LongRuns(lines, table_batch);
  if (runs.empty()) return ParseWhole(markdown);

  // The head document: each long run cut to its header, delimiter and first batch of rows.
  std::string head;
  size_t cut = 0;
  for (size_t i = 0, r = 0; i < lines.size(); ++i) {
    if (r < runs.size() && i == runs[r].first) runs[r].removed = cut;
    const bool in_cut = r < runs.size() && i >= runs[r].first + 2 + table_batch && i < runs[r].first + runs[r].size;
    if (in_cut) {
      ++cut;
    } else {
      head.append(lines[i]).append("\n");
    }
    if (r < runs.size() && i + 1 == runs[r].first + runs[r].size) ++r;
  }
  std::vector<Block> blocks = ParseWhole(head);

  // Each run must be a table of its own at the top level, whose rows are its lines.
  for (const LongRun& run : runs) {
    const int head_line = static_cast<int>(run.first - run.removed + 1);
    auto table = std::find_if(blocks.begin(), blocks.end(),
                              [&](const Block& b) { return b.kind == Block::Kind::kTable && b.line == head_line; });
    if (table == blocks.end() || table->header_rows != 1 || table->rows.size() != 1 + table_batch) {
      return ParseWhole(markdown);
    }
    const std::span<const std::string_view> rows(lines.data() + run.first + 2 + table_batch,
                                                 run.size - 2 - table_batch);
    if (!AddRowsInBatches(lines[run.first], lines[run.first + 1], rows, table_batch, *table)) {
      return ParseWhole(markdown);
    }
  }
  // Lines as the source counts them: past a run, add the lines cut from it and those before it.
  MapLines(blocks, [&](int line) {
    size_t added = 0;
    for (const LongRun& run : runs) {
      const size_t kept_to = run.first - run.removed + 2 + table_batch;  // its last line in the head
      if (static_cast<size_t>(line) > kept_to) added = run.removed + (run.size - 2 - table_batch);
    }
    return line + static_cast<int>(added);
  });
  return blocks;
}

}  // namespace docgen
