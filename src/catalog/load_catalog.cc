// Parsing and lint of a catalog (SPEC §1). Each file is read independently
// and collects its own findings; cross-file checks run once every file is in.
#include <docgen/catalog.h>

#include <algorithm>
#include <regex>
#include <set>

#include "catalog/lint_template.h"
#include "catalog/load_rules.h"
#include "catalog/yaml_reader.h"
#include "schema/variables_schema.h"
#include "util/text.h"

namespace docgen {

bool ValidId(const std::string& id) {
  static const std::regex kId("[A-Z0-9][A-Z0-9._-]*");
  return id.size() <= 128 && std::regex_match(id, kId);
}

namespace {

const std::vector<std::string> kCatalogFields = {"name", "products", "jurisdictions", "agencies", "coverages", "defaults"};
const std::vector<std::string> kDocumentFields = {"id",        "title",       "kind",     "edition",   "order",
                                                  "applies_to", "attach",     "deletable", "flag_manual",
                                                  "multiple",   "variables",  "template"};
const std::vector<std::string> kAppliesToFields = {"products",  "jurisdictions",   "agencies",
                                                   "coverages", "coverages_match", "effective"};
const std::vector<std::string> kAttachFields = {"new", "renewal", "reissue"};
const std::vector<std::string> kEffectiveFields = {"from", "until"};
const std::vector<std::string> kCoverageFields = {"code", "label"};

// One edition plus what lint needs to point at it.
struct ParsedDocument {
  DocumentEdition edition;
  int line = 0;
  int template_line = 0;
  int effective_line = 0;
  int edition_line = 0;
  std::map<std::string, int> applies_to_lines;  // field -> line
  bool has_schema = false;
  bool schema_invalid = false;
  bool broken = false;  // has errors of its own: linted further, never loaded
};

void ReadCodes(YamlReader& reader, const YAML::Node& map, const char* key, bool required,
               std::vector<std::string>& out) {
  if (required && !reader.Require(map, key, "catalog.yaml")) return;
  auto list = reader.StringList(map, key);
  if (!list) return;
  if (required && list->empty()) {
    reader.Error("invalid_value", "\"" + std::string(key) + "\" must list at least one code.", map[key]);
  }
  std::set<std::string> seen;
  for (const auto& code : *list) {
    if (!seen.insert(code).second) {
      reader.Error("duplicate_code", "Code \"" + code + "\" is listed twice in \"" + key + "\".", map[key]);
    }
  }
  out = *list;
}

void ParseCatalogYaml(const std::string& text, Catalog& catalog, Diagnostics& diagnostics, bool& usable) {
  YamlReader reader("catalog.yaml", diagnostics);
  auto root = reader.Parse(text);
  usable = false;
  if (!root) return;
  if (!reader.ExpectMap(*root, "catalog.yaml")) return;
  reader.CheckKeys(*root, kCatalogFields, "catalog.yaml");
  if (reader.Require(*root, "name", "catalog.yaml")) {
    if (auto name = reader.String(*root, "name")) catalog.name = *name;
  }
  ReadCodes(reader, *root, "products", true, catalog.products);
  ReadCodes(reader, *root, "jurisdictions", true, catalog.jurisdictions);
  ReadCodes(reader, *root, "agencies", false, catalog.agencies);
  if ((*root)["agencies"] && catalog.agencies.empty()) {
    reader.Warning("invalid_value", "\"agencies\" is present but empty, so quotes will not be checked for an agency.",
                   (*root)["agencies"]);
  }
  if (reader.Require(*root, "coverages", "catalog.yaml")) {
    const YAML::Node coverages = (*root)["coverages"];
    if (!coverages.IsSequence()) {
      reader.Error("invalid_value", "\"coverages\" must be a list of {code, label} entries.", coverages);
    } else {
      std::set<std::string> seen;
      for (const auto& entry : coverages) {
        Coverage coverage;
        if (entry.IsScalar()) {
          coverage.code = entry.Scalar();
        } else if (reader.ExpectMap(entry, "A coverage entry")) {
          reader.CheckKeys(entry, kCoverageFields, "a coverage entry");
          if (!reader.Require(entry, "code", "a coverage entry")) continue;
          if (auto code = reader.String(entry, "code")) coverage.code = *code;
          if (auto label = reader.String(entry, "label")) coverage.label = *label;
        }
        if (coverage.code.empty()) continue;
        if (coverage.label.empty()) coverage.label = coverage.code;
        if (!seen.insert(coverage.code).second) {
          reader.Error("duplicate_code", "Coverage code \"" + coverage.code + "\" is listed twice.", entry);
        }
        catalog.coverages.push_back(std::move(coverage));
      }
    }
  }
  if (const YAML::Node defaults = (*root)["defaults"]) {
    if (reader.ExpectMap(defaults, "\"defaults\"")) {
      LintPageSettings(reader, defaults, false);
      if (auto json = reader.ToJson(defaults)) catalog.defaults = *json;
    }
  }
  usable = true;
}

std::optional<Date> ReadDate(YamlReader& reader, const YAML::Node& map, const char* key) {
  auto text = reader.String(map, key);
  if (!text) return std::nullopt;
  auto date = ParseIsoDate(*text);
  if (!date) {
    reader.Error("invalid_value", "\"" + std::string(key) + "\" must be a date written YYYY-MM-DD, but it is \"" + *text + "\".",
                 map[key]);
  }
  return date;
}

void ParseAppliesTo(YamlReader& reader, const YAML::Node& node, ParsedDocument& doc) {
  if (!reader.ExpectMap(node, "\"applies_to\"")) return;
  reader.CheckKeys(node, kAppliesToFields, "\"applies_to\"");
  for (const char* field : {"products", "jurisdictions", "agencies", "coverages"}) {
    if (node[field]) doc.applies_to_lines[field] = YamlReader::LineOf(node[field]);
  }
  AppliesTo& a = doc.edition.applies_to;
  if (auto v = reader.StringList(node, "products")) a.products = *v;
  if (auto v = reader.StringList(node, "jurisdictions")) a.jurisdictions = *v;
  if (auto v = reader.StringList(node, "agencies")) a.agencies = *v;
  if (auto v = reader.StringList(node, "coverages")) a.coverages = *v;
  if (auto match = reader.String(node, "coverages_match")) {
    if (*match == "all") {
      a.coverages_match_all = true;
    } else if (*match != "any") {
      reader.Error("invalid_value", "\"coverages_match\" must be any or all, but it is \"" + *match + "\".",
                   node["coverages_match"]);
    }
  }
  if (const YAML::Node effective = node["effective"]) {
    doc.effective_line = YamlReader::LineOf(effective);
    if (reader.ExpectMap(effective, "\"effective\"")) {
      reader.CheckKeys(effective, kEffectiveFields, "\"effective\"");
      a.effective_from = ReadDate(reader, effective, "from");
      a.effective_until = ReadDate(reader, effective, "until");
      if (a.effective_from && a.effective_until && !(*a.effective_from < *a.effective_until)) {
        reader.Error("invalid_value", "The effective window is empty: \"until\" must be after \"from\".", effective);
      }
    }
  }
}

void ParseAttach(YamlReader& reader, const YAML::Node& node, DocumentEdition& edition) {
  if (!reader.ExpectMap(node, "\"attach\"")) return;
  reader.CheckKeys(node, kAttachFields, "\"attach\"");
  for (int t = 0; t < 3; ++t) {
    const char* key = ToString(static_cast<Transaction>(t));
    const YAML::Node mode = node[key];
    if (!mode) continue;
    if (mode.IsScalar() && mode.Scalar() == "copy") {
      edition.attach[t] = AttachMode::kCopy;
      if (t == static_cast<int>(Transaction::kNew)) {
        reader.Error("copy_on_new", "\"attach.new\" cannot be copy: new business has no prior package to copy from.", mode);
      }
      continue;
    }
    auto flag = mode.IsScalar() ? ParseYamlBool(mode.Scalar()) : std::nullopt;
    if (!flag) {
      reader.Error("invalid_value", "\"attach." + std::string(key) + "\" must be yes, no or copy, but it is " +
                                        (mode.IsScalar() ? "\"" + mode.Scalar() + "\"" : std::string("not a single word")) + ".",
                   mode);
      continue;
    }
    edition.attach[t] = *flag ? AttachMode::kYes : AttachMode::kNo;
  }
}

// Catalog-relative template path, refusing anything that could leave the catalog.
bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return true;
}

std::optional<ParsedDocument> ParseDocument(const std::string& file, const std::string& text, Diagnostics& diagnostics) {
  YamlReader reader(file, diagnostics);
  auto root = reader.Parse(text);
  if (!root) return std::nullopt;
  if (!reader.ExpectMap(*root, "A document file")) return std::nullopt;
  const size_t errors_before = diagnostics.size();
  ParsedDocument doc;
  DocumentEdition& e = doc.edition;
  e.file = file;
  doc.line = YamlReader::LineOf(*root);
  reader.CheckKeys(*root, kDocumentFields, "the document");
  for (const char* key : {"id", "title", "kind", "edition", "template"}) reader.Require(*root, key, "the document");

  if (auto id = reader.String(*root, "id")) {
    e.id = *id;
    if (!ValidId(e.id)) {
      reader.Error("invalid_id", "Document id \"" + e.id + "\" is not valid: use capital letters, digits, '.', '_' and '-', starting with a letter or digit (for example CY-END-101).",
                   (*root)["id"]);
    }
  }
  if (auto title = reader.String(*root, "title")) e.title = *title;
  if (auto kind = reader.String(*root, "kind")) {
    static const std::vector<std::string> kKinds = {"declarations", "form", "endorsement", "notice"};
    auto it = std::find(kKinds.begin(), kKinds.end(), *kind);
    if (it == kKinds.end()) {
      reader.Error("invalid_value", "\"kind\" must be one of declarations, form, endorsement, notice, but it is \"" + *kind + "\".",
                   (*root)["kind"]);
    } else {
      e.kind = static_cast<DocumentKind>(it - kKinds.begin());
    }
  }
  if (auto edition = reader.String(*root, "edition")) {
    e.edition = *edition;
    doc.edition_line = YamlReader::LineOf((*root)["edition"]);
  }
  if (auto order = reader.Int(*root, "order")) e.order = *order;
  if (const YAML::Node applies = (*root)["applies_to"]; applies && !applies.IsNull()) ParseAppliesTo(reader, applies, doc);
  if (const YAML::Node attach = (*root)["attach"]; attach && !attach.IsNull()) ParseAttach(reader, attach, e);
  if (auto v = reader.Bool(*root, "deletable")) e.deletable = *v;
  if (auto v = reader.Bool(*root, "flag_manual")) e.flag_manual = *v;
  if (auto v = reader.Bool(*root, "multiple")) e.multiple = *v;
  if (const YAML::Node variables = (*root)["variables"]; variables && !variables.IsNull()) {
    if (auto json = reader.ToJson(variables)) {
      std::string error;
      e.schema = VariablesSchema::Compile(*json, &error);
      if (!e.schema) {
        reader.Error("invalid_schema", "The \"variables\" schema is invalid: " + error, variables);
        doc.schema_invalid = true;
      } else {
        e.variables_schema = *json;
        doc.has_schema = true;
      }
    }
  }
  if (!e.schema) {
    std::string unused;
    e.schema = VariablesSchema::Compile(nlohmann::json::object(), &unused);
  }
  if (auto path = reader.String(*root, "template")) {
    doc.template_line = YamlReader::LineOf((*root)["template"]);
    if (!SafeRelativePath(*path)) {
      reader.Error("invalid_value", "\"template\" must be a path inside the catalog such as templates/X.md, but it is \"" + *path + "\".",
                   (*root)["template"]);
    } else {
      e.template_path = *path;
    }
  }
  doc.broken = HasErrors(Diagnostics(diagnostics.begin() + static_cast<long>(errors_before), diagnostics.end()));
  return doc;
}

std::string Where(const ParsedDocument& d) { return d.edition.file + ":" + std::to_string(d.line); }

void CheckDeclaredCodes(const Catalog& catalog, const ParsedDocument& doc, Diagnostics& diagnostics) {
  const AppliesTo& a = doc.edition.applies_to;
  auto check = [&](const std::vector<std::string>& codes, const char* what, auto declared) {
    for (const auto& code : codes) {
      if (declared(code)) continue;
      Diagnostic d;
      d.code = "undeclared_code";
      d.file = doc.edition.file;
      auto line = doc.applies_to_lines.find(what);
      d.line = line == doc.applies_to_lines.end() ? doc.line : line->second;
      d.message = "applies_to." + std::string(what) + " lists \"" + code + "\", which catalog.yaml does not declare.";
      diagnostics.push_back(std::move(d));
    }
  };
  // A required list that catalog.yaml lacks is reported there, once, not again in every document.
  if (!catalog.products.empty()) check(a.products, "products", [&](const std::string& c) { return catalog.HasProduct(c); });
  if (!catalog.jurisdictions.empty()) {
    check(a.jurisdictions, "jurisdictions", [&](const std::string& c) { return catalog.HasJurisdiction(c); });
  }
  check(a.agencies, "agencies", [&](const std::string& c) { return catalog.HasAgency(c); });
  if (!catalog.coverages.empty()) check(a.coverages, "coverages", [&](const std::string& c) { return catalog.HasCoverage(c); });
}

bool Overlap(const AppliesTo& a, const AppliesTo& b) {
  const bool a_before_b_ends = !a.effective_from || !b.effective_until || *a.effective_from < *b.effective_until;
  const bool b_before_a_ends = !b.effective_from || !a.effective_until || *b.effective_from < *a.effective_until;
  return a_before_b_ends && b_before_a_ends;
}

std::string Window(const AppliesTo& a) {
  std::string from = a.effective_from ? FormatIsoDate(*a.effective_from) : "the beginning";
  std::string until = a.effective_until ? FormatIsoDate(*a.effective_until) : "no end";
  return "from " + from + " until " + until;
}

void CheckEditions(std::vector<ParsedDocument>& docs, Diagnostics& diagnostics) {
  std::sort(docs.begin(), docs.end(), [](const ParsedDocument& x, const ParsedDocument& y) {
    const auto& a = x.edition;
    const auto& b = y.edition;
    if (a.id != b.id) return a.id < b.id;
    if (a.applies_to.effective_from != b.applies_to.effective_from) {
      return a.applies_to.effective_from < b.applies_to.effective_from;
    }
    if (a.edition != b.edition) return a.edition < b.edition;
    return a.file < b.file;
  });
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].edition.id.empty()) continue;
    for (size_t j = i + 1; j < docs.size() && docs[j].edition.id == docs[i].edition.id; ++j) {
      const auto& a = docs[i];
      const auto& b = docs[j];
      if (a.edition.edition.empty() || b.edition.edition.empty()) continue;  // already reported as missing
      Diagnostic d;
      d.file = b.edition.file;
      d.line = b.line;
      if (a.edition.edition == b.edition.edition) {
        d.code = "duplicate_edition";
        d.line = b.edition_line ? b.edition_line : b.line;
        d.message = "Document " + b.edition.id + " edition \"" + b.edition.edition + "\" is defined twice (also in " + Where(a) + ").";
        diagnostics.push_back(std::move(d));
      } else if (Overlap(a.edition.applies_to, b.edition.applies_to)) {
        d.code = "overlapping_editions";
        d.line = b.effective_line ? b.effective_line : b.line;
        d.message = "Editions \"" + a.edition.edition + "\" (" + Window(a.edition.applies_to) + ", " + Where(a) + ") and \"" +
                    b.edition.edition + "\" (" + Window(b.edition.applies_to) + ") of " + b.edition.id +
                    " are in effect at the same time; their effective windows must not overlap.";
        diagnostics.push_back(std::move(d));
      }
    }
  }
}

