// The HTTP server on GNU libmicrohttpd. Connections live on a few epoll
// threads and cost no thread while idle or slow; handlers run on a bounded
// pool (the connection is suspended meanwhile), so a slow render never holds
// a connection thread and /healthz is answered on the connection thread
// even when every handler is busy. Everything a client controls is bounded:
// header bytes (the connection's memory), body bytes as they arrive (chunked
// or not), Content-Encoding (refused), the time from first byte to last
// (idle timeout, plus a deadline for the headers and another for the body:
// a client dribbling a byte at a time is cut off), and the connections per
// client address.
#include "server/http_server.h"

#include "base/memory.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace docgen {
namespace {

using SteadyClock = std::chrono::steady_clock;

// One request from its first callback to its completion.
struct Exchange {
  HttpRequest request;
  SteadyClock::time_point started = SteadyClock::now();
  int refused = 0;              // an HTTP status decided before the handler (413, 415, 408)
  bool refusal_sent = false;
  bool dispatched = false;      // handed to the pool; the connection is suspended
  std::atomic<bool> answered{false};  // the pool's response is ready
  HttpResponse response;
};

// A fixed number of threads running queued tasks; Submit refuses beyond
// `max_queued` waiting tasks (the caller answers 503 then).
class TaskPool {
 public:
  TaskPool(int threads, size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~TaskPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // A task returns whether it did large work: its thread then gives its
  // free memory back once idle (ReleaseFreeMemory).
  bool Submit(std::function<bool()> task) {
    {
      std::lock_guard lock(mutex_);
      if (tasks_.size() >= max_queued_) return false;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void Loop() {
    bool owes_memory = false;  // did large work since it last gave its free memory back
    for (;;) {
      std::function<bool()> task;
      {
        std::unique_lock lock(mutex_);
        auto ready = [this] { return stopping_ || !tasks_.empty(); };
        if (owes_memory && !cv_.wait_for(lock, kIdleBeforeRelease, ready)) {
          // Idle for a moment after large work: see kIdleBeforeRelease.
          lock.unlock();
          ReleaseFreeMemory();
          owes_memory = false;
          continue;
        }
        cv_.wait(lock, ready);
        if (tasks_.empty()) return;  // stopping, and every queued task ran
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      owes_memory = task() || owes_memory;
    }
  }
  const size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<bool()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

MHD_Result CollectValue(void* target, MHD_ValueKind, const char* key, const char* value) {
  auto* map = static_cast<std::multimap<std::string, std::string>*>(target);
  std::string name = key != nullptr ? key : "";
  map->emplace(std::move(name), value != nullptr ? value : "");
  return MHD_YES;
}

MHD_Result CollectHeader(void* target, MHD_ValueKind, const char* key, const char* value) {
  auto* map = static_cast<std::multimap<std::string, std::string>*>(target);
  std::string name = key != nullptr ? key : "";
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  map->emplace(std::move(name), value != nullptr ? value : "");
  return MHD_YES;
}

std::string RemoteAddress(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {0};
  const sockaddr* address = info->client_addr;
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  }
  return text;
}

MHD_Result Send(MHD_Connection* connection, const HttpResponse& response, bool close) {
  MHD_Response* r = MHD_create_response_from_buffer(response.body.size(), const_cast<char*>(response.body.data()),
                                                    MHD_RESPMEM_MUST_COPY);
  if (r == nullptr) return MHD_NO;
  for (const auto& [name, value] : response.headers) MHD_add_response_header(r, name.c_str(), value.c_str());
  if (!response.content_type.empty()) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, response.content_type.c_str());
  if (close) MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned int>(response.status), r);
  MHD_destroy_response(r);
  return queued;
}

}  // namespace

// Connections waiting for a request's headers, and since when. MHD has only
// an idle timeout, which a client sending one byte every few seconds never
// meets: a sweeper shuts down the socket of a connection past the header
// deadline, and MHD then closes it as it would a client that went away.
class HeaderDeadlines {
 public:
  explicit HeaderDeadlines(int seconds) : deadline_(std::chrono::seconds(seconds)), sweeper_([this] { Sweep(); }) {}
  ~HeaderDeadlines() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    sweeper_.join();
  }
  void Waiting(MHD_Connection* c, int fd) {  // the connection started, or answered its last request
    std::lock_guard lock(mutex_);
    waiting_[c] = {fd, SteadyClock::now()};
  }
  void Waiting(MHD_Connection* c) {
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(c); it != waiting_.end()) it->second.since = SteadyClock::now();
  }
  void HeadersComplete(MHD_Connection* c) {
    std::lock_guard lock(mutex_);
    if (auto it = waiting_.find(c); it != waiting_.end()) it->second.since = SteadyClock::time_point::max();
  }
  void Closed(MHD_Connection* c) {  // before MHD closes the socket
    std::lock_guard lock(mutex_);
    waiting_.erase(c);
  }

