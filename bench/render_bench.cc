// Rendering speed and memory (issue: rendering). Renders the 3-page policy
// of bench/render/ (the peers' doc.md as a docgen template):
//   warm: one Renderer, many documents, the policy number changed each time;
//   cold: one `docgen render` process per document;
//   large: a 10,000-row schedule table (about 300 pages), written out in the
//     template, in one `docgen render` process;
//   huge: a 100,000-row table (about 3,000 pages) from a section over the
//     quote's locations (a template is at most 1 MiB), in one process.
// Prints each figure, its ratio to the peers recorded in
// bench/peers/recorded.json (or bench/peers/measured.json when present), and
// the targets of issue 16.
//
//   taskset -c 0 build/release/bench/render_bench [--n 50] [--cold 20] [--huge 0]
// (--huge 0 skips the 100,000-row table, about 10 s.)
#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

// Runs a command; returns wall milliseconds and the child's peak RSS in MB.
bool Run(const std::vector<std::string>& args, double& ms, double& rss_mb, const char* stdout_path = "/dev/null") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto start = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return false;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
  posix_spawn_file_actions_destroy(&actions);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void PrintRatios(const nlohmann::json& peers, const char* key, double ours, const char* unit) {
  if (!peers.contains(key)) return;
  for (const auto& [tool, value] : peers[key].items()) {
    const double theirs = value.get<double>();
    std::printf("    vs %-28s %8.1f %s  -> docgen is %.1fx %s\n", tool.c_str(), theirs, unit,
                ours > 0 ? theirs / ours : 0.0, theirs >= ours ? "faster/smaller" : "slower/larger");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int n = 50, cold_runs = 20, huge = 1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::max(1, std::atoi(argv[++i]));
    if (std::strcmp(argv[i], "--cold") == 0) cold_runs = std::max(1, std::atoi(argv[++i]));
    if (std::strcmp(argv[i], "--huge") == 0) huge = std::atoi(argv[++i]);
  }
  const fs::path source = DOCGEN_SOURCE_DIR;
  const fs::path binary = DOCGEN_BINARY;
  const fs::path catalog_dir = source / "bench" / "render" / "catalog";
  const fs::path quote_path = source / "bench" / "render" / "quote.json";
  docgen::CatalogLoad load = docgen::LoadCatalogDirectory(catalog_dir);
  if (!load.catalog) {
    std::fprintf(stderr, "bench catalog does not load\n");
    return 1;
  }
  nlohmann::json quote = nlohmann::json::parse(ReadFile(quote_path));
  const fs::path peers_file = fs::exists(source / "bench/peers/measured.json") ? source / "bench/peers/measured.json"
                                                                               : source / "bench/peers/recorded.json";
  const nlohmann::json peers = nlohmann::json::parse(ReadFile(peers_file));

  // Warm.
  docgen::Renderer renderer;
  auto render_one = [&](int i, const docgen::Catalog& catalog) {
    quote["quote_id"] = "CYB-2025-" + std::to_string(1000000 + i);
    docgen::Package package = docgen::Resolve(catalog, quote);
    docgen::RenderResult result = renderer.Render(catalog, package, quote);
    if (!result.output || result.output->pages != 3) {
      std::fprintf(stderr, "render failed or not 3 pages\n");
      std::exit(1);
    }
  };
  render_one(-1, *load.catalog);
  render_one(-2, *load.catalog);
  std::vector<double> warm;
  std::clock_t cpu0 = std::clock();
  const auto loop0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    render_one(i, *load.catalog);
    warm.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double loop_s = std::chrono::duration<double>(Clock::now() - loop0).count();
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC / n;
  struct rusage self {};
  getrusage(RUSAGE_SELF, &self);
  const double warm_ms = Median(warm);

  // Tagged (pdf: {tagged: true}), in pairs with untagged renders: what
  // turning tagging on by default would cost.
  const fs::path tagged_dir = fs::temp_directory_path() / ("docgen-tagged-" + std::to_string(::getpid()));
  fs::copy(catalog_dir, tagged_dir, fs::copy_options::recursive);
  {
    std::string yaml = ReadFile(tagged_dir / "catalog.yaml");
    yaml.replace(yaml.find("defaults:\n"), std::string("defaults:\n").size(), "defaults:\n  pdf: {tagged: true}\n");
    std::ofstream(tagged_dir / "catalog.yaml") << yaml;
  }
  const docgen::CatalogLoad tagged_load = docgen::LoadCatalogDirectory(tagged_dir);
  fs::remove_all(tagged_dir);
  if (!tagged_load.catalog) {
    std::fprintf(stderr, "the tagged copy of the bench catalog does not load\n");
    return 1;
  }
  const docgen::Catalog& tagged_catalog = *tagged_load.catalog;
  render_one(-3, tagged_catalog);
  std::vector<double> tagged_ratio, tagged_ms;
  for (int i = 0; i < std::max(1, n / 2); ++i) {
    const auto t0 = Clock::now();
    render_one(i, *load.catalog);
    const auto t1 = Clock::now();
    render_one(i, tagged_catalog);
    const auto t2 = Clock::now();
    tagged_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    tagged_ratio.push_back(std::chrono::duration<double>(t2 - t1).count() / std::chrono::duration<double>(t1 - t0).count());
  }

  // Cold.
  std::vector<double> cold, cold_rss;
  const fs::path out = fs::temp_directory_path() / ("docgen-render-bench-" + std::to_string(::getpid()));
  for (int i = 0; i < cold_runs; ++i) {
    double ms = 0, rss = 0;
    if (!Run({binary.string(), "render", "--catalog", catalog_dir.string(), quote_path.string(), "--out", out.string()}, ms,
             rss)) {
      std::fprintf(stderr, "docgen render failed\n");
      return 1;
    }
    cold.push_back(ms);
    cold_rss.push_back(rss);
  }
  const double cold_ms = Median(cold);

  // Large: a 10,000-row schedule.
  const fs::path large = fs::temp_directory_path() / ("docgen-large-" + std::to_string(::getpid()));
  fs::create_directories(large / "documents");
  fs::create_directories(large / "templates");
  std::ofstream(large / "catalog.yaml") << "name: Large\nproducts: [cyber]\njurisdictions: [OH]\ncoverages: [{code: network_security}]\n";
  std::ofstream(large / "documents" / "SCHEDULE.yaml")
      << "id: SCHEDULE\ntitle: Schedule of Locations\nkind: form\nedition: '1'\nattach: {new: yes}\ntemplate: templates/schedule.md\n";
  {
    std::ofstream t(large / "templates" / "schedule.md");
    t << "---\nfooter: \"Page {{page}} of {{pages}}\"\n---\n# Schedule of Locations for {{quote.insured.name}}\n\n"
         "| # | Location | Address | Limit | Premium |\n|--:|---|---|--:|--:|\n";
    for (int i = 1; i <= 10000; ++i) {
      t << "| " << i << " | Location " << i << " | " << (100 + i % 900) << " Industrial Parkway, Columbus, OH 432" << (i % 90 + 10)
        << " | $" << (i % 50 + 1) * 10000 << " | $" << (i % 97 + 3) * 11 << " |\n";
    }
  }
  // Runs `docgen render` on a catalog; its time, peak RSS and pages ("OUT/package.pdf: N documents, P pages").
  auto render_process = [&](const fs::path& catalog, const fs::path& quote_file, const fs::path& dir, double& ms, double& rss,
                            int& pages) {
    const std::string summary = (dir / "summary.txt").string();
    const bool ok = Run({binary.string(), "render", "--catalog", catalog.string(), quote_file.string(), "--out", (dir / "out").string()},
                        ms, rss, summary.c_str());
    const std::string printed = ReadFile(summary);
    if (size_t comma = printed.rfind(", "); comma != std::string::npos) pages = std::atoi(printed.c_str() + comma + 2);
    return ok;
  };
  double large_ms = 0, large_rss = 0, huge_ms = 0, huge_rss = 0;
  int large_pages = 0, huge_pages = 0;
  const bool large_ok = render_process(large, quote_path, large, large_ms, large_rss, large_pages);
  // Huge: 100,000 rows from the quote. Made after the large table ran, and
  // written row by row: a child's peak RSS counts this process's (posix_spawn
  // shares its memory until exec), so this process stays small.
  const fs::path huge_dir = fs::temp_directory_path() / ("docgen-huge-" + std::to_string(::getpid()));
  if (huge != 0) {
    fs::create_directories(huge_dir / "catalog" / "documents");
    fs::create_directories(huge_dir / "catalog" / "templates");
    fs::copy_file(large / "catalog.yaml", huge_dir / "catalog" / "catalog.yaml");
    fs::copy_file(large / "documents" / "SCHEDULE.yaml", huge_dir / "catalog" / "documents" / "SCHEDULE.yaml");
    std::ofstream(huge_dir / "catalog" / "templates" / "schedule.md")
        << "---\nfooter: \"Page {{page}} of {{pages}}\"\n---\n# Schedule of Locations for {{quote.insured.name}}\n\n"
           "| # | Location | Address | Limit | Premium |\n|--:|---|---|--:|--:|\n{{#quote.locations}}\n"
           "| {{n}} | Location {{n}} | {{street}}, Columbus, OH {{zip}} | ${{limit}} | ${{premium}} "
           "|\n{{/quote.locations}}\n";
    nlohmann::json huge_quote = quote;
    huge_quote["locations"] = nlohmann::json::array();
    const std::string text = huge_quote.dump();
    const size_t empty = text.find("\"locations\":[]");
    if (empty == std::string::npos) {
      std::fprintf(stderr, "the quote has no empty locations to fill\n");
      return 1;
    }
    const size_t at = empty + std::strlen("\"locations\":[");
    std::ofstream file(huge_dir / "quote.json");
    file << text.substr(0, at);
    for (int i = 1; i <= 100000; ++i) {
      file << (i > 1 ? "," : "")
           << nlohmann::json{{"n", i},
                             {"street", std::to_string(100 + i % 900) + " Industrial Parkway"},
                             {"zip", "432" + std::to_string(i % 90 + 10)},
                             {"limit", (i % 50 + 1) * 10000},
                             {"premium", (i % 97 + 3) * 11}}
                  .dump();
    }
    file << text.substr(at);
  }
  const bool huge_ok = huge != 0 && render_process(huge_dir / "catalog", huge_dir / "quote.json", huge_dir, huge_ms, huge_rss, huge_pages);
  fs::remove_all(out);
  fs::remove_all(large);
  fs::remove_all(huge_dir);

  std::printf("docgen render benchmark (3-page policy; peers from %s)\n\n", peers_file.filename().c_str());
  std::printf("warm: %.2f ms/doc median (p10 %.2f, p90 %.2f), %.2f ms CPU/doc, %.0f docs/s, peak RSS %.0f MB (n=%d)\n",
              warm_ms, Percentile(warm, 0.1), Percentile(warm, 0.9), cpu_ms, n / loop_s,
              static_cast<double>(self.ru_maxrss) / 1024.0, n);
  PrintRatios(peers, "warm_ms_per_doc", warm_ms, "ms");
  // Issue 16's targets, as ratios to the peers of the same file.
  auto peer = [&](const char* key, const char* tool) {
    return peers.contains(key) && peers[key].contains(tool) ? peers[key][tool].get<double>() : 0.0;
  };
  auto verdict = [](bool met) { return met ? "met" : "NOT met"; };
  const double typst_warm = peer("warm_ms_per_doc", "Typst");
  std::printf("  target: 10x Typst's warm time (%.1f ms) -> %.1fx, %s\n", typst_warm / 10, typst_warm / warm_ms,
              verdict(typst_warm / warm_ms >= 10));
  std::printf("  tagged for screen readers: %.2f ms/doc median, %.2fx an untagged render (median of %zu pairs)\n\n",
              Median(tagged_ms), Median(tagged_ratio), tagged_ratio.size());
  std::printf("cold: %.1f ms per `docgen render` process median (min %.1f, max %.1f), peak RSS %.0f MB (n=%d)\n", cold_ms,
              *std::min_element(cold.begin(), cold.end()), *std::max_element(cold.begin(), cold.end()), Median(cold_rss),
              cold_runs);
  PrintRatios(peers, "cold_ms_per_doc", cold_ms, "ms");
  PrintRatios(peers, "peak_rss_mb_cold", Median(cold_rss), "MB");
  const double weasy_cold = peer("cold_ms_per_doc", "WeasyPrint"), typst_cold = peer("cold_ms_per_doc", "Typst");
  std::printf("  target: 15x WeasyPrint (%.1fx) and 4x Typst (%.1fx) -> %s\n\n", weasy_cold / cold_ms, typst_cold / cold_ms,
              verdict(weasy_cold / cold_ms >= 15 && typst_cold / cold_ms >= 4));
  std::printf("large: 10,000-row table, %d pages: %.0f ms, peak RSS %.0f MB%s\n", large_pages, large_ms, large_rss,
              large_ok ? "" : " (FAILED)");
  std::printf("  target: under 1,000 ms and 100 MB -> %s\n", verdict(large_ok && large_ms < 1000 && large_rss < 100));
  if (huge != 0) {
    std::printf("huge: 100,000-row table from the quote, %d pages: %.0f ms, peak RSS %.0f MB%s\n", huge_pages, huge_ms, huge_rss,
                huge_ok ? "" : " (FAILED)");
    std::printf("  target: under 10,000 ms -> %s; peak memory %.1fx the 10,000-row table's for 10x the rows (the target:\n"
                "  pages drawn and let go as they are laid out, so that it does not grow with the rows)\n",
                verdict(huge_ok && huge_ms < 10000), large_rss > 0 ? huge_rss / large_rss : 0.0);
  }
  return 0;
}
