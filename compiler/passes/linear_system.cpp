#include "passes/linear_system.h"

#include <algorithm>

namespace gennc::passes {

using namespace ir;

bool reads_local(const Expr& e, LocalId id) {
  if (e.kind == ExprKind::Local && e.local == id) return true;
  return std::any_of(e.operands.begin(), e.operands.end(), [id](const ExprPtr& op) { return reads_local(*op, id); });
}

namespace {

bool reads_any(const Expr& e, const std::vector<LocalId>& states) {
  return std::any_of(states.begin(), states.end(), [&](LocalId s) { return reads_local(e, s); });
}

bool reads_time(const Expr& e) {
  if (e.kind == ExprKind::Input && e.input == Input::Time) return true;
  return std::any_of(e.operands.begin(), e.operands.end(), [](const ExprPtr& op) { return reads_time(*op); });
}

ExprPtr scale(ExprPtr term, const Expr& factor, bool divide, bool factor_first) {
  if (!term) return nullptr;
  if (divide) return binary(BinaryOp::Div, std::move(term), clone(factor));
  return factor_first ? binary(BinaryOp::Mul, clone(factor), std::move(term))
                      : binary(BinaryOp::Mul, std::move(term), clone(factor));
}

// coefficients[j] for each state, then the constant term.
struct Affine {
  std::vector<ExprPtr> coeff;
  ExprPtr rest;
};

std::optional<Affine> decompose(const Expr& e, const std::vector<LocalId>& states) {
  Affine out;
  out.coeff.resize(states.size());
  if (!reads_any(e, states)) {
    out.rest = clone(e);
    return out;
  }
  switch (e.kind) {
    case ExprKind::Local: {
      auto it = std::find(states.begin(), states.end(), e.local);
      out.coeff[static_cast<std::size_t>(it - states.begin())] = is_float(e.type) ? fconst(e.type, 1.0) : iconst(e.type, 1);
      return out;
    }
    case ExprKind::Unary: {
      if (e.unary != UnaryOp::Neg) return std::nullopt;
      auto x = decompose(*e.operands[0], states);
      if (!x) return std::nullopt;
      for (auto& c : x->coeff)
        if (c) c = unary(UnaryOp::Neg, std::move(c));
      if (x->rest) x->rest = unary(UnaryOp::Neg, std::move(x->rest));
      return x;
    }
    case ExprKind::Binary: {
      const Expr& l = *e.operands[0];
      const Expr& r = *e.operands[1];
      switch (e.binary) {
        case BinaryOp::Add:
        case BinaryOp::Sub: {
          auto a = decompose(l, states);
          auto b = decompose(r, states);
          if (!a || !b) return std::nullopt;
          bool sub = e.binary == BinaryOp::Sub;
          auto combine = [&](ExprPtr x, ExprPtr y) -> ExprPtr {
            if (!y) return x;
            if (!x) return sub ? unary(UnaryOp::Neg, std::move(y)) : std::move(y);
            return binary(sub ? BinaryOp::Sub : BinaryOp::Add, std::move(x), std::move(y));
          };
          for (std::size_t j = 0; j < states.size(); ++j)
            out.coeff[j] = combine(std::move(a->coeff[j]), std::move(b->coeff[j]));
          out.rest = combine(std::move(a->rest), std::move(b->rest));
          return out;
        }
        case BinaryOp::Mul: {
          bool l_free = !reads_any(l, states), r_free = !reads_any(r, states);
          if (!l_free && !r_free) return std::nullopt;
          auto x = decompose(l_free ? r : l, states);
          if (!x) return std::nullopt;
          const Expr& factor = l_free ? l : r;
          for (auto& c : x->coeff) c = scale(std::move(c), factor, false, l_free);
          x->rest = scale(std::move(x->rest), factor, false, l_free);
          return x;
        }
        case BinaryOp::Div: {
          if (reads_any(r, states)) return std::nullopt;
          auto x = decompose(l, states);
          if (!x) return std::nullopt;
          for (auto& c : x->coeff) c = scale(std::move(c), r, true, false);
          x->rest = scale(std::move(x->rest), r, true, false);
          return x;
        }
        default: return std::nullopt;
      }
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<AffineSystem> affine_system(const std::vector<LocalId>& states, const std::vector<const Expr*>& rhs) {
  AffineSystem sys;
  for (const Expr* e : rhs) {
    auto d = decompose(*e, states);
    if (!d) return std::nullopt;
    if (d->rest && reads_time(*d->rest)) return std::nullopt;
    for (const auto& c : d->coeff)
      if (c && reads_time(*c)) return std::nullopt;
    sys.a.push_back(std::move(d->coeff));
    sys.b.push_back(std::move(d->rest));
  }
  return sys;
}

std::optional<ExprPtr> coefficient_of(LocalId x, const Expr& e, bool* depends) {
  auto d = decompose(e, {x});
  *depends = reads_local(e, x);
  if (!d) return std::nullopt;
  return std::move(d->coeff[0]);
}

bool is_step_invariant(const Expr& e, const Module& m) {
  switch (e.kind) {
    case ExprKind::Const: break;
    case ExprKind::Input:
      if (e.input != Input::Dt) return false;
      break;
    case ExprKind::Load: {
      const Array& a = m.arrays[e.array];
      if (!(a.flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED))) return false;
      const Expr& index = *e.operands[0];
      // Per element at the element's index, or one value (a scalar) at a constant one.
      if (index.kind == ExprKind::Input && index.input == Input::Index) return true;
      return a.scope == GENNC_SCOPE_SCALAR && index.kind == ExprKind::Const;
    }
    case ExprKind::Local:
    case ExprKind::Random: return false;
    default: break;
  }
  return std::all_of(e.operands.begin(), e.operands.end(),
                     [&](const ExprPtr& op) { return is_step_invariant(*op, m); });
}

}  // namespace gennc::passes
