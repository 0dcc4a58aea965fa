// HTTP routes and the service's lifecycle. Routes only translate HTTP to
// the stages (resolve, render, store) and back; every error is JSON:
// {"error": {"code", "message", "request_id", "details"?}}.
#include "server/service.h"

#include <httplib.h>

#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <chrono>
#include <regex>

#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/openapi.h"
#include "store/blob_store.h"
#include "util/diagnostic_json.h"
#include "util/text.h"

namespace docgen {
namespace {

std::string RandomId(const char* prefix) {
  unsigned char bytes[12];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = prefix;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

thread_local std::chrono::steady_clock::time_point request_started;
thread_local std::string request_id;

void SendJson(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n", "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& code, const std::string& message,
               nlohmann::ordered_json details = nullptr) {
  if (status == 503 && !res.has_header("Retry-After")) res.set_header("Retry-After", "5");
  nlohmann::ordered_json error = {{"code", code}, {"message", message}, {"request_id", request_id}};
  if (!details.is_null()) error["details"] = std::move(details);
  SendJson(res, status, {{"error", error}});
}

// The route template of a path, for metrics labels (ids are not labels).
std::string RouteOf(const std::string& path) {
  static const std::vector<std::pair<std::regex, std::string>> kRoutes = {
      {std::regex("/v1/jobs/[^/]+/documents/[^/]+"), "/v1/jobs/{id}/documents/{name}"},
      {std::regex("/v1/jobs/[^/]+/(package\\.pdf|package\\.json|webhooks)"), "/v1/jobs/{id}/$1"},
      {std::regex("/v1/jobs/[^/:]+:(cancel|retry)"), "/v1/jobs/{id}:$1"},
      {std::regex("/v1/jobs/[^/]+"), "/v1/jobs/{id}"},
      {std::regex("/v1/catalog/documents/[^/]+"), "/v1/catalog/documents/{id}"},
      {std::regex("/v1/catalog/versions/[^/]+"), "/v1/catalog/versions/{n}"},
  };
  for (const auto& [pattern, name] : kRoutes) {
    std::smatch m;
    if (std::regex_match(path, m, pattern)) return m.size() > 1 ? std::regex_replace(path, pattern, name) : name;
  }
  if (path.rfind("/v1/catalog/drafts/documents/", 0) == 0) return "/v1/catalog/drafts/documents/{id}";
  static const std::set<std::string> kFixed = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/jobs",
                                               "/v1/catalog/drafts:lint",
                                               "/v1/packages:resolve", "/v1/packages:render", "/v1/catalog",
                                               "/v1/catalog/documents", "/v1/catalog/versions"};
  return kFixed.count(path) ? path : "other";
}

// Parses a JSON request body with the quote's depth limit; sends 400/415 itself.
std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) {
    SendError(res, 415, "unsupported_media_type", "Send the body as application/json.");
    return std::nullopt;
  }
  const int max_depth = JsonNestingDepth(req.body);
  if (max_depth > 64) {
    SendError(res, 400, "invalid_json", "The body is nested more than 64 levels deep.");
    return std::nullopt;
  }
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (size_t bracket = what.find("] "); bracket != std::string::npos) what = what.substr(bracket + 2);
    SendError(res, 400, "invalid_json", "The body is not valid JSON: " + what);
    return std::nullopt;
  }
}

// True for URLs whose host is localhost or a literal loopback, private,
// link-local or unspecified address (names are not resolved here).
bool IsPrivateHost(const std::string& url) {
  const size_t start = url.find("://") + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (const size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  if (!host.empty() && host[0] == '[') return true;  // IPv6 literals: refused rather than classified
  if (const size_t colon = host.rfind(':'); colon != std::string::npos) host = host.substr(0, colon);
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (host == "localhost" || host.ends_with(".localhost") || host.empty()) return true;
  static const std::regex kIpv4("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)");
  std::smatch m;
  if (!std::regex_match(host, m, kIpv4)) return false;
  const int a = std::stoi(m[1]), b = std::stoi(m[2]);
  return a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
         (a == 100 && b >= 64 && b <= 127);
}

std::string ResultBlob(const Job& job, const char* key) {
  return job.result.is_object() && job.result.contains(key) && job.result[key].is_string() ? job.result[key].get<std::string>() : "";
}

// The role a route needs; nullopt for the public ones.
std::optional<Role> RequiredRole(const std::string& method, const std::string& path) {
  if (path == "/healthz" || path == "/readyz" || path == "/metrics" || path == "/openapi.json") return std::nullopt;
  if (path.rfind("/v1/catalog/drafts", 0) == 0 || (method == "POST" && path == "/v1/catalog/versions")) return Role::kAdmin;
  if (method == "POST" && (path == "/v1/packages:resolve" || path == "/v1/packages:render" || path.rfind("/v1/jobs", 0) == 0)) {
    return Role::kGenerator;
  }
  if (method == "GET" || method == "HEAD") return Role::kViewer;
  return Role::kAdmin;
}

thread_local std::string request_subject;

bool ValidJobId(const std::string& id) {
  static const std::regex kId("job_[0-9a-f]{24}");
  return std::regex_match(id, kId);
}

}  // namespace

