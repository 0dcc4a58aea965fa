// docgen-all: every docgen command (SPEC §5). The `docgen` program
// (cli/pipeline_main.cc) runs the pipeline commands itself and hands the
// others to this one, which loads the service's libraries too.
// Results go to stdout, errors to stderr.
// Exit status: 0 success, 2 invalid input, 1 anything else.
#include "cli/admin_commands.h"
#include "cli/backup_commands.h"
#include "cli/doctor_command.h"
#include "cli/exit_codes.h"
#include "cli/pipeline_commands.h"
#include "cli/slo_commands.h"
#include "cli/support.h"
#include "cli/testrun_commands.h"
#include "config/settings.h"
#include "server/service.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <sstream>

namespace {

using docgen::cli::kExitFailure;
using docgen::cli::kExitInvalid;
using docgen::cli::kExitOk;

// serve and worker: the settings module reads the config file, DOCGEN_*
// variables and flags (config/settings.h); this only runs the service.
int ServeCommand(const docgen::SettingsFlags& flags) {
  docgen::Result<docgen::ServiceOptions> loaded = docgen::LoadServiceSettings(docgen::SourcesFromFlags(flags));
  if (!loaded.ok()) {
    std::istringstream lines(loaded.status().message());
    for (std::string line; std::getline(lines, line);) std::cerr << "docgen: " << line << "\n";
    return kExitInvalid;
  }
  docgen::ServiceOptions options = std::move(*loaded);
  if (docgen::Status status = docgen::EnsureWebhookSecret(options); !status.ok()) {
    std::cerr << "docgen: " << status.message() << "\n";
    return status.code() == docgen::StatusCode::kInvalidArgument ? kExitInvalid : kExitFailure;
  }
  docgen::Service service(options);
  // SIGTERM and SIGINT shut down gracefully (jobs in flight finish); SIGHUP reloads.
  docgen::cli::Interrupts interrupts([&service] { service.Shutdown(); }, [&service] { (void)service.Reload(); });
  if (docgen::Status status = service.Start(); !status.ok()) {
    if (service.StoppedBeforeServing()) return kExitOk;  // a signal while starting: a clean stop, as systemd expects
    std::cerr << "docgen: " << status.message() << "\n";
    return status.code() == docgen::StatusCode::kInvalidArgument ? kExitInvalid : kExitFailure;
  }
  std::cout << (flags.worker_only ? "docgen worker: metrics and health on http://" : "docgen serving on http://") << options.host
            << ":" << service.port() << " (" << options.runner.workers << " job workers)" << std::endl;
  service.Serve();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"docgen: insurance policy documents: decide, check and produce the package for a quote."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "docgen 0.1.0");

  docgen::cli::PipelineCommands pipeline(app);  // catalog lint, resolve, render, validate, validator test

  auto* testrun = app.add_subcommand("testrun", "Render every variant of every document and compare it with the approved goldens (exit 3 when any is not the same).");
  docgen::cli::TestRunArgs testrun_args;
  testrun->add_option("--catalog", testrun_args.catalog, "The catalog folder")->required();
  testrun->add_option("--goldens", testrun_args.goldens, "The goldens folder (goldens.json and KEY/page-N.png; made when missing)")->required();
  testrun->add_flag("--approve", testrun_args.approve, "Make this run's pages the goldens (the run still reports what it found)");
  testrun->add_option("--approve-only", testrun_args.approve_only,
                      "Approve only the variants whose key starts with this (repeatable), e.g. CY-END-150@2024-06/ or CY-DEC@2025-01/cyber/CA/");
  testrun->add_option("--report", testrun_args.report, "Write a self-contained HTML report here (golden, new and diff pages side by side)");
  testrun->add_option("--jobs", testrun_args.jobs, "Worker threads (default: one per core)")->check(CLI::Range(0, 256));
  testrun->add_option("--format", testrun_args.format, "text: one line per variant not the same, then counts; json: the whole run")
      ->check(CLI::IsMember({"text", "json"}));

  auto* serve = app.add_subcommand("serve", "Run the HTTP API and the job workers (docs/contract.md §6) on the embedded SQLite store.");
  docgen::SettingsFlags serve_flags;
  docgen::AddSettingFlags(*serve, /*worker_only=*/false, serve_flags);

  auto* worker = app.add_subcommand("worker", "Run only job workers (no API; /metrics, /healthz and /readyz on --listen) against a shared database.");
  docgen::SettingsFlags worker_flags;
  docgen::AddSettingFlags(*worker, /*worker_only=*/true, worker_flags);

  docgen::cli::AdminCommands admin(app);  // audit, token
  docgen::cli::SloCommands slo(app);
  docgen::cli::DoctorCommand doctor(app);
  docgen::cli::BackupCommands backups(app);

  return docgen::cli::RunCommandLine(app, argc, argv, [&] {
    int status = kExitFailure;
    if (std::optional<int> ran = pipeline.Run()) status = *ran;
    if (testrun->parsed()) status = docgen::cli::TestRunCommand(testrun_args);
    if (serve->parsed()) status = ServeCommand(serve_flags);
    if (worker->parsed()) status = ServeCommand(worker_flags);
    if (std::optional<int> ran = admin.Run()) status = *ran;
    if (std::optional<int> ran = slo.Run()) status = *ran;
    if (std::optional<int> ran = doctor.Run()) status = *ran;
    if (std::optional<int> ran = backups.Run()) status = *ran;
    return status;
  });
}
