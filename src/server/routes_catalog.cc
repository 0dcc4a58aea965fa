// The catalog: the current version and its documents, published versions,
// and drafts (per document id) that are linted and published as a new version.
#include <yaml-cpp/yaml.h>

#include <regex>

#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "server/routes.h"
#include "util/diagnostic_json.h"

namespace docgen::handlers {
namespace {

bool ValidDocumentId(const std::string& id) {
  static const std::regex kId("[A-Z0-9][A-Z0-9._-]{0,127}");
  return std::regex_match(id, kId);
}

HttpResponse NoDocument(const Call& call, const std::string& what) {
  return call.Fail(Status::NotFound("There is no " + what + " " + call.Param("id").substr(0, 128) + "."));
}

// The current version's files with the drafts applied: a drafted id's
// editions replace every edition of that id. kConflict when no catalog is
// published yet (code no_catalog).
struct DraftCatalog {
  CatalogFiles files;
  std::map<std::string, Draft> drafts;  // as read, for publishing
};

Result<DraftCatalog> DraftFiles(Api& api) {
  Result<CatalogVersion> current = api.store.GetCatalogVersion(0);
  if (!current.ok()) {
    if (current.status().code() != StatusCode::kNotFound) return current.status();
    return Status::Conflict("No catalog has been published yet; publish one (docgen serve --catalog DIR) before editing drafts.");
  }
  Result<std::map<std::string, Draft>> drafts = api.store.Drafts();
  if (!drafts.ok()) return drafts.status();
  DraftCatalog out{CatalogFilesFromJson(current->files), std::move(*drafts)};
  if (out.drafts.empty()) return out;
  for (auto it = out.files.begin(); it != out.files.end();) {
    bool drafted = false;
    if (it->first.rfind("documents/", 0) == 0) {
      try {
        YAML::Node doc = YAML::Load(it->second);
        drafted = doc.IsMap() && doc["id"] && doc["id"].IsScalar() && out.drafts.count(doc["id"].Scalar());
      } catch (const std::exception&) {
      }
    }
    it = drafted ? out.files.erase(it) : std::next(it);
  }
  for (const auto& [id, draft] : out.drafts) {
    const nlohmann::json& editions = draft.editions;
    if (!editions.is_array()) continue;
    for (size_t k = 0; k < editions.size(); ++k) {
      std::string path = "documents/" + id + (editions.size() > 1 ? "-" + std::to_string(k + 1) : "") + ".yaml";
      while (out.files.count(path)) path.insert(path.size() - 5, "_");
      out.files[path] = editions[k].dump(2) + "\n";  // JSON is YAML
    }
  }
  return out;
}

HttpResponse DraftFailure(const Call& call, const Status& status) {
  if (status.code() == StatusCode::kConflict) return call.Fail(ApiError::FromStatus(status).WithCode("no_catalog"));
  return call.Fail(status);
}

HttpResponse CatalogFailure(const Call& call, const Status& status) {
  if (status.code() == StatusCode::kUnavailable) return call.Fail(status);
  return call.Fail(ApiError{503, "catalog_unavailable", status.message()});
}

nlohmann::ordered_json VersionJson(const CatalogVersion& v) {
  return {{"version", v.version}, {"name", v.name}, {"digest", v.digest}, {"created_at", IsoTime(v.created_at)}};
}

// The catalog's documents (all, or the editions of one id, with their variables schema).
HttpResponse Documents(Api& api, const Call& call, const std::string& id) {
  Result<LoadedCatalog> current = api.catalogs.Get(0);
  if (!current.ok()) return CatalogFailure(call, current.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : current->catalog->editions) {
    if (!id.empty() && e.id != id) continue;
    nlohmann::ordered_json d = {{"id", e.id}, {"edition", e.edition}, {"title", e.title}, {"kind", ToString(e.kind)},
                                {"order", e.order}, {"template", e.template_path}};
    if (!id.empty()) d["variables"] = nlohmann::ordered_json(e.variables_schema);
    list.push_back(std::move(d));
  }
  if (!id.empty() && list.empty()) return NoDocument(call, "document in the catalog named");
  return JsonResponse(200, {{"version", current->version}, {"documents", list}});
}

}  // namespace

HttpResponse GetCatalog(Api& api, const Call& call) {
  Result<CatalogVersion> version = api.store.GetCatalogVersion(0);
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kNotFound) return call.Fail(Status::NotFound("No catalog has been published."));
    return call.Fail(version.status());
  }
  Result<LoadedCatalog> catalog = api.catalogs.Get(version->version);
  nlohmann::ordered_json body = VersionJson(*version);
  body["documents"] = catalog.ok() ? catalog->catalog->editions.size() : 0;
  return JsonResponse(200, body);
}

