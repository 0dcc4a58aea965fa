// The docgen program. It runs the pipeline commands (catalog lint, resolve,
// render, validate, validator test) itself, linked with the pipeline's
// libraries only, so that a one-off `docgen render` starts in half the time;
// any other command, and --help, it hands to docgen-all (cli/main.cc) by
// exec, with the same arguments and process.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/pipeline_commands.h"
#include "cli/support.h"

namespace {

// docgen-all beside this program (the build tree), or in ../lib/docgen (the
// package's /usr/lib/docgen); never one found from the working folder.
std::filesystem::path FullProgram() {
  constexpr const char* kInstalled = "/usr/lib/docgen/docgen-all";
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || !self.is_absolute()) return kInstalled;  // no /proc (a bare chroot)
  const std::filesystem::path folder = self.parent_path();
  for (const auto& candidate : {folder / "docgen-all", folder.parent_path() / "lib" / "docgen" / "docgen-all"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return kInstalled;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !docgen::cli::PipelineCommands::Handles(argv[1])) {
    const std::filesystem::path full = FullProgram();
    ::execv(full.c_str(), argv);
    std::cerr << "docgen: cannot run " << full.string() << " (it runs every command but catalog, resolve, render and validate): "
              << std::strerror(errno) << "\n";
    return docgen::cli::kExitFailure;
  }
  CLI::App app{"docgen: insurance policy documents: decide, check and produce the package for a quote."};
  app.require_subcommand(1);
  docgen::cli::PipelineCommands pipeline(app);
  return docgen::cli::RunCommandLine(app, argc, argv,
                                     [&] { return pipeline.Run().value_or(docgen::cli::kExitFailure); });
}
