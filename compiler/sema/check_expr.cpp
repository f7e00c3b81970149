// Type and dimension checking of expressions and statements, shared by model and network
// checks. Every checked expression gets an entry in Program::types (Error where a problem
// was reported, so that one mistake is reported once).
#include <algorithm>
#include <cmath>

#include "sema/checker.h"
#include "sema/edit_distance.h"

namespace gennc::sema {

using diag::DiagId;

// ---- Context, Scope, helpers --------------------------------------------------------

Symbol& Context::make_symbol(SymbolKind kind, std::string name, Type type) {
  Symbol& s = program.symbol_storage.emplace_back();
  s.kind = kind;
  s.name = std::move(name);
  s.type = type;
  return s;
}

Type Context::set_type(const ast::Expr* e, Type t) {
  if (e) program.types[e] = t;
  return t;
}

void Context::unknown_name(std::string_view name, diag::SourceRange where,
                           const std::vector<std::string_view>& candidates) {
  std::string best = closest_name(name, candidates);
  if (best.empty())
    diags.report(DiagId::unknown_name, where, name);
  else
    diags.report(DiagId::unknown_name_suggest, where, name, best);
}

const Symbol* Scope::lookup_here(std::string_view name) const {
  for (auto it = symbols_.rbegin(); it != symbols_.rend(); ++it)
    if ((*it)->name == name) return *it;
  return nullptr;
}

const Symbol* Scope::lookup(std::string_view name) const {
  for (const Scope* s = this; s; s = s->parent_)
    if (const Symbol* found = s->lookup_here(name)) return found;
  return nullptr;
}

void Scope::collect(std::vector<std::string_view>& out) const {
  for (const Scope* s = this; s; s = s->parent_)
    for (const Symbol* sym : s->symbols_) out.push_back(sym->name);
}

const char* describe(SymbolKind kind) {
  switch (kind) {
    case SymbolKind::Parameter: return "a parameter";
    case SymbolKind::State: return "a state variable";
    case SymbolKind::Derived: return "a derived quantity";
    case SymbolKind::Input: return "an input";
    case SymbolKind::Uses: return "a used variable";
    case SymbolKind::Local: return "a local variable";
    case SymbolKind::Argument: return "an argument";
    case SymbolKind::Time: return "the time 't'";
    case SymbolKind::Dt: return "the time step 'dt'";
    case SymbolKind::Unit: return "a unit";
    case SymbolKind::NetworkConstant: return "a network constant";
    case SymbolKind::Connection: return "a connection variable";
  }
  return "a name";
}

// Ten significant digits hide binary rounding (0.30000000000000004 prints as 0.3).
std::string format_number(double v) { return fmt::format("{:.10g}", v); }

std::optional<ResolvedUnit> resolve_type_unit(Context& ctx, const ast::UnitExpr& unit) {
  std::vector<UnitFactorRef> factors;
  for (const auto& f : unit.factors) factors.push_back({f.name, f.exponent});
  std::size_t bad = 0;
  auto r = resolve_unit(factors, &bad);
  if (!r) {
    const auto& f = unit.factors[bad];
    std::string best = suggest_unit(f.name);
    if (best.empty())
      ctx.diags.report(DiagId::unknown_unit, f.range, f.name);
    else
      ctx.diags.report(DiagId::unknown_unit_suggest, f.range, f.name, best);
  }
  return r;
}

Type resolve_type(Context& ctx, const ast::TypeExpr& t, double* scale) {
  if (scale) *scale = 1.0;
  Type r;
  switch (t.kind) {
    case ast::ScalarKind::Bool: r = Type::boolean(); break;
    case ast::ScalarKind::Int: r = Type::integer(); break;
    case ast::ScalarKind::Real: r = Type::real(); break;
    case ast::ScalarKind::Quantity: {
      auto u = resolve_type_unit(ctx, t.unit);
      if (!u) return Type::error();
      r = Type::quantity(u->dim);
      if (scale) *scale = u->scale;
      break;
    }
  }
  r.list = t.is_array;
  return r;
}

// ---- Built-in functions -------------------------------------------------------------

namespace {

struct BuiltinName {
  std::string_view name;
  Builtin builtin;
};

const std::vector<BuiltinName>& builtin_table() {
  static const std::vector<BuiltinName> table = {
      {"exp", Builtin::Exp},       {"log", Builtin::Log},
      {"log10", Builtin::Log10},   {"sqrt", Builtin::Sqrt},
      {"pow", Builtin::Pow},       {"sin", Builtin::Sin},
      {"cos", Builtin::Cos},       {"tan", Builtin::Tan},
      {"sinh", Builtin::Sinh},     {"cosh", Builtin::Cosh},
      {"tanh", Builtin::Tanh},     {"abs", Builtin::Abs},
      {"min", Builtin::Min},       {"max", Builtin::Max},
      {"clip", Builtin::Clip},     {"floor", Builtin::Floor},
      {"ceil", Builtin::Ceil},     {"len", Builtin::Len},
      {"resolution", Builtin::Resolution},
      {"uniform", Builtin::Uniform}, {"normal", Builtin::Normal},
      {"normal_clipped", Builtin::NormalClipped}, {"exponential", Builtin::Exponential},
      {"gamma", Builtin::Gamma},   {"lognormal", Builtin::Lognormal},
      {"poisson", Builtin::Poisson}, {"binomial", Builtin::Binomial},
      {"uniform_int", Builtin::UniformInt}, {"emit", Builtin::Emit},
      {"potentiate", Builtin::Potentiate}, {"depress", Builtin::Depress},
  };
  return table;
}

bool is_random(Builtin b) { return b >= Builtin::Uniform && b <= Builtin::UniformInt; }

bool is_int(const Type& t) { return !t.list && t.kind == TypeKind::Int; }

Type numeric_result(const Type& a, const Type& b, Dimension dim) {
  if (is_int(a) && is_int(b) && dim.dimensionless()) return Type::integer();
  return Type::quantity(dim);
}

const char* op_spelling(ast::BinaryOp op) {
  switch (op) {
    case ast::BinaryOp::Add: return "+";
    case ast::BinaryOp::Sub: return "-";
    case ast::BinaryOp::Mul: return "*";
    case ast::BinaryOp::Div: return "/";
    case ast::BinaryOp::Mod: return "%";
    case ast::BinaryOp::Pow: return "^";
    case ast::BinaryOp::Lt: return "<";
    case ast::BinaryOp::Le: return "<=";
    case ast::BinaryOp::Gt: return ">";
    case ast::BinaryOp::Ge: return ">=";
    case ast::BinaryOp::Eq: return "==";
    case ast::BinaryOp::Ne: return "!=";
    case ast::BinaryOp::And: return "&&";
    case ast::BinaryOp::Or: return "||";
  }
  return "?";
}

std::string quoted(const Type& t) { return to_string(t); }

}  // namespace

std::optional<Builtin> find_builtin(std::string_view name) {
  for (const auto& b : builtin_table())
    if (b.name == name) return b.builtin;
  return std::nullopt;
}

const std::vector<std::string_view>& builtin_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& b : builtin_table()) v.push_back(b.name);
    return v;
  }();
  return names;
}

