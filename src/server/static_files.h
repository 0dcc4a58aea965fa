// The admin UI's built files (web/dist), served under /ui/: a file's content
// type from its extension, long-lived caching for hashed assets
// (/ui/assets/*), revalidation for the rest, the single-page app's
// index.html for deep links (paths without an extension), and a strict
// Content-Security-Policy on every answer. Only regular files inside the
// folder are served: no "..", no hidden files, no symbolic links that leave
// it. Files are read from disk on each request (the page cache keeps them);
// the folder may be rebuilt while the server runs. Thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "server/http.h"

namespace docgen {

class StaticFiles {
 public:
  // `root`: the folder holding index.html; `prefix`: the URL path it is served under ("/ui").
  StaticFiles(std::filesystem::path root, std::string prefix);

  // True for paths this serves: the prefix itself and everything below it.
  bool Serves(const std::string& path) const;
  // The answer for a GET or HEAD of `path` (404 when there is no such file,
  // or when the UI is not built).
  HttpResponse Get(const std::string& path) const;

  static const char* ContentSecurityPolicy();

 private:
  std::filesystem::path root_;
  std::string prefix_;
};

}  // namespace docgen
