// Rendering (SPEC §4), checked on the PDFs themselves: text extracted in
// reading order with poppler, page counts, bookmarks, determinism.
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <gtest/gtest.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>
#include <poppler/cpp/poppler-toc.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "render/evaluate.h"
#include "render/markdown.h"
#include "render/pdf_assembler.h"
#include "render/typeset.h"
#include "support/catalog_builder.h"
#include "support/files.h"
#include "support/pdf_objects.h"
#include "util/text.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;
using testing::CatalogBuilder;

const fs::path kExamples = fs::path(DOCGEN_SOURCE_DIR) / "examples";

using testing::ReadFile;

struct Pdf {
  std::unique_ptr<poppler::document> document;
  explicit Pdf(const std::string& bytes)
      : document(poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size()))) {}
  int Pages() const { return document ? document->pages() : 0; }
  std::string PageText(int index) const {
    std::unique_ptr<poppler::page> page(document->create_page(index));
    auto bytes = page->text().to_utf8();
    return std::string(bytes.begin(), bytes.end());
  }
  std::string Text() const {
    std::string all;
    for (int i = 0; i < Pages(); ++i) all += PageText(i) + "\f";
    return all;
  }
  // The box (points) of the first word on page `index` that is `word`; empty if there is none.
  poppler::rectf BoxOf(int index, const std::string& word) const {
    std::unique_ptr<poppler::page> page(document->create_page(index));
    for (const poppler::text_box& box : page->text_list()) {
      auto bytes = box.text().to_utf8();
      if (std::string(bytes.begin(), bytes.end()) == word) return box.bbox();
    }
    return {};
  }
  // The left edge (points) of the first word on page `index` that is `word`, or -1.
  double LeftOf(int index, const std::string& word) const {
    const poppler::rectf box = BoxOf(index, word);
    return box.is_empty() ? -1 : box.x();
  }
  std::vector<std::string> Bookmarks() const {
    std::vector<std::string> out;
    std::unique_ptr<poppler::toc> toc(document->create_toc());
    if (!toc) return out;
    for (poppler::toc_item* item : toc->root()->children()) {
      auto bytes = item->title().to_utf8();
      out.emplace_back(bytes.begin(), bytes.end());
    }
    return out;
  }
};

// Collapses whitespace so that text extracted across lines compares simply.
std::string Squash(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

RenderResult RenderQuote(Renderer& renderer, const Catalog& catalog, const nlohmann::json& quote) {
  Package package = Resolve(catalog, quote);
  EXPECT_TRUE(package.valid) << PackageToJson(package)["errors"].dump();
  return renderer.Render(catalog, package, quote);
}

class Examples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { catalog_ = LoadCatalogDirectory(kExamples / "acme-cyber").catalog; }
  static std::shared_ptr<const Catalog> catalog_;
  Renderer renderer_;
};
std::shared_ptr<const Catalog> Examples::catalog_;

TEST_F(Examples, EveryValidQuoteRendersOneBookmarkedPdfPerDocument) {
  ASSERT_TRUE(catalog_);
  int rendered = 0;
  for (const auto& entry : fs::directory_iterator(kExamples / "quotes")) {
    const nlohmann::json quote = nlohmann::json::parse(ReadFile(entry.path()));
    Package package = Resolve(*catalog_, quote);
    if (!package.valid) continue;
    RenderResult result = renderer_.Render(*catalog_, package, quote);
    ASSERT_TRUE(result.output) << entry.path() << ": " << FormatDiagnostic(result.errors.at(0));
    ++rendered;
    Pdf whole(result.output->package_pdf);
    ASSERT_TRUE(whole.document) << entry.path();
    EXPECT_EQ(whole.Pages(), result.output->pages);
    ASSERT_EQ(result.output->documents.size(), package.documents.size());
    std::vector<std::string> expected_bookmarks;
    int pages = 0;
    for (size_t i = 0; i < package.documents.size(); ++i) {
      const auto& doc = package.documents[i];
      expected_bookmarks.push_back(doc.id + " \u2014 " + doc.title);
      Pdf single(result.output->documents[i].pdf);
      EXPECT_EQ(single.Pages(), result.output->documents[i].pages);
      auto title = single.document->info_key("Title").to_utf8();
      EXPECT_EQ(std::string(title.begin(), title.end()), doc.title) << doc.id;
      auto subject = single.document->info_key("Subject").to_utf8();
      EXPECT_EQ(std::string(subject.begin(), subject.end()), package.quote_id);
      pages += single.Pages();
      char prefix[32];
      std::snprintf(prefix, sizeof prefix, "%02zu-", i + 1);
      EXPECT_EQ(result.output->documents[i].file_name, prefix + doc.id + ".pdf");
    }
    EXPECT_EQ(pages, whole.Pages());
    EXPECT_EQ(whole.Bookmarks(), expected_bookmarks);
    EXPECT_NE(Squash(whole.Text()).find(quote["insured"]["name"].get<std::string>()), std::string::npos);
  }
  EXPECT_EQ(rendered, 7);
}

TEST_F(Examples, DeclarationsShowFormattedValuesAndPageNumbersPerDocument) {
  const nlohmann::json quote = nlohmann::json::parse(ReadFile(kExamples / "quotes" / "new-ca-basic.json"));
  RenderResult result = RenderQuote(renderer_, *catalog_, quote);
  ASSERT_TRUE(result.output);
  const std::string text = Squash(Pdf(result.output->documents[0].pdf).Text());
  EXPECT_NE(text.find("Policy Period March 1, 2025, 12:01 a.m."), std::string::npos) << text;
  EXPECT_NE(text.find("ransomware $1,000,000 $25,000 $1,840"), std::string::npos) << text;
  EXPECT_NE(text.find("CY-DEC (2025-01) \u2014 Page 1 of 1"), std::string::npos) << text;
  // In the package, the second document's numbering starts again at 1.
  Pdf whole(result.output->package_pdf);
  EXPECT_NE(Squash(whole.PageText(1)).find("Page 1 of"), std::string::npos);
}

TEST_F(Examples, AnEditionOnItsOwnIsAOneDocumentPackageWithoutThePackagePdf) {
  const nlohmann::json quote = nlohmann::json::parse(ReadFile(kExamples / "quotes" / "new-ca-basic.json"));
  Package one = Resolve(*catalog_, quote);
  ASSERT_TRUE(one.valid && !one.documents.empty());
  PackageDocument doc = one.documents.back();
  doc.source = DocumentSource::kAdded;  // as a preview adds it
  one.documents = {doc};
  const RenderResult packaged = renderer_.Render(*catalog_, one, quote);
  const RenderResult alone = renderer_.RenderEdition(*catalog_, *doc.edition_ref, doc.variables, quote);
  ASSERT_TRUE(packaged.output && alone.output);
  ASSERT_EQ(alone.output->documents.size(), 1u);
  EXPECT_TRUE(alone.output->documents[0].pdf == packaged.output->documents[0].pdf);  // the same document, byte for byte
  EXPECT_EQ(alone.output->pages, packaged.output->pages);
  EXPECT_FALSE(packaged.output->package_pdf.empty());
  EXPECT_TRUE(alone.output->package_pdf.empty());  // nobody reads a preview's package: none is merged
}

