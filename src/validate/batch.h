// Many policies, JSON Lines in and out (SPEC §7 `docgen validate`, and the
// batch validation jobs of the service). Results are written in input order;
// memory stays bounded by one chunk of lines whatever the input's length.
#pragma once

#include <docgen/catalog.h>
#include <docgen/validate.h>

#include <atomic>
#include <functional>
#include <istream>
#include <ostream>
#include <string_view>

namespace docgen {

struct BatchProgress {
  long long policies = 0;    // validated so far
  long long bytes_read = 0;  // of the input
};

struct BatchOptions {
  int threads = 0;            // 0: one per core
  size_t chunk_lines = 1024;  // lines validated together (three chunks in memory: the bound)
  std::function<void(const BatchProgress&)> progress;  // after every chunk
  const std::atomic<bool>* stop = nullptr;             // checked between chunks
};

struct BatchOutcome {
  ValidationSummary summary;
  bool stopped = false;  // `stop` was set before the input ended
};

// One policy per line (blank lines skipped). An input whose first line is the
// start of a JSON object spread over several lines is read as one policy.
// A malformed line is an invalid_policy result, never the end of the batch.
// How many policies ValidateBatch will find in `text` (without parsing them all).
long long CountPolicies(std::string_view text);

BatchOutcome ValidateBatch(const Catalog& catalog, std::istream& in, std::ostream& out, const BatchOptions& options = {});

}  // namespace docgen