const char* to_string(Builtin b) {
  for (const auto& e : builtin_table())
    if (e.builtin == b) return e.name.data();
  return "?";
}

// ---- Expressions --------------------------------------------------------------------

bool ExprChecker::assignable(const Type& t, const Type& want, bool bare_in_unit, const ast::Expr* e) {
  if (t.is_error() || want.is_error()) return true;
  // An int accepts only an int; a real accepts an int (promotion, in same_as).
  if (want.kind == TypeKind::Int && t.kind != TypeKind::Int) return false;
  if (t.same_as(want)) return true;
  if (want.list && t.list) {
    if (auto* list = ast::dyn_cast<ast::ListLit>(e); list && list->elements.empty()) return true;
  }
  if (t.list != want.list) return false;
  // A bare number given for a quantity is in the declared unit.
  bool number = t.kind == TypeKind::Int || t.kind == TypeKind::Real;
  return bare_in_unit && number && t.dim.dimensionless() && want.kind == TypeKind::Real;
}

bool ExprChecker::allowed(const Symbol& s, const ast::Expr* where) {
  bool ok = true;
  switch (restrict) {
    case Restrict::None: break;
    case Restrict::Constant:
      ok = s.kind == SymbolKind::Unit || s.kind == SymbolKind::NetworkConstant || s.kind == SymbolKind::Dt;
      break;
    case Restrict::Parameters:
      ok = s.kind == SymbolKind::Unit || s.kind == SymbolKind::NetworkConstant ||
           s.kind == SymbolKind::Parameter || s.kind == SymbolKind::Derived || s.kind == SymbolKind::Dt;
      break;
  }
  if (!ok) {
    // "parameter 'tau'", but "the time 't'" (whose description names it already).
    std::string_view kind = describe(s.kind);
    if (kind.rfind("a ", 0) == 0) kind.remove_prefix(2);
    if (kind.rfind("an ", 0) == 0) kind.remove_prefix(3);
    std::string what = s.kind == SymbolKind::Time || s.kind == SymbolKind::Dt ? std::string(kind)
                                                                              : fmt::format("{} '{}'", kind, s.name);
    auto d = ctx_.diags.report(DiagId::restricted_name, where->range, restrict_what, what);
    if (s.decl) d.note(DiagId::note_declared_here, s.decl->name_range, s.name);
  }
  return ok;
}

