// Serves a Dispatcher over HTTP/1.1. This is the only file that knows the
// HTTP server library (cpp-httplib): requests and responses cross it as
// server/http.h values, so the library can be replaced here alone.
// Bind() and Serve() are called from one thread, Stop() from any.
#pragma once

#include <docgen/status.h>

#include <memory>
#include <string>

#include "server/dispatcher.h"

namespace docgen {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  size_t max_body_bytes = 8u << 20;
  int threads = 8;
  int read_timeout_seconds = 10;
};

class HttpServer {
 public:
  HttpServer(const Dispatcher& dispatcher, HttpServerOptions options);
  ~HttpServer();

  // Binds the listening socket; kUnavailable when the address cannot be used.
  Status Bind();
  int port() const;
  // Serves until Stop() (blocks the calling thread).
  void Serve();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace docgen