struct Service::Impl {
  ServiceOptions options;
  Log log;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<CatalogVersions> catalogs;
  std::unique_ptr<JobRunner> runner;
  std::unique_ptr<Authenticator> auth;
  httplib::Server http;
  std::atomic<bool> ready{false};
  std::thread maintenance;
  std::mutex maintenance_mutex;
  std::condition_variable maintenance_cv;
  bool stopping = false;

  // Retention: finished jobs older than the retention period go, and so do
  // blobs no job refers to (once old enough not to belong to a job in flight).
  void PruneOnce(int min_blob_age_seconds, int min_temporary_age_seconds) {
    const int jobs = store->PruneJobs(SystemNowMs() - options.retention_ms);
    const std::vector<std::string> referenced = store->ReferencedBlobs();
    const int blob_count = blobs->Prune(std::set<std::string>(referenced.begin(), referenced.end()), min_blob_age_seconds,
                                       min_temporary_age_seconds);
    if (jobs > 0 || blob_count > 0) log.Info("pruned", {{"jobs", jobs}, {"blobs", blob_count}});
  }

  explicit Impl(ServiceOptions o) : options(std::move(o)) {}

  bool Shared() const { return IsPostgresUrl(options.database); }

  // The job store and the blob store the options name.
  Status OpenStores(int* exit_code) {
    namespace fs = std::filesystem;
    if (options.blob_store != "directory" && options.blob_store != "database") {
      *exit_code = 2;
      return Status::Error("blob_store must be directory or database, not " + options.blob_store);
    }
    if (options.blob_store == "database" && !Shared()) {
      *exit_code = 2;
      return Status::Error("blob_store: database needs a PostgreSQL database (database: postgres://...)");
    }
    Status status;
    if (Shared()) {
      // One connection per worker, its heartbeat and HTTP thread, plus the
      // reaper, webhook and maintenance passes (README: connections per process).
      const int connections = 2 * options.runner.workers + (options.worker_only ? 0 : options.http_threads) + 3;
      store = OpenPostgresStore(options.database, connections, &status, [this](bool down, const std::string& why) {
        metrics.Add("docgen_database_outages_total", {{"state", down ? "lost" : "restored"}});
        if (down) {
          log.Error("database connection lost; reconnecting with backoff", {{"error", why}});
        } else {
          log.Info("database connection restored");
        }
      });
    } else {
      store = OpenSqliteStore(options.database.empty() ? (fs::path(options.data_dir) / "docgen.sqlite").string() : options.database,
                              &status);
    }
    if (!store) return status;
    if (options.blob_store == "database") {
      blobs = OpenPostgresBlobStore(options.database, options.runner.workers + (options.worker_only ? 1 : 4), &status);
      if (!blobs) return status;
    } else {
      blobs = OpenDirectoryBlobStore(options.blob_dir.empty() ? fs::path(options.data_dir) / "blobs" : fs::path(options.blob_dir));
    }
    return Status::Ok();
  }

  std::shared_ptr<const Catalog> Current(int64_t* version, std::string* error) { return catalogs->Get(0, error, version); }

  void Routes();
  void DraftRoutes();
  std::optional<CatalogFiles> DraftFiles(std::string* error, std::map<std::string, Draft>* snapshot = nullptr);
  void Resolve(const httplib::Request& req, httplib::Response& res);
  void Render(const httplib::Request& req, httplib::Response& res);
  void CreateJob(const httplib::Request& req, httplib::Response& res);
  void ListJobs(const httplib::Request& req, httplib::Response& res);
  std::optional<Job> FindJob(const httplib::Request& req, httplib::Response& res);
  void Download(const Job& job, const std::string& blob, const std::string& type, httplib::Response& res);
  void ServeMetrics(httplib::Response& res);
};