Type ExprChecker::check(const ast::Expr* e, const Scope& scope) {
  if (!e) return Type::error();  // a syntax error left a hole; the parser reported it
  switch (e->kind) {
    case ast::ExprKind::Number:
      return ctx_.set_type(e, static_cast<const ast::NumberLit*>(e)->is_integer ? Type::integer() : Type::real());
    case ast::ExprKind::Quantity:
      return check_quantity(static_cast<const ast::QuantityLit*>(e), scope);
    case ast::ExprKind::String:
      return ctx_.set_type(e, Type::string());
    case ast::ExprKind::Bool:
      return ctx_.set_type(e, Type::boolean());
    case ast::ExprKind::Name:
      return check_name(static_cast<const ast::NameRef*>(e), scope);
    case ast::ExprKind::List: {
      auto* list = static_cast<const ast::ListLit*>(e);
      Type elem = Type::integer();
      bool first = true, failed = false;
      for (const auto& el : list->elements) {
        Type t = check(el.get(), scope);
        if (t.is_error()) {
          failed = true;
          continue;
        }
        if (t.list || !(t.is_numeric() || t.kind == TypeKind::Bool)) {
          ctx_.diags.report(DiagId::type_mismatch, el->range, "a list element", "a number or bool", quoted(t));
          failed = true;
          continue;
        }
        if (first) {
          elem = t;
          first = false;
        } else if (!t.same_as(elem)) {
          ctx_.diags.report(DiagId::list_elements_differ, el->range, quoted(elem), quoted(t));
          failed = true;
        } else if (t.kind == TypeKind::Real) {
          elem = t;  // [1, 2.5] is a list of reals
        }
      }
      return ctx_.set_type(e, failed ? Type::error() : elem.as_list());
    }
    case ast::ExprKind::Unary: {
      auto* u = static_cast<const ast::UnaryExpr*>(e);
      Type t = check(u->operand.get(), scope);
      if (t.is_error()) return ctx_.set_type(e, t);
      if (u->op == ast::UnaryOp::Not) {
        if (t.kind != TypeKind::Bool || t.list) {
          ctx_.diags.report(DiagId::type_mismatch, u->operand->range, "the operand of '!'", "bool", quoted(t));
          return ctx_.set_type(e, Type::error());
        }
        return ctx_.set_type(e, t);
      }
      if (!t.is_numeric()) {
        ctx_.diags.report(DiagId::type_mismatch, u->operand->range,
                          u->op == ast::UnaryOp::Neg ? "the operand of '-'" : "the operand of '+'", "a number",
                          quoted(t));
        return ctx_.set_type(e, Type::error());
      }
      return ctx_.set_type(e, t);
    }
    case ast::ExprKind::Binary:
      return check_binary(static_cast<const ast::BinaryExpr*>(e), scope);
    case ast::ExprKind::Conditional: {
      auto* c = static_cast<const ast::ConditionalExpr*>(e);
      Type cond = check(c->cond.get(), scope);
      note_tested(c->cond.get());
      Type a = check(c->then.get(), scope);
      Type b = check(c->otherwise.get(), scope);
      if (!cond.is_error() && (cond.kind != TypeKind::Bool || cond.list))
        ctx_.diags.report(DiagId::type_mismatch, c->cond->range, "the condition of '?:'", "bool", quoted(cond));
      if (a.is_error() || b.is_error()) return ctx_.set_type(e, Type::error());
      if (!a.same_as(b)) {
        ctx_.diags.report(DiagId::unit_mismatch, e->range, "choose between", quoted(a), quoted(b))
            .range(c->then->range)
            .range(c->otherwise->range);
        return ctx_.set_type(e, Type::error());
      }
      return ctx_.set_type(e, is_int(a) && is_int(b) ? a : (a.kind == TypeKind::Int ? b : a));
    }
    case ast::ExprKind::Call:
      return check_call(static_cast<const ast::CallExpr*>(e), scope);
    case ast::ExprKind::Index: {
      auto* ix = static_cast<const ast::IndexExpr*>(e);
      Type base = check(ix->base.get(), scope);
      Type index = check(ix->index.get(), scope);
      if (!index.is_error() && !is_int(index))
        ctx_.diags.report(DiagId::type_mismatch, ix->index->range, "a list index", "int", quoted(index));
      if (base.is_error()) return ctx_.set_type(e, base);
      if (!base.list) {
        ctx_.diags.report(DiagId::not_a_list, ix->base->range, quoted(base));
        return ctx_.set_type(e, Type::error());
      }
      return ctx_.set_type(e, base.element());
    }
    case ast::ExprKind::Slice:
      ctx_.diags.report(DiagId::slice_outside_network, e->range);
      return ctx_.set_type(e, Type::error());
    case ast::ExprKind::Member:
      return check_member(static_cast<const ast::MemberExpr*>(e), scope);
  }
  return Type::error();
}

Type ExprChecker::check_quantity(const ast::QuantityLit* e, const Scope& scope) {
  const Unit* u = find_unit(e->unit);
  if (!u) {
    if (scope.lookup(e->unit))
      ctx_.diags.report(DiagId::unit_is_variable, e->unit_range, e->unit, format_number(e->value), e->unit);
    else if (std::string best = suggest_unit(e->unit); !best.empty())
      ctx_.diags.report(DiagId::unknown_unit_suggest, e->unit_range, e->unit, best);
    else
      ctx_.diags.report(DiagId::unknown_unit, e->unit_range, e->unit);
    return ctx_.set_type(e, Type::error());
  }
  if (u->dim.has_weight() && !weight_allowed()) {
    ctx_.diags.report(DiagId::weight_outside_synapse, e->unit_range);
    return ctx_.set_type(e, Type::error());
  }
  ctx_.program.literal_values[e] = e->value * u->scale;
  return ctx_.set_type(e, Type::quantity(u->dim));
}

