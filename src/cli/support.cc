#include "cli/support.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "cli/exit_codes.h"

namespace docgen::cli {

int RunCommandLine(CLI::App& app, int argc, char** argv, const std::function<int()>& run) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitInvalid;  // CLI11 prints the help, the version or the error
  }
  int status = kExitFailure;
  try {
    status = run();
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

std::shared_ptr<const Catalog> LoadCatalogOrExplain(const std::string& dir) {
  CatalogLoad load = LoadCatalogDirectory(dir);
  if (!load.catalog) {
    for (const auto& d : load.diagnostics) std::cerr << FormatDiagnostic(d) << "\n";
    std::cerr << "docgen: the catalog " << dir << " has errors and cannot be used\n";
  }
  return load.catalog;
}

std::string Thousands(long long n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ProgressLine::ProgressLine(std::string verb) : verb_(std::move(verb)), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Finish() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
  enabled_ = false;
}

void ProgressLine::Update(long long count, const char* noun, double fraction) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string line = verb_ + ": " + Thousands(count) + " " + noun;
  if (fraction >= 0) {
    const int percent = std::min(100, static_cast<int>(100.0 * fraction));
    const int filled = percent * 30 / 100;
    line = "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] " + std::to_string(percent) + "%  " + line;
  }
  if (seconds > 0) line += ", " + Thousands(static_cast<long long>(static_cast<double>(count) / seconds)) + "/s";
  std::cerr << "\r\033[K" << line << std::flush;
}

Interrupts::Interrupts(std::function<void()> on_signal, std::function<void()> on_hangup) {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  if (on_hangup) sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, &saved_mask_);
  waiter_ = std::thread([this, on_signal = std::move(on_signal), on_hangup = std::move(on_hangup)] {
    int signal = 0;
    while (sigwait(&signals_, &signal) == 0 && signal == SIGHUP && !done_) on_hangup();
    if (done_) return;  // the destructor's own wake-up
    interrupted_ = true;
    if (on_signal) on_signal();
  });
}

Interrupts::~Interrupts() {
  done_ = true;
  pthread_kill(waiter_.native_handle(), SIGTERM);  // wakes the waiter; lost if it already left (a signal came)
  waiter_.join();
  // Signals that came after the first (a second Ctrl-C, the wake-up above)
  // are consumed here: unblocked, they would kill the process before it
  // finished cleaning up.
  const timespec now{0, 0};
  while (sigtimedwait(&signals_, nullptr, &now) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

}  // namespace docgen::cli
