// A rewrite used by solve_odes's explicit schemes. Not a pass: it changes the statements
// it is given and nothing else.
#pragma once

#include "ir/ir.h"

namespace gennc::passes {

// Turns every floating-point division by a constant in `block`, `x / c`, into a
// multiplication by the reciprocal computed in double, `x * (1 / c)`, where the reciprocal
// is a finite normal number of the expression's type. A division costs 4-20 times a
// multiplication and blocks throughput on CPUs and GPUs alike; LLVM may not make this
// change without fast-math because the result may differ by one unit in the last place
// (not when c is a power of two). RK4 evaluates each right-hand side four times per step,
// so a model's time constants and capacitance, specialised into constants, are where these
// divisions are.
void multiply_by_reciprocals(ir::Block& block);

}  // namespace gennc::passes
