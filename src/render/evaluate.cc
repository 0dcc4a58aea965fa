#include "render/evaluate.h"

#include <docgen/catalog.h>

#include <cctype>
#include <string_view>

namespace docgen {
namespace {

using Kind = MustacheNode::Kind;

bool IsLambda(const std::string& name) { return name == "money" || name == "date" || name == "number"; }

std::vector<std::string> SplitName(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Splits "1234.5" / "-12" / "1e3" into sign, integer digits and fraction
// digits; false when the text is not a plain decimal number.
bool ParseDecimal(const std::string& raw, bool& negative, std::string& integer, std::string& fraction) {
  size_t begin = raw.find_first_not_of(" \t\n");
  size_t end = raw.find_last_not_of(" \t\n");
  if (begin == std::string::npos) return false;
  std::string text = raw.substr(begin, end - begin + 1);
  negative = false;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  integer.clear();
  fraction.clear();
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) integer += text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) fraction += text[i++];
  }
  if (i != text.size() || (integer.empty() && fraction.empty()) || integer.size() > 30) return false;
  if (integer.empty()) integer = "0";
  integer.erase(0, std::min(integer.find_first_not_of('0'), integer.size() - 1));
  return true;
}

std::string GroupThousands(const std::string& digits) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Decimal rounding half away from zero of "integer.fraction" to 2 places.
void RoundToCents(std::string& integer, std::string& fraction) {
  bool round_up = fraction.size() > 2 && fraction[2] >= '5';
  fraction.resize(2, '0');
  if (!round_up) return;
  std::string all = integer + fraction;
  int i = static_cast<int>(all.size()) - 1;
  while (i >= 0 && all[static_cast<size_t>(i)] == '9') all[static_cast<size_t>(i--)] = '0';
  if (i < 0) {
    all.insert(all.begin(), '1');
  } else {
    ++all[static_cast<size_t>(i)];
  }
  integer = all.substr(0, all.size() - 2);
  fraction = all.substr(all.size() - 2);
}

class Evaluator {
 public:
  Evaluator(const EvaluationOptions& options, Diagnostics& errors)
      : options_(options), errors_(errors), budget_(options.budget != nullptr ? options.budget : &own_budget_) {}

  std::string Run(const std::vector<MustacheNode>& nodes, const std::vector<Frame>& frames) {
    stack_ = frames;
    if (budget_->timed_out) return {};  // an earlier evaluation of this render reported it
    Walk(nodes, /*escape=*/options_.markdown);
    FlushLine(/*newline=*/"");
    return std::move(out_);
  }

 private:
  void Error(const char* code, int line, std::string message) {
    Diagnostic d;
    d.code = code;
    d.file = options_.file;
    d.line = line;
    d.document = options_.document;
    d.instance = options_.instance;
    d.message = std::move(message);
    errors_.push_back(std::move(d));
  }

  // Mustache lookup: the first name part is searched from the innermost
  // context outwards; the rest descends into that value.
  const nlohmann::json* Lookup(const std::string& name) const {
    if (name == ".") return stack_.back().name == nullptr ? stack_.back().value : nullptr;
    const std::vector<std::string> parts = SplitName(name);
    for (auto frame = stack_.rbegin(); frame != stack_.rend(); ++frame) {
      const nlohmann::json* value = frame->value;
      if (frame->name != nullptr) {
        if (parts[0] != frame->name) continue;
      } else {
        if (!value->is_object() || !value->contains(parts[0])) continue;
        value = &(*value)[parts[0]];
      }
      for (size_t i = 1; i < parts.size() && value != nullptr; ++i) {
        if (value->is_object() && value->contains(parts[i])) {
          value = &(*value)[parts[i]];
        } else if (value->is_array() && !parts[i].empty() && parts[i].find_first_not_of("0123456789") == std::string::npos &&
                   parts[i].size() < 9 && std::stoul(parts[i]) < value->size()) {
          value = &(*value)[std::stoul(parts[i])];
        } else {
          value = nullptr;
        }
      }
      return value;  // the first frame holding the first part decides, as in Mustache
    }
    return nullptr;
  }

  static bool Truthy(const nlohmann::json* value) {
    if (value == nullptr || value->is_null()) return false;
    if (value->is_boolean()) return value->get<bool>();
    if (value->is_array()) return !value->empty();
    return true;
  }

  std::optional<std::string> Scalar(const nlohmann::json& value) const {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
    if (value.is_number_float()) {
      std::string text = value.dump();
      return text;
    }
    return std::nullopt;
  }

