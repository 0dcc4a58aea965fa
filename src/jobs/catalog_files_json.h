// Catalog files <-> JSON, for storing published catalog versions: text files
// as strings, other files (images) as {"base64": "..."}.
#pragma once

#include <docgen/catalog.h>

#include <nlohmann/json.hpp>

namespace docgen {

nlohmann::json CatalogFilesToJson(const CatalogFiles& files);
CatalogFiles CatalogFilesFromJson(const nlohmann::json& json);

}  // namespace docgen
