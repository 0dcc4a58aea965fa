#include "cli/validate_commands.h"

#include <docgen/catalog.h>
#include <docgen/validate.h>


#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/exit_codes.h"
#include "cli/support.h"
#include "validate/batch.h"


namespace docgen::cli {
namespace {


std::string SummaryText(const ValidationSummary& s, double seconds) {
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s, %s policies/s", seconds,
                Thousands(seconds > 0 ? static_cast<long long>(static_cast<double>(s.policies) / seconds) : s.policies).c_str());
  std::string text = "validated " + Thousands(s.policies) + " policies (" + rate + "): " + Thousands(s.ok) + " ok";
  if (s.with_warnings > 0) text += " (" + Thousands(s.with_warnings) + " with warnings only)";
  text += ", " + Thousands(s.with_errors) + " with errors\n";
  if (!s.findings_by_code.empty()) {
    text += "findings by code:\n";
    for (const auto& [code, n] : s.findings_by_code) text += "  " + code + std::string(code.size() < 22 ? 22 - code.size() : 1, ' ') + Thousands(n) + "\n";
  }
  return text;
}

}  // namespace

int ValidateCommand(const ValidateArgs& args) {
  std::ifstream file;
  long long total_bytes = 0;
  if (args.input != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(args.input, ec)) {
      std::cerr << "docgen: " << args.input << " is a folder; give a JSON Lines file of policies, or - for standard input\n";
      return kExitInvalid;
    }
    file.open(args.input, std::ios::binary);
    if (!file) {
      std::cerr << "docgen: cannot read policies file " << args.input << "\n";
      return kExitInvalid;
    }
    const auto size = std::filesystem::file_size(args.input, ec);
    if (!ec) total_bytes = static_cast<long long>(size);
  }
  auto catalog = LoadCatalogOrExplain(args.catalog);
  if (!catalog) return kExitInvalid;
  std::istream& in = args.input == "-" ? std::cin : file;
  std::ios::sync_with_stdio(false);

  ProgressLine progress("validating");
  BatchOptions options;
  options.threads = args.threads;
  options.progress = [&](const BatchProgress& p) {
    progress.Update(p.policies, "policies", total_bytes > 0 ? static_cast<double>(p.bytes_read) / static_cast<double>(total_bytes) : -1);
  };
  const auto start = std::chrono::steady_clock::now();
  std::ostream null_out(nullptr);
  BatchOutcome outcome = ValidateBatch(*catalog, in, args.format == "summary" ? null_out : std::cout, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (file.is_open() && file.bad()) {
    std::cerr << "docgen: reading " << args.input << " failed\n";
    return kExitFailure;
  }
  const std::string summary = SummaryText(outcome.summary, seconds);
  (args.format == "summary" ? std::cout : std::cerr) << summary << std::flush;
  return outcome.summary.with_errors > 0 ? kExitFound : kExitOk;
}

int ValidatorTestCommand(const std::string& catalog_dir, const std::string& rule) {
  auto catalog = LoadCatalogOrExplain(catalog_dir);
  if (!catalog) return kExitInvalid;
  if (!rule.empty() && catalog->FindRule(rule) == nullptr) {
    std::cerr << "docgen: the catalog has no rule \"" << rule << "\"";
    if (!catalog->rules.empty()) {
      std::cerr << " (its rules:";
      for (const auto& r : catalog->rules) std::cerr << " " << r.id;
      std::cerr << ")";
    }
    std::cerr << "\n";
    return kExitInvalid;
  }
  auto outcomes = RunRuleTests(*catalog, rule);
  int failed = 0;
  for (const auto& o : outcomes) {
    std::cout << (o.passed ? "pass  " : "FAIL  ") << o.rule << ": " << o.name << "\n";
    if (o.passed) continue;
    ++failed;
    std::cout << "      expected " << (o.expect_violation ? "a violation, but the rule was not broken" : "no violation, but the rule was broken")
              << "\n";
    for (const auto& f : o.result.findings) std::cout << "      " << f.code << ": " << f.message << "\n";
  }
  std::cout << outcomes.size() << " tests of " << (rule.empty() ? std::to_string(catalog->rules.size()) + " rules" : "rule " + rule)
            << ": " << (outcomes.size() - static_cast<size_t>(failed)) << " passed, " << failed << " failed\n";
  return failed > 0 ? kExitFound : kExitOk;
}

}  // namespace docgen::cli