Type ExprChecker::check_name(const ast::NameRef* e, const Scope& scope) {
  if (const Symbol* s = scope.lookup(e->name)) {
    ctx_.program.symbols[e] = s;
    note_external(s);
    if (!allowed(*s, e)) return ctx_.set_type(e, Type::error());
    return ctx_.set_type(e, s->type);
  }
  if (const Unit* u = find_unit(e->name); u && (!u->dim.has_weight() || weight_allowed())) {
    auto& cached = ctx_.unit_symbols[std::string(u->name)];
    if (!cached) {
      Symbol& s = ctx_.make_symbol(SymbolKind::Unit, std::string(u->name), Type::quantity(u->dim));
      s.value = std::vector<double>{u->scale};
      cached = &s;
    }
    ctx_.program.symbols[e] = cached;
    ctx_.program.literal_values[e] = u->scale;
    return ctx_.set_type(e, cached->type);
  }
  if (find_builtin(e->name)) {
    ctx_.diags.report(DiagId::function_as_value, e->range, e->name);
    return ctx_.set_type(e, Type::error());
  }
  if (model_ && model_->kind == ast::ModelKind::Synapse) {
    if (const Symbol* s = model_->find(e->name); s && s->kind == SymbolKind::Uses) {
      ctx_.diags.report(DiagId::pre_post_required, e->range, e->name, e->name, e->name)
          .note(DiagId::note_declared_here, s->decl->name_range, s->name);
      return ctx_.set_type(e, Type::error());
    }
  }
  if (unknown_hook && unknown_hook(e->name, e->range)) return ctx_.set_type(e, Type::error());
  std::vector<std::string_view> names;
  scope.collect(names);
  ctx_.unknown_name(e->name, e->range, names);
  return ctx_.set_type(e, Type::error());
}

void ExprChecker::note_external(const Symbol* s) {
  if (!externals || !s->model || s->model == model_) return;
  if (std::find(externals->begin(), externals->end(), s) == externals->end()) externals->push_back(s);
}

bool ExprChecker::weight_allowed() const { return model_ && is_synapse_side(model_->kind); }

bool is_synapse_side(ast::ModelKind kind) {
  return kind == ast::ModelKind::Synapse || kind == ast::ModelKind::TimingDependence ||
         kind == ast::ModelKind::WeightDependence;
}

Type ExprChecker::check_member(const ast::MemberExpr* e, const Scope& scope) {
  auto* base = ast::dyn_cast<ast::NameRef>(e->base.get());
  if (base && (base->name == "pre" || base->name == "post") && model_ &&
      model_->kind == ast::ModelKind::Synapse && !scope.lookup(base->name)) {
    const Symbol* decl = model_->find(e->member);
    if (decl && decl->kind == SymbolKind::Uses) {
      const auto& sides = base->name == "pre" ? ctx_.pre_side : ctx_.post_side;
      auto it = sides.find(decl);
      if (it != sides.end()) {
        ctx_.program.symbols[e] = it->second;
        if (!allowed(*it->second, e)) return ctx_.set_type(e, Type::error());
        return ctx_.set_type(e, it->second->type);
      }
    }
    std::vector<std::string_view> names;
    for (const Symbol* u : model_->uses) names.push_back(u->name);
    std::string best = closest_name(e->member, names);
    if (best.empty())
      ctx_.diags.report(DiagId::unknown_side_variable, e->member_range, e->member, base->name);
    else
      ctx_.diags.report(DiagId::unknown_side_variable_suggest, e->member_range, e->member, base->name, best);
    return ctx_.set_type(e, Type::error());
  }
  Type t = check(e->base.get(), scope);
  if (!t.is_error()) ctx_.diags.report(DiagId::unknown_member, e->member_range, quoted(t), e->member);
  return ctx_.set_type(e, Type::error());
}

std::optional<int> ExprChecker::constant_int_exponent(const ast::Expr* e) {
  if (auto* n = ast::dyn_cast<ast::NumberLit>(e)) {
    if (std::floor(n->value) == n->value && std::abs(n->value) < 64) return static_cast<int>(n->value);
    return std::nullopt;
  }
  if (auto* u = ast::dyn_cast<ast::UnaryExpr>(e)) {
    if (u->op == ast::UnaryOp::Not) return std::nullopt;
    auto v = constant_int_exponent(u->operand.get());
    if (v && u->op == ast::UnaryOp::Neg) return -*v;
    return v;
  }
  return std::nullopt;
}

// Parameters a condition tests: the model guards its own use of them (`tau_facil > 0 ms ?
// u * exp(-h / tau_facil) : 0`), so they are not taken for time constants.
void ExprChecker::note_tested(const ast::Expr* cond) {
  walk_expr(cond, [&](const ast::Expr* x) {
    if (const Symbol* s = ctx_.program.symbol_of(x); s && s->kind == SymbolKind::Parameter) ctx_.tested.insert(s);
  });
}

