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
};

}  // namespace gennc::passes
