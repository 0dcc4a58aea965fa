#include "catalog/lint_template.h"

#include <algorithm>
#include <cctype>

#include "catalog/yaml_reader.h"
#include "schema/variables_schema.h"
#include "template/mustache.h"
#include "util/text.h"

namespace docgen {
namespace {

const std::vector<std::string> kRootNames = {"quote", "doc", "vars", "coverage", "package"};
const std::vector<std::string> kLambdas = {"money", "date", "number"};
const std::vector<std::string> kDocFields = {"id", "title", "edition", "kind", "instance"};

// A BCP 47 language tag as PDF's /Lang takes it: a 2-3 letter language,
// then subtags of 1-8 letters or digits (en, en-US, es-419, zh-Hant-TW).
bool IsLanguageTag(const std::string& tag) {
  size_t start = 0;
  for (size_t part = 0;; ++part) {
    const size_t end = std::min(tag.find('-', start), tag.size());
    const size_t length = end - start;
    for (size_t i = start; i < end; ++i) {
      const unsigned char c = static_cast<unsigned char>(tag[i]);
      if (!(std::isalpha(c) || (part > 0 && std::isdigit(c)))) return false;
    }
    if (part == 0 ? (length < 2 || length > 3) : (length < 1 || length > 8)) return false;
    if (end == tag.size()) return true;
    start = end + 1;
  }
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::vector<std::string> Split(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

struct NameChecker {
  const TemplateScope& scope;
  const std::string& file;
  bool header_footer;
  Diagnostics& out;

  void Report(const MustacheNode& node, std::string message) {
    Diagnostic d;
    d.code = "unknown_reference";
    d.file = file;
    d.line = node.line;
    d.document = scope.document_id;
    d.message = std::move(message);
    out.push_back(std::move(d));
  }

  // `depth`: sections entered that push a value; `open`: inside a section
  // over open data (quote fields, list items), where nothing can be known.
  void Walk(const std::vector<MustacheNode>& nodes, int depth, bool open) {
    for (const auto& node : nodes) {
      if (node.kind == MustacheNode::Kind::kText || node.kind == MustacheNode::Kind::kComment) continue;
      const std::vector<std::string> parts = node.text == "." ? std::vector<std::string>{"."} : Split(node.text);
      const std::string& head = parts[0];
      const bool is_section = node.kind == MustacheNode::Kind::kSection;
      const bool is_inverted = node.kind == MustacheNode::Kind::kInvertedSection;
      if (Contains(kLambdas, head) && parts.size() == 1) {
        if (!is_section && !is_inverted) {
          Report(node, "\"" + head + "\" formats the text inside it: write {{#" + head + "}}...{{/" + head +
                           "}} instead of {{" + head + "}}.");
        }
        Walk(node.children, depth, open);  // a lambda does not change the context
        continue;
      }
      if (!open) Check(node, parts, depth);
      if (is_inverted) {
        Walk(node.children, depth, open);  // renders only when the value is absent: same context
      } else if (is_section) {
        const bool known_shape = head == "vars" || head == "doc";
        Walk(node.children, depth + 1, open || !known_shape);
      }
    }
  }

  void Check(const MustacheNode& node, const std::vector<std::string>& parts, int depth) {
    const std::string& head = parts[0];
    const bool page_number = head == "page" || head == "pages";
    if (page_number && parts.size() == 1) {
      if (!header_footer && depth == 0) {
        Report(node, "{{" + head + "}} is only available in the header and footer of the front matter.");
      }
      return;
    }
    if (!Contains(kRootNames, head)) {
      if (depth == 0 && head != ".") {
        std::string message = "\"" + node.text + "\" is not available to templates. Names start with quote., doc., vars., coverage. or package.";
        std::string suggestion = SuggestClosest(head, kRootNames);
        if (!suggestion.empty()) message += " Did you mean \"" + suggestion + "\"?";
        Report(node, std::move(message));
      }
      return;
    }
    if (parts.size() < 2) return;
    const std::string& field = parts[1];
    if (head == "doc") {
      if (!Contains(kDocFields, field) || parts.size() > 2) {
        Report(node, "\"" + node.text + "\" does not exist: doc has only id, title, edition, kind and instance.");
      }
    } else if (head == "vars") {
      if (!scope.has_schema) {
        Report(node, "\"" + node.text + "\" can never be filled: document " + scope.document_id +
                         " declares no variables. Add \"" + field + "\" to its variables schema.");
      } else if (scope.schema != nullptr && !scope.schema->HasProperty(field)) {
        Report(node, "\"" + node.text + "\" can never be filled: the variables schema of " + scope.document_id +
                         " has no property \"" + field + "\".");
      }
    } else if (head == "coverage") {
      if (scope.catalog != nullptr && !scope.catalog->HasCoverage(field)) {
        std::vector<std::string> codes;
        for (const auto& c : scope.catalog->coverages) codes.push_back(c.code);
        std::string message = "\"" + node.text + "\" refers to coverage \"" + field + "\", which catalog.yaml does not declare.";
        std::string suggestion = SuggestClosest(field, codes);
        if (!suggestion.empty()) message += " Did you mean \"" + suggestion + "\"?";
        Report(node, std::move(message));
      }
    } else if (head == "package") {
      if (field != "documents") Report(node, "\"" + node.text + "\" does not exist: package has only documents.");
    }
  }
};

void CheckTemplateNames(const MustacheParse& parse, const std::string& file, const TemplateScope& scope,
                        bool header_footer, Diagnostics& out) {
  NameChecker checker{scope, file, header_footer, out};
  checker.Walk(parse.nodes, 0, false);
}

}  // namespace

void LintPageSettings(YamlReader& reader, const YAML::Node& settings, bool front_matter) {
  std::vector<std::string> allowed = {"page", "font", "lang", "pdf"};
  if (front_matter) {
    allowed.push_back("header");
    allowed.push_back("footer");
  }
  const std::string where = front_matter ? "the front matter" : "\"defaults\"";
  reader.CheckKeys(settings, allowed, where);
  if (const YAML::Node page = settings["page"]) {
    if (reader.ExpectMap(page, "\"page\"")) {
      reader.CheckKeys(page, {"size", "margin"}, "\"page\"");
      if (auto size = reader.String(page, "size"); size && *size != "letter" && *size != "a4" && *size != "legal") {
        reader.Error("invalid_value", "Page size must be letter, a4 or legal, but it is \"" + *size + "\".", page["size"]);
      }
      if (auto margin = reader.String(page, "margin")) {
        if (!ParseLengthPoints(*margin)) {
          reader.Error("invalid_value", "Page margin must be a length such as 0.75in, 2cm, 20mm or 54pt, but it is \"" + *margin + "\".",
                       page["margin"]);
        }
      }
    }
  }
  if (auto lang = reader.String(settings, "lang"); lang && !IsLanguageTag(*lang)) {
    reader.Error("invalid_value", "\"lang\" must be a language tag such as en, en-US or es-MX, but it is \"" + *lang + "\".",
                 settings["lang"]);
  }
  if (const YAML::Node pdf = settings["pdf"]) {
    if (reader.ExpectMap(pdf, "\"pdf\"")) {
      reader.CheckKeys(pdf, {"archive", "tagged"}, "\"pdf\"");
      if (const YAML::Node tagged = pdf["tagged"]; tagged && (!tagged.IsScalar() || (tagged.Scalar() != "true" && tagged.Scalar() != "false"))) {
        reader.Error("invalid_value", "\"tagged\" must be true or false.", tagged);
      }
      if (auto archive = reader.String(pdf, "archive"); archive && *archive != "pdf-a-2b" && *archive != "none") {
        reader.Error("invalid_value", "\"archive\" must be pdf-a-2b (the default) or none, but it is \"" + *archive + "\".",
                     pdf["archive"]);
      }
    }
  }
  if (const YAML::Node font = settings["font"]) {
    if (reader.ExpectMap(font, "\"font\"")) {
      reader.CheckKeys(font, {"family", "size"}, "\"font\"");
      reader.String(font, "family");
      if (auto size = reader.Number(font, "size"); size && (*size < 4 || *size > 72)) {
        reader.Error("invalid_value", "Font size must be between 4 and 72 points.", font["size"]);
      }
    }
  }
}

Diagnostics LintTemplate(const std::string& file, const std::string& text, const TemplateScope& scope) {
  Diagnostics out;
  TemplateParts parts;
  std::string error;
  if (!SplitFrontMatter(text, parts, error)) {
    Diagnostic d;
    d.code = "template_syntax";
    d.file = file;
    d.line = 1;
    d.message = error;
    out.push_back(std::move(d));
    return out;
  }
  if (parts.has_front_matter) {
    YamlReader reader(file, out);
    reader.set_line_offset(parts.front_matter_line - 1);
    auto root = reader.Parse(parts.front_matter);
    if (root && !root->IsNull() && reader.ExpectMap(*root, "The front matter")) {
      LintPageSettings(reader, *root, true);
      for (const char* key : {"header", "footer"}) {
        const YAML::Node node = (*root)[key];
        if (!node) continue;
        if (!node.IsScalar()) {
          reader.Error("invalid_value", "\"" + std::string(key) + "\" must be one line of text.", node);
          continue;
        }
        MustacheParse parse = ParseMustache(node.Scalar(), file, reader.FileLineOf(node));
        out.insert(out.end(), parse.diagnostics.begin(), parse.diagnostics.end());
        CheckTemplateNames(parse, file, scope, true, out);
      }
    }
  }
  MustacheParse parse = ParseMustache(parts.body, file, parts.body_line);
  out.insert(out.end(), parse.diagnostics.begin(), parse.diagnostics.end());
  CheckTemplateNames(parse, file, scope, false, out);
  return out;
}

}  // namespace docgen
