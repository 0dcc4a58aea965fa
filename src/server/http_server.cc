#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace docgen {
namespace {

HttpRequest FromLibrary(const httplib::Request& req) {
  HttpRequest request;
  request.method = req.method;
  request.path = req.path;
  request.query.insert(req.params.begin(), req.params.end());
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.headers.emplace(std::move(lower), value);
  }
  request.body = req.body;
  return request;
}

void ToLibrary(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  if (!response.body.empty() || !response.content_type.empty()) res.set_content(response.body, response.content_type);
}

bool ExpectsBody(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace

struct HttpServer::Impl {
  Impl(const Dispatcher& d, HttpServerOptions o) : dispatcher(d), options(std::move(o)) {}
  const Dispatcher& dispatcher;
  HttpServerOptions options;
  httplib::Server http;
};

HttpServer::HttpServer(const Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {
  httplib::Server& http = impl_->http;
  const Dispatcher& d = dispatcher;
  auto handle = [&d](const httplib::Request& req, httplib::Response& res) { ToLibrary(d.Handle(FromLibrary(req)), res); };
  // Every path goes to the dispatcher, which owns routing (404, 405).
  http.Get(".*", handle);
  http.Post(".*", handle);
  http.Put(".*", handle);
  http.Delete(".*", handle);
  http.Patch(".*", handle);
  http.Options(".*", handle);
  // HTTP/1.1: a request with neither Content-Length nor Transfer-Encoding
  // has an empty body. cpp-httplib 0.11 would instead read until the
  // connection closes (the read timeout), so such requests are answered
  // here, before it starts reading.
  http.set_pre_routing_handler([&d](const httplib::Request& req, httplib::Response& res) {
    if (!ExpectsBody(req.method) || req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    ToLibrary(d.Handle(FromLibrary(req)), res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Requests the library refused before routing (malformed, too large) get
  // the API's error body; the dispatcher's own errors already have one.
  http.set_error_handler(httplib::Server::HandlerWithResponse([&d](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.has_header("X-Request-Id")) return httplib::Server::HandlerResponse::Unhandled;
    ToLibrary(d.Refused(FromLibrary(req), res.status), res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_payload_max_length(impl_->options.max_body_bytes);
  const int threads = impl_->options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_read_timeout(impl_->options.read_timeout_seconds, 0);
  http.set_tcp_nodelay(true);  // otherwise Nagle + delayed ACK add 40 ms to small responses
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Bind() {
  Impl& s = *impl_;
  if (s.options.port == 0) {
    s.options.port = s.http.bind_to_any_port(s.options.host);
    if (s.options.port <= 0) return Status::Unavailable("cannot listen on " + s.options.host);
  } else if (!s.http.bind_to_port(s.options.host, s.options.port)) {
    return Status::Unavailable("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port));
  }
  return Status::Ok();
}

int HttpServer::port() const { return impl_->options.port; }
void HttpServer::Serve() { impl_->http.listen_after_bind(); }
void HttpServer::Stop() { impl_->http.stop(); }

}  // namespace docgen
