// The values of model variables in a network: arguments and defaults, evaluated into
// internal units (constants, per-element lists, distributions, or expressions).
#include <algorithm>
#include <cmath>

#include "sema/network_checker.h"

namespace gennc::sema {

// The value given for variable `var` (of a population of `n` elements, or per connection
// when n < 0). `weight_dim` substitutes the symbolic weight; bare numbers are in the
// variable's declared unit (`weight_scale` for weights). `connection`: the expression
// may use d, dx, dy, dz, i, j.
std::optional<Value> NetworkChecker::value_for(const ast::Expr* e, const Symbol& var, std::int64_t n,
                                               const std::string& what, const Dimension* weight_dim,
                                               double weight_scale, bool connection,
                                               const std::string* receptor_note) {
  if (!e) return std::nullopt;
  Type want = var.type;
  double scale = var.unit_scale;
  const Scope& scope = connection ? connection_scope_ : scope_;
  ExprChecker ec = checker(connection ? Restrict::None : Restrict::Constant, what);
  if (want.dim.has_weight()) {
    if (weight_dim) {
      want.dim = want.dim.substitute_weight(*weight_dim);
      scale = weight_scale;
    } else if (weight_unknown_) {
      ec.check(e, scope);  // the receptor was not found (reported): its unit is unknown
      return std::nullopt;
    }
  }
  // A list for a scalar variable: one value per element.
  auto* list = ast::dyn_cast<ast::ListLit>(e);
  if (list && !want.list) {
    if (n < 0) {
      ctx_.diags.report(DiagId::per_element_list, e->range, what);
      return std::nullopt;
    }
    Value v;
    v.kind = ValueKind::PerElement;
    v.type = want;
    ctx_.set_type(e, want.as_list());
    for (const auto& el : list->elements) {
      auto x = element_value(el.get(), want, scale, what);
      if (!x) return std::nullopt;
      v.numbers.push_back(*x);
    }
    if (static_cast<std::int64_t>(v.numbers.size()) != n) {
      ctx_.diags.report(DiagId::list_length, e->range, v.numbers.size(), what, n);
      return std::nullopt;
    }
    for (std::size_t k = 0; k < v.numbers.size(); ++k)
      if (!positive_if_time_constant(v.numbers[k], var, list->elements[k].get(), what)) return std::nullopt;
    return v;
  }
  // A list of lists for a list variable: one list per element.
  if (list && want.list && !list->elements.empty() && ast::isa<ast::ListLit>(list->elements[0].get())) {
    if (n < 0) {
      ctx_.diags.report(DiagId::per_element_list, e->range, what);
      return std::nullopt;
    }
    Value v;
    v.kind = ValueKind::PerElement;
    v.type = want;
    ctx_.set_type(e, want);
    for (const auto& row : list->elements) {
      auto* inner = ast::dyn_cast<ast::ListLit>(row.get());
      if (!inner) {
        ctx_.diags.report(DiagId::wrong_type, row->range, what, to_string(want), "a number");
        return std::nullopt;
      }
      ctx_.set_type(inner, want);
      std::vector<double> numbers;
      for (const auto& el : inner->elements) {
        auto x = element_value(el.get(), want.element(), scale, what);
        if (!x) return std::nullopt;
        numbers.push_back(*x);
      }
      v.lists.push_back(std::move(numbers));
    }
    if (static_cast<std::int64_t>(v.lists.size()) != n) {
      ctx_.diags.report(DiagId::list_length, e->range, v.lists.size(), what, n);
      return std::nullopt;
    }
    return v;
  }
  Type t = ec.check(e, scope);
  if (t.is_error()) return std::nullopt;
  Type value_type = t.kind == TypeKind::Distribution ? Type::quantity(t.dim) : t;
  if (!ExprChecker::assignable(value_type, want, true, e)) {
    if (receptor_note && var.type.dim.has_weight())
      ctx_.diags.report(DiagId::weight_dimension, e->range, to_string(t), *receptor_note, format_dimension(want.dim));
    else
      ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), to_string(t));
    return std::nullopt;
  }
  bool bare = value_type.dim.dimensionless() && !want.dim.dimensionless() && want.kind == TypeKind::Real;
  Value v;
  v.type = want;
  if (t.kind == TypeKind::Distribution) {
    if (want.list) {
      ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), to_string(t));
      return std::nullopt;
    }
    auto c = evaluate(e, ctx_.program, lookup());
    if (!c || c->kind != ConstValue::Kind::Distribution) {
      ctx_.diags.report(DiagId::not_constant, e->range, what);
      return std::nullopt;
    }
    if (!finite(*c)) {
      ctx_.diags.report(DiagId::not_finite, e->range, what);
      return std::nullopt;
    }
    if (auto why = invalid_distribution(c->distribution)) {
      ctx_.diags.report(DiagId::bad_distribution, e->range, to_string(c->distribution.kind), why);
      return std::nullopt;
    }
    v.kind = ValueKind::Distribution;
    v.distribution = c->distribution;
    if (bare) scale_distribution(v.distribution, scale);
    if (var.time_constant && !positive_support(v.distribution)) {
      ctx_.diags.report(DiagId::time_constant_distribution, e->range, what, to_string(v.distribution.kind),
                        var.model ? var.model->name : "?");
      return std::nullopt;
    }
    return v;
  }
  auto c = evaluate(e, ctx_.program, lookup());
  if (!c) {
    if (connection) {
      v.kind = ValueKind::Expression;
      v.expr = e;
      return v;
    }
    ctx_.diags.report(DiagId::not_constant, e->range, what);
    return std::nullopt;
  }
  if (!finite(*c)) {
    ctx_.diags.report(DiagId::not_finite, e->range, what);
    return std::nullopt;
  }
  double k = bare ? scale : 1.0;
  v.kind = ValueKind::Constant;
  if (c->kind == ConstValue::Kind::List) {
    if (!c->rows.empty()) {
      ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), "a list of lists");
      return std::nullopt;
    }
    for (double x : c->list) v.numbers.push_back(x * k);
  } else {
    v.numbers.push_back(c->number * k);
  }
  for (double x : v.numbers)
    if (!positive_if_time_constant(x, var, e, what)) return std::nullopt;
  return v;
}

