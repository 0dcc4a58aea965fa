#include "jobs/catalog_files_json.h"

#include <openssl/evp.h>

#include "util/text.h"

namespace docgen {

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

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

}  // namespace docgen
