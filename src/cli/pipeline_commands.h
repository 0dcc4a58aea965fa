// The pipeline commands: catalog lint, resolve, render, validate and
// validator test. They need only the pipeline (libdocgen), so the `docgen`
// program runs them itself and starts quickly; it hands every other command
// to docgen-all (cli/main.cc), which has the service's libraries too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli/validate_commands.h"

namespace CLI {
class App;
}

namespace docgen::cli {

class PipelineCommands {
 public:
  explicit PipelineCommands(CLI::App& app);
  // The exit status of the command that was parsed, or nullopt when none of these was.
  std::optional<int> Run();

  // True when `command` (the program's first argument) is one of these.
  static bool Handles(std::string_view command);

 private:
  CLI::App* lint_ = nullptr;
  CLI::App* resolve_ = nullptr;
  CLI::App* render_ = nullptr;
  CLI::App* validate_ = nullptr;
  CLI::App* validator_test_ = nullptr;
  std::string catalog_;
  std::string input_;  // the quote file, or - for standard input
  std::string out_;
  std::string format_;
  std::string rule_;
  ValidateArgs validate_args_;
};

}  // namespace docgen::cli