void Service::Impl::Routes() {
  http.set_payload_max_length(options.max_body_bytes);
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    request_started = std::chrono::steady_clock::now();
    request_id = req.get_header_value("X-Request-Id");
    if (request_id.empty() || request_id.size() > 64 ||
        request_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != std::string::npos) {
      request_id = RandomId("req_");
    }
    res.set_header("X-Request-Id", request_id);
    request_subject.clear();
    const std::optional<Role> needed = RequiredRole(req.method, req.path);
    if (!needed) return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    std::string token;
    if (header.size() > 7 && (header.compare(0, 7, "Bearer ") == 0 || header.compare(0, 7, "bearer ") == 0)) token = header.substr(7);
    const AuthResult result = auth->Check(token);
    if (result.outcome == AuthResult::Outcome::kUnavailable) {
      res.set_header("Retry-After", std::to_string(result.retry_after_seconds));
      SendError(res, 503, "auth_unavailable", "Tokens cannot be checked right now; try again later.");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (result.outcome != AuthResult::Outcome::kOk) {
      res.set_header("WWW-Authenticate", "Bearer");
      SendError(res, 401, "unauthorized",
                token.empty() ? "Send a token: Authorization: Bearer TOKEN." : "The token is not valid (" + result.reason + ").");
      return httplib::Server::HandlerResponse::Handled;
    }
    request_subject = result.subject;
    if (static_cast<int>(result.role) < static_cast<int>(*needed)) {
      SendError(res, 403, "forbidden", std::string("This needs the ") + ToString(*needed) + " role; the token has " +
                                           ToString(result.role) + ".");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started).count();
    const std::string route = RouteOf(req.path);
    metrics.Add("docgen_http_requests_total", {{"method", req.method}, {"route", route}, {"status", std::to_string(res.status)}});
    metrics.Observe("docgen_http_request_duration_seconds", {{"method", req.method}, {"route", route}}, seconds);
    if (route != "/metrics" && route != "/healthz" && route != "/readyz") {
      log.Info("request", {{"request_id", request_id}, {"method", req.method}, {"route", route}, {"status", res.status},
                           {"subject", request_subject}, {"duration_ms", static_cast<int64_t>(seconds * 1000)}});
    }
    // Requests that httplib refuses before routing (414, 400) must not inherit this one's state.
    request_id = RandomId("req_");
    request_subject.clear();
    request_started = std::chrono::steady_clock::now();
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      SendError(res, 404, "not_found", "There is no route " + req.method + " " + req.path + ".");
    } else if (res.status == 413) {
      SendError(res, 413, "payload_too_large", "The body is larger than this server accepts.");
    } else if (res.status == 400) {
      SendError(res, 400, "bad_request", "The request is malformed.");
    } else if (res.status == 405) {
      SendError(res, 405, "method_not_allowed", "This route does not accept " + req.method + ".");
    } else {
      SendError(res, res.status, "http_error", "The request failed.");
    }
  });
  http.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      std::rethrow_exception(ep);
    } catch (const StoreUnavailable& e) {
      log.Error("database unavailable", {{"request_id", request_id}, {"error", e.what()}});
      res.set_header("Retry-After", "1");
      return SendError(res, 503, "database_unavailable",
                       "The database cannot be reached right now; send the request again (with the same Idempotency-Key "
                       "for jobs) in a moment.");
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log.Error("internal error", {{"request_id", request_id}, {"error", what}});
    SendError(res, 500, "internal", "An internal error occurred; see the server log for request " + request_id + ".");
  });

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { SendJson(res, 200, {{"status", "ok"}}); });
  http.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::ordered_json checks;
    const Status db = store->Ping();
    checks["database"] = db.ok ? "ok" : db.message;
    int64_t version = 0;
    std::string error;
    if (db.ok) {
      checks["catalog"] = Current(&version, &error) ? "version " + std::to_string(version) : error;
    } else {
      checks["catalog"] = "unknown while the database is unavailable";
    }
    checks["auth"] = auth->Health();  // degraded (shared cache down) is reported, not fatal
    const bool ok = db.ok && error.empty() && ready;
    SendJson(res, ok ? 200 : 503, {{"status", ok ? "ready" : "not_ready"}, {"checks", checks}});
  });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { ServeMetrics(res); });
  if (options.worker_only) return;  // docgen worker: health and metrics only
  http.Get("/openapi.json", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(kOpenApiJson), "application/json");
  });

  http.Post("/v1/packages:resolve", [this](const httplib::Request& req, httplib::Response& res) { Resolve(req, res); });
  http.Post("/v1/packages:render", [this](const httplib::Request& req, httplib::Response& res) { Render(req, res); });
  http.Post("/v1/jobs", [this](const httplib::Request& req, httplib::Response& res) { CreateJob(req, res); });
  http.Get("/v1/jobs", [this](const httplib::Request& req, httplib::Response& res) { ListJobs(req, res); });
  http.Get(R"(/v1/jobs/([^/:]+))", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto job = FindJob(req, res)) {
      nlohmann::ordered_json body = JobToJson(*job);
      SendJson(res, 200, body);
    }
  });
  http.Get(R"(/v1/jobs/([^/:]+)/webhooks)", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto job = FindJob(req, res)) {
      nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
      for (const auto& a : store->WebhookAttempts(job->id)) {
        attempts.push_back({{"attempt", a.attempt}, {"at", IsoTime(a.at)}, {"http_status", a.http_status}, {"error", a.error}});
      }
      SendJson(res, 200, {{"job_id", job->id}, {"state", job->webhook_state}, {"attempts", attempts}});
    }
  });
  http.Get(R"(/v1/jobs/([^/:]+)/package\.pdf)", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto job = FindJob(req, res)) Download(*job, ResultBlob(*job, "package_pdf"), "application/pdf", res);
  });
  http.Get(R"(/v1/jobs/([^/:]+)/package\.json)", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto job = FindJob(req, res)) Download(*job, ResultBlob(*job, "package_json"), "application/json", res);
  });
  http.Get(R"(/v1/jobs/([^/:]+)/documents/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto job = FindJob(req, res);
    if (!job) return;
    const std::string name = req.matches[2];
    if (job->result.is_object() && job->result.contains("documents")) {
      for (const auto& d : job->result["documents"]) {
        if (d.value("name", "") == name) return Download(*job, d.value("blob", ""), "application/pdf", res);
      }
    }
    SendError(res, 404, "not_found", "Job " + job->id + " has no document " + name + ".");
  });
  http.Post(R"(/v1/jobs/([^/:]+):cancel)", [this](const httplib::Request& req, httplib::Response& res) {
    auto job = FindJob(req, res);
    if (!job) return;
    if (!store->CancelJob(job->id, SystemNowMs())) {
      return SendError(res, 409, "conflict", "Job " + job->id + " is " + ToString(job->status) + " and cannot be canceled.");
    }
    log.Info("job canceled", {{"request_id", request_id}, {"job_id", job->id}, {"subject", request_subject}});
    SendJson(res, 200, JobToJson(*store->GetJob(job->id)));
  });
  http.Post(R"(/v1/jobs/([^/:]+):retry)", [this](const httplib::Request& req, httplib::Response& res) {
    auto job = FindJob(req, res);
    if (!job) return;
    if (!store->RetryJob(job->id, SystemNowMs())) {
      return SendError(res, 409, "conflict", "Job " + job->id + " is " + ToString(job->status) + "; only failed or canceled jobs can be retried.");
    }
    log.Info("job retried by request", {{"request_id", request_id}, {"job_id", job->id}, {"subject", request_subject}});
    SendJson(res, 202, JobToJson(*store->GetJob(job->id)));
  });

  http.Get("/v1/catalog", [this](const httplib::Request&, httplib::Response& res) {
    auto version = store->GetCatalogVersion(0);
    if (!version) return SendError(res, 404, "not_found", "No catalog has been published.");
    int64_t n = 0;
    std::string error;
    auto catalog = Current(&n, &error);
    nlohmann::ordered_json body = {{"version", version->version}, {"name", version->name}, {"digest", version->digest},
                                   {"created_at", IsoTime(version->created_at)}};
    body["documents"] = catalog ? catalog->editions.size() : 0;
    SendJson(res, 200, body);
  });
  http.Get(R"(/v1/catalog/documents(?:/([^/]+))?)", [this](const httplib::Request& req, httplib::Response& res) {
    int64_t n = 0;
    std::string error;
    auto catalog = Current(&n, &error);
    if (!catalog) return SendError(res, 503, "catalog_unavailable", error);
    const std::string id = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& e : catalog->editions) {
      if (!id.empty() && e.id != id) continue;
      nlohmann::ordered_json d = {{"id", e.id}, {"edition", e.edition}, {"title", e.title}, {"kind", ToString(e.kind)},
                                  {"order", e.order}, {"template", e.template_path}};
      if (!id.empty()) d["variables"] = nlohmann::ordered_json(e.variables_schema);
      list.push_back(std::move(d));
    }
    if (!id.empty() && list.empty()) return SendError(res, 404, "not_found", "The catalog has no document " + id + ".");
    SendJson(res, 200, {{"version", n}, {"documents", list}});
  });
  DraftRoutes();
  http.Get("/v1/catalog/versions", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& v : store->ListCatalogVersions()) {
      list.push_back({{"version", v.version}, {"name", v.name}, {"digest", v.digest}, {"created_at", IsoTime(v.created_at)},
                      {"created_by", v.created_by}});
    }
    SendJson(res, 200, {{"versions", list}});
  });
  http.Get(R"(/v1/catalog/versions/([1-9]\d{0,17}))", [this](const httplib::Request& req, httplib::Response& res) {
    auto v = store->GetCatalogVersion(std::stoll(req.matches[1]));
    if (!v || v->version == 0) return SendError(res, 404, "not_found", "There is no catalog version " + std::string(req.matches[1]) + ".");
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    if (v->files.is_object()) {
      for (const auto& [path, unused] : v->files.items()) files.push_back(path);
    }
    SendJson(res, 200, {{"version", v->version}, {"name", v->name}, {"digest", v->digest},
                        {"created_at", IsoTime(v->created_at)}, {"files", files}});
  });
}

