#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Removes locals that are never read (their Let and Assign statements: every expression is
// pure, random draws included), `if`s left with nothing in either branch and loops with
// nothing in their body, until none remain.
// Requires: nothing. Guarantees: every remaining local is read. Returns whether anything
// changed.
bool remove_dead_code(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
