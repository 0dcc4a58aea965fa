// `docgen doctor` (issue 17): checks an installation with the settings
// `docgen serve` would use (the same flags, DOCGEN_* variables and config
// file) and prints one line per check: "ok" or "PROBLEM", what it checked
// and, for a problem, what to do. It changes nothing.
// Exit status: 0 every check passed, 3 a problem was found, 2 the settings
// are invalid.
#pragma once

#include <optional>

#include "config/settings.h"

namespace CLI {
class App;
}

namespace docgen::cli {

class DoctorCommand {
 public:
  explicit DoctorCommand(CLI::App& app);
  std::optional<int> Run();

 private:
  CLI::App* command_ = nullptr;
  SettingsFlags flags_;
};

}  // namespace docgen::cli
