#include "store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "util/text.h"

namespace docgen {
namespace {

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Creates `dir` and its missing parents with mode 0700 (results hold
// insured names and policies). Folders that exist keep their mode.
void MakePrivateDirectories(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.empty() || std::filesystem::exists(dir, ec)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir) MakePrivateDirectories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) == 0) ::chmod(dir.c_str(), 0700);  // exactly 0700, whatever the umask
}

void SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

class DirectoryBlobStore final : public BlobStore {
 public:
  explicit DirectoryBlobStore(std::filesystem::path dir) : dir_(std::move(dir)) { MakePrivateDirectories(dir_); }

  Result<std::string> Put(std::string_view bytes) override;
  Result<std::string> Get(const std::string& name) const override;
  Result<int> Prune(const std::set<std::string>& keep, int min_age_seconds, int min_temporary_age_seconds) override;
  Result<std::set<std::string>> List() const override;

 private:
  std::filesystem::path PathOf(const std::string& name) const { return dir_ / name.substr(0, 2) / name; }
  std::filesystem::path dir_;
};

// A failure of the folder itself (full, failing, read-only) is an outage:
// the job is not at fault and keeps its attempt. Anything else (no
// permission, a bad path) will not pass by waiting.
Status FolderFailure(const std::string& what, int error) {
  const std::string message = what + ": " + std::strerror(error);
  switch (error) {
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EROFS:
    case EINTR:
    case EAGAIN:
    case ENOMEM:
      return Status::Unavailable(message);
    default:
      return Status::Internal(message);
  }
}

Result<std::string> DirectoryBlobStore::Put(std::string_view bytes) {
  const std::string name = Sha256Hex(bytes).substr(7);  // drop "sha256:"
  const std::filesystem::path path = PathOf(name);
  // Same bytes already stored: refresh the time, so pruning sees it as in
  // use again. Refreshing fails when a prune removed it meanwhile: write it then.
  if (::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) == 0) return name;
  std::error_code ec;
  MakePrivateDirectories(path.parent_path());
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const std::filesystem::path temporary = path.string() + ".tmp-" + std::to_string(random());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return FolderFailure("cannot create " + temporary.string(), errno);
  int error = 0;
  if (!WriteAll(fd, bytes) || ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    std::filesystem::remove(temporary, ec);
    return FolderFailure("cannot write blob " + name, error);
  }
  SyncDirectory(path.parent_path());
  return name;
}

Result<std::string> DirectoryBlobStore::Get(const std::string& name) const {
  if (!IsBlobName(name)) return Status::NotFound("\"" + name.substr(0, 80) + "\" is not a blob name");
  std::ifstream in(PathOf(name), std::ios::binary);
  if (!in) return Status::NotFound("there is no blob " + name);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

Result<std::set<std::string>> DirectoryBlobStore::List() const {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && IsBlobName(name)) out.insert(name);
  }
  return out;
}

Result<int> DirectoryBlobStore::Prune(const std::set<std::string>& keep, int min_age_seconds, int min_temporary_age_seconds) {
  int removed = 0;
  std::error_code ec;
  const auto now = std::filesystem::file_time_type::clock::now();
  for (auto it = std::filesystem::recursive_directory_iterator(dir_, ec); !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    const bool stale_temporary = name.find(".tmp-") != std::string::npos;
    if (!stale_temporary && (!IsBlobName(name) || keep.count(name))) continue;
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - it->last_write_time(ec)).count();
    if (ec || age < (stale_temporary ? min_temporary_age_seconds : min_age_seconds)) continue;
    if (std::filesystem::remove(it->path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace

bool BlobStore::IsBlobName(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::unique_ptr<BlobStore> OpenDirectoryBlobStore(const std::filesystem::path& dir) {
  return std::make_unique<DirectoryBlobStore>(dir);
}

}  // namespace docgen