HttpResponse ListCatalogDocuments(Api& api, const Call& call) { return Documents(api, call, ""); }
HttpResponse GetCatalogDocument(Api& api, const Call& call) { return Documents(api, call, call.Param("id")); }

HttpResponse ListCatalogVersions(Api& api, const Call& call) {
  Result<std::vector<CatalogVersion>> versions = api.store.ListCatalogVersions();
  if (!versions.ok()) return call.Fail(versions.status());
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& v : *versions) {
    nlohmann::ordered_json item = VersionJson(v);
    item["created_by"] = v.created_by;
    list.push_back(std::move(item));
  }
  return JsonResponse(200, {{"versions", list}});
}

HttpResponse GetCatalogVersion(Api& api, const Call& call) {
  const std::string& n = call.Param("n");
  static const std::regex kNumber("[1-9][0-9]{0,17}");
  if (!std::regex_match(n, kNumber)) return call.Fail(Status::NotFound("There is no catalog version " + n.substr(0, 32) + "."));
  Result<CatalogVersion> v = api.store.GetCatalogVersion(std::stoll(n));
  if (!v.ok()) return call.Fail(v.status().code() == StatusCode::kNotFound ? Status::NotFound("There is no catalog version " + n + ".") : v.status());
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  if (v->files.is_object()) {
    for (const auto& [path, unused] : v->files.items()) files.push_back(path);
  }
  nlohmann::ordered_json body = VersionJson(*v);
  body["files"] = files;
  return JsonResponse(200, body);
}

// Publishes the drafts ({} or no body), or a whole catalog given as
// {"files": {path: text or {"base64": ...}}}.
HttpResponse PublishCatalogVersion(Api& api, const Call& call) {
  std::optional<CatalogFiles> files;
  std::string source = "drafts";
  if (!call.request.body.empty()) {
    JsonBody body = ParseJsonBody(call);
    if (!body.value) return body.error;
    if (body.value->is_object() && body.value->contains("files")) {
      if (!(*body.value)["files"].is_object()) return call.Fail(Status::InvalidArgument("\"files\" maps catalog paths to contents."));
      files = CatalogFilesFromJson((*body.value)["files"]);
      source = "files";
    } else if (!body.value->is_object() || !body.value->empty()) {
      return call.Fail(Status::InvalidArgument("Send {} to publish the drafts, or {\"files\": {...}} to publish a catalog."));
    }
  }
  std::map<std::string, Draft> published_drafts;
  if (!files) {
    Result<DraftCatalog> drafted = DraftFiles(api);
    if (!drafted.ok()) return DraftFailure(call, drafted.status());
    files = std::move(drafted->files);
    published_drafts = std::move(drafted->drafts);
  }
  CatalogLoad load = LoadCatalog(*files);
  if (!load.catalog) {
    return call.Fail(ApiError{422, "lint_failed", "The catalog has lint errors; nothing was published.", DiagnosticsToJson(load.diagnostics, true)});
  }
  CatalogVersion version;
  version.digest = load.catalog->digest;
  version.name = load.catalog->name;
  version.created_at = api.clock.NowMs();
  version.created_by = call.subject.empty() ? "api" : call.subject;
  version.files = CatalogFilesToJson(*files);
  Result<CatalogVersion> stored = source == "drafts" ? api.store.PublishDrafts(version, published_drafts) : api.store.PublishCatalog(version);
  if (!stored.ok()) return call.Fail(stored.status());
  api.log.Info("catalog published", call.LogFields({{"version", stored->version}, {"digest", stored->digest}, {"source", source}}));
  nlohmann::ordered_json body = VersionJson(*stored);
  body["findings"] = DiagnosticsToJson(load.diagnostics, true);
  return JsonResponse(201, body);
}