TEST_F(Examples, OutputIsByteForByteDeterministic) {
  const nlohmann::json quote = nlohmann::json::parse(ReadFile(kExamples / "quotes" / "renewal-copy.json"));
  RenderResult first = RenderQuote(renderer_, *catalog_, quote);
  Renderer fresh;
  RenderResult second = RenderQuote(fresh, *catalog_, quote);
  ASSERT_TRUE(first.output && second.output);
  EXPECT_EQ(first.output->package_pdf, second.output->package_pdf);
  for (size_t i = 0; i < first.output->documents.size(); ++i) {
    EXPECT_EQ(first.output->documents[i].pdf, second.output->documents[i].pdf);
  }
}

const char* kDoc = "id: T\ntitle: Test Document\nkind: form\nedition: '1'\nattach: {new: yes}\n";

nlohmann::json TestQuote() {
  nlohmann::json quote = testing::Quote();
  quote["insured"] = {{"name", "A*B | C & Co <x> #1 _y_"}};
  return quote;
}

RenderResult RenderTemplate(const std::string& body, const std::string& yaml = kDoc) {
  CatalogLoad load = CatalogBuilder().Document("T", yaml, body).Load();
  EXPECT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
  if (!load.catalog) return {};
  Renderer renderer;
  return RenderQuote(renderer, *load.catalog, TestQuote());
}

TEST(Render, AQuoteHandedOverIsThereUntilTheLastPageOfTheLastDocumentIsDrawn) {
  // The last document is long and its footer counts its pages, so its
  // footers are drawn after its body (pages are held back 16 at most),
  // reading the quote then: it must not be let go before.
  const std::string last =
      "---\nfooter: \"{{quote.insured.name}} page {{page}} of {{pages}}\"\n---\n# Long\n\n"
      "{{#quote.rows}}\nRow {{n}} of the schedule.\n\n{{/quote.rows}}\n";
  CatalogLoad load =
      CatalogBuilder()
          .Document("A", "id: A\ntitle: First\nkind: form\nedition: '1'\norder: 1\nattach: {new: yes}\n")
          .Document("B", "id: B\ntitle: Last\nkind: form\nedition: '1'\norder: 2\nattach: {new: yes}\n", last)
          .Load();
  ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
  nlohmann::json quote = testing::Quote();
  quote["insured"] = {{"name", "Acme Holdings"}};
  for (int n = 1; n <= 1500; ++n) quote["rows"].push_back({{"n", n}});
  const Package package = Resolve(*load.catalog, quote);
  ASSERT_TRUE(package.valid);
  ASSERT_EQ(package.documents.size(), 2u);
  Renderer renderer;
  const RenderResult borrowed = renderer.Render(*load.catalog, package, quote);
  nlohmann::json handed = quote;
  const RenderResult owned = renderer.Render(*load.catalog, package, std::move(handed));
  ASSERT_TRUE(borrowed.output && owned.output);
  EXPECT_TRUE(handed.is_null());  // NOLINT(bugprone-use-after-move): let go, as promised
  const RenderedDocument& long_one = owned.output->documents.back();
  ASSERT_GT(long_one.pages, 16);
  const std::string pages = std::to_string(long_one.pages);
  EXPECT_NE(Squash(Pdf(long_one.pdf).PageText(long_one.pages - 1)).find("Acme Holdings page " + pages + " of " + pages),
            std::string::npos);
  EXPECT_TRUE(owned.output->package_pdf == borrowed.output->package_pdf);  // byte for byte (not printed: PDFs)
  ASSERT_EQ(owned.output->documents.size(), borrowed.output->documents.size());
  for (size_t i = 0; i < owned.output->documents.size(); ++i) {
    EXPECT_TRUE(owned.output->documents[i].pdf == borrowed.output->documents[i].pdf) << "document " << i;
  }
}

TEST(Render, DataIsEscapedForMarkdownInParagraphsAndTableCells) {
  RenderResult result = RenderTemplate("# T\n\nInsured: {{quote.insured.name}}.\n\n| Name | X |\n|---|---|\n| {{quote.insured.name}} | 1 |\n");
  ASSERT_TRUE(result.output);
  const std::string text = Squash(Pdf(result.output->package_pdf).Text());
  EXPECT_NE(text.find("Insured: A*B | C & Co <x> #1 _y_."), std::string::npos) << text;
  EXPECT_NE(text.find("A*B | C & Co <x> #1 _y_ 1"), std::string::npos) << text;
}

TEST(Render, MissingValueNamesTemplateLineAndName) {
  RenderResult result = RenderTemplate("# T\n\nLine three {{quote.broker.name}}\n");
  EXPECT_FALSE(result.output);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, "missing_value");
  EXPECT_EQ(result.errors[0].file, "templates/T.md");
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_NE(result.errors[0].message.find("quote.broker.name"), std::string::npos);
}

TEST(Render, AllErrorsOfAPackageAreCollected) {
  RenderResult result = RenderTemplate("{{quote.a}}\n{{quote.b}}\n{{#money}}{{quote.insured.name}}{{/money}}\n");
  ASSERT_EQ(result.errors.size(), 3u);
  EXPECT_EQ(result.errors[2].code, "template_error");
}

TEST(Render, SectionOnAMissingValueIsFalse) {
  RenderResult result = RenderTemplate("{{#quote.nope}}hidden{{/quote.nope}}{{^quote.nope}}shown{{/quote.nope}}\n");
  ASSERT_TRUE(result.output);
  EXPECT_EQ(Squash(Pdf(result.output->package_pdf).Text()), "shown ");
}

