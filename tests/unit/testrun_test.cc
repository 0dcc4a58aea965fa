// Test runs (SPEC §8): which variants a catalog has, the samples each is
// rendered with, how pages are compared, and a run against approved goldens.
#include "testrun/testrun.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>

#include "support/catalog_builder.h"
#include "testrun/goldens.h"
#include "testrun/pages.h"
#include "testrun/variants.h"

namespace docgen::testrun {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CatalogBuilder;

std::shared_ptr<const Catalog> Load(const CatalogFiles& files) {
  CatalogLoad load = LoadCatalog(files);
  for (const auto& d : load.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  EXPECT_TRUE(load.catalog);
  return load.catalog;
}

std::vector<std::string> Keys(const std::vector<Variant>& variants) {
  std::vector<std::string> keys;
  for (const auto& v : variants) keys.push_back(v.key);
  return keys;
}

// --- Variants -------------------------------------------------------------

// Worked out from examples/acme-cyber: products [cyber, tech_eo] and
// jurisdictions [CA, NY, TX, FL, WA] in catalog.yaml's order; an edition that
// lists no jurisdiction gets all five. Only CY-END-101 has variables with a
// sample (one set from `examples`); the others have one set (CY-END-300 and
// CY-END-340 from defaults, the rest empty). Editions in catalog order
// (by id, then window start).
TEST(Variants, ExampleCatalogHasOneVariantPerEditionProductJurisdictionAndSample) {
  auto catalog = LoadCatalogDirectory(fs::path(DOCGEN_SOURCE_DIR) / "examples" / "acme-cyber").catalog;
  ASSERT_TRUE(catalog);
  const std::vector<std::string> expected = {
      // CY-DEC: cyber, every jurisdiction
      "CY-DEC@2025-01/cyber/CA/1", "CY-DEC@2025-01/cyber/NY/1", "CY-DEC@2025-01/cyber/TX/1",
      "CY-DEC@2025-01/cyber/FL/1", "CY-DEC@2025-01/cyber/WA/1",
      // CY-END-101: cyber (its ransomware coverage does not narrow the list)
      "CY-END-101@2025-01/cyber/CA/1", "CY-END-101@2025-01/cyber/NY/1", "CY-END-101@2025-01/cyber/TX/1",
      "CY-END-101@2025-01/cyber/FL/1", "CY-END-101@2025-01/cyber/WA/1",
      // CY-END-150: cyber (its agency does not narrow the list)
      "CY-END-150@2024-06/cyber/CA/1", "CY-END-150@2024-06/cyber/NY/1", "CY-END-150@2024-06/cyber/TX/1",
      "CY-END-150@2024-06/cyber/FL/1", "CY-END-150@2024-06/cyber/WA/1",
      // CY-END-205: both products (attach new: no does not matter)
      "CY-END-205@2024-01/cyber/CA/1", "CY-END-205@2024-01/cyber/NY/1", "CY-END-205@2024-01/cyber/TX/1",
      "CY-END-205@2024-01/cyber/FL/1", "CY-END-205@2024-01/cyber/WA/1",
      "CY-END-205@2024-01/tech_eo/CA/1", "CY-END-205@2024-01/tech_eo/NY/1", "CY-END-205@2024-01/tech_eo/TX/1",
      "CY-END-205@2024-01/tech_eo/FL/1", "CY-END-205@2024-01/tech_eo/WA/1",
      // CY-END-300: cyber in NY and TX only
      "CY-END-300@2024-01/cyber/NY/1", "CY-END-300@2024-01/cyber/TX/1",
      // CY-END-340
      "CY-END-340@2024-01/cyber/CA/1", "CY-END-340@2024-01/cyber/NY/1", "CY-END-340@2024-01/cyber/TX/1",
      "CY-END-340@2024-01/cyber/FL/1", "CY-END-340@2024-01/cyber/WA/1",
      // CY-END-400
      "CY-END-400@2023-10/cyber/CA/1", "CY-END-400@2023-10/cyber/NY/1", "CY-END-400@2023-10/cyber/TX/1",
      "CY-END-400@2023-10/cyber/FL/1", "CY-END-400@2023-10/cyber/WA/1",
      // CY-FORM-100: both editions, each its own variants
      "CY-FORM-100@2024-01/cyber/CA/1", "CY-FORM-100@2024-01/cyber/NY/1", "CY-FORM-100@2024-01/cyber/TX/1",
      "CY-FORM-100@2024-01/cyber/FL/1", "CY-FORM-100@2024-01/cyber/WA/1",
      "CY-FORM-100@2025-07/cyber/CA/1", "CY-FORM-100@2025-07/cyber/NY/1", "CY-FORM-100@2025-07/cyber/TX/1",
      "CY-FORM-100@2025-07/cyber/FL/1", "CY-FORM-100@2025-07/cyber/WA/1",
      // CY-NOT-CA: both products, CA only
      "CY-NOT-CA@2023-01/cyber/CA/1", "CY-NOT-CA@2023-01/tech_eo/CA/1",
      // TE-DEC: tech_eo, every jurisdiction
      "TE-DEC@2024-01/tech_eo/CA/1", "TE-DEC@2024-01/tech_eo/NY/1", "TE-DEC@2024-01/tech_eo/TX/1",
      "TE-DEC@2024-01/tech_eo/FL/1", "TE-DEC@2024-01/tech_eo/WA/1",
  };
  EXPECT_EQ(Keys(EnumerateVariants(*catalog)), expected);
}

TEST(Variants, EachSampleSetIsItsOwnVariantNumberedFromOne) {
  auto catalog = Load(CatalogBuilder()
                          .Document("A",
                                    "id: A\ntitle: A\nkind: form\nedition: '1'\n"
                                    "applies_to: {products: [cyber], jurisdictions: [TX, CA]}\n"
                                    "variables: {type: object, examples: [{n: 1}, {n: 2}]}\n")
                          .files());
  std::vector<Variant> variants = EnumerateVariants(*catalog);
  EXPECT_EQ(Keys(variants), (std::vector<std::string>{"A@1/cyber/CA/1", "A@1/cyber/CA/2", "A@1/cyber/TX/1", "A@1/cyber/TX/2"}))
      << "jurisdictions in catalog.yaml's order, not the edition's";
  EXPECT_EQ(variants[1].vars, (json{{"n", 2}}));
  EXPECT_EQ(variants[1].sample, 2);
  EXPECT_EQ(variants[2].quote["jurisdiction"], "TX");
}

// --- Sample variables -----------------------------------------------------

TEST(SampleVariables, EachTopLevelExampleIsASet) {
  json schema = {{"type", "object"},
                 {"examples", {{{"name", "A"}}, {{"name", "B"}}}},
                 {"properties", {{"name", {{"type", "string"}, {"examples", {"ignored"}}}}}}};
  EXPECT_EQ(SampleVariables(schema), (std::vector<json>{{{"name", "A"}}, {{"name", "B"}}}));
}

TEST(SampleVariables, WithoutTopLevelExamplesOneSetOfFirstExampleElseDefault) {
  json schema = {{"type", "object"},
                 {"properties",
                  {{"limit", {{"type", "integer"}, {"examples", {250000, 500000}}, {"default", 1}}},
                   {"hours", {{"type", "integer"}, {"default", 12}}},
                   {"address", {{"type", "string"}}}}}};
  EXPECT_EQ(SampleVariables(schema), (std::vector<json>{{{"limit", 250000}, {"hours", 12}}}))
      << "first example beats default; a property with neither is left out";
}

TEST(SampleVariables, SchemaWithoutPropertiesGivesOneEmptySet) {
  EXPECT_EQ(SampleVariables(json::object()), (std::vector<json>{json::object()}));
  EXPECT_EQ(SampleVariables(json{{"type", "object"}}), (std::vector<json>{json::object()}));
}

// --- Sample quote ---------------------------------------------------------

// catalog.yaml declares agencies AG-1, AG-2 and coverages ransomware, breach, bi, ftf.
std::shared_ptr<const Catalog> OneEdition(const std::string& applies_to) {
  return Load(CatalogBuilder().Document("E", "id: E\ntitle: E\nkind: form\nedition: '1'\napplies_to: " + applies_to + "\n").files());
}

json Base(const std::string& date = "2025-03-01") {
  return {{"quote_id", "Q-9"}, {"transaction", "renewal"}, {"product", "tech_eo"}, {"jurisdiction", "NY"},
          {"agency", "AG-9"},  {"effective_date", date},   {"coverages", {{{"code", "breach"}, {"limit", 5}}}}};
}

const DocumentEdition& Edition(const Catalog& catalog) { return catalog.EditionsOf("E")[0]; }

TEST(SampleQuote, TakesTheVariantsProductAndJurisdictionAndTransactionNew) {
  auto catalog = OneEdition("{}");
  json quote = SampleQuote(*catalog, Edition(*catalog), Base(), "cyber", "TX");
  EXPECT_EQ(quote["product"], "cyber");
  EXPECT_EQ(quote["jurisdiction"], "TX");
  EXPECT_EQ(quote["transaction"], "new");
  EXPECT_EQ(quote["quote_id"], "Q-9") << "the rest of the sample is kept";
}

TEST(SampleQuote, AgencyIsTheFirstDeclaredOneTheEditionAllows) {
  auto any = OneEdition("{}");
  EXPECT_EQ(SampleQuote(*any, Edition(*any), Base(), "cyber", "CA")["agency"], "AG-1");
  auto listed = OneEdition("{agencies: [AG-2, AG-1]}");
  EXPECT_EQ(SampleQuote(*listed, Edition(*listed), Base(), "cyber", "CA")["agency"], "AG-1") << "catalog.yaml's order";
  auto one = OneEdition("{agencies: [AG-2]}");
  EXPECT_EQ(SampleQuote(*one, Edition(*one), Base(), "cyber", "CA")["agency"], "AG-2");
}

TEST(SampleQuote, AddsTheEditionsCoveragesItLacks) {
  auto catalog = OneEdition("{coverages: [breach, ransomware]}");
  json quote = SampleQuote(*catalog, Edition(*catalog), Base(), "cyber", "CA");
  EXPECT_EQ(quote["coverages"], (json{{{"code", "breach"}, {"limit", 5}}, {{"code", "ransomware"}}}))
      << "breach is kept as it was, ransomware added as {code}";
}

TEST(SampleQuote, EffectiveDateIsTheWindowsStart) {
  auto catalog = OneEdition("{effective: {from: 2026-02-01, until: 2026-08-01}}");
  EXPECT_EQ(SampleQuote(*catalog, Edition(*catalog), Base("2026-05-05"), "cyber", "CA")["effective_date"], "2026-02-01");
}

TEST(SampleQuote, WithoutAStartTheSamplesDateWhenInsideElseTheDayBeforeTheEnd) {
  auto catalog = OneEdition("{effective: {until: 2025-07-01}}");
  const DocumentEdition& e = Edition(*catalog);
  EXPECT_EQ(SampleQuote(*catalog, e, Base("2025-03-01"), "cyber", "CA")["effective_date"], "2025-03-01");
  EXPECT_EQ(SampleQuote(*catalog, e, Base("2025-07-01"), "cyber", "CA")["effective_date"], "2025-06-30") << "until is exclusive";
  EXPECT_EQ(SampleQuote(*catalog, e, Base("2026-01-01"), "cyber", "CA")["effective_date"], "2025-06-30");
  json dateless = Base();
  dateless.erase("effective_date");
  EXPECT_EQ(SampleQuote(*catalog, e, dateless, "cyber", "CA")["effective_date"], "2025-06-30") << "no sample date: the day before the end";
  auto far = OneEdition("{effective: {until: 2030-01-01}}");
  EXPECT_EQ(SampleQuote(*far, Edition(*far), dateless, "cyber", "CA")["effective_date"], "2029-12-31");
}

TEST(SampleQuote, WithoutASampleQuoteABuiltInOneIsUsed) {
  auto catalog = OneEdition("{coverages: [bi]}");
  json quote = SampleQuote(*catalog, Edition(*catalog), nullptr, "tech_eo", "NY");
  EXPECT_TRUE(quote.contains("quote_id"));
  EXPECT_TRUE(quote.contains("insured"));
  EXPECT_EQ(quote["product"], "tech_eo");
  EXPECT_EQ(quote["jurisdiction"], "NY");
  EXPECT_EQ(quote["transaction"], "new");
  EXPECT_EQ(quote["agency"], "AG-1");
  EXPECT_EQ(quote["coverages"], (json{{{"code", "bi"}}}));
  EXPECT_TRUE(ParseIsoDate(quote["effective_date"].get<std::string>()));
}

TEST(SampleQuote, CatalogsSamplesQuoteJsonIsTheBase) {
  auto catalog = Load(CatalogBuilder()
                          .Document("E", "id: E\ntitle: E\nkind: form\nedition: '1'\n")
                          .File("samples/quote.json", Base().dump())
                          .files());
  ASSERT_EQ(catalog->sample_quote, Base());
  EXPECT_EQ(EnumerateVariants(*catalog)[0].quote["quote_id"], "Q-9");
}

// --- Pages ----------------------------------------------------------------

constexpr uint32_t kWhite = 0xffffff;
constexpr uint32_t kRed = 0xe0191e;

Image Filled(int width, int height, uint32_t colour = kWhite) {
  return Image{width, height, std::vector<uint32_t>(static_cast<size_t>(width) * static_cast<size_t>(height), colour)};
}

TEST(Pages, PngRoundTripKeepsEveryPixel) {
  Image image = Filled(3, 2);
  image.pixels = {0x000000, 0x123456, 0xffffff, 0xff0000, 0x00ff00, 0x0000ff};
  std::optional<Image> back = DecodePng(EncodePng(image));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->width, 3);
  EXPECT_EQ(back->height, 2);
  EXPECT_EQ(back->pixels, image.pixels);
  EXPECT_FALSE(DecodePng("not a png"));
}

TEST(Pages, IdenticalPagesHaveNoChangedPixelsAndNoDiff) {
  PageComparison c = ComparePages(Filled(4, 4), Filled(4, 4));
  EXPECT_EQ(c.changed_pixels, 0);
  EXPECT_EQ(c.pixels, 16);
  EXPECT_TRUE(c.diff.pixels.empty());
}

TEST(Pages, APixelWithinTheToleranceIsTheSame) {
  Image page = Filled(4, 4);
  page.pixels[5] = kWhite - static_cast<uint32_t>(kChannelTolerance);  // blue channel just within
  EXPECT_EQ(ComparePages(Filled(4, 4), page).changed_pixels, 0);
}

TEST(Pages, APixelBeyondTheToleranceIsChangedAndMarkedRedOnAFadedPage) {
  Image golden = Filled(4, 4, 0x000000);
  Image page = golden;
  page.pixels[5] = static_cast<uint32_t>(kChannelTolerance + 1) << 8;  // green channel just beyond
  PageComparison c = ComparePages(golden, page);
  EXPECT_EQ(c.changed_pixels, 1);
  ASSERT_EQ(c.diff.pixels.size(), 16u);
  EXPECT_EQ(c.diff.pixels[5], kRed);
  EXPECT_NE(c.diff.pixels[0], 0x000000u) << "unchanged black is faded toward white";
  EXPECT_NE(c.diff.pixels[0], kRed);
}

TEST(Pages, AreaOnlyOnePageHasIsChanged) {
  PageComparison c = ComparePages(Filled(4, 4), Filled(4, 6));
  EXPECT_EQ(c.pixels, 24);
  EXPECT_EQ(c.changed_pixels, 8);
  ASSERT_EQ(c.diff.width, 4);
  ASSERT_EQ(c.diff.height, 6);
  EXPECT_EQ(c.diff.pixels[4 * 5], kRed) << "a row only the new page has";
  EXPECT_NE(c.diff.pixels[0], kRed);
}

// --- The goldens manifest ------------------------------------------------

TEST(Manifest, FieldsOfTheWrongTypeAreRefusedWithoutReadingAnything) {
  for (const char* text : {R"({"format": {"pages": "x"}, "variants": {}})", R"({"format": 1, "variants": {}})",
                           R"({"variants": {}})", R"({"format": "docgen-goldens/1", "variants": []})"}) {
    ManifestRead read = ParseManifest(text, "goldens.json");
    EXPECT_NE(read.error.find("goldens.json: not a goldens manifest"), std::string::npos) << text << ": " << read.error;
    EXPECT_TRUE(read.manifest.empty()) << text;
  }
  ManifestRead entry = ParseManifest(
      R"({"format": "docgen-goldens/1", "variants": {"K": {"pages": 1, "pdf_sha256": 2, "inputs": ""}}})", "g.json");
  EXPECT_EQ(entry.error, R"(g.json: /variants/K must be {"pages": integer, "pdf_sha256": string, "inputs": string})");
  EXPECT_TRUE(entry.manifest.empty());
}

TEST(Manifest, AWrittenManifestReadsBack) {
  const fs::path folder = fs::temp_directory_path() / ("docgen-manifest-" + std::to_string(std::random_device{}()));
  fs::create_directories(folder);
  const GoldenManifest written{{"A@1/cyber/CA/1", GoldenEntry{2, "sha256:ab", "sha256:cd", {}}}};
  ASSERT_EQ(WriteManifest(folder, written), "");
  ManifestRead read = ReadManifest(folder);
  fs::remove_all(folder);
  EXPECT_EQ(read.error, "");
  ASSERT_EQ(read.manifest.size(), 1u);
  const GoldenEntry& e = read.manifest.at("A@1/cyber/CA/1");
  EXPECT_EQ(e.pages, 2);
  EXPECT_EQ(e.pdf_sha256, "sha256:ab");
  EXPECT_EQ(e.inputs, "sha256:cd");
}

// --- A run against goldens ------------------------------------------------

// Two editions for cyber in CA and NY: four variants.
CatalogBuilder TwoEditions() {
  const char* applies = "applies_to: {products: [cyber], jurisdictions: [CA, NY]}\n";
  return CatalogBuilder()
      .Document("A", std::string("id: A\ntitle: A\nkind: form\nedition: '1'\n") + applies, "# Alpha\n\nThe first form.\n")
      .Document("B", std::string("id: B\ntitle: B\nkind: notice\nedition: '2'\n") + applies, "# Bravo\n\nThe second notice.\n");
}

class TestRun : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    root_ = fs::temp_directory_path() / ("docgen-testrun-" + std::to_string(stamp) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(root_);
    goldens_ = PageFolder(root_ / "goldens");
  }
  void TearDown() override { fs::remove_all(root_); }

