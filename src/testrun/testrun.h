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

#include <cstddef>
#include <functional>
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
};

struct RunOptions {
  int jobs = 0;  // worker threads; 0: one per core
  // Called after each variant (from the worker threads, one call at a time).
  std::function<void(size_t done, size_t total)> progress;
};

// Runs every variant of `catalog` against the goldens. The pages of each new or
// changed variant, and the diff images of its changed pages, go to `scratch`
// (PagePath / DiffPath): the report shows them and approval copies them.
RunResult RunTests(const Catalog& catalog, const GoldenManifest& manifest, const PageFolder& goldens, const PageFolder& scratch,
                   const RunOptions& options);

// Makes the run's pages the goldens: new and changed variants' pages are
// copied from `scratch`, every variant that did not fail records its inputs,
// removed variants are dropped. `manifest` is updated and written last, so an
// interrupted approval leaves the previous manifest. With `only` non-empty,
// just the variants (and removed keys) whose key starts with one of its
// prefixes. Empty on success, else the error.
std::string Approve(const RunResult& run, const PageFolder& scratch, const PageFolder& goldens, GoldenManifest& manifest,
                    const std::vector<std::string>& only = {});

}  // namespace docgen::testrun
