// Hostile inputs against the engine's resource budgets (README "Limits"):
// each test reproduces a measured blow-up of the hardening issue and asserts
// the bounded behaviour: a diagnostic, or a correct result that completes.
// Time is bounded by ctest's timeout, not by tight asserts; memory by a
// generous ceiling on the growth of the peak RSS.
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <cairo.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/catalog_builder.h"

namespace docgen {
namespace {

using testing::CatalogBuilder;
using testing::Quote;

// Peak resident set of this process so far, in MiB.
long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

std::vector<std::string> Codes(const Diagnostics& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(d.code);
  return out;
}

size_t Count(const Diagnostics& diagnostics, const std::string& code) {
  return static_cast<size_t>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                           [&](const Diagnostic& d) { return d.code == code; }));
}

const char* kOneForm = "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\n";

// A catalog of one form, "A", attached to new business, with this body.
CatalogLoad OneFormCatalog(const std::string& body) { return CatalogBuilder().Document("A", kOneForm, body).Load(); }

const char* kMultiple =
    "id: M\ntitle: Schedule\nkind: form\nedition: '1'\nmultiple: yes\nattach: {new: no, renewal: copy}\n";

// Item 20 first: the peak RSS only grows, so the image test measures best
// before the others have raised it.
// Item 20: decoded images are cached by bytes (64 MiB, LRU) and layouts keep
// paths, not pixels: eight 9-megapixel PNGs (36 MB each decoded) in one
// render no longer stay in memory together.
TEST(HostileEngine, ManyLargeImagesStayWithinTheImageCache) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 3000, 3000);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
  cairo_paint(cr);
  cairo_destroy(cr);
  std::string png;
  cairo_surface_write_to_png_stream(
      surface,
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &png);
  cairo_surface_destroy(surface);
  CatalogBuilder builder;
  std::string body = "# Pictures\n\n";
  for (int i = 0; i < 8; ++i) {
    builder.File("assets/p" + std::to_string(i) + ".png", png);
    body += "![p](assets/p" + std::to_string(i) + ".png)\n\n";
  }
  CatalogLoad load = builder.Document("A", kOneForm, body).Load();
  ASSERT_TRUE(load.catalog) << FormatDiagnostic(load.diagnostics.at(0));
  const long before = PeakRssMiB();
  Renderer renderer;
  Package package = Resolve(*load.catalog, Quote());
  ASSERT_TRUE(package.valid);
  RenderResult result = renderer.Render(*load.catalog, package, Quote());
  ASSERT_TRUE(result.output) << FormatDiagnostic(result.errors.at(0));
  EXPECT_GE(result.output->pages, 4);
  // All eight decoded at once would be 288 MB; the cache holds one (64 MiB cap).
  EXPECT_LT(PeakRssMiB() - before, 200) << "peak RSS grew from " << before << " MiB";
}

// Item 6: one shared quote and package.documents per render, and at most 200
// instances of one document.
TEST(HostileEngine, ManyInstancesOfABigQuoteRenderInLinearMemory) {
  CatalogLoad load = CatalogBuilder()
                         .Document("M", kMultiple,
                                   "# {{doc.instance}} {{quote.insured.name}}\n\n"
                                   "{{#package.documents}}{{id}}-{{instance}} {{/package.documents}}\n")
                         .Load();
  ASSERT_TRUE(load.catalog) << FormatDiagnostic(load.diagnostics.at(0));
  nlohmann::json quote = Quote("renewal");
  quote["insured"] = {{"name", "Big Quote Ltd"}};
  for (int i = 0; i < 2600; ++i) quote["padding"].push_back("twenty bytes of pad");  // ~52 KiB
  quote["prior"]["documents"] = nlohmann::json::array();
  for (int i = 0; i < 200; ++i) quote["prior"]["documents"].push_back({{"id", "M"}});

  const long before = PeakRssMiB();
  Package package = Resolve(*load.catalog, quote);
  ASSERT_TRUE(package.valid) << PackageToJson(package)["errors"].dump();
  ASSERT_EQ(package.documents.size(), 200u);
  Renderer renderer;
  RenderResult result = renderer.Render(*load.catalog, package, quote);
  ASSERT_TRUE(result.output) << FormatDiagnostic(result.errors.at(0));
  EXPECT_EQ(result.output->documents.size(), 200u);
  // Per-document copies of the quote and the list took gigabytes at 1,000.
  EXPECT_LT(PeakRssMiB() - before, 1024) << "peak RSS grew from " << before << " MiB";

  // 1,000 (and 2,000) instances are refused with one error, at the first refused entry.
  for (int n : {1000, 2000}) {
    quote["prior"]["documents"] = nlohmann::json::array();
    for (int i = 0; i < n; ++i) quote["prior"]["documents"].push_back({{"id", "M"}});
    Package refused = Resolve(*load.catalog, quote);
    EXPECT_FALSE(refused.valid);
    EXPECT_EQ(Codes(refused.errors), std::vector<std::string>{"too_many_instances"});
    EXPECT_EQ(refused.errors.at(0).path, "/prior/documents/200");
    EXPECT_EQ(refused.errors.at(0).document, "M");
  }
}

