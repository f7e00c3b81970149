// solve_precise_steps: a precise neuron's step (StmtKind::PreciseStep) -> plain statements
// (docs/ir.md, Precise steps).
//
// Requires: specialise_uniform_parameters has run (uniform parameters are constants);
// every PreciseStep's ODE system is affine in its states with coefficients free of them and
// of the time (sema's precise_not_supported check), and its populations are precise.
// Guarantees: no PreciseStep remains. Each becomes: the receptors' timed events of the
// neuron's ring row taken in order of offset (ties in arrival order); exact advances of the
// state between them and to the step's end, x += E(h) x + Phi(h) b with E and Phi computed
// at run time for the length h (the series and squarings of propagator.h, in f64); the
// threshold tested at the end of each advance, its crossing time found by bisection on the
// exact solution and the spike emitted at it, then `reset`; the refractory period counted
// in ms from the spike time in `<pop>.refractory_end` (the held variables released inside
// a step where it ends); after each event its receptor's `on spike` with its weight, and
// after the step's end the summed grid input; each followed by a threshold test at that
// instant (a jump that crosses spikes at the event's time). Grid kernels are untouched.
#pragma once

#include "diag/diagnostics.h"
#include "ir/ir.h"
#include "passes/options.h"

namespace gennc::passes {

bool solve_precise_steps(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
