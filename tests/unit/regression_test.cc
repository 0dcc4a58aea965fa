// One test per bug found in review or by fuzzing; each names what broke.
#include <docgen/resolve.h>

#include <gtest/gtest.h>

#include "support/catalog_builder.h"
#include "template/mustache.h"

namespace docgen {
namespace {

using testing::CatalogBuilder;
using testing::Quote;

const char* kHead = "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\n";

std::vector<std::string> Codes(const CatalogLoad& load) {
  std::vector<std::string> out;
  for (const auto& d : load.diagnostics) out.push_back(d.code);
  return out;
}

TEST(Regression, CircularRefIsAnInvalidSchemaNotAStackOverflow) {
  for (const char* schema : {"variables: {type: object, $ref: '#'}\n",
                             "variables: {definitions: {a: {$ref: '#/definitions/a'}}, $ref: '#/definitions/a'}\n",
                             "variables: {type: object, allOf: [{$ref: '#'}]}\n"}) {
    EXPECT_EQ(Codes(CatalogBuilder().Document("A", std::string(kHead) + schema).Load()),
              std::vector<std::string>{"invalid_schema"})
        << schema;
  }
}

TEST(Regression, RecursiveSchemaThroughPropertiesIsAllowed) {
  CatalogLoad load = CatalogBuilder()
                         .Document("A", std::string(kHead) +
                                            "variables: {type: object, properties: {child: {$ref: '#'}, n: {type: integer, default: 1}}}\n")
                         .Load();
  ASSERT_TRUE(load.catalog);
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["A"] = {{"child", {{"child", nlohmann::json::object()}}}};
  Package p = Resolve(*load.catalog, quote);
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(p.documents[0].variables["child"]["child"]["n"], 1);
}

TEST(Regression, DiamondOfAllOfFillsDefaultsOnce) {
  // 2^20 paths through the allOf diamond; each schema node is applied once.
  std::string defs = "  definitions:\n    d0: {properties: {x: {default: 1}}}\n";
  for (int i = 1; i <= 20; ++i) {
    defs += "    d" + std::to_string(i) + ": {allOf: [{$ref: '#/definitions/d" + std::to_string(i - 1) +
            "'}, {$ref: '#/definitions/d" + std::to_string(i - 1) + "'}]}\n";
  }
  CatalogLoad load = CatalogBuilder()
                         .Document("A", std::string(kHead) + "variables:\n  type: object\n  allOf: [{$ref: '#/definitions/d20'}]\n" + defs)
                         .Load();
  ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : load.diagnostics[0].message);
  Package p = Resolve(*load.catalog, Quote());
  ASSERT_EQ(p.documents.size(), 1u);
  EXPECT_EQ(p.documents[0].variables["x"], 1);
}

TEST(Regression, OverlongStringWithAPatternIsRefusedNotACrash) {
  CatalogLoad load = CatalogBuilder()
                         .Document("A", std::string(kHead) + "variables: {type: object, properties: {s: {type: string, pattern: '^[a-z]+$'}}}\n")
                         .Load();
  ASSERT_TRUE(load.catalog);
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["A"] = {{"s", std::string(200000, 'a')}};
  Package p = Resolve(*load.catalog, quote);  // over the quote's text limit: refused in step 1
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "value_too_long");
  EXPECT_EQ(p.errors[0].path, "/documents/variables/A/s");
  // Below it, RE2 checks any length (std::regex overflowed its stack near 10,000).
  quote["documents"]["variables"]["A"] = {{"s", std::string(19000, 'a') + "!"}};
  p = Resolve(*load.catalog, quote);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "invalid_variables");
  EXPECT_EQ(p.errors[0].path, "/s");
  quote["documents"]["variables"]["A"] = {{"s", std::string(19000, 'a')}};
  EXPECT_TRUE(Resolve(*load.catalog, quote).valid);
}

TEST(Regression, PatternsAreRe2AndWhatRe2CannotCompileIsALintError) {
  for (const char* pattern : {"'(a)\\1'", "'(?=a)b'", "'a{1000}{1000}'"}) {
    CatalogLoad load = CatalogBuilder()
                           .Document("A", std::string(kHead) + "variables: {type: object, properties: {s: {type: string, pattern: " +
                                              pattern + "}}}\n")
                           .Load();
    ASSERT_EQ(Codes(load), std::vector<std::string>{"invalid_schema"}) << pattern;
    EXPECT_EQ(load.diagnostics[0].file, "documents/A.yaml");
    EXPECT_GT(load.diagnostics[0].line, 0);
    EXPECT_NE(load.diagnostics[0].message.find("RE2"), std::string::npos) << load.diagnostics[0].message;
  }
  EXPECT_EQ(Codes(CatalogBuilder()
                      .Document("A", std::string(kHead) + "variables: {type: object, patternProperties: {'^x': {type: string}}}\n")
                      .Load()),
            std::vector<std::string>{"invalid_schema"});
  // Unanchored, as JSON Schema says; a property named "pattern" is a property.
  CatalogLoad load = CatalogBuilder()
                         .Document("A", std::string(kHead) +
                                            "variables: {type: object, properties: {pattern: {type: string, pattern: 'b+'}}}\n")
                         .Load();
  ASSERT_TRUE(load.catalog) << load.diagnostics.at(0).message;
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["A"] = {{"pattern", "abbc"}};
  EXPECT_TRUE(Resolve(*load.catalog, quote).valid);
  quote["documents"]["variables"]["A"] = {{"pattern", "ac"}};
  EXPECT_EQ(Resolve(*load.catalog, quote).errors.at(0).path, "/pattern");
}