// The current version's files with the drafts applied: a drafted id's
// editions replace every edition of that id.
std::optional<CatalogFiles> Service::Impl::DraftFiles(std::string* error, std::map<std::string, Draft>* snapshot) {
  auto current = store->GetCatalogVersion(0);
  if (!current) {
    *error = "No catalog has been published yet; publish one (docgen serve --catalog DIR) before editing drafts.";
    return std::nullopt;
  }
  CatalogFiles files = CatalogFilesFromJson(current->files);
  const auto drafts = store->Drafts();
  if (snapshot != nullptr) *snapshot = drafts;
  if (drafts.empty()) return files;
  for (auto it = files.begin(); it != files.end();) {
    bool drafted = false;
    if (it->first.rfind("documents/", 0) == 0) {
      try {
        YAML::Node doc = YAML::Load(it->second);
        drafted = doc.IsMap() && doc["id"] && doc["id"].IsScalar() && drafts.count(doc["id"].Scalar());
      } catch (const std::exception&) {
      }
    }
    it = drafted ? files.erase(it) : std::next(it);
  }
  for (const auto& [id, draft] : drafts) {
    const nlohmann::json& editions = draft.editions;
    if (!editions.is_array()) continue;
    for (size_t k = 0; k < editions.size(); ++k) {
      std::string path = "documents/" + id + (editions.size() > 1 ? "-" + std::to_string(k + 1) : "") + ".yaml";
      while (files.count(path)) path.insert(path.size() - 5, "_");
      files[path] = editions[k].dump(2) + "\n";  // JSON is YAML
    }
  }
  return files;
}

