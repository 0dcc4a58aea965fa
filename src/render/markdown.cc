#include "render/markdown.h"

#include "render/evaluate.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <glib.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

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

}  // namespace

std::vector<Block> ParseMarkdown(const std::string& markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  // Not autolink: data is escaped for these (EscapeMarkdown leaves some punctuation as is).
  for (const char* name : {"table", "strikethrough"}) {
    if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), extension);
    }
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeDeleter> document(cmark_parser_finish(parser.get()));
  if (!document) return {};
  return Blocks(document.get(), 0);
}

}  // namespace docgen
