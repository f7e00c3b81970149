#include "ir/internal_error.h"

#include <cstdio>
#include <cstdlib>

namespace gennc::ir {

void internal_error(const std::string& where, const std::string& what) {
  std::fprintf(stderr, "gennc: internal compiler error in %s: %s\nplease report this as a bug, with the input file\n",
               where.c_str(), what.c_str());
  std::exit(3);
}

}  // namespace gennc::ir
