#include "cli/admin_commands.h"

#include <docgen/store.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <unistd.h>

#include "cli/exit_codes.h"
#include "auth/auth.h"
#include "base/clock.h"
#include "jobs/job_json.h"
#include "jobs/operations.h"
#include "util/text.h"


namespace docgen::cli {
namespace {

constexpr int64_t kLeaseMs = 30000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int Fail(const Status& status) {
  std::cerr << "docgen: " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? kExitInvalid : kExitFailure;
}

// The store of a data folder or database. Reading needs an existing one (a
// typo in --data must not make an empty database that then "verifies");
// creating a token may come first, before docgen serve made the data folder.
Result<std::unique_ptr<Store>> OpenStore(const std::string& data, const std::string& database, bool create = false) {
  if (IsPostgresUrl(database)) return OpenPostgresStore(database, 1);
  const std::string path = database.empty() ? (std::filesystem::path(data) / "docgen.sqlite").string() : database;
  std::error_code ec;
  if (create && database.empty() && !std::filesystem::exists(data, ec)) {
    std::filesystem::create_directories(data, ec);
    std::filesystem::permissions(data, std::filesystem::perms::owner_all, ec);  // as docgen serve makes it: 0700
  }
  if (!create && !std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("there is no docgen database at " + path +
                            " (--data names the data folder of docgen serve; --database a PostgreSQL URL or SQLite file)");
  }
  return OpenSqliteStore(path);
}

std::string TokenFile(const std::string& data, const std::string& file) {
  return !file.empty() ? file : (std::filesystem::path(data) / "tokens.json").string();
}

// Records a token change in the audit log: one entry for the whole change
// (one transaction), naming the token, or the subject when it had several.
TokenFileRecorder AuditTokens(Store& store, const char* action, const std::string& reason) {
  return [&store, action, reason](const std::vector<TokenInfo>& changed, std::string* error) {
    nlohmann::json tokens = nlohmann::json::array();
    for (const auto& t : changed) tokens.push_back({{"id", t.id}, {"subject", t.subject}, {"role", t.role}});
    const std::string target = changed.size() == 1 ? "token:" + changed[0].id : "subject:" + changed.at(0).subject;
    Result<AuditEntry> entry = store.AppendAudit(CommandLineActor(NowMs(), reason), action, target, {{"tokens", tokens}});
    if (!entry.ok()) *error = "cannot record the change in the audit log (" + entry.status().message() + ")";
    return entry.ok();
  };
}

// "12/40 steps" on a terminal, redrawn in place.
void ShowProgress(int64_t done, int64_t total) {
  if (::isatty(STDERR_FILENO) == 0) return;
  std::cerr << "\r" << done << "/" << total << " steps" << (done == total ? "\n" : "") << std::flush;
}

// A finished run's outcomes (or a dry run's plan) and its verdict.
int Report(const OpRun& run) {
  if (run.dry_run) {
    for (const auto& step : run.plan) std::cout << "would " << step.value("description", "") << "\n";
    std::cout << "dry run " << run.id << " of " << run.operation << ": " << run.plan.size() << " steps; nothing was changed\n";
    return kExitOk;
  }
  for (const auto& outcome : run.outcomes) std::cout << outcome << "\n";
  std::cout << "run " << run.id << " of " << run.operation << " " << run.status << ": " << run.steps_done << " of "
            << run.steps << " steps" << (run.error.empty() ? "" : " (" + run.error + ")") << "\n";
  return run.status == "succeeded" ? kExitOk : kExitFailure;
}

// Runs run `id` in this process when it can claim it; else waits for the
// process that holds it (docgen serve) to finish it.
int Drive(Store& store, const std::string& id) {
  const SystemClock clock;
  const std::string worker = "cli-" + std::to_string(::getpid()) + "-" + RandomHex(4);
  for (int64_t wait_ms = 100;; wait_ms = std::min<int64_t>(wait_ms * 2, 2000)) {
    const int64_t now = clock.NowMs();
    Result<std::optional<OpRun>> claimed = store.ClaimOpRun(id, worker, now, now + kLeaseMs);
    if (!claimed.ok()) return Fail(claimed.status());
    if (*claimed) {
      Status ran = ExecuteOpRun(store, **claimed, worker, clock, kLeaseMs, nullptr, ShowProgress);
      if (!ran.ok() && ran.code() != StatusCode::kInternal) return Fail(ran.Context("the run stopped; docgen ops resume " + id + " goes on"));
    }
    Result<OpRun> run = store.GetOpRun(id);
    if (!run.ok()) return Fail(run.status());
    if (run->status == "succeeded" || run->status == "failed") return Report(*run);
    ShowProgress(run->steps_done, run->steps);  // another process runs it
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
}

}  // namespace

AdminCommands::AdminCommands(CLI::App& app) {
  // As docgen serve reads them: the flags, else DOCGEN_DATA and DOCGEN_DATABASE.
  if (const char* data = std::getenv("DOCGEN_DATA"); data != nullptr && *data != '\0') where_.data = data;
  if (const char* database = std::getenv("DOCGEN_DATABASE"); database != nullptr) where_.database = database;
  auto where = [this](CLI::App* command, bool tokens) {
    command->add_option("--data", where_.data, "The data folder of docgen serve (default DOCGEN_DATA, else ./data)");
    command->add_option("--database", where_.database,
                        "A PostgreSQL URL, or a SQLite file (default DOCGEN_DATABASE, else DATA/docgen.sqlite)");
    if (tokens) command->add_option("--token-file", where_.token_file, "The token file (default DATA/tokens.json)");
  };
  auto* audit = app.add_subcommand("audit", "Read and check the audit log (docs/contract.md §10).");
  audit->require_subcommand(1);
  verify_ = audit->add_subcommand("verify", "Walk the audit log's hash chain; name the first entry changed, removed or inserted (exit 3).");
  where(verify_, false);
  export_ = audit->add_subcommand("export", "Print audit log entries as JSON Lines, oldest first.");
  where(export_, false);
  export_->add_option("--since", since_, "From this time on (2026-11-30, 2026-11-30T17:05:00Z or ms since the epoch)");
  export_->add_option("--until", until_, "Before this time");
  export_->add_option("--actor", actor_, "Only this actor's entries");
  export_->add_option("--action", action_, "Only entries of this action (catalog.publish, token.revoke, ...)");

  auto* token = app.add_subcommand("token", "Manage API tokens of the local token file; changes are audited.");
  token->require_subcommand(1);
  create_ = token->add_subcommand("create", "Create a token; print it once and store only its hash.");
  create_->add_option("--role", role_, "viewer, generator or admin")->required();
  create_->add_option("--subject", subject_, "Who or what uses the token")->required();
  create_->add_option("--reason", reason_, "Why (kept in the audit log)");
  where(create_, true);
  list_ = token->add_subcommand("list", "List the tokens: id, subject, role, created, last used (never the token).");
  list_->add_option("--format", format_, "text or json")->check(CLI::IsMember({"text", "json"}));
  where(list_, true);
  revoke_ = token->add_subcommand("revoke", "Revoke the tokens of a subject, or one token by id; refused from the next request on.");
  revoke_->add_option("SUBJECT_OR_ID", subject_, "A subject (every token of it) or a token id from docgen token list")->required();
  revoke_->add_option("--reason", reason_, "Why (kept in the audit log)")->required();
  where(revoke_, true);

  auto* ops = app.add_subcommand("ops", "Registered operations: one-off maintenance, recorded and resumable (docs/contract.md §10).");
  ops->require_subcommand(1);
  ops_list_ = ops->add_subcommand("list", "List the operations and their parameters.");
  ops_run_ = ops->add_subcommand("run", "Run an operation (a dry run first says exactly what it would change).");
  ops_run_->add_option("NAME", operation_, "The operation (docgen ops list)")->required();
  ops_run_->add_option("--reason", reason_, "Why it runs (required; kept with the run and in the audit log)")->required();
  ops_run_->add_option("--param", params_, "A parameter as KEY=VALUE (repeat for more)");
  ops_run_->add_flag("--dry-run", dry_run_, "Change nothing; list what a run would change");
  where(ops_run_, false);
  ops_runs_ = ops->add_subcommand("runs", "List the runs, or show one run with its steps.");
  ops_runs_->add_option("ID", run_id_, "A run's id: show it whole");
  where(ops_runs_, false);
  ops_resume_ = ops->add_subcommand("resume", "Finish runs whose process stopped (docgen serve resumes them by itself).");
  ops_resume_->add_option("ID", run_id_, "Only this run");
  where(ops_resume_, false);
}

int AdminCommands::RunOperation() {
  const Operation* op = FindOperation(operation_);
  if (op == nullptr) return Fail(Status::InvalidArgument("there is no operation " + operation_ + " (docgen ops list shows them)"));
  Result<nlohmann::json> params = OpParamsFromPairs(*op, params_);
  if (!params.ok()) return Fail(params.status());
  Result<std::unique_ptr<Store>> store = OpenStore(where_.data, where_.database);
  if (!store.ok()) return Fail(store.status());
  Result<OpRun> run = StartOperation(**store, op->name, *params, dry_run_, CommandLineActor(NowMs(), reason_));
  if (!run.ok()) return Fail(run.status().code() == StatusCode::kInvalidArgument
                                 ? Status::InvalidArgument(op->name + ": " + run.status().message())
                                 : run.status());
  if (run->dry_run) return Report(*run);
  std::cerr << "docgen: run " << run->id << " of " << run->operation << ": " << run->plan.size() << " steps\n";
  return Drive(**store, run->id);
}

int AdminCommands::ShowRuns() {
  Result<std::unique_ptr<Store>> store = OpenStore(where_.data, where_.database);
  if (!store.ok()) return Fail(store.status());
  if (!run_id_.empty()) {
    Result<OpRun> run = (*store)->GetOpRun(run_id_);
    if (!run.ok()) return Fail(run.status());
    std::cout << OpRunToJson(*run, true).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  Result<std::vector<OpRun>> runs = (*store)->ListOpRuns(100);
  if (!runs.ok()) return Fail(runs.status());
  for (const auto& run : *runs) {
    std::cout << run.id << "  " << IsoTime(run.by.at) << "  " << run.operation << (run.dry_run ? " (dry run)" : "") << "  "
              << run.status << "  " << run.steps_done << "/" << run.steps << "  " << run.by.name << ": " << run.by.reason << "\n";
  }
  return kExitOk;
}

int AdminCommands::Resume() {
  Result<std::unique_ptr<Store>> store = OpenStore(where_.data, where_.database);
  if (!store.ok()) return Fail(store.status());
  Result<std::vector<OpRun>> runs = (*store)->ListOpRuns(1000);
  if (!runs.ok()) return Fail(runs.status());
  int status = kExitOk, resumed = 0;
  const int64_t now = NowMs();
  for (const auto& run : *runs) {
    const bool stalled = run.status == "queued" || (run.status == "running" && run.lease_until <= now);
    if ((!run_id_.empty() && run.id != run_id_) || !stalled) continue;
    ++resumed;
    std::cerr << "docgen: resuming run " << run.id << " of " << run.operation << " at step " << run.steps_done + 1 << " of "
              << run.steps << "\n";
    status = std::max(status, Drive(**store, run.id));
  }
  if (resumed == 0) std::cout << "no run waits to be resumed" << (run_id_.empty() ? "" : " with id " + run_id_) << "\n";
  return status;
}

std::optional<int> AdminCommands::Run() {
  const Where& w = where_;
  if (verify_->parsed()) {
    Result<std::unique_ptr<Store>> store = OpenStore(w.data, w.database);
    if (!store.ok()) return Fail(store.status());
    AuditChainVerifier verifier;
    AuditFilter page;
    page.after_seq = 0;
    page.limit = 1000;
    while (verifier.ok()) {
      Result<std::vector<AuditEntry>> entries = (*store)->ListAudit(page);
      if (!entries.ok()) return Fail(entries.status());
      if (entries->empty()) break;
      for (const auto& e : *entries) verifier.Add(e);
      page.after_seq = entries->back().seq;
    }
    if (!verifier.ok()) {
      std::cout << "audit log BROKEN: " << verifier.problem() << " (the " << verifier.entries()
                << " entries before it are intact)\n";
      return kExitFound;
    }
    std::cout << "audit log intact: " << verifier.entries() << " entries"
              << (verifier.entries() > 0 ? ", head " + verifier.head() : "") << "\n";
    return kExitOk;
  }
  if (export_->parsed()) {
    AuditFilter filter;
    filter.actor = actor_;
    filter.action = action_;
    for (auto [text, out] : {std::pair{&since_, &filter.since}, {&until_, &filter.until}}) {
      if (text->empty()) continue;
      std::optional<int64_t> at = ParseIsoTime(*text);
      if (!at) return Fail(Status::InvalidArgument("--since and --until take 2026-11-30, 2026-11-30T17:05:00Z or ms since the epoch, not \"" + *text + "\""));
      *out = *at;
    }
    Result<std::unique_ptr<Store>> store = OpenStore(w.data, w.database);
    if (!store.ok()) return Fail(store.status());
    filter.after_seq = 0;
    filter.limit = 1000;
    while (true) {
      Result<std::vector<AuditEntry>> entries = (*store)->ListAudit(filter);
      if (!entries.ok()) return Fail(entries.status());
      if (entries->empty()) break;
      for (const auto& e : *entries) std::cout << AuditEntryToJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      filter.after_seq = entries->back().seq;
    }
    return kExitOk;
  }
  if (create_->parsed()) {
    std::optional<Role> role = ParseRole(role_);
    if (!role || role == Role::kNone || subject_.empty()) return Fail(Status::InvalidArgument("--role must be viewer, generator or admin, and --subject a name"));
    Result<std::unique_ptr<Store>> store = OpenStore(w.data, w.database, /*create=*/true);
    if (!store.ok()) return Fail(store.status().Context("the audit log is needed to create a token"));
    const std::string file = TokenFile(w.data, w.token_file);
    std::string error;
    std::optional<std::string> token = CreateToken(file, *role, subject_, &error, AuditTokens(**store, "token.create", reason_));
    if (!token) return Fail(Status::Internal(error));
    std::cout << *token << "\n";
    std::cerr << "docgen: token " << TokenId(*token) << " for " << subject_ << " (" << role_ << ") stored as a hash in " << file
              << "; this is the only time it is shown\n";
    return kExitOk;
  }
  if (list_->parsed()) {
    std::string error;
    std::optional<std::vector<TokenInfo>> tokens = ListTokens(TokenFile(w.data, w.token_file), &error);
    if (!tokens) return Fail(Status::InvalidArgument(error));
    std::map<std::string, int64_t> used;
    Result<std::unique_ptr<Store>> store = OpenStore(w.data, w.database);
    Result<std::map<std::string, int64_t>> uses =
        store.ok() ? (*store)->TokenLastUsed() : Result<std::map<std::string, int64_t>>(store.status());
    if (uses.ok()) {
      used = std::move(*uses);
    } else {
      std::cerr << "docgen: when the tokens were last used is unknown: " << uses.status().message() << "\n";
    }
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& t : *tokens) {
      const int64_t last = used.count(t.id) ? used[t.id] : 0;
      list.push_back({{"id", t.id}, {"subject", t.subject}, {"role", t.role}, {"created_at", IsoTime(t.created_at * 1000)},
                      {"last_used_at", last > 0 ? nlohmann::ordered_json(IsoTime(last)) : nlohmann::ordered_json()}});
    }
    if (format_ == "json") {
      std::cout << nlohmann::ordered_json{{"tokens", list}}.dump(2) << "\n";
      return kExitOk;
    }
    std::cout << "ID            ROLE       CREATED                   LAST USED                 SUBJECT\n";
    for (const auto& t : list) {
      auto cell = [](const nlohmann::ordered_json& v, size_t width) {
        std::string text = v.is_string() ? v.get<std::string>() : "never";
        if (text.empty()) text = "unknown";
        return text + std::string(text.size() < width ? width - text.size() : 1, ' ');
      };
      std::cout << cell(t["id"], 14) << cell(t["role"], 11) << cell(t["created_at"], 26) << cell(t["last_used_at"], 26)
                << t["subject"].get<std::string>() << "\n";
    }
    return kExitOk;
  }
  if (ops_list_->parsed()) {
    for (const auto& op : Operations()) {
      std::cout << op.name << ": " << op.summary << "\n";
      const nlohmann::json& required = op.params_schema.contains("required") ? op.params_schema["required"] : nlohmann::json::array();
      for (const auto& [name, schema] : op.params_schema["properties"].items()) {
        const bool needed = std::find(required.begin(), required.end(), name) != required.end();
        std::cout << "  --param " << name << "=" << (schema.value("type", "") == "integer" ? "N" : "VALUE")
                  << (needed ? " (required)" : "") << "  " << schema.value("title", "")
                  << (schema.contains("default") ? " (default " + schema["default"].dump() + ")" : "") << "\n";
      }
    }
    return kExitOk;
  }
  if (ops_run_->parsed()) return RunOperation();
  if (ops_runs_->parsed()) return ShowRuns();
  if (ops_resume_->parsed()) return Resume();
  if (revoke_->parsed()) {
    if (reason_.empty()) return Fail(Status::InvalidArgument("--reason says why the token is revoked (kept in the audit log)"));
    Result<std::unique_ptr<Store>> store = OpenStore(w.data, w.database);
    if (!store.ok()) return Fail(store.status().Context("the audit log is needed to revoke a token"));
    std::string error;
    std::optional<std::vector<TokenInfo>> revoked =
        RevokeTokens(TokenFile(w.data, w.token_file), subject_, &error, AuditTokens(**store, "token.revoke", reason_));
    if (!revoked) return Fail(Status::InvalidArgument(error));
    for (const auto& t : *revoked) std::cout << "revoked " << t.id << " (" << t.subject << ", " << t.role << ")\n";
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace docgen::cli