// Item 7: resolution is linear in the quote's lists.
TEST(HostileEngine, EightyThousandIdsResolveAndAreCorrect) {
  CatalogLoad load = CatalogBuilder()
                         .Document("A", "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes, renewal: yes}\n")
                         .Document("B", "id: B\ntitle: B\nkind: form\nedition: '1'\nattach: {new: yes, renewal: copy}\n")
                         .Load();
  ASSERT_TRUE(load.catalog);
  nlohmann::json quote = Quote("renewal");
  constexpr int kIds = 80000;
  auto& remove = quote["documents"]["remove"] = nlohmann::json::array();
  auto& prior = quote["prior"]["documents"] = nlohmann::json::array();
  for (int i = 0; i < kIds; ++i) {
    remove.push_back("X-" + std::to_string(i));
    prior.push_back({{"id", "P-" + std::to_string(i)}});
  }
  remove.push_back("X-7");  // named twice: reported once
  remove.push_back("A");
  prior.push_back({{"id", "B"}});
  Package package = Resolve(*load.catalog, quote);
  EXPECT_EQ(Count(package.errors, "not_attached"), static_cast<size_t>(kIds));
  EXPECT_EQ(package.errors.size(), static_cast<size_t>(kIds));
  EXPECT_EQ(package.errors.front().path, "/documents/remove/0");
  EXPECT_EQ(package.errors.back().path, "/documents/remove/79999");
  ASSERT_EQ(package.documents.size(), 1u);  // A removed, B copied
  EXPECT_EQ(package.documents[0].id, "B");
  EXPECT_EQ(package.review.size(), static_cast<size_t>(kIds));  // every dropped prior id, once
  EXPECT_EQ(package.review.front().id, "P-0");
  EXPECT_EQ(package.review.back().id, "P-79999");
}

// Item 8: a 100,000-character word lays out in linear time (Pango gets a
// break opportunity every 1,000 characters), and a quote cannot carry one.
TEST(HostileEngine, HundredThousandCharacterWordRendersAndQuoteTextsAreCapped) {
  CatalogLoad load = OneFormCatalog("Name: {{quote.n}}{{quote.n}}{{quote.n}}{{quote.n}}{{quote.n}}\n");
  ASSERT_TRUE(load.catalog);
  nlohmann::json quote = Quote();
  quote["n"] = std::string(20000, 'x');
  Package package = Resolve(*load.catalog, quote);
  ASSERT_TRUE(package.valid) << PackageToJson(package)["errors"].dump();
  Renderer renderer;
  RenderResult result = renderer.Render(*load.catalog, package, quote);
  ASSERT_TRUE(result.output) << FormatDiagnostic(result.errors.at(0));
  EXPECT_GE(result.output->pages, 10);

  quote["insured"]["name"] = std::string(100000, 'x');
  Package refused = Resolve(*load.catalog, quote);
  EXPECT_EQ(Codes(refused.errors), std::vector<std::string>{"value_too_long"});
  EXPECT_EQ(refused.errors.at(0).path, "/insured/name");
}

