#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// A uniform parameter stays one number: every load of a parameter array whose initial
// value is one constant becomes that constant (the array is left unused for
// remove_unused_arrays); so does an element of a list parameter read at a constant index.
// Derived quantities follow: a derived array whose derived-kernel
// store folds to a constant becomes that constant too, and so on until nothing changes.
// The time step is uniform as well: reads of `dt` become the module's dt.
// Requires: nothing. Guarantees: no load of a constant-initialised parameter array and no
// Input::Dt remain. Returns whether anything changed.
bool specialise_uniform_parameters(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
