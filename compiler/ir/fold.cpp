#include "ir/fold.h"

#include <cmath>

namespace gennc::ir {

double round_to(Type t, double v) {
  switch (t) {
    case Type::F32: return static_cast<double>(static_cast<float>(v));
    case Type::F64: return v;
    case Type::Bool: return v != 0.0 ? 1.0 : 0.0;
    case Type::I32: return static_cast<double>(static_cast<std::int32_t>(v));
    case Type::U32: return static_cast<double>(static_cast<std::uint32_t>(v));
    case Type::U64: return static_cast<double>(static_cast<std::uint64_t>(v));
  }
  return v;
}

ExprPtr make_const(Type t, double v) {
  if (is_float(t)) return fconst(t, round_to(t, v));
  if (t == Type::Bool) return bconst(v != 0.0);
  if (t == Type::U64) return iconst(t, static_cast<std::int64_t>(static_cast<std::uint64_t>(v)));
  return iconst(t, static_cast<std::int64_t>(round_to(t, v)));
}

namespace {

bool is_value(const Expr& e, double v) { return e.kind == ExprKind::Const && const_value(e) == v; }

// Integer arithmetic in the width of the type (wrap-around as the target does).
std::int64_t int_op(Type t, BinaryOp op, std::int64_t a, std::int64_t b, bool* ok) {
  auto wrap = [t](std::uint64_t x) -> std::int64_t {
    if (t == Type::I32) return static_cast<std::int32_t>(static_cast<std::uint32_t>(x));
    if (t == Type::U32) return static_cast<std::uint32_t>(x);
    return static_cast<std::int64_t>(x);
  };
  std::uint64_t ua = static_cast<std::uint64_t>(a), ub = static_cast<std::uint64_t>(b);
  switch (op) {
    case BinaryOp::Add: return wrap(ua + ub);
    case BinaryOp::Sub: return wrap(ua - ub);
    case BinaryOp::Mul: return wrap(ua * ub);
    case BinaryOp::BitAnd: return wrap(ua & ub);
    case BinaryOp::Div:
    case BinaryOp::Rem:
      if (b == 0 || (t == Type::I32 && a == INT32_MIN && b == -1)) {
        *ok = false;  // left for the target to trap or not
        return 0;
      }
      if (t == Type::I32) return op == BinaryOp::Div ? a / b : a % b;
      return wrap(op == BinaryOp::Div ? ua / ub : ua % ub);
    default: *ok = false; return 0;
  }
}

bool compare(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::Lt: return a < b;
    case BinaryOp::Le: return a <= b;
    case BinaryOp::Gt: return a > b;
    case BinaryOp::Ge: return a >= b;
    case BinaryOp::Eq: return a == b;
    case BinaryOp::Ne: return a != b;
    default: return false;
  }
}

double math(MathFn fn, double a, double b) {
  switch (fn) {
    case MathFn::Exp: return std::exp(a);
    case MathFn::Expm1: return std::expm1(a);
    case MathFn::Log: return std::log(a);
    case MathFn::Log1p: return std::log1p(a);
    case MathFn::Log10: return std::log10(a);
    case MathFn::Sqrt: return std::sqrt(a);
    case MathFn::Pow: return std::pow(a, b);
    case MathFn::Sin: return std::sin(a);
    case MathFn::Cos: return std::cos(a);
    case MathFn::Tan: return std::tan(a);
    case MathFn::Sinh: return std::sinh(a);
    case MathFn::Cosh: return std::cosh(a);
    case MathFn::Tanh: return std::tanh(a);
    case MathFn::Fabs: return std::fabs(a);
    case MathFn::Fmin: return std::fmin(a, b);
    case MathFn::Fmax: return std::fmax(a, b);
    case MathFn::Floor: return std::floor(a);
    case MathFn::Ceil: return std::ceil(a);
    case MathFn::Round: return std::round(a);
  }
  return a;
}

ExprPtr fold_binary(ExprPtr e) {
  Expr& a = *e->operands[0];
  Expr& b = *e->operands[1];
  Type t = a.type;
  if (is_const(a) && is_const(b)) {
    if (is_comparison(e->binary)) {
      if (is_float(t) || t == Type::Bool) return bconst(compare(e->binary, const_value(a), const_value(b)));
      if (t == Type::U64) {
        auto x = static_cast<std::uint64_t>(a.integer), y = static_cast<std::uint64_t>(b.integer);
        return bconst(compare(e->binary, x < y ? -1.0 : x > y ? 1.0 : 0.0, 0.0));
      }
      return bconst(compare(e->binary, static_cast<double>(a.integer), static_cast<double>(b.integer)));
    }
    if (e->binary == BinaryOp::And) return bconst(a.integer && b.integer);
    if (e->binary == BinaryOp::Or) return bconst(a.integer || b.integer);
    if (is_float(t)) {
      double x = a.number, y = b.number, r = 0;
      switch (e->binary) {
        case BinaryOp::Add: r = x + y; break;
        case BinaryOp::Sub: r = x - y; break;
        case BinaryOp::Mul: r = x * y; break;
        case BinaryOp::Div: r = x / y; break;
        case BinaryOp::Rem: r = std::fmod(x, y); break;
        default: return e;
      }
      return make_const(t, r);
    }
    bool ok = true;
    std::int64_t r = int_op(t, e->binary, a.integer, b.integer, &ok);
    if (ok) return iconst(t, r);
    return e;
  }
  // Exact identities only: no reassociation, nothing that changes a float result.
  switch (e->binary) {
    case BinaryOp::Add:
      if (is_value(b, 0)) return std::move(e->operands[0]);
      if (is_value(a, 0) && !is_float(t)) return std::move(e->operands[1]);
      break;
    case BinaryOp::Sub:
      if (is_value(b, 0)) return std::move(e->operands[0]);
      break;
    case BinaryOp::Mul:
      if (is_value(b, 1)) return std::move(e->operands[0]);
      if (is_value(a, 1)) return std::move(e->operands[1]);
      break;
    case BinaryOp::Div:
      if (is_value(b, 1)) return std::move(e->operands[0]);
      break;
    case BinaryOp::And:
      if (is_const(a)) return a.integer ? std::move(e->operands[1]) : bconst(false);
      if (is_const(b) && b.integer) return std::move(e->operands[0]);
      break;
    case BinaryOp::Or:
      if (is_const(a)) return a.integer ? bconst(true) : std::move(e->operands[1]);
      if (is_const(b) && !b.integer) return std::move(e->operands[0]);
      break;
    default: break;
  }
  return e;
}

}  // namespace

