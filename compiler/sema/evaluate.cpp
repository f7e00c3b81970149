#include "sema/evaluate.h"

#include <cmath>

#include "sema/checker.h"

namespace gennc::sema {

namespace {

class Evaluator {
 public:
  Evaluator(const Program& p, const ConstLookup& lookup) : p_(p), lookup_(lookup) {}

  std::optional<ConstValue> eval(const ast::Expr* e) {
    if (!e) return std::nullopt;
    auto type = p_.types.find(e);
    if (type == p_.types.end() || type->second.is_error()) return std::nullopt;
    switch (e->kind) {
      case ast::ExprKind::Number: return number(static_cast<const ast::NumberLit*>(e)->value);
      case ast::ExprKind::Quantity:
      case ast::ExprKind::Name: {
        if (auto lit = p_.literal_values.find(e); lit != p_.literal_values.end()) return number(lit->second);
        auto sym = p_.symbols.find(e);
        if (sym == p_.symbols.end() || !lookup_) return std::nullopt;
        return lookup_(*sym->second);
      }
      case ast::ExprKind::Bool: return boolean(static_cast<const ast::BoolLit*>(e)->value);
      case ast::ExprKind::String: {
        ConstValue v;
        v.kind = ConstValue::Kind::String;
        v.text = static_cast<const ast::StringLit*>(e)->value;
        return v;
      }
      case ast::ExprKind::List: {
        ConstValue v;
        v.kind = ConstValue::Kind::List;
        for (const auto& el : static_cast<const ast::ListLit*>(e)->elements) {
          auto x = eval(el.get());
          if (!x) return std::nullopt;
          if (x->kind == ConstValue::Kind::List)
            v.rows.push_back(x->list);
          else if (x->kind == ConstValue::Kind::Number || x->kind == ConstValue::Kind::Bool)
            v.list.push_back(x->number);
          else
            return std::nullopt;
        }
        return v;
      }
      case ast::ExprKind::Unary: {
        auto* u = static_cast<const ast::UnaryExpr*>(e);
        auto x = scalar(u->operand.get());
        if (!x) return std::nullopt;
        switch (u->op) {
          case ast::UnaryOp::Neg: return number(-*x);
          case ast::UnaryOp::Plus: return number(*x);
          case ast::UnaryOp::Not: return boolean(*x == 0.0);
        }
        return std::nullopt;
      }
      case ast::ExprKind::Binary: return binary(static_cast<const ast::BinaryExpr*>(e));
      case ast::ExprKind::Conditional: {
        auto* c = static_cast<const ast::ConditionalExpr*>(e);
        auto cond = scalar(c->cond.get());
        if (!cond) return std::nullopt;
        return eval(*cond != 0.0 ? c->then.get() : c->otherwise.get());
      }
      case ast::ExprKind::Call: return call(static_cast<const ast::CallExpr*>(e), type->second);
      case ast::ExprKind::Index: {
        auto* ix = static_cast<const ast::IndexExpr*>(e);
        auto base = eval(ix->base.get());
        auto index = scalar(ix->index.get());
        if (!base || !index || base->kind != ConstValue::Kind::List) return std::nullopt;
        auto i = static_cast<long long>(*index);
        if (i < 0 || static_cast<std::size_t>(i) >= base->list.size()) return std::nullopt;
        return number(base->list[static_cast<std::size_t>(i)]);
      }
      case ast::ExprKind::Slice:
      case ast::ExprKind::Member: return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  static ConstValue number(double x) {
    ConstValue v;
    v.number = x;
    return v;
  }
  static ConstValue boolean(bool b) {
    ConstValue v;
    v.kind = ConstValue::Kind::Bool;
    v.number = b ? 1.0 : 0.0;
    return v;
  }

  std::optional<double> scalar(const ast::Expr* e) {
    auto v = eval(e);
    if (!v || (v->kind != ConstValue::Kind::Number && v->kind != ConstValue::Kind::Bool)) return std::nullopt;
    return v->number;
  }

  std::optional<ConstValue> binary(const ast::BinaryExpr* e) {
    auto a = scalar(e->lhs.get());
    auto b = scalar(e->rhs.get());
    if (!a || !b) return std::nullopt;
    switch (e->op) {
      case ast::BinaryOp::Add: return number(*a + *b);
      case ast::BinaryOp::Sub: return number(*a - *b);
      case ast::BinaryOp::Mul: return number(*a * *b);
      case ast::BinaryOp::Div: return number(*a / *b);
      case ast::BinaryOp::Mod: return number(std::fmod(*a, *b));
      case ast::BinaryOp::Pow: return number(std::pow(*a, *b));
      case ast::BinaryOp::Lt: return boolean(*a < *b);
      case ast::BinaryOp::Le: return boolean(*a <= *b);
      case ast::BinaryOp::Gt: return boolean(*a > *b);
      case ast::BinaryOp::Ge: return boolean(*a >= *b);
      case ast::BinaryOp::Eq: return boolean(*a == *b);
      case ast::BinaryOp::Ne: return boolean(*a != *b);
      case ast::BinaryOp::And: return boolean(*a != 0.0 && *b != 0.0);
      case ast::BinaryOp::Or: return boolean(*a != 0.0 || *b != 0.0);
    }
    return std::nullopt;
  }

  std::optional<ConstValue> call(const ast::CallExpr* e, const Type& type) {
    auto* callee = ast::dyn_cast<ast::NameRef>(e->callee.get());
    if (!callee) return std::nullopt;
    auto b = find_builtin(callee->name);
    if (!b) return std::nullopt;
    if (*b == Builtin::Len) {
      auto list = eval(e->args.empty() ? nullptr : e->args[0].value.get());
      if (!list || list->kind != ConstValue::Kind::List) return std::nullopt;
      return number(static_cast<double>(list->rows.empty() ? list->list.size() : list->rows.size()));
    }
    std::vector<double> args;
    for (const auto& a : e->args) {
      auto x = scalar(a.value.get());
      if (!x) return std::nullopt;
      args.push_back(*x);
    }
    if (type.kind == TypeKind::Distribution) {
      ConstValue v;
      v.kind = ConstValue::Kind::Distribution;
      v.distribution.kind = *b;
      v.distribution.args = args;
      return v;
    }
    auto x = args.empty() ? 0.0 : args[0];
    switch (*b) {
      case Builtin::Exp: return number(std::exp(x));
      case Builtin::Log: return number(std::log(x));
      case Builtin::Log10: return number(std::log10(x));
      case Builtin::Sqrt: return number(std::sqrt(x));
      case Builtin::Pow: return number(std::pow(x, args[1]));
      case Builtin::Sin: return number(std::sin(x));
      case Builtin::Cos: return number(std::cos(x));
      case Builtin::Tan: return number(std::tan(x));
      case Builtin::Sinh: return number(std::sinh(x));
      case Builtin::Cosh: return number(std::cosh(x));
      case Builtin::Tanh: return number(std::tanh(x));
      case Builtin::Abs: return number(std::abs(x));
      case Builtin::Floor: return number(std::floor(x));
      case Builtin::Ceil: return number(std::ceil(x));
      case Builtin::Min: {
        double m = x;
        for (double y : args) m = std::min(m, y);
        return number(m);
      }
      case Builtin::Max: {
        double m = x;
        for (double y : args) m = std::max(m, y);
        return number(m);
      }
      case Builtin::Clip: return number(std::min(std::max(x, args[1]), args[2]));
      default: return std::nullopt;  // random draws in model code, emit, hooks: not constant
    }
  }

  const Program& p_;
  const ConstLookup& lookup_;
};

}  // namespace

std::optional<ConstValue> evaluate(const ast::Expr* e, const Program& program, const ConstLookup& lookup) {
  return Evaluator(program, lookup).eval(e);
}

}  // namespace gennc::sema
