#include "validate/batch.h"

#include "validate/policy_reader.h"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
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

// Lines of the input, and what the validator says of each.
struct Chunk {
  std::vector<std::string> lines;
  std::vector<std::string> results;             // one per line
  std::vector<ValidationSummary> summaries;     // one per thread
  long long bytes = 0;                          // of the input, blank lines included
};

std::string ResultLine(const Catalog& catalog, const std::string& line, PolicyReader& reader, ValidationSummary& summary) {
  PolicyResult result = ValidatePolicyText(catalog, line, reader);
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
  bool first = true;
  // Up to chunk_lines policies (blank lines skipped); empty at the end of the input.
  auto read = [&](Chunk& chunk) {
    chunk.lines.clear();
    chunk.bytes = 0;
    std::string line;
    while (chunk.lines.size() < options.chunk_lines && std::getline(in, line)) {
      chunk.bytes += static_cast<long long>(line.size()) + 1;
      if (Blank(line)) continue;
      if (first && IncompleteJson(line)) {  // one JSON object over many lines
        std::string rest(std::istreambuf_iterator<char>(in), {});
        chunk.bytes += static_cast<long long>(rest.size());
        line += "\n" + rest;
      }
      first = false;
      chunk.lines.push_back(std::move(line));
    }
    chunk.results.assign(chunk.lines.size(), std::string());
    chunk.summaries.assign(static_cast<size_t>(threads), ValidationSummary());
  };
  auto write = [&](const Chunk& chunk) {
    for (const auto& s : chunk.summaries) outcome.summary.Merge(s);
    for (const auto& r : chunk.results) out << r << '\n';
    progress.policies = outcome.summary.policies;
    progress.bytes_read += chunk.bytes;
    if (options.progress && !chunk.lines.empty()) options.progress(progress);
  };
  // The threads validate one chunk while this one writes the chunk before
  // and reads the chunk after: three chunks in memory at most.
  std::vector<PolicyReader> readers(static_cast<size_t>(threads));
  Chunk validated, current, next;
  read(current);
  while (!current.lines.empty()) {
    if (options.stop != nullptr && options.stop->load()) {
      outcome.stopped = true;
      break;
    }
    {
      std::vector<std::jthread> workers;
      for (int t = 0; t < threads && static_cast<size_t>(t) < current.lines.size(); ++t) {
        workers.emplace_back([&, t] {
          for (size_t i = static_cast<size_t>(t); i < current.lines.size(); i += static_cast<size_t>(threads)) {
            current.results[i] = ResultLine(catalog, current.lines[i], readers[static_cast<size_t>(t)], current.summaries[static_cast<size_t>(t)]);
          }
        });
      }
      write(validated);
      read(next);
    }
    validated = std::exchange(current, std::move(next));
    next = Chunk();
  }
  write(validated);
  out.flush();
  return outcome;
}

}  // namespace docgen
