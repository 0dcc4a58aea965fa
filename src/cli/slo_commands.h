// `docgen slo rules` and `docgen slo dashboard` (SPEC §9): the SLOs of a
// config file (or the built-in ones) as a Prometheus rule file and as a
// Grafana dashboard, on standard output.
// Exit status: 0 printed, 2 the config file is invalid (every problem named
// with file and line), 1 anything else.
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace docgen::cli {

class SloCommands {
 public:
  // Adds the `slo` subcommand to `app`.
  explicit SloCommands(CLI::App& app);
  // The exit status of the command that was parsed; nullopt when it was none of these.
  std::optional<int> Run();

 private:
  CLI::App* rules_ = nullptr;
  CLI::App* dashboard_ = nullptr;
  std::string config_;
};

}  // namespace docgen::cli
