// Populations (models, receptors, `uses`, outputs, structures) and neuron sets: slices,
// index lists, views and assemblies.
#include <algorithm>
#include <cmath>

#include "sema/network_checker.h"

namespace gennc::sema {

const Model* NetworkChecker::model_of_kind(const std::string& name, diag::SourceRange where,
                                           std::vector<ModelKind> kinds, const char* role, const char* kind_words) {
  const Model* m = ctx_.program.find_model(name);
  if (!m) {
    report_unknown_model(ctx_, name, where);
    return nullptr;
  }
  if (std::find(kinds.begin(), kinds.end(), m->kind) == kinds.end()) {
    ctx_.diags.report(DiagId::wrong_model_kind, where, name, ast::to_string(m->kind), role, kind_words)
        .note(DiagId::note_declared_here, m->decl->name_range, name);
    return nullptr;
  }
  return m;
}

namespace {

// How an expression of a neuron's (or receptor's) code depends on the state of the joint
// subthreshold system: not at all (and constant over a step), affinely, or otherwise.
enum class Degree { Constant, Affine, Other };

Degree combine(Degree a, Degree b) {
  if (a == Degree::Other || b == Degree::Other) return Degree::Other;
  return a == Degree::Affine || b == Degree::Affine ? Degree::Affine : Degree::Constant;
}

bool is_math_function(const std::string& name) {
  static const std::set<std::string> names = {"exp", "expm1", "log", "log1p", "log10", "sqrt", "pow", "sin", "cos",
                                              "tan", "sinh", "cosh", "tanh", "abs", "min", "max", "clip", "floor",
                                              "ceil", "round"};
  return names.count(name) != 0;
}

Degree degree(const Program& program, const ast::Expr* e) {
  using K = ast::ExprKind;
  if (!e) return Degree::Constant;
  switch (e->kind) {
    case K::Number:
    case K::Quantity:
    case K::Bool:
      return Degree::Constant;
    case K::Name: {
      const Symbol* s = program.symbol_of(e);
      if (!s) return Degree::Other;
      switch (s->kind) {
        case SymbolKind::Parameter:
        case SymbolKind::Derived:
        case SymbolKind::Dt:
        case SymbolKind::Unit:
        case SymbolKind::NetworkConstant:
          return Degree::Constant;
        case SymbolKind::State:
        case SymbolKind::Input:
        case SymbolKind::Uses:
          return Degree::Affine;
        default:
          return Degree::Other;
      }
    }
    case K::Unary: {
      auto* u = ast::dyn_cast<ast::UnaryExpr>(e);
      if (u->op == ast::UnaryOp::Not) return degree(program, u->operand.get()) == Degree::Constant ? Degree::Constant : Degree::Other;
      return degree(program, u->operand.get());
    }
    case K::Binary: {
      auto* b = ast::dyn_cast<ast::BinaryExpr>(e);
      Degree l = degree(program, b->lhs.get()), r = degree(program, b->rhs.get());
      switch (b->op) {
        case ast::BinaryOp::Add:
        case ast::BinaryOp::Sub:
          return combine(l, r);
        case ast::BinaryOp::Mul:
          if (l == Degree::Affine && r == Degree::Affine) return Degree::Other;
          return combine(l, r);
        case ast::BinaryOp::Div:
          return r == Degree::Constant ? l : Degree::Other;
        default:
          return l == Degree::Constant && r == Degree::Constant ? Degree::Constant : Degree::Other;
      }
    }
    case K::Conditional:
    case K::Index:
    case K::Slice:
    case K::Member:
    case K::List:
    case K::String:
      return Degree::Other;
    case K::Call: {
      auto* c = ast::dyn_cast<ast::CallExpr>(e);
      auto* callee = ast::dyn_cast<ast::NameRef>(c->callee.get());
      if (!callee || !is_math_function(callee->name)) return Degree::Other;
      for (const ast::Arg& a : c->args)
        if (degree(program, a.value.get()) != Degree::Constant) return Degree::Other;
      return Degree::Constant;
    }
  }
  return Degree::Other;
}

}  // namespace

// Why a neuron with these receptors cannot be precise (docs/language.md, Precise spike
// times), or "" when it can: its joint subthreshold system linear with coefficients and
// input constant over a step, no `update` code, a threshold `x >= e` or `x > e` with x
// affine in the state and e constant.
std::string NetworkChecker::why_not_precise(const Model& model, const std::vector<ReceptorInstance>& receptors) const {
  const Program& program = ctx_.program;
  const ast::ModelBody& body = model.decl->body;
  if (!body.threshold) return "it has no threshold";
  if (body.update) return "its 'update' code runs once per step, not at the spikes' times";
  for (const ast::Equation& eq : body.equations)
    if (degree(program, eq.rhs.get()) == Degree::Other)
      return "its equations are not linear in its state with coefficients constant over a step, which the exact "
             "solution between events needs";
  auto* th = ast::dyn_cast<ast::BinaryExpr>(body.threshold.get());
  if (!th || (th->op != ast::BinaryOp::Ge && th->op != ast::BinaryOp::Gt) ||
      degree(program, th->lhs.get()) == Degree::Other || degree(program, th->rhs.get()) != Degree::Constant)
    return "its threshold is not 'x >= e' or 'x > e' with x linear in its state and e constant";
  if (body.refractory && degree(program, body.refractory.get()) != Degree::Constant)
    return "its refractory period is not constant";
  for (const ReceptorInstance& r : receptors) {
    if (!r.model) continue;
    const ast::ModelBody& rb = r.model->decl->body;
    bool linear = !rb.update;
    for (const ast::Equation& eq : rb.equations) linear = linear && degree(program, eq.rhs.get()) != Degree::Other;
    for (const ast::Output& o : rb.outputs) linear = linear && degree(program, o.value.get()) != Degree::Other;
    if (!linear)
      return fmt::format("its receptor '{}' ({}) is not linear in the state with coefficients constant over a step",
                         r.name, r.model->name);
  }
  return "";
}

// Whether the population's spikes carry exact times: `as precise`, or the network's
// `precise` setting where the model can be: an event-time spike source (`threshold c at
// time`), or a neuron whose joint subthreshold system is linear (why_not_precise).
bool NetworkChecker::check_precision(const ast::PopulationDecl& p, const Population& pop) {
  const Model& model = *pop.model;
  std::string why;
  if (model.kind == ModelKind::SpikeSource) {
    if (!model.decl->body.spike_time) why = "its threshold gives no spike times ('threshold c at time')";
  } else {
    why = why_not_precise(model, pop.receptors);
  }
  if (p.precision.empty()) return net_.settings.precise && why.empty();
  if (p.precision == "grid") return false;
  if (p.precision != "precise") {
    ctx_.diags.report(DiagId::bad_precision, p.precision_range, p.precision);
    return false;
  }
  if (!why.empty()) {
    ctx_.diags.report(DiagId::precise_not_supported, p.precision_range, model.name, why)
        .note(DiagId::note_declared_here, model.decl->name_range, model.name);
    return false;
  }
  return true;
}

void NetworkChecker::check_population(const ast::PopulationDecl& p) {
  Population pop;
  pop.name = p.name;
  pop.decl = &p;
  pop.model = model_of_kind(p.model, p.model_range, {ModelKind::Neuron, ModelKind::SpikeSource}, "a population",
                            "neuron or spike_source");
  if (auto size = constant(p.size.get(), "a population size", Type::real())) {
    double rounded = std::round(size->number);
    if (!(rounded >= 1))
      ctx_.diags.report(DiagId::bad_size, p.size->range, format_number(size->number));
    else if (rounded > kLargestCount)
      ctx_.diags.report(DiagId::population_too_large, p.size->range, format_number(rounded));
    else
      pop.size = to_int(rounded);
  }
  if (p.structure) pop.structure = check_structure(*p.structure);
  bool fresh = name_free(p.name, p.name_range);
  if (pop.model) {
    check_receptors(p, pop);
    pop.precise = check_precision(p, pop);
    std::set<std::string> given;
    for (const auto& o : p.overrides) {
      if (!given.insert(o.name).second) {
        ctx_.diags.report(DiagId::duplicate_argument, o.name_range, o.name);
        continue;
      }
      const Symbol* var = pop.model->find(o.name);
      if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
        report_unknown_argument(ctx_, *pop.model, o.name, o.name_range);
        continue;
      }
      if (auto v = value_for(o.value.get(), *var, pop.size, fmt::format("'{}' of population '{}'", o.name, p.name)))
        pop.values[o.name] = *v;
    }
    for (const auto* list : {&pop.model->parameters, &pop.model->state})
      for (const Symbol* var : *list)
        if (!pop.values.count(var->name)) pop.values[var->name] = default_value(*var);
    for (const auto& o : p.overrides)
      if (o.name == "rate" && pop.model->name == "SpikeSourcePoisson" && pop.values.count("rate"))
        check_poisson_rate(pop, o.value->range, fmt::format("'rate' of population '{}'", p.name));
  }
  if (!fresh) return;
  add_entity(p.name, p.name_range, TypeKind::Population, net_.populations.size());
  net_.populations.push_back(std::move(pop));
}

