// Content-addressed files for job results: a blob's name is the SHA-256 of
// its bytes, so writing the same result twice (a job re-run after a crash)
// yields the same name and no duplicate. Writes are durable (file and folder
// fsynced) before Put returns. Thread-safe. On the embedded default one
// `docgen serve` owns the folder (it removes partial writes at start).
#pragma once

#include <docgen/store.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace docgen {

class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path dir);

  Status Put(std::string_view bytes, std::string* name);
  // nullopt when the name is not a blob name or the blob does not exist.
  std::optional<std::string> Get(const std::string& name) const;
  bool Exists(const std::string& name) const;
  // Deletes blobs not in `keep` whose files are older than `min_age_seconds`
  // (a blob being written for a running job is younger), and partial writes
  // older than `min_temporary_age_seconds`. Returns how many files it deleted.
  int Prune(const std::set<std::string>& keep, int min_age_seconds, int min_temporary_age_seconds);
  // Every blob name present.
  std::set<std::string> List() const;

  static bool IsBlobName(const std::string& name);

 private:
  std::filesystem::path PathOf(const std::string& name) const;
  std::filesystem::path dir_;
};

}  // namespace docgen