 private:
  struct Entry {
    int fd = -1;
    SteadyClock::time_point since;
  };
  void Sweep() {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stopping_; })) {
      const auto now = SteadyClock::now();
      for (auto& [connection, entry] : waiting_) {
        if (entry.since == SteadyClock::time_point::max() || now - entry.since < deadline_) continue;
        shutdown(entry.fd, SHUT_RDWR);  // not close(): the socket stays MHD's until it sees the end
        entry.since = SteadyClock::time_point::max();
      }
    }
  }

  const SteadyClock::duration deadline_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::unordered_map<MHD_Connection*, Entry> waiting_;
  std::thread sweeper_;  // last: started once the rest exists
};

struct HttpServer::Impl {
  Impl(const Dispatcher& d, HttpServerOptions o)
      : dispatcher(d),
        options(std::move(o)),
        pool(options.threads, static_cast<size_t>(options.threads) * 16),
        header_deadlines(options.header_deadline_seconds) {}

  const Dispatcher& dispatcher;
  HttpServerOptions options;
  TaskPool pool;
  HeaderDeadlines header_deadlines;
  MHD_Daemon* daemon = nullptr;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;
  std::atomic<bool> stopping{false};
  std::atomic<int> suspended{0};

  MHD_Result OnRequest(MHD_Connection* connection, const char* url, const char* method, const char* upload_data,
                       size_t* upload_size, void** context) {
    auto* exchange = static_cast<Exchange*>(*context);
    if (exchange == nullptr) return Begin(connection, url, method, context);
    if (exchange->dispatched) {
      if (!exchange->answered) return MHD_YES;  // resumed early: wait for the pool
      return Send(connection, exchange->response, false);
    }
    if (exchange->refused != 0) {
      // Answered already (below, or in Begin): the rest of the body is not read, the connection closes.
      *upload_size = 0;
      return exchange->refusal_sent ? MHD_YES : Refuse(connection, exchange);
    }
    if (*upload_size > 0) {  // a piece of the body, counted as it arrives (chunked too)
      if (SteadyClock::now() - exchange->started > std::chrono::seconds(options.body_deadline_seconds)) {
        exchange->refused = 408;
      } else if (exchange->request.body.size() + *upload_size > options.max_body_bytes) {
        exchange->refused = 413;
      } else {
        exchange->request.body.append(upload_data, *upload_size);
      }
      *upload_size = 0;
      return exchange->refused != 0 ? Refuse(connection, exchange) : MHD_YES;
    }
    // Liveness never waits for the pool.
    if (exchange->request.path == "/healthz") return Send(connection, dispatcher.Handle(exchange->request), false);
    // Stopping: a request on a kept-alive connection is not started (the
    // daemon must not go while a handler holds a suspended connection).
    if (stopping) return Send(connection, dispatcher.Refused(exchange->request, 503), true);
    exchange->dispatched = true;
    MHD_suspend_connection(connection);
    ++suspended;
    const bool queued = pool.Submit([this, connection, exchange] {
      exchange->response = dispatcher.Handle(exchange->request);
      // What a large body was parsed into goes back to the system once the
      // thread is idle, or the server keeps its largest request's peak for good.
      const bool large = exchange->request.body.size() >= kLargeRequestBytes;
      Resume(connection, exchange);
      return large;
    });
    if (!queued) {
      exchange->response = dispatcher.Refused(exchange->request, 503);
      Resume(connection, exchange);
    }
    return MHD_YES;
  }

  void Resume(MHD_Connection* connection, Exchange* exchange) {
    std::lock_guard lock(mutex);  // answered is read by the connection thread after the resume
    exchange->answered = true;
    MHD_resume_connection(connection);
    --suspended;
  }