HttpResponse LintDrafts(Api& api, const Call& call) {
  Result<DraftCatalog> drafted = DraftFiles(api);
  if (!drafted.ok()) return DraftFailure(call, drafted.status());
  CatalogLoad load = LoadCatalog(drafted->files);
  nlohmann::ordered_json ids = nlohmann::ordered_json::array();
  for (const auto& [id, unused] : drafted->drafts) ids.push_back(id);
  return JsonResponse(200, {{"valid", load.catalog != nullptr}, {"drafts", ids}, {"findings", DiagnosticsToJson(load.diagnostics, true)}});
}

HttpResponse GetDraft(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  if (!ValidDocumentId(id)) return NoDocument(call, "draft for");
  Result<std::map<std::string, Draft>> drafts = api.store.Drafts();
  if (!drafts.ok()) return call.Fail(drafts.status());
  auto it = drafts->find(id);
  if (it == drafts->end()) return NoDocument(call, "draft for");
  return JsonResponse(200, {{"id", it->first}, {"editions", nlohmann::ordered_json(it->second.editions)}});
}

HttpResponse PutDraft(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  if (!ValidDocumentId(id)) {
    return call.Fail(Status::InvalidArgument("\"" + id.substr(0, 128) +
                                             "\" is not a document id (capital letters, digits, '.', '_' and '-', up to 128)."));
  }
  JsonBody body = ParseJsonBody(call);
  if (!body.value) return body.error;
  nlohmann::json editions = body.value->is_array() ? *body.value : nlohmann::json::array({*body.value});
  for (auto& edition : editions) {
    if (!edition.is_object()) return call.Fail(Status::InvalidArgument("A draft is a document edition object, or a list of them."));
    if (!edition.contains("id")) edition["id"] = id;
    if (edition["id"] != id) return call.Fail(Status::InvalidArgument("The edition's id must be " + id + ", as in the path."));
  }
  if (Result<DraftCatalog> before = DraftFiles(api); !before.ok()) return DraftFailure(call, before.status());
  if (Status saved = api.store.PutDraft(id, editions, api.clock.NowMs()); !saved.ok()) return call.Fail(saved);
  api.log.Info("catalog draft saved", call.LogFields({{"document", id}, {"editions", editions.size()}}));
  Result<DraftCatalog> after = DraftFiles(api);
  if (!after.ok()) return DraftFailure(call, after.status());
  CatalogLoad load = LoadCatalog(after->files);
  return JsonResponse(200, {{"id", id}, {"editions", nlohmann::ordered_json(editions)},
                            {"lint", {{"valid", load.catalog != nullptr}, {"findings", DiagnosticsToJson(load.diagnostics, true)}}}});
}

HttpResponse DeleteDraft(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  if (!ValidDocumentId(id)) return NoDocument(call, "draft for");
  Status deleted = api.store.DeleteDraft(id);
  if (deleted.code() == StatusCode::kNotFound) return NoDocument(call, "draft for");
  if (!deleted.ok()) return call.Fail(deleted);
  api.log.Info("catalog draft deleted", call.LogFields({{"document", id}}));
  HttpResponse response;
  response.status = 204;
  return response;
}

}  // namespace docgen::handlers
