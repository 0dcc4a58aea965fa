// The only part of the catalog stage that touches the file system.
#include <docgen/catalog.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace docgen {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 32u << 20;
constexpr size_t kMaxFiles = 100000;

Diagnostic ReadError(const std::string& file, std::string message) {
  Diagnostic d;
  d.code = "unreadable_file";
  d.file = file;
  d.message = std::move(message);
  return d;
}

// True when `path` (resolved, symlinks followed) lies inside `root` (canonical).
bool Inside(const std::filesystem::path& root, const std::filesystem::path& path) {
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::canonical(path, ec);
  if (ec) return false;
  auto r = root.begin();
  auto p = resolved.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == resolved.end() || *p != *r) return false;
  }
  return true;
}

void ReadTree(const std::filesystem::path& root, const std::filesystem::path& canonical_root, const std::string& folder,
              bool recursive, CatalogRead& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = root / folder;
  if (!fs::is_directory(dir, ec)) return;
  auto options = fs::directory_options::skip_permission_denied;
  std::vector<fs::path> paths;
  if (recursive) {
    for (auto it = fs::recursive_directory_iterator(dir, options, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) paths.push_back(it->path());
      if (paths.size() > kMaxFiles) break;
    }
  } else {
    for (auto it = fs::directory_iterator(dir, options, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) paths.push_back(it->path());
    }
  }
  if (ec) out.diagnostics.push_back(ReadError(folder + "/", "Cannot list this folder: " + ec.message() + "."));
  for (const auto& path : paths) {
    // Lexically, so that a symlinked file keeps its name inside the catalog.
    std::string relative = path.lexically_relative(root).lexically_normal().generic_string();
    if (relative.empty()) continue;
    bool hidden = relative[0] == '.' || relative.find("/.") != std::string::npos;
    if (hidden) continue;
    if (!recursive && relative != "catalog.yaml") continue;  // only catalog.yaml is taken from the top level
    // A symbolic link (the file or a folder above it) may point anywhere
    // inside the catalog folder, never out of it: its bytes would be printed
    // into PDFs or published with the catalog.
    if (!Inside(canonical_root, path)) {
      Diagnostic d;
      d.code = "outside_catalog";
      d.file = relative;
      d.message = "This file is a symbolic link (or lies in a linked folder) that leads outside the catalog folder; it is not read.";
      out.diagnostics.push_back(std::move(d));
      continue;
    }
    auto size = fs::file_size(path, ec);
    if (ec || size > kMaxFileBytes) {
      out.diagnostics.push_back(ReadError(relative, ec ? "Cannot read this file: " + ec.message() + "."
                                                       : "This file is larger than 32 MiB."));
      continue;
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) {
      out.diagnostics.push_back(ReadError(relative, "Cannot read this file."));
      continue;
    }
    out.files[relative] = bytes.str();
  }
}

}  // namespace

CatalogRead ReadCatalogDirectory(const std::filesystem::path& dir) {
  CatalogRead out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    out.diagnostics.push_back(ReadError(dir.string(), "The catalog folder does not exist or is not a folder."));
    return out;
  }
  const std::filesystem::path canonical_root = std::filesystem::canonical(dir, ec);
  if (ec) {
    out.diagnostics.push_back(ReadError(dir.string(), "The catalog folder cannot be resolved: " + ec.message() + "."));
    return out;
  }
  if (std::filesystem::is_regular_file(dir / "catalog.yaml", ec)) {
    ReadTree(dir, canonical_root, ".", false, out);
    // Only catalog.yaml is taken from the top level.
    for (auto it = out.files.begin(); it != out.files.end();) {
      it = it->first == "catalog.yaml" ? std::next(it) : out.files.erase(it);
    }
  }
  ReadTree(dir, canonical_root, "documents", true, out);
  ReadTree(dir, canonical_root, "templates", true, out);
  ReadTree(dir, canonical_root, "assets", true, out);
  ReadTree(dir, canonical_root, "rules", true, out);
  ReadTree(dir, canonical_root, "samples", true, out);
  return out;
}

}  // namespace docgen