constexpr std::string_view kSampleQuotePath = "samples/quote.json";

// samples/quote.json, the base quote of test runs: a JSON object (null and a
// finding when it is not).
nlohmann::json ParseSampleQuote(const std::string& text, Diagnostics& diagnostics) {
  Diagnostic d;
  d.code = "invalid_sample";
  d.file = std::string(kSampleQuotePath);
  if (JsonNestingDepth(text) > 64) {
    d.message = "The sample quote nests deeper than 64 levels.";
  } else {
    try {
      nlohmann::json quote = nlohmann::json::parse(text);
      if (quote.is_object()) return quote;
      d.line = 1;
      d.message = "The sample quote must be a JSON object (a quote, docs/contract.md §2), not " + std::string(quote.type_name()) + ".";
    } catch (const nlohmann::json::parse_error& e) {
      d.line = LineIndex(text).LineOf(e.byte > 0 ? e.byte - 1 : 0);
      d.message = "The sample quote is not valid JSON (at character " + std::to_string(e.byte) + ").";
    } catch (const nlohmann::json::exception&) {  // out_of_range: a number too large for a double
      d.message = "The sample quote holds a number too large to read.";
    }
  }
  diagnostics.push_back(std::move(d));
  return nullptr;
}

std::string ComputeDigest(const CatalogFiles& files) {
  Sha256 hash;
  for (const auto& [path, bytes] : files) {  // std::map: sorted by path, byte by byte
    hash.Update(path);
    hash.Update(std::string_view("\0", 1));
    hash.Update(std::to_string(bytes.size()));
    hash.Update(std::string_view("\0", 1));
    hash.Update(bytes);
  }
  return "sha256:" + hash.HexDigest();
}

}  // namespace

