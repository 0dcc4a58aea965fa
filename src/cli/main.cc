// The docgen command (SPEC §5). Results go to stdout, errors to stderr.
// Exit status: 0 success, 2 invalid input, 1 anything else.
#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <unistd.h>

#include "cli/admin_commands.h"
#include "cli/backup_commands.h"
#include "cli/support.h"
#include "cli/doctor_command.h"
#include "cli/slo_commands.h"
#include "cli/testrun_commands.h"
#include "cli/exit_codes.h"
#include "cli/validate_commands.h"
#include "config/settings.h"
#include "util/diagnostic_json.h"
#include "server/service.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

using docgen::cli::kExitFailure;
using docgen::cli::kExitInvalid;
using docgen::cli::kExitOk;

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int LintCommand(const std::string& dir, const std::string& format) {
  docgen::CatalogLoad load = docgen::LoadCatalogDirectory(dir);
  int errors = 0, warnings = 0;
  for (const auto& d : load.diagnostics) (d.severity == docgen::Severity::kError ? errors : warnings)++;
  if (format == "json") {
    nlohmann::ordered_json out;
    out["catalog"] = dir;
    out["valid"] = errors == 0;
    if (load.catalog) {
      out["name"] = load.catalog->name;
      out["digest"] = load.catalog->digest;
      out["editions"] = load.catalog->editions.size();
    }
    auto& findings = out["findings"] = nlohmann::ordered_json::array();
    findings = docgen::DiagnosticsToJson(load.diagnostics, true);
    std::cout << Dump(out) << "\n";
  } else {
    // Findings are diagnostics (stderr); the verdict is the result (stdout).
    for (const auto& d : load.diagnostics) std::cerr << docgen::FormatDiagnostic(d) << "\n";
    if (load.catalog) {
      std::cout << "catalog \"" << load.catalog->name << "\": " << load.catalog->editions.size() << " document editions, "
                << errors << " errors, " << warnings << " warnings, " << load.catalog->digest << "\n";
    } else {
      std::cout << dir << ": " << errors << " errors, " << warnings << " warnings; the catalog cannot be used\n";
    }
  }
  return errors == 0 ? kExitOk : kExitInvalid;
}

bool ReadInput(const std::string& path, std::string& out) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    out = buffer.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

// A few lines for people: the package's documents, review list and errors.
void PrintSummary(const docgen::Package& package, const std::string& name) {
  std::cout << name << ": " << (package.valid ? "valid" : "INVALID") << ", " << package.documents.size() << " documents\n";
  for (size_t i = 0; i < package.documents.size(); ++i) {
    const auto& d = package.documents[i];
    std::cout << "  " << (i + 1 < 10 ? " " : "") << (i + 1) << ". " << d.id << " (" << d.edition << ") " << d.title << " ["
              << docgen::ToString(d.source) << "]\n";
  }
  for (const auto& r : package.review) {
    std::cout << "  review: " << r.id << " (" << docgen::ToString(r.reason) << (r.attached ? ", attached" : ", not attached")
              << ")\n";
  }
  for (const auto& e : package.errors) std::cout << "  " << docgen::FormatDiagnostic(e) << "\n";
}

// Loads the catalog and reads the quote; on failure prints why and returns false.
bool LoadInputs(const std::string& catalog_dir, const std::string& quote_path, docgen::CatalogLoad& load, std::string& text) {
  load = docgen::LoadCatalogDirectory(catalog_dir);
  if (!load.catalog) {
    for (const auto& d : load.diagnostics) std::cerr << docgen::FormatDiagnostic(d) << "\n";
    std::cerr << "docgen: the catalog " << catalog_dir << " has errors and cannot be used\n";
    return false;
  }
  if (!ReadInput(quote_path, text)) {
    std::cerr << "docgen: cannot read quote file " << quote_path << "\n";
    return false;
  }
  return true;
}