Type ExprChecker::check_binary(const ast::BinaryExpr* e, const Scope& scope) {
  Type a = check(e->lhs.get(), scope);
  Type b = check(e->rhs.get(), scope);
  if (a.is_error() || b.is_error()) return ctx_.set_type(e, Type::error());
  auto operand_error = [&](const ast::Expr* operand, const Type& t, const char* want) {
    ctx_.diags.report(DiagId::type_mismatch, operand->range, fmt::format("the operand of '{}'", op_spelling(e->op)),
                      want, quoted(t));
    return ctx_.set_type(e, Type::error());
  };
  auto mismatch = [&](const char* verb) {
    ctx_.diags.report(DiagId::unit_mismatch, e->op_range, verb, quoted(a), quoted(b))
        .range(e->lhs->range)
        .range(e->rhs->range);
    return ctx_.set_type(e, Type::error());
  };
  switch (e->op) {
    case ast::BinaryOp::And:
    case ast::BinaryOp::Or:
      if (a.kind != TypeKind::Bool || a.list) return operand_error(e->lhs.get(), a, "bool");
      if (b.kind != TypeKind::Bool || b.list) return operand_error(e->rhs.get(), b, "bool");
      return ctx_.set_type(e, Type::boolean());
    case ast::BinaryOp::Eq:
    case ast::BinaryOp::Ne:
      if (a.kind == TypeKind::Bool && b.kind == TypeKind::Bool && !a.list && !b.list)
        return ctx_.set_type(e, Type::boolean());
      [[fallthrough]];
    case ast::BinaryOp::Lt:
    case ast::BinaryOp::Le:
    case ast::BinaryOp::Gt:
    case ast::BinaryOp::Ge:
      if (!a.is_numeric()) return operand_error(e->lhs.get(), a, "a number");
      if (!b.is_numeric()) return operand_error(e->rhs.get(), b, "a number");
      if (a.dim != b.dim) return mismatch("compare");
      return ctx_.set_type(e, Type::boolean());
    case ast::BinaryOp::Add:
    case ast::BinaryOp::Sub:
    case ast::BinaryOp::Mod:
      if (!a.is_numeric()) return operand_error(e->lhs.get(), a, "a number");
      if (!b.is_numeric()) return operand_error(e->rhs.get(), b, "a number");
      if (a.dim != b.dim)
        return mismatch(e->op == ast::BinaryOp::Add ? "add" : e->op == ast::BinaryOp::Sub ? "subtract" : "take the remainder of");
      return ctx_.set_type(e, numeric_result(a, b, a.dim));
    case ast::BinaryOp::Mul:
      if (!a.is_numeric()) return operand_error(e->lhs.get(), a, "a number");
      if (!b.is_numeric()) return operand_error(e->rhs.get(), b, "a number");
      return ctx_.set_type(e, numeric_result(a, b, a.dim * b.dim));
    case ast::BinaryOp::Div:
      if (!a.is_numeric()) return operand_error(e->lhs.get(), a, "a number");
      if (!b.is_numeric()) return operand_error(e->rhs.get(), b, "a number");
      // A time parameter of the model divided by may be a time constant (check_models.cpp).
      if (const Symbol* s = ctx_.program.symbol_of(e->rhs.get());
          s && s->kind == SymbolKind::Parameter && s->model && !b.list && b.dim == Dimension::time())
        ctx_.divided_by.insert(s);
      // int / int is a real division: `1 / 2` is 0.5.
      return ctx_.set_type(e, Type::quantity(a.dim / b.dim));
    case ast::BinaryOp::Pow: {
      if (!a.is_numeric()) return operand_error(e->lhs.get(), a, "a number");
      if (!b.is_numeric()) return operand_error(e->rhs.get(), b, "a number");
      if (!b.dim.dimensionless()) {
        ctx_.diags.report(DiagId::exponent_dimension, e->rhs->range, quoted(b));
        return ctx_.set_type(e, Type::error());
      }
      if (a.dim.dimensionless()) return ctx_.set_type(e, Type::real());
      auto n = constant_int_exponent(e->rhs.get());
      if (!n) {
        ctx_.diags.report(DiagId::exponent_not_constant, e->rhs->range, quoted(a));
        return ctx_.set_type(e, Type::error());
      }
      return ctx_.set_type(e, Type::quantity(a.dim.pow(*n)));
    }
  }
  return ctx_.set_type(e, Type::error());
}

