// What the command line can change about the passes (handed to each one explicitly; no
// pass reads global state).
#pragma once

#include <optional>

#include "ir/ir.h"

namespace gennc::passes {

struct Options {
  // `--solver`: overrides the choice of every ODE system (and the models' `solver` items).
  // `exact` falls back to RK4 for systems that are not linear with constant coefficients.
  std::optional<ir::Solver> solver;
  // `--solver-tolerance`: the adaptive solver's bound on each substep's estimated local
  // error, absolute, in every state's own units (GSL's y_new(eps_abs, 0) control, as NEST
  // uses it with gsl_error_tol = 1e-6).
  double solver_tolerance = 1e-6;
  // `--runtime-parameters`: a uniform parameter stays one settable scalar array (and the
  // derived quantities and propagators that depend on it derived scalars) instead of
  // becoming a compile-time constant (specialise_uniform_parameters, solve_odes), and
  // parameter arrays are kept even where nothing reads them (remove_unused_arrays).
  bool runtime_parameters = false;
  // `--no-fuse`: every source keeps kernels of its own (fuse_source_delivery and
  // fuse_current_injection change nothing). The results are bitwise the same either way on
  // the CPU; the flag is there to show it (tests/e2e) and to time the unfused kernels.
  bool fuse = true;
  // `--no-merge-rings`: every receptor keeps a ring of its own (merge_receptor_rings
  // changes nothing). Merged, a delta cell's input is summed in one ring as NEST sums it,
  // which rounds differently from adding each receptor's sum in turn.
  bool merge_rings = true;
};

}  // namespace gennc::passes