  // A run of `files` against the goldens folder, with a scratch folder of its own.
  RunResult Run(const CatalogFiles& files, RunOptions options = RunOptions{}, PageStore* pages = nullptr) {
    catalog_ = Load(files);
    if (!catalog_) return {};
    scratch_ = std::make_unique<PageFolder>(root_ / ("scratch-" + std::to_string(++runs_)));
    ManifestRead read = ReadManifest(goldens_.root());
    EXPECT_EQ(read.error, "");
    manifest_ = read.manifest;
    FolderPages folders(goldens_, *scratch_);
    options.jobs = 2;
    return RunTests(*catalog_, manifest_, pages ? *pages : folders, options);
  }
  void ApproveRun(const RunResult& run) { ASSERT_EQ(Approve(run, *scratch_, goldens_, manifest_), ""); }
  // The first run of `files`, approved.
  void Approved(const CatalogFiles& files) { ApproveRun(Run(files)); }

  static std::map<std::string, std::string> Statuses(const RunResult& run) {
    std::map<std::string, std::string> out;
    for (const auto& v : run.variants) out[v.key] = ToString(v.status);
    return out;
  }

  fs::path root_;
  PageFolder goldens_{""};
  std::unique_ptr<PageFolder> scratch_;
  std::shared_ptr<const Catalog> catalog_;
  GoldenManifest manifest_;
  int runs_ = 0;
};

