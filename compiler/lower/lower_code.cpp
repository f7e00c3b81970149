#include "lower/lower_code.h"

#include <cstring>

#include "ir/fold.h"
#include "ir/internal_error.h"

namespace gennc::lower {

namespace {
const char* kWhere = "lowering to IR";

MathFn math_fn(sema::Builtin b) {
  switch (b) {
    case sema::Builtin::Exp: return MathFn::Exp;
    case sema::Builtin::Log: return MathFn::Log;
    case sema::Builtin::Log10: return MathFn::Log10;
    case sema::Builtin::Sqrt: return MathFn::Sqrt;
    case sema::Builtin::Pow: return MathFn::Pow;
    case sema::Builtin::Sin: return MathFn::Sin;
    case sema::Builtin::Cos: return MathFn::Cos;
    case sema::Builtin::Tan: return MathFn::Tan;
    case sema::Builtin::Sinh: return MathFn::Sinh;
    case sema::Builtin::Cosh: return MathFn::Cosh;
    case sema::Builtin::Tanh: return MathFn::Tanh;
    case sema::Builtin::Floor: return MathFn::Floor;
    case sema::Builtin::Ceil: return MathFn::Ceil;
    default: internal_error(kWhere, "not a math builtin");
  }
}
}  // namespace

CodeLowerer::CodeLowerer(const sema::Program& program, Module& module, Kernel& kernel)
    : program_(program), module_(module), kernel_(kernel) {}

void CodeLowerer::bind(const sema::Symbol* s, ExprPtr value) { bindings_[s] = std::move(value); }

const Expr* CodeLowerer::binding(const sema::Symbol* s) const {
  auto it = bindings_.find(s);
  return it == bindings_.end() ? nullptr : it->second.get();
}

Type CodeLowerer::type_of(const sema::Type& t) const {
  switch (t.kind) {
    case sema::TypeKind::Bool: return Type::Bool;
    case sema::TypeKind::Int: return Type::I32;
    default: return module_.real;
  }
}

Type CodeLowerer::sema_type(const ast::Expr* e) const {
  const sema::Type* t = program_.type_of(e);
  GENNC_IR_ASSERT(t, kWhere, "expression without a type");
  return type_of(*t);
}

ExprPtr CodeLowerer::coerce(ExprPtr x, Type t) {
  if (x->type == t) return x;
  if (t == Type::Bool) {
    Type xt = x->type;
    return ir::binary(BinaryOp::Ne, std::move(x), is_float(xt) ? fconst(xt, 0.0) : iconst(xt, 0));
  }
  return cast(t, std::move(x));
}

ExprPtr CodeLowerer::expr_as(const ast::Expr* e, Type t) { return coerce(expr(e), t); }

ExprPtr CodeLowerer::expr(const ast::Expr* e) {
  using ast::ExprKind;
  switch (e->kind) {
    case ExprKind::Number: {
      auto* n = static_cast<const ast::NumberLit*>(e);
      Type t = sema_type(e);
      return is_float(t) ? fconst(t, round_to(t, n->value)) : iconst(t, static_cast<std::int64_t>(n->value));
    }
    case ExprKind::Quantity: {
      auto it = program_.literal_values.find(e);
      GENNC_IR_ASSERT(it != program_.literal_values.end(), kWhere, "quantity without a value");
      return make_real(it->second);
    }
    case ExprKind::Bool: return bconst(static_cast<const ast::BoolLit*>(e)->value);
    case ExprKind::Name:
    case ExprKind::Member: return name(e);
    case ExprKind::Unary: {
      auto* u = static_cast<const ast::UnaryExpr*>(e);
      Type t = sema_type(e);
      switch (u->op) {
        case ast::UnaryOp::Plus: return expr_as(u->operand.get(), t);
        case ast::UnaryOp::Neg: return unary(UnaryOp::Neg, expr_as(u->operand.get(), t));
        case ast::UnaryOp::Not: return unary(UnaryOp::Not, expr_as(u->operand.get(), Type::Bool));
      }
      break;
    }
    case ExprKind::Binary: return binary(static_cast<const ast::BinaryExpr*>(e));
    case ExprKind::Conditional: {
      auto* c = static_cast<const ast::ConditionalExpr*>(e);
      Type t = sema_type(e);
      return select(expr_as(c->cond.get(), Type::Bool), expr_as(c->then.get(), t), expr_as(c->otherwise.get(), t));
    }
    case ExprKind::Call: return call(static_cast<const ast::CallExpr*>(e));
    case ExprKind::Index: {
      auto* ix = static_cast<const ast::IndexExpr*>(e);
      const sema::Symbol* list = program_.symbol_of(ix->base.get());
      GENNC_IR_ASSERT(list && list_element, kWhere, "indexing something that is not a list parameter");
      ExprPtr index = coerce(expr_as(ix->index.get(), Type::I32), Type::U32);
      return list_element(list, std::move(index));
    }
    default: break;
  }
  internal_error(kWhere, "expression kind not allowed in model code");
}

ExprPtr CodeLowerer::name(const ast::Expr* e) {
  const sema::Symbol* s = program_.symbol_of(e);
  auto lit = program_.literal_values.find(e);
  if (lit != program_.literal_values.end()) return make_real(lit->second);
  GENNC_IR_ASSERT(s, kWhere, "name without a symbol");
  switch (s->kind) {
    case sema::SymbolKind::Time: return coerce(input(Input::Time), module_.real);
    case sema::SymbolKind::Dt: return coerce(input(Input::Dt), module_.real);
    case sema::SymbolKind::Unit:
    case sema::SymbolKind::NetworkConstant:
      if (s->value && s->value->size() == 1) return coerce(fconst(Type::F64, s->value->front()), type_of(s->type));
      break;
    default: break;
  }
  auto it = bindings_.find(s);
  if (it == bindings_.end() && resolve)
    if (ExprPtr e = resolve(s)) return e;
  GENNC_IR_ASSERT(it != bindings_.end(), kWhere, "'" + s->name + "' has no meaning in kernel " + kernel_.name);
  return clone(*it->second);
}

ExprPtr CodeLowerer::make_real(double v) const { return fconst(module_.real, round_to(module_.real, v)); }

ExprPtr CodeLowerer::binary(const ast::BinaryExpr* e) {
  using ast::BinaryOp;
  Type t = sema_type(e);
  auto operands_as = [&](Type ot) {
    return std::make_pair(expr_as(e->lhs.get(), ot), expr_as(e->rhs.get(), ot));
  };
  switch (e->op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Mod: {
      auto [a, b] = operands_as(t);
      ir::BinaryOp op = e->op == BinaryOp::Add   ? ir::BinaryOp::Add
                        : e->op == BinaryOp::Sub ? ir::BinaryOp::Sub
                        : e->op == BinaryOp::Mul ? ir::BinaryOp::Mul
                        : e->op == BinaryOp::Div ? ir::BinaryOp::Div
                                                 : ir::BinaryOp::Rem;
      return ir::binary(op, std::move(a), std::move(b));
    }
    case BinaryOp::Pow: {
      // x ^ n with a small constant integer n is a product (exact, and cheaper than pow).
      Type rt = is_float(t) ? t : module_.real;
      if (auto* n = ast::dyn_cast<ast::NumberLit>(e->rhs.get()); n && n->is_integer && n->value >= 1 && n->value <= 4) {
        ExprPtr x = expr_as(e->lhs.get(), rt);
        ExprPtr product = clone(*x);
        for (int i = 1; i < static_cast<int>(n->value); ++i) product = ir::binary(ir::BinaryOp::Mul, std::move(product), clone(*x));
        return coerce(std::move(product), t);
      }
      std::vector<ExprPtr> args;
      args.push_back(expr_as(e->lhs.get(), rt));
      args.push_back(expr_as(e->rhs.get(), rt));
      return coerce(ir::call(MathFn::Pow, std::move(args)), t);
    }
    case BinaryOp::And:
    case BinaryOp::Or: {
      auto [a, b] = operands_as(Type::Bool);
      return ir::binary(e->op == BinaryOp::And ? ir::BinaryOp::And : ir::BinaryOp::Or, std::move(a), std::move(b));
    }
    default: {
      Type lt = sema_type(e->lhs.get()), rt = sema_type(e->rhs.get());
      Type common = lt == rt ? lt : (is_float(lt) || is_float(rt)) ? module_.real : Type::I32;
      auto [a, b] = operands_as(common);
      ir::BinaryOp op = e->op == BinaryOp::Lt   ? ir::BinaryOp::Lt
                        : e->op == BinaryOp::Le ? ir::BinaryOp::Le
                        : e->op == BinaryOp::Gt ? ir::BinaryOp::Gt
                        : e->op == BinaryOp::Ge ? ir::BinaryOp::Ge
                        : e->op == BinaryOp::Eq ? ir::BinaryOp::Eq
                                                : ir::BinaryOp::Ne;
      return ir::binary(op, std::move(a), std::move(b));
    }
  }
}

std::vector<const ast::Expr*> CodeLowerer::call_args(const ast::CallExpr* e, std::initializer_list<const char*> names) {
  std::vector<const ast::Expr*> out(names.size(), nullptr);
  std::size_t next = 0;
  for (const ast::Arg& a : e->args) {
    std::size_t slot = next;
    if (!a.name.empty()) {
      std::size_t k = 0;
      for (const char* n : names) {
        if (a.name == n) slot = k;
        ++k;
      }
    } else {
      ++next;
    }
    if (slot < out.size()) out[slot] = a.value.get();
  }
  for (const ast::Expr* a : out) GENNC_IR_ASSERT(a, kWhere, "call with a missing argument");
  return out;
}

ExprPtr CodeLowerer::call(const ast::CallExpr* e) {
  auto it = program_.callees.find(e);
  GENNC_IR_ASSERT(it != program_.callees.end(), kWhere, "call without a callee");
  sema::Builtin b = it->second.builtin;
  Type t = sema_type(e);
  using sema::Builtin;
  switch (b) {
    case Builtin::Abs:
    case Builtin::Min:
    case Builtin::Max: {
      std::vector<ExprPtr> args;
      for (const ast::Arg& a : e->args) args.push_back(expr_as(a.value.get(), t));
      if (is_float(t)) {
        MathFn fn = b == Builtin::Abs ? MathFn::Fabs : b == Builtin::Min ? MathFn::Fmin : MathFn::Fmax;
        return ir::call(fn, std::move(args));
      }
      if (b == Builtin::Abs) {
        ExprPtr x = std::move(args[0]);
        ExprPtr neg = unary(UnaryOp::Neg, clone(*x));
        ExprPtr is_neg = ir::binary(BinaryOp::Lt, clone(*x), iconst(t, 0));
        return select(std::move(is_neg), std::move(neg), std::move(x));
      }
      ExprPtr less = ir::binary(b == Builtin::Min ? BinaryOp::Lt : BinaryOp::Gt, clone(*args[0]), clone(*args[1]));
      return select(std::move(less), std::move(args[0]), std::move(args[1]));
    }
    case Builtin::Clip: {
      auto a = call_args(e, {"x", "low", "high"});
      Type ft = is_float(t) ? t : module_.real;
      std::vector<ExprPtr> lo;
      lo.push_back(expr_as(a[0], ft));
      lo.push_back(expr_as(a[1], ft));
      std::vector<ExprPtr> hi;
      hi.push_back(ir::call(MathFn::Fmax, std::move(lo)));
      hi.push_back(expr_as(a[2], ft));
      return coerce(ir::call(MathFn::Fmin, std::move(hi)), t);
    }
    case Builtin::Len: {
      const sema::Symbol* list = program_.symbol_of(e->args.at(0).value.get());
      GENNC_IR_ASSERT(list && list_length, kWhere, "len of something that is not a list parameter");
      return coerce(list_length(list), t);
    }
    case Builtin::Resolution: return coerce(input(Input::Dt), t);
    case Builtin::Uniform: case Builtin::Normal: case Builtin::NormalClipped: case Builtin::Exponential:
    case Builtin::Gamma: case Builtin::Lognormal: case Builtin::Poisson: case Builtin::Binomial:
    case Builtin::UniformInt:
      return coerce(draw(b, e), t);
    case Builtin::Emit:
    case Builtin::Potentiate:
    case Builtin::Depress:
      internal_error(kWhere, "statement call used as a value");
    default: {
      Type ft = is_float(t) ? t : module_.real;
      std::vector<ExprPtr> args;
      for (const ast::Arg& a : e->args) args.push_back(expr_as(a.value.get(), ft));
      return coerce(ir::call(math_fn(b), std::move(args)), t);
    }
  }
}

ExprPtr CodeLowerer::draw(sema::Builtin b, const ast::CallExpr* e) {
  using sema::Builtin;
  Distribution d = Distribution::Uniform;
  std::vector<const ast::Expr*> a;
  switch (b) {
    case Builtin::Uniform: d = Distribution::Uniform; a = call_args(e, {"low", "high"}); break;
    case Builtin::Normal:
      // A single-precision build draws its kernels' normals in single precision too
      // (gennc/random.h, docs/runtime.md): the double transform costs a GPU thread several
      // hundred instructions and does not vectorise on the CPU.
      d = module_.real == Type::F32 ? Distribution::NormalSingle : Distribution::Normal;
      a = call_args(e, {"mu", "sigma"});
      break;
    case Builtin::NormalClipped:
      d = Distribution::NormalClipped;
      a = call_args(e, {"mu", "sigma", "low", "high"});
      break;
    case Builtin::Exponential: d = Distribution::Exponential; a = call_args(e, {"beta"}); break;
    case Builtin::Gamma: d = Distribution::Gamma; a = call_args(e, {"k", "theta"}); break;
    case Builtin::Lognormal: d = Distribution::Lognormal; a = call_args(e, {"mu", "sigma"}); break;
    case Builtin::Poisson: d = Distribution::Poisson; a = call_args(e, {"lambda"}); break;
    case Builtin::Binomial: d = Distribution::Binomial; a = call_args(e, {"n", "p"}); break;
    default: d = Distribution::UniformInt; a = call_args(e, {"low", "high"}); break;
  }
  GENNC_IR_ASSERT(draw_index_, kWhere, "random draw in a kernel without a draw index");
  std::vector<ExprPtr> params;
  for (const ast::Expr* p : a) params.push_back(expr_as(p, Type::F64));
  return random(d, module_.new_stream(), input(Input::Step), clone(*draw_index_),
                draw_number_ ? clone(*draw_number_) : iconst(Type::U32, 0), std::move(params));
}

void CodeLowerer::block(const ast::Block& b, Block& out) {
  for (const ast::StmtPtr& s : b.statements) statement(s.get(), out);
}

void CodeLowerer::assign(const sema::Symbol* target, ast::AssignOp op, ExprPtr value, SourceRange r, Block& out) {
  auto it = bindings_.find(target);
  GENNC_IR_ASSERT(it != bindings_.end(), kWhere, "assignment to unbound '" + target->name + "'");
  const Expr& slot = *it->second;
  Type t = slot.type;
  value = coerce(std::move(value), t);
  if (op != ast::AssignOp::Set) {
    BinaryOp bop = op == ast::AssignOp::Add   ? BinaryOp::Add
                   : op == ast::AssignOp::Sub ? BinaryOp::Sub
                   : op == ast::AssignOp::Mul ? BinaryOp::Mul
                                              : BinaryOp::Div;
    value = ir::binary(bop, clone(slot), std::move(value));
  }
  if (slot.kind == ExprKind::Local) {
    out.push_back(ir::assign(slot.local, std::move(value), r));
  } else if (slot.kind == ExprKind::Load) {
    out.push_back(store(slot.array, clone(*slot.operands[0]), std::move(value), r));
  } else {
    internal_error(kWhere, "'" + target->name + "' is not assignable in kernel " + kernel_.name);
  }
}

void CodeLowerer::statement(const ast::Stmt* s, Block& out) {
  switch (s->kind) {
    case ast::StmtKind::Let: {
      auto* let = static_cast<const ast::LetStmt*>(s);
      auto it = program_.lets.find(let);
      GENNC_IR_ASSERT(it != program_.lets.end(), kWhere, "let without a symbol");
      Type t = type_of(it->second->type);
      ExprPtr value = expr_as(let->value.get(), t);
      LocalId id = kernel_.add_local(let->name, t);
      out.push_back(ir::let(id, std::move(value), s->range));
      bind(it->second, local(id, t));
      return;
    }
    case ast::StmtKind::Assign: {
      auto* as = static_cast<const ast::AssignStmt*>(s);
      auto it = program_.assign_targets.find(as);
      GENNC_IR_ASSERT(it != program_.assign_targets.end(), kWhere, "assignment without a target");
      assign(it->second, as->op, expr(as->value.get()), s->range, out);
      return;
    }
    case ast::StmtKind::If: {
      auto* ifs = static_cast<const ast::IfStmt*>(s);
      ExprPtr cond = expr_as(ifs->cond.get(), Type::Bool);
      Block then, otherwise;
      block(ifs->then, then);
      if (ifs->otherwise) block(*ifs->otherwise, otherwise);
      out.push_back(if_(std::move(cond), std::move(then), std::move(otherwise), s->range));
      return;
    }
    case ast::StmtKind::Expr: {
      auto* es = static_cast<const ast::ExprStmt*>(s);
      auto* c = ast::dyn_cast<ast::CallExpr>(es->expr.get());
      auto it = c ? program_.callees.find(c) : program_.callees.end();
      if (it != program_.callees.end()) {
        sema::Builtin b = it->second.builtin;
        if (b == sema::Builtin::Emit) {
          GENNC_IR_ASSERT(on_emit, kWhere, "emit outside a synapse");
          on_emit(expr(c->args.at(0).value.get()), s->range, out);
          return;
        }
        if (b == sema::Builtin::Potentiate || b == sema::Builtin::Depress) {
          GENNC_IR_ASSERT(on_weight_update, kWhere, "potentiate/depress outside a plastic synapse");
          on_weight_update(b, expr_as(c->args.at(0).value.get(), module_.real), s->range, out);
          return;
        }
      }
      // A call for its value only (a draw whose result is unused): nothing to do.
      return;
    }
  }
}

}  // namespace gennc::lower
