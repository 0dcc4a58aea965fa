#include "server/draft_catalog.h"

#include <yaml-cpp/yaml.h>

#include "jobs/catalog_files_json.h"
#include "util/diagnostic_json.h"

namespace docgen::handlers {

Result<DraftCatalog> DraftFiles(Api& api) {
  Result<CatalogVersion> current = api.store.GetCatalogVersion(0);
  if (!current.ok()) {
    if (current.status().code() != StatusCode::kNotFound) return current.status();
    return Status::Conflict("No catalog has been published yet; publish one (docgen serve --catalog DIR) before editing drafts.");
  }
  Result<std::map<std::string, Draft>> drafts = api.store.Drafts();
  if (!drafts.ok()) return drafts.status();
  Result<std::map<std::string, TemplateDraft>> templates = api.store.TemplateDrafts();
  if (!templates.ok()) return templates.status();
  DraftCatalog out{CatalogFilesFromJson(current->files), std::move(*drafts), std::move(*templates), current->version};
  for (const auto& [path, draft] : out.templates) out.files[path] = draft.text;
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

HttpResponse LintFailed(const Call& call, const CatalogLoad& load, const std::string& message) {
  return call.Fail(ApiError{422, "lint_failed", message, DiagnosticsToJson(load.diagnostics, true)});
}

}  // namespace docgen::handlers
