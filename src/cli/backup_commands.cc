#include "cli/backup_commands.h"

#include <archive.h>
#include <archive_entry.h>
#include <docgen/store.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/support.h"
#include "store/blob_store.h"
#include "store/inspect.h"
#include "util/files.h"
#include "util/text.h"

namespace docgen::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "docgen-backup/1";
constexpr const char* kManifest = "docgen-backup.json";
constexpr const char* kDatabase = "docgen.sqlite";
// Files of the data folder a restored installation needs besides its database and blobs.
constexpr const char* kExtras[] = {"tokens.json", "webhook-secret"};
constexpr int64_t kMaxEntryBytes = int64_t{4} << 30;  // a blob or database larger than this is not docgen's

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReaderDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

std::optional<std::string> ReadFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The embedded default only: a SQLite file and a blob folder. Empty when fine, else why not.
std::string EmbeddedOnly(const ServiceOptions& options, const char* what) {
  if (IsPostgresUrl(options.database)) {
    return std::string(what) + " covers the embedded SQLite store; back up PostgreSQL with pg_dump (docs/operations.md, Backup and restore)";
  }
  if (options.blob_store != "directory") return std::string(what) + " needs blob_store: directory";
  return "";
}

fs::path DatabasePath(const ServiceOptions& options) {
  return options.database.empty() ? fs::path(options.data_dir) / kDatabase : fs::path(options.database);
}

fs::path BlobPath(const ServiceOptions& options) {
  return options.blob_dir.empty() ? fs::path(options.data_dir) / "blobs" : fs::path(options.blob_dir);
}

// A tar file being written: entries whole, a manifest of what was written.
class TarWriter {
 public:
  explicit TarWriter(const fs::path& file) : archive_(archive_write_new()) {
    archive_write_set_format_pax_restricted(archive_.get());
    ok_ = archive_write_open_filename(archive_.get(), file.c_str()) == ARCHIVE_OK;
  }
  bool ok() const { return ok_; }
  std::string error() const { return archive_error_string(archive_.get()) ? archive_error_string(archive_.get()) : "unknown error"; }

  bool Add(const std::string& path, const std::string& bytes, bool in_manifest = true) {
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0600);
    archive_entry_set_mtime(entry.get(), static_cast<time_t>(std::time(nullptr)), 0);
    if (archive_write_header(archive_.get(), entry.get()) != ARCHIVE_OK) return false;
    if (!bytes.empty() && archive_write_data(archive_.get(), bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size())) return false;
    if (in_manifest) files_[path] = {{"bytes", bytes.size()}, {"sha256", Sha256Hex(bytes)}};
    bytes_ += bytes.size();
    return true;
  }
  bool Close() { return archive_write_close(archive_.get()) == ARCHIVE_OK; }
  const nlohmann::ordered_json& files() const { return files_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<struct archive, ArchiveDeleter> archive_;
  bool ok_ = false;
  nlohmann::ordered_json files_ = nlohmann::ordered_json::object();
  uint64_t bytes_ = 0;
};

// A private temporary folder beside `near`, removed with what is left in it.
class StagingFolder {
 public:
  explicit StagingFolder(const fs::path& near) {
    std::string pattern = (fs::absolute(near).parent_path() / ("." + near.filename().string() + ".docgen-XXXXXX")).string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~StagingFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;
  const fs::path& path() const { return path_; }
  void Release() { path_.clear(); }  // renamed into place: nothing to remove

 private:
  fs::path path_;
};

// libarchive's last error, never null.
std::string ArchiveError(struct archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown error";
}

int Fail(int status, const std::string& message) {
  std::cerr << "docgen: " << message << "\n";
  return status;
}

}  // namespace

BackupCommands::BackupCommands(CLI::App& app) {
  backup_ = app.add_subcommand("backup",
                               "Write a backup of the embedded store (a consistent snapshot of the SQLite database, every blob, the "
                               "token file and webhook secret) to one file, while docgen runs.");
  backup_->add_option("--out", out_, "The backup file to write (tar; replaced whole, readable by its owner only)")->required();
  AddSettingFlags(*backup_, /*worker_only=*/false, backup_flags_);
  restore_ = app.add_subcommand("restore",
                                "Restore a backup into a new or empty data folder, after checking every file against the backup's "
                                "manifest and the database's integrity (nothing is written when any check fails).");
  restore_->add_option("FILE", file_, "The backup file (docgen backup --out)")->required();
  AddSettingFlags(*restore_, /*worker_only=*/false, restore_flags_);
}

std::optional<int> BackupCommands::Run() {
  const bool backup = backup_->parsed();
  if (!backup && !restore_->parsed()) return std::nullopt;
  Result<ServiceOptions> loaded = LoadServiceSettings(SourcesFromFlags(backup ? backup_flags_ : restore_flags_));
  if (!loaded.ok()) {
    std::istringstream lines(loaded.status().message());
    for (std::string line; std::getline(lines, line);) std::cerr << "docgen: " << line << "\n";
    return kExitInvalid;
  }
  if (std::string refusal = EmbeddedOnly(*loaded, backup ? "docgen backup" : "docgen restore"); !refusal.empty()) {
    return Fail(kExitInvalid, refusal);
  }
  return backup ? Backup(*loaded) : Restore(*loaded);
}