TEST(Render, AFontThatIsNotInstalledIsAnError) {
  RenderResult result = RenderTemplate("---\nfont: {family: No Such Font Family}\n---\n# T\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, "missing_font");
}

TEST(Render, LongTablesRepeatTheirHeaderOnEveryPage) {
  std::string body = "# Schedule\n\n| Location | Limit |\n|---|--:|\n";
  for (int i = 0; i < 300; ++i) body += "| Location " + std::to_string(i) + " | " + std::to_string(i * 1000) + " |\n";
  RenderResult result = RenderTemplate(body);
  ASSERT_TRUE(result.output);
  Pdf pdf(result.output->package_pdf);
  ASSERT_GE(pdf.Pages(), 3);
  for (int p = 0; p < pdf.Pages(); ++p) {
    EXPECT_NE(Squash(pdf.PageText(p)).find("Location Limit"), std::string::npos) << "page " << p + 1;
  }
  EXPECT_NE(Squash(pdf.Text()).find("Location 299 299000"), std::string::npos);
}

// A table's first 1,000 rows are measured and held until its column widths
// are found; a later row is sized without being held (plain ASCII by its
// characters' widths, anything else by a layout let go at once) and laid out
// with the next thousand rows. A wide cell there still widens its column,
// and is drawn on one line.
TEST(Render, AWideCellPastATablesFirstThousandRowsStillWidensItsColumn) {
  const std::string ascii = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo";
  const std::string accented = "Z\u00fcrich Gen\u00e8ve Besan\u00e7on Malm\u00f6 Krak\u00f3w G\u00f6teborg \u00c5rhus";
  struct Drawn {
    double note_left = -1;  // the "Note" header's left edge
    bool one_line = false;  // the wide cell's first and last words on one baseline
  };
  auto render = [](const std::string& wide, int wide_row) {
    std::string body = "| Name | Note |\n|---|---|\n";
    for (int i = 0; i < 1005; ++i)
      body += "| n" + std::to_string(i) + " | " + (i == wide_row ? wide : "short") + " |\n";
    RenderResult result = RenderTemplate(body);
    Drawn drawn;
    if (!result.output) return drawn;
    Pdf pdf(result.output->package_pdf);
    drawn.note_left = pdf.LeftOf(0, "Note");
    const std::string first = wide.substr(0, wide.find(' ')), last = wide.substr(wide.rfind(' ') + 1);
    for (int p = 0; p < pdf.Pages(); ++p) {
      const poppler::rectf a = pdf.BoxOf(p, first), b = pdf.BoxOf(p, last);
      if (!a.is_empty()) drawn.one_line = !b.is_empty() && std::abs(a.y() - b.y()) < 0.5;
    }
    return drawn;
  };
  const double narrow = render("", -1).note_left;
  ASSERT_GT(narrow, 0);
  for (const std::string& wide : {ascii, accented}) {
    const Drawn early = render(wide, 10), late = render(wide, 1002);
    EXPECT_LT(early.note_left, narrow - 100) << wide;  // the wide cell takes room from the Name column
    EXPECT_NEAR(late.note_left, early.note_left, 3) << wide;
    EXPECT_TRUE(early.one_line) << wide;
    EXPECT_TRUE(late.one_line) << wide;
  }
}

TEST(Render, TableCellsAlignAsTheirColumnSaysAndRightToLeftTextFromTheRight) {
  // Columns are stretched to the text width, so every cell has room to move in.
  RenderResult result = RenderTemplate("| Name | Amount |\n|---|--:|\n| Alpha | 12 |\n| \u05e9\u05dc\u05d5\u05dd | 3 |\n");
  ASSERT_TRUE(result.output);
  Pdf pdf(result.output->package_pdf);
  const double name = pdf.LeftOf(0, "Name"), alpha = pdf.LeftOf(0, "Alpha"), amount = pdf.LeftOf(0, "Amount");
  // poppler gives the Hebrew word letter by letter; its final mem is the leftmost.
  const double hebrew = pdf.LeftOf(0, "\u05dd"), twelve = pdf.LeftOf(0, "12"), three = pdf.LeftOf(0, "3");
  ASSERT_GT(name, 0);
  EXPECT_NEAR(alpha, name, 0.5);                 // left-aligned column: at the cell's left
  EXPECT_GT(hebrew, name + 100);                 // right-to-left text in it: at the cell's right, as Pango puts it
  EXPECT_GT(twelve, amount);                     // right-aligned column: flush right
  EXPECT_NEAR(three - twelve, 5.0, 1.0);         // "3" and "12" end at the same edge: one digit (half an em) apart
}

TEST(Render, ATablesRulesAreDrawnOncePerLineNotOncePerRow) {
  // A header and 10 rows of 3 columns: 12 rules across, and 4 down the whole table.
  std::string body = "| A | B | C |\n|---|---|---|\n";
  for (int i = 0; i < 10; ++i) body += "| a" + std::to_string(i) + " | b | c |\n";
  RenderResult result = RenderTemplate(body);
  ASSERT_TRUE(result.output);
  const std::vector<testing::PageDrawing> pages = testing::PageDrawings(result.output->documents[0].pdf);
  ASSERT_EQ(pages.size(), 1u);
  std::istringstream contents(pages[0].contents);
  int moves = 0, lines = 0;
  for (std::string token; contents >> token;) {
    moves += token == "m";
    lines += token == "l";
  }
  EXPECT_EQ(moves, 12 + 4);
  EXPECT_EQ(lines, 12 + 4);
}

TEST(Render, ARowTallerThanAPageIsSplitBetweenItsLinesUnderTheRepeatedHeader) {
  for (int clauses_count : {200, 900}) {  // two pages, and five
    SCOPED_TRACE(std::to_string(clauses_count) + " clauses");
    std::string clauses;
    for (int i = 1; i <= clauses_count; ++i) clauses += "(" + std::to_string(i) + ") This policy does not cover losses of kind " + std::to_string(i) + ". ";
    RenderResult result = RenderTemplate("# Exclusions\n\n| Section | Exclusion |\n|---|---|\n| A | Nuclear hazard |\n| B | " + clauses +
                                         " |\n| C | Intentional acts |\n");
    ASSERT_TRUE(result.output);
    Pdf pdf(result.output->package_pdf);
    ASSERT_GE(pdf.Pages(), clauses_count / 200 + 1);
    // Row B starts on the first page, after row A, and goes on under the header.
    EXPECT_NE(Squash(pdf.PageText(0)).find("A Nuclear hazard B (1) This policy"), std::string::npos) << pdf.PageText(0);
    for (int p = 0; p < pdf.Pages(); ++p) {
      EXPECT_NE(Squash(pdf.PageText(p)).find("Section Exclusion"), std::string::npos) << "page " << p + 1;
    }
    // Every line of the cell is shown once, in order, and row C follows it.
    const std::string text = Squash(pdf.Text());
    size_t at = 0;
    for (int i = 1; i <= clauses_count; ++i) {
      const std::string clause = "(" + std::to_string(i) + ")";  // a page break may follow it
      const size_t found = text.find(clause, at);
      ASSERT_NE(found, std::string::npos) << clause << " missing or out of order";
      EXPECT_EQ(text.find(clause, found + 1), std::string::npos) << clause << " shown twice";
      at = found;
    }
    EXPECT_NE(text.find("C Intentional acts", at), std::string::npos);
  }
}

TEST(Render, AHeaderRowIsNeverLeftAloneAboveARowTallerThanAPage) {
  std::string clauses;
  for (int i = 1; i <= 600; ++i) clauses += "(" + std::to_string(i) + ") Not covered. ";
  for (int filler = 33; filler <= 40; ++filler) {  // the table starts ever lower on the first page
    std::string body;
    for (int i = 0; i < filler; ++i) body += "Line " + std::to_string(i) + ".\n\n";
    RenderResult result = RenderTemplate(body + "| Section | Exclusion |\n|---|---|\n| B | " + clauses + " |\n");
    ASSERT_TRUE(result.output);
    Pdf pdf(result.output->package_pdf);
    for (int p = 0; p < pdf.Pages(); ++p) {
      const std::string text = Squash(pdf.PageText(p));
      if (text.find("Section Exclusion") == std::string::npos) continue;
      EXPECT_NE(text.find("(1) Not covered."), std::string::npos) << filler << " lines before: the header row is alone on page " << p + 1;
      break;
    }
  }
}

TEST(Render, ARowTallerThanAPageInAListItemKeepsItsMarkerAndStructure) {
  std::string clauses;
  for (int i = 1; i <= 600; ++i) clauses += "(" + std::to_string(i) + ") Not covered. ";
  RenderResult result = RenderTemplate("1. | Section | Exclusion |\n   |---|---|\n   | B | " + clauses + " |\n2. After the table.\n");
  ASSERT_TRUE(result.output) << (result.errors.empty() ? "" : FormatDiagnostic(result.errors[0]));
  Pdf pdf(result.output->package_pdf);
  ASSERT_GE(pdf.Pages(), 2);
  EXPECT_EQ(Squash(pdf.PageText(0)).rfind("1. Section Exclusion B (1) Not covered.", 0), 0u) << pdf.PageText(0);
  EXPECT_NE(Squash(pdf.Text()).find("(600) Not covered."), std::string::npos);
  EXPECT_NE(Squash(pdf.Text()).find("2. After the table."), std::string::npos);
}

TEST(Typesetting, TextIsSetInItsDocumentsLanguageAndLayoutsAreNotSharedAcrossLanguages) {
  Typesetter typesetter;
  Block paragraph;
  paragraph.markup = "The same words";
  // The language of the Pango context of each text layout on the pages.
  const auto languages_of = [&](const std::string& lang, std::vector<std::shared_ptr<PangoLayout>>& layouts) {
    PageStyle style;
    style.lang = lang;
    std::set<std::string> languages;
    typesetter.Layout(
        {paragraph}, style, [](const std::string&) { return nullptr; },
        [&](const Page& page, bool, int) {
          for (const Placement& placed : page.items) {
            for (const DrawOp& op : placed.fragment->ops) {
              if (!op.layout) continue;
              layouts.push_back(op.layout);
              languages.insert(
                  pango_language_to_string(pango_context_get_language(pango_layout_get_context(op.layout.get()))));
            }
          }
          return true;
        });
    return languages;
  };
  std::vector<std::shared_ptr<PangoLayout>> french, english;
  EXPECT_EQ(languages_of("fr-CA", french), std::set<std::string>{"fr-ca"});  // Pango writes tags in lower case
  EXPECT_EQ(languages_of("en", english), std::set<std::string>{"en"});
  ASSERT_FALSE(french.empty());
  ASSERT_FALSE(english.empty());
  EXPECT_NE(french.front(), english.front());  // the same text, cached apart
}

TEST(Render, DocumentsSayTheirLanguageAndShowTheirTitleInTheTitleBar) {
  CatalogLoad load = CatalogBuilder()
                         .File("catalog.yaml", testing::BaseCatalogYaml() + "defaults: {lang: fr-CA}\n")
                         .Document("A", "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\n", "# In the catalog's language\n")
                         .Document("B", "id: B\ntitle: B\nkind: form\nedition: '1'\nattach: {new: yes}\n", "---\nlang: es-MX\n---\n# En español\n")
                         .Load();
  ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, TestQuote());
  ASSERT_TRUE(result.output);
  ASSERT_EQ(result.output->documents.size(), 2u);
  // /Lang and /ViewerPreferences, as screen readers and viewers read them.
  const testing::PdfCatalog first = testing::ReadPdfCatalog(result.output->documents[0].pdf);
  EXPECT_EQ(first.lang, "fr-CA");
  EXPECT_TRUE(first.shows_title);
  EXPECT_EQ(testing::ReadPdfCatalog(result.output->documents[1].pdf).lang, "es-MX");
  const testing::PdfCatalog package = testing::ReadPdfCatalog(result.output->package_pdf);
  EXPECT_EQ(package.lang, "fr-CA");
  EXPECT_TRUE(package.shows_title);
  EXPECT_EQ(testing::ReadPdfCatalog(RenderTemplate("# Nothing said\n").output->package_pdf).lang, "en");  // the default
}