void Service::Impl::DraftRoutes() {
  static const std::string kId = R"(([A-Z0-9][A-Z0-9._-]{0,127}))";
  http.Get("/v1/catalog/drafts:lint", [this](const httplib::Request&, httplib::Response& res) {
    std::string error;
    auto files = DraftFiles(&error);
    if (!files) return SendError(res, 409, "no_catalog", error);
    CatalogLoad load = LoadCatalog(*files);
    nlohmann::ordered_json drafted = nlohmann::ordered_json::array();
    for (const auto& [id, unused] : store->Drafts()) drafted.push_back(id);
    SendJson(res, 200, {{"valid", load.catalog != nullptr}, {"drafts", drafted}, {"findings", DiagnosticsToJson(load.diagnostics, true)}});
  });
  http.Get("/v1/catalog/drafts/documents/" + kId, [this](const httplib::Request& req, httplib::Response& res) {
    const auto drafts = store->Drafts();
    auto it = drafts.find(req.matches[1]);
    if (it == drafts.end()) return SendError(res, 404, "not_found", "There is no draft for " + std::string(req.matches[1]) + ".");
    SendJson(res, 200, {{"id", it->first}, {"editions", nlohmann::ordered_json(it->second.editions)}});
  });
  http.Put("/v1/catalog/drafts/documents/" + kId, [this](const httplib::Request& req, httplib::Response& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    const std::string id = req.matches[1];
    nlohmann::json editions = body->is_array() ? *body : nlohmann::json::array({*body});
    for (auto& edition : editions) {
      if (!edition.is_object()) return SendError(res, 400, "invalid_request", "A draft is a document edition object, or a list of them.");
      if (!edition.contains("id")) edition["id"] = id;
      if (edition["id"] != id) return SendError(res, 400, "invalid_request", "The edition's id must be " + id + ", as in the path.");
    }
    std::string error;
    if (!DraftFiles(&error)) return SendError(res, 409, "no_catalog", error);
    Status status = store->PutDraft(id, editions, SystemNowMs());
    if (!status.ok) return SendError(res, 503, "unavailable", status.message);
    log.Info("catalog draft saved", {{"request_id", request_id}, {"document", id}, {"editions", editions.size()}});
    CatalogLoad load = LoadCatalog(*DraftFiles(&error));
    SendJson(res, 200, {{"id", id}, {"editions", nlohmann::ordered_json(editions)},
                        {"lint", {{"valid", load.catalog != nullptr}, {"findings", DiagnosticsToJson(load.diagnostics, true)}}}});
  });
  http.Delete("/v1/catalog/drafts/documents/" + kId, [this](const httplib::Request& req, httplib::Response& res) {
    if (!store->DeleteDraft(req.matches[1])) {
      return SendError(res, 404, "not_found", "There is no draft for " + std::string(req.matches[1]) + ".");
    }
    res.status = 204;
  });
  http.Post("/v1/catalog/versions", [this](const httplib::Request& req, httplib::Response& res) {
    // Publishes the drafts, or a whole catalog given as {"files": {path: text or {"base64": ...}}}.
    std::optional<CatalogFiles> files;
    std::string error;
    std::string source = "drafts";
    if (!req.body.empty()) {
      auto body = JsonBody(req, res);
      if (!body) return;
      if (body->is_object() && body->contains("files")) {
        if (!(*body)["files"].is_object()) return SendError(res, 400, "invalid_request", "\"files\" maps catalog paths to contents.");
        files = CatalogFilesFromJson((*body)["files"]);
        source = "files";
      } else if (!body->is_object() || !body->empty()) {
        return SendError(res, 400, "invalid_request", "Send {} to publish the drafts, or {\"files\": {...}} to publish a catalog.");
      }
    }
    std::map<std::string, Draft> snapshot;
    if (!files) files = DraftFiles(&error, &snapshot);
    if (!files) return SendError(res, 409, "no_catalog", error);
    CatalogLoad load = LoadCatalog(*files);
    if (!load.catalog) {
      return SendError(res, 422, "lint_failed", "The catalog has lint errors; nothing was published.", DiagnosticsToJson(load.diagnostics, true));
    }
    CatalogVersion version;
    version.digest = load.catalog->digest;
    version.name = load.catalog->name;
    version.created_at = SystemNowMs();
    version.created_by = request_subject.empty() ? "api" : request_subject;
    version.files = CatalogFilesToJson(*files);
    Status status = source == "drafts" ? store->PublishDrafts(&version, snapshot) : store->PublishCatalog(&version);
    if (!status.ok) return SendError(res, 503, "unavailable", status.message);
    log.Info("catalog published", {{"request_id", request_id}, {"version", version.version}, {"digest", version.digest}, {"source", source}});
    SendJson(res, 201, {{"version", version.version}, {"name", version.name}, {"digest", version.digest},
                        {"created_at", IsoTime(version.created_at)}, {"findings", DiagnosticsToJson(load.diagnostics, true)}});
  });
}

