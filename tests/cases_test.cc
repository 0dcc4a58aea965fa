// Data-driven suites. Each case is files, not code:
//
//   examples/                         the public examples (catalog acme-cyber/)
//   tests/cases/resolve/SUITE/        catalog/, quotes/NAME.json, expected/NAME.json
//   tests/cases/lint/NAME/            catalog/ and expected.json (every finding)
//   tests/cases/validate/NAME/        catalog/, policies.jsonl, expected.jsonl (a result a line)
//   examples/validate/                the same against examples/acme-cyber
//
// Packages are compared by the rules of examples/README.md. With
// DOCGEN_UPDATE=1 the expected files under tests/cases are rewritten from
// what docgen produces now (review the diff before committing); the public
// examples are never rewritten.
#include <docgen/catalog.h>
#include <docgen/resolve.h>
#include <docgen/validate.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/files.h"
#include "validate/batch.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSource = DOCGEN_SOURCE_DIR;

bool UpdateMode() {
  const char* value = std::getenv("DOCGEN_UPDATE");
  return value != nullptr && std::string(value) == "1";
}

using docgen::testing::Lines;
using docgen::testing::ReadFile;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The parts of a package the comparison rules look at.
json Comparable(const json& package) {
  json out;
  out["valid"] = package["valid"];
  out["documents"] = json::array();
  for (const auto& d : package["documents"]) {
    out["documents"].push_back({{"id", d["id"]}, {"edition", d["edition"]}, {"source", d["source"]}, {"variables", d["variables"]}});
  }
  out["review"] = package["review"];
  out["errors"] = json::array();
  for (const auto& e : package["errors"]) {
    json error = {{"code", e["code"]}};
    if (e.contains("document")) error["document"] = e["document"];
    if (e.contains("path")) error["path"] = e["path"];
    out["errors"].push_back(error);
  }
  return out;
}

// Entries of `expected` matched one-to-one, in any order, on the keys each
// expected entry gives (`keys` limits which keys take part).
void ExpectSameEntries(const json& expected, const json& actual, const std::vector<std::string>& keys, const char* what) {
  std::vector<bool> used(actual.size(), false);
  for (const auto& want : expected) {
    bool found = false;
    for (size_t i = 0; i < actual.size() && !found; ++i) {
      if (used[i]) continue;
      bool match = true;
      for (const auto& key : keys) {
        if (want.contains(key) && (!actual[i].contains(key) || actual[i][key] != want[key])) match = false;
      }
      if (match) used[i] = found = true;
    }
    EXPECT_TRUE(found) << what << ": expected entry not produced: " << want.dump();
  }
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_TRUE(used[i]) << what << ": unexpected entry: " << actual[i].dump();
  }
}

void ComparePackage(const json& expected, const json& package) {
  EXPECT_EQ(expected.at("valid"), package.at("valid")) << package["errors"].dump(2);
  if (expected.contains("documents")) {
    json actual = json::array();
    for (const auto& d : package["documents"]) {
      actual.push_back({{"id", d["id"]}, {"edition", d["edition"]}, {"source", d["source"]}, {"variables", d["variables"]}});
    }
    json want = json::array();
    for (const auto& d : expected["documents"]) {
      want.push_back({{"id", d["id"]}, {"edition", d["edition"]}, {"source", d["source"]}, {"variables", d["variables"]}});
    }
    EXPECT_EQ(want.dump(1), actual.dump(1));
  }
  if (expected.contains("review")) {
    ExpectSameEntries(expected["review"], package["review"], {"id", "reason", "attached"}, "review");
  }
  ExpectSameEntries(expected.value("errors", json::array()), package["errors"], {"code", "document", "path"}, "errors");
}

class ResolveCase : public ::testing::Test {
 public:
  ResolveCase(fs::path catalog, fs::path quote, fs::path expected, bool updatable)
      : catalog_(std::move(catalog)), quote_(std::move(quote)), expected_(std::move(expected)), updatable_(updatable) {}

  void TestBody() override {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(catalog_);
    ASSERT_TRUE(load.catalog) << "catalog " << catalog_ << " does not load";
    docgen::Package package = docgen::ResolveText(*load.catalog, ReadFile(quote_));
    json actual = json::parse(docgen::PackageToJson(package).dump());
    if (UpdateMode() && updatable_) {
      WriteFile(expected_, Comparable(actual).dump(2) + "\n");
      return;
    }
    ASSERT_TRUE(fs::exists(expected_)) << "no expected file " << expected_ << " (run with DOCGEN_UPDATE=1 to create it)";
    ComparePackage(json::parse(ReadFile(expected_)), actual);
    // Every package lists an explain entry for every edition of the catalog.
    EXPECT_EQ(actual["explain"].size(), load.catalog->editions.size());
  }

 private:
  fs::path catalog_, quote_, expected_;
  bool updatable_;
};

json Findings(const docgen::Diagnostics& diagnostics) {
  json out = json::array();
  for (const auto& d : diagnostics) {
    out.push_back({{"severity", d.severity == docgen::Severity::kError ? "error" : "warning"},
                   {"code", d.code},
                   {"file", d.file},
                   {"line", d.line}});
  }
  return out;
}

class LintCase : public ::testing::Test {
 public:
  explicit LintCase(fs::path dir) : dir_(std::move(dir)) {}

