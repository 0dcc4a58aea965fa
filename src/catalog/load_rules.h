// Parsing and lint of rules/*.yaml (SPEC §7 custom rules). Internal to the
// catalog loader: rules are checked against the catalog's codes and ids.
#pragma once

#include <docgen/catalog.h>
#include <docgen/diagnostic.h>
#include <docgen/rule.h>

#include <set>
#include <string>
#include <vector>

namespace docgen {

// True for a document or rule id: [A-Z0-9][A-Z0-9._-]*, at most 128 characters.
bool ValidId(const std::string& id);

// What rules are checked against. `catalog` may be null when catalog.yaml is
// unusable (codes are then not checked, to avoid a finding per rule).
struct RuleContext {
  const Catalog* catalog = nullptr;
  std::set<std::string> document_ids;
};

// Parses every rules/*.yaml of `files`; returns the rules (sorted by id) and
// appends every finding to `diagnostics`.
std::vector<Rule> LoadRules(const CatalogFiles& files, const RuleContext& context, Diagnostics& diagnostics);

}  // namespace docgen
