// Serves a Dispatcher over HTTP/1.1. This is the only file that knows the
// HTTP server library (GNU libmicrohttpd): requests and responses cross it
// as server/http.h values, so the library can be replaced here alone.
// Bind() and Serve() are called from one thread, Stop() from any.
#pragma once

#include <docgen/status.h>

#include <memory>
#include <string>

#include "server/dispatcher.h"

namespace docgen {

// Every bound on what a client controls.
struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  size_t max_body_bytes = 8u << 20;     // as received, chunked or not
  size_t max_header_bytes = 32u << 10;  // request line and headers (431 beyond)
  int threads = 8;                      // handlers running at once (requests wait in a bounded queue)
  int connection_threads = 2;           // epoll threads reading and writing every connection
  int idle_timeout_seconds = 10;        // a connection sending nothing for this long is closed
  int header_deadline_seconds = 15;     // from a connection's start (or its last answer) to a request's complete headers
  int body_deadline_seconds = 30;       // from the request's first byte to its body's last (408)
  int max_connections = 1000;
  int max_connections_per_client = 64;  // per client address
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
