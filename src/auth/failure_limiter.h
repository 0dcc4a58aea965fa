// Failed checks of unknown tokens, counted per client address.
//
// With token introspection, a token that no cache knows costs one call to
// the provider, and a token never seen before cannot be in a cache: a client
// sending random tokens would make one provider call per request. Each such
// failure (a token in no cache that the provider says is not active) counts
// against the client's address; past `max_failures` in a window of
// `window_ms`, that address gets "too many requests" for its next unknown
// tokens (cached tokens keep working) until the window ends. Windows are
// fixed (they start at an address's first failure). At most `max_addresses`
// are tracked: when the table is full, expired windows are dropped, and if
// that frees nothing the table starts afresh (a client with that many
// addresses is not limited per address anyway). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace docgen {

class FailureLimiter {
 public:
  explicit FailureLimiter(int max_failures = 20, int64_t window_ms = 60'000, size_t max_addresses = 100'000)
      : max_failures_(max_failures), window_ms_(window_ms), max_addresses_(max_addresses < 1 ? 1 : max_addresses) {}

  // Seconds until `address` may have an unknown token checked again (at
  // least 1), or 0 when it may now. An empty address (unknown) is never limited.
  int RetryAfterSeconds(const std::string& address, int64_t now_ms) {
    if (address.empty() || max_failures_ <= 0) return 0;
    std::lock_guard lock(mutex_);
    auto it = windows_.find(address);
    if (it == windows_.end()) return 0;
    const int64_t end = it->second.start + window_ms_;
    if (now_ms >= end) {
      windows_.erase(it);
      return 0;
    }
    if (it->second.failures < max_failures_) return 0;
    return static_cast<int>((end - now_ms + 999) / 1000);
  }

  // Counts one failed check of an unknown token from `address`.
  void RecordFailure(const std::string& address, int64_t now_ms) {
    if (address.empty() || max_failures_ <= 0) return;
    std::lock_guard lock(mutex_);
    auto it = windows_.find(address);
    if (it != windows_.end() && now_ms >= it->second.start + window_ms_) {
      it->second = Window{now_ms, 0};
    }
    if (it == windows_.end()) {
      if (windows_.size() >= max_addresses_) {
        for (auto w = windows_.begin(); w != windows_.end();) {
          w = now_ms >= w->second.start + window_ms_ ? windows_.erase(w) : std::next(w);
        }
        if (windows_.size() >= max_addresses_) windows_.clear();
      }
      it = windows_.emplace(address, Window{now_ms, 0}).first;
    }
    ++it->second.failures;
  }

  size_t tracked() const {
    std::lock_guard lock(mutex_);
    return windows_.size();
  }

 private:
  struct Window {
    int64_t start = 0;
    int failures = 0;
  };
  const int max_failures_;
  const int64_t window_ms_;
  const size_t max_addresses_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace docgen