void Service::Impl::ServeMetrics(httplib::Response& res) {
  // The process's own metrics are served even while the database is away.
  try {
    const auto counts = store->CountJobs();
    int64_t queued = 0;
    for (JobStatus s : {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed, JobStatus::kCanceled}) {
      metrics.Set("docgen_jobs", {{"status", ToString(s)}}, 0);
    }
    for (const auto& [status, count] : counts) {
      metrics.Set("docgen_jobs", {{"status", ToString(status)}}, static_cast<double>(count));
      if (status == JobStatus::kQueued) queued = count;
    }
    metrics.Set("docgen_queue_depth", {}, static_cast<double>(queued));
    metrics.Set("docgen_database_up", {}, 1);
  } catch (const std::exception&) {
    metrics.Set("docgen_database_up", {}, 0);
  }
  res.set_content(metrics.Render(), "text/plain; version=0.0.4");
}

void Service::Impl::Resolve(const httplib::Request& req, httplib::Response& res) {
  auto quote = JsonBody(req, res);
  if (!quote) return;
  int64_t version = 0;
  std::string error;
  auto catalog = Current(&version, &error);
  if (!catalog) return SendError(res, 503, "catalog_unavailable", error);
  Package package = docgen::Resolve(*catalog, *quote);
  nlohmann::ordered_json body = PackageToJson(package);
  body["catalog"]["version"] = version;
  SendJson(res, package.valid ? 200 : 422, body);
}

void Service::Impl::Render(const httplib::Request& req, httplib::Response& res) {
  static thread_local Renderer renderer;
  auto quote = JsonBody(req, res);
  if (!quote) return;
  int64_t version = 0;
  std::string error;
  auto catalog = Current(&version, &error);
  if (!catalog) return SendError(res, 503, "catalog_unavailable", error);
  Package package = docgen::Resolve(*catalog, *quote);
  if (!package.valid) {
    return SendError(res, 422, "invalid_package", "The quote does not resolve to a valid package.", DiagnosticsToJson(package.errors));
  }
  RenderResult rendered = renderer.Render(*catalog, package, *quote);
  if (!rendered.output) {
    return SendError(res, 422, "render_failed", "The package cannot be rendered.", DiagnosticsToJson(rendered.errors));
  }
  metrics.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
  res.set_header("Content-Disposition", "inline; filename=\"" + package.quote_id + ".pdf\"");
  res.set_content(rendered.output->package_pdf, "application/pdf");
}

