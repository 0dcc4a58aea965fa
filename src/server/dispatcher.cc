#include "server/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>

#include "base/trace.h"
#include "util/text.h"

namespace docgen {
namespace {

std::string RandomRequestId() { return "req_" + RandomHex(12); }

// The caller's id when it is a sensible one (echoed in logs and headers), else a new one.
std::string RequestIdOf(const HttpRequest& request) {
  std::string id = request.Header("X-Request-Id");
  if (id.empty() || id.size() > 64 ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos) {
    id = RandomRequestId();
  }
  return id;
}

// The trace of the caller's valid `traceparent`, else a new one.
std::string TraceIdOf(const HttpRequest& request) {
  std::optional<TraceParent> parent = ParseTraceParent(request.Header("traceparent"));
  return parent ? parent->trace_id : NewTraceId();
}

// Methods outside the known set share one label: a client inventing methods
// cannot create metric series.
std::string MethodLabel(const std::string& method) {
  static const std::set<std::string> kKnown = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  return kKnown.count(method) ? method : "other";
}

// "/v1/jobs/{id}:cancel" -> ^/v1/jobs/([^/:]+):cancel$, with the parameter names.
// A "{name*}" at the end of a pattern takes the rest of the path, '/' included
// ("/v1/catalog/drafts/templates/{path*}" gives path "templates/a.md"); the
// handler checks what it got.
std::regex CompilePattern(const std::string& pattern, std::vector<std::string>* params) {
  std::string regex;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      const size_t close = pattern.find('}', i);
      std::string name = pattern.substr(i + 1, close - i - 1);
      const bool rest = !name.empty() && name.back() == '*';
      if (rest && close + 1 != pattern.size()) throw std::logic_error(pattern + ": a {name*} parameter must end the pattern");
      if (rest) name.pop_back();
      params->push_back(name);
      regex += rest ? "(.+)" : "([^/:]+)";
      i = close + 1;
      continue;
    }
    if (std::string(".^$|()[]*+?\\").find(pattern[i]) != std::string::npos) regex += '\\';
    regex += pattern[i++];
  }
  return std::regex(regex);
}

// The UI's files share one metrics label and log no line per request.
const Route& UiRoute() {
  static const Route kUi{"GET", "/ui/", "", Role::kNone, false, true, nullptr};
  return kUi;
}

}  // namespace

Dispatcher::Dispatcher(Api& api, bool worker_only, const StaticFiles* ui) : api_(api), ui_(ui) {
  for (const Route& route : RouteTable()) {
    if (worker_only && !route.on_worker) continue;
    Compiled compiled{&route, {}, {}};
    compiled.path = CompilePattern(route.pattern, &compiled.params);
    routes_.push_back(std::move(compiled));
  }
}

