#pragma once

#include <string>

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
//  - forward Euler or exponential Euler when the model's `solver` or --solver asks;
//  - adaptive: embedded Runge-Kutta-Fehlberg 4(5) with error control, in f64, each neuron
//    in as many substeps as its error needs, its last substep size kept in the f64 state
//    array named by integration_step_name (as NEST's aeif_* and hh_* models do).
// Random draws in right-hand sides are taken once per step, before the scheme. RK4 and the
// Euler schemes multiply by reciprocals where the right-hand sides divide by constants
// (reciprocals.h: at most one unit in the last place apart from the division).
// Requires: lower_refractoriness ran (no Threshold statement left); best after
// specialise_uniform_parameters and fold_constants, so that uniform coefficients are
// constants. Guarantees: no Integrate statement remains; the module's stage is Lowered.
// Reports exact_solver_not_linear for a model that asks for `exact` on a system that is
// not linear with constant coefficients (and integrates it with RK4).
bool solve_odes(ir::Module& m, const Options& options, diag::Diagnostics& diags);

// The per-neuron array of the adaptive solver's last substep size (ms) of a population; NaN
// where a neuron ran out of substeps in its last step.
std::string integration_step_name(const std::string& population);

}  // namespace gennc::passes
