#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Makes every neuron update kernel report a state that becomes NaN or infinite, so that a
// run stops with the population, neuron, variable and time instead of going on with
// garbage. After the kernel's last top-level store of a real-valued state array of its
// population, one test of all stored values, read back from their arrays (so that the
// test reads nothing but the neuron's own state); only when one failed, and only while the
// population's fault report (GENNC_ARRAY_FAULT, created here: `<pop>.fault` per neuron and
// `<pop>.fault_step`) is empty, the neuron's code and 1 + the step are stored. The code is
// 1 + the id of the first failing array, with GENNC_FAULT_SUBSTEPS for the adaptive
// solver's integration step (NaN: the neuron ran out of substeps; see solve_odes).
// Requires: array ids final (after remove_unused_arrays: codes hold them as constants).
// Guarantees: the runtime can read one fault report per checked population. Returns
// whether any kernel was checked.
bool check_finite_states(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
