#include "cli/testrun_commands.h"

#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/support.h"
#include "testrun/goldens.h"
#include "testrun/report.h"
#include "testrun/testrun.h"

namespace docgen::cli {
namespace {

// A private temporary folder for the run's new pages and diffs, removed with its contents.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "docgen-testrun-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

nlohmann::ordered_json RunToJson(const testrun::RunResult& run) {
  nlohmann::ordered_json out;
  const testrun::Counts& c = run.counts;
  out["counts"] = {{"same", c.same}, {"changed", c.changed}, {"new", c.added}, {"failed", c.failed}, {"removed", c.removed}};
  auto& variants = out["variants"] = nlohmann::ordered_json::array();
  for (const auto& v : run.variants) {
    nlohmann::ordered_json j;
    j["key"] = v.key;
    j["status"] = testrun::ToString(v.status);
    j["pages"] = v.pages;
    if (v.status == testrun::Status::kChanged) {
      j["changed_pages"] = v.changed_pages;
      j["changed_share"] = v.changed_share;
    }
    if (v.status == testrun::Status::kFailed) j["error"] = v.error;
    j["rendered"] = v.rendered;
    variants.push_back(std::move(j));
  }
  out["removed"] = run.removed;
  out["seconds"] = run.seconds;
  return out;
}

void PrintText(const testrun::RunResult& run) {
  for (const auto& v : run.variants) {
    if (v.status == testrun::Status::kSame) continue;
    std::cout << testrun::ToString(v.status) << " " << v.key;
    if (v.status == testrun::Status::kChanged) {
      std::cout << " (page";
      if (v.changed_pages.size() > 1) std::cout << "s";
      for (size_t i = 0; i < v.changed_pages.size(); ++i) std::cout << (i ? ", " : " ") << v.changed_pages[i];
      std::cout << ")";
    }
    std::cout << "\n";
    if (v.status == testrun::Status::kFailed) {
      std::string line;
      for (std::istringstream lines(v.error); std::getline(lines, line);) std::cout << "  " << line << "\n";
    }
  }
  for (const auto& key : run.removed) std::cout << "removed " << key << "\n";
  const testrun::Counts& c = run.counts;
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f s, %s variants/s", run.seconds,
                Thousands(run.seconds > 0 ? static_cast<long long>(static_cast<double>(run.variants.size()) / run.seconds) : 0).c_str());
  std::cout << Thousands(static_cast<long long>(run.variants.size())) << " variants (" << rate << "): " << c.same << " same, " << c.changed
            << " changed, " << c.added << " new, " << c.failed << " failed, " << c.removed << " removed\n";
}

}  // namespace

int TestRunCommand(const TestRunArgs& args) {
  std::error_code ec;
  if (std::filesystem::exists(args.goldens, ec) && !std::filesystem::is_directory(args.goldens, ec)) {
    std::cerr << "docgen: --goldens " << args.goldens << " is not a folder\n";
    return kExitInvalid;
  }
  auto catalog = LoadCatalogOrExplain(args.catalog);
  if (!catalog) return kExitInvalid;
  testrun::ManifestRead read = testrun::ReadManifest(args.goldens);
  if (!read.error.empty()) {
    std::cerr << "docgen: " << read.error << "\n";
    return kExitInvalid;
  }
  ScratchFolder scratch;
  if (scratch.path().empty()) {
    std::cerr << "docgen: cannot make a temporary folder in " << std::filesystem::temp_directory_path(ec).string() << "\n";
    return kExitFailure;
  }
  const testrun::PageFolder goldens(args.goldens), pages(scratch.path());

  Interrupts interrupts;  // before the run's threads start: Ctrl-C stops it, and the scratch folder goes
  testrun::RunOptions options;
  options.jobs = args.jobs;
  options.on_result = [&](size_t, const testrun::VariantResult&) {
    return interrupts.interrupted() ? Status::Unavailable("interrupted") : Status::Ok();
  };
  ProgressLine progress("testing");
  options.progress = [&](size_t done, size_t total) {
    progress.Update(static_cast<long long>(done), "variants", total ? static_cast<double>(done) / static_cast<double>(total) : 1.0);
  };
  testrun::FolderPages folders(goldens, pages);
  testrun::RunResult run = testrun::RunTests(*catalog, read.manifest, folders, options);
  progress.Finish();
  if (!run.stopped.ok() || interrupts.interrupted()) {  // also a Ctrl-C after the last variant: nothing approved
    std::cerr << "docgen: interrupted; nothing was reported or approved\n";
    return kExitInterrupted;
  }

  if (args.format == "json") {
    std::cout << RunToJson(run).dump() << "\n";
  } else {
    PrintText(run);
  }
  if (!args.report.empty()) {
    const std::string html = testrun::HtmlReport(run, "Test run of " + catalog->name, goldens, pages);
    if (std::string error = testrun::WriteFileWhole(args.report, html); !error.empty()) {
      std::cerr << "docgen: cannot write the report: " << error << "\n";
      return kExitFailure;
    }
  }
  if (args.approve || !args.approve_only.empty()) {
    if (std::string error = testrun::Approve(run, pages, goldens, read.manifest, args.approve_only); !error.empty()) {
      std::cerr << "docgen: approval failed: " << error << "\n";
      return kExitFailure;
    }
    std::cerr << "approved" << (args.approve_only.empty() ? "" : " (only the keys given)") << ": " << args.goldens << " now holds the pages of " << Thousands(static_cast<long long>(read.manifest.size()))
              << " variants" << (run.counts.failed ? " (failed variants keep their previous goldens)" : "") << "\n";
  }
  return run.counts.NotSame() == 0 ? kExitOk : kExitFound;
}

}  // namespace docgen::cli
