#include "server/static_files.h"

#include <fstream>
#include <optional>
#include <map>
#include <sstream>

#include "server/errors.h"

namespace docgen {
namespace {

const std::map<std::string, std::string>& ContentTypes() {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},     {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},             {".map", "application/json"},
      {".svg", "image/svg+xml"},                 {".png", "image/png"},
      {".ico", "image/x-icon"},                  {".woff2", "font/woff2"},
      {".woff", "font/woff"},                    {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},     {".wasm", "application/wasm"},
      {".bcmap", "application/octet-stream"},    {".pfb", "application/octet-stream"},
  };
  return kTypes;
}

std::optional<std::string> ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A request path segment that may name a file of the UI.
bool SafeSegment(const std::string& segment) {
  return !segment.empty() && segment[0] != '.' && segment.find('\\') == std::string::npos &&
         segment.find('\0') == std::string::npos;
}

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root, std::string prefix) : root_(std::move(root)), prefix_(std::move(prefix)) {}

bool StaticFiles::Serves(const std::string& path) const {
  return path == prefix_ || path.rfind(prefix_ + "/", 0) == 0;
}

const char* StaticFiles::ContentSecurityPolicy() {
  return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; worker-src 'self' blob:; "
         "connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}

HttpResponse StaticFiles::Get(const std::string& path) const {
  auto with_headers = [](HttpResponse response) {
    response.SetHeader("Content-Security-Policy", ContentSecurityPolicy());
    response.SetHeader("X-Content-Type-Options", "nosniff");
    response.SetHeader("Referrer-Policy", "no-referrer");
    return response;
  };
  if (path == prefix_) {  // "/ui" -> "/ui/"
    HttpResponse redirect;
    redirect.status = 308;
    redirect.SetHeader("Location", prefix_ + "/");
    return with_headers(redirect);
  }
  std::string relative = path.substr(prefix_.size() + 1);
  std::filesystem::path file = root_;
  bool has_extension = false;
  for (size_t start = 0; start < relative.size();) {
    const size_t slash = relative.find('/', start);
    const std::string segment = relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    start = slash == std::string::npos ? relative.size() : slash + 1;
    if (segment.empty()) continue;
    if (!SafeSegment(segment)) return with_headers(ErrorResponse({404, "not_found", "There is no such file of the UI."}, ""));
    file /= segment;
    has_extension = segment.find('.') != std::string::npos;
  }
  // Deep links of the single-page app (no extension) get its index.html.
  if (relative.empty() || !has_extension) file = root_ / "index.html";
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(file, ec);
  const std::filesystem::path real_root = std::filesystem::canonical(root_, ec);
  const bool inside = !ec && real.string().rfind(real_root.string() + "/", 0) == 0;
  if (!inside || !std::filesystem::is_regular_file(real, ec)) {
    if (!std::filesystem::exists(root_ / "index.html", ec)) {
      return with_headers(ErrorResponse(
          {404, "ui_not_built", "The admin UI is not built here (" + root_.string() + "): run scripts/web.sh, or set ui_dir."}, ""));
    }
    return with_headers(ErrorResponse({404, "not_found", "There is no such file of the UI."}, ""));
  }
  std::optional<std::string> bytes = ReadWhole(real);
  if (!bytes) return with_headers(ErrorResponse({404, "not_found", "There is no such file of the UI."}, ""));
  HttpResponse response;
  const auto type = ContentTypes().find(real.extension().string());
  response.content_type = type != ContentTypes().end() ? type->second : "application/octet-stream";
  response.body = std::move(*bytes);
  // Vite names built assets by their content: they never change.
  const bool hashed = relative.rfind("assets/", 0) == 0 && has_extension;
  response.SetHeader("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  return with_headers(response);
}

}  // namespace docgen