TEST_F(TestRun, FirstRunFindsEveryVariantNew) {
  RunResult run = Run(TwoEditions().files());
  EXPECT_EQ(Statuses(run), (std::map<std::string, std::string>{
                               {"A@1/cyber/CA/1", "new"}, {"A@1/cyber/NY/1", "new"}, {"B@2/cyber/CA/1", "new"}, {"B@2/cyber/NY/1", "new"}}));
  EXPECT_EQ(run.counts.added, 4);
  EXPECT_EQ(run.counts.NotSame(), 4);
  for (const auto& v : run.variants) {
    EXPECT_EQ(v.pages, 1) << v.key;
    EXPECT_TRUE(fs::exists(scratch_->PagePath(v.key, 1))) << v.key;
  }
}

TEST_F(TestRun, AfterApprovalUnchangedInputsAreSameWithoutRendering) {
  Approved(TwoEditions().files());
  EXPECT_TRUE(fs::exists(goldens_.PagePath("A@1/cyber/CA/1", 1)));
  RunResult run = Run(TwoEditions().files());
  ASSERT_EQ(run.variants.size(), 4u);
  for (const auto& v : run.variants) {
    EXPECT_EQ(v.status, Status::kSame) << v.key;
    EXPECT_FALSE(v.rendered) << v.key;
  }
  EXPECT_EQ(run.counts.same, 4);
  EXPECT_EQ(run.counts.NotSame(), 0);
  EXPECT_TRUE(run.removed.empty());
}