  void TestBody() override {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(dir_ / "catalog");
    json actual = Findings(load.diagnostics);
    const fs::path expected_path = dir_ / "expected.json";
    if (UpdateMode()) {
      WriteFile(expected_path, actual.dump(2) + "\n");
      return;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "no " << expected_path << " (run with DOCGEN_UPDATE=1 to create it)";
    json expected = json::parse(ReadFile(expected_path));
    ExpectSameEntries(expected, actual, {"severity", "code", "file", "line"}, "findings");
    // A catalog is usable exactly when no finding is an error.
    EXPECT_EQ(load.catalog != nullptr, !docgen::HasErrors(load.diagnostics));
    for (const auto& d : load.diagnostics) {
      EXPECT_FALSE(d.message.empty()) << d.code;
      EXPECT_FALSE(d.file.empty()) << d.code << ": every finding names its file";
    }
  }

 private:
  fs::path dir_;
};

// Every policy of policies.jsonl gives the result on the same line of
// expected.jsonl: policy_id and ok equal, findings matched one-to-one in any
// order on the keys each expected finding gives (message is free text).
// The catalog's own rule tests all pass.
class ValidateCase : public ::testing::Test {
 public:
  ValidateCase(fs::path catalog, fs::path dir, bool updatable)
      : catalog_(std::move(catalog)), dir_(std::move(dir)), updatable_(updatable) {}

  void TestBody() override {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(catalog_);
    ASSERT_TRUE(load.catalog) << "catalog " << catalog_ << " does not load";
    ASSERT_TRUE(fs::exists(dir_ / "policies.jsonl")) << "no " << dir_ / "policies.jsonl";
    std::istringstream in(ReadFile(dir_ / "policies.jsonl"));
    std::ostringstream out;
    docgen::BatchOptions options;
    options.threads = 2;
    options.chunk_lines = 3;  // results must come out in input order across chunks and threads
    docgen::ValidateBatch(*load.catalog, in, out, options);
    const std::vector<std::string> actual = Lines(out.str());
    const fs::path expected_path = dir_ / "expected.jsonl";
    if (UpdateMode() && updatable_) {
      std::string text;
      for (const auto& line : actual) {
        json result = json::parse(line);
        result.erase("catalog");
        for (auto& f : result["findings"]) f.erase("message");
        text += result.dump() + "\n";
      }
      WriteFile(expected_path, text);
      return;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "no " << expected_path << " (run with DOCGEN_UPDATE=1 to create it)";
    const std::vector<std::string> expected = Lines(ReadFile(expected_path));
    ASSERT_FALSE(expected.empty()) << expected_path << " is empty";
    ASSERT_EQ(expected.size(), actual.size()) << "one result per policy line";
    for (size_t i = 0; i < expected.size(); ++i) {
      SCOPED_TRACE("policies.jsonl line " + std::to_string(i + 1));
      const json want = json::parse(expected[i]);
      const json got = json::parse(actual[i]);
      EXPECT_EQ(want.at("policy_id"), got.at("policy_id"));
      EXPECT_EQ(want.at("ok"), got.at("ok")) << got["findings"].dump(1);
      EXPECT_EQ(got["catalog"]["digest"], load.catalog->digest);
      std::set<std::string> keys;
      for (const auto& f : want.at("findings")) {
        for (const auto& [key, unused] : f.items()) keys.insert(key);
      }
      ExpectSameEntries(want["findings"], got["findings"], std::vector<std::string>(keys.begin(), keys.end()), "findings");
      for (const auto& f : got["findings"]) EXPECT_FALSE(f.value("message", "").empty()) << f.dump();
    }
    for (const auto& outcome : docgen::RunRuleTests(*load.catalog)) {
      EXPECT_TRUE(outcome.passed) << "rule " << outcome.rule << ", test \"" << outcome.name << "\"";
    }
  }

 private:
  fs::path catalog_, dir_;
  bool updatable_;
};

std::vector<fs::path> Sorted(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string TestName(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

void RegisterResolveSuite(const std::string& suite, const fs::path& catalog, const fs::path& root, bool updatable) {
  for (const auto& quote : Sorted(root / "quotes")) {
    if (quote.extension() != ".json") continue;
    const fs::path expected = root / "expected" / quote.filename();
    ::testing::RegisterTest(("Resolve_" + TestName(suite)).c_str(), TestName(quote.stem().string()).c_str(), nullptr,
                            nullptr, __FILE__, __LINE__, [=]() -> ::testing::Test* {
                              return new ResolveCase(catalog, quote, expected, updatable);
                            });
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  RegisterResolveSuite("examples", kSource / "examples" / "acme-cyber", kSource / "examples", false);
  for (const auto& suite : Sorted(kSource / "tests" / "cases" / "resolve")) {
    RegisterResolveSuite(suite.filename().string(), suite / "catalog", suite, true);
  }
  for (const auto& dir : Sorted(kSource / "tests" / "cases" / "lint")) {
    ::testing::RegisterTest("Lint", TestName(dir.filename().string()).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [=]() -> ::testing::Test* { return new LintCase(dir); });
  }
  auto register_validate = [](const std::string& name, const fs::path& catalog, const fs::path& dir, bool updatable) {
    ::testing::RegisterTest("Validate", TestName(name).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [=]() -> ::testing::Test* { return new ValidateCase(catalog, dir, updatable); });
  };
  register_validate("examples", kSource / "examples" / "acme-cyber", kSource / "examples" / "validate", false);
  for (const auto& dir : Sorted(kSource / "tests" / "cases" / "validate")) {
    register_validate(dir.filename().string(), dir / "catalog", dir, true);
  }
  return RUN_ALL_TESTS();
}