// SpikeSourcePoisson counts poisson(rate dt) events per step, each one recorded as a
// spike (as NEST does): a constant rate must keep that in [0, kMaxPoissonEvents]. Rates
// set after compiling are saturated by the draw's conversion instead (see codegen).
void NetworkChecker::check_poisson_rate(const Population& pop, diag::SourceRange where, const std::string& what) {
  const Value& v = pop.values.at("rate");
  if (v.kind != ValueKind::Constant && v.kind != ValueKind::PerElement) return;
  const double dt = net_.settings.dt;
  for (double rate : v.numbers) {  // kHz, so rate * dt (ms) is events per step
    if (rate >= 0 && rate * dt <= kMaxPoissonEvents) continue;
    ctx_.diags.report(DiagId::poisson_rate_out_of_range, where, what, format_number(rate * 1e3) + " Hz",
                      format_number(rate * dt), pop.model->name, format_number(kMaxPoissonEvents));
    return;
  }
}

void NetworkChecker::check_receptors(const ast::PopulationDecl& p, Population& pop) {
  for (const auto& r : pop.model->receptors) {
    if (!r.model) continue;
    ReceptorInstance ri;
    ri.name = r.name;
    ri.model = r.model;
    for (const auto* list : {&r.model->parameters, &r.model->state})
      for (const Symbol* var : *list) {
        auto arg = r.args.find(var->name);
        if (arg == r.args.end()) {
          ri.values[var->name] = default_value(*var);
          continue;
        }
        Value v;
        v.type = var->type;
        bool bare = type_dimensionless(arg->second) && !var->type.dim.dimensionless();
        if (auto c = evaluate(arg->second, ctx_.program, lookup()); c && c->kind == ConstValue::Kind::Number) {
          v.numbers.push_back(c->number * (bare ? var->unit_scale : 1.0));
        } else {
          v.kind = ValueKind::Expression;  // names the neuron's parameters
          v.expr = arg->second;
        }
        ri.values[var->name] = v;
      }
    pop.receptors.push_back(std::move(ri));
  }
  std::set<std::string> bound;
  for (const auto& b : p.receptors) {
    if (!bound.insert(b.name).second) {
      ctx_.diags.report(DiagId::duplicate_argument, b.name_range, b.name);
      continue;
    }
    const Model* m = model_of_kind(b.model.name, b.model.name_range, {ModelKind::Postsynaptic}, "a receptor",
                                   "postsynaptic");
    if (!m) continue;
    ReceptorInstance ri;
    ri.name = b.name;
    ri.model = m;
    ri.values = model_values(*m, b.model.args, pop.size, fmt::format("receptor '{}'", b.name));
    if (auto i = pop.find_receptor(b.name))
      pop.receptors[*i] = std::move(ri);
    else
      pop.receptors.push_back(std::move(ri));
  }
  // Each receptor reads neuron variables (`uses`) and writes a neuron input (`output`).
  for (const auto& ri : pop.receptors) {
    check_uses(*ri.model, *pop.model, p.model_range, fmt::format("neuron '{}'", pop.model->name));
    check_outputs(*ri.model, *pop.model, p.model_range);
  }
}

