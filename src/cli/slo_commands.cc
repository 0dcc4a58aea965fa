#include "cli/slo_commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

#include "cli/exit_codes.h"
#include "config/settings.h"
#include "slo/dashboard.h"
#include "slo/prometheus_rules.h"

namespace docgen::cli {

SloCommands::SloCommands(CLI::App& app) {
  auto* slo = app.add_subcommand("slo", "Service level objectives: Prometheus rules and a Grafana dashboard made from them.");
  slo->require_subcommand(1);
  rules_ = slo->add_subcommand("rules", "Print Prometheus recording rules and burn-rate alerts for the SLOs (a rule file for promtool).");
  dashboard_ = slo->add_subcommand("dashboard", "Print a Grafana dashboard (JSON): SLO budgets and burn rates, job outcomes, queue, latency.");
  for (CLI::App* command : {rules_, dashboard_}) {
    command->add_option("--config", config_, "The config file of docgen serve, whose slos: are used (default: the built-in SLOs)");
  }
}

std::optional<int> SloCommands::Run() {
  if (!rules_->parsed() && !dashboard_->parsed()) return std::nullopt;
  SettingsSources sources;
  sources.config_path = config_;
  sources.getenv = ProcessEnvironment();  // as docgen serve reads it
  Result<ServiceOptions> options = LoadServiceSettings(sources);
  if (!options.ok()) {
    std::istringstream lines(options.status().message());
    for (std::string line; std::getline(lines, line);) std::cerr << "docgen: " << line << "\n";
    return kExitInvalid;
  }
  if (rules_->parsed()) std::cout << SloRulesYaml(options->slos);
  if (dashboard_->parsed()) std::cout << SloDashboard(options->slos).dump(2) << "\n";
  return kExitOk;
}

}  // namespace docgen::cli