int ResolveCommand(const std::string& catalog_dir, const std::string& quote_path, const std::string& format) {
  docgen::CatalogLoad load;
  std::string text;
  if (!LoadInputs(catalog_dir, quote_path, load, text)) return kExitInvalid;
  docgen::Package package = docgen::ResolveText(*load.catalog, text);
  if (format == "summary") {
    PrintSummary(package, quote_path == "-" ? "quote " + package.quote_id : quote_path);
    return package.valid ? kExitOk : kExitInvalid;
  }
  std::cout << Dump(docgen::PackageToJson(package)) << "\n";
  if (!package.valid) {
    for (const auto& e : package.errors) std::cerr << docgen::FormatDiagnostic(e) << "\n";
    return kExitInvalid;
  }
  return kExitOk;
}

bool WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

// Writes every file into a fresh sibling folder, then renames it to `out`,
// so that `out` is either complete or untouched. On failure nothing is left.
bool WriteOutputAtomically(const std::filesystem::path& out, const std::vector<std::pair<std::string, std::string>>& files,
                           std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = fs::absolute(out, ec).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "out/" names the folder "out"
  if (fs::exists(target, ec) && !fs::is_directory(target, ec)) {
    error = target.string() + " exists and is not a folder";
    return false;
  }
  // An existing folder is replaced only when it holds nothing but an earlier render.
  if (fs::is_directory(target, ec)) {
    for (const auto& entry : fs::directory_iterator(target, ec)) {
      const std::string name = entry.path().filename().string();
      if (name != "package.pdf" && name != "package.json" && name != "documents") {
        error = target.string() + " already holds other files (" + name + "); choose a new or empty folder";
        return false;
      }
    }
  }
  fs::create_directories(target.parent_path(), ec);
  std::string pattern = target.string() + ".tmp-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a folder next to " + target.string();
    return false;
  }
  const fs::path temporary(pattern);
  fs::permissions(temporary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec, ec);  // mkdtemp makes it 0700
  bool ok = true;
  for (const auto& [name, bytes] : files) {
    fs::create_directories((temporary / name).parent_path(), ec);
    if (!WriteFile(temporary / name, bytes)) {
      error = "cannot write " + (target / name).string();
      ok = false;
      break;
    }
  }
  fs::path previous;
  if (ok && fs::exists(target, ec)) {
    previous = target.string() + ".old-" + std::to_string(::getpid());
    fs::rename(target, previous, ec);
    if (ec) {
      error = "cannot replace " + target.string() + ": " + ec.message();
      ok = false;
    }
  }
  if (ok) {
    fs::rename(temporary, target, ec);
    if (ec) {
      error = "cannot create " + target.string() + ": " + ec.message();
      if (!previous.empty()) fs::rename(previous, target, ec);
      ok = false;
    }
  }
  if (!previous.empty()) fs::remove_all(previous, ec);
  fs::remove_all(temporary, ec);  // no-op after a successful rename
  return ok;
}