int BackupCommands::Backup(const ServiceOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path out = fs::absolute(out_);
  StagingFolder staging(out);
  if (staging.path().empty()) return Fail(kExitFailure, "cannot make a temporary folder beside " + out.string());
  // The snapshot first: every blob it refers to was written before the job it belongs to was marked done.
  const fs::path snapshot = staging.path() / kDatabase;
  if (Status copied = SnapshotSqlite(DatabasePath(options).string(), snapshot.string()); !copied.ok()) {
    return Fail(copied.code() == StatusCode::kNotFound ? kExitInvalid : kExitFailure, copied.message());
  }
  Result<SchemaState> schema = CheckSqliteFile(snapshot.string());
  if (!schema.ok()) return Fail(kExitFailure, "the snapshot does not check: " + schema.status().message());

  const fs::path temporary = staging.path() / "backup.tar";
  TarWriter tar(temporary);
  if (!tar.ok()) return Fail(kExitFailure, "cannot write " + temporary.string() + ": " + tar.error());
  std::optional<std::string> database = ReadFile(snapshot);
  if (!database || !tar.Add(kDatabase, *database)) return Fail(kExitFailure, "cannot add the database: " + tar.error());
  database.reset();
  std::unique_ptr<BlobStore> blobs = OpenDirectoryBlobStore(BlobPath(options));
  Result<std::set<std::string>> names = blobs->List();
  if (!names.ok()) return Fail(kExitFailure, "cannot list the blobs: " + names.status().message());
  ProgressLine progress("backing up");
  long long count = 0;
  for (const std::string& name : *names) {
    Result<std::string> bytes = blobs->Get(name);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) continue;  // pruned meanwhile: no job refers to it
      return Fail(kExitFailure, "cannot read blob " + name + ": " + bytes.status().message());
    }
    if (!tar.Add("blobs/" + name, *bytes)) return Fail(kExitFailure, "cannot add blob " + name + ": " + tar.error());
    ++count;
    progress.Update(count, "blobs", static_cast<double>(count) / static_cast<double>(names->size()));
  }
  progress.Finish();
  for (const char* extra : kExtras) {
    if (std::optional<std::string> bytes = ReadFile(fs::path(options.data_dir) / extra)) {
      if (!tar.Add(extra, *bytes)) return Fail(kExitFailure, std::string("cannot add ") + extra + ": " + tar.error());
    }
  }
  const nlohmann::ordered_json manifest = {{"format", kFormat},
                                           {"created_at", static_cast<int64_t>(std::time(nullptr)) * 1000},
                                           {"schema_version", schema->applied},
                                           {"files", tar.files()}};
  if (!tar.Add(kManifest, manifest.dump(1) + "\n", false) || !tar.Close()) return Fail(kExitFailure, "cannot finish the backup: " + tar.error());
  ::chmod(temporary.c_str(), 0600);
  std::error_code ec;
  if (std::string error = SyncFileSystem(temporary); !error.empty()) return Fail(kExitFailure, error);
  fs::rename(temporary, out, ec);
  if (ec) return Fail(kExitFailure, "cannot write " + out.string() + ": " + ec.message());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "backed up to " << out.string() << ": the database (schema " << schema->applied << "), " << Thousands(count) << " blobs, "
            << Thousands(static_cast<long long>(tar.bytes() / 1024)) << " KiB in " << std::fixed << std::setprecision(1) << seconds << " s\n";
  return kExitOk;
}