TEST_F(TestRun, AChangedWordChangesOnlyThatEditionsVariants) {
  Approved(TwoEditions().files());
  RunResult run = Run(TwoEditions().File("templates/A.md", "# Alpha\n\nThe revised form.\n").files());
  EXPECT_EQ(Statuses(run), (std::map<std::string, std::string>{{"A@1/cyber/CA/1", "changed"},
                                                              {"A@1/cyber/NY/1", "changed"},
                                                              {"B@2/cyber/CA/1", "same"},
                                                              {"B@2/cyber/NY/1", "same"}}));
  for (const auto& v : run.variants) {
    if (v.status != Status::kChanged) continue;
    EXPECT_EQ(v.changed_pages, std::vector<int>{1}) << v.key;
    EXPECT_GT(v.changed_share, 0) << v.key;
    EXPECT_LT(v.changed_share, 0.5) << v.key << ": one word of a page";
    EXPECT_TRUE(fs::exists(scratch_->DiffPath(v.key, 1))) << v.key;
  }
  EXPECT_EQ(run.counts.changed, 2);
}

TEST_F(TestRun, ATemplateThatFailsToRenderFailsItsVariants) {
  Approved(TwoEditions().files());
  RunResult run = Run(TwoEditions().File("templates/B.md", "# Bravo\n\nFor {{quote.nope}}.\n").files());
  EXPECT_EQ(Statuses(run), (std::map<std::string, std::string>{{"A@1/cyber/CA/1", "same"},
                                                              {"A@1/cyber/NY/1", "same"},
                                                              {"B@2/cyber/CA/1", "failed"},
                                                              {"B@2/cyber/NY/1", "failed"}}));
  for (const auto& v : run.variants) {
    if (v.status != Status::kFailed) continue;
    EXPECT_NE(v.error.find("missing_value"), std::string::npos) << v.key << ": " << v.error;
  }
  EXPECT_EQ(run.counts.failed, 2);
}

