// Content-addressed storage for job results: a blob's name is the SHA-256 of
// its bytes, so writing the same result twice (a job re-run after a crash)
// yields the same name and no duplicate. Put is durable before it returns.
// Implementations are thread-safe. Two kinds: a folder on disk (the
// embedded default, or a folder shared by every process) and a table in
// PostgreSQL (so that any process can serve any job's result).
#pragma once

#include <docgen/status.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace docgen {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `bytes` durably; returns the blob's name. kUnavailable when the
  // folder or database cannot take it (full, failing, unreachable).
  virtual Result<std::string> Put(std::string_view bytes) = 0;
  // The bytes; kNotFound when the name is not a blob name or the blob does not exist.
  virtual Result<std::string> Get(const std::string& name) const = 0;
  // Deletes blobs not in `keep` last written more than `min_age_seconds` ago
  // (a blob being written for a running job is younger), and partial writes
  // older than `min_temporary_age_seconds`. Returns how many it deleted.
  virtual Result<int> Prune(const std::set<std::string>& keep, int min_age_seconds, int min_temporary_age_seconds) = 0;
  // Every blob name present.
  virtual Result<std::set<std::string>> List() const = 0;

  static bool IsBlobName(const std::string& name);
};

// Blobs as files DIR/ab/abcdef... (written to a temporary name, fsynced, renamed).
std::unique_ptr<BlobStore> OpenDirectoryBlobStore(const std::filesystem::path& dir);

// Blobs in the `blobs` table of the PostgreSQL database at `url` (the table
// is created by the store's migrations: open the Store first).
Result<std::unique_ptr<BlobStore>> OpenPostgresBlobStore(const std::string& url, int connections);

}  // namespace docgen
