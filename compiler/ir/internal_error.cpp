#include "ir/internal_error.h"

namespace gennc::ir {

void internal_error(const std::string& where, const std::string& what) { throw InternalError("in " + where + ": " + what); }

}  // namespace gennc::ir
