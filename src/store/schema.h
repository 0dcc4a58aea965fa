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

}  // namespace docgen