int BackupCommands::Restore(const ServiceOptions& options) {
  const fs::path data = fs::absolute(options.data_dir);
  std::error_code ec;
  if (fs::exists(data, ec) && !(fs::is_directory(data, ec) && fs::is_empty(data, ec))) {
    return Fail(kExitInvalid, "the data folder " + data.string() +
                                  " is not empty: restore into a new or empty folder (--data), or move the current one aside first");
  }
  if (!options.database.empty() || !options.blob_dir.empty()) {
    return Fail(kExitInvalid, "docgen restore writes DATA/docgen.sqlite and DATA/blobs: leave database and blob_dir unset");
  }
  std::unique_ptr<struct archive, ReaderDeleter> tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  if (archive_read_open_filename(tar.get(), file_.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Fail(kExitInvalid, file_ + ": cannot be read as a backup: " + ArchiveError(tar.get()));
  }
  StagingFolder staging(data);
  if (staging.path().empty()) return Fail(kExitFailure, "cannot make a temporary folder beside " + data.string());
  std::unique_ptr<BlobStore> blobs = OpenDirectoryBlobStore(staging.path() / "blobs");
  std::map<std::string, std::string> digests;  // what was read: path -> SHA-256
  std::optional<nlohmann::json> manifest;
  ProgressLine progress("restoring");
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(tar.get(), &entry)) == ARCHIVE_OK) {
    const std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    const la_int64_t size = archive_entry_size(entry);
    const bool blob = path.rfind("blobs/", 0) == 0 && BlobStore::IsBlobName(path.substr(6));
    const bool known = blob || path == kDatabase || path == kManifest || path == kExtras[0] || path == kExtras[1];
    if (archive_entry_filetype(entry) != AE_IFREG || !known) return Fail(kExitInvalid, file_ + ": " + path.substr(0, 200) + " is not part of a docgen backup");
    if (size < 0 || size > kMaxEntryBytes) return Fail(kExitInvalid, file_ + ": " + path + " is larger than a docgen file can be");
    if (digests.count(path)) return Fail(kExitInvalid, file_ + ": " + path + " appears twice");
    std::string bytes(static_cast<size_t>(size), '\0');
    if (size > 0 && archive_read_data(tar.get(), bytes.data(), bytes.size()) != size) {
      return Fail(kExitInvalid, file_ + ": " + path + " is cut short (" + ArchiveError(tar.get()) + ")");
    }
    if (path == kManifest) {
      if (manifest) return Fail(kExitInvalid, file_ + ": " + path + " appears twice");
      manifest = nlohmann::json::parse(bytes, nullptr, false);
      if (manifest->is_discarded() || !manifest->is_object() || manifest->value("format", "") != kFormat || !(*manifest)["files"].is_object()) {
        return Fail(kExitInvalid, file_ + ": " + kManifest + " is not a docgen backup manifest (format " + kFormat + ")");
      }
      continue;
    }
    digests[path] = Sha256Hex(bytes);
    if (blob) {
      Result<std::string> name = blobs->Put(bytes);  // a blob's name is the SHA-256 of its bytes
      if (!name.ok()) return Fail(kExitFailure, "cannot write blob " + path + ": " + name.status().message());
      if (*name != path.substr(6)) return Fail(kExitInvalid, file_ + ": " + path + " does not hold the bytes its name is the SHA-256 of");
    } else if (std::string error = [&]() -> std::string {
                 const fs::path target = staging.path() / path;
                 const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                 if (fd < 0) return "cannot create " + target.string();
                 const bool written = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
                 ::close(fd);
                 return written ? "" : "cannot write " + target.string();
               }();
               !error.empty()) {
      return Fail(kExitFailure, error);
    }
    progress.Update(static_cast<long long>(digests.size()), "files", -1);
  }
  progress.Finish();
  if (rc != ARCHIVE_EOF) return Fail(kExitInvalid, file_ + ": damaged after " + std::to_string(digests.size()) + " files: " + ArchiveError(tar.get()));
  if (!manifest) return Fail(kExitInvalid, file_ + ": has no " + kManifest + ": not a docgen backup, or cut short");

  // Every file the manifest lists, with its digest, and nothing else.
  const nlohmann::json& files = (*manifest)["files"];
  for (const auto& [path, expected] : files.items()) {
    auto it = digests.find(path);
    if (it == digests.end()) return Fail(kExitInvalid, file_ + ": " + path + " is listed in the manifest but missing");
    if (!expected.is_object() || !expected.contains("sha256") || !expected["sha256"].is_string() ||
        expected["sha256"].get<std::string>() != it->second) {
      return Fail(kExitInvalid, file_ + ": " + path + " does not match its SHA-256 in the manifest: the backup is damaged");
    }
  }
  for (const auto& [path, digest] : digests) {
    if (!files.contains(path)) return Fail(kExitInvalid, file_ + ": " + path + " is not in the manifest");
  }
  if (!digests.count(kDatabase)) return Fail(kExitInvalid, file_ + ": holds no database");
  Result<SchemaState> schema = CheckSqliteFile((staging.path() / kDatabase).string());
  if (!schema.ok()) return Fail(kExitInvalid, schema.status().message());

  // Into place: the data folder is the staging folder, renamed (an empty one removed first).
  fs::permissions(staging.path(), fs::perms::owner_all, fs::perm_options::replace, ec);
  if (std::string error = SyncFileSystem(staging.path()); !error.empty()) return Fail(kExitFailure, error);
  if (fs::exists(data, ec)) fs::remove(data, ec);
  fs::rename(staging.path(), data, ec);
  if (ec) return Fail(kExitFailure, "cannot move the restored files to " + data.string() + ": " + ec.message());
  staging.Release();
  const size_t blob_count = static_cast<size_t>(std::count_if(digests.begin(), digests.end(), [](const auto& d) { return d.first.rfind("blobs/", 0) == 0; }));
  std::cerr << "restored " << file_ << " into " << data.string() << ": the database (schema " << schema->applied << ", integrity ok), "
            << Thousands(static_cast<long long>(blob_count)) << " blobs, every file matching its SHA-256\n";
  return kExitOk;
}

}  // namespace docgen::cli
