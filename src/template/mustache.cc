#include "template/mustache.h"

#include <kainjow/mustache.hpp>

#include <algorithm>
#include <exception>
#include <optional>

#include "util/text.h"

namespace docgen {
namespace {

namespace km = kainjow::mustache;
constexpr int kMaxSectionDepth = 32;
constexpr size_t kMaxTemplateBytes = 1u << 20;

Diagnostic SyntaxError(const std::string& file, int line, std::string message) {
  Diagnostic d;
  d.code = "template_syntax";
  d.file = file;
  d.line = line;
  d.message = std::move(message);
  return d;
}

// Rejects what kainjow would accept but docgen does not support, and bounds
// the nesting depth so that walking the tree cannot exhaust the stack.
bool Precheck(std::string_view source, const LineIndex& lines, const std::string& file, int first_line,
              Diagnostics& out) {
  if (source.size() > kMaxTemplateBytes) {
    out.push_back(SyntaxError(file, first_line, "The template is larger than 1 MiB."));
    return false;
  }
  int depth = 0;
  size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    const int line = first_line + lines.LineOf(pos) - 1;
    if (pos + 2 < source.size() && source[pos + 2] == '{') {
      size_t end = source.find("}}}", pos + 3);
      if (end == std::string_view::npos) break;  // kainjow reports the unclosed tag
      // kainjow takes {{{=<% %>=}}} as a change of delimiters too.
      std::string_view tag = source.substr(pos + 3, end - pos - 3);
      if (size_t first = tag.find_first_not_of(" \t\n\v\f\r"); first != std::string_view::npos && tag[first] == '=') {
        out.push_back(SyntaxError(file, line, "Changing the tag delimiters ({{=...=}}) is not supported in docgen templates."));
        return false;
      }
      pos = end + 3;
      continue;
    }
    size_t end = source.find("}}", pos + 2);
    if (end == std::string_view::npos) break;
    std::string_view tag = source.substr(pos + 2, end - pos - 2);
    size_t first = tag.find_first_not_of(" \t\n\v\f\r");  // kainjow trims all of std::isspace
    char sigil = first == std::string_view::npos ? '\0' : tag[first];
    if (sigil == '=') {
      out.push_back(SyntaxError(file, line, "Changing the tag delimiters ({{=...=}}) is not supported in docgen templates."));
      return false;
    }
    if (sigil == '>') {
      out.push_back(SyntaxError(file, line, "Partials ({{> name}}) are not supported in docgen templates."));
      return false;
    }
    if (sigil == '#' || sigil == '^') {
      if (++depth > kMaxSectionDepth) {
        out.push_back(SyntaxError(file, line, "Sections are nested more than 32 levels deep."));
        return false;
      }
    } else if (sigil == '/') {
      --depth;
    }
    pos = end + 2;
  }
  return true;
}


std::string Explain(const std::string& message) {
  if (message.rfind("Unclosed section", 0) == 0) {
    const size_t at = message.rfind(" at ");
    const std::string name = at == std::string::npos || at < 19 ? "\"\"" : message.substr(17, at - 17);  // quoted
    return "Section " + name + " is not closed: close it with {{/" + name.substr(1, name.size() - 2) +
           "}}, and close inner sections first.";
  }
  if (message.rfind("Unopened section", 0) == 0) {
    return "A section is closed but was never opened: " + message.substr(0, message.rfind(" at ")) + ".";
  }
  if (message.rfind("Unclosed tag", 0) == 0) return "A tag is opened with {{ but never closed with }}.";
  return message;
}

// kainjow makes a component of every space and line break (for the
// standalone-tag rule), which made a 1 MiB table template take most of a
// second to parse, and it is parsed twice (lint, render). A run of whole
// lines without a tag is the same text whatever that rule says, so kainjow
// is given one placeholder byte for it, and the tree gets its text back as
// one node.
class CondensedSource {
 public:
  static constexpr char kPlaceholder = '\x01';

  explicit CondensedSource(std::string_view source) : source_(source) {
    if (source.find(kPlaceholder) != std::string_view::npos) {  // cannot stand for anything: parsed as it is
      input_ = std::string(source);
      return;
    }
    // Where tags are: from {{ to }}, or {{{ to }}}, as kainjow finds their
    // ends (or to the end of the source when unclosed).
    std::vector<std::pair<size_t, size_t>> tags;
    for (size_t at = source.find("{{"); at != std::string_view::npos; at = source.find("{{", tags.back().second)) {
      const bool triple = at + 2 < source.size() && source[at + 2] == '{';
      const std::string_view end = triple ? "}}}" : "}}";
      const size_t close = source.find(end, at + end.size());
      tags.emplace_back(at, close == std::string_view::npos ? source.size() : close + end.size());
    }
    size_t tag = 0;
    size_t run = std::string_view::npos;  // start of the current run of lines without a tag
    auto close_run = [&](size_t end) {   // the run is [run, end), and a line break follows it
      if (end > run) {
        runs_.push_back({input_.size(), run, end - run});
        input_ += kPlaceholder;
      }
      run = std::string_view::npos;
    };
    for (size_t line = 0; line < source.size();) {
      size_t end = source.find('\n', line);  // the line is [line, end)
      end = end == std::string_view::npos ? source.size() : end;
      while (tag < tags.size() && tags[tag].second <= line) ++tag;
      if (tag < tags.size() && tags[tag].first <= end) {  // a line with (part of) a tag: as it is
        if (run != std::string_view::npos) {
          close_run(line - 1);
          input_ += '\n';
        }
        input_.append(source.substr(line, end - line));
        if (end < source.size()) input_ += '\n';
      } else if (run == std::string_view::npos) {
        run = line;
      }
      line = end + 1;
    }
    if (run != std::string_view::npos) {
      const bool final_break = source.back() == '\n';
      close_run(final_break ? source.size() - 1 : source.size());
      if (final_break) input_ += '\n';
    }
  }

