#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Folds every expression (ir/fold.h: constant operations, exact identities), propagates
// locals that are bound once to a constant and never assigned, and resolves `if`s with a
// constant condition.
// Requires: nothing. Guarantees: no foldable operation on constants remains. Returns
// whether anything changed.
bool fold_constants(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