// Item 9: "pattern" runs on RE2: no stack overflow, no exponential backtracking.
TEST(HostileEngine, PatternsCannotOverflowTheStackOrBacktrack) {
  CatalogLoad load =
      CatalogBuilder()
          .Document("A", std::string(kOneForm) +
                             "variables: {type: object, properties: {s: {type: string, pattern: '^(a|b|c)*$'},"
                             " t: {type: string, pattern: '^(a+)+$'}}}\n")
          .Load();
  ASSERT_TRUE(load.catalog) << FormatDiagnostic(load.diagnostics.at(0));
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["A"] = {{"s", std::string(19999, 'b')}, {"t", std::string(31, 'a') + "!"}};
  Package package = Resolve(*load.catalog, quote);
  ASSERT_EQ(Codes(package.errors), std::vector<std::string>{"invalid_variables"});
  EXPECT_EQ(package.errors[0].path, "/t");
  quote["documents"]["variables"]["A"]["t"] = std::string(5000, 'a');
  EXPECT_TRUE(Resolve(*load.catalog, quote).valid);
}

// Item 14: the {{#money}}/{{#date}}/{{#number}} lambdas spend the render's
// repetition budget instead of starting a fresh one.
TEST(HostileEngine, LambdasInsideSectionsShareTheRepetitionBudget) {
  CatalogLoad load = OneFormCatalog("{{#quote.a}}{{#date}}{{#quote.b}}{{/quote.b}}2025-01-01{{/date}}{{/quote.a}}\n");
  ASSERT_TRUE(load.catalog) << FormatDiagnostic(load.diagnostics.at(0));
  nlohmann::json quote = Quote();
  quote["a"] = nlohmann::json::array();
  quote["b"] = nlohmann::json::array();
  for (int i = 0; i < 40000; ++i) quote["a"].push_back(i);
  for (int i = 0; i < 40000; ++i) quote["b"].push_back(i);  // 1.6 x 10^9 repetitions without the shared budget
  Package package = Resolve(*load.catalog, quote);
  ASSERT_TRUE(package.valid);
  Renderer renderer;
  RenderResult result = renderer.Render(*load.catalog, package, quote);
  ASSERT_FALSE(result.output);
  ASSERT_EQ(Codes(result.errors), std::vector<std::string>{"template_error"});
  EXPECT_NE(result.errors[0].message.find("1,000,000"), std::string::npos) << result.errors[0].message;
}

// No render runs past its deadline.
TEST(HostileEngine, RenderPastItsDeadlineStopsWithRenderTimeout) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "Paragraph " + std::to_string(i) + " of {{quote.quote_id}}.\n\n";
  CatalogLoad load = OneFormCatalog(body);
  ASSERT_TRUE(load.catalog);
  Package package = Resolve(*load.catalog, Quote());
  ASSERT_TRUE(package.valid);
  RenderOptions options;
  options.deadline = std::chrono::milliseconds(1);
  Renderer renderer(options);
  RenderResult result = renderer.Render(*load.catalog, package, Quote());
  EXPECT_FALSE(result.output);
  ASSERT_EQ(Codes(result.errors), std::vector<std::string>{"render_timeout"});
  EXPECT_EQ(result.errors[0].document, "A");
}