  const std::string& input() const { return input_; }

  // The offset in the source of an offset in input().
  size_t SourceOffset(size_t offset) const {
    auto after = std::upper_bound(runs_.begin(), runs_.end(), offset, [](size_t o, const Run& r) { return o < r.at; });
    if (after == runs_.begin()) return offset;
    const Run& run = *(after - 1);
    return offset == run.at ? run.source : run.source + run.length + (offset - run.at - 1);
  }

  // The text a placeholder at input offset `offset` stands for, or nullopt
  // when there is none there.
  std::optional<std::string_view> RunAt(size_t offset) const {
    auto it = std::lower_bound(runs_.begin(), runs_.end(), offset, [](const Run& r, size_t o) { return r.at < o; });
    if (it == runs_.end() || it->at != offset) return std::nullopt;
    return source_.substr(it->source, it->length);
  }

 private:
  struct Run {
    size_t at = 0;      // the placeholder's offset in input_
    size_t source = 0;  // the run's offset and length in the source
    size_t length = 0;
  };
  std::string_view source_;
  std::string input_;
  std::vector<Run> runs_;  // in order
};

// kainjow reports positions as "... at 123" (a byte offset in what it parsed).
int LineFromKainjowMessage(const std::string& message, const CondensedSource& condensed, const LineIndex& lines,
                           int first_line) {
  size_t at = message.rfind(" at ");
  if (at == std::string::npos) return first_line;
  size_t offset = 0;
  for (size_t i = at + 4; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i) {
    offset = offset * 10 + static_cast<size_t>(message[i] - '0');
    if (offset > condensed.input().size()) break;
  }
  return first_line + lines.LineOf(condensed.SourceOffset(offset)) - 1;
}

void Convert(const km::component<std::string>& component, const CondensedSource& condensed, const LineIndex& lines,
             int first_line, const std::string& file, std::vector<MustacheNode>& out, Diagnostics& diagnostics) {
  MustacheNode node;
  const size_t position = condensed.SourceOffset(component.position == std::string::npos ? 0 : component.position);
  node.line = first_line + lines.LineOf(position) - 1;
  using TagType = km::tag_type;
  switch (component.tag.type) {
    case TagType::text:
      node.kind = MustacheNode::Kind::kText;
      if (std::optional<std::string_view> run;
          component.text.size() == 1 && component.text[0] == CondensedSource::kPlaceholder &&
          (run = condensed.RunAt(component.position))) {
        node.text = std::string(*run);
      } else {
        node.text = component.text;
      }
      break;
    case TagType::variable:
      node.kind = MustacheNode::Kind::kVariable;
      break;
    case TagType::unescaped_variable:
      node.kind = MustacheNode::Kind::kRawVariable;
      break;
    case TagType::section_begin:
      node.kind = MustacheNode::Kind::kSection;
      break;
    case TagType::section_begin_inverted:
      node.kind = MustacheNode::Kind::kInvertedSection;
      break;
    case TagType::comment:
      node.kind = MustacheNode::Kind::kComment;
      break;
    default:
      return;  // partials and delimiter changes are refused by Precheck
  }
  if (node.kind != MustacheNode::Kind::kText && node.kind != MustacheNode::Kind::kComment) {
    node.text = component.tag.name;
    if (node.text.empty()) {
      diagnostics.push_back(SyntaxError(file, node.line, "A tag has no name: write {{name}}, not {{}}."));
    }
  }
  for (const auto& child : component.children) Convert(child, condensed, lines, first_line, file, node.children, diagnostics);
  out.push_back(std::move(node));
}

}  // namespace

MustacheParse ParseMustache(std::string_view source, const std::string& file, int first_line) {
  MustacheParse result;
  const LineIndex lines(source);
  if (!Precheck(source, lines, file, first_line, result.diagnostics)) return result;
  const CondensedSource condensed(source);
  km::component<std::string> root;
  std::string error;
  try {
    km::context<std::string> unused_context;
    km::context_internal<std::string> context{unused_context};
    km::parser<std::string> parser{condensed.input(), context, root, error};
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    result.diagnostics.push_back(
        SyntaxError(file, LineFromKainjowMessage(error, condensed, lines, first_line), Explain(error)));
    return result;
  }
  for (const auto& child : root.children) Convert(child, condensed, lines, first_line, file, result.nodes, result.diagnostics);
  if (HasErrors(result.diagnostics)) result.nodes.clear();
  return result;
}

bool SplitFrontMatter(std::string_view text, TemplateParts& parts, std::string& error) {
  parts = TemplateParts{};
  auto starts_with_fence = [](std::string_view s) {
    return s.rfind("---\n", 0) == 0 || s.rfind("---\r\n", 0) == 0 || s == "---";
  };
  if (!starts_with_fence(text)) {
    parts.body = std::string(text);
    return true;
  }
  size_t first_line_end = text.find('\n');
  size_t pos = first_line_end == std::string_view::npos ? text.size() : first_line_end + 1;
  size_t yaml_start = pos;
  int line = 2;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view current = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (!current.empty() && current.back() == '\r') current.remove_suffix(1);
    if (current == "---") {
      parts.has_front_matter = true;
      parts.front_matter = std::string(text.substr(yaml_start, pos - yaml_start));
      parts.front_matter_line = 2;
      size_t body_start = end == std::string_view::npos ? text.size() : end + 1;
      parts.body = std::string(text.substr(body_start));
      parts.body_line = line + 1;
      return true;
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
    ++line;
  }
  error = "The front matter starts with '---' on the first line but has no closing '---' line.";
  return false;
}

}  // namespace docgen