CatalogLoad LoadCatalog(const CatalogFiles& all_files) {
  CatalogLoad result;
  Diagnostics& diagnostics = result.diagnostics;
  // Text files must be UTF-8; a file that is not is reported and left out.
  CatalogFiles files;
  for (const auto& [path, bytes] : all_files) {
    const bool text = path == "catalog.yaml" || path.starts_with("documents/") || path.starts_with("templates/") ||
                      path.starts_with("rules/") || path.starts_with("samples/");
    if (const size_t bad = text ? FirstInvalidUtf8(bytes) : std::string::npos; bad != std::string::npos) {
      Diagnostic d;
      d.code = "invalid_encoding";
      d.file = path;
      d.line = LineIndex(bytes).LineOf(bad);
      d.message = "This file is not valid UTF-8 text (first bad byte at offset " + std::to_string(bad) + "); save it as UTF-8.";
      diagnostics.push_back(std::move(d));
      continue;
    }
    files.emplace(path, bytes);
  }
  auto catalog = std::make_shared<Catalog>();

  bool catalog_usable = false;
  if (auto it = files.find("catalog.yaml"); it != files.end()) {
    ParseCatalogYaml(it->second, *catalog, diagnostics, catalog_usable);
  } else {
    Diagnostic d;
    d.code = "missing_file";
    d.file = "catalog.yaml";
    d.message = "The catalog has no catalog.yaml at its top level.";
    diagnostics.push_back(std::move(d));
  }

  std::vector<ParsedDocument> docs;
  for (const auto& [path, text] : files) {
    if (!path.starts_with("documents/")) continue;
    if (path.size() < 5 || path.substr(path.size() - 5) != ".yaml") {
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.code = "ignored_file";
      d.file = path;
      d.message = "Ignored: document files must end in .yaml.";
      diagnostics.push_back(std::move(d));
      continue;
    }
    if (auto doc = ParseDocument(path, text, diagnostics)) docs.push_back(std::move(*doc));
  }
  if (docs.empty() && !HasErrors(diagnostics)) {
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.code = "no_documents";
    d.file = "documents/";
    d.message = "The catalog has no documents, so every package will be empty.";
    diagnostics.push_back(std::move(d));
  }

  CheckEditions(docs, diagnostics);
  std::set<std::string> used_templates;
  std::set<std::string> reported;  // a template shared by editions is linted once per distinct finding
  for (const auto& doc : docs) {
    const DocumentEdition& e = doc.edition;
    if (catalog_usable) CheckDeclaredCodes(*catalog, doc, diagnostics);
    if (e.template_path.empty()) continue;
    used_templates.insert(e.template_path);
    auto it = files.find(e.template_path);
    if (it == files.end()) {
      Diagnostic d;
      d.code = "missing_template";
      d.file = e.file;
      d.line = doc.template_line;
      d.message = "Template file \"" + e.template_path + "\" does not exist in the catalog.";
      diagnostics.push_back(std::move(d));
      continue;
    }
    TemplateScope scope;
    scope.schema = doc.schema_invalid ? nullptr : e.schema.get();  // no vars.X checks against a broken schema
    scope.has_schema = doc.has_schema || doc.schema_invalid;
    scope.document_id = e.id;
    scope.catalog = catalog_usable ? catalog.get() : nullptr;
    for (auto& finding : LintTemplate(e.template_path, it->second, scope)) {
      std::string key = FormatDiagnostic(finding);
      if (reported.insert(key).second) diagnostics.push_back(std::move(finding));
    }
    catalog->templates[e.template_path] = it->second;
  }
  RuleContext rule_context;
  rule_context.catalog = catalog_usable ? catalog.get() : nullptr;
  for (const auto& doc : docs) rule_context.document_ids.insert(doc.edition.id);
  catalog->rules = LoadRules(files, rule_context, diagnostics);
  if (auto it = files.find(std::string(kSampleQuotePath)); it != files.end()) {
    catalog->sample_quote = ParseSampleQuote(it->second, diagnostics);
  }
  // Only meaningful once every document parsed: a broken one may be the user.
  for (const auto& [path, unused] : files) {
    if (HasErrors(diagnostics)) break;
    if (path.starts_with("templates/") && !used_templates.count(path)) {
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.code = "unused_template";
      d.file = path;
      d.message = "No document uses this template.";
      diagnostics.push_back(std::move(d));
    }
  }

  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    return a.line < b.line;
  });
  if (HasErrors(diagnostics)) return result;

  for (auto& doc : docs) {
    AppliesTo& a = doc.edition.applies_to;  // every code is declared: lint passed
    for (const auto& c : a.products) a.product_set.Add(catalog->ProductIndex(c));
    for (const auto& c : a.jurisdictions) a.jurisdiction_set.Add(catalog->JurisdictionIndex(c));
    for (const auto& c : a.agencies) a.agency_set.Add(catalog->AgencyIndex(c));
    for (const auto& c : a.coverages) a.coverage_set.Add(catalog->CoverageIndex(c));
    catalog->editions.push_back(std::move(doc.edition));
  }
  catalog->editions_by_product.resize(catalog->products.size());
  for (uint32_t i = 0; i < catalog->editions.size(); ++i) {  // sorted by id: each id's editions are adjacent
    const DocumentEdition& e = catalog->editions[i];
    auto [it, inserted] = catalog->edition_index.try_emplace(e.id, i, 0);
    ++it->second.second;
    for (size_t p = 0; p < catalog->products.size(); ++p) {
      if (e.applies_to.products.empty() || e.applies_to.product_set.Has(static_cast<int>(p))) catalog->editions_by_product[p].push_back(i);
    }
  }
  for (const auto& [path, bytes] : files) {
    if (path.starts_with("assets/")) catalog->assets[path] = bytes;
  }
  catalog->digest = ComputeDigest(all_files);
  result.catalog = std::move(catalog);
  return result;
}

CatalogLoad LoadCatalogDirectory(const std::filesystem::path& dir) {
  CatalogRead read = ReadCatalogDirectory(dir);
  if (HasErrors(read.diagnostics)) {
    CatalogLoad result;
    result.diagnostics = std::move(read.diagnostics);
    return result;
  }
  CatalogLoad result = LoadCatalog(read.files);
  result.diagnostics.insert(result.diagnostics.begin(), read.diagnostics.begin(), read.diagnostics.end());
  return result;
}

}  // namespace docgen
