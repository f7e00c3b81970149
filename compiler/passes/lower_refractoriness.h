#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Replaces every Threshold statement by explicit code, as NEST's iaf models do it:
// a per-neuron countdown `<pop>.refractory_countdown` (i32 steps) is set to
// round(period / dt) when the neuron spikes; while it is positive at the start of a step
// the threshold is not tested, the held locals are restored to their start-of-step value
// before the threshold, and the countdown decreases by one.
// Requires: Threshold statements only at the top level of neuron kernels.
// Guarantees: no Threshold statement remains. Returns whether anything changed.
bool lower_refractoriness(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