Type ExprChecker::check_call(const ast::CallExpr* e, const Scope& scope) {
  auto* callee = ast::dyn_cast<ast::NameRef>(e->callee.get());
  std::vector<Type> args;
  for (const auto& a : e->args) args.push_back(check(a.value.get(), scope));
  auto fail = [&] { return ctx_.set_type(e, Type::error()); };
  if (!callee) {
    if (e->callee) ctx_.diags.report(DiagId::not_callable, e->callee->range, "this expression");
    return fail();
  }
  if (scope.lookup(callee->name)) {
    ctx_.diags.report(DiagId::not_callable, callee->range, callee->name);
    return fail();
  }
  auto builtin = find_builtin(callee->name);
  if (!builtin) {
    std::vector<std::string_view> names = builtin_names();
    ctx_.unknown_name(callee->name, callee->range, names);
    return fail();
  }
  Builtin b = *builtin;
  for (const auto& a : e->args)
    if (!a.name.empty()) {
      ctx_.diags.report(DiagId::call_named_arg, a.name_range, callee->name);
      return fail();
    }
  for (const Type& t : args)
    if (t.is_error()) return fail();

  auto arity = [&](std::size_t lo, std::size_t hi) {
    if (args.size() >= lo && args.size() <= hi) return true;
    std::string count = lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi);
    ctx_.diags.report(DiagId::call_arity, e->range, callee->name, count, hi == 1 ? "" : "s", args.size());
    return false;
  };
  auto numeric = [&](std::size_t i) {
    if (args[i].is_numeric()) return true;
    ctx_.diags.report(DiagId::argument_type, e->args[i].value->range, i + 1, callee->name, "a number",
                      quoted(args[i]));
    return false;
  };
  auto dimensionless = [&](std::size_t i) {
    if (!numeric(i)) return false;
    if (args[i].dim.dimensionless()) return true;
    ctx_.diags.report(DiagId::argument_type, e->args[i].value->range, i + 1, callee->name, "dimensionless",
                      quoted(args[i]));
    return false;
  };
  auto integer = [&](std::size_t i) {
    if (is_int(args[i])) return true;
    ctx_.diags.report(DiagId::argument_type, e->args[i].value->range, i + 1, callee->name, "an int", quoted(args[i]));
    return false;
  };
  // All arguments from `first` on share one dimension; returns it.
  auto same = [&](std::size_t first) -> std::optional<Dimension> {
    for (std::size_t i = first; i < args.size(); ++i)
      if (!numeric(i)) return std::nullopt;
    for (std::size_t i = first + 1; i < args.size(); ++i)
      if (args[i].dim != args[first].dim) {
        ctx_.diags.report(DiagId::arguments_differ, e->args[i].value->range, callee->name, quoted(args[first]),
                          quoted(args[i]))
            .range(e->args[first].value->range);
        return std::nullopt;
      }
    return args[first].dim;
  };
  auto all_int = [&](std::size_t first) {
    for (std::size_t i = first; i < args.size(); ++i)
      if (!is_int(args[i])) return false;
    return true;
  };

  if (is_random(b) && !network) {
    if (model_) ctx_.random_drawers.insert(model_);
    if (restrict != Restrict::None) {
      ctx_.diags.report(DiagId::random_not_allowed, e->range, restrict_what);
      return fail();
    }
  }
  ctx_.program.callees[e] = Callee{b};

  Type result;
  switch (b) {
    case Builtin::Exp: case Builtin::Log: case Builtin::Log10: case Builtin::Sin: case Builtin::Cos:
    case Builtin::Tan: case Builtin::Sinh: case Builtin::Cosh: case Builtin::Tanh:
      if (!arity(1, 1) || !dimensionless(0)) return fail();
      result = Type::real();
      break;
    case Builtin::Sqrt: {
      if (!arity(1, 1) || !numeric(0)) return fail();
      auto root = args[0].dim.root(2);
      if (!root) {
        ctx_.diags.report(DiagId::sqrt_dimension, e->args[0].value->range, quoted(args[0]));
        return fail();
      }
      result = Type::quantity(*root);
      break;
    }
    case Builtin::Pow: {
      if (!arity(2, 2) || !numeric(0) || !dimensionless(1)) return fail();
      if (args[0].dim.dimensionless()) {
        result = Type::real();
        break;
      }
      auto n = constant_int_exponent(e->args[1].value.get());
      if (!n) {
        ctx_.diags.report(DiagId::exponent_not_constant, e->args[1].value->range, quoted(args[0]));
        return fail();
      }
      result = Type::quantity(args[0].dim.pow(*n));
      break;
    }
    case Builtin::Abs: case Builtin::Floor: case Builtin::Ceil:
      if (!arity(1, 1) || !numeric(0)) return fail();
      result = args[0];
      break;
    case Builtin::Min: case Builtin::Max: {
      if (!arity(2, 16)) return fail();
      auto d = same(0);
      if (!d) return fail();
      result = all_int(0) ? Type::integer() : Type::quantity(*d);
      break;
    }
    case Builtin::Clip: {
      if (!arity(3, 3)) return fail();
      auto d = same(0);
      if (!d) return fail();
      result = all_int(0) ? Type::integer() : Type::quantity(*d);
      break;
    }
    case Builtin::Len:
      if (!arity(1, 1)) return fail();
      if (!args[0].list) {
        ctx_.diags.report(DiagId::argument_type, e->args[0].value->range, 1, callee->name, "a list", quoted(args[0]));
        return fail();
      }
      result = Type::integer();
      break;
    case Builtin::Resolution:
      // Model code reads it from the step's environment; constants and network values,
      // evaluated before a step exists, name `dt`.
      if (network || restrict != Restrict::None) {
        ctx_.diags.report(DiagId::restricted_name, e->range, network ? "a network value" : restrict_what,
                          "'resolution()', which only model code can use");
        return fail();
      }
      if (!arity(0, 0)) return fail();
      result = Type::quantity(Dimension::time());
      break;
    case Builtin::Uniform: case Builtin::Normal: {
      if (!arity(2, 2)) return fail();
      auto d = same(0);
      if (!d) return fail();
      result = Type::quantity(*d);
      break;
    }
    case Builtin::NormalClipped: {
      if (!arity(4, 4)) return fail();
      auto d = same(0);
      if (!d) return fail();
      result = Type::quantity(*d);
      break;
    }
    case Builtin::Exponential:
      if (!arity(1, 1) || !numeric(0)) return fail();
      result = Type::quantity(args[0].dim);
      break;
    case Builtin::Gamma:
      if (!arity(2, 2) || !dimensionless(0) || !numeric(1)) return fail();
      result = Type::quantity(args[1].dim);
      break;
    case Builtin::Lognormal:
      if (!arity(2, 2) || !dimensionless(0) || !dimensionless(1)) return fail();
      result = Type::real();
      break;
    case Builtin::Poisson:
      if (!arity(1, 1) || !dimensionless(0)) return fail();
      result = Type::integer();
      break;
    case Builtin::Binomial:
      if (!arity(2, 2) || !integer(0) || !dimensionless(1)) return fail();
      result = Type::integer();
      break;
    case Builtin::UniformInt:
      if (!arity(2, 2) || !integer(0) || !integer(1)) return fail();
      result = Type::integer();
      break;
    case Builtin::Emit:
      if (network || !model_ || model_->kind != ast::ModelKind::Synapse) {
        ctx_.diags.report(DiagId::call_not_allowed, callee->range, callee->name, "synapse models");
        return fail();
      }
      ctx_.emitters.insert(model_);
      if (!arity(1, 1) || !numeric(0)) return fail();
      if (args[0].dim != Dimension::weight()) {
        ctx_.diags.report(DiagId::argument_type, e->args[0].value->range, 1, callee->name, "'weight'",
                          quoted(args[0]));
        return fail();
      }
      result = Type::of(TypeKind::Void);
      break;
    case Builtin::Potentiate: case Builtin::Depress:
      if (network || !model_ || model_->kind != ast::ModelKind::TimingDependence) {
        ctx_.diags.report(DiagId::call_not_allowed, callee->range, callee->name, "timing_dependence models");
        return fail();
      }
      if (!arity(1, 1) || !dimensionless(0)) return fail();
      result = Type::of(TypeKind::Void);
      break;
  }
  if (network && is_random(b)) result = Type{TypeKind::Distribution, result.dim, false};
  return ctx_.set_type(e, result);
}

