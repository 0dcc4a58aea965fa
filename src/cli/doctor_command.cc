#include "cli/doctor_command.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "cli/exit_codes.h"
#include "server/doctor.h"

namespace docgen::cli {

DoctorCommand::DoctorCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "doctor",
      "Check an installation with the settings docgen serve would use: data folder, disk space, database, catalog, fonts, "
      "tokens, shared cache (exit 3 when a check finds a problem). Changes nothing.");
  AddSettingFlags(*command_, /*worker_only=*/false, flags_);
}

std::optional<int> DoctorCommand::Run() {
  if (!command_->parsed()) return std::nullopt;
  Result<ServiceOptions> loaded = LoadServiceSettings(SourcesFromFlags(flags_));
  if (!loaded.ok()) {
    std::istringstream lines(loaded.status().message());
    for (std::string line; std::getline(lines, line);) std::cerr << "docgen: " << line << "\n";
    return kExitInvalid;
  }
  int problems = 0;
  for (const DoctorFinding& finding : Diagnose(*loaded)) {
    if (!finding.ok) ++problems;
    std::cout << (finding.ok ? "ok       " : "PROBLEM  ") << finding.check << ": " << finding.says << "\n";
  }
  std::cout << (problems == 0 ? "no problems found" : std::to_string(problems) + (problems == 1 ? " problem" : " problems") + " found")
            << "\n";
  return problems == 0 ? kExitOk : kExitFound;
}

}  // namespace docgen::cli