  static MHD_Result OnRequestCallback(void* cls, MHD_Connection* connection, const char* url, const char* method,
                                      const char* /*version*/, const char* upload_data, size_t* upload_size, void** context) {
    return static_cast<Impl*>(cls)->OnRequest(connection, url, method, upload_data, upload_size, context);
  }
  static void OnCompletedCallback(void* cls, MHD_Connection* connection, void** context, MHD_RequestTerminationCode) {
    auto* exchange = static_cast<Exchange*>(*context);
    const bool large = exchange != nullptr && exchange->request.body.capacity() >= kLargeRequestBytes;
    delete exchange;
    *context = nullptr;
    if (large) ReleaseFreeMemory();  // the body was read on this connection thread
    static_cast<Impl*>(cls)->header_deadlines.Waiting(connection);  // kept alive: the next request's headers
  }
  static void OnConnectionCallback(void* cls, MHD_Connection* connection, void**, MHD_ConnectionNotificationCode code) {
    HeaderDeadlines& deadlines = static_cast<Impl*>(cls)->header_deadlines;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) return deadlines.Closed(connection);
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info != nullptr) deadlines.Waiting(connection, info->connect_fd);
  }

  // Answers at once, before the rest of the body: it is not read, and the
  // connection closes after the answer.
  MHD_Result Refuse(MHD_Connection* connection, Exchange* exchange) {
    exchange->request.body.clear();
    exchange->request.body.shrink_to_fit();
    exchange->refusal_sent = true;
    return Send(connection, dispatcher.Refused(exchange->request, exchange->refused), true);
  }

  MHD_Result Begin(MHD_Connection* connection, const char* url, const char* method, void** context) {
    header_deadlines.HeadersComplete(connection);
    auto* exchange = new Exchange;
    *context = exchange;
    exchange->request.method = method != nullptr ? method : "";
    exchange->request.path = url != nullptr ? url : "";
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &CollectHeader, &exchange->request.headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectValue, &exchange->request.query);
    exchange->request.remote_address = RemoteAddress(connection);
    const std::string encoding = exchange->request.Header("Content-Encoding");
    if (!encoding.empty() && encoding != "identity") {
      exchange->refused = 415;  // compressed bodies could inflate past every limit
    } else if (const std::string length = exchange->request.Header("Content-Length"); !length.empty()) {
      errno = 0;
      const unsigned long long declared = std::strtoull(length.c_str(), nullptr, 10);
      if (errno != 0 || declared > options.max_body_bytes) exchange->refused = 413;
    }
    // Refused on its headers alone: answered before any of the body is read.
    return exchange->refused != 0 ? Refuse(connection, exchange) : MHD_YES;
  }
};

HttpServer::HttpServer(const Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

HttpServer::~HttpServer() {
  Stop();
  if (impl_->daemon != nullptr) MHD_stop_daemon(impl_->daemon);
}

Status HttpServer::Bind() {
  Impl& s = *impl_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(s.options.port);
  if (getaddrinfo(s.options.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Status::InvalidArgument("cannot listen on " + s.options.host + ": not an address or a known host name");
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  if (found->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  s.daemon = MHD_start_daemon(
      flags, static_cast<uint16_t>(s.options.port), nullptr, nullptr, &Impl::OnRequestCallback, &s,
      MHD_OPTION_SOCK_ADDR, found->ai_addr,
      MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned int>(s.options.connection_threads),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, s.options.max_header_bytes,
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned int>(s.options.idle_timeout_seconds),
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned int>(s.options.max_connections),
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<unsigned int>(s.options.max_connections_per_client),
      MHD_OPTION_NOTIFY_COMPLETED, &Impl::OnCompletedCallback, &s,
      MHD_OPTION_NOTIFY_CONNECTION, &Impl::OnConnectionCallback, &s,
      MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
      MHD_OPTION_END);
  if (s.daemon == nullptr) {
    return Status::Unavailable("cannot listen on " + s.options.host + ":" + port + " (in use, or not an address of this machine)");
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(s.daemon, MHD_DAEMON_INFO_BIND_PORT);
  if (info != nullptr) s.options.port = info->port;
  return Status::Ok();
}

int HttpServer::port() const { return impl_->options.port; }

void HttpServer::Serve() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopped) return;
    s.stopped = true;
  }
  s.stopping = true;
  s.stopped_cv.notify_all();
  if (s.daemon != nullptr) {
    const MHD_socket listener = MHD_quiesce_daemon(s.daemon);  // no new connections
    if (listener != MHD_INVALID_SOCKET) close(listener);
    // Requests in the pool finish and resume their connections before the daemon goes.
    for (int i = 0; i < 3000 && s.suspended > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace docgen
