// The catalog: the current version and its documents, published versions,
// and drafts (per document id, and per template path) that are linted,
// previewed and published as a new version.
#include <docgen/render.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <regex>

#include "jobs/catalog_files_json.h"
#include "jobs/job_json.h"
#include "server/draft_catalog.h"
#include "server/routes.h"
#include "util/diagnostic_json.h"
#include "util/text.h"

namespace docgen::handlers {
namespace {

bool ValidDocumentId(const std::string& id) {
  static const std::regex kId("[A-Z0-9][A-Z0-9._-]{0,127}");
  return std::regex_match(id, kId);
}

HttpResponse NoDocument(const Call& call, const std::string& what) {
  return call.Fail(Status::NotFound("There is no " + what + " " + call.Param("id").substr(0, 128) + "."));
}

nlohmann::ordered_json VersionJson(const CatalogVersion& v) {
  return {{"version", v.version}, {"name", v.name}, {"digest", v.digest}, {"created_at", IsoTime(v.created_at)}};
}


// An edition with every field, in the shape of its documents/*.yaml file
// (SPEC section 1): a client can show it, edit it and PUT it back as a draft.
nlohmann::ordered_json EditionJson(const DocumentEdition& e, bool with_variables) {
  const AppliesTo& a = e.applies_to;
  nlohmann::ordered_json effective = nlohmann::ordered_json::object();
  if (a.effective_from) effective["from"] = FormatIsoDate(*a.effective_from);
  if (a.effective_until) effective["until"] = FormatIsoDate(*a.effective_until);
  nlohmann::ordered_json d = {{"id", e.id}, {"edition", e.edition}, {"title", e.title}, {"kind", ToString(e.kind)},
                              {"order", e.order},
                              {"applies_to", {{"products", a.products},
                                              {"jurisdictions", a.jurisdictions},
                                              {"agencies", a.agencies},
                                              {"coverages", a.coverages},
                                              {"coverages_match", a.coverages_match_all ? "all" : "any"},
                                              {"effective", effective}}},
                              {"attach", nlohmann::ordered_json::object()},
                              {"deletable", e.deletable}, {"flag_manual", e.flag_manual}, {"multiple", e.multiple},
                              {"template", e.template_path}};
  for (Transaction t : {Transaction::kNew, Transaction::kRenewal, Transaction::kReissue}) {
    d["attach"][ToString(t)] = ToString(e.AttachFor(t));
  }
  if (with_variables) d["variables"] = nlohmann::ordered_json(e.variables_schema);
  return d;
}

// The current version's catalog, or with ?source=drafts the one publishing
// the drafts would make (422 lint_failed while it has lint errors).
struct SourcedCatalog {
  std::shared_ptr<const Catalog> catalog;
  int64_t version = 0;
  std::string source;
  std::optional<HttpResponse> error;
};

// The version a ?version=N query names (0: none given), or the 404 that says
// there is no such version.
std::optional<int64_t> VersionNumber(const std::string& n) {
  static const std::regex kNumber("[1-9][0-9]{0,17}");
  if (!std::regex_match(n, kNumber)) return std::nullopt;
  return std::stoll(n);
}

HttpResponse NoVersion(const Call& call, const std::string& n) {
  return call.Fail(Status::NotFound("There is no catalog version " + n.substr(0, 32) + "."));
}

SourcedCatalog CatalogFor(Api& api, const Call& call) {
  SourcedCatalog out;
  out.source = call.request.HasQuery("source") ? call.request.Query("source") : "current";
  if (out.source == "current") {
    int64_t wanted = 0;  // the current version
    if (call.request.HasQuery("version")) {
      std::optional<int64_t> n = VersionNumber(call.request.Query("version"));
      if (!n) {
        out.error = call.Fail(Status::InvalidArgument("\"version\" is a published catalog version number (1, 2, ...)."));
        return out;
      }
      wanted = *n;
    }
    Result<LoadedCatalog> current = api.catalogs.Get(wanted);  // cached per version
    if (!current.ok()) {
      out.error = wanted != 0 && current.status().code() == StatusCode::kNotFound ? NoVersion(call, call.request.Query("version"))
                                                                                  : CatalogFailure(call, current.status());
    } else {
      out.catalog = current->catalog;
      out.version = current->version;
    }
    return out;
  }
  if (out.source != "drafts") {
    out.error = call.Fail(Status::InvalidArgument("\"source\" is current (the default) or drafts."));
    return out;
  }
  if (call.request.HasQuery("version")) {
    out.error = call.Fail(Status::InvalidArgument("\"version\" names a published version; the drafts have none yet: leave it out with source=drafts."));
    return out;
  }
  Result<DraftCatalog> drafted = DraftFiles(api);
  if (!drafted.ok()) {
    out.error = DraftFailure(call, drafted.status());
    return out;
  }
  CatalogLoad load = LoadCatalog(drafted->files);
  if (!load.catalog) {
    out.error = LintFailed(call, load, "The catalog with the drafts applied has lint errors; GET /v1/catalog/drafts:lint lists them.");
    return out;
  }
  out.catalog = load.catalog;
  out.version = drafted->version;
  return out;
}

// The catalog's documents (all, or the editions of one id with their
// variables schema and template texts).
HttpResponse Documents(Api& api, const Call& call, const std::string& id) {
  SourcedCatalog sourced = CatalogFor(api, call);
  if (sourced.error) return *sourced.error;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  nlohmann::ordered_json templates = nlohmann::ordered_json::object();
  for (const auto& e : sourced.catalog->editions) {
    if (!id.empty() && e.id != id) continue;
    list.push_back(EditionJson(e, !id.empty()));
    if (id.empty()) continue;
    auto text = sourced.catalog->templates.find(e.template_path);
    if (text != sourced.catalog->templates.end()) templates[e.template_path] = text->second;
  }
  if (!id.empty() && list.empty()) return NoDocument(call, "document in the catalog named");
  nlohmann::ordered_json body = {{"version", sourced.version}, {"source", sourced.source}, {"documents", list}};
  if (!id.empty()) body["templates"] = templates;
  return JsonResponse(200, body);
}

// A template draft's path: catalog-relative, under templates/, no empty,
// "." or ".." parts, no backslash or NUL. "" when valid, else why not.
std::string TemplatePathProblem(const std::string& path) {
  if (path.size() > 512) return "A template path has at most 512 characters.";
  if (path.rfind("templates/", 0) != 0) return "A template path is catalog-relative and starts with templates/, e.g. templates/CY-DEC.md.";
  if (path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) return "A template path has no backslash or NUL.";
  size_t start = 0;
  while (true) {
    const size_t end = path.find('/', start);
    const std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || part == "." || part == "..") return "A template path has no empty, \".\" or \"..\" parts.";
    if (end == std::string::npos) return "";
    start = end + 1;
  }
}

constexpr size_t kMaxTemplateBytes = 1 << 20;

// The path parameter of a template draft route, or the 400 that says why not.
std::optional<HttpResponse> BadTemplatePath(const Call& call) {
  const std::string problem = TemplatePathProblem(call.Param("path"));
  if (problem.empty()) return std::nullopt;
  return call.Fail(Status::InvalidArgument("\"" + call.Param("path").substr(0, 128) + "\": " + problem));
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
  if (catalog.ok()) {  // the codes catalog.yaml declares: what applies_to and rules may name
    const Catalog& c = *catalog->catalog;
    body["products"] = c.products;
    body["jurisdictions"] = c.jurisdictions;
    body["agencies"] = c.agencies;
    body["coverages"] = nlohmann::ordered_json::array();
    for (const auto& coverage : c.coverages) body["coverages"].push_back({{"code", coverage.code}, {"label", coverage.label}});
    body["rules"] = c.rules.size();
  }
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

// The published version the {n} parameter names, or the response that says why not.
struct NamedVersion {
  std::optional<CatalogVersion> version;
  HttpResponse error;
};

NamedVersion VersionParam(Api& api, const Call& call) {
  const std::string& n = call.Param("n");
  std::optional<int64_t> number = VersionNumber(n);
  if (!number) return {std::nullopt, NoVersion(call, n)};
  Result<CatalogVersion> v = api.store.GetCatalogVersion(*number);
  if (!v.ok()) return {std::nullopt, v.status().code() == StatusCode::kNotFound ? NoVersion(call, n) : call.Fail(v.status())};
  return {std::move(*v), {}};
}

HttpResponse GetCatalogVersion(Api& api, const Call& call) {
  NamedVersion named = VersionParam(api, call);
  if (!named.version) return named.error;
  const CatalogVersion& v = *named.version;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  nlohmann::ordered_json digests = nlohmann::ordered_json::object();
  if (v.files.is_object()) {
    for (const auto& [path, content] : v.files.items()) {
      files.push_back(path);
      // Text files are strings; other files {"base64": ...}: either way the
      // digest changes exactly when the file does.
      digests[path] = Sha256Hex(content.is_string() ? content.get_ref<const std::string&>() : content.dump());
    }
  }
  nlohmann::ordered_json body = VersionJson(v);
  body["files"] = files;
  body["file_digests"] = digests;
  return JsonResponse(200, body);
}

HttpResponse GetCatalogVersionFile(Api& api, const Call& call) {
  NamedVersion named = VersionParam(api, call);
  if (!named.version) return named.error;
  const std::string& path = call.Param("path");
  const nlohmann::json& files = named.version->files;
  auto file = files.is_object() ? files.find(path) : files.end();
  if (!files.is_object() || file == files.end()) {
    return call.Fail(Status::NotFound("Catalog version " + call.Param("n") + " has no file " + path.substr(0, 256) + "."));
  }
  HttpResponse response;
  response.status = 200;
  response.SetHeader("X-Content-Type-Options", "nosniff");  // a template is shown as text, never run as a page
  if (file->is_string()) {
    response.content_type = "text/plain; charset=utf-8";
    response.body = file->get<std::string>();
    return response;
  }
  CatalogFiles decoded = CatalogFilesFromJson(nlohmann::json{{path, *file}});
  if (decoded.empty()) return call.Fail(Status::Internal("catalog version " + call.Param("n") + " stores " + path + " in a form that cannot be read"));
  response.content_type = "application/octet-stream";
  response.SetHeader("Content-Disposition", "attachment");
  response.body = std::move(decoded.begin()->second);
  return response;
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
      Result<CatalogFiles> sent = CatalogFilesFromRequest((*body.value)["files"], "/files");
      if (!sent.ok()) return call.Fail(sent.status());
      files = std::move(sent).value();
      source = "files";
    } else if (!body.value->is_object() || !body.value->empty()) {
      return call.Fail(Status::InvalidArgument("Send {} to publish the drafts, or {\"files\": {...}} to publish a catalog."));
    }
  }
  std::map<std::string, Draft> published_drafts;
  std::map<std::string, TemplateDraft> published_templates;
  if (!files) {
    Result<DraftCatalog> drafted = DraftFiles(api);
    if (!drafted.ok()) return DraftFailure(call, drafted.status());
    files = std::move(drafted->files);
    published_drafts = std::move(drafted->drafts);
    published_templates = std::move(drafted->templates);
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
  Result<CatalogVersion> stored = source == "drafts" ? api.store.PublishDrafts(version, published_drafts, published_templates, call.By(version.created_at))
                                                     : api.store.PublishCatalog(version, call.By(version.created_at));
  if (!stored.ok()) return call.Fail(stored.status());
  call.Note("catalog published", {{"version", stored->version}, {"digest", stored->digest}, {"source", source}});
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
  nlohmann::ordered_json paths = nlohmann::ordered_json::array();
  for (const auto& [path, unused] : drafted->templates) paths.push_back(path);
  return JsonResponse(200, {{"valid", load.catalog != nullptr}, {"drafts", ids}, {"templates", paths},
                            {"findings", DiagnosticsToJson(load.diagnostics, true)}});
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
  if (Status saved = api.store.PutDraft(id, editions, call.By(api.clock.NowMs())); !saved.ok()) return call.Fail(saved);
  call.Note("catalog draft saved", {{"document", id}, {"editions", editions.size()}});
  Result<DraftCatalog> after = DraftFiles(api);
  if (!after.ok()) return DraftFailure(call, after.status());
  CatalogLoad load = LoadCatalog(after->files);
  return JsonResponse(200, {{"id", id}, {"editions", nlohmann::ordered_json(editions)},
                            {"lint", {{"valid", load.catalog != nullptr}, {"findings", DiagnosticsToJson(load.diagnostics, true)}}}});
}

HttpResponse DeleteDraft(Api& api, const Call& call) {
  const std::string& id = call.Param("id");
  if (!ValidDocumentId(id)) return NoDocument(call, "draft for");
  Status deleted = api.store.DeleteDraft(id, call.By(api.clock.NowMs()));
  if (deleted.code() == StatusCode::kNotFound) return NoDocument(call, "draft for");
  if (!deleted.ok()) return call.Fail(deleted);
  call.Note("catalog draft deleted", {{"document", id}});
  HttpResponse response;
  response.status = 204;
  return response;
}

HttpResponse GetTemplateDraft(Api& api, const Call& call) {
  if (auto bad = BadTemplatePath(call)) return *bad;
  const std::string& path = call.Param("path");
  Result<std::map<std::string, TemplateDraft>> drafts = api.store.TemplateDrafts();
  if (!drafts.ok()) return call.Fail(drafts.status());
  auto it = drafts->find(path);
  if (it == drafts->end()) return call.Fail(Status::NotFound("There is no draft for " + path + "."));
  return JsonResponse(200, {{"path", it->first}, {"text", it->second.text}});
}

// {"text": "..."}: UTF-8 (the JSON parser checks it), at most 1 MiB, no NUL.
HttpResponse PutTemplateDraft(Api& api, const Call& call) {
  if (auto bad = BadTemplatePath(call)) return *bad;
  const std::string& path = call.Param("path");
  JsonBody body = ParseJsonBody(call);
  if (!body.value) return body.error;
  if (!body.value->is_object() || !body.value->contains("text") || !(*body.value)["text"].is_string()) {
    return call.Fail(Status::InvalidArgument("Send {\"text\": \"...\"}: the template's text as a string."));
  }
  for (const auto& [key, unused] : body.value->items()) {
    if (key != "text") return call.Fail(Status::InvalidArgument("Unknown field \"" + key.substr(0, 64) + "\"; a template draft takes text."));
  }
  const std::string text = (*body.value)["text"].get<std::string>();
  if (text.size() > kMaxTemplateBytes) {
    return call.Fail(Status::InvalidArgument("The template is " + std::to_string(text.size()) + " bytes; the limit is 1 MiB (1048576 bytes)."));
  }
  if (text.find('\0') != std::string::npos) return call.Fail(Status::InvalidArgument("A template's text has no NUL characters."));
  if (Result<DraftCatalog> before = DraftFiles(api); !before.ok()) return DraftFailure(call, before.status());
  if (Status saved = api.store.PutTemplateDraft(path, text, call.By(api.clock.NowMs())); !saved.ok()) return call.Fail(saved);
  call.Note("template draft saved", {{"template", path}, {"bytes", text.size()}});
  Result<DraftCatalog> after = DraftFiles(api);
  if (!after.ok()) return DraftFailure(call, after.status());
  CatalogLoad load = LoadCatalog(after->files);
  return JsonResponse(200, {{"path", path}, {"bytes", text.size()},
                            {"lint", {{"valid", load.catalog != nullptr}, {"findings", DiagnosticsToJson(load.diagnostics, true)}}}});
}

HttpResponse DeleteTemplateDraft(Api& api, const Call& call) {
  if (auto bad = BadTemplatePath(call)) return *bad;
  const std::string& path = call.Param("path");
  Status deleted = api.store.DeleteTemplateDraft(path, call.By(api.clock.NowMs()));
  if (deleted.code() == StatusCode::kNotFound) return call.Fail(Status::NotFound("There is no draft for " + path + "."));
  if (!deleted.ok()) return call.Fail(deleted);
  call.Note("template draft deleted", {{"template", path}});
  HttpResponse response;
  response.status = 204;
  return response;
}

// Renders one document of the catalog with the drafts applied:
// {"document": ID, "edition"?: E, "vars"?: {...}, "quote"?: {...}}. Without
// "edition", the edition in effect on the quote's effective_date, else the
// latest. One of the synchronous render slots.
HttpResponse PreviewDraft(Api& api, const Call& call) {
  const std::optional<WorkSlots::Slot> slot = api.render_slots.TryTake();
  if (!slot) return TooManyRenders(call, "");
  JsonBody body = ParseJsonBody(call);
  if (!body.value) return body.error;
  const nlohmann::json& request = *body.value;
  if (!request.is_object() || !request.contains("document") || !request["document"].is_string()) {
    return call.Fail(Status::InvalidArgument("Send {\"document\": ID} and optionally edition, vars and quote."));
  }
  for (const auto& [key, value] : request.items()) {
    if (key == "document") continue;
    if (key == "edition" && value.is_string()) continue;
    if ((key == "vars" || key == "quote") && value.is_object()) continue;
    if (key == "edition" || key == "vars" || key == "quote") {
      return call.Fail(Status::InvalidArgument("\"" + key + "\" must be " + (key == "edition" ? "a string." : "an object.")));
    }
    return call.Fail(Status::InvalidArgument("Unknown field \"" + key.substr(0, 64) + "\"; a preview takes document, edition, vars and quote."));
  }
  const std::string id = request["document"].get<std::string>();
  const nlohmann::json vars = request.value("vars", nlohmann::json::object());
  const nlohmann::json quote = request.value("quote", nlohmann::json::object());
  Result<DraftCatalog> drafted = DraftFiles(api);
  if (!drafted.ok()) return DraftFailure(call, drafted.status());
  CatalogLoad load = LoadCatalog(drafted->files);
  if (!load.catalog) return LintFailed(call, load, "The catalog with the drafts applied has lint errors; nothing was rendered.");
  const std::span<const DocumentEdition> editions = load.catalog->EditionsOf(id);
  if (editions.empty()) return call.Fail(Status::NotFound("There is no document " + id.substr(0, 128) + " in the catalog with the drafts applied."));
  const DocumentEdition* edition = &editions.back();  // the latest window
  if (request.contains("edition")) {
    const std::string wanted = request["edition"].get<std::string>();
    auto it = std::find_if(editions.begin(), editions.end(), [&](const DocumentEdition& e) { return e.edition == wanted; });
    if (it == editions.end()) return call.Fail(Status::NotFound("Document " + id + " has no edition " + wanted.substr(0, 64) + "."));
    edition = &*it;
  } else if (quote.contains("effective_date") && quote["effective_date"].is_string()) {
    if (std::optional<Date> day = ParseIsoDate(quote["effective_date"].get<std::string>())) {
      for (const DocumentEdition& e : editions) {
        const AppliesTo& a = e.applies_to;
        if ((!a.effective_from || *a.effective_from <= *day) && (!a.effective_until || *day < *a.effective_until)) edition = &e;
      }
    }
  }
  RenderResult rendered = ThreadRenderer().RenderEdition(*load.catalog, *edition, vars, quote);
  if (!rendered.output) {
    return call.Fail(ApiError{422, "render_failed", "The document cannot be rendered.", DiagnosticsToJson(rendered.errors)});
  }
  api.metrics.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
  HttpResponse response;
  response.SetHeader("Content-Disposition", "inline; filename=\"" + edition->id + "-preview.pdf\"");
  response.content_type = "application/pdf";
  response.body = std::move(rendered.output->documents.at(0).pdf);
  return response;
}

}  // namespace docgen::handlers