// Every `uses` variable of `user` must be a variable of `owner` with the same unit.
void NetworkChecker::check_uses(const Model& user, const Model& owner, diag::SourceRange where,
                                const std::string& owner_words) {
  for (const Symbol* u : user.uses) {
    const Symbol* v = owner.find(u->name);
    if (!v || v->kind == SymbolKind::Uses) {
      ctx_.diags.report(DiagId::uses_missing, where, user.name, u->name, owner_words)
          .note(DiagId::note_declared_here, u->decl->name_range, u->name);
      continue;
    }
    if (!u->type.is_error() && !v->type.is_error() && !u->type.same_as(v->type))
      ctx_.diags.report(DiagId::uses_dimension, where, user.name, u->name, to_string(u->type), owner.name,
                        to_string(v->type))
          .note(DiagId::note_declared_here, v->decl->name_range, v->name);
  }
}

// Every `output x += e` of `source` must target an input of `neuron` of e's unit.
void NetworkChecker::check_outputs(const Model& source, const Model& neuron, diag::SourceRange where) {
  for (const auto& o : source.decl->body.outputs) {
    const Symbol* input = neuron.find(o.target);
    if (!input || input->kind != SymbolKind::Input) {
      std::vector<std::string> inputs;
      for (const Symbol* s : neuron.inputs) inputs.push_back(s->name);
      ctx_.diags.report(DiagId::no_such_input, where, source.name, o.target, neuron.name,
                        inputs.empty() ? "none" : join_quoted(inputs))
          .note(DiagId::note_declared_here, o.target_range, o.target);
      continue;
    }
    const Type* t = ctx_.program.type_of(o.value.get());
    if (t && !t->is_error() && !input->type.is_error() && t->dim != input->type.dim)
      ctx_.diags.report(DiagId::output_dimension, where, source.name, o.target, to_string(*t), neuron.name,
                        to_string(input->type))
          .note(DiagId::note_declared_here, o.range, o.target);
  }
}