HttpResponse Dispatcher::Handle(const HttpRequest& request) const {
  const auto started = std::chrono::steady_clock::now();
  Exchange exchange;
  exchange.request_id = RequestIdOf(request);
  exchange.trace_id = TraceIdOf(request);
  HttpResponse response;
  if (ui_ != nullptr && ui_->Serves(request.path)) {  // the admin UI's files: public, not part of the API
    if (request.method == "GET" || request.method == "HEAD") {
      response = ui_->Get(request.path);
    } else {
      response = ErrorResponse({405, "method_not_allowed", "The UI's files can only be read."}, exchange.request_id);
      exchange.event.error_code = "method_not_allowed";
      response.SetHeader("Allow", "GET, HEAD");
    }
    exchange.route = &UiRoute();
  } else {
    response = Run(request, exchange);
  }
  response.SetHeader("X-Request-Id", exchange.request_id);
  Record(request, response, exchange, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

HttpResponse Dispatcher::Run(const HttpRequest& request, Exchange& exchange) const {
  const std::string method = request.method == "HEAD" ? "GET" : request.method;
  const Compiled* found = nullptr;
  std::smatch match;
  std::string allowed;  // methods of routes whose pattern matches the path
  for (const Compiled& candidate : routes_) {
    std::smatch m;
    if (!std::regex_match(request.path, m, candidate.path)) continue;
    if (candidate.route->method == method) {
      found = &candidate;
      match = std::move(m);
      break;
    }
    allowed += (allowed.empty() ? "" : ", ") + std::string(candidate.route->method);
  }
  Call call{request, {}, exchange.request_id, exchange.trace_id, "", Role::kNone, &exchange.event};
  if (found == nullptr) {
    if (!allowed.empty()) {
      HttpResponse response = call.Fail(ApiError{405, "method_not_allowed", "This route does not accept " + request.method + "."});
      response.SetHeader("Allow", allowed);
      return response;
    }
    return call.Fail(ApiError{404, "not_found", "There is no route " + request.method + " " + request.path.substr(0, 200) + "."});
  }
  const Route& route = *found->route;
  exchange.route = &route;
  for (size_t i = 0; i < found->params.size(); ++i) call.params[found->params[i]] = match[i + 1].str();

  std::optional<HttpResponse> refused = Authorize(route, call);
  exchange.subject = call.subject;  // logged with the request, also when refused for its role
  if (call.role != Role::kNone) exchange.role = ToString(call.role);
  if (refused) return std::move(*refused);
  try {
    return route.handler(api_, call);
  } catch (const std::exception& e) {
    call.Note("internal error", {{"route", route.pattern}, {"error", e.what()}});
  } catch (...) {
    call.Note("internal error", {{"route", route.pattern}, {"error", "unknown exception"}});
  }
  return call.Fail(Status::Internal("unexpected exception"));
}

// The caller's token checked against the route's role: the refusal (401,
// 403, 429, 503) or nullopt, with the caller's subject and role in `call`.
std::optional<HttpResponse> Dispatcher::Authorize(const Route& route, Call& call) const {
  if (route.role == Role::kNone) return std::nullopt;
  const std::string header = call.request.Header("Authorization");
  std::string token;
  if (header.size() > 7 && (header.compare(0, 7, "Bearer ") == 0 || header.compare(0, 7, "bearer ") == 0)) token = header.substr(7);
  // The client's address: unknown tokens that fail introspection count against it.
  const AuthResult auth = api_.auth.Check(token, call.request.remote_address);
  if (auth.outcome == AuthResult::Outcome::kRateLimited) {
    HttpResponse response = call.Fail(ApiError{429, "too_many_requests",
                                               "Too many unknown tokens from this address; try again later."});
    response.SetHeader("Retry-After", std::to_string(std::max(auth.retry_after_seconds, 1)));
    return response;
  }
  if (auth.outcome == AuthResult::Outcome::kUnavailable) {
    return call.Fail(ApiError{503, "auth_unavailable", "Tokens cannot be checked right now; try again later.", nullptr,
                              auth.retry_after_seconds});
  }
  if (auth.outcome != AuthResult::Outcome::kOk) {
    HttpResponse response = call.Fail(ApiError{
        401, "unauthorized",
        token.empty() ? "Send a token: Authorization: Bearer TOKEN." : "The token is not valid (" + auth.reason + ")."});
    response.SetHeader("WWW-Authenticate", "Bearer");
    return response;
  }
  call.subject = auth.subject;
  call.role = auth.role;
  if (!auth.token_id.empty()) NoteTokenUse(auth.token_id);
  if (static_cast<int>(auth.role) < static_cast<int>(route.role)) {
    return call.Fail(ApiError{403, "forbidden",
                              std::string("This needs the ") + ToString(route.role) + " role; the token has " + ToString(auth.role) + "."});
  }
  return std::nullopt;
}

void Dispatcher::NoteTokenUse(const std::string& token_id) const {
  constexpr int64_t kEvery = 60 * 1000;
  const int64_t now = api_.clock.NowMs();
  {
    std::lock_guard lock(token_uses_mutex_);
    int64_t& last = token_uses_[token_id];
    if (last != 0 && now - last < kEvery) return;
    last = now;
  }
  if (Status recorded = api_.store.RecordTokenUse(token_id, now); !recorded.ok()) {
    api_.log.Warn("could not record a token's use", {{"token_id", token_id}, {"error", recorded.message()}});
  }
}

HttpResponse Dispatcher::Refused(const HttpRequest& request, int http_status) const {
  Exchange exchange;
  exchange.request_id = RandomRequestId();
  exchange.trace_id = TraceIdOf(request);
  ApiError error{http_status, "bad_request", "The request is malformed."};
  switch (http_status) {
    case 408:
      error = {408, "request_timeout", "The request took too long to arrive."};
      break;
    case 413:
      error = {413, "payload_too_large", "The body is larger than this server accepts."};
      break;
    case 414:
      error = {414, "uri_too_long", "The request line is longer than this server accepts."};
      break;
    case 415:
      error = {415, "unsupported_media_type", "Send the body uncompressed (no Content-Encoding)."};
      break;
    case 503:
      error = {503, "overloaded", "The server is handling as many requests as it can; try again in a moment.", nullptr, 1};
      break;
    default:
      break;
  }
  HttpResponse response = ErrorResponse(error, exchange.request_id);
  exchange.event.error_code = error.code;
  response.SetHeader("X-Request-Id", exchange.request_id);
  Record(request, response, exchange, 0);
  return response;
}

void Dispatcher::Record(const HttpRequest& request, const HttpResponse& response, const Exchange& exchange, double seconds) const {
  const std::string method = MethodLabel(request.method);
  const Route* route = exchange.route;
  const std::string route_label = route != nullptr ? route->pattern : "other";  // unmatched paths share one label
  api_.metrics.Add("docgen_http_requests_total", {{"method", method}, {"route", route_label}, {"status", std::to_string(response.status)}});
  api_.metrics.Observe("docgen_http_request_duration_seconds", {{"method", method}, {"route", route_label}}, seconds);
  if (route != nullptr && route->quiet) return;
  const RequestEvent& event = exchange.event;
  nlohmann::json fields = {{"request_id", exchange.request_id},
                           {"trace_id", exchange.trace_id},
                           {"method", method},
                           {"route", route_label},
                           {"status", response.status},
                           {"duration_ms", std::round(seconds * 1e6) / 1e3}};
  if (!exchange.subject.empty()) fields["subject"] = exchange.subject;
  if (!exchange.role.empty()) fields["role"] = exchange.role;
  if (!event.error_code.empty()) fields["error_code"] = event.error_code;
  for (const auto& [key, value] : event.fields.items()) fields[key] = value;
  if (response.status >= 500) {
    api_.log.Error(event.message, std::move(fields));
  } else {
    api_.log.Info(event.message, std::move(fields));
  }
}

}  // namespace docgen
