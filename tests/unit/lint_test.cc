// Catalog lint (SPEC §1): each check, with its code, file and line.
#include <docgen/catalog.h>

#include <gtest/gtest.h>

#include "support/catalog_builder.h"

namespace docgen {
namespace {

using testing::CatalogBuilder;

// "code file:line" for every finding, in the order lint reports them.
std::vector<std::string> Findings(const CatalogBuilder& builder) {
  std::vector<std::string> out;
  for (const auto& d : builder.Load().diagnostics) out.push_back(d.code + " " + d.file + ":" + std::to_string(d.line));
  return out;
}

const char* kValid = "id: A\ntitle: A\nkind: form\nedition: '1'\n";

TEST(Lint, AValidCatalogHasNoFindingsAndADigest) {
  CatalogLoad load = CatalogBuilder().Document("A", kValid).Load();
  EXPECT_TRUE(load.diagnostics.empty());
  ASSERT_TRUE(load.catalog);
  EXPECT_EQ(load.catalog->digest.rfind("sha256:", 0), 0u);
  EXPECT_EQ(load.catalog->digest.size(), 7u + 64u);
}

TEST(Lint, DigestChangesWithAnyFileAndOnlyThen) {
  CatalogBuilder a;
  a.Document("A", kValid);
  CatalogBuilder b = a;
  EXPECT_EQ(a.Load().catalog->digest, b.Load().catalog->digest);
  b.File("templates/A.md", "# Changed\n");
  EXPECT_NE(a.Load().catalog->digest, b.Load().catalog->digest);
}

TEST(Lint, MalformedYamlNamesTheLine) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", "id: A\ntitle: [unclosed\n")),
            std::vector<std::string>{"yaml_syntax documents/A.yaml:3"});
}

TEST(Lint, MisspeltFieldIsAnErrorWithASuggestion) {
  CatalogLoad load = CatalogBuilder().Document("A", std::string(kValid) + "deleteable: false\n").Load();
  ASSERT_EQ(load.diagnostics.size(), 1u);
  EXPECT_EQ(load.diagnostics[0].code, "unknown_field");
  EXPECT_EQ(load.diagnostics[0].line, 5);
  EXPECT_NE(load.diagnostics[0].message.find("Did you mean \"deletable\"?"), std::string::npos);
  EXPECT_FALSE(load.catalog);
}

TEST(Lint, MissingRequiredFields) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", "id: A\nkind: form\n")),
            (std::vector<std::string>{"missing_field documents/A.yaml:1", "missing_field documents/A.yaml:1"}));
}

TEST(Lint, InvalidId) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", "id: cy-end\ntitle: A\nkind: form\nedition: '1'\n")),
            std::vector<std::string>{"invalid_id documents/A.yaml:1"});
}

TEST(Lint, DuplicateEdition) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid).Document("A2", kValid)),
            std::vector<std::string>{"duplicate_edition documents/A2.yaml:4"});  // the edition line
}

TEST(Lint, OverlappingEffectiveWindows) {
  CatalogBuilder b;
  b.Document("A1", "id: A\ntitle: A\nkind: form\nedition: '1'\napplies_to: {effective: {until: 2025-07-01}}\n");
  b.Document("A2", "id: A\ntitle: A\nkind: form\nedition: '2'\napplies_to: {effective: {from: 2025-06-01}}\n");
  EXPECT_EQ(Findings(b), std::vector<std::string>{"overlapping_editions documents/A2.yaml:5"});
}

TEST(Lint, AdjacentWindowsDoNotOverlap) {
  CatalogBuilder b;
  b.Document("A1", "id: A\ntitle: A\nkind: form\nedition: '1'\napplies_to: {effective: {until: 2025-07-01}}\n");
  b.Document("A2", "id: A\ntitle: A\nkind: form\nedition: '2'\napplies_to: {effective: {from: 2025-07-01}}\n");
  EXPECT_TRUE(Findings(b).empty());
}

TEST(Lint, UndeclaredCodesInAppliesTo) {
  CatalogBuilder b;
  b.Document("A", std::string(kValid) + "applies_to:\n  products: [boat]\n  jurisdictions: [ZZ]\n  agencies: [AG-9]\n  coverages: [quantum]\n");
  EXPECT_EQ(Findings(b), (std::vector<std::string>{"undeclared_code documents/A.yaml:6", "undeclared_code documents/A.yaml:7",
                                                   "undeclared_code documents/A.yaml:8", "undeclared_code documents/A.yaml:9"}));
}

TEST(Lint, CopyIsNotAllowedForNewBusiness) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", std::string(kValid) + "attach: {new: copy}\n")),
            std::vector<std::string>{"copy_on_new documents/A.yaml:5"});
}

TEST(Lint, InvalidAttachModeAndKind) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", "id: A\ntitle: A\nkind: rider\nedition: '1'\nattach: {renewal: maybe}\n")),
            (std::vector<std::string>{"invalid_value documents/A.yaml:3", "invalid_value documents/A.yaml:5"}));
}

TEST(Lint, InvalidJsonSchema) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", std::string(kValid) + "variables:\n  type: object\n  properties:\n    x: {type: integr}\n")),
            std::vector<std::string>{"invalid_schema documents/A.yaml:6"});
}

TEST(Lint, MissingTemplateFile) {
  CatalogBuilder b;
  b.File("documents/A.yaml", std::string(kValid) + "template: templates/nope.md\n");
  EXPECT_EQ(Findings(b), std::vector<std::string>{"missing_template documents/A.yaml:5"});
}

