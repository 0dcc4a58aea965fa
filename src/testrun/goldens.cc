#include "testrun/goldens.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "util/text.h"

namespace docgen::testrun {
namespace {

constexpr const char* kFormat = "docgen-goldens/1";
constexpr const char* kManifestName = "goldens.json";

}  // namespace

std::string WriteFileWhole(const std::filesystem::path& file, const std::string& bytes, bool sync) {
  std::error_code ec;
  if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return "Cannot create the folder " + file.parent_path().string() + ": " + ec.message() + ".";
  const std::filesystem::path temporary = file.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "Cannot write " + temporary.string() + ": " + std::strerror(errno) + ".";
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  // With `sync`, on disk before the rename: a crash leaves the old file or the new one, never a torn one.
  const bool durable = written == bytes.size() && (!sync || ::fsync(fd) == 0);
  const int saved = errno;
  ::close(fd);
  if (!durable) {
    std::filesystem::remove(temporary, ec);
    return "Cannot write " + temporary.string() + ": " + std::strerror(saved) + ".";
  }
  std::filesystem::rename(temporary, file, ec);
  if (ec) return "Cannot replace " + file.string() + ": " + ec.message() + ".";
  return {};
}

ManifestRead ReadManifest(const std::filesystem::path& folder) {
  ManifestRead out;
  const std::filesystem::path file = folder / kManifestName;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return out;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.error = file.string() + ": cannot be read";
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseManifest(text.str(), file.string());
}

ManifestRead ParseManifest(const std::string& text, const std::string& where) {
  ManifestRead out;
  if (JsonNestingDepth(text) > 64) {
    out.error = where + ": nests deeper than 64 levels";
    return out;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    out.error = where + ": not valid JSON (at character " + std::to_string(e.byte) + ")";
    return out;
  } catch (const nlohmann::json::exception&) {
    out.error = where + ": holds a number too large to read";
    return out;
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat || !j.contains("variants") ||
      !j["variants"].is_object()) {
    out.error = where + ": not a goldens manifest (it must be an object with \"format\": \"" + kFormat + "\" and \"variants\")";
    return out;
  }
  for (const auto& [key, entry] : j["variants"].items()) {
    const nlohmann::json* pages = entry.is_object() && entry.contains("pages") ? &entry["pages"] : nullptr;
    if (!pages || !pages->is_number_integer() || pages->get<int>() < 0 || !entry.value("pdf_sha256", nlohmann::json()).is_string() ||
        !entry.value("inputs", nlohmann::json()).is_string()) {
      out.error = where + ": /variants/" + key + " must be {\"pages\": integer, \"pdf_sha256\": string, \"inputs\": string}";
      out.manifest.clear();
      return out;
    }
    out.manifest[key] = GoldenEntry{pages->get<int>(), entry["pdf_sha256"].get<std::string>(), entry["inputs"].get<std::string>(), {}};
  }
  return out;
}

std::string WriteManifest(const std::filesystem::path& folder, const GoldenManifest& manifest) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  auto& variants = j["variants"] = nlohmann::ordered_json::object();
  for (const auto& [key, e] : manifest) variants[key] = {{"pages", e.pages}, {"pdf_sha256", e.pdf_sha256}, {"inputs", e.inputs}};
  return WriteFileWhole(folder / kManifestName, j.dump(1) + "\n", /*sync=*/true);
}

std::optional<std::string> PageFolder::Read(const std::filesystem::path& file) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string PageFolder::Write(const std::filesystem::path& file, const std::string& bytes) const { return WriteFileWhole(file, bytes); }

std::filesystem::path PageFolder::Path(const std::string& key, const char* kind, int page) const {
  // Keys are made of catalog codes; anything that could leave the folder is replaced.
  std::string safe;
  for (char c : key) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '@' || c == '-' || c == '_' || c == '/' || c == '.') ? c : '_';
  for (size_t at = safe.find(".."); at != std::string::npos; at = safe.find("..")) safe.replace(at, 2, "__");
  return root_ / safe / (std::string(kind) + "-" + std::to_string(page) + ".png");
}

}  // namespace docgen::testrun
