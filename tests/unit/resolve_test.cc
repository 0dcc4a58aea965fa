// Resolution rules of SPEC §3, one behaviour per test.
#include <docgen/resolve.h>

#include <gtest/gtest.h>

#include "support/catalog_builder.h"

namespace docgen {
namespace {

using testing::AddCoverage;
using testing::CatalogBuilder;
using testing::Quote;

std::shared_ptr<const Catalog> Load(const CatalogBuilder& builder) {
  CatalogLoad load = builder.Load();
  for (const auto& d : load.diagnostics) {
    if (d.severity == Severity::kError) ADD_FAILURE() << FormatDiagnostic(d);
  }
  EXPECT_TRUE(load.catalog);
  return load.catalog;
}

std::vector<std::string> Ids(const Package& p) {
  std::vector<std::string> ids;
  for (const auto& d : p.documents) ids.push_back(d.id);
  return ids;
}

std::vector<std::string> Codes(const Package& p) {
  std::vector<std::string> codes;
  for (const auto& e : p.errors) codes.push_back(e.code + "@" + e.path);
  return codes;
}

const char* kWindowed =
    "id: WIN\ntitle: Windowed\nkind: form\nedition: '1'\n"
    "applies_to: {effective: {from: 2025-01-01, until: 2025-07-01}}\nattach: {new: yes}\n";

// Catalog codes are bits: the first 64 of a list in one word, the rest in
// more words; both halves behave the same.
TEST(CodeSet, HoldsCodesBeyondTheFirstSixtyFour) {
  docgen::CodeSet edition, quote;
  for (int code : {3, 64, 130}) edition.Add(code);
  EXPECT_TRUE(edition.Has(3));
  EXPECT_TRUE(edition.Has(64));
  EXPECT_TRUE(edition.Has(130));
  EXPECT_FALSE(edition.Has(65));
  EXPECT_FALSE(edition.Has(500));
  EXPECT_FALSE(edition.Has(-1)) << "a code the catalog does not declare";
  EXPECT_FALSE(edition.Intersects(quote));
  quote.Add(130);
  EXPECT_TRUE(edition.Intersects(quote));
  EXPECT_FALSE(edition.SubsetOf(quote));
  quote.Add(3);
  quote.Add(64);
  EXPECT_TRUE(edition.SubsetOf(quote));
  quote.Add(7);
  EXPECT_TRUE(edition.SubsetOf(quote)) << "a quote may have more codes";
  EXPECT_FALSE(quote.SubsetOf(edition));
}

TEST(Eligibility, WindowStartIsInclusive) {
  auto catalog = Load(CatalogBuilder().Document("WIN", kWindowed));
  EXPECT_EQ(Ids(Resolve(*catalog, Quote("new", "2025-01-01"))), std::vector<std::string>{"WIN"});
  EXPECT_TRUE(Ids(Resolve(*catalog, Quote("new", "2024-12-31"))).empty());
}

TEST(Eligibility, WindowEndIsExclusive) {
  auto catalog = Load(CatalogBuilder().Document("WIN", kWindowed));
  EXPECT_EQ(Ids(Resolve(*catalog, Quote("new", "2025-06-30"))), std::vector<std::string>{"WIN"});
  Package p = Resolve(*catalog, Quote("new", "2025-07-01"));
  EXPECT_TRUE(Ids(p).empty());
  ASSERT_EQ(p.explain.size(), 1u);
  EXPECT_FALSE(p.explain[0].eligible);
  EXPECT_EQ(ExplainReasons(p, p.explain[0])[0], "effective date 2025-07-01 is on or after this edition ends on 2025-07-01");
}

TEST(Eligibility, CoveragesMatchAllNeedsEveryCode) {
  auto catalog = Load(CatalogBuilder().Document(
      "ALL", "id: ALL\ntitle: All\nkind: form\nedition: '1'\n"
             "applies_to: {coverages: [ransomware, bi], coverages_match: all}\nattach: {new: yes}\n"));
  nlohmann::json quote = Quote();
  AddCoverage(quote, "ransomware");
  EXPECT_TRUE(Ids(Resolve(*catalog, quote)).empty());
  AddCoverage(quote, "bi");
  EXPECT_EQ(Ids(Resolve(*catalog, quote)), std::vector<std::string>{"ALL"});
}

TEST(Eligibility, CoveragesMatchAnyNeedsOneCode) {
  auto catalog = Load(CatalogBuilder().Document(
      "ANY", "id: ANY\ntitle: Any\nkind: form\nedition: '1'\napplies_to: {coverages: [ransomware, bi]}\nattach: {new: yes}\n"));
  nlohmann::json quote = Quote();
  EXPECT_TRUE(Ids(Resolve(*catalog, quote)).empty());
  AddCoverage(quote, "bi");
  EXPECT_EQ(Ids(Resolve(*catalog, quote)), std::vector<std::string>{"ANY"});
}

TEST(Eligibility, EmptyOrMissingFieldsMatchAnything) {
  auto catalog = Load(CatalogBuilder()
                          .Document("E1", "id: E1\ntitle: E\nkind: form\nedition: '1'\n"
                                          "applies_to: {products: [], jurisdictions: [], agencies: [], coverages: []}\n"
                                          "attach: {new: yes}\n")
                          .Document("E2", "id: E2\ntitle: E\nkind: form\nedition: '1'\nattach: {new: yes}\n"));
  nlohmann::json quote = Quote();
  quote["product"] = "tech_eo";
  quote["jurisdiction"] = "TX";
  EXPECT_EQ(Ids(Resolve(*catalog, quote)), (std::vector<std::string>{"E1", "E2"}));
}

TEST(Eligibility, AgencyListMustContainTheQuotesAgency) {
  auto catalog = Load(CatalogBuilder().Document(
      "AG", "id: AG\ntitle: A\nkind: form\nedition: '1'\napplies_to: {agencies: [AG-2]}\nattach: {new: yes}\n"));
  EXPECT_TRUE(Ids(Resolve(*catalog, Quote())).empty());
  nlohmann::json quote = Quote();
  quote["agency"] = "AG-2";
  EXPECT_EQ(Ids(Resolve(*catalog, quote)), std::vector<std::string>{"AG"});
}

TEST(Attach, YamlBooleansReadAsYesAndNo) {
  auto catalog = Load(CatalogBuilder()
                          .Document("T", "id: T\ntitle: T\nkind: form\nedition: '1'\nattach: {new: true, renewal: false}\n")
                          .Document("O", "id: O\ntitle: O\nkind: form\nedition: '1'\nattach: {new: on, renewal: off}\n"));
  EXPECT_EQ(catalog->EditionsOf("T")[0].AttachFor(Transaction::kNew), AttachMode::kYes);
  EXPECT_EQ(catalog->EditionsOf("T")[0].AttachFor(Transaction::kRenewal), AttachMode::kNo);
  EXPECT_EQ(catalog->EditionsOf("O")[0].AttachFor(Transaction::kNew), AttachMode::kYes);
  EXPECT_EQ(catalog->EditionsOf("O")[0].AttachFor(Transaction::kReissue), AttachMode::kNo);  // default
  EXPECT_EQ(Ids(Resolve(*catalog, Quote())), (std::vector<std::string>{"O", "T"}));
}

const char* kMultiple =
    "id: AI\ntitle: Additional insured\nkind: endorsement\nedition: '1'\nmultiple: true\n"
    "attach: {renewal: copy}\nvariables: {type: object, properties: {name: {type: string}}}\n";
const char* kSingle =
    "id: ONE\ntitle: Once\nkind: endorsement\nedition: '1'\nattach: {renewal: copy}\n"
    "variables: {type: object, properties: {n: {type: integer}}}\n";

nlohmann::json RenewalWithPrior(const nlohmann::json& prior_documents) {
  nlohmann::json quote = Quote("renewal");
  quote["prior"] = {{"quote_id", "Q-0"}, {"documents", prior_documents}};
  return quote;
}

TEST(Copy, EveryPriorInstanceOfAMultipleDocumentIsCopiedInPriorOrder) {
  auto catalog = Load(CatalogBuilder().Document("AI", kMultiple));
  Package p = Resolve(*catalog, RenewalWithPrior({{{"id", "AI"}, {"variables", {{"name", "B"}}}},
                                                  {{"id", "AI"}, {"variables", {{"name", "A"}}}}}));
  ASSERT_TRUE(p.valid) << PackageToJson(p).dump();
  ASSERT_EQ(p.documents.size(), 2u);
  EXPECT_EQ(p.documents[0].variables["name"], "B");
  EXPECT_EQ(p.documents[0].instance, 1);
  EXPECT_EQ(p.documents[1].variables["name"], "A");
  EXPECT_EQ(p.documents[1].instance, 2);
  EXPECT_EQ(p.documents[1].source, DocumentSource::kCopy);
}

TEST(Copy, ASecondPriorInstanceOfASingleDocumentIsAnError) {
  auto catalog = Load(CatalogBuilder().Document("ONE", kSingle));
  Package p = Resolve(*catalog, RenewalWithPrior({{{"id", "ONE"}, {"variables", {{"n", 1}}}},
                                                  {{"id", "ONE"}, {"variables", {{"n", 2}}}}}));
  EXPECT_EQ(Codes(p), std::vector<std::string>{"duplicate_document@/prior/documents/1"});
  ASSERT_EQ(p.documents.size(), 1u);
  EXPECT_EQ(p.documents[0].variables["n"], 1);
}

TEST(Copy, NoPriorInstanceMeansNotAttached) {
  auto catalog = Load(CatalogBuilder().Document("AI", kMultiple));
  Package p = Resolve(*catalog, RenewalWithPrior(nlohmann::json::array()));
  EXPECT_TRUE(p.valid);
  EXPECT_TRUE(p.documents.empty());
}

TEST(Additions, MultipleDocumentsAcceptSeveralAdditionsAfterCopies) {
  auto catalog = Load(CatalogBuilder().Document("AI", kMultiple));
  nlohmann::json quote = RenewalWithPrior({{{"id", "AI"}, {"variables", {{"name", "copied"}}}}});
  quote["documents"]["add"] = {{{"id", "AI"}, {"variables", {{"name", "added1"}}}},
                               {{"id", "AI"}, {"variables", {{"name", "added2"}}}}};
  Package p = Resolve(*catalog, quote);
  ASSERT_TRUE(p.valid);
  ASSERT_EQ(p.documents.size(), 3u);
  EXPECT_EQ(p.documents[0].source, DocumentSource::kCopy);
  EXPECT_EQ(p.documents[1].variables["name"], "added1");
  EXPECT_EQ(p.documents[2].variables["name"], "added2");
}

TEST(Additions, ASecondInstanceOfASingleDocumentIsRefused) {
  auto catalog = Load(CatalogBuilder().Document("S", "id: S\ntitle: S\nkind: form\nedition: '1'\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["add"] = {{{"id", "S"}}, {{"id", "S"}}};
  Package p = Resolve(*catalog, quote);
  EXPECT_EQ(Codes(p), std::vector<std::string>{"duplicate_document@/documents/add/1"});
  EXPECT_EQ(Ids(p), std::vector<std::string>{"S"});
}

TEST(Removals, RemoveAllInstancesAndReportNamesTwiceOnce) {
  auto catalog = Load(CatalogBuilder().Document("AI", kMultiple));
  nlohmann::json quote = RenewalWithPrior({{{"id", "AI"}}, {{"id", "AI"}}});
  quote["documents"]["remove"] = {"AI", "AI"};
  Package p = Resolve(*catalog, quote);
  EXPECT_TRUE(p.valid) << PackageToJson(p).dump();
  EXPECT_TRUE(p.documents.empty());
  ASSERT_EQ(p.review.size(), 1u);
  EXPECT_EQ(p.review[0].reason, ReviewReason::kDroppedFromPrior);
}

TEST(Removals, UnknownIdIsNotAttached) {
  auto catalog = Load(CatalogBuilder().Document("S", "id: S\ntitle: S\nkind: form\nedition: '1'\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["remove"] = {"NOPE"};
  EXPECT_EQ(Codes(Resolve(*catalog, quote)), std::vector<std::string>{"not_attached@/documents/remove/0"});
}

TEST(Overrides, MergeTopLevelKeysIntoEveryInstance) {
  auto catalog = Load(CatalogBuilder().Document(
      "AI", "id: AI\ntitle: AI\nkind: endorsement\nedition: '1'\nmultiple: true\nattach: {renewal: copy}\n"
            "variables: {type: object, properties: {name: {type: string}, city: {type: string}}}\n"));
  nlohmann::json quote = RenewalWithPrior({{{"id", "AI"}, {"variables", {{"name", "A"}}}},
                                           {{"id", "AI"}, {"variables", {{"name", "B"}, {"city", "X"}}}}});
  quote["documents"]["variables"]["AI"] = {{"city", "Y"}};
  Package p = Resolve(*catalog, quote);
  ASSERT_EQ(p.documents.size(), 2u);
  EXPECT_EQ(p.documents[0].variables, (nlohmann::json{{"name", "A"}, {"city", "Y"}}));
  EXPECT_EQ(p.documents[1].variables, (nlohmann::json{{"name", "B"}, {"city", "Y"}}));
}

TEST(Overrides, ForADocumentNotInThePackageIsNotAttached) {
  auto catalog = Load(CatalogBuilder().Document("S", "id: S\ntitle: S\nkind: form\nedition: '1'\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["S/x"] = {{"a", 1}};
  EXPECT_EQ(Codes(Resolve(*catalog, quote)), std::vector<std::string>{"not_attached@/documents/variables/S~1x"});
}

TEST(Defaults, FillEveryLevelWhereTheEnclosingObjectIsPresent) {
  auto catalog = Load(CatalogBuilder().Document(
      "D", "id: D\ntitle: D\nkind: form\nedition: '1'\nattach: {new: yes}\n"
           "variables:\n  type: object\n  properties:\n"
           "    top: {type: integer, default: 1}\n"
           "    present: {type: object, properties: {inner: {type: string, default: x}}}\n"
           "    absent: {type: object, properties: {inner: {type: string, default: y}}}\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["D"] = {{"present", nlohmann::json::object()}};
  Package p = Resolve(*catalog, quote);
  ASSERT_EQ(p.documents.size(), 1u);
  EXPECT_EQ(p.documents[0].variables, (nlohmann::json{{"top", 1}, {"present", {{"inner", "x"}}}}));
}

TEST(Validation, EveryViolationIsReportedWithItsPointer) {
  auto catalog = Load(CatalogBuilder().Document(
      "V", "id: V\ntitle: V\nkind: form\nedition: '1'\nattach: {new: yes}\n"
           "variables:\n  type: object\n  required: [a, b]\n  additionalProperties: false\n"
           "  properties:\n    a: {type: integer, minimum: 0}\n    b: {type: string}\n    c: {type: integer, enum: [1, 2]}\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["variables"]["V"] = {{"a", -1}, {"c", 3}, {"zz", true}};
  Package p = Resolve(*catalog, quote);
  std::vector<std::string> paths;
  for (const auto& e : p.errors) {
    EXPECT_EQ(e.code, "invalid_variables");
    EXPECT_EQ(e.document, "V");
    EXPECT_EQ(e.instance, 1);
    paths.push_back(e.path);
  }
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/b", "/c", "/zz"}));
}

TEST(QuoteChecks, StopResolutionAndListEveryProblem) {
  auto catalog = Load(CatalogBuilder().Document("S", "id: S\ntitle: S\nkind: form\nedition: '1'\nattach: {new: yes}\n"));
  nlohmann::json quote = {{"transaction", "renew"}, {"product", "boat"}, {"jurisdiction", "CA"},
                          {"effective_date", "2025-02-30"}, {"coverages", {{{"code", "quantum"}}}}};
  Package p = Resolve(*catalog, quote);
  EXPECT_FALSE(p.valid);
  EXPECT_TRUE(p.documents.empty());
  std::vector<std::string> codes = Codes(p);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"invalid_quote@/agency", "invalid_quote@/effective_date",
                                             "invalid_quote@/quote_id", "invalid_quote@/transaction",
                                             "unknown_coverage@/coverages/0/code", "unknown_product@/product"}));
}

TEST(QuoteChecks, MisspeltDocumentsFieldIsAnError) {
  auto catalog = Load(CatalogBuilder().Document("S", "id: S\ntitle: S\nkind: form\nedition: '1'\n"));
  nlohmann::json quote = Quote();
  quote["documents"]["remvoe"] = {"S"};
  Package p = Resolve(*catalog, quote);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].path, "/documents/remvoe");
  EXPECT_NE(p.errors[0].message.find("Did you mean \"remove\""), std::string::npos);
}

TEST(QuoteChecks, MalformedJsonNamesLineAndColumn) {
  auto catalog = Load(CatalogBuilder());
  Package p = ResolveText(*catalog, "{\n  \"quote_id\": \"Q\",\n  oops\n}");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "invalid_quote");
  EXPECT_NE(p.errors[0].message.find("line 3"), std::string::npos) << p.errors[0].message;
}

TEST(QuoteChecks, TheParsedJsonIsHandedBackWheneverTheTextParses) {
  auto catalog = Load(CatalogBuilder());
  nlohmann::json parsed;
  Package p = ResolveText(*catalog, Quote().dump(), &parsed);
  EXPECT_TRUE(p.valid);
  EXPECT_EQ(parsed, Quote());

  Package not_a_quote = ResolveText(*catalog, "[]", &parsed);  // JSON, but no quote: invalid, still handed back
  EXPECT_FALSE(not_a_quote.valid);
  EXPECT_EQ(parsed, nlohmann::json::array());

  nlohmann::json untouched = "as it was";
  ResolveText(*catalog, "{ oops", &untouched);
  EXPECT_EQ(untouched, "as it was");
  ResolveText(*catalog, std::string(100, '[') + std::string(100, ']'), &untouched);  // nested too deep: not parsed
  EXPECT_EQ(untouched, "as it was");
}

TEST(QuoteChecks, DeepNestingIsRefusedBeforeParsing) {
  auto catalog = Load(CatalogBuilder());
  std::string deep(100000, '[');
  Package p = ResolveText(*catalog, deep);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].code, "invalid_quote");
}

TEST(Review, FlagManualIsListedAttachedOrNot) {
  auto catalog = Load(CatalogBuilder()
                          .Document("F1", "id: F1\ntitle: F\nkind: form\nedition: '1'\nflag_manual: true\nattach: {new: yes}\n")
                          .Document("F2", "id: F2\ntitle: F\nkind: form\nedition: '1'\nflag_manual: true\n"));
  Package p = Resolve(*catalog, Quote());
  ASSERT_EQ(p.review.size(), 2u);
  EXPECT_EQ(p.review[0].id, "F1");
  EXPECT_TRUE(p.review[0].attached);
  EXPECT_EQ(p.review[1].id, "F2");
  EXPECT_FALSE(p.review[1].attached);
}

TEST(Order, ByOrderThenIdComparedByteByByte) {
  auto catalog = Load(CatalogBuilder()
                          .Document("b", "id: B-2\ntitle: B\nkind: form\nedition: '1'\norder: 5\nattach: {new: yes}\n")
                          .Document("a", "id: B-10\ntitle: B\nkind: form\nedition: '1'\norder: 5\nattach: {new: yes}\n")
                          .Document("c", "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\n"));
  EXPECT_EQ(Ids(Resolve(*catalog, Quote())), (std::vector<std::string>{"B-10", "B-2", "A"}));
}

TEST(Determinism, SameInputsGiveTheSameBytes) {
  auto catalog = Load(CatalogBuilder().Document("AI", kMultiple).Document("ONE", kSingle));
  nlohmann::json quote = RenewalWithPrior({{{"id", "AI"}, {"variables", {{"name", "x"}}}}, {{"id", "GONE"}}});
  EXPECT_EQ(PackageToJson(Resolve(*catalog, quote)).dump(), PackageToJson(Resolve(*catalog, quote)).dump());
}

TEST(Explain, HasAnEntryForEveryEditionWithReasonsInWords) {
  auto catalog = Load(CatalogBuilder()
                          .Document("A", "id: A\ntitle: A\nkind: form\nedition: '1'\nattach: {new: yes}\n")
                          .Document("B", "id: B\ntitle: B\nkind: form\nedition: '1'\napplies_to: {jurisdictions: [TX]}\n"));
  Package p = Resolve(*catalog, Quote());
  ASSERT_EQ(p.explain.size(), 2u);
  EXPECT_TRUE(p.explain[0].eligible);
  EXPECT_EQ(p.explain[0].instances, 1);
  EXPECT_EQ(ExplainReasons(p, p.explain[0]).back(), "attached automatically: its mode for new is yes");
  EXPECT_EQ(ExplainReasons(p, p.explain[1]), std::vector<std::string>{"jurisdiction CA is not one of TX"});
}

}  // namespace
}  // namespace docgen