TEST(Lint, TemplatePathMayNotLeaveTheCatalog) {
  CatalogBuilder b;
  b.File("documents/A.yaml", std::string(kValid) + "template: ../../etc/passwd\n");
  EXPECT_EQ(Findings(b), std::vector<std::string>{"invalid_value documents/A.yaml:5"});
}

TEST(Lint, TemplateSyntaxErrorNamesTheLine) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "# A\n\n{{#quote.coverages}}\n- {{code}}\n")),
            std::vector<std::string>{"template_syntax templates/A.md:3"});
}

TEST(Lint, TemplateReferencesThatCanNeverBeSupplied) {
  const char* schema = "variables: {type: object, properties: {sublimit: {type: integer}}}\n";
  const char* body =
      "---\nfooter: \"{{doc.id}} {{page}} of {{pages}} {{doc.number}}\"\n---\n"
      "{{vars.sublimit}} {{vars.sublimt}}\n"   // line 4: vars.sublimt unknown
      "{{doc.title}} {{doc.author}}\n"         // line 5: doc.author unknown
      "{{insured.name}}\n"                      // line 6: not part of the context
      "{{#quote.coverages}}{{code}} {{#money}}{{limit}}{{/money}}{{/quote.coverages}}\n"
      "{{coverage.ransomware.limit}} {{coverage.boats.limit}}\n"  // line 8: undeclared coverage
      "{{quote.anything.at.all}} {{package.documents}} {{money}}\n";  // line 9: money used as a value
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", std::string(kValid) + schema, body)),
            (std::vector<std::string>{"unknown_reference templates/A.md:2", "unknown_reference templates/A.md:4",
                                      "unknown_reference templates/A.md:5", "unknown_reference templates/A.md:6",
                                      "unknown_reference templates/A.md:8", "unknown_reference templates/A.md:9"}));
}

TEST(Lint, PageNumbersOnlyInHeaderAndFooter) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "Page {{page}}\n")),
            std::vector<std::string>{"unknown_reference templates/A.md:1"});
}

TEST(Lint, FrontMatterIsChecked) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "---\npage: {size: tabloid}\nfonts: {}\n---\n# A\n")),
            (std::vector<std::string>{"invalid_value templates/A.md:2", "unknown_field templates/A.md:3"}));
}

TEST(Lint, TheLanguageIsALanguageTag) {
  for (const char* good : {"en", "en-US", "es-419", "zh-Hant-TW", "fil"}) {
    EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, std::string("---\nlang: ") + good + "\n---\n# A\n")),
              std::vector<std::string>{})
        << good;
  }
  for (const char* bad : {"english", "e", "en_US", "en-", "en--US", "en-toolongtag", "1a"}) {
    EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, std::string("---\nlang: ") + bad + "\n---\n# A\n")),
              std::vector<std::string>{"invalid_value templates/A.md:2"})
        << bad;
  }
}

TEST(Lint, ArchivingIsPdfA2bOrNone) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "---\npdf: {archive: none}\n---\n# A\n")), std::vector<std::string>{});
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "---\npdf: {archive: pdf-a-2b, tagged: true}\n---\n# A\n")),
            std::vector<std::string>{});
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "---\npdf: {tagged: yes please}\n---\n# A\n")),
            std::vector<std::string>{"invalid_value templates/A.md:2"});
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "---\npdf:\n  archive: pdf-a-1\n  encrypt: yes\n---\n# A\n")),
            (std::vector<std::string>{"invalid_value templates/A.md:3", "unknown_field templates/A.md:4"}));
}

TEST(Lint, PartialsAreRefused) {
  EXPECT_EQ(Findings(CatalogBuilder().Document("A", kValid, "# A\n{{> other}}\n")),
            std::vector<std::string>{"template_syntax templates/A.md:2"});
}

TEST(Lint, CatalogYamlChecks) {
  CatalogBuilder b;
  b.File("catalog.yaml", "name: X\nproducts: []\njurisdictions: [CA, CA]\ncoverages: [{code: a, lable: A}]\n");
  b.Document("A", kValid);
  EXPECT_EQ(Findings(b), (std::vector<std::string>{"invalid_value catalog.yaml:2", "duplicate_code catalog.yaml:3",
                                                   "unknown_field catalog.yaml:4"}));
}

TEST(Lint, MissingCatalogYaml) {
  CatalogFiles files;
  files["documents/A.yaml"] = std::string(kValid) + "template: templates/A.md\n";
  files["templates/A.md"] = "# A\n";
  CatalogLoad load = LoadCatalog(files);
  ASSERT_FALSE(load.diagnostics.empty());
  EXPECT_EQ(load.diagnostics[0].code, "missing_file");
}

TEST(Lint, WarningsDoNotMakeTheCatalogUnusable) {
  CatalogLoad load = CatalogBuilder().Document("A", kValid).File("templates/unused.md", "# U\n").Load();
  ASSERT_EQ(load.diagnostics.size(), 1u);
  EXPECT_EQ(load.diagnostics[0].severity, Severity::kWarning);
  EXPECT_TRUE(load.catalog);
}

TEST(Lint, BillionLaughsIsBounded) {
  std::string yaml = std::string(kValid) + "variables:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    yaml += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) yaml += std::string(j ? ", " : "") + "*a" + std::to_string(i - 1);
    yaml += "]\n";
  }
  CatalogLoad load = CatalogBuilder().Document("A", yaml).Load();
  EXPECT_FALSE(load.catalog);
}

}  // namespace
}  // namespace docgen
