#include "server/errors.h"

namespace docgen {

ApiError ApiError::FromStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
    case StatusCode::kInvalidArgument:
      return {400, "invalid_request", status.message()};
    case StatusCode::kNotFound:
      return {404, "not_found", status.message()};
    case StatusCode::kConflict:
      return {409, "conflict", status.message()};
    case StatusCode::kUnavailable:
      return {503, "database_unavailable",
              "The database cannot be reached right now; send the request again (with the same Idempotency-Key for jobs) "
              "in a moment.",
              nullptr, 1};
  }
  // The cause is in the server's log (under the request id), not in the answer.
  return {500, "internal", "An internal error occurred; see the server log for this request."};
}

HttpResponse JsonResponse(int status, const nlohmann::ordered_json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  return response;
}

HttpResponse ErrorResponse(const ApiError& error, const std::string& request_id) {
  nlohmann::ordered_json body = {{"code", error.code}, {"message", error.message}, {"request_id", request_id}};
  if (!error.details.is_null()) body["details"] = error.details;
  HttpResponse response = JsonResponse(error.http_status, {{"error", body}});
  if (error.http_status == 503) {
    response.SetHeader("Retry-After", std::to_string(error.retry_after_seconds > 0 ? error.retry_after_seconds : 5));
  }
  return response;
}

}  // namespace docgen
