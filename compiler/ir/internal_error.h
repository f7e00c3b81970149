// Compiler bugs (never user errors): print "internal compiler error", ask for a report and
// exit with status 3, as STYLE.md prescribes. User errors go through diag::Diagnostics.
#pragma once

#include <string>

namespace gennc::ir {

[[noreturn]] void internal_error(const std::string& where, const std::string& what);

}  // namespace gennc::ir

#define GENNC_IR_ASSERT(cond, where, what)                      \
  do {                                                          \
    if (!(cond)) ::gennc::ir::internal_error((where), (what));  \
  } while (false)
