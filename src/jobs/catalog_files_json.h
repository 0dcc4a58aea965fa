// Catalog files <-> JSON, for storing published catalog versions: text files
// as strings, other files (images) as {"base64": "..."}.
#pragma once

#include <docgen/catalog.h>

#include <docgen/status.h>

#include <nlohmann/json.hpp>

namespace docgen {

nlohmann::json CatalogFilesToJson(const CatalogFiles& files);
// Reads files docgen stored itself.
CatalogFiles CatalogFilesFromJson(const nlohmann::json& json);
// Reads files sent by a caller ({"files": ...} at `pointer`), each decoded
// once: kInvalidArgument naming the first file that is neither text nor
// {"base64": standard base64} (CatalogFilesFromJson would leave it out).
Result<CatalogFiles> CatalogFilesFromRequest(const nlohmann::json& json, const std::string& pointer);

}  // namespace docgen