Type ExprChecker::check_as(const ast::Expr* e, const Scope& scope, const Type& want, std::string_view what,
                           bool bare_in_unit) {
  Type t = check(e, scope);
  if (t.kind == TypeKind::Void) {
    ctx_.diags.report(DiagId::void_value, e->range);
    return Type::error();
  }
  Type value = t.kind == TypeKind::Distribution ? Type::quantity(t.dim) : t;
  if (!assignable(value, want, bare_in_unit, e)) {
    ctx_.diags.report(DiagId::wrong_type, e->range, what, quoted(want), quoted(t));
    return Type::error();
  }
  return t;
}

// ---- Statements ---------------------------------------------------------------------

void ExprChecker::check_block(const ast::Block& block, const Scope& parent, BlockKind kind) {
  Scope scope(&parent);
  for (const auto& s : block.statements) check_statement(s.get(), scope, kind);
}

void ExprChecker::check_statement(const ast::Stmt* s, Scope& scope, BlockKind kind) {
  if (!s) return;
  switch (s->kind) {
    case ast::StmtKind::Let: {
      auto* let = static_cast<const ast::LetStmt*>(s);
      Type t;
      if (let->type) {
        double scale = 1.0;
        Type declared = resolve_type(ctx_, *let->type, &scale);
        t = declared;
        if (!declared.is_error() && let->value)
          check_as(let->value.get(), scope, declared, fmt::format("the value of '{}'", let->name), false);
        else
          check(let->value.get(), scope);
      } else {
        t = check(let->value.get(), scope);
        if (t.kind == TypeKind::Void) {
          ctx_.diags.report(DiagId::void_value, let->value->range);
          t = Type::error();
        }
      }
      if (const Symbol* prev = scope.lookup(let->name);
          prev && prev->kind != SymbolKind::Unit && prev->kind != SymbolKind::Time && prev->kind != SymbolKind::Dt) {
        auto d = ctx_.diags.report(DiagId::duplicate_declaration, let->name_range, let->name);
        if (prev->decl) d.note(DiagId::note_declared_here, prev->decl->name_range, prev->name);
        if (prev->let) d.note(DiagId::note_declared_here, prev->let->name_range, prev->name);
        if (prev->param) d.note(DiagId::note_declared_here, prev->param->name_range, prev->name);
      }
      Symbol& sym = ctx_.make_symbol(SymbolKind::Local, let->name, t);
      sym.let = let;
      sym.model = model_;
      ctx_.program.lets[let] = &sym;
      scope.declare(&sym);
      return;
    }
    case ast::StmtKind::Assign:
      check_assign(static_cast<const ast::AssignStmt*>(s), scope, kind);
      return;
    case ast::StmtKind::If: {
      auto* i = static_cast<const ast::IfStmt*>(s);
      Type c = check(i->cond.get(), scope);
      note_tested(i->cond.get());
      if (!c.is_error() && (c.kind != TypeKind::Bool || c.list))
        ctx_.diags.report(DiagId::type_mismatch, i->cond->range, "the condition of 'if'", "bool", quoted(c));
      check_block(i->then, scope, kind);
      if (i->otherwise) check_block(*i->otherwise, scope, kind);
      return;
    }
    case ast::StmtKind::Expr: {
      auto* es = static_cast<const ast::ExprStmt*>(s);
      if (!es->expr) return;
      Type t = check(es->expr.get(), scope);
      if (!ast::isa<ast::CallExpr>(es->expr.get()) || (!t.is_error() && t.kind != TypeKind::Void))
        ctx_.diags.report(DiagId::statement_not_call, es->expr->range);
      return;
    }
  }
}

