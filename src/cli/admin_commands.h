// `docgen audit verify|export`, `docgen token create|list|revoke` and
// `docgen ops list|run|runs|resume` (SPEC §10): the commands an operator
// runs against a data folder (the embedded SQLite default) or a shared
// database. Changes are recorded in the audit log with the operator as "cli:USER".
// Exit status: 0 success, 3 the audit chain is broken, 2 invalid input, 1 anything else.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace docgen::cli {

class AdminCommands {
 public:
  // Adds the `audit`, `token` and `ops` subcommands to `app`.
  explicit AdminCommands(CLI::App& app);
  // The exit status of the command that was parsed; nullopt when it was none of these.
  std::optional<int> Run();

 private:
  struct Where {
    std::string data = "data";  // the data folder of docgen serve
    std::string database;       // a PostgreSQL URL or SQLite file; default DATA/docgen.sqlite
    std::string token_file;     // default DATA/tokens.json
  };
  CLI::App* verify_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* revoke_ = nullptr;
  CLI::App* ops_list_ = nullptr;
  CLI::App* ops_run_ = nullptr;
  CLI::App* ops_runs_ = nullptr;
  CLI::App* ops_resume_ = nullptr;
  std::string operation_, run_id_;
  std::vector<std::string> params_;
  bool dry_run_ = false;
  int RunOperation();
  int ShowRuns();
  int Resume();
  Where where_;
  std::string since_, until_, actor_, action_;
  std::string role_, subject_, reason_, format_ = "text";
};

}  // namespace docgen::cli
