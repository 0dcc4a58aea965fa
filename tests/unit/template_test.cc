// Template parsing: the tree the renderer evaluates and lint reads.
#include <gtest/gtest.h>

#include <algorithm>

#include "template/mustache.h"

namespace docgen {
namespace {

using Kind = MustacheNode::Kind;

TEST(Mustache, ParsesSectionsWithTheirLines) {
  MustacheParse parse = ParseMustache("# T\n{{#quote.coverages}}\n- {{code}} {{{raw}}}\n{{/quote.coverages}}\n", "t.md", 5);
  ASSERT_TRUE(parse.diagnostics.empty());
  const MustacheNode* section = nullptr;
  for (const auto& n : parse.nodes) {
    if (n.kind == Kind::kSection) section = &n;
  }
  ASSERT_NE(section, nullptr);
  EXPECT_EQ(section->text, "quote.coverages");
  EXPECT_EQ(section->line, 6);
  std::vector<std::string> tags;
  for (const auto& c : section->children) {
    if (c.kind == Kind::kVariable || c.kind == Kind::kRawVariable) tags.push_back(c.text + "@" + std::to_string(c.line));
  }
  EXPECT_EQ(tags, (std::vector<std::string>{"code@7", "raw@7"}));
}

TEST(Mustache, UnclosedSectionIsASyntaxErrorOnItsLine) {
  MustacheParse parse = ParseMustache("a\nb\n{{#x}}\n", "t.md");
  ASSERT_EQ(parse.diagnostics.size(), 1u);
  EXPECT_EQ(parse.diagnostics[0].code, "template_syntax");
  EXPECT_EQ(parse.diagnostics[0].line, 3);
  EXPECT_TRUE(parse.nodes.empty());
}

TEST(Mustache, MismatchedCloseIsASyntaxError) {
  EXPECT_EQ(ParseMustache("{{#a}}{{/b}}", "t.md").diagnostics.size(), 1u);
  EXPECT_EQ(ParseMustache("{{/b}}", "t.md").diagnostics.size(), 1u);
  EXPECT_EQ(ParseMustache("{{unclosed", "t.md").diagnostics.size(), 1u);
  EXPECT_EQ(ParseMustache("{{}}", "t.md").diagnostics.size(), 1u);
}

TEST(Mustache, DeepNestingIsRefused) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{{#a}}";
  for (int i = 0; i < 40; ++i) deep += "{{/a}}";
  MustacheParse parse = ParseMustache(deep, "t.md");
  ASSERT_EQ(parse.diagnostics.size(), 1u);
  EXPECT_NE(parse.diagnostics[0].message.find("32 levels"), std::string::npos);
}

// The template again from its tree (tags in their plain form).
std::string Unparse(const std::vector<MustacheNode>& nodes) {
  std::string out;
  for (const auto& n : nodes) {
    switch (n.kind) {
      case Kind::kText: out += n.text; break;
      case Kind::kVariable: out += "{{" + n.text + "}}"; break;
      case Kind::kRawVariable: out += "{{{" + n.text + "}}}"; break;
      case Kind::kComment: out += "{{!}}"; break;
      case Kind::kSection: out += "{{#" + n.text + "}}" + Unparse(n.children) + "{{/" + n.text + "}}"; break;
      case Kind::kInvertedSection: out += "{{^" + n.text + "}}" + Unparse(n.children) + "{{/" + n.text + "}}"; break;
    }
  }
  return out;
}

TEST(Mustache, LongTextWithoutTagsKeepsEveryByteAndTheLinesOfLaterTags) {
  std::string rows;
  for (int i = 0; i < 2000; ++i) rows += "| " + std::to_string(i) + " | a  b\t c |\r\n";
  const std::vector<std::string> sources = {
      "# {{title}}\n\n" + rows + "{{#rows}}\n| {{n}} |\n{{/rows}}\n" + rows + "end {{{raw}}}",
      rows + "{{#a}}\n" + rows + "{{/a}}\n\n\n" + rows,
      "{{#a}}" + rows + "{{/a}}" + rows,
      rows + "{{name\n}}\n" + rows + "tail",
      "\n\n{{x}}\n\n",
      "no tags at all\nsecond line\n",
      "no tags, no final break",
  };
  for (const std::string& source : sources) {
    MustacheParse parse = ParseMustache(source, "t.md", 3);
    ASSERT_TRUE(parse.diagnostics.empty()) << source.substr(0, 40);
    std::string expected = source;
    if (const size_t at = expected.find("{{name\n}}"); at != std::string::npos) expected.replace(at, 9, "{{name}}");
    EXPECT_EQ(Unparse(parse.nodes), expected) << source.substr(0, 40);
  }
  // Lines are those of the source: the section after 2,000 rows and the two title lines.
  MustacheParse parse = ParseMustache(sources[0], "t.md", 3);
  const auto section = std::find_if(parse.nodes.begin(), parse.nodes.end(), [](const MustacheNode& n) { return n.kind == Kind::kSection; });
  ASSERT_NE(section, parse.nodes.end());
  EXPECT_EQ(section->line, 3 + 2 + 2000);
  const auto n = std::find_if(section->children.begin(), section->children.end(), [](const MustacheNode& c) { return c.kind == Kind::kVariable; });
  ASSERT_NE(n, section->children.end());
  EXPECT_EQ(n->text, "n");
  EXPECT_EQ(n->line, 3 + 2 + 2000 + 1);
  // Errors after a long run name their line too.
  MustacheParse unclosed = ParseMustache(rows + "{{#x}}\n" + rows, "t.md");
  ASSERT_EQ(unclosed.diagnostics.size(), 1u);
  EXPECT_EQ(unclosed.diagnostics[0].line, 2001);
}

TEST(Mustache, TripleBracesEndAtTheirOwnCloseAcrossLines) {
  const std::string rows = "row one\nrow two\n";
  MustacheParse parse = ParseMustache("{{{a}}\n" + rows + "}}}\n" + rows, "t.md");
  ASSERT_TRUE(parse.diagnostics.empty());
  const auto raw = std::count_if(parse.nodes.begin(), parse.nodes.end(), [](const MustacheNode& n) { return n.kind == Kind::kRawVariable; });
  EXPECT_EQ(raw, 1);
}

TEST(Mustache, DelimiterChangesAreRefusedInTripleBracesToo) {
  MustacheParse parse = ParseMustache("a\n{{{=<% %>=}}}\n<%name%>\n", "t.md");
  ASSERT_EQ(parse.diagnostics.size(), 1u);
  EXPECT_EQ(parse.diagnostics[0].line, 2);
  EXPECT_NE(parse.diagnostics[0].message.find("delimiters"), std::string::npos);
}

TEST(FrontMatter, SplitsYamlAndBodyWithLineNumbers) {
  TemplateParts parts;
  std::string error;
  ASSERT_TRUE(SplitFrontMatter("---\nfooter: x\n---\n# Body\n", parts, error));
  EXPECT_TRUE(parts.has_front_matter);
  EXPECT_EQ(parts.front_matter, "footer: x\n");
  EXPECT_EQ(parts.body, "# Body\n");
  EXPECT_EQ(parts.body_line, 4);
}

TEST(FrontMatter, WithoutFenceTheWholeTextIsBody) {
  TemplateParts parts;
  std::string error;
  ASSERT_TRUE(SplitFrontMatter("# Body\n---\n", parts, error));
  EXPECT_FALSE(parts.has_front_matter);
  EXPECT_EQ(parts.body_line, 1);
}

TEST(FrontMatter, UnclosedFenceIsAnError) {
  TemplateParts parts;
  std::string error;
  EXPECT_FALSE(SplitFrontMatter("---\nfooter: x\n# Body\n", parts, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace docgen
