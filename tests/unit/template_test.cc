// Template parsing: the tree the renderer evaluates and lint reads.
#include <gtest/gtest.h>

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
