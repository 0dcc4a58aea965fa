#include "validate/batch.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace docgen {
namespace {

bool Blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// True when `line` is the beginning of JSON that continues on later lines.
bool IncompleteJson(const std::string& line) {
  try {
    const nlohmann::json parsed = nlohmann::json::parse(line);
    return parsed.is_discarded();  // never: a parse either succeeds or throws
  } catch (const nlohmann::json::parse_error& e) {
    return e.byte > line.size();  // the parser ran out of input, it did not meet a mistake
  } catch (const nlohmann::json::exception&) {
    return false;  // complete, but unreadable (a number out of range): one invalid line
  }
}

std::string ResultLine(const Catalog& catalog, const std::string& line, ValidationSummary& summary) {
  PolicyResult result = ValidatePolicyText(catalog, line);
  summary.Add(result);
  return PolicyResultToJson(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

long long CountPolicies(std::string_view text) {
  long long count = 0;
  bool first = true;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(start, end - start));
    start = end + 1;
    if (Blank(line)) continue;
    if (first && IncompleteJson(line)) return 1;
    first = false;
    ++count;
  }
  return count;
}

BatchOutcome ValidateBatch(const Catalog& catalog, std::istream& in, std::ostream& out, const BatchOptions& options) {
  const int threads = std::max(1, options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency()));
  BatchOutcome outcome;
  BatchProgress progress;
  std::vector<std::string> lines;
  std::vector<std::string> results;
  std::string line;
  bool first = true;
  while (in) {
    if (options.stop != nullptr && options.stop->load()) {
      outcome.stopped = true;
      break;
    }
    lines.clear();
    while (lines.size() < options.chunk_lines && std::getline(in, line)) {
      progress.bytes_read += static_cast<long long>(line.size()) + 1;
      if (Blank(line)) continue;
      if (first && IncompleteJson(line)) {  // one JSON object over many lines
        std::string rest(std::istreambuf_iterator<char>(in), {});
        progress.bytes_read += static_cast<long long>(rest.size());
        line += "\n" + rest;
      }
      first = false;
      lines.push_back(std::move(line));
    }
    if (lines.empty()) break;
    results.assign(lines.size(), std::string());
    std::vector<ValidationSummary> summaries(static_cast<size_t>(threads));
    auto work = [&](size_t t) {
      for (size_t i = t; i < lines.size(); i += static_cast<size_t>(threads)) results[i] = ResultLine(catalog, lines[i], summaries[t]);
    };
    {
      std::vector<std::jthread> helpers;
      for (int t = 1; t < threads && static_cast<size_t>(t) < lines.size(); ++t) helpers.emplace_back(work, t);
      work(0);
    }
    for (const auto& s : summaries) outcome.summary.Merge(s);
    for (const auto& r : results) out << r << '\n';
    progress.policies = outcome.summary.policies;
    if (options.progress) options.progress(progress);
  }
  out.flush();
  return outcome;
}

}  // namespace docgen
