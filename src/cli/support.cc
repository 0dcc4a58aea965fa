#include "cli/support.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

namespace docgen::cli {

std::shared_ptr<const Catalog> LoadCatalogOrExplain(const std::string& dir) {
  CatalogLoad load = LoadCatalogDirectory(dir);
  if (!load.catalog) {
    for (const auto& d : load.diagnostics) std::cerr << FormatDiagnostic(d) << "\n";
    std::cerr << "docgen: the catalog " << dir << " has errors and cannot be used\n";
  }
  return load.catalog;
}

std::string Thousands(long long n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ProgressLine::ProgressLine(std::string verb) : verb_(std::move(verb)), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Finish() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
  enabled_ = false;
}

void ProgressLine::Update(long long count, const char* noun, double fraction) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = verb_ + ": " + Thousands(count) + " " + noun;
  if (fraction >= 0) {
    const int percent = std::min(100, static_cast<int>(100.0 * fraction));
    const int filled = percent * 30 / 100;
    line = "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] " + std::to_string(percent) + "%  " + line;
  }
  if (seconds > 0) line += ", " + Thousands(static_cast<long long>(static_cast<double>(count) / seconds)) + "/s";
  std::cerr << "\r\033[K" << line << std::flush;
}

}  // namespace docgen::cli
