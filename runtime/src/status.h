// The runtime's error value. Failures are returned, never thrown: each function that can
// fail returns a Status, and the C ABI layer turns the first failure into a status code
// plus the message gennc_last_error() reports.
#pragma once

#include <string>
#include <utility>

#include "gennc/runtime.h"

namespace gennc::runtime {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(GenncStatus code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == GENNC_OK; }
  GenncStatus code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  GenncStatus code_ = GENNC_OK;
  std::string message_;
};

inline Status ok() { return Status(); }
inline Status argument_error(std::string message) { return {GENNC_ERROR_ARGUMENT, std::move(message)}; }
inline Status not_found(std::string message) { return {GENNC_ERROR_NOT_FOUND, std::move(message)}; }
inline Status model_error(std::string message) { return {GENNC_ERROR_MODEL, std::move(message)}; }
inline Status io_error(std::string message) { return {GENNC_ERROR_IO, std::move(message)}; }
inline Status internal_error(std::string message) { return {GENNC_ERROR_INTERNAL, std::move(message)}; }
inline Status numerical_error(std::string message) { return {GENNC_ERROR_NUMERICAL, std::move(message)}; }
inline Status capacity_error(std::string message) { return {GENNC_ERROR_CAPACITY, std::move(message)}; }
// Not a failure: a run that ended early at a stop request (stop_request.h).
inline Status stopped(std::string message) { return {GENNC_STOPPED, std::move(message)}; }

// Propagates a failed Status to the caller.
#define GENNC_TRY(expr)                       \
  do {                                        \
    ::gennc::runtime::Status status_ = (expr); \
    if (!status_.ok()) return status_;        \
  } while (0)

}  // namespace gennc::runtime
