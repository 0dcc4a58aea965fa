#include "slo/selector.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace docgen {

struct SeriesSelector::Matcher {
  std::string label;
  std::string op;  // =, !=, =~, !~
  std::string value;
  std::unique_ptr<RE2> regex;  // =~ and !~

  bool Holds(const std::string& actual) const {
    const bool equal = regex ? RE2::FullMatch(actual, *regex) : actual == value;
    return op[0] == '!' ? !equal : equal;
  }
};

namespace {

bool NameChar(char c, bool first) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' || (!first && std::isdigit(static_cast<unsigned char>(c))); }

}  // namespace

Result<SeriesSelector> SeriesSelector::Parse(const std::string& text) {
  SeriesSelector selector;
  size_t i = 0;
  while (i < text.size() && NameChar(text[i], i == 0)) ++i;
  if (i == 0) return Status::InvalidArgument("a selector starts with a metric name, like docgen_jobs_finished_total");
  selector.name_ = text.substr(0, i);
  if (i == text.size()) return selector;
  if (text[i] != '{' || text.back() != '}') return Status::InvalidArgument("after the metric name comes {label=\"value\", ...} or nothing");
  const std::string body = text.substr(i + 1, text.size() - i - 2);
  size_t p = 0;
  auto skip_space = [&] { while (p < body.size() && body[p] == ' ') ++p; };
  for (int n = 1;; ++n) {
    skip_space();
    if (p == body.size()) break;
    const std::string which = "label matcher " + std::to_string(n);
    auto m = std::make_shared<Matcher>();
    const size_t start = p;
    while (p < body.size() && NameChar(body[p], p == start) && body[p] != ':') ++p;
    if (p == start) return Status::InvalidArgument(which + " does not start with a label name");
    m->label = body.substr(start, p - start);
    skip_space();
    for (const char* op : {"=~", "!~", "!=", "="}) {
      if (body.compare(p, std::char_traits<char>::length(op), op) == 0) {
        m->op = op;
        break;
      }
    }
    if (m->op.empty()) return Status::InvalidArgument(which + " (" + m->label + ") has no =, !=, =~ or !~");
    p += m->op.size();
    skip_space();
    if (p >= body.size() || body[p] != '"') return Status::InvalidArgument(which + " (" + m->label + ") needs its value in double quotes");
    ++p;
    for (; p < body.size() && body[p] != '"'; ++p) {
      if (body[p] == '\\' && p + 1 < body.size()) ++p;
      m->value += body[p];
    }
    if (p >= body.size()) return Status::InvalidArgument(which + " (" + m->label + ") has no closing quote");
    ++p;
    if (m->op.back() == '~') {
      m->regex = std::make_unique<RE2>(m->value, RE2::Quiet);
      if (!m->regex->ok()) return Status::InvalidArgument(which + " (" + m->label + "): not a regular expression: " + m->regex->error());
    }
    selector.matchers_.push_back(std::move(m));
    skip_space();
    if (p < body.size() && body[p] == ',') {
      ++p;
    } else if (p != body.size()) {
      return Status::InvalidArgument(which + " (" + selector.matchers_.back()->label + ") is followed by something other than a comma");
    }
  }
  return selector;
}

std::string SeriesSelector::Equal(const std::string& key) const {
  for (const auto& m : matchers_) {
    if (m->label == key && m->op == "=") return m->value;
  }
  return "";
}

bool SeriesSelector::Matches(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels) const {
  if (name != name_) return false;
  return std::all_of(matchers_.begin(), matchers_.end(), [&](const auto& m) {
    auto it = std::find_if(labels.begin(), labels.end(), [&](const auto& l) { return l.first == m->label; });
    return m->Holds(it == labels.end() ? std::string() : it->second);  // a missing label is ""
  });
}

}  // namespace docgen