TEST(Render, DocumentsAreTaggedForScreenReaders) {
  const std::string logo = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><rect width='40' height='20'/></svg>";
  CatalogLoad load = CatalogBuilder()
                         .File("assets/logo.svg", logo)
                         .Document("T", kDoc,
                                   "---\npdf: {tagged: true}\n---\n![Acme logo](assets/logo.svg)\n\n# Title\n\nText.\n\n## Items\n\n1. One\n2. Two\n\n"
                                   "> Quoted.\n\n| Name | Limit |\n|---|--:|\n| Cyber | $1 |\n")
                         .Load();
  ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, TestQuote());
  ASSERT_TRUE(result.output);
  // Each line of a paragraph or heading is a Span in it.
  const std::string document =
      "Document\n  Figure: Acme logo\n  H1\n    Span\n  P\n    Span\n  H2\n    Span\n  L\n    LI\n      Lbl\n      LBody\n        P\n"
      "          Span\n    LI\n      Lbl\n      LBody\n        P\n          Span\n  BlockQuote\n    P\n      Span\n  Table\n    TR\n"
      "      TH [Column]\n      TH [Column]\n    TR\n      TD\n      TD\n";
  EXPECT_EQ(testing::StructureOutline(result.output->documents[0].pdf), document);
  // In the package, each document is a Part of one Document.
  std::string part = document;
  part.replace(0, std::string("Document").size(), "Part");
  std::string indented;
  for (size_t start = 0; start < part.size();) {
    const size_t end = part.find('\n', start) + 1;
    indented += "  " + part.substr(start, end - start);
    start = end;
  }
  EXPECT_EQ(testing::StructureOutline(result.output->package_pdf), "Document\n" + indented);
}

// A document of a few pages is drawn with its headers and footers; a long
// one is drawn as it is laid out, and its headers and footers (which count
// its pages) are laid over its pages afterwards. Both read the same.
TEST(Render, PageHeadersFootersAndRepeatedTableHeadersAreArtifacts) {
  for (const int locations : {120, 700}) {
    std::string body =
        "---\npdf: {tagged: true}\nheader: \"Policy {{quote.quote_id}}\"\nfooter: \"Page {{page}} of "
        "{{pages}}\"\n---\n| Location | Limit |\n|---|--:|\n";
    for (int i = 0; i < locations; ++i)
      body += "| Location " + std::to_string(i) + " | " + std::to_string(i * 1000) + " |\n";
    body += "\n> - A quoted list after the table.\n";
    RenderResult result = RenderTemplate(body);
    ASSERT_TRUE(result.output);
    const Pdf text(result.output->documents[0].pdf);
    const int page_count = text.Pages();
    EXPECT_GT(page_count, locations > 120 ? 16 : 1) << locations;
    for (int p = 0; p < page_count; ++p) {
      const std::string page_text = text.PageText(p);
      EXPECT_NE(page_text.find("Policy Q-1"), std::string::npos) << "page " << p + 1 << ": " << page_text;
      EXPECT_NE(page_text.find("Page " + std::to_string(p + 1) + " of " + std::to_string(page_count)),
                std::string::npos)
          << "page " << p + 1;
    }
    EXPECT_NE(text.PageText(page_count - 1).find("Location " + std::to_string(locations - 1)), std::string::npos);
    EXPECT_NE(text.PageText(page_count - 1).find("A quoted list after the table."), std::string::npos);
    for (const std::string* pdf_bytes : {&result.output->documents[0].pdf, &result.output->package_pdf}) {
      const std::vector<testing::PageDrawing> pages = testing::PageDrawings(*pdf_bytes);
      ASSERT_EQ(pages.size(), static_cast<size_t>(page_count));
      for (size_t p = 0; p < pages.size(); ++p) {
        // What the page draws: its content, then its forms' (a long document's header and footer are one),
        // drawn with the page or (a long document) laid over it afterwards.
        const std::vector<std::string>& forms = pages[p].forms;
        EXPECT_EQ(std::count(forms.begin(), forms.end(), "/DocgenFurniture"), page_count > 16 ? 1 : 0)
            << "page " << p + 1;
        const std::string& contents = pages[p].contents;
        size_t artifacts = 0;
        for (size_t at = contents.find("/Artifact << /Type /Pagination >> BDC"); at != std::string::npos;
             at = contents.find("/Artifact << /Type /Pagination >> BDC", at + 1)) {
          ++artifacts;
        }
        EXPECT_EQ(contents.find("/Private"), std::string::npos) << "page " << p + 1;
        // The header and footer, and after a break the header row; the table's
        // fill and grid are artifacts too.
        EXPECT_GE(artifacts, p == 0 ? 2u : 3u) << "page " << p + 1;
      }
    }
    // The table's header row is in the tree once; no element stands for an artifact.
    const std::string tree = testing::StructureOutline(result.output->documents[0].pdf);
    EXPECT_EQ(tree.find("Private"), std::string::npos) << tree;
    size_t header_cells = 0, rows = 0;
    for (size_t at = tree.find("      TH [Column]\n"); at != std::string::npos;
         at = tree.find("      TH [Column]\n", at + 1)) {
      ++header_cells;
    }
    for (size_t at = tree.find("    TR\n"); at != std::string::npos; at = tree.find("    TR\n", at + 1)) ++rows;
    EXPECT_EQ(header_cells, 2u);
    EXPECT_EQ(rows, static_cast<size_t>(locations) + 1);
    EXPECT_NE(tree.find("  BlockQuote\n    L\n      LI\n        Lbl\n        LBody\n"), std::string::npos)
        << tree.substr(tree.size() - 300);
  }
}

