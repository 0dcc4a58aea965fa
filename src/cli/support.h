// What several commands share: running a command line, loading a catalog
// folder (its findings on standard error), numbers for people, a progress
// line, and Ctrl-C.
#pragma once

#include <docgen/catalog.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace CLI {
class App;
}

namespace docgen::cli {

// Parses the command line into `app` and calls `run` for the exit status. A
// parse error exits kExitInvalid (help and --version kExitOk, as CLI11 prints
// them), an exception from `run` is an internal error (kExitFailure), and so
// is standard output that could not be written (a full disk, a closed pipe).
int RunCommandLine(CLI::App& app, int argc, char** argv, const std::function<int()>& run);

// The catalog, or null after printing every finding and a last line saying it cannot be used.
std::shared_ptr<const Catalog> LoadCatalogOrExplain(const std::string& dir);

// 1234567 -> "1,234,567"
std::string Thousands(long long n);

// A one-line progress bar on standard error, redrawn at most every 200 ms and
// erased at the end. Off when standard error is not a terminal (logs and
// pipes stay clean).
class ProgressLine {
 public:
  explicit ProgressLine(std::string verb);  // "validating", "testing"
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `count` things done (named `noun`), `fraction` of the whole done (negative: unknown).
  void Update(long long count, const char* noun, double fraction);
  // Erases the line (before printing results); later updates draw nothing.
  void Finish();

 private:
  std::string verb_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_;
};

// SIGINT (Ctrl-C) and SIGTERM, heard by a thread of its own: while one
// lives the signals are blocked in every thread started after it, and the
// first one to arrive calls `on_signal` (once) and sets interrupted(). A
// long command stops cleanly (its temporary files removed, its output
// whole) instead of dying. With `on_hangup`, SIGHUP calls it each time
// (`systemctl reload`). Make it before starting any thread.
class Interrupts {
 public:
  explicit Interrupts(std::function<void()> on_signal = nullptr, std::function<void()> on_hangup = nullptr);
  ~Interrupts();  // stops listening and unblocks the signals
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t signals_{};
  sigset_t saved_mask_{};  // the thread's mask before, restored after
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace docgen::cli
