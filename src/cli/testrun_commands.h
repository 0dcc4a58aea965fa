// `docgen testrun` (SPEC §8): renders every variant of a catalog, compares it
// with a goldens folder, reports and optionally approves.
// Exit status: 0 every variant same, 3 any changed, new, failed or removed,
// 2 invalid input (catalog with lint errors, unreadable goldens), 1 anything else.
#pragma once

#include <string>
#include <vector>

namespace docgen::cli {

struct TestRunArgs {
  std::string catalog;
  std::string goldens;
  bool approve = false;
  std::vector<std::string> approve_only;  // key prefixes: approve only these variants
  std::string report;           // an HTML file to write; empty: none
  int jobs = 0;                 // 0: one per core
  std::string format = "text";  // text | json
};

int TestRunCommand(const TestRunArgs& args);

}  // namespace docgen::cli
