#include "jobs/catalog_files_json.h"

#include "util/text.h"

namespace docgen {

nlohmann::json CatalogFilesToJson(const CatalogFiles& files) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [path, bytes] : files) {
    if (FirstInvalidUtf8(bytes) == std::string::npos) {
      out[path] = bytes;
    } else {
      out[path] = {{"base64", Base64Encode(bytes)}};
    }
  }
  return out;
}

CatalogFiles CatalogFilesFromJson(const nlohmann::json& json) {
  CatalogFiles files;
  if (!json.is_object()) return files;
  for (const auto& [path, value] : json.items()) {
    if (value.is_string()) {
      files[path] = value.get<std::string>();
    } else if (value.is_object() && value.contains("base64") && value["base64"].is_string()) {
      if (auto bytes = Base64Decode(value["base64"].get<std::string>())) files[path] = *bytes;
    }
  }
  return files;
}

Result<CatalogFiles> CatalogFilesFromRequest(const nlohmann::json& json, const std::string& pointer) {
  if (!json.is_object()) return Status::InvalidArgument(pointer + ": maps catalog paths to contents.");
  CatalogFiles files;
  for (const auto& [path, value] : json.items()) {
    if (value.is_string()) {
      files[path] = value.get<std::string>();
      continue;
    }
    const std::string where = pointer + "/" + EscapePointerToken(path);
    if (!value.is_object() || !value.contains("base64") || !value["base64"].is_string()) {
      return Status::InvalidArgument(where + ": a file is its text, or {\"base64\": \"...\"} for other files.");
    }
    std::optional<std::string> bytes = Base64Decode(value["base64"].get<std::string>());
    if (!bytes) return Status::InvalidArgument(where + "/base64: is not standard base64 with its padding (RFC 4648).");
    files[path] = std::move(*bytes);
  }
  return files;
}

}  // namespace docgen
