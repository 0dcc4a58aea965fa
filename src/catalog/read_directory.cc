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

void ReadTree(const std::filesystem::path& root, const std::string& folder, bool recursive, CatalogRead& out) {
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
    // Lexically, so that a symlinked file keeps its name inside the catalog
    // (its target is read, wherever it is).
    std::string relative = path.lexically_relative(root).lexically_normal().generic_string();
    if (relative.empty()) continue;
    bool hidden = relative[0] == '.' || relative.find("/.") != std::string::npos;
    if (hidden) continue;
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
  if (std::filesystem::is_regular_file(dir / "catalog.yaml", ec)) {
    ReadTree(dir, ".", false, out);
    // Only catalog.yaml is taken from the top level.
    for (auto it = out.files.begin(); it != out.files.end();) {
      it = it->first == "catalog.yaml" ? std::next(it) : out.files.erase(it);
    }
  }
  ReadTree(dir, "documents", true, out);
  ReadTree(dir, "templates", true, out);
  ReadTree(dir, "assets", true, out);
  ReadTree(dir, "rules", true, out);
  return out;
}

}  // namespace docgen