ExprPtr fold(ExprPtr e) {
  for (ExprPtr& op : e->operands) op = fold(std::move(op));
  switch (e->kind) {
    case ExprKind::Unary: {
      Expr& x = *e->operands[0];
      if (is_const(x)) {
        if (e->unary == UnaryOp::Not) return bconst(!x.integer);
        if (is_float(x.type)) return fconst(x.type, -x.number);
        bool ok = true;
        std::int64_t r = int_op(x.type, BinaryOp::Sub, 0, x.integer, &ok);
        return iconst(x.type, r);
      }
      if (x.kind == ExprKind::Unary && x.unary == e->unary) return std::move(x.operands[0]);
      return e;
    }
    case ExprKind::Binary: return fold_binary(std::move(e));
    case ExprKind::Select:
      if (is_const(*e->operands[0])) return std::move(e->operands[e->operands[0]->integer ? 1 : 2]);
      if (equal(*e->operands[1], *e->operands[2])) return std::move(e->operands[1]);
      return e;
    case ExprKind::Call: {
      for (const ExprPtr& op : e->operands)
        if (!is_const(*op)) return e;
      double b = e->operands.size() > 1 ? e->operands[1]->number : 0.0;
      return make_const(e->type, math(e->fn, e->operands[0]->number, b));
    }
    case ExprKind::Cast: {
      Expr& x = *e->operands[0];
      if (x.type == e->type) return std::move(e->operands[0]);
      if (!is_const(x)) return e;
      if (x.type == Type::U64 && e->type != Type::Bool && !is_float(e->type))
        return make_const(e->type, static_cast<double>(static_cast<std::uint64_t>(x.integer)));
      return make_const(e->type, const_value(x));
    }
    default: return e;
  }
}

}  // namespace gennc::ir
