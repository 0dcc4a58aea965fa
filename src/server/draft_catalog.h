// The drafts (SPEC §11) applied to the current catalog version: what the
// catalog editor lints and previews, what publishing makes a version, and
// what a drafts test run tests.
#pragma once

#include <docgen/catalog.h>
#include <docgen/store.h>

#include <map>
#include <string>

#include "server/routes.h"

namespace docgen::handlers {

// The current version's files with the drafts applied: a drafted id's
// editions replace every edition of that id, a drafted template's text its
// file (or adds it). kConflict when no catalog is published yet (code no_catalog).
struct DraftCatalog {
  CatalogFiles files;
  std::map<std::string, Draft> drafts;               // as read, for publishing
  std::map<std::string, TemplateDraft> templates;    // as read, for publishing
  int64_t version = 0;                               // the current version they apply to
};

Result<DraftCatalog> DraftFiles(Api& api);
// The answer to DraftFiles' failure (409 no_catalog when none is published).
HttpResponse DraftFailure(const Call& call, const Status& status);
// 422 lint_failed with the catalog's findings.
HttpResponse LintFailed(const Call& call, const CatalogLoad& load, const std::string& message);

}  // namespace docgen::handlers
