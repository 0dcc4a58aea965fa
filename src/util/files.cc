#include "util/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace docgen {

std::string SyncFileSystem(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "Cannot open " + path.string() + ": " + std::strerror(errno) + ".";
  const bool synced = ::syncfs(fd) == 0;
  const int saved = errno;
  ::close(fd);
  return synced ? "" : "Cannot flush " + path.string() + " to disk: " + std::strerror(saved) + ".";
}

}  // namespace docgen