int RenderCommand(const std::string& catalog_dir, const std::string& quote_path, const std::string& out_dir) {
  docgen::CatalogLoad load;
  std::string text;
  if (!LoadInputs(catalog_dir, quote_path, load, text)) return kExitInvalid;
  docgen::Package package = docgen::ResolveText(*load.catalog, text);
  if (!package.valid) {
    for (const auto& e : package.errors) std::cerr << docgen::FormatDiagnostic(e) << "\n";
    std::cerr << "docgen: the quote does not resolve to a valid package; nothing was written\n";
    return kExitInvalid;
  }
  const nlohmann::json quote = nlohmann::json::parse(text);  // valid: it resolved
  docgen::Renderer renderer;
  docgen::RenderResult result = renderer.Render(*load.catalog, package, quote);
  if (!result.output) {
    for (const auto& e : result.errors) std::cerr << docgen::FormatDiagnostic(e) << "\n";
    std::cerr << "docgen: the package cannot be rendered; nothing was written\n";
    return kExitInvalid;
  }
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("package.pdf", result.output->package_pdf);
  files.emplace_back("package.json", Dump(docgen::PackageToJson(package)) + "\n");
  for (const auto& doc : result.output->documents) files.emplace_back("documents/" + doc.file_name, doc.pdf);
  std::string error;
  if (!WriteOutputAtomically(out_dir, files, error)) {
    std::cerr << "docgen: " << error << "; nothing was written\n";
    return kExitFailure;
  }
  std::cout << out_dir << "/package.pdf: " << package.documents.size() << " documents, " << result.output->pages
            << " pages\n";
  return kExitOk;
}

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

  auto* catalog = app.add_subcommand("catalog", "Work with a document catalog.");
  catalog->require_subcommand(1);
  auto* lint = catalog->add_subcommand("lint", "Check a catalog folder and list every finding (exit 2 when any is an error).");
  std::string lint_dir;
  std::string format = "text";
  lint->add_option("CATALOG_DIR", lint_dir, "The catalog folder (holds catalog.yaml)")->required();
  lint->add_option("--format", format, "Output format")->check(CLI::IsMember({"text", "json"}));

  auto* resolve = app.add_subcommand("resolve", "Resolve a quote to its package; print the package JSON (exit 2 when invalid).");
  std::string resolve_catalog;
  std::string quote_path;
  resolve->add_option("--catalog", resolve_catalog, "The catalog folder")->required();
  resolve->add_option("QUOTE", quote_path, "The quote JSON file, or - for standard input")->required();
  std::string resolve_format = "json";
  resolve->add_option("--format", resolve_format, "json: the package (docs/contract.md §3); summary: a few lines for people")
      ->check(CLI::IsMember({"json", "summary"}));

  auto* render = app.add_subcommand("render", "Resolve a quote and write its PDFs: OUT_DIR/package.pdf, package.json, documents/NN-ID.pdf.");
  std::string render_catalog, render_quote, render_out;
  render->add_option("--catalog", render_catalog, "The catalog folder")->required();
  render->add_option("QUOTE", render_quote, "The quote JSON file, or - for standard input")->required();
  render->add_option("--out", render_out, "The output folder (replaced as a whole; nothing is written on failure)")->required();

  auto* validate = app.add_subcommand("validate", "Validate issued policies (JSON Lines) against the catalog; one result a line (exit 3 when a policy has errors).");
  docgen::cli::ValidateArgs validate_args;
  validate->add_option("--catalog", validate_args.catalog, "The catalog folder")->required();
  validate->add_option("POLICIES", validate_args.input, "A JSON Lines file of policies (one a line), or - for standard input")->required();
  validate->add_option("--format", validate_args.format, "jsonl: one result a line, summary on stderr; summary: only the summary")
      ->check(CLI::IsMember({"jsonl", "summary"}));
  validate->add_option("--threads", validate_args.threads, "Worker threads (default: one per core)")->check(CLI::Range(0, 256));

  auto* validator = app.add_subcommand("validator", "Work with the catalog's validator rules.");
  validator->require_subcommand(1);
  auto* validator_test = validator->add_subcommand("test", "Run every rule's own tests; print each with pass or FAIL (exit 3 when one fails).");
  std::string validator_catalog, validator_rule;
  validator_test->add_option("--catalog", validator_catalog, "The catalog folder")->required();
  validator_test->add_option("--rule", validator_rule, "Only this rule's tests");

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInvalid;
  }
  int status = kExitFailure;
  try {
    if (lint->parsed()) status = LintCommand(lint_dir, format);
    if (resolve->parsed()) status = ResolveCommand(resolve_catalog, quote_path, resolve_format);
    if (render->parsed()) status = RenderCommand(render_catalog, render_quote, render_out);
    if (validate->parsed()) status = docgen::cli::ValidateCommand(validate_args);
    if (testrun->parsed()) status = docgen::cli::TestRunCommand(testrun_args);
    if (validator_test->parsed()) status = docgen::cli::ValidatorTestCommand(validator_catalog, validator_rule);
    if (serve->parsed()) status = ServeCommand(serve_flags);
    if (worker->parsed()) status = ServeCommand(worker_flags);
    if (std::optional<int> ran = admin.Run()) status = *ran;
    if (std::optional<int> ran = slo.Run()) status = *ran;
    if (std::optional<int> ran = doctor.Run()) status = *ran;
    if (std::optional<int> ran = backups.Run()) status = *ran;
  } catch (const std::exception& e) {
    std::cerr << "docgen: internal error: " << e.what() << "\n";
    return kExitFailure;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "docgen: could not write the output (disk full or closed pipe?)\n";
    return kExitFailure;
  }
  return status;
}
