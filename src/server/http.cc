#include "server/http.h"

#include <algorithm>
#include <cctype>

namespace docgen {

std::string HttpRequest::Header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = headers.find(lower);
  return it == headers.end() ? "" : it->second;
}

std::string HttpRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? "" : it->second;
}

void HttpResponse::SetHeader(const std::string& name, const std::string& value) {
  for (auto& [key, existing] : headers) {
    if (key == name) {
      existing = value;
      return;
    }
  }
  headers.emplace_back(name, value);
}

bool HttpResponse::HasHeader(const std::string& name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; });
}

}  // namespace docgen