  // Output goes through a line buffer so that lines holding only section
  // tags and whitespace disappear, as the Mustache spec's standalone rule says.
  static constexpr size_t kMaxOutput = 16u << 20;
  void Emit(const std::string& text) {
    if (overflow_) return;
    if (out_.size() + line_.size() + text.size() > kMaxOutput) {
      overflow_ = true;
      Error("template_error", 0, "The template produces more than 16 MiB of text for this quote (nested sections over long lists?).");
      return;
    }
    line_ += text;
  }
  void FlushLine(const std::string& newline) {
    bool blank = line_.find_first_not_of(" \t") == std::string::npos;
    if (!(line_has_tag_ && blank)) out_ += line_ + newline;
    line_.clear();
    line_has_tag_ = false;
  }

  // The deadline is read every few thousand steps, not on every node.
  bool OutOfTime(int line) {
    if ((++steps_ & 4095) != 0) return false;
    if (budget_->timed_out || std::chrono::steady_clock::now() >= budget_->deadline) {
      overflow_ = true;
      if (!budget_->timed_out) {
        budget_->timed_out = true;
        Error("render_timeout", line, "The render ran past its deadline while evaluating this template.");
      }
      return true;
    }
    return false;
  }

  void Walk(const std::vector<MustacheNode>& nodes, bool escape) {
    for (const auto& node : nodes) {
      if (overflow_ || OutOfTime(node.line)) return;  // stop walking, not only writing
      switch (node.kind) {
        case Kind::kText:
          if (node.text == "\n" || node.text == "\r\n" || node.text == "\r") {
            FlushLine(node.text);
          } else {
            Emit(node.text);
          }
          break;
        case Kind::kComment:
          line_has_tag_ = true;
          break;
        case Kind::kVariable:
        case Kind::kRawVariable:
          Interpolate(node, escape && node.kind == Kind::kVariable);
          break;
        case Kind::kSection:
          Section(node, escape);
          break;
        case Kind::kInvertedSection:
          line_has_tag_ = true;
          if (!Truthy(Lookup(node.text))) Walk(node.children, escape);
          line_has_tag_ = true;
          break;
      }
    }
  }

  void Interpolate(const MustacheNode& node, bool escape) {
    const nlohmann::json* value = Lookup(node.text);
    if (value == nullptr || value->is_null()) {
      Error("missing_value", node.line, "{{" + node.text + "}} has no value for this quote.");
      return;
    }
    auto text = Scalar(*value);
    if (!text) {
      Error("template_error", node.line,
            "{{" + node.text + "}} is " + (value->is_array() ? "a list" : "a group of fields") +
                ", not a single value; use a section {{#" + node.text + "}}...{{/" + node.text + "}} instead.");
      return;
    }
    Emit(escape ? EscapeMarkdown(*text) : options_.markdown ? SanitizeText(*text) : Plain(*text));
  }

  // Plain-text output (headers, footers) is one line.
  static std::string Plain(const std::string& text) {
    std::string out = SanitizeText(text);
    for (char& c : out) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return out;
  }

  void Section(const MustacheNode& node, bool escape) {
    if (IsLambda(node.text)) {  // reserved names: lint refuses them as data
      Lambda(node, escape);
      return;
    }
    const nlohmann::json* value = Lookup(node.text);
    line_has_tag_ = true;
    if (!Truthy(value)) {
      line_has_tag_ = true;
      return;
    }
    if (value->is_array()) {
      for (const auto& item : *value) {
        if (overflow_) break;
        if (++budget_->iterations > EvaluationBudget::kMaxIterations) {
          overflow_ = true;
          if (budget_->iterations == EvaluationBudget::kMaxIterations + 1) {
            Error("template_error", node.line,
                  "Sections repeat more than 1,000,000 times for this quote (nested sections over long lists?).");
          }
          break;
        }
        stack_.push_back(&item);
        Walk(node.children, escape);
        stack_.pop_back();
        line_has_tag_ = true;
      }
    } else {
      stack_.push_back(value);
      Walk(node.children, escape);
      stack_.pop_back();
    }
    line_has_tag_ = true;
  }