// A value of a time constant (Symbol::time_constant) must be positive; false after
// reporting one that is not.
bool NetworkChecker::positive_if_time_constant(double x, const Symbol& var, const ast::Expr* e,
                                               const std::string& what) {
  if (!var.time_constant || var.type.list || x > 0) return true;
  ctx_.diags.report(DiagId::time_constant_not_positive, e->range, what, format_number(x) + " ms",
                    var.model ? var.model->name : "?");
  return false;
}

// Whether every draw of `d` is positive.
bool NetworkChecker::positive_support(const Distribution& d) {
  const auto& a = d.args;
  switch (d.kind) {
    case Builtin::Uniform: return a[0] > 0;
    case Builtin::UniformInt: return a[0] >= 1;
    case Builtin::NormalClipped: return a[2] > 0;
    case Builtin::Exponential: case Builtin::Gamma: case Builtin::Lognormal: return true;
    default: return false;  // normal (unbounded), poisson and binomial (may give 0)
  }
}

std::optional<double> NetworkChecker::element_value(const ast::Expr* e, const Type& want, double scale,
                                                    const std::string& what) {
  ExprChecker ec = checker(Restrict::Constant, what);
  Type t = ec.check_as(e, scope_, want, what, true);
  if (t.is_error()) return std::nullopt;
  if (t.kind == TypeKind::Distribution) {
    ctx_.diags.report(DiagId::distribution_not_allowed, e->range, what);
    return std::nullopt;
  }
  auto c = evaluate(e, ctx_.program, lookup());
  if (!c || (c->kind != ConstValue::Kind::Number && c->kind != ConstValue::Kind::Bool)) {
    ctx_.diags.report(DiagId::not_constant, e->range, what);
    return std::nullopt;
  }
  if (!finite(*c)) {
    ctx_.diags.report(DiagId::not_finite, e->range, what);
    return std::nullopt;
  }
  bool bare = t.dim.dimensionless() && !want.dim.dimensionless() && want.kind == TypeKind::Real;
  return c->number * (bare ? scale : 1.0);
}