// Headers and footers that do not count pages are drawn with each page,
// however long the document: only {{pages}} waits for the end.
TEST(Render, HeadersAndFootersThatDoNotCountPagesAreDrawnWithTheirPages) {
  std::string body =
      "---\npdf: {tagged: true}\nheader: \"Policy {{quote.quote_id}}\"\nfooter: \"Page {{page}}\"\n---\n"
      "| Location | Limit |\n|---|--:|\n";
  for (int i = 0; i < 700; ++i) body += "| Location " + std::to_string(i) + " | " + std::to_string(i * 1000) + " |\n";
  RenderResult result = RenderTemplate(body);
  ASSERT_TRUE(result.output);
  const Pdf text(result.output->documents[0].pdf);
  ASSERT_GT(text.Pages(), 16);  // past the pages a document is held for
  for (int p = 0; p < text.Pages(); ++p) {
    const std::string page_text = text.PageText(p);
    EXPECT_NE(page_text.find("Policy Q-1"), std::string::npos) << "page " << p + 1;
    EXPECT_NE(page_text.find("Page " + std::to_string(p + 1)), std::string::npos) << "page " << p + 1;
  }
  // Drawn on the page itself, as artifacts: no form, and nothing of them in the structure tree.
  const std::vector<testing::PageDrawing> pages = testing::PageDrawings(result.output->documents[0].pdf);
  for (size_t p = 0; p < pages.size(); ++p) {
    EXPECT_TRUE(pages[p].forms.empty()) << "page " << p + 1 << " draws a form: " << pages[p].forms[0];
    EXPECT_NE(pages[p].contents.find("/Artifact << /Type /Pagination >> BDC"), std::string::npos) << "page " << p + 1;
    EXPECT_EQ(pages[p].contents.find("/Private"), std::string::npos) << "page " << p + 1;
  }
  const std::string tree = testing::StructureOutline(result.output->documents[0].pdf);
  EXPECT_EQ(tree.find("Private"), std::string::npos) << tree.substr(0, 300);
  EXPECT_NE(tree.find("Table"), std::string::npos) << tree.substr(0, 300);
}

TEST(Render, ArtifactsAreMarkedInPageContentOutsideStringsAndComments) {
  EXPECT_EQ(MarkArtifactsInContent("q /Private << /MCID 3 >> BDC BT <0012> Tj ET EMC Q"),
            "q /Artifact << /Type /Pagination >> BDC BT <0012> Tj ET EMC Q");
  EXPECT_EQ(MarkArtifactsInContent("/Private<</MCID 0>>BDC EMC /P <</MCID 1>> BDC EMC"),
            "/Artifact<< /Type /Pagination >>BDC EMC /P <</MCID 1>> BDC EMC");
  // Text that says /Private, a longer name, a comment: left as they are.
  const std::string untouched =
      "/Span << /ActualText (a \\) /Private << /MCID 9 >> \\( (nested /Private)) >> BDC EMC /PrivateX << /MCID 2 >> BDC EMC\n"
      "% /Private << /MCID 4 >> BDC\n<2F50726976617465> Tj";
  EXPECT_EQ(MarkArtifactsInContent(untouched), untouched);
  EXPECT_EQ(MarkArtifactsInContent(""), "");
  // An inline image's bytes can hold anything: such a page is left to qpdf's tokenizer.
  EXPECT_EQ(MarkArtifactsInContent("/Private << /MCID 0 >> BDC BI /W 1 /H 1 /CS /G /BPC 8 ID \x01 EI EMC"), std::nullopt);
}

TEST(Render, TaggingIsAskedFor) {
  RenderResult plain = RenderTemplate("# Title\n\nText.\n");
  ASSERT_TRUE(plain.output);
  const testing::PdfCatalog catalog = testing::ReadPdfCatalog(plain.output->package_pdf);
  EXPECT_FALSE(catalog.tagged);  // untagged by default: tagging costs render time
  EXPECT_FALSE(catalog.marked);
}

// PDF/A-2b is the default (tests/golden_test.cc checks it on every golden PDF).
TEST(Render, ArchivingCanBeTurnedOffAndNeedsItsColourProfile) {
  auto archival = [](const std::string& pdf_bytes) { return testing::ReadPdfCatalog(pdf_bytes).archival; };
  RenderResult archived = RenderTemplate("# T\n");
  ASSERT_TRUE(archived.output);
  EXPECT_TRUE(archival(archived.output->package_pdf));
  EXPECT_TRUE(archival(archived.output->documents[0].pdf));
  RenderResult plain = RenderTemplate("---\npdf: {archive: none}\n---\n# T\n");
  ASSERT_TRUE(plain.output);
  EXPECT_FALSE(archival(plain.output->documents[0].pdf));
  EXPECT_TRUE(archival(plain.output->package_pdf));  // the package follows the catalog's defaults

  CatalogLoad load = CatalogBuilder().Document("T", kDoc, "# T\n").Load();
  ASSERT_TRUE(load.catalog);
  RenderOptions options;
  options.srgb_profile = "/nonexistent/sRGB.icc";
  Renderer renderer(options);
  RenderResult missing = RenderQuote(renderer, *load.catalog, TestQuote());
  EXPECT_FALSE(missing.output);
  ASSERT_EQ(missing.errors.size(), 1u);  // said once, not per document
  EXPECT_EQ(missing.errors[0].code, "pdf_error");
  EXPECT_NE(missing.errors[0].message.find("/nonexistent/sRGB.icc"), std::string::npos) << missing.errors[0].message;
  EXPECT_NE(missing.errors[0].message.find("icc-profiles-free"), std::string::npos);
}

