#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Replaces every Integrate statement (a joint ODE system: a neuron's equations with its
// receptors') by explicit code advancing it from t to t + dt. The scheme (docs/ir.md):
//  - exact (propagators, as NEST's iaf_psc_* and Brian2's `exact`) when the system is
//    x' = A x + b with A constant over the run and b constant over the step: P = exp(A dt)
//    and Phi = int_0^dt exp(A s) ds are computed here in double when A is a compile-time
//    constant, else per neuron in the population's derived kernel;
//  - RK4 on the joint system otherwise (conductance-based cells, AdExp, HH);
//  - forward Euler or exponential Euler when the model's `solver` or --solver asks.
// Random draws in right-hand sides are taken once per step, before the scheme.
// Requires: lower_refractoriness ran (no Threshold statement left); best after
// specialise_uniform_parameters and fold_constants, so that uniform coefficients are
// constants. Guarantees: no Integrate statement remains; the module's stage is Lowered.
// Reports exact_solver_not_linear for a model that asks for `exact` on a system that is
// not linear with constant coefficients (and integrates it with RK4).
bool solve_odes(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
