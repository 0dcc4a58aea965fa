// Expected failures as values: a Status says whether an operation worked
// and, when not, what kind of failure it was (a code the caller branches on)
// and why (a message for people). Result<T> is a value or the Status that
// explains its absence. Used across the store, the job runner and the
// service; the HTTP layer maps each code to one status (server/errors.h).
//
// Codes, and what a caller should do:
//   kInvalidArgument  the request itself is wrong; do not retry it unchanged
//   kNotFound         the thing asked for does not exist
//   kConflict         the state does not allow it (a reused idempotency key,
//                     a lease held by another worker, a finished job)
//   kUnavailable      a dependency (the database, the blob folder) cannot be
//                     reached or is full right now; retry later, nothing
//                     was changed or the change's outcome is retried safely
//   kInternal         a bug or a broken invariant; see the log
//
// Values, not thread-safe to mutate concurrently; cheap to copy.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace docgen {

enum class StatusCode { kOk, kInvalidArgument, kNotFound, kConflict, kUnavailable, kInternal };
const char* ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }
  static Status NotFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status Conflict(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
  static Status Unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }
  static Status Internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "conflict: this Idempotency-Key was used for a different request"
  std::string ToString() const;

  // The same failure, its message prefixed with where it happened.
  Status Context(const std::string& where) const {
    return ok() ? *this : Status(code_, where + ": " + message_);
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value, or the failed Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): return values read naturally
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "a Result without a value needs a failed Status");
    if (status_.ok()) status_ = Status::Internal("a Result was made from an ok Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace docgen