TEST_F(TestRun, ARemovedEditionsGoldensAreListedAsRemoved) {
  Approved(TwoEditions().files());
  CatalogFiles files = TwoEditions().files();
  files.erase("documents/B.yaml");
  files.erase("templates/B.md");
  RunResult run = Run(files);
  EXPECT_EQ(Statuses(run), (std::map<std::string, std::string>{{"A@1/cyber/CA/1", "same"}, {"A@1/cyber/NY/1", "same"}}));
  EXPECT_EQ(run.removed, (std::vector<std::string>{"B@2/cyber/CA/1", "B@2/cyber/NY/1"}));
  EXPECT_EQ(run.counts.removed, 2);
}


// A run resumed after its process died (the service's test runs): what the
// earlier attempt recorded is taken as it is; only the rest is rendered and reported.
TEST_F(TestRun, AResumedRunTakesEarlierResultsAsTheyAre) {
  RunOptions options;
  VariantResult earlier;
  earlier.key = "A@1/cyber/CA/1";
  earlier.status = Status::kFailed;
  earlier.error = "recorded by the attempt that died";
  options.earlier[earlier.key] = earlier;
  std::vector<std::string> reported;
  options.on_result = [&](size_t, const VariantResult& v) {
    reported.push_back(v.key);
    return docgen::Status::Ok();
  };
  size_t done = 0;
  options.progress = [&](size_t d, size_t) { done = d; };
  RunResult run = Run(TwoEditions().files(), options);
  EXPECT_EQ(Statuses(run), (std::map<std::string, std::string>{
                               {"A@1/cyber/CA/1", "failed"}, {"A@1/cyber/NY/1", "new"}, {"B@2/cyber/CA/1", "new"}, {"B@2/cyber/NY/1", "new"}}));
  EXPECT_EQ(run.variants[0].error, "recorded by the attempt that died");
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported, (std::vector<std::string>{"A@1/cyber/NY/1", "B@2/cyber/CA/1", "B@2/cyber/NY/1"}));
  EXPECT_EQ(done, 4u);
  EXPECT_TRUE(run.stopped.ok());
}

