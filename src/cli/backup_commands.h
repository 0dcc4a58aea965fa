// `docgen backup --out FILE` and `docgen restore FILE` (issue 17) for the
// embedded default: the data folder's SQLite database (a consistent
// snapshot, taken while docgen runs), its blobs, token file and webhook
// secret, in one tar file with a manifest of every file's SHA-256.
//
//   FILE (tar, 0600)
//     docgen.sqlite            VACUUM INTO copy of DATA/docgen.sqlite
//     blobs/NAME               every blob (NAME is its SHA-256)
//     tokens.json, webhook-secret   when present
//     docgen-backup.json       {"format": "docgen-backup/1", "created_at", "schema_version",
//                               "files": {PATH: {"bytes", "sha256"}}}   (last)
//
// Restore writes into a new or empty data folder only, through a staging
// folder beside it renamed into place once every file matched the manifest
// and the database passed its integrity check: a bad backup leaves nothing.
// Exit status: 0 done, 2 invalid input (settings, a damaged or foreign
// file, a data folder in use or not empty), 1 a failure to read or write.
#pragma once

#include <optional>
#include <string>

#include "config/settings.h"

namespace CLI {
class App;
}

namespace docgen::cli {

class BackupCommands {
 public:
  explicit BackupCommands(CLI::App& app);
  std::optional<int> Run();

 private:
  int Backup(const ServiceOptions& options);
  int Restore(const ServiceOptions& options);

  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  SettingsFlags backup_flags_;
  SettingsFlags restore_flags_;
  std::string out_;
  std::string file_;
};

}  // namespace docgen::cli
