// `docgen validate` and `docgen validator test` (SPEC §7).
// Exit status: 0 all ok, 3 a policy has an error finding or a test failed,
// 2 invalid input (missing file, catalog with lint errors), 1 anything else.
#pragma once

#include <string>

namespace docgen::cli {

struct ValidateArgs {
  std::string catalog;
  std::string input;            // a file, or "-" for standard input
  std::string format = "jsonl";  // jsonl | summary
  int threads = 0;              // 0: one per core
};

int ValidateCommand(const ValidateArgs& args);
int ValidatorTestCommand(const std::string& catalog, const std::string& rule);

}  // namespace docgen::cli