TEST_F(TestRun, AResultThatCannotBeRecordedStopsTheRun) {
  RunOptions options;
  std::atomic<int> calls{0};
  options.on_result = [&](size_t, const VariantResult&) {
    ++calls;
    return docgen::Status::Conflict("the run is no longer held");
  };
  RunResult run = Run(TwoEditions().files(), options);
  EXPECT_EQ(run.stopped.code(), StatusCode::kConflict);
  EXPECT_LE(calls, 2);  // one per worker thread at most: the others stop before their next variant
}

// Pictures kept where the service keeps them; here an outage of that store.
class UnavailablePages final : public PageStore {
 public:
  Result<std::optional<std::string>> Golden(const std::string&, const GoldenEntry&, int) const override { return std::optional<std::string>(); }
  Result<std::string> Keep(const std::string&, const char*, int, const std::string&) override {
    return docgen::Status::Unavailable("the blob store is away");
  }
};

TEST_F(TestRun, AnOutageWhileKeepingPicturesStopsTheRunInsteadOfFailingVariants) {
  RunOptions options;
  int recorded = 0;
  options.on_result = [&](size_t, const VariantResult&) {
    ++recorded;
    return docgen::Status::Ok();
  };
  UnavailablePages pages;
  RunResult run = Run(TwoEditions().files(), options, &pages);
  EXPECT_EQ(run.stopped.code(), StatusCode::kUnavailable);
  EXPECT_EQ(run.stopped.message(), "the blob store is away");
  EXPECT_EQ(recorded, 0);  // no variant was recorded as failed for it
}

}  // namespace
}  // namespace docgen::testrun
