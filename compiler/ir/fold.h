// Constant evaluation of IR expressions, shared by the passes that fold (fold_constants,
// specialise_uniform_parameters, solve_odes) and by lowering's compile-time evaluation of
// initial values. A value of type f32 is computed in double and rounded once to float,
// which is what a correctly rounded f32 operation gives.
#pragma once

#include "ir/ir.h"

namespace gennc::ir {

// Folds `e` bottom-up: operations whose operands are all constants become constants;
// exact identities are applied (x + 0, x - 0, x * 1, x / 1, --x, !!b, select with a
// constant condition, a cast of a constant). Random draws, loads, locals and inputs are
// kept. Returns the (possibly new) root.
ExprPtr fold(ExprPtr e);

// A constant of type t holding v, rounded to t (float) or truncated toward zero (ints).
ExprPtr make_const(Type t, double v);

// Rounds v to what a value of type t holds.
double round_to(Type t, double v);

}  // namespace gennc::ir