void Service::Impl::CreateJob(const httplib::Request& req, httplib::Response& res) {
  auto body = JsonBody(req, res);
  if (!body) return;
  if (!body->is_object()) return SendError(res, 400, "invalid_request", "The body must be an object {\"quote\": ..., \"callback_url\": ...}.");
  for (const auto& [key, unused] : body->items()) {
    if (key != "quote" && key != "callback_url") {
      return SendError(res, 400, "invalid_request", "Unknown field \"" + key + "\"; a job takes quote and callback_url.");
    }
  }
  if (!body->contains("quote") || !(*body)["quote"].is_object()) {
    return SendError(res, 400, "invalid_request", "\"quote\" is required and must be an object.");
  }
  std::string callback;
  if (body->contains("callback_url")) {
    const auto& c = (*body)["callback_url"];
    static const std::regex kUrl("https?://[^\\s/?#]+(/[^\\s]*)?");
    if (!c.is_string() || c.get<std::string>().size() > 2048 || !std::regex_match(c.get<std::string>(), kUrl)) {
      return SendError(res, 400, "invalid_request", "\"callback_url\" must be an http:// or https:// URL.");
    }
    callback = c.get<std::string>();
    if (!options.runner.allow_private_callbacks && IsPrivateHost(callback)) {
      return SendError(res, 400, "invalid_request",
                       "\"callback_url\" points at a local or private address, which this server does not call.");
    }
  }
  const std::string key = req.get_header_value("Idempotency-Key");
  if (key.size() > 255) return SendError(res, 400, "invalid_request", "Idempotency-Key is longer than 255 characters.");
  int64_t version = 0;
  std::string error;
  if (!Current(&version, &error)) return SendError(res, 503, "catalog_unavailable", error);
  Job job;
  job.id = RandomId("job_");
  // Keys are per caller: another client's key can neither return nor reveal this job.
  job.idempotency_key = key.empty() ? "" : request_subject + "\n" + key;
  job.request_hash = Sha256Hex(body->dump());
  job.quote = (*body)["quote"];
  job.callback_url = callback;
  job.catalog_version = version;
  job.max_attempts = options.runner.retry.max_attempts;
  job.created_at = job.run_after = SystemNowMs();
  Job stored;
  bool created = false;
  Status status = store->CreateJob(job, &stored, &created);
  if (!status.ok) {
    if (status.message.rfind("conflict", 0) == 0) return SendError(res, 409, "idempotency_conflict", status.message);
    log.Error("cannot store a job", {{"request_id", request_id}, {"error", status.message}});
    res.set_header("Retry-After", "1");
    return SendError(res, 503, "unavailable", "The job could not be stored; try again.");
  }
  if (created) {
    const nlohmann::json quote_id = job.quote.contains("quote_id") && job.quote["quote_id"].is_string() ? job.quote["quote_id"] : nlohmann::json("");
    log.Info("job accepted", {{"request_id", request_id}, {"job_id", stored.id}, {"quote_id", quote_id}, {"subject", request_subject}});
    metrics.Add("docgen_jobs_created_total", {});
  } else {
    res.set_header("Idempotent-Replayed", "true");
  }
  res.set_header("Location", "/v1/jobs/" + stored.id);
  SendJson(res, 202, JobToJson(stored));  // a replay answers as the original request did
}

void Service::Impl::ListJobs(const httplib::Request& req, httplib::Response& res) {
  JobFilter filter;
  if (req.has_param("status")) {
    filter.status = ParseJobStatus(req.get_param_value("status"));
    if (!filter.status) return SendError(res, 400, "invalid_request", "status must be queued, running, succeeded, failed or canceled.");
  }
  auto number = [&](const char* name, int64_t& out) {
    if (!req.has_param(name)) return true;
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoll(v);
    return true;
  };
  int64_t limit = 100;
  if (!number("created_after", filter.created_after) || !number("created_before", filter.created_before) || !number("limit", limit)) {
    return SendError(res, 400, "invalid_request", "created_after, created_before (milliseconds since the epoch) and limit must be whole numbers.");
  }
  filter.limit = static_cast<int>(std::clamp<int64_t>(limit, 1, 1000));
  nlohmann::ordered_json jobs = nlohmann::ordered_json::array();
  for (const auto& job : store->ListJobs(filter)) jobs.push_back(JobToJson(job));
  SendJson(res, 200, {{"jobs", jobs}});
}

std::optional<Job> Service::Impl::FindJob(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  if (!ValidJobId(id)) {
    SendError(res, 404, "not_found", "There is no job " + id.substr(0, 64) + ".");
    return std::nullopt;
  }
  auto job = store->GetJob(id);
  if (!job) SendError(res, 404, "not_found", "There is no job " + id + ".");
  return job;
}

void Service::Impl::Download(const Job& job, const std::string& blob, const std::string& type, httplib::Response& res) {
  if (job.status != JobStatus::kSucceeded) {
    return SendError(res, 409, "not_ready", "Job " + job.id + " is " + ToString(job.status) + "; results exist once it succeeded.");
  }
  auto bytes = blobs->Get(blob);
  if (!bytes) return SendError(res, 410, "gone", "The result of job " + job.id + " is no longer stored.");
  res.set_content(*bytes, type);
}

