#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Drops derived kernels with nothing left to compute (every derived quantity folded to a
// constant) and renumbers the schedules. Step kernels stay even when empty: the runtime
// still needs their spike bookkeeping.
// Requires: nothing. Guarantees: every derived kernel has a body. Returns whether
// anything changed.
bool remove_empty_kernels(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
