// Rendering speed and memory (issue: rendering). Renders the 3-page policy
// of bench/render/ (the peers' doc.md as a docgen template):
//   warm: one Renderer, many documents, the policy number changed each time;
//   cold: one `docgen render` process per document;
//   large: a 10,000-row schedule table (about 250 pages) in one process.
// Prints each figure and its ratio to the peers recorded in
// bench/peers/recorded.json (or bench/peers/measured.json when present).
//
//   taskset -c 0 build/release/bench/render_bench [--n 50] [--cold 20]
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
  int n = 50, cold_runs = 20;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--cold") == 0) cold_runs = std::atoi(argv[++i]);
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
  auto render_one = [&](int i) {
    quote["quote_id"] = "CYB-2025-" + std::to_string(1000000 + i);
    docgen::Package package = docgen::Resolve(*load.catalog, quote);
    docgen::RenderResult result = renderer.Render(*load.catalog, package, quote);
    if (!result.output || result.output->pages != 3) {
      std::fprintf(stderr, "render failed or not 3 pages\n");
      std::exit(1);
    }
  };
  render_one(-1);
  render_one(-2);
  std::vector<double> warm;
  std::clock_t cpu0 = std::clock();
  const auto loop0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    render_one(i);
    warm.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double loop_s = std::chrono::duration<double>(Clock::now() - loop0).count();
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC / n;
  struct rusage self {};
  getrusage(RUSAGE_SELF, &self);
  const double warm_ms = Median(warm);

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
  double large_ms = 0, large_rss = 0;
  const std::string summary = (large / "summary.txt").string();
  const bool large_ok = Run({binary.string(), "render", "--catalog", large.string(), quote_path.string(), "--out",
                             (large / "out").string()},
                            large_ms, large_rss, summary.c_str());
  // docgen render prints "OUT/package.pdf: N documents, P pages".
  int large_pages = 0;
  const std::string printed = ReadFile(summary);
  if (size_t comma = printed.rfind(", "); comma != std::string::npos) large_pages = std::atoi(printed.c_str() + comma + 2);
  fs::remove_all(out);
  fs::remove_all(large);

  std::printf("docgen render benchmark (3-page policy; peers from %s)\n\n", peers_file.filename().c_str());
  std::printf("warm: %.2f ms/doc median (p10 %.2f, p90 %.2f), %.2f ms CPU/doc, %.0f docs/s, peak RSS %.0f MB (n=%d)\n",
              warm_ms, Percentile(warm, 0.1), Percentile(warm, 0.9), cpu_ms, n / loop_s,
              static_cast<double>(self.ru_maxrss) / 1024.0, n);
  PrintRatios(peers, "warm_ms_per_doc", warm_ms, "ms");
  std::printf("  target: at most 8 ms/doc -> %s\n\n", warm_ms <= 8 ? "met" : "NOT met");
  std::printf("cold: %.1f ms per `docgen render` process median (min %.1f, max %.1f), peak RSS %.0f MB (n=%d)\n", cold_ms,
              *std::min_element(cold.begin(), cold.end()), *std::max_element(cold.begin(), cold.end()), Median(cold_rss),
              cold_runs);
  PrintRatios(peers, "cold_ms_per_doc", cold_ms, "ms");
  PrintRatios(peers, "peak_rss_mb_cold", Median(cold_rss), "MB");
  std::printf("  target: at most 60 ms/process -> %s\n\n", cold_ms <= 60 ? "met" : "NOT met");
  std::printf("large: 10,000-row table, %d pages: %.0f ms, peak RSS %.0f MB%s\n", large_pages, large_ms, large_rss,
              large_ok ? "" : " (FAILED)");
  std::printf("  target: under 5,000 ms and 300 MB -> %s\n", large_ok && large_ms < 5000 && large_rss < 300 ? "met" : "NOT met");
  return 0;
}