std::optional<Structure> NetworkChecker::check_structure(const ast::Call& call) {
  const StructureSpec* spec =
      find_spec(structures(), call, DiagId::unknown_structure, DiagId::unknown_structure_suggest);
  if (!spec) return std::nullopt;
  Structure s;
  s.kind = spec->kind;
  auto args = match_args(ctx_, call.name, call.range, call.args, spec->args);
  for (std::size_t i = 0; i < spec->args.size(); ++i) {
    const ArgSpec& a = spec->args[i];
    std::string what = fmt::format("'{}' of '{}'", a.name, call.name);
    if (a.kind == ArgKind::FillOrder) {
      s.fill_order = "sequential";
      if (!args[i]) continue;
      auto v = constant(args[i]->value.get(), what, Type::string());
      if (v && v->text != "sequential" && v->text != "random")
        ctx_.diags.report(DiagId::bad_argument, args[i]->value->range, what, "\"sequential\" or \"random\"");
      else if (v)
        s.fill_order = v->text;
      continue;
    }
    s.args[std::string(a.name)] = a.fallback;
    if (!args[i]) continue;
    Type want = a.kind == ArgKind::Length ? Type::quantity(Dimension::length()) : Type::real();
    if (auto v = constant(args[i]->value.get(), what, want)) s.args[std::string(a.name)] = v->number;
  }
  return s;
}

