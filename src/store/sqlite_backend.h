// The SQLite backend's one mapping of SQLite result codes to Status codes
// (OpenSqliteStore in docgen/store.h opens the backend itself).
#pragma once

#include <docgen/status.h>

#include <string>

namespace docgen {

// `extended_code` as sqlite3_extended_errcode gives it.
Status StatusOfSqliteError(int extended_code, const std::string& message);

}  // namespace docgen
