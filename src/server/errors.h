// The API's one error model: every error is JSON
//   {"error": {"code", "message", "request_id", "details"?}}
// with an HTTP status. A Status from the layers below maps to both in one
// place (FromStatus); handlers name more specific codes where the API
// documents them (idempotency_conflict, lint_failed, ...).
#pragma once

#include <docgen/status.h>

#include <string>

#include <nlohmann/json.hpp>

#include "server/http.h"

namespace docgen {

struct ApiError {
  int http_status = 500;
  std::string code;     // machine-readable, snake_case
  std::string message;  // for people: what went wrong and what to do
  nlohmann::ordered_json details = nullptr;  // findings, diagnostics
  int retry_after_seconds = 0;                // 503s: when to try again

  // not_found 404, conflict 409, invalid_request 400, internal 500, and
  // database_unavailable 503 with Retry-After (kUnavailable comes from the
  // stores: the database or the blob folder).
  static ApiError FromStatus(const Status& status);
  ApiError WithCode(std::string specific) && {
    code = std::move(specific);
    return std::move(*this);
  }
};

// The error as a response, carrying the request's id.
HttpResponse ErrorResponse(const ApiError& error, const std::string& request_id);

// A JSON response (pretty, UTF-8 errors replaced).
HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body);

}  // namespace docgen
