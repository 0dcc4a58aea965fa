// Markdown (CommonMark + GitHub tables and strikethrough, parsed by
// cmark-gfm) to the blocks the typesetter lays out. Inline content becomes
// Pango markup. Pure; thread-safe.
//
// cmark-gfm holds a tree of the whole document, about 2 KB for each row of
// a table. A table longer than `table_batch` rows is parsed in batches of
// rows under its header instead, so that a 100,000-row schedule does not
// hold 100,000 rows of tree; the blocks are the same as from one parse (a
// document where that cannot be shown is parsed whole).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace docgen {

struct Block {
  enum class Kind { kParagraph, kHeading, kList, kQuote, kRule, kTable, kImage, kPageBreak, kCode };
  Kind kind = Kind::kParagraph;
  std::string markup;                       // paragraph, heading, code: Pango markup
  int level = 0;                            // heading level 1-6
  bool ordered = false;                     // list
  int start = 1;                            // first number of an ordered list
  std::vector<std::vector<Block>> items;    // list items
  std::vector<Block> children;              // block quote
  std::vector<char> align;                  // table: 'l', 'c' or 'r' per column
  std::vector<std::vector<std::string>> rows;  // table cells (markup), header rows first
  int header_rows = 0;
  std::string image;                        // image path as written
  std::string alt;
  int line = 0;                             // source line in the evaluated Markdown

  bool operator==(const Block&) const = default;
};

constexpr size_t kTableBatchRows = 2000;

// `table_batch` 0 parses the document whole.
std::vector<Block> ParseMarkdown(const std::string& markdown, size_t table_batch = kTableBatchRows);

}  // namespace docgen
