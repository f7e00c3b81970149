// The propagators of propagator.h emitted as IR, for the derived kernels of solve_odes (A
// known only at run time, h = dt) and the advances of solve_precise_steps (h known only at
// run time). Not a pass: it appends statements to the block it is given.
#pragma once

#include <vector>

#include "ir/ir.h"

namespace gennc::passes {

// Locals of an n x n matrix, ir::kNone where the entry is a structural zero.
using LocalMatrix = std::vector<std::vector<ir::LocalId>>;

// Appends to `out` (statements of kernel `k`) the computation of E(h) and Phi(h) for
// x' = A x + b into `e` and `phi`, f64 locals the caller declared on the propagator's
// pattern: with M = A h' (h' = h 2^-s, the f64 local `scaled_h`), S = sum_k M^k / (k+1)!
// by Horner in a `for` loop, E = M S, Phi = h' S, then `doublings` (u32, = s) doublings in
// another. `a` holds A's non-zero entries as f64 locals.
void emit_propagator(ir::Kernel& k, ir::Block& out, const LocalMatrix& a, ir::LocalId scaled_h, ir::ExprPtr doublings,
                     const LocalMatrix& e, const LocalMatrix& phi, ir::SourceRange range);

}  // namespace gennc::passes
