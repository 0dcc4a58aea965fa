// What several commands share: loading a catalog folder (its findings on
// standard error), numbers for people, and a progress line.
#pragma once

#include <docgen/catalog.h>

#include <chrono>
#include <memory>
#include <string>

namespace docgen::cli {

// The catalog, or null after printing every finding and a last line saying it cannot be used.
std::shared_ptr<const Catalog> LoadCatalogOrExplain(const std::string& dir);

// 1234567 -> "1,234,567"
std::string Thousands(long long n);

// A one-line progress bar on standard error, redrawn at most every 200 ms and
// erased at the end. Off when standard error is not a terminal (logs and
// pipes stay clean).
class ProgressLine {
 public:
  explicit ProgressLine(std::string verb);  // "validating", "testing"
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `count` things done (named `noun`), `fraction` of the whole done (negative: unknown).
  void Update(long long count, const char* noun, double fraction);
  // Erases the line (before printing results); later updates draw nothing.
  void Finish();

 private:
  std::string verb_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
};

}  // namespace docgen::cli
