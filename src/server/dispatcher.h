// Turns an HttpRequest into an HttpResponse through the route table: gives
// the request its id, finds its route (404, or 405 with Allow, when there is
// none), checks the caller's token against the route's role (401, 403, 503
// while tokens cannot be checked), runs the handler (an exception becomes a
// logged 500), and records one metrics sample and one log line per request,
// labelled with the route's pattern. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <regex>
#include <unordered_map>
#include <string>
#include <vector>

#include "server/http.h"
#include "server/routes.h"
#include "server/static_files.h"

namespace docgen {

class Dispatcher {
 public:
  // `worker_only`: only the routes marked on_worker are served. `ui`
  // (optional, outliving this) serves the admin UI's files beside the API.
  Dispatcher(Api& api, bool worker_only, const StaticFiles* ui = nullptr);

  HttpResponse Handle(const HttpRequest& request) const;
  // For requests the HTTP server refused before they reached a handler
  // (408 too slow, 413 too large, 414, 415 compressed, 503 overloaded, 400
  // malformed): the error body, a request id and the metrics.
  HttpResponse Refused(const HttpRequest& request, int http_status) const;

 private:
  struct Compiled {
    const Route* route;
    std::regex path;
    std::vector<std::string> params;
  };
  // What a request is known by in responses and logs, and its log event.
  struct Exchange {
    std::string request_id;
    std::string trace_id;
    const Route* route = nullptr;  // null when none matched
    std::string subject;           // the caller's, once known (also when refused for its role)
    std::string role;
    RequestEvent event;
  };
  HttpResponse Run(const HttpRequest& request, Exchange& exchange) const;
  std::optional<HttpResponse> Authorize(const Route& route, Call& call) const;
  // One metrics sample and the request's one log event (SPEC §9).
  void Record(const HttpRequest& request, const HttpResponse& response, const Exchange& exchange, double seconds) const;

  // Records when a token-file token was used (for `docgen token list`), at
  // most once a minute per token.
  void NoteTokenUse(const std::string& token_id) const;

  Api& api_;
  const StaticFiles* ui_;
  std::vector<Compiled> routes_;
  mutable std::mutex token_uses_mutex_;
  mutable std::unordered_map<std::string, int64_t> token_uses_;  // token id -> when last recorded (bounded: the token file's tokens)
};

}  // namespace docgen
