// The batch validator's fast reader (simdjson) must give every line the same
// result as the full parse (nlohmann::json::parse, then ValidatePolicy): it
// reads what it can read exactly, and leaves everything else to that path.
#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "util/text.h"
#include "validate/policy_reader.h"

namespace docgen {
namespace {

const Catalog& Example() {
  static const std::shared_ptr<const Catalog> catalog = LoadCatalogDirectory(DOCGEN_SOURCE_DIR "/examples/acme-cyber").catalog;
  return *catalog;
}

// The result of the full parse, as JSON text; "not JSON" when it throws.
std::string FullParse(const std::string& line) {
  nlohmann::json policy;
  try {
    policy = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    return "not JSON";
  }
  return PolicyResultToJson(ValidatePolicy(Example(), policy)).dump();
}

// ValidatePolicyText through one reader, as a batch's thread does.
std::string Read(PolicyReader& reader, const std::string& line) {
  return PolicyResultToJson(ValidatePolicyText(Example(), line, reader)).dump();
}

const char* kQuote =
    R"({"quote_id":"Q-1","product":"cyber","jurisdiction":"CA","effective_date":"2025-03-01","transaction":"new",)"
    R"("insured":{"name":"A"},"coverages":[{"code":"breach_response","limit":1000000}]})";

std::string Policy(const std::string& documents, const std::string& extra = "") {
  return std::string(R"({"policy_id":"P-1",)") + extra + R"("quote":)" + kQuote + R"(,"documents":)" + documents + "}";
}

TEST(PolicyReader, GivesEveryExamplePolicyTheResultOfTheFullParse) {
  std::ifstream in(DOCGEN_SOURCE_DIR "/examples/validate/policies.jsonl");
  PolicyReader reader;
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    const std::string full = FullParse(line);
    if (full == "not JSON") continue;  // the example's malformed lines: covered below
    EXPECT_EQ(Read(reader, line), full) << line;
  }
  EXPECT_GT(lines, 5);
}

TEST(PolicyReader, ReadsWellFormedPoliciesThemselves) {
  PolicyReader reader;
  const PolicyView* view = reader.Read(Policy(R"([{"id":"A","edition":"1"},{"id":"B","edition":"2","variables":{"n":1}}])"));
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(*view->policy_id, "P-1");
  EXPECT_EQ((*view->quote)["product"], "cyber");
  ASSERT_EQ(view->documents.size(), 2u);
  EXPECT_EQ(view->documents[0].id, "A");
  EXPECT_EQ(view->documents[0].variables, nullptr);
  EXPECT_EQ(view->documents[1].edition, "2");
  EXPECT_EQ(*view->documents[1].variables, nlohmann::json({{"n", 1}}));
}

TEST(PolicyReader, LeavesShapeProblemsAndUnreadableTextToTheFullParse) {
  PolicyReader reader;
  for (const std::string& line : {
           std::string("[1,2]"),
           std::string(R"({"documents":[]})"),
           Policy(R"({"id":"A"})"),
           Policy(R"([{"id":"","edition":"1"}])"),
           Policy(R"([{"id":"A","edition":1}])"),
           Policy(R"([{"id":"A","edition":"1","variables":[]}])"),
           Policy(R"([7])"),
           Policy("[]", R"("big":1e400,)"),
           Policy("[]", R"("big":123456789012345678901234567890,)"),
           std::string(R"({"quote":{}, "documents":[]} trailing)"),
           std::string("{\"quote\":{\"q\":\"\\ud800\"},\"documents\":[]}"),
           std::string("{\"quote\":{\"q\":\"\xff\"},\"documents\":[]}"),
       }) {
    EXPECT_EQ(reader.Read(line), nullptr) << line;
    if (FullParse(line) != "not JSON") {
      EXPECT_EQ(Read(reader, line), FullParse(line)) << line;
    } else {
      const PolicyResult result = ValidatePolicyText(Example(), line, reader);
      ASSERT_EQ(result.findings.size(), 1u) << line;
      EXPECT_EQ(result.findings[0].code, "invalid_policy") << line;
    }
  }
}

TEST(PolicyReader, ReadsValuesAsTheFullParseDoes) {
  PolicyReader reader;
  for (const std::string& line : {
           // The last of equal keys wins, at every level.
           Policy(R"([{"id":"X","id":"CY-DEC","edition":"2024-01"}])", R"("policy_id":"P-0",)"),
           Policy(R"([{"id":"CY-END-101","edition":"1","variables":{"a":1,"a":"two"}}])"),
           // Numbers keep their kind: unsigned, negative, -0, fractions, exponents, the largest 64-bit.
           Policy(R"([{"id":"CY-END-101","edition":"1","variables":{"u":18446744073709551615,"n":-5,"z":-0,"f":1.5e3,"e":1E-2}}])"),
           // Escapes, and keys the shape does not name.
           Policy(R"([{"id":"CY-D\u0045C","edition":"2024-01","note":{"deep":[null,true,false]}}])", R"("x":"\n\t\"",)"),
           Policy(R"([{"id":"CY-DEC","edition":"2024-01","variables":{}}])"),
       }) {
    EXPECT_NE(reader.Read(line), nullptr) << line;
    EXPECT_EQ(Read(reader, line), FullParse(line)) << line;
  }
}

TEST(PolicyReader, NestsAsDeepAsTheLimitAndNoDeeper) {
  auto nested = [](int levels) {  // the policy object is level 1, the variables object level 4
    return Policy(R"([{"id":"CY-END-101","edition":"2024-01","variables":{"v":)" + std::string(levels - 4, '[') +
                  std::string(levels - 4, ']') + "}}]");
  };
  PolicyReader reader;
  ASSERT_EQ(JsonNestingDepth(nested(kMaxPolicyNesting)), kMaxPolicyNesting);
  EXPECT_NE(reader.Read(nested(kMaxPolicyNesting)), nullptr);
  EXPECT_EQ(Read(reader, nested(kMaxPolicyNesting)), FullParse(nested(kMaxPolicyNesting)));
  EXPECT_EQ(reader.Read(nested(kMaxPolicyNesting + 1)), nullptr);
  const PolicyResult deeper = ValidatePolicyText(Example(), nested(kMaxPolicyNesting + 1), reader);
  ASSERT_EQ(deeper.findings.size(), 1u);
  EXPECT_EQ(deeper.findings[0].message, "The policy nests deeper than 64 levels.");
}

TEST(PolicyReader, TextThatIsNotJsonIsOneInvalidPolicyFinding) {
  PolicyReader reader;
  const PolicyResult result = ValidatePolicyText(Example(), R"({"quote": {)", reader);
  ASSERT_EQ(result.findings.size(), 1u);
  EXPECT_EQ(result.findings[0].code, "invalid_policy");
  EXPECT_EQ(result.findings[0].path, "");
}

}  // namespace
}  // namespace docgen
