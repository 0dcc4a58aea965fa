// Resolution and catalog loading against a synthetic 2,000-edition catalog.
// Resolution has no peer tool to compare with, so the summary prints each
// figure against the budget the foundation issue sets (ratio < 1: within it).
//
//   taskset -c 0 build/release/bench/resolve_bench
#include <docgen/catalog.h>
#include <docgen/resolve.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include "synthetic_catalog.h"

namespace {

constexpr int kEditions = 2000;

const docgen::bench::SyntheticCatalog& Synthetic() {
  static const docgen::bench::SyntheticCatalog catalog = docgen::bench::MakeSyntheticCatalog(kEditions);
  return catalog;
}

const docgen::Catalog& Loaded() {
  static const std::shared_ptr<const docgen::Catalog> catalog = [] {
    docgen::CatalogLoad load = docgen::LoadCatalog(Synthetic().files);
    if (!load.catalog) {
      for (const auto& d : load.diagnostics) std::fprintf(stderr, "%s\n", docgen::FormatDiagnostic(d).c_str());
      std::abort();
    }
    return load.catalog;
  }();
  return *catalog;
}

nlohmann::json TypicalQuote() {
  nlohmann::json quote = {{"quote_id", "Q-1"},      {"transaction", "new"},           {"product", "cyber"},
                          {"jurisdiction", "CA"},   {"agency", "AG-3"},               {"effective_date", "2021-06-01"},
                          {"insured", {{"name", "Blue Harbor Dental LLC"}}}};
  for (const char* code : {"cov_1", "cov_4", "cov_7", "cov_12"}) {
    quote["coverages"].push_back({{"code", code}, {"limit", 1000000}, {"retention", 25000}, {"premium", 1200}});
  }
  // The underwriter fills the variables of the documents the package gets.
  for (const auto& doc : docgen::Resolve(Loaded(), quote).documents) {
    if (!doc.edition_ref->variables_schema.empty()) quote["documents"]["variables"][doc.id] = {{"limit", 250000}};
  }
  return quote;
}

nlohmann::json RenewalQuote() {
  nlohmann::json quote = TypicalQuote();
  quote["transaction"] = "renewal";
  quote["prior"]["quote_id"] = "Q-0";
  int n = 0;
  for (const auto& e : Loaded().editions) {
    if (e.applies_to.products.size() == 1 && e.applies_to.products[0] == "cyber" && n++ < 15) {
      quote["prior"]["documents"].push_back({{"id", e.id}, {"variables", {{"limit", 100000}}}});
    }
  }
  quote.erase("documents");
  return quote;
}

void BM_ResolveTypicalQuote(benchmark::State& state) {
  const docgen::Catalog& catalog = Loaded();
  const nlohmann::json quote = TypicalQuote();
  size_t documents = 0;
  for (auto _ : state) {
    docgen::Package package = docgen::Resolve(catalog, quote);
    documents = package.documents.size();
    benchmark::DoNotOptimize(package);
  }
  state.counters["documents"] = static_cast<double>(documents);
}
BENCHMARK(BM_ResolveTypicalQuote)->Unit(benchmark::kMicrosecond);

void BM_ResolveRenewalWithPrior(benchmark::State& state) {
  const docgen::Catalog& catalog = Loaded();
  const nlohmann::json quote = RenewalQuote();
  for (auto _ : state) benchmark::DoNotOptimize(docgen::Resolve(catalog, quote));
}
BENCHMARK(BM_ResolveRenewalWithPrior)->Unit(benchmark::kMicrosecond);

void BM_ResolveFromJsonTextToJsonText(benchmark::State& state) {
  const docgen::Catalog& catalog = Loaded();
  const std::string text = TypicalQuote().dump();
  for (auto _ : state) {
    std::string out = docgen::PackageToJson(docgen::ResolveText(catalog, text)).dump();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_ResolveFromJsonTextToJsonText)->Unit(benchmark::kMicrosecond);

void BM_LoadAndLintCatalogFromDisk(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("docgen-bench-" + std::to_string(::getpid()));
  for (const auto& [path, bytes] : Synthetic().files) {
    fs::create_directories((dir / path).parent_path());
    std::ofstream(dir / path, std::ios::binary) << bytes;
  }
  for (auto _ : state) {
    docgen::CatalogLoad load = docgen::LoadCatalogDirectory(dir);
    if (!load.catalog) state.SkipWithError("synthetic catalog has lint errors");
    benchmark::DoNotOptimize(load);
  }
  fs::remove_all(dir);
  state.counters["editions"] = kEditions;
}
BENCHMARK(BM_LoadAndLintCatalogFromDisk)->Unit(benchmark::kMillisecond)->Iterations(5);

// Keeps each benchmark's median (or only) real time for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      const bool median = run.aggregate_name == "median";
      if (median || run.run_type == Run::RT_Iteration) {
        const std::string name = run.run_name.function_name;
        if (median || !medians_.count(name)) {
          medians_[name] = run.GetAdjustedRealTime() * UnitSeconds(run.time_unit);
        }
      }
    }
  }
  std::map<std::string, double> medians_;  // seconds

 private:
  static double UnitSeconds(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1e-9;
      case benchmark::kMicrosecond:
        return 1e-6;
      case benchmark::kMillisecond:
        return 1e-3;
      default:
        return 1.0;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  auto line = [&](const char* name, const char* label, double budget_seconds, double scale, const char* unit) {
    auto it = reporter.medians_.find(name);
    if (it == reporter.medians_.end()) return;
    std::printf("%-44s %10.1f %s   budget %6.0f %s   ratio to budget %.3f\n", label, it->second * scale, unit,
                budget_seconds * scale, unit, it->second / budget_seconds);
  };
  std::printf("\nSummary (%d editions; ratio < 1 is within budget)\n", kEditions);
  line("BM_ResolveTypicalQuote", "resolve a typical quote", 200e-6, 1e6, "us");
  line("BM_ResolveRenewalWithPrior", "resolve a renewal with 15 prior documents", 200e-6, 1e6, "us");
  if (auto it = reporter.medians_.find("BM_ResolveFromJsonTextToJsonText"); it != reporter.medians_.end()) {
    std::printf("%-44s %10.1f us   (no budget: JSON text in, package JSON with 2,000 explain entries out)\n",
                "parse + resolve + serialise", it->second * 1e6);
  }
  line("BM_LoadAndLintCatalogFromDisk", "load + lint the catalog from disk", 2.0, 1e3, "ms");
  return 0;
}
