// The database schema, written once for both backends: numbered migrations
// recorded in schema_migrations and applied in order under the migration
// lock, so that processes starting together do not race. A database with a
// migration this docgen does not know (made by a newer docgen) is refused.
#pragma once

#include <docgen/status.h>

#include "store/sql.h"

namespace docgen {

// The number of migrations this docgen knows.
int KnownSchemaVersion();

// Applies the migrations the database has not seen yet.
Status MigrateSchema(SqlBackend& backend);

// The migrations the database has seen, read without changing anything
// (0 for an empty database); kUnavailable when it cannot be reached.
// `has_table` is the backend's query answering 1 row with a count > 0 when
// a table named $1 exists.
Result<int> AppliedMigrations(SqlBackend& backend, const char* has_table);

}  // namespace docgen