TEST(Render, ThePackageIsAPdfOfItsOwnNotItsFirstDocumentRetitled) {
  // The package is made in its first document's object model: nothing of
  // that document as a whole may stay (identity, title, archival claim, tags).
  CatalogLoad load =
      CatalogBuilder()
          .File("catalog.yaml", testing::BaseCatalogYaml() + "defaults:\n  pdf: {archive: none}\n")
          .Document("T", kDoc, "---\npdf: {archive: pdf-a-2b, tagged: true}\n---\n# Archived and tagged\n")
          .Load();
  ASSERT_TRUE(load.catalog) << (load.diagnostics.empty() ? "" : FormatDiagnostic(load.diagnostics[0]));
  Renderer renderer;
  const RenderResult result = RenderQuote(renderer, *load.catalog, TestQuote());
  ASSERT_TRUE(result.output);
  const testing::PdfCatalog document = testing::ReadPdfCatalog(result.output->documents[0].pdf);
  const testing::PdfCatalog package = testing::ReadPdfCatalog(result.output->package_pdf);
  EXPECT_TRUE(document.archival);
  EXPECT_TRUE(document.tagged);
  EXPECT_EQ(document.title, "Test Document");
  EXPECT_FALSE(package.archival);  // the catalog's defaults say no
  EXPECT_TRUE(package.tagged);     // its documents are its parts
  EXPECT_EQ(package.title, "Policy package Q-1");
  ASSERT_FALSE(package.id_first.empty());
  EXPECT_NE(package.id_first, document.id_first);  // another file, not a revision of the document
  EXPECT_EQ(testing::StructureOutline(result.output->package_pdf), "Document\n  Part\n    H1\n      Span\n");

  // The assembler makes its package once.
  PdfAssembler assembler;
  assembler.AddDocument(result.output->documents[0].pdf, PdfInfo{}, "T");
  EXPECT_FALSE(assembler.Package(PdfInfo{}).empty());
  EXPECT_THROW(assembler.Package(PdfInfo{}), std::logic_error);
  EXPECT_THROW(assembler.AddDocument(result.output->documents[0].pdf, PdfInfo{}, "T"), std::logic_error);
}

TEST(Render, ArtifactsBesideAnInlineImageAreMarkedInThePackageToo) {
  // Content holding an inline image is marked by qpdf's tokenizer, not by
  // the byte scan; the package copies the pages of its second document.
  const std::string drawn =
      testing::OnePagePdf("/Private << /MCID 0 >> BDC BI /W 1 /H 1 /CS /G /BPC 8 ID \x01 EI EMC\n");
  PdfInfo tagged;
  tagged.tagged = true;
  PdfAssembler assembler;
  for (int document = 1; document <= 2; ++document) {
    const std::string finished = assembler.AddDocument(drawn, tagged, "D");
    const std::string contents = testing::PageDrawings(finished).at(0).contents;
    EXPECT_EQ(contents.find("/Private"), std::string::npos) << document << ": " << contents;
    EXPECT_NE(contents.find("/Artifact << /Type /Pagination >> BDC"), std::string::npos)
        << document << ": " << contents;
  }
  const std::vector<testing::PageDrawing> pages = testing::PageDrawings(assembler.Package(PdfInfo{}));
  ASSERT_EQ(pages.size(), 2u);
  for (size_t p = 0; p < pages.size(); ++p) {
    EXPECT_EQ(pages[p].contents.find("/Private"), std::string::npos) << "page " << p + 1 << ": " << pages[p].contents;
    EXPECT_NE(pages[p].contents.find("/Artifact << /Type /Pagination >> BDC"), std::string::npos) << "page " << p + 1;
  }
}

TEST(Render, AHeadingIsNeverTheLastLineOfAPage) {
  std::string body;
  for (int i = 0; i < 60; ++i) {
    body += "## Heading " + std::to_string(i) + "\n\nParagraph " + std::to_string(i) +
            " has enough words to take two lines of text on a letter page with default margins, so that the "
            "page breaks fall in many places across this document.\n\n";
  }
  RenderResult result = RenderTemplate(body);
  ASSERT_TRUE(result.output);
  Pdf pdf(result.output->package_pdf);
  ASSERT_GE(pdf.Pages(), 3);
  for (int p = 0; p < pdf.Pages(); ++p) {
    std::string text = pdf.PageText(p);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    const std::string last_line = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    EXPECT_EQ(last_line.find("Heading"), std::string::npos) << "page " << p + 1 << " ends with " << last_line;
  }
}

TEST(Render, PageBreakCommentStartsANewPage) {
  RenderResult result = RenderTemplate("First page.\n\n<!-- pagebreak -->\n\nSecond page.\n");
  ASSERT_TRUE(result.output);
  Pdf pdf(result.output->package_pdf);
  ASSERT_EQ(pdf.Pages(), 2);
  EXPECT_NE(pdf.PageText(1).find("Second page."), std::string::npos);
}

TEST(Render, NestedListsAndEmphasisKeepTheirText) {
  RenderResult result = RenderTemplate("1. First **bold** and *italic* and ~~struck~~\n   - nested a\n   - nested b\n2. Second\n\n> quoted\n\n---\n");
  ASSERT_TRUE(result.output);
  const std::string text = Squash(Pdf(result.output->package_pdf).Text());
  EXPECT_NE(text.find("1. First bold and italic and struck"), std::string::npos) << text;
  EXPECT_NE(text.find("nested a"), std::string::npos);
  EXPECT_NE(text.find("2. Second"), std::string::npos);
  EXPECT_NE(text.find("quoted"), std::string::npos);
}

TEST(Render, MissingImageIsAnError) {
  RenderResult result = RenderTemplate("![x](assets/nope.png)\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, "template_error");
}

// Regressions from review: each of these once lost content silently.
TEST(RenderRegression, NoncharactersInDataDoNotBlankTheDocument) {
  CatalogLoad load = CatalogBuilder().Document("T", kDoc, "---\nfooter: \"Page {{page}} of {{pages}}\"\n---\nName {{quote.insured.name}} end.\n").Load();
  nlohmann::json quote = TestQuote();
  quote["insured"]["name"] = "Acme \ufffe\uffff\u0001 Co";
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, quote);
  ASSERT_TRUE(result.output);
  const std::string text = Squash(Pdf(result.output->package_pdf).Text());
  EXPECT_NE(text.find("end."), std::string::npos) << text;
  EXPECT_NE(text.find("Page 1 of 1"), std::string::npos) << text;
}

TEST(RenderRegression, DeepNestingIsFlattenedNotDropped) {
  RenderResult result = RenderTemplate(std::string(40, '>') + " deep quoted text\n");
  ASSERT_TRUE(result.output);
  EXPECT_NE(Squash(Pdf(result.output->package_pdf).Text()).find("deep quoted text"), std::string::npos);
}

