// A goldens folder: the approved pages of every variant, as plain files a
// team can commit (SPEC §8).
//
//   GOLDENS/goldens.json            {"format": "docgen-goldens/1", "variants": {KEY: {"pages", "pdf_sha256", "inputs"}}}
//   GOLDENS/KEY/page-1.png ...      the approved pages (KEY is ID@EDITION/PRODUCT/JURISDICTION/N)
//
// The same layout (without the manifest) holds a run's new pages and diff
// images while the run lasts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace docgen::testrun {

struct GoldenEntry {
  int pages = 0;
  std::string pdf_sha256;  // of the approved PDF: the same bytes need no pixel comparison
  std::string inputs;      // digest of what made it (template, edition, sample, renderer, fonts)
  std::vector<std::string> blobs;  // in the service: the blob name of each page (a folder's pages are files)
};

using GoldenManifest = std::map<std::string, GoldenEntry>;

struct ManifestRead {
  GoldenManifest manifest;
  std::string error;  // set when goldens.json exists but is not a goldens manifest
};

// A missing folder or manifest reads as no goldens.
ManifestRead ReadManifest(const std::filesystem::path& folder);
// The manifest's text; `where` names it in errors.
ManifestRead ParseManifest(const std::string& text, const std::string& where);

// Writes goldens.json whole (a temporary file, flushed to disk, renamed over
// it). Empty on success, else the error.
std::string WriteManifest(const std::filesystem::path& folder, const GoldenManifest& manifest);

// Writes a file whole: a temporary file beside it (flushed to disk first
// with `sync`), then renamed over it (its folder made when missing). Empty on
// success, else the error.
std::string WriteFileWhole(const std::filesystem::path& file, const std::string& bytes, bool sync = false);


// PNG files by variant key: KEY/page-N.png and KEY/diff-N.png.
class PageFolder {
 public:
  explicit PageFolder(std::filesystem::path root) : root_(std::move(root)) {}
  const std::filesystem::path& root() const { return root_; }

  std::filesystem::path PagePath(const std::string& key, int page) const { return Path(key, "page", page); }
  std::filesystem::path DiffPath(const std::string& key, int page) const { return Path(key, "diff", page); }
  std::optional<std::string> Read(const std::filesystem::path& file) const;
  // Writes a file whole (temporary file, then rename). Empty on success, else the error.
  std::string Write(const std::filesystem::path& file, const std::string& bytes) const;

 private:
  std::filesystem::path Path(const std::string& key, const char* kind, int page) const;
  std::filesystem::path root_;
};

}  // namespace docgen::testrun
