// A database looked at without changing it (docgen doctor, backup and
// restore): opening a store migrates it, which a check must not do.
#pragma once

#include <docgen/status.h>

#include <string>

namespace docgen {

struct SchemaState {
  bool exists = false;  // SQLite: the file is there; PostgreSQL: reachable
  int applied = 0;      // migrations the database has seen
  int known = 0;        // migrations this docgen knows
};

// A SQLite file, opened read-only (a missing file: exists false).
Result<SchemaState> InspectSqliteSchema(const std::string& path);
// A PostgreSQL database; kUnavailable when it cannot be reached.
Result<SchemaState> InspectPostgresSchema(const std::string& url);

// A consistent copy of the SQLite database at `path` written to `out` (a
// new file): VACUUM INTO, one read transaction, so a running docgen goes on
// writing meanwhile. kNotFound when there is no database at `path`.
Status SnapshotSqlite(const std::string& path, const std::string& out);
// A SQLite file as a restore must find it: a docgen database that passes
// PRAGMA integrity_check, with a schema no newer than this docgen's
// (kInvalidArgument, saying what is wrong, otherwise).
Result<SchemaState> CheckSqliteFile(const std::string& path);

}  // namespace docgen
