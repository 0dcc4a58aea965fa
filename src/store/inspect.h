// A database looked at without changing it (docgen doctor): opening a store
// migrates it, which a check must not do.
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

}  // namespace docgen