TEST(RenderRegression, FormattingSectionsWinOverDataFieldsOfTheSameName) {
  nlohmann::json quote = TestQuote();
  quote["claims"] = {{{"date", "x"}, {"reported", "2024-06-02"}}};
  CatalogLoad load = CatalogBuilder().Document("T", kDoc, "{{#quote.claims}}On {{#date}}{{reported}}{{/date}}.{{/quote.claims}}\n").Load();
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, quote);
  ASSERT_TRUE(result.output);
  EXPECT_NE(Squash(Pdf(result.output->package_pdf).Text()).find("On June 2, 2024."), std::string::npos);
}

TEST(RenderRegression, LeadingBlanksInDataDoNotMakeACodeBlock) {
  nlohmann::json quote = TestQuote();
  quote["insured"]["name"] = "    Indented Name";
  CatalogLoad load = CatalogBuilder().Document("T", kDoc, "{{quote.insured.name}}\n").Load();
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, quote);
  ASSERT_TRUE(result.output);
  EXPECT_NE(Squash(Pdf(result.output->package_pdf).Text()).find("Indented Name"), std::string::npos);
}

TEST(RenderRegression, HtmlBlocksAreShownNotDropped) {
  RenderResult result = RenderTemplate("<Authorized Representative>\nSigned below.\n");
  ASSERT_TRUE(result.output);
  EXPECT_NE(Squash(Pdf(result.output->package_pdf).Text()).find("Signed below."), std::string::npos);
}

