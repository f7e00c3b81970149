// Analysis used by solve_odes: is a system of ODEs x' = f(x) affine in its states,
// x' = A x + b, and are the coefficients A constant over the run? Not a pass: it reads
// IR and builds new expressions, changing nothing.
#pragma once

#include <optional>
#include <vector>

#include "ir/ir.h"

namespace gennc::passes {

// x' = A x + b over the states of an Integrate statement, in equation order. A null entry
// is a structural zero. Every entry is free of the states.
struct AffineSystem {
  std::vector<std::vector<ir::ExprPtr>> a;  // n x n
  std::vector<ir::ExprPtr> b;               // n
};

// Decomposes each right-hand side as an affine function of `states`; nullopt when one is
// not affine (a product of states, a state inside a function, a select, ...) or when b
// depends on the time t (the exact solution assumes b constant over the step).
std::optional<AffineSystem> affine_system(const std::vector<ir::LocalId>& states,
                                          const std::vector<const ir::Expr*>& rhs);

// The affine decomposition of one expression in one state x: e = a * x + rest, where a is
// free of x; nullopt when e is not affine in x. `a` is null when e does not depend on x.
// (Used by exponential Euler, whose `rest` may depend on the other states.)
std::optional<ir::ExprPtr> coefficient_of(ir::LocalId x, const ir::Expr& e, bool* depends);

// True when an expression has the same value at every step of the run: constants, dt,
// and loads of parameter or derived arrays at the element index, or of scalar ones
// (nothing per step: no locals, time, draws or state arrays).
bool is_step_invariant(const ir::Expr& e, const ir::Module& m);

// Does `e` read local `id`?
bool reads_local(const ir::Expr& e, ir::LocalId id);

}  // namespace gennc::passes