Service::Service(ServiceOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Service::~Service() { Shutdown(); }

Status Service::Start(int* exit_code) {
  Impl& s = *impl_;
  *exit_code = 1;
  std::error_code ec;
  std::filesystem::create_directories(s.options.data_dir, ec);
  if (ec) return Status::Error("cannot create the data folder " + s.options.data_dir + ": " + ec.message());
  s.metrics.Describe("docgen_database_up", Metrics::Type::kGauge,
                     "1 when the last metrics scrape could read the job counts from the database, else 0 (the counts are then stale).");
  s.metrics.Describe("docgen_database_outages_total", Metrics::Type::kCounter,
                     "Times the shared database became unreachable (lost) and reachable again (restored).");
  Status status = s.OpenStores(exit_code);
  if (!status.ok) return status;
  s.catalogs = std::make_unique<CatalogVersions>(*s.store);
  if (!s.options.catalog_dir.empty()) {
    CatalogRead read = ReadCatalogDirectory(s.options.catalog_dir);
    CatalogLoad load = read.diagnostics.empty() ? LoadCatalog(read.files) : CatalogLoad{nullptr, read.diagnostics};
    if (!load.catalog) {
      for (const auto& d : load.diagnostics) s.log.Error("catalog finding", {{"finding", FormatDiagnostic(d)}});
      *exit_code = 2;
      return Status::Error("the catalog " + s.options.catalog_dir + " has errors and cannot be published");
    }
    CatalogVersion version;
    version.digest = load.catalog->digest;
    version.name = load.catalog->name;
    version.created_at = SystemNowMs();
    version.created_by = "docgen serve --catalog";
    version.files = CatalogFilesToJson(read.files);
    status = s.store->PublishCatalog(&version);
    if (!status.ok) return status;
    s.log.Info("catalog version current", {{"version", version.version}, {"digest", version.digest}});
  }
  s.metrics.Describe("docgen_http_requests_total", Metrics::Type::kCounter, "HTTP requests, by method, route and status.");
  s.metrics.Describe("docgen_http_request_duration_seconds", Metrics::Type::kHistogram, "HTTP request latency, by method and route.",
                     {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
  s.metrics.Describe("docgen_jobs", Metrics::Type::kGauge, "Jobs in the store, by status.");
  s.metrics.Describe("docgen_queue_depth", Metrics::Type::kGauge, "Jobs waiting to run.");
  s.metrics.Describe("docgen_jobs_created_total", Metrics::Type::kCounter, "Jobs accepted.");
  if (s.options.worker_only) s.options.auth.mode = "none";  // it serves no API
  if (s.options.auth.mode == "token_file" && s.options.auth.token_file.empty()) {
    s.options.auth.token_file = (std::filesystem::path(s.options.data_dir) / "tokens.json").string();
  }
  if (s.options.auth.mode == "introspection" && s.options.auth.introspection_url.empty()) {
    *exit_code = 2;
    return Status::Error("auth mode introspection needs an introspection_url");
  }
  if (s.options.auth.mode != "token_file" && s.options.auth.mode != "introspection" && s.options.auth.mode != "none") {
    *exit_code = 2;
    return Status::Error("auth mode must be token_file, introspection or none");
  }
  s.auth = std::make_unique<Authenticator>(s.options.auth, s.metrics, s.log, SystemNowMs);
  s.runner = std::make_unique<JobRunner>(*s.store, *s.blobs, *s.catalogs, s.metrics, s.log, s.options.runner);
  s.Routes();
  const int threads = s.options.http_threads;
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  s.http.set_read_timeout(10, 0);
  s.http.set_tcp_nodelay(true);  // otherwise Nagle + delayed ACK add 40 ms to small responses
  if (s.options.port == 0) {
    s.options.port = s.http.bind_to_any_port(s.options.host);
    if (s.options.port <= 0) return Status::Error("cannot listen on " + s.options.host);
  } else if (!s.http.bind_to_port(s.options.host, s.options.port)) {
    return Status::Error("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port));
  }
  // Leftovers of a process that was killed while writing a result. With the
  // embedded store no job runs yet in this data folder, so every partial
  // write is a leftover. With a shared database other processes' jobs are
  // running: their results may not be recorded yet, so only the hourly
  // limits apply.
  try {
    if (s.Shared()) {
      s.PruneOnce(3600, 3600);
    } else {
      s.PruneOnce(/*min_blob_age_seconds=*/static_cast<int>(s.options.runner.lease_ms / 1000) + 1, /*min_temporary_age_seconds=*/0);
    }
  } catch (const std::exception& e) {
    s.log.Error("pruning failed", {{"error", e.what()}});
  }
  s.runner->Start();
  s.maintenance = std::thread([&s] {
    std::unique_lock lock(s.maintenance_mutex);
    while (!s.maintenance_cv.wait_for(lock, std::chrono::minutes(10), [&s] { return s.stopping; })) {
      try {
        s.PruneOnce(3600, 3600);
      } catch (const std::exception& e) {
        s.log.Error("pruning failed", {{"error", e.what()}});
      }
    }
  });
  s.ready = true;
  s.log.Info("serving", {{"listen", s.options.host + ":" + std::to_string(s.options.port)}, {"data", s.options.data_dir},
                         {"workers", s.options.runner.workers}});
  *exit_code = 0;
  return Status::Ok();
}

void Service::Serve() { impl_->http.listen_after_bind(); }

void Service::Shutdown() {
  Impl& s = *impl_;
  if (!s.ready.exchange(false)) return;
  s.log.Info("shutting down: no new requests or jobs; finishing jobs in flight");
  s.http.stop();
  if (s.runner) s.runner->Stop();
  {
    std::lock_guard lock(s.maintenance_mutex);
    s.stopping = true;
  }
  s.maintenance_cv.notify_all();
  if (s.maintenance.joinable()) s.maintenance.join();
  s.log.Info("stopped");
}

int Service::port() const { return impl_->options.port; }

}  // namespace docgen
