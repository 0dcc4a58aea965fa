// The HTTP request and response as the route handlers see them, independent
// of the HTTP server library underneath (server/http_server.h adapts one).
// Plain values; a request is read by one handler on one thread.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace docgen {

struct HttpRequest {
  std::string method;  // upper case, as sent
  std::string path;    // without the query
  std::multimap<std::string, std::string> query;
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_address;  // the client's IP address, as text ("" when unknown)

  // The first value of a header (name in any case), or "".
  std::string Header(const std::string& name) const;
  bool HasQuery(const std::string& name) const { return query.count(name) > 0; }
  std::string Query(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;
  std::string body;

  void SetHeader(const std::string& name, const std::string& value);
  bool HasHeader(const std::string& name) const;
};

}  // namespace docgen
