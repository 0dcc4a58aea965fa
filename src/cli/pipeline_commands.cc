#include "cli/pipeline_commands.h"

#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include "cli/exit_codes.h"
#include "util/diagnostic_json.h"

namespace docgen::cli {
namespace {

std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

int LintCommand(const std::string& dir, const std::string& format) {
  CatalogLoad load = LoadCatalogDirectory(dir);
  int errors = 0, warnings = 0;
  for (const auto& d : load.diagnostics) (d.severity == Severity::kError ? errors : warnings)++;
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
    findings = DiagnosticsToJson(load.diagnostics, true);
    std::cout << Dump(out) << "\n";
  } else {
    // Findings are diagnostics (stderr); the verdict is the result (stdout).
    for (const auto& d : load.diagnostics) std::cerr << FormatDiagnostic(d) << "\n";
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
void PrintSummary(const Package& package, const std::string& name) {
  std::cout << name << ": " << (package.valid ? "valid" : "INVALID") << ", " << package.documents.size() << " documents\n";
  for (size_t i = 0; i < package.documents.size(); ++i) {
    const auto& d = package.documents[i];
    std::cout << "  " << (i + 1 < 10 ? " " : "") << (i + 1) << ". " << d.id << " (" << d.edition << ") " << d.title << " ["
              << ToString(d.source) << "]\n";
  }
  for (const auto& r : package.review) {
    std::cout << "  review: " << r.id << " (" << ToString(r.reason) << (r.attached ? ", attached" : ", not attached")
              << ")\n";
  }
  for (const auto& e : package.errors) std::cout << "  " << FormatDiagnostic(e) << "\n";
}

// Loads the catalog and reads the quote; on failure prints why and returns false.
bool LoadInputs(const std::string& catalog_dir, const std::string& quote_path, CatalogLoad& load, std::string& text) {
  load = LoadCatalogDirectory(catalog_dir);
  if (!load.catalog) {
    for (const auto& d : load.diagnostics) std::cerr << FormatDiagnostic(d) << "\n";
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
  CatalogLoad load;
  std::string text;
  if (!LoadInputs(catalog_dir, quote_path, load, text)) return kExitInvalid;
  Package package = ResolveText(*load.catalog, text);
  if (format == "summary") {
    PrintSummary(package, quote_path == "-" ? "quote " + package.quote_id : quote_path);
    return package.valid ? kExitOk : kExitInvalid;
  }
  std::cout << Dump(PackageToJson(package)) << "\n";
  if (!package.valid) {
    for (const auto& e : package.errors) std::cerr << FormatDiagnostic(e) << "\n";
    return kExitInvalid;
  }
  return kExitOk;
}

bool WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return static_cast<bool>(out);
}

// Writes every file into a fresh sibling folder, then renames it to `out`,
// so that `out` is either complete or untouched. On failure nothing is left.
bool WriteOutputAtomically(const std::filesystem::path& out,
                           const std::vector<std::pair<std::string, std::string_view>>& files, std::string& error) {
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
  CatalogLoad load;
  std::string text;
  if (!LoadInputs(catalog_dir, quote_path, load, text)) return kExitInvalid;
  nlohmann::json quote;
  Package package = ResolveText(*load.catalog, text, &quote);
  if (!package.valid) {
    for (const auto& e : package.errors) std::cerr << FormatDiagnostic(e) << "\n";
    std::cerr << "docgen: the quote does not resolve to a valid package; nothing was written\n";
    return kExitInvalid;
  }
  std::string().swap(text);  // the parsed quote is all the render needs
  Renderer renderer;
  RenderResult result = renderer.Render(*load.catalog, package, std::move(quote));  // let go once drawn
  if (!result.output) {
    for (const auto& e : result.errors) std::cerr << FormatDiagnostic(e) << "\n";
    std::cerr << "docgen: the package cannot be rendered; nothing was written\n";
    return kExitInvalid;
  }
  const std::string package_json = Dump(PackageToJson(package)) + "\n";
  std::vector<std::pair<std::string, std::string_view>> files;  // views: a long package's PDFs are not copied
  files.emplace_back("package.pdf", result.output->package_pdf);
  files.emplace_back("package.json", package_json);
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

}  // namespace

PipelineCommands::PipelineCommands(CLI::App& app) {
  auto* catalog = app.add_subcommand("catalog", "Work with a document catalog.");
  catalog->require_subcommand(1);
  lint_ = catalog->add_subcommand("lint", "Check a catalog folder and list every finding (exit 2 when any is an error).");
  lint_->add_option("CATALOG_DIR", catalog_, "The catalog folder (holds catalog.yaml)")->required();
  lint_->add_option("--format", format_, "Output format")->check(CLI::IsMember({"text", "json"}))->default_str("text");

  resolve_ = app.add_subcommand("resolve", "Resolve a quote to its package; print the package JSON (exit 2 when invalid).");
  resolve_->add_option("--catalog", catalog_, "The catalog folder")->required();
  resolve_->add_option("QUOTE", input_, "The quote JSON file, or - for standard input")->required();
  resolve_->add_option("--format", format_, "json: the package (docs/contract.md §3); summary: a few lines for people")
      ->check(CLI::IsMember({"json", "summary"}))
      ->default_str("json");

  render_ = app.add_subcommand("render", "Resolve a quote and write its PDFs: OUT_DIR/package.pdf, package.json, documents/NN-ID.pdf.");
  render_->add_option("--catalog", catalog_, "The catalog folder")->required();
  render_->add_option("QUOTE", input_, "The quote JSON file, or - for standard input")->required();
  render_->add_option("--out", out_, "The output folder (replaced as a whole; nothing is written on failure)")->required();

  validate_ = app.add_subcommand("validate", "Validate issued policies (JSON Lines) against the catalog; one result a line (exit 3 when a policy has errors).");
  validate_->add_option("--catalog", validate_args_.catalog, "The catalog folder")->required();
  validate_->add_option("POLICIES", validate_args_.input, "A JSON Lines file of policies (one a line), or - for standard input")->required();
  validate_->add_option("--format", validate_args_.format, "jsonl: one result a line, summary on stderr; summary: only the summary")
      ->check(CLI::IsMember({"jsonl", "summary"}));
  validate_->add_option("--threads", validate_args_.threads, "Worker threads (default: one per core)")->check(CLI::Range(0, 256));

  auto* validator = app.add_subcommand("validator", "Work with the catalog's validator rules.");
  validator->require_subcommand(1);
  validator_test_ = validator->add_subcommand("test", "Run every rule's own tests; print each with pass or FAIL (exit 3 when one fails).");
  validator_test_->add_option("--catalog", catalog_, "The catalog folder")->required();
  validator_test_->add_option("--rule", rule_, "Only this rule's tests");
}

bool PipelineCommands::Handles(std::string_view command) {
  return command == "catalog" || command == "resolve" || command == "render" || command == "validate" || command == "validator";
}

std::optional<int> PipelineCommands::Run() {
  if (lint_->parsed()) return LintCommand(catalog_, format_.empty() ? "text" : format_);
  if (resolve_->parsed()) return ResolveCommand(catalog_, input_, format_.empty() ? "json" : format_);
  if (render_->parsed()) return RenderCommand(catalog_, input_, out_);
  if (validate_->parsed()) return ValidateCommand(validate_args_);
  if (validator_test_->parsed()) return ValidatorTestCommand(catalog_, rule_);
  return std::nullopt;
}

}  // namespace docgen::cli