// A long document is drawn as it is laid out, its pages let go as they are
// drawn: a deadline that passes after that began still ends the render with
// one render_timeout and no output (ASan watches what was let go).
TEST(HostileEngine, RenderStoppedWhileItsPagesAreDrawnStopsWithRenderTimeout) {
  std::string body = "---\nfooter: \"Page {{page}} of {{pages}}\"\n---\n| Location | Limit |\n|---|--:|\n";
  for (int i = 0; i < 3000; ++i) body += "| Location " + std::to_string(i) + " | " + std::to_string(i * 1000) + " |\n";
  CatalogLoad load = OneFormCatalog(body);
  ASSERT_TRUE(load.catalog);
  Package package = Resolve(*load.catalog, Quote());
  ASSERT_TRUE(package.valid);
  // Unbounded first: how long the whole render takes here, and that it is long enough to be streamed.
  RenderOptions unbounded;
  unbounded.deadline = std::chrono::milliseconds(0);
  Renderer unbounded_renderer(unbounded);
  const auto start = std::chrono::steady_clock::now();
  RenderResult whole = unbounded_renderer.Render(*load.catalog, package, Quote());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(whole.output);
  ASSERT_GT(whole.output->pages, 16);  // past the pages a document is held for
  // Then deadlines from half of that, until one passes while pages are being
  // drawn and let go: a render that finished tries a shorter one, one that
  // stopped before drawing a longer one (machines' speed varies; at most 8 tries).
  const std::regex while_drawing(
      "stopped while (drawing page [0-9]+|laying out its text|drawing the header "
      "and footer of page [0-9]+)");
  std::chrono::milliseconds deadline = std::max(took / 2, std::chrono::milliseconds(1));
  std::string tries;
  bool stopped_while_drawing = false;
  for (int attempt = 0; attempt < 8 && !stopped_while_drawing; ++attempt) {
    RenderOptions options;
    options.deadline = deadline;
    RenderResult result = Renderer(options).Render(*load.catalog, package, Quote());
    tries += std::to_string(deadline.count()) + " ms of " + std::to_string(took.count()) + ": ";
    if (result.output) {
      EXPECT_TRUE(result.errors.empty());
      tries += "finished\n";
      deadline = std::max(deadline * 2 / 3, std::chrono::milliseconds(1));
      continue;
    }
    ASSERT_EQ(Codes(result.errors), std::vector<std::string>{"render_timeout"}) << tries;
    EXPECT_EQ(result.errors[0].document, "A");
    tries += result.errors[0].message + "\n";
    stopped_while_drawing = std::regex_search(result.errors[0].message, while_drawing);
    if (stopped_while_drawing && deadline.count() % 1000 != 0) {  // the limit said exactly, not rounded
      EXPECT_NE(result.errors[0].message.find("within its " + std::to_string(deadline.count()) + " ms deadline"),
                std::string::npos)
          << tries;
    }
    deadline = deadline * 3 / 2;
  }
  EXPECT_TRUE(stopped_while_drawing) << tries;
}

// Item 13: a catalog folder cannot reach out of itself through a symlink.
TEST(HostileEngine, SymlinksOutOfTheCatalogAreRefused) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("hostile_engine_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "cat" / "documents");
  fs::create_directories(root / "cat" / "templates");
  fs::create_directories(root / "outside");
  std::ofstream(root / "outside" / "secret.md") << "secret\n";
  std::ofstream(root / "cat" / "catalog.yaml") << testing::BaseCatalogYaml();
  std::ofstream(root / "cat" / "documents" / "A.yaml") << kOneForm << "template: templates/a.md\n";
  std::ofstream(root / "cat" / "templates" / "inside.md") << "# Inside\n";
  fs::create_symlink(root / "outside" / "secret.md", root / "cat" / "templates" / "a.md");
  fs::create_directory_symlink(root / "outside", root / "cat" / "assets");
  fs::create_symlink(root / "cat" / "templates" / "inside.md", root / "cat" / "templates" / "b.md");  // inside: fine
  CatalogRead read = ReadCatalogDirectory(root / "cat");
  std::vector<std::string> findings;
  for (const auto& d : read.diagnostics) findings.push_back(d.code + "@" + d.file);
  std::sort(findings.begin(), findings.end());
  EXPECT_EQ(findings, (std::vector<std::string>{"outside_catalog@assets/secret.md", "outside_catalog@templates/a.md"}));
  EXPECT_EQ(read.files.count("templates/a.md"), 0u);
  EXPECT_EQ(read.files.count("templates/b.md"), 1u);
  EXPECT_FALSE(LoadCatalogDirectory(root / "cat").catalog);
  fs::remove_all(root);
}

}  // namespace
}  // namespace docgen