IndexSet NetworkChecker::whole(std::size_t pop, std::int64_t size) {
  IndexSet s;
  s.population = pop;
  s.stop = size;
  return s;
}

// The index set `e` names: a population, view or assembly, sliced or indexed.
std::optional<NeuronSet> NetworkChecker::resolve_set(const ast::Expr* e) {
  if (!e) return std::nullopt;
  if (auto* name = ast::dyn_cast<ast::NameRef>(e)) {
    auto it = entities_.find(name->name);
    if (it == entities_.end() && taken_.count(name->name)) return std::nullopt;
    if (it == entities_.end()) {
      std::vector<std::string_view> names;
      for (const auto& [n, ent] : entities_)
        if (ent.kind != TypeKind::Projection && ent.kind != TypeKind::Injection) names.push_back(n);
      ctx_.unknown_name(name->name, e->range, names);
      return std::nullopt;
    }
    const Entity& ent = it->second;
    ctx_.set_type(e, Type::of(ent.kind));
    switch (ent.kind) {
      case TypeKind::Population: return NeuronSet{whole(ent.index, net_.populations[ent.index].size)};
      case TypeKind::View: return NeuronSet{net_.views[ent.index].set};
      case TypeKind::Assembly: return net_.assemblies[ent.index].members;
      default:
        ctx_.diags.report(DiagId::not_a_population, e->range, name->name, to_string(Type::of(ent.kind)));
        return std::nullopt;
    }
  }
  if (auto* slice = ast::dyn_cast<ast::SliceExpr>(e)) {
    auto base = single_set(slice->base.get());
    if (!base) return std::nullopt;
    std::int64_t size = base->size();
    auto bound = [&](const ast::Expr* b, std::int64_t fallback) -> std::optional<std::int64_t> {
      if (!b) return fallback;
      auto v = constant(b, "a slice bound", Type::integer());
      if (!v) return std::nullopt;
      return to_int(v->number);
    };
    auto start = bound(slice->start.get(), 0);
    auto stop = bound(slice->stop.get(), size);
    auto step = bound(slice->step.get(), 1);
    if (!start || !stop || !step) return std::nullopt;
    if (*step <= 0) {
      ctx_.diags.report(DiagId::bad_slice_step, slice->step->range, *step);
      return std::nullopt;
    }
    for (auto [value, expr] : {std::pair{*start, slice->start.get()}, std::pair{*stop, slice->stop.get()}})
      if (expr && (value < 0 || value > size)) {
        ctx_.diags.report(DiagId::index_out_of_range, expr->range, value, describe_set(slice->base.get()), size);
        return std::nullopt;
      }
    if (*start > *stop) {
      ctx_.diags.report(DiagId::reversed_slice, slice->start ? slice->start->range : e->range, *start, *stop);
      return std::nullopt;
    }
    ctx_.set_type(e, Type::of(TypeKind::View));
    return NeuronSet{compose(*base, *start, std::max(*start, *stop), *step)};
  }
  if (auto* index = ast::dyn_cast<ast::IndexExpr>(e)) {
    auto base = single_set(index->base.get());
    if (!base) return std::nullopt;
    std::int64_t size = base->size();
    std::vector<std::int64_t> picks;
    std::vector<const ast::Expr*> exprs;
    if (auto* list = ast::dyn_cast<ast::ListLit>(index->index.get())) {
      for (const auto& el : list->elements) exprs.push_back(el.get());
      ctx_.set_type(list, Type::integer().as_list());
    } else {
      exprs.push_back(index->index.get());
    }
    for (const ast::Expr* x : exprs) {
      auto v = constant(x, "an index", Type::integer());
      if (!v) return std::nullopt;
      auto i = to_int(v->number);
      if (i < 0 || i >= size) {
        ctx_.diags.report(DiagId::index_out_of_range, x->range, i, describe_set(index->base.get()), size);
        return std::nullopt;
      }
      picks.push_back(i);
    }
    ctx_.set_type(e, Type::of(TypeKind::View));
    IndexSet s;
    s.population = base->population;
    s.is_slice = false;
    for (std::int64_t i : picks) s.indices.push_back(element(*base, i));
    return NeuronSet{s};
  }
  ctx_.diags.report(DiagId::not_a_population, e->range, "this expression", "a value");
  return std::nullopt;
}

