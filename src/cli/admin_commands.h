// `docgen audit verify|export` and `docgen token create|list|revoke`
// (SPEC §10): the commands an operator runs against a data folder (the
// embedded SQLite default) or a shared database. Token changes are recorded
// in the audit log with the operator as "cli:USER".
// Exit status: 0 success, 3 the audit chain is broken, 2 invalid input, 1 anything else.
#pragma once

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace docgen::cli {

class AdminCommands {
 public:
  // Adds the `audit` and `token` subcommands to `app`.
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
  Where where_;
  std::string since_, until_, actor_, action_;
  std::string role_, subject_, reason_, format_ = "text";
};

}  // namespace docgen::cli
