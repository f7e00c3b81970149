#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Drops parameter and derived arrays that no kernel or synapse function reads any more
// (uniform parameters became constants; derived quantities folded), with the stores that
// computed them, and renumbers the remaining arrays. State and internal arrays stay:
// the runtime records, checkpoints and sets them. With options.runtime_parameters,
// parameter arrays stay too (every parameter settable), as do the arrays a projection's
// data fills (weight_from_list, host columns) and recorded arrays. Array ids written as
// constants into fault reports (a push_event's GENNC_FAULT_EVENTS code) are renumbered too.
// Requires: nothing. Guarantees: every derived array, and without runtime_parameters every
// parameter array but those, is read somewhere.
// Returns whether anything changed.
bool remove_unused_arrays(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