std::string NetworkChecker::describe_set(const ast::Expr* e) {
  if (auto* n = ast::dyn_cast<ast::NameRef>(e)) return n->name;
  return "the view";
}

// A population or view (one population), for slicing and indexing.
std::optional<IndexSet> NetworkChecker::single_set(const ast::Expr* e) {
  auto set = resolve_set(e);
  if (!set) return std::nullopt;
  if (set->size() != 1) {
    ctx_.diags.report(DiagId::assembly_not_sliceable, e->range);
    return std::nullopt;
  }
  return (*set)[0];
}

// Neuron number i of `s`, as an index into its population.
std::int64_t NetworkChecker::element(const IndexSet& s, std::int64_t i) {
  return s.is_slice ? s.start + i * s.step : s.indices[static_cast<std::size_t>(i)];
}

// Elements [start, stop) by step of `base`, as one set of its population.
IndexSet NetworkChecker::compose(const IndexSet& base, std::int64_t start, std::int64_t stop, std::int64_t step) {
  IndexSet s;
  s.population = base.population;
  if (base.is_slice) {
    s.start = base.start + start * base.step;
    s.step = base.step * step;
    std::int64_t count = stop > start ? (stop - start + step - 1) / step : 0;
    s.stop = count > 0 ? s.start + (count - 1) * s.step + 1 : s.start;  // last element + 1
    return s;
  }
  s.is_slice = false;
  for (std::int64_t i = start; i < stop; i += step) s.indices.push_back(base.indices[static_cast<std::size_t>(i)]);
  return s;
}

std::int64_t NetworkChecker::total(const NeuronSet& set) {
  std::int64_t n = 0;
  for (const auto& s : set) n += s.size();
  return n;
}

void NetworkChecker::check_view(const ast::ViewDecl& v) {
  bool fresh = name_free(v.name, v.name_range);
  auto set = resolve_set(v.target.get());
  if (set && set->size() != 1) {
    ctx_.diags.report(DiagId::assembly_not_sliceable, v.target->range);
    set.reset();
  }
  if (!fresh) return;
  if (!set) {
    taken_[v.name] = v.name_range;  // later uses are not reported as unknown
    return;
  }
  add_entity(v.name, v.name_range, TypeKind::View, net_.views.size());
  net_.views.push_back({v.name, &v, (*set)[0]});
}

void NetworkChecker::collect_members(const ast::Expr* e, NeuronSet& out, bool& ok) {
  if (auto* b = ast::dyn_cast<ast::BinaryExpr>(e); b && b->op == ast::BinaryOp::Add) {
    collect_members(b->lhs.get(), out, ok);
    collect_members(b->rhs.get(), out, ok);
    ctx_.set_type(e, Type::of(TypeKind::Assembly));
    return;
  }
  auto set = resolve_set(e);
  if (!set) {
    ok = false;
    return;
  }
  out.insert(out.end(), set->begin(), set->end());
}

void NetworkChecker::check_assembly(const ast::AssemblyDecl& a) {
  bool fresh = name_free(a.name, a.name_range);
  NeuronSet members;
  bool ok = a.members != nullptr;
  if (a.members) collect_members(a.members.get(), members, ok);
  if (!fresh) return;
  if (!ok) {
    taken_[a.name] = a.name_range;
    return;
  }
  add_entity(a.name, a.name_range, TypeKind::Assembly, net_.assemblies.size());
  net_.assemblies.push_back({a.name, &a, std::move(members)});
}

}  // namespace gennc::sema