TEST(Regression, PackageLimitsAreErrorsWithPaths) {
  const std::string multiple = "title: M\nkind: form\nedition: '1'\nmultiple: yes\nattach: {new: no}\n";
  CatalogLoad load = CatalogBuilder()
                         .Document("M1", "id: M1\n" + multiple)
                         .Document("M2", "id: M2\n" + multiple)
                         .Document("M3", "id: M3\n" + multiple)
                         .Load();
  ASSERT_TRUE(load.catalog);
  nlohmann::json quote = Quote();
  for (const char* id : {"M1", "M2", "M3"}) {
    for (size_t i = 0; i < kMaxInstancesPerDocument; ++i) quote["documents"]["add"].push_back({{"id", id}});
  }
  Package p = Resolve(*load.catalog, quote);  // 600 documents, 200 of each
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "too_many_documents");
  EXPECT_EQ(p.errors[0].path, "/documents");
  quote["documents"]["add"] = nlohmann::json::array();
  for (size_t i = 0; i < kMaxInstancesPerDocument + 5; ++i) quote["documents"]["add"].push_back({{"id", "M1"}});
  p = Resolve(*load.catalog, quote);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "too_many_instances");
  EXPECT_EQ(p.errors[0].path, "/documents/add/200");
  EXPECT_EQ(p.documents.size(), kMaxInstancesPerDocument);
  // Keys count too.
  quote = Quote();
  quote["extra"][std::string(kMaxQuoteStringLength + 1, 'k')] = 1;
  p = Resolve(*load.catalog, quote);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "value_too_long");
  // Characters, not bytes: 20,000 two-byte characters are within the limit.
  quote = Quote();
  std::string accents;
  for (size_t i = 0; i < kMaxQuoteStringLength; ++i) accents += "\u00e9";
  quote["insured"]["name"] = accents;
  EXPECT_TRUE(Resolve(*load.catalog, quote).errors.empty());
}

TEST(Regression, InvalidPatternIsCaughtByLint) {
  EXPECT_EQ(Codes(CatalogBuilder()
                      .Document("A", std::string(kHead) + "variables: {type: object, properties: {s: {type: string, pattern: '[unclosed'}}}\n")
                      .Load()),
            std::vector<std::string>{"invalid_schema"});
}

TEST(Regression, NonObjectRootSchemaIsRefused) {
  EXPECT_EQ(Codes(CatalogBuilder().Document("A", std::string(kHead) + "variables: {type: array}\n").Load()),
            std::vector<std::string>{"invalid_schema"});
  EXPECT_TRUE(CatalogBuilder().Document("A", std::string(kHead) + "variables: {type: [object, 'null']}\n").Load().catalog);
}

TEST(Regression, SectionDepthCannotBeHiddenByWhitespaceInTags) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "{{\n#quote}}";
  for (int i = 0; i < 40; ++i) deep += "{{/quote}}";
  MustacheParse parse = ParseMustache(deep, "t.md");
  ASSERT_EQ(parse.diagnostics.size(), 1u);
  EXPECT_EQ(parse.diagnostics[0].code, "template_syntax");
}

TEST(Regression, DelimiterChangeCannotBeHiddenByWhitespace) {
  EXPECT_EQ(ParseMustache("{{\n=<% %>=}}<%x%>", "t.md").diagnostics.size(), 1u);
}

TEST(Regression, PropertiesDeclaredInAllOfAreKnownToTemplates) {
  CatalogLoad load = CatalogBuilder()
                         .Document("A", std::string(kHead) + "variables: {type: object, allOf: [{properties: {limit: {default: 5}}}]}\n",
                                   "{{vars.limit}}\n")
                         .Load();
  EXPECT_TRUE(load.diagnostics.empty()) << FormatDiagnostic(load.diagnostics[0]);
}

TEST(Regression, ABrokenDocumentStillGetsItsOtherFindings) {
  CatalogLoad load = CatalogBuilder()
                         .Document("A", "id: A\ntitle: A\ntitle: B\nkind: form\nedition: '1'\napplies_to: {products: [zz]}\n")
                         .Load();
  EXPECT_EQ(Codes(load), (std::vector<std::string>{"duplicate_key", "undeclared_code"}));
}

TEST(Regression, RemovingARequiredDocumentTwiceIsOneError) {
  CatalogLoad load = CatalogBuilder().Document("A", std::string(kHead) + "deletable: false\n").Load();
  nlohmann::json quote = Quote();
  quote["documents"]["remove"] = {"A", "A"};
  EXPECT_EQ(Resolve(*load.catalog, quote).errors.size(), 1u);
}

}  // namespace
}  // namespace docgen

namespace docgen {
namespace {

// Found by catalog_fuzzer: a schema with invalid UTF-8 threw from json::dump.
TEST(Regression, InvalidUtf8IsAFindingNotACrash) {
  CatalogLoad load = CatalogBuilder().Document("A", std::string(kHead) + "variables: {type: \"\xff\"}\n").Load();
  ASSERT_EQ(Codes(load), std::vector<std::string>{"invalid_encoding"});
  EXPECT_EQ(load.diagnostics[0].file, "documents/A.yaml");
  EXPECT_EQ(load.diagnostics[0].line, 6);
}

}  // namespace
}  // namespace docgen