TEST(RenderRegression, MarginsThatLeaveNoRoomAreAnError) {
  RenderResult result = RenderTemplate("---\npage: {size: letter, margin: 4.2in}\n---\nText.\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, "template_error");
}

TEST(RenderRegression, GenericFontAliasesAreNotInstalledFonts) {
  RenderResult result = RenderTemplate("---\nfont: {family: sans}\n---\nText.\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].code, "missing_font");
}

TEST(RenderRegression, RunawayTemplateOutputIsAnError) {
  nlohmann::json quote = TestQuote();
  quote["l"] = nlohmann::json::array();
  for (int i = 0; i < 20; ++i) quote["l"].push_back(i);
  std::string body;
  for (int i = 0; i < 8; ++i) body += "{{#quote.l}}";
  body += "x";
  for (int i = 0; i < 8; ++i) body += "{{/quote.l}}";
  CatalogLoad load = CatalogBuilder().Document("T", kDoc, body + "\n").Load();
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, quote);
  EXPECT_FALSE(result.output);
  ASSERT_FALSE(result.errors.empty());
  EXPECT_EQ(result.errors[0].code, "template_error");
}

// Resource budgets (README "Limits"); the hostile versions are in tests/hostile/.
TEST(RenderLimits, ImagesGiveTheSameBytesWhenTheCacheCannotKeepThem) {
  const std::string logo = ReadFile(kExamples / "acme-cyber" / "assets" / "logo.svg");
  CatalogLoad load = CatalogBuilder()
                         .File("assets/logo.svg", logo)
                         .Document("T", kDoc, "![Logo](assets/logo.svg)\n\nText.\n\n![Logo](assets/logo.svg)\n")
                         .Load();
  ASSERT_TRUE(load.catalog);
  Renderer cached;
  RenderOptions none;
  none.image_cache_bytes = 0;  // every use decodes again
  Renderer uncached(none);
  RenderResult a = RenderQuote(cached, *load.catalog, TestQuote());
  RenderResult b = RenderQuote(uncached, *load.catalog, TestQuote());
  ASSERT_TRUE(a.output && b.output);
  EXPECT_EQ(a.output->package_pdf, b.output->package_pdf);
}

TEST(RenderLimits, SharedContextGivesEveryDocumentItsOwnDocAndVars) {
  CatalogLoad load =
      CatalogBuilder()
          .Document("M", "id: M\ntitle: M\nkind: form\nedition: '1'\nmultiple: yes\nattach: {new: no}\n"
                         "variables: {type: object, properties: {n: {type: string}}}\n",
                    "---\nfooter: \"{{doc.instance}}/{{vars.n}}/{{page}}\"\n---\n{{quote.insured.name}} {{doc.instance}} {{vars.n}} "
                    "{{#package.documents}}[{{instance}}]{{/package.documents}}\n")
          .Load();
  ASSERT_TRUE(load.catalog) << load.diagnostics.at(0).message;
  nlohmann::json quote = TestQuote();
  quote["documents"]["add"] = {{{"id", "M"}, {"variables", {{"n", "first"}}}}, {{"id", "M"}, {"variables", {{"n", "second"}}}}};
  Renderer renderer;
  RenderResult result = RenderQuote(renderer, *load.catalog, quote);
  ASSERT_TRUE(result.output) << result.errors.at(0).message;
  ASSERT_EQ(result.output->documents.size(), 2u);
  const std::string name = quote["insured"]["name"];
  EXPECT_NE(Squash(Pdf(result.output->documents[0].pdf).Text()).find(name + " 1 first [1][2]"), std::string::npos);
  EXPECT_NE(Squash(Pdf(result.output->documents[1].pdf).Text()).find(name + " 2 second [1][2]"), std::string::npos);
  EXPECT_NE(Squash(Pdf(result.output->documents[1].pdf).Text()).find("2/second/1"), std::string::npos);
}

TEST(RenderLimits, ADeadlineOfZeroMeansNone) {
  RenderOptions options;
  options.deadline = std::chrono::milliseconds(0);
  Renderer renderer(options);
  CatalogLoad load = CatalogBuilder().Document("T", kDoc, "Text.\n").Load();
  EXPECT_TRUE(RenderQuote(renderer, *load.catalog, TestQuote()).output);
}

TEST(RenderLimits, RepetitionBudgetIsSharedByLambdas) {
  nlohmann::json context = {{"a", nlohmann::json::array()}, {"b", nlohmann::json::array()}};
  for (int i = 0; i < 1001; ++i) context["a"].push_back(i);
  for (int i = 0; i < 1000; ++i) context["b"].push_back(i);
  MustacheParse parse = ParseMustache("{{#a}}{{#number}}{{#b}}{{/b}}1{{/number}}{{/a}}", "t.md", 1);
  ASSERT_TRUE(parse.diagnostics.empty());
  Diagnostics errors;
  Evaluate(parse.nodes, context, EvaluationOptions{"t.md", "T", 1, true}, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("1,000,000"), std::string::npos) << errors[0].message;
}

TEST(Evaluate, ANamedFrameIsReadAsAnObjectHoldingItsValueUnderItsName) {
  const nlohmann::json quote = {{"insured", {{"name", "Acme"}}}, {"locations", {{{"city", "Columbus"}}, {{"city", "Dayton"}}}}};
  const nlohmann::json shared = {{"package", {{"id", "P-1"}}}};
  const nlohmann::json context = {{"doc", {{"id", "DEC"}}}, {"insured", "shadowed only when not qualified"}};
  MustacheParse parse = ParseMustache(
      "{{quote.insured.name}} {{package.id}} {{doc.id}}{{#quote.locations}} {{city}}/{{quote.insured.name}}{{/quote.locations}}",
      "t.md", 1);
  ASSERT_TRUE(parse.diagnostics.empty());
  Diagnostics errors;
  EXPECT_EQ(EvaluateFrames(parse.nodes, {&shared, {"quote", &quote}, &context}, EvaluationOptions{"t.md", "T", 1, false}, errors),
            "Acme P-1 DEC Columbus/Acme Dayton/Acme");
  EXPECT_TRUE(errors.empty());

  MustacheParse missing = ParseMustache("{{quotes.insured}}", "t.md", 1);
  EvaluateFrames(missing.nodes, {&shared, {"quote", &quote}, &context}, EvaluationOptions{"t.md", "T", 1, false}, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "missing_value");
}

// Pango markup of literal ASCII text, as the Markdown stage writes it (GLib's
// g_markup_escape_text): EscapeXml, and the apostrophe too.
std::string MarkupOf(const std::string& text) {
  std::string out;
  for (char c : EscapeXml(text)) out += c == '\'' ? std::string("&apos;") : std::string(1, c);
  return out;
}

// Data inserted with {{x}} reads as the same text wherever it stands: alone
// on a line, after a paragraph's first line, inside running text, in a
// table cell. Every ASCII punctuation character is tried alone, repeated
// and around a word, with Markdown that would otherwise make links, HTML,
// emphasis, headings, lists, rules, code and tables.
TEST(Evaluate, EscapedDataIsReadLiterallyByMarkdown) {
  std::vector<std::string> values = {"http://example.com/a?b=c&d=e <b>x</b> user@example.com <http://x.y>",
                                     "[a]: /url \"title\"", "[a](b) ![x](y) [^1] [c][a]", "&amp; &#32; &copy;",
                                     "*a* _b_ **c** ~~d~~ `e` ``f``", "# Heading", "- item", "+ item", "1. item", "2) item",
                                     "> quote", "| a | b |", "a | b", "---", "***", "___", "===", "```", "~~~", "<!-- c -->",
                                     "O'Brien & Sons, Inc.; 50% \"off\"? $1,000.50", "a\\b", "\\*not emphasis\\*",
                                     "amp;", "#38;", "x\" 'y'"};
  for (char c = 33; c < 127; ++c) {
    if (!std::ispunct(static_cast<unsigned char>(c))) continue;
    values.push_back(std::string(1, c));
    values.push_back(std::string(3, c));
    values.push_back(std::string(1, c) + "word" + std::string(1, c));
    values.push_back(std::string(2, c) + "two words" + std::string(2, c));
  }
  for (const std::string& value : values) {
    const std::string data = EscapeMarkdown(value);
    const std::vector<std::pair<std::string, std::string>> paragraphs = {
        {data, value},
        {"Line one\n" + data, "Line one " + value},
        {"Text " + data + " text", "Text " + value + " text"},
        {"AT&" + data, "AT&" + value}};  // "amp;" must not end an entity the template began
    for (const auto& [markdown, text] : paragraphs) {
      const std::vector<Block> blocks = ParseMarkdown(markdown);
      ASSERT_EQ(blocks.size(), 1u) << markdown;
      EXPECT_EQ(blocks[0].kind, Block::Kind::kParagraph) << markdown;
      EXPECT_EQ(blocks[0].markup, MarkupOf(text)) << markdown;
    }
    const std::vector<Block> table = ParseMarkdown("| A | B |\n|---|---|\n| " + data + " | x |\n");
    ASSERT_EQ(table.size(), 1u) << value;
    ASSERT_EQ(table[0].kind, Block::Kind::kTable) << value;
    ASSERT_EQ(table[0].rows.size(), 2u) << value;
    EXPECT_EQ(table[0].rows[1][0], MarkupOf(value)) << value;
    EXPECT_EQ(table[0].rows[1][1], "x") << value;
  }
}

// Rows "| r<first> | ... |" to "| r<last> | ... |".
std::string TableRows(int first, int last) {
  std::string rows;
  for (int i = first; i <= last; ++i)
    rows += "| r" + std::to_string(i) + " | *" + std::to_string(i * 10) + "* | `x` |\n";
  return rows;
}

TEST(Markdown, ALongTableParsedInBatchesOfRowsGivesTheBlocksOfOneParse) {
  const std::string markdown = "# Schedule\n\nIntro.\n\n| # | Amount | Code |\n|---|--:|:-:|\n" + TableRows(1, 25) +
                               "\nBetween.\n\n| A | B | C |\n|---|---|---|\n" + TableRows(26, 31) +
                               "\n- after\n- the tables\n";
  const std::vector<Block> batched = ParseMarkdown(markdown, 3);
  ASSERT_EQ(batched, ParseMarkdown(markdown, 0));
  ASSERT_EQ(batched.size(), 6u);
  EXPECT_EQ(batched[2].rows.size(), 26u);
  EXPECT_EQ(batched[2].rows[25][0], "r25");
  EXPECT_EQ(batched[2].rows[25][1], "<i>250</i>");
  EXPECT_EQ(batched[2].align, (std::vector<char>{'l', 'r', 'c'}));
  EXPECT_EQ(batched[3].line, 33);  // "Between.", as the source counts lines
  EXPECT_EQ(batched[5].line, 44);
}

TEST(Markdown, WhatCannotBeShownToBeOneTableOfItsLinesGivesTheBlocksOfAWholeParseToo) {
  const std::string rows = TableRows(1, 8);
  for (const std::string& markdown :
       {"```\n| A | B | C |\n|---|---|---|\n" + rows + "```\n",                 // in a code block
        "- item\n\n  | A | B | C |\n  |---|---|---|\n" + rows,                  // lines of a list item, lazily
        "> | A | B | C |\n|---|---|---|\n" + rows,                              // in a quote
        "| A | B | C |\n|---|---|---|\n" + rows + "more | rows\nand | more\n",  // rows without a leading pipe
        "| A | B | C |\n|---|---|---|\n" + rows + "| [x] |\n\n[x]: https://example.com\n",  // a reference defined below
        "| A | B | C |\n|---|---|---|\n" + TableRows(1, 4) + "|\n" + TableRows(5, 8),  // a row that is one bare pipe
        "| A | B | C |\r\n|---|---|---|\r\n" + rows,                                   // other line ends
        "| not a header\n| A | B | C |\n|---|---|---|\n" + rows,  // a paragraph line before the header
        "| A | B | C |\n| no delimiter |\n" + rows}) {
    EXPECT_EQ(ParseMarkdown(markdown, 2), ParseMarkdown(markdown, 0)) << markdown;
  }
}

TEST(Format, Lambdas) {
  EXPECT_EQ(*FormatMoney("1000000"), "$1,000,000");
  EXPECT_EQ(*FormatMoney("1234.5"), "$1,234.50");
  EXPECT_EQ(*FormatMoney("1234.005"), "$1,234.01");
  EXPECT_EQ(*FormatMoney("-12.00"), "-$12");
  EXPECT_FALSE(FormatMoney("12a"));
  EXPECT_EQ(*FormatNumber("1000000"), "1,000,000");
  EXPECT_EQ(*FormatNumber("1234.50"), "1,234.5");
  EXPECT_EQ(*FormatDate("2025-03-01"), "March 1, 2025");
  EXPECT_FALSE(FormatDate("2025-02-30"));
}

}  // namespace
}  // namespace docgen