  // {{#money}}...{{/money}}: the inside is rendered raw, formatted, then
  // inserted as literal text.
  void Lambda(const MustacheNode& node, bool escape) {
    const size_t errors_before = errors_.size();
    Evaluator inner(options_, errors_);
    inner.stack_ = stack_;
    inner.budget_ = budget_;  // the lambda spends this evaluation's budget, not a fresh one
    inner.Walk(node.children, /*escape=*/false);
    inner.FlushLine("");
    if (inner.overflow_) {  // out of budget or output inside: stop here too
      overflow_ = true;
      return;
    }
    const std::string raw = inner.out_;
    std::optional<std::string> formatted = node.text == "money"    ? FormatMoney(raw)
                                           : node.text == "number" ? FormatNumber(raw)
                                                                   : FormatDate(raw);
    if (!formatted) {
      if (raw.find_first_not_of(" \t\n") == std::string::npos && errors_.size() > errors_before) return;  // reported inside
      Error("template_error", node.line,
            "{{#" + node.text + "}} expects " + (node.text == "date" ? "a date written YYYY-MM-DD" : "a number") +
                ", but got \"" + raw + "\".");
      return;
    }
    Emit(escape ? EscapeMarkdown(*formatted) : Plain(*formatted));
  }

  const EvaluationOptions& options_;
  Diagnostics& errors_;
  std::vector<Frame> stack_;  // the root frames, then one per open section
  std::string out_;
  std::string line_;
  bool line_has_tag_ = false;
  bool overflow_ = false;
  EvaluationBudget own_budget_;
  EvaluationBudget* budget_;
  size_t steps_ = 0;
};

}  // namespace

std::string SanitizeText(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (i + length > text.size()) length = text.size() - i;
    unsigned code = c;
    if (length > 1) {
      code = c & (0x7F >> length);
      for (size_t k = 1; k < length; ++k) code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    const bool control = code < 0x20 && code != '\n' && code != '\t';
    const bool noncharacter = (code >= 0xFDD0 && code <= 0xFDEF) || (code & 0xFFFE) == 0xFFFE || code == 0x7F;
    if (control || noncharacter) {
      out += "\xEF\xBF\xBD";  // U+FFFD
    } else {
      out.append(text, i, length);
    }
    i += length;
  }
  return out;
}

// Punctuation that starts or ends nothing in CommonMark or the extensions
// docgen enables (tables, strikethrough; not autolinks), wherever it stands
// and whatever the template puts beside it (`;` would end an entity after a
// template's `&`, quotes a link title). Left as is: each escape is a text
// node of its own in cmark-gfm's tree, and addresses and amounts are full of
// commas and dollar signs.
constexpr std::string_view kInertInMarkdown = ",%$?";

std::string EscapeMarkdown(const std::string& raw) {
  const std::string text = SanitizeText(raw);
  std::string out;
  out.reserve(text.size() + 8);
  bool leading = true;  // leading blanks would start a code block at the beginning of a line
  for (char c : text) {
    if (leading && (c == ' ' || c == '\t')) {
      out += "&#32;";
      continue;
    }
    leading = false;
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (std::ispunct(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 128 &&
               kInertInMarkdown.find(c) == std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> FormatMoney(const std::string& text) {
  bool negative = false;
  std::string integer, fraction;
  if (!ParseDecimal(text, negative, integer, fraction)) return std::nullopt;
  const bool cents = fraction.find_first_not_of('0') != std::string::npos;
  std::string out = negative ? "-$" : "$";
  if (cents) {
    RoundToCents(integer, fraction);
    return out + GroupThousands(integer) + "." + fraction;
  }
  return out + GroupThousands(integer);
}

std::optional<std::string> FormatNumber(const std::string& text) {
  bool negative = false;
  std::string integer, fraction;
  if (!ParseDecimal(text, negative, integer, fraction)) return std::nullopt;
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return (negative ? "-" : "") + GroupThousands(integer) + (fraction.empty() ? "" : "." + fraction);
}

std::optional<std::string> FormatDate(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\n");
  size_t end = text.find_last_not_of(" \t\n");
  if (begin == std::string::npos) return std::nullopt;
  std::string trimmed = text.substr(begin, end - begin + 1);
  if (!ParseIsoDate(trimmed)) return std::nullopt;
  static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
  const int month = std::stoi(trimmed.substr(5, 2));
  const int day = std::stoi(trimmed.substr(8, 2));
  return std::string(kMonths[month - 1]) + " " + std::to_string(day) + ", " + trimmed.substr(0, 4);
}

std::string Evaluate(const std::vector<MustacheNode>& nodes, const nlohmann::json& context,
                     const EvaluationOptions& options, Diagnostics& errors, const nlohmann::json* extra) {
  std::vector<Frame> frames = {&context};
  if (extra != nullptr) frames.push_back(extra);
  return Evaluator(options, errors).Run(nodes, frames);
}

std::string EvaluateFrames(const std::vector<MustacheNode>& nodes, const std::vector<Frame>& frames,
                           const EvaluationOptions& options, Diagnostics& errors) {
  return Evaluator(options, errors).Run(nodes, frames);
}

}  // namespace docgen