// Why a distribution's arguments describe no distribution, or null when they do.
const char* NetworkChecker::invalid_distribution(const Distribution& d) {
  const auto& a = d.args;
  switch (d.kind) {
    case Builtin::Uniform: case Builtin::UniformInt:
      return a[0] <= a[1] ? nullptr : "the low bound exceeds the high one";
    case Builtin::Normal: case Builtin::Lognormal:
      return a[1] >= 0 ? nullptr : "sigma is negative";
    case Builtin::NormalClipped:
      return a[1] < 0 ? "sigma is negative" : a[2] > a[3] ? "the low bound exceeds the high one" : nullptr;
    case Builtin::Exponential:
      return a[0] > 0 ? nullptr : "beta is not positive";
    case Builtin::Gamma:
      return a[0] > 0 && a[1] > 0 ? nullptr : "k and theta must be positive";
    case Builtin::Poisson:
      return a[0] >= 0 ? nullptr : "lambda is negative";
    case Builtin::Binomial:
      return a[0] >= 0 && a[1] >= 0 && a[1] <= 1 ? nullptr : "n must be non-negative and p in [0, 1]";
    default:
      return nullptr;
  }
}

// Scales the arguments of a distribution written with bare numbers into a unit.
void NetworkChecker::scale_distribution(Distribution& d, double k) {
  switch (d.kind) {
    case Builtin::Uniform: case Builtin::Normal: case Builtin::NormalClipped: case Builtin::Exponential:
      for (double& x : d.args) x *= k;
      break;
    case Builtin::Gamma:
      d.args[1] *= k;  // theta carries the unit; k is a shape
      break;
    default:
      break;  // lognormal, poisson, binomial, uniform_int: dimensionless
  }
}

// The default of a model variable, for a population or instance that does not set it.
Value NetworkChecker::default_value(const Symbol& var, const Dimension* weight_dim) {
  Value v;
  v.type = var.type;
  if (weight_dim && v.type.dim.has_weight()) v.type.dim = v.type.dim.substitute_weight(*weight_dim);
  if (var.value) {
    v.numbers = *var.value;
    return v;
  }
  const ast::Expr* init = var.decl ? var.decl->init.get() : nullptr;
  if (!init) {
    if (!var.type.list) v.numbers.push_back(0.0);
    return v;
  }
  // A default in dt (`delay: ms = dt`) is a constant once dt is known.
  if (auto c = evaluate(init, ctx_.program, lookup()); c && c->kind != ConstValue::Kind::Distribution) {
    if (c->kind == ConstValue::Kind::List)
      v.numbers = c->list;
    else
      v.numbers.push_back(c->number * (!var.type.dim.dimensionless() && type_dimensionless(init) ? var.unit_scale : 1.0));
    return v;
  }
  v.kind = ValueKind::Expression;
  v.expr = init;
  return v;
}

bool NetworkChecker::type_dimensionless(const ast::Expr* e) const {
  const Type* t = ctx_.program.type_of(e);
  return t && t->dim.dimensionless();
}

// Named arguments of a model instance: every parameter and state variable gets a value.
std::map<std::string, Value> NetworkChecker::model_values(const Model& model, const std::vector<ast::Arg>& args,
                                                          std::int64_t n, const std::string& instance,
                                                          const Dimension* weight_dim, double weight_scale) {
  std::map<std::string, Value> values;
  std::set<std::string> given;
  for (const auto& a : args) {
    if (a.name.empty()) {
      ctx_.diags.report(DiagId::positional_model_arg, a.range, model.name);
      continue;
    }
    if (!given.insert(a.name).second) {
      ctx_.diags.report(DiagId::duplicate_argument, a.name_range, a.name);
      continue;
    }
    const Symbol* var = model.find(a.name);
    if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
      report_unknown_argument(ctx_, model, a.name, a.name_range);
      continue;
    }
    if (auto v = value_for(a.value.get(), *var, n, fmt::format("'{}' of {}", a.name, instance), weight_dim,
                           weight_scale))
      values[a.name] = *v;
  }
  for (const auto* list : {&model.parameters, &model.state})
    for (const Symbol* var : *list)
      if (!values.count(var->name)) values[var->name] = default_value(*var, weight_dim);
  return values;
}

}  // namespace gennc::sema
