// Compiler bugs (never user errors). Library code throws InternalError; only the driver
// turns it into "internal compiler error", a request for a report and exit status 3, as
// STYLE.md prescribes. User errors go through diag::Diagnostics.
#pragma once

#include <stdexcept>
#include <string>

namespace gennc::ir {

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws InternalError("in WHERE: WHAT").
[[noreturn]] void internal_error(const std::string& where, const std::string& what);

}  // namespace gennc::ir

#define GENNC_IR_ASSERT(cond, where, what)                      \
  do {                                                          \
    if (!(cond)) ::gennc::ir::internal_error((where), (what));  \
  } while (false)
