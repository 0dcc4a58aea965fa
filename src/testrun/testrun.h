// A test run (SPEC §8): every variant rendered alone, rasterised and compared
// with its golden pages. Renders reuse the pipeline's Renderer (one per
// worker thread); nothing here knows about files beyond the two PageFolders.
//
// Work is skipped where it cannot change the answer: a variant whose inputs
// (template, edition, sample, catalog defaults and assets, renderer and
// fonts) match its golden's is `same` without rendering, and a PDF whose
// bytes match the golden's is `same` without rasterising.
#pragma once

#include <docgen/catalog.h>
#include <docgen/status.h>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "testrun/goldens.h"

namespace docgen::testrun {

enum class Status { kSame, kChanged, kNew, kFailed };
const char* ToString(Status status);  // same | changed | new | failed

struct VariantResult {
  std::string key;
  Status status = Status::kFailed;
  int pages = 0;
  std::vector<int> changed_pages;  // 1-based; pages only one side has count as changed
  double changed_share = 0;        // changed pixels / pixels, over every page of the variant
  std::string error;               // failed: what the render said, one finding a line
  std::string pdf_sha256;
  std::string inputs;              // digest of what the variant is made from
  bool rendered = false;           // false: its inputs matched the golden's, nothing was drawn
  std::vector<std::string> kept_pages;  // new, changed: the names PageStore::Keep gave its pages
  std::vector<std::string> kept_diffs;  // changed: the diff image's name per page ("" for a page that did not change)
};

struct Counts {
  int same = 0, changed = 0, added = 0, failed = 0, removed = 0;  // `added`: status new
  int NotSame() const { return changed + added + failed + removed; }
};

struct RunResult {
  std::vector<VariantResult> variants;  // in enumeration order
  std::vector<std::string> removed;     // golden keys that are no longer a variant
  Counts counts;
  double seconds = 0;
  // Why the run stopped before its end (RunOptions::on_result refused, or
  // PageStore::Keep met an outage); ok when every variant has its result.
  docgen::Status stopped = docgen::Status::Ok();
};

// Where a run reads golden pages and keeps the pages it draws: a goldens
// folder and a scratch folder on the command line (FolderPages), the blob
// store in the service. Called from the run's worker threads at once.
class PageStore {
 public:
  virtual ~PageStore() = default;
  // The golden PNG of page `page` (1-based) of variant `key`; nullopt when
  // missing (it compares as a blank page). kUnavailable stops the run.
  virtual Result<std::optional<std::string>> Golden(const std::string& key, const GoldenEntry& golden, int page) const = 0;
  // Keeps a new page (`kind` "page") or a diff image ("diff"); returns its
  // name. kUnavailable stops the run (an outage, not the variant's fault);
  // any other error makes the variant failed.
  virtual Result<std::string> Keep(const std::string& key, const char* kind, int page, const std::string& png) = 0;
};

// Goldens in a folder (goldens.json's pages), a run's pages and diffs in `scratch` (PagePath / DiffPath).
class FolderPages final : public PageStore {
 public:
  FolderPages(const PageFolder& goldens, const PageFolder& scratch) : goldens_(goldens), scratch_(scratch) {}
  Result<std::optional<std::string>> Golden(const std::string& key, const GoldenEntry& golden, int page) const override;
  Result<std::string> Keep(const std::string& key, const char* kind, int page, const std::string& png) override;

 private:
  const PageFolder& goldens_;
  const PageFolder& scratch_;
};

struct RunOptions {
  int jobs = 0;  // worker threads; 0: one per core
  // Called after each variant (from the worker threads, one call at a time).
  std::function<void(size_t done, size_t total)> progress;
  // Results an earlier attempt at this run recorded, by key: taken as they
  // are, not rendered again (a run resumed after its process died).
  std::map<std::string, VariantResult> earlier;
  // Called with each new result (`index` in enumeration order) before
  // `progress`, one call at a time; an error stops the run (RunResult::stopped).
  std::function<docgen::Status(size_t index, const VariantResult& result)> on_result;
};

// Runs every variant of `catalog` against the goldens of `manifest`. The
// pages of each new or changed variant, and the diff images of its changed
// pages, are kept in `pages`: the report shows them and approval copies them.
RunResult RunTests(const Catalog& catalog, const GoldenManifest& manifest, PageStore& pages, const RunOptions& options);

// Makes the run's pages the goldens: new and changed variants' pages are
// copied from `scratch`, every variant that did not fail records its inputs,
// removed variants are dropped. `manifest` is updated and written last, so an
// interrupted approval leaves the previous manifest. With `only` non-empty,
// just the variants (and removed keys) whose key starts with one of its
// prefixes. Empty on success, else the error.
std::string Approve(const RunResult& run, const PageFolder& scratch, const PageFolder& goldens, GoldenManifest& manifest,
                    const std::vector<std::string>& only = {});

}  // namespace docgen::testrun
