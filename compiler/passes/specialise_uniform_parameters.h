#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// A uniform parameter stays one number: every load of a parameter array whose initial
// value is one constant becomes that constant (the array is left unused for
// remove_unused_arrays); so does an element of a list parameter read at a constant index.
// Arrays that a connection list, file or the host fills per synapse (weight_from_list,
// host columns) keep their constant as a default and stay arrays.
// Derived quantities follow: a derived array whose derived-kernel
// store folds to a constant becomes that constant too, and so on until nothing changes.
// The time step is uniform as well: reads of `dt` become the module's dt.
// With options.runtime_parameters a uniform parameter becomes one settable scalar array
// instead (scalar scope, its value as the initialiser, read at element 0), list
// parameters are read from their arrays, and a derived array whose value is then the same
// for every element becomes a scalar derived array, stored by element 0 of its derived
// kernel (`if (index == 0)`); derived quantities of `dt` and constants alone still fold.
// Synapse functions, which run without arrays, always take the constants.
// Requires: nothing. Guarantees: no Input::Dt remains; without runtime_parameters no load
// of a constant-initialised parameter array remains, with it none but of scalar arrays.
// Returns whether anything changed.
bool specialise_uniform_parameters(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