void ExprChecker::check_assign(const ast::AssignStmt* s, Scope& scope, BlockKind kind) {
  const Symbol* target = nullptr;
  if (!s->qualifier.empty()) {
    if (model_ && model_->kind == ast::ModelKind::Synapse && (s->qualifier == "pre" || s->qualifier == "post")) {
      const Symbol* decl = model_->find(s->name);
      if (decl && decl->kind == SymbolKind::Uses) {
        const auto& sides = s->qualifier == "pre" ? ctx_.pre_side : ctx_.post_side;
        if (auto it = sides.find(decl); it != sides.end()) target = it->second;
      }
      if (!target) ctx_.diags.report(DiagId::unknown_side_variable, s->target_range, s->name, s->qualifier);
    } else {
      ctx_.diags.report(DiagId::unknown_name, s->target_range, s->qualifier + "." + s->name);
    }
  } else {
    target = scope.lookup(s->name);
    if (!target) {
      std::vector<std::string_view> names;
      scope.collect(names);
      ctx_.unknown_name(s->name, s->target_range, names);
    }
  }
  Type value_type = check(s->value.get(), scope);
  if (!target) return;
  ctx_.program.assign_targets[s] = target;
  note_external(target);

  bool writable = target->kind == SymbolKind::State || target->kind == SymbolKind::Local ||
                  target->kind == SymbolKind::Uses;
  if (kind == BlockKind::Reset && target->kind != SymbolKind::State) {
    auto d = ctx_.diags.report(DiagId::reset_not_state, s->target_range, target->name, describe(target->kind));
    if (target->decl) d.note(DiagId::note_declared_here, target->decl->name_range, target->name);
    return;
  }
  if (!writable) {
    auto d = ctx_.diags.report(DiagId::cannot_assign, s->target_range, target->name, describe(target->kind));
    if (target->decl) d.note(DiagId::note_declared_here, target->decl->name_range, target->name);
    return;
  }
  if (value_type.is_error() || target->type.is_error()) return;
  if (value_type.kind == TypeKind::Void) {
    ctx_.diags.report(DiagId::void_value, s->value->range);
    return;
  }
  if (s->op == ast::AssignOp::Mul || s->op == ast::AssignOp::Div) {
    if (!value_type.is_dimensionless_number())
      ctx_.diags.report(DiagId::wrong_type, s->value->range,
                        fmt::format("'{}' of '{}'", s->op == ast::AssignOp::Mul ? "*=" : "/=", target->name), "real",
                        quoted(value_type));
    return;
  }
  if (!assignable(value_type, target->type, false, s->value.get())) {
    auto d = ctx_.diags.report(DiagId::wrong_type, s->value->range, fmt::format("assignment to '{}'", target->name),
                               quoted(target->type), quoted(value_type));
    if (target->decl) d.note(DiagId::note_declared_here, target->decl->name_range, target->name);
  }
}

void walk_expr(const ast::Expr* e, const std::function<void(const ast::Expr*)>& f) {
  if (!e) return;
  f(e);
  switch (e->kind) {
    case ast::ExprKind::List:
      for (const auto& el : static_cast<const ast::ListLit*>(e)->elements) walk_expr(el.get(), f);
      break;
    case ast::ExprKind::Unary: walk_expr(static_cast<const ast::UnaryExpr*>(e)->operand.get(), f); break;
    case ast::ExprKind::Binary:
      walk_expr(static_cast<const ast::BinaryExpr*>(e)->lhs.get(), f);
      walk_expr(static_cast<const ast::BinaryExpr*>(e)->rhs.get(), f);
      break;
    case ast::ExprKind::Conditional: {
      auto* c = static_cast<const ast::ConditionalExpr*>(e);
      walk_expr(c->cond.get(), f);
      walk_expr(c->then.get(), f);
      walk_expr(c->otherwise.get(), f);
      break;
    }
    case ast::ExprKind::Call:
      for (const auto& a : static_cast<const ast::CallExpr*>(e)->args) walk_expr(a.value.get(), f);
      break;
    case ast::ExprKind::Index:
      walk_expr(static_cast<const ast::IndexExpr*>(e)->base.get(), f);
      walk_expr(static_cast<const ast::IndexExpr*>(e)->index.get(), f);
      break;
    default: break;
  }
}


}  // namespace gennc::sema
