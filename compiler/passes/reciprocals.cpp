#include "passes/reciprocals.h"

#include <cmath>

namespace gennc::passes {

using namespace ir;

namespace {

// Whether `e` divides by a constant whose reciprocal the expression's type holds as a
// normal number (so no overflow, underflow or subnormal rounding enters).
bool divides_by_usable_constant(const Expr& e) {
  if (e.kind != ExprKind::Binary || e.binary != BinaryOp::Div || !is_float(e.type)) return false;
  const Expr& divisor = *e.operands[1];
  if (divisor.kind != ExprKind::Const) return false;
  const double reciprocal = 1.0 / divisor.number;
  if (e.type == Type::F32) return std::isnormal(static_cast<float>(reciprocal));
  return std::isnormal(reciprocal);
}

}  // namespace

void multiply_by_reciprocals(Block& block) {
  for_each_expr_slot(block, [](ExprPtr& slot) {
    if (!divides_by_usable_constant(*slot)) return;
    // In place, so that the numerator's own divisions are visited next.
    slot->binary = BinaryOp::Mul;
    slot->operands[1] = fconst(slot->type, 1.0 / slot->operands[1]->number);
  });
}

}  // namespace gennc::passes
