// Connectivity: the connector of each projection part, regenerated rows (procedural and
// bitmask forms), and the per-synapse arrays of synapse parameters and state.
#include "lower/lowerer.h"

#include <algorithm>
#include <cmath>

#include "gennc/connect_rows.h"

namespace gennc::lower {

namespace {

GenncConnectorKind connector_kind(sema::ConnectorKind k) {
  switch (k) {
    case sema::ConnectorKind::AllToAll: return GENNC_CONNECT_ALL_TO_ALL;
    case sema::ConnectorKind::OneToOne: return GENNC_CONNECT_ONE_TO_ONE;
    case sema::ConnectorKind::FixedProbability: return GENNC_CONNECT_FIXED_PROBABILITY;
    case sema::ConnectorKind::FixedNumberPre: return GENNC_CONNECT_FIXED_NUMBER_PRE;
    case sema::ConnectorKind::FixedNumberPost: return GENNC_CONNECT_FIXED_NUMBER_POST;
    case sema::ConnectorKind::FixedTotalNumber: return GENNC_CONNECT_FIXED_TOTAL_NUMBER;
    case sema::ConnectorKind::DistanceDependentProbability: return GENNC_CONNECT_DISTANCE_PROBABILITY;
    case sema::ConnectorKind::DisplacementDependentProbability: return GENNC_CONNECT_DISPLACEMENT_PROBABILITY;
    case sema::ConnectorKind::IndexBasedProbability: return GENNC_CONNECT_INDEX_PROBABILITY;
    case sema::ConnectorKind::SmallWorld: return GENNC_CONNECT_SMALL_WORLD;
    case sema::ConnectorKind::FromList: return GENNC_CONNECT_FROM_LIST;
    case sema::ConnectorKind::FromFile: return GENNC_CONNECT_FROM_FILE;
    case sema::ConnectorKind::Array: return GENNC_CONNECT_ARRAY;
    case sema::ConnectorKind::Clone: return GENNC_CONNECT_CLONE;
    case sema::ConnectorKind::FromHost: return GENNC_CONNECT_FROM_HOST;
  }
  return GENNC_CONNECT_ALL_TO_ALL;
}

}  // namespace

// Population index of position `pos` of a selection (all or a slice; sema refuses index
// lists for procedural, dense and bitmask projections).
ExprPtr Lowerer::selected(const Selection& s, ExprPtr pos) {
  if (s.kind == GENNC_SELECT_ALL) return pos;
  return binary(BinaryOp::Add, iconst(Type::U32, s.start), binary(BinaryOp::Mul, std::move(pos), iconst(Type::U32, s.step)));
}

// Whether population index `i` lies in the slice, and its position there.
ExprPtr Lowerer::in_slice(const Selection& s, const Expr& i) {
  return binary(BinaryOp::And,
                binary(BinaryOp::And, binary(BinaryOp::Ge, clone(i), iconst(Type::U32, s.start)),
                       binary(BinaryOp::Lt, clone(i), iconst(Type::U32, s.stop))),
                binary(BinaryOp::Eq,
                       binary(BinaryOp::Rem, binary(BinaryOp::Sub, clone(i), iconst(Type::U32, s.start)),
                              iconst(Type::U32, s.step)),
                       iconst(Type::U32, 0)));
}

ExprPtr Lowerer::position_in(const Selection& s, const Expr& i) {
  if (s.kind == GENNC_SELECT_ALL) return clone(i);
  return binary(BinaryOp::Div, binary(BinaryOp::Sub, clone(i), iconst(Type::U32, s.start)), iconst(Type::U32, s.step));
}

// The row of pre neuron `pre_id` regenerated from a procedural projection's connector,
// with the arguments connect.cpp gives the same generator when it stores the row: the
// row's position in the pre selection, the neuron as draw index, and the post position to
// skip when self connections are excluded. Neurons outside the pre selection have no row.
StmtPtr Lowerer::regenerated_row(const Projection& plan, LocalId pre_id, LocalId position_id, Block body,
                                 SourceRange range) {
  auto index = static_cast<std::uint32_t>(&plan - m_->projections.data());
  ExprPtr pre = local(pre_id, Type::U32);
  ExprPtr excluded = iconst(Type::U32, GENNC_ROW_NONE);
  if (plan.pre.population == plan.post.population && !plan.connector.allow_self_connections)
    excluded = plan.post.kind == GENNC_SELECT_ALL
                   ? clone(*pre)
                   : select(in_slice(plan.post, *pre), position_in(plan.post, *pre), iconst(Type::U32, GENNC_ROW_NONE));
  StmtPtr row = for_row(index, position_id, position_in(plan.pre, *pre), clone(*pre), std::move(excluded),
                        std::move(body), range);
  if (plan.pre.kind == GENNC_SELECT_ALL) return row;
  Block inside;
  inside.push_back(std::move(row));
  return if_(in_slice(plan.pre, *pre), std::move(inside), {}, range);
}

// The pre neuron of synapse `syn`: the last row whose first synapse is <= syn (a
// bisection over the row pointers, in as many halvings as the pre population needs).
LocalId Lowerer::find_pre(Kernel& k, const Projection& plan, LocalId syn_id, Block& out) {
  std::uint32_t n = m_->populations[plan.pre.population].size;
  LocalId lo = k.add_local("lo", Type::U32);
  LocalId hi = k.add_local("hi", Type::U32);
  LocalId mid = k.add_local("mid", Type::U32);
  LocalId it = k.add_local("halving", Type::U32);
  out.push_back(let(lo, iconst(Type::U32, 0)));
  out.push_back(let(hi, iconst(Type::U32, n)));
  std::uint32_t halvings = 0;
  while ((1ull << halvings) < n) ++halvings;
  Block step;
  step.push_back(let(mid, binary(BinaryOp::Div, binary(BinaryOp::Add, local(lo, Type::U32), local(hi, Type::U32)),
                                 iconst(Type::U32, 2))));
  Block go_right, go_left;
  go_right.push_back(assign(lo, local(mid, Type::U32)));
  go_left.push_back(assign(hi, local(mid, Type::U32)));
  step.push_back(if_(binary(BinaryOp::Le, load(plan.row_pointer_array, Type::U32, local(mid, Type::U32)),
                            local(syn_id, Type::U32)),
                     std::move(go_right), std::move(go_left)));
  if (halvings > 0) out.push_back(for_(it, iconst(Type::U32, 0), iconst(Type::U32, halvings), std::move(step)));
  return lo;
}

// Parameters and (non-trace) state of a synapse or component: per synapse, or one value
// per projection (components' parameters, scalar scope).
void Lowerer::declare_synapse(Instance& syn, Projection& plan) {
  const sema::Model& model = *syn.model;
  for (const auto* list : {&model.parameters, &model.state}) {
    bool state = list == &model.state;
    for (const sema::Symbol* s : *list) {
      if (s->trace || (!state && s->name == "delay" && model.kind == ast::ModelKind::Synapse)) continue;
      const sema::Value* v = value_of(syn, s);
      sema::Value fallback;
      if (!v) {
        fallback.kind = sema::ValueKind::Constant;
        if (s->value) fallback.numbers = *s->value;
        v = &fallback;
      }
      ArrayId id = synapse_array(syn, s, *v, state ? GENNC_ARRAY_STATE : GENNC_ARRAY_PARAMETER, plan);
      if (id != kNone) syn.arrays[s] = id;
    }
  }
}

ArrayId Lowerer::synapse_array(Instance& syn, const sema::Symbol* s, const sema::Value& v, std::uint32_t flags,
                               Projection& plan) {
  Init in;
  GenncArrayScope scope = syn.scope;
  if (v.kind == sema::ValueKind::Expression && uses_connection(v.expr)) {
    in = synapse_function_init(v.expr, syn.prefix + s->name + ".init");
    scope = GENNC_SCOPE_SYNAPSE;
  } else if (v.kind == sema::ValueKind::Expression) {
    in = state_init(syn, s);  // an expression of the model's parameters (`u: real = U`)
  } else if (v.kind == sema::ValueKind::PerElement) {
    in.kind = GENNC_INIT_ZERO;  // filled from the connection list's column by the runtime
    scope = GENNC_SCOPE_SYNAPSE;
  } else {
    in = init_of(v);
    if (v.kind == sema::ValueKind::Distribution) scope = GENNC_SCOPE_SYNAPSE;
  }
  // Weights of a list or file with a weight column: per synapse, the synapse's own value
  // the default where the data has none. So are the variables the host may give
  // (`from_host(U)`), whatever value the synapse was given.
  bool from_data = s->name == "weight" && syn.scope == GENNC_SCOPE_SYNAPSE && carries_weights(plan.connector);
  const sema::HostColumn* host = nullptr;
  if (syn.host_columns)
    for (const sema::HostColumn& h : *syn.host_columns)
      if (h.name == s->name) host = &h;
  if (from_data || host) scope = GENNC_SCOPE_SYNAPSE;
  if ((plan.form == RowForm::Procedural || plan.form == RowForm::Bitmask) && scope == GENNC_SCOPE_SYNAPSE) {
    // Sema admits only constants and distributions here (no state, no expressions). A
    // constant is one parameter of the projection, like any other uniform parameter
    // (specialise_uniform_parameters decides what it becomes); a draw is computed where
    // it is used, with the address the stored array's element would have.
    if (in.kind == GENNC_INIT_CONSTANT) {
      scope = GENNC_SCOPE_SCALAR;
    } else {
      syn.computed[s] = std::move(in);
      return kNone;
    }
  }
  ArrayId id = add_array(syn.prefix + s->name, unit_of(syn, s), type_of(s->type), scope, syn.owner, flags, std::move(in));
  if ((v.kind == sema::ValueKind::PerElement && s->name == "weight") || from_data) plan.weight_from_list = id;
  if (host) plan.host_columns.push_back({host->name, id, host->scale});
  return id;
}

// Whether a connector's data may hold a weight or a delay column (a file's columns are
// known only when the runtime reads it, the host's when the simulation is created).
bool Lowerer::carries_weights(const Connector& c) {
  return c.kind == GENNC_CONNECT_FROM_FILE || c.kind == GENNC_CONNECT_FROM_HOST ||
         (c.kind == GENNC_CONNECT_FROM_LIST && c.list_columns >= 3);
}

bool Lowerer::carries_delays(const Connector& c) {
  return c.kind == GENNC_CONNECT_FROM_FILE || c.kind == GENNC_CONNECT_FROM_HOST ||
         (c.kind == GENNC_CONNECT_FROM_LIST && c.list_columns >= 4);
}

// A per-connection value given as an expression of d, dx, dy, dz (or i, j).
Init Lowerer::synapse_function_init(const ast::Expr* e, const std::string& name) {
  Init in;
  in.kind = GENNC_INIT_SYNAPSE_KERNEL;
  in.kernel = synapse_function(e, name);
  return in;
}

std::uint32_t Lowerer::synapse_function(const ast::Expr* e, const std::string& name) {
  Kernel scratch;
  CodeLowerer cl(p_, *m_, scratch);
  bind_connection_symbols(cl, e);
  SynapseFunction f;
  f.name = name;
  f.value = cl.expr_as(e, Type::F64);
  f.range = e->range;
  m_->synapse_functions.push_back(std::move(f));
  return static_cast<std::uint32_t>(m_->synapse_functions.size() - 1);
}

bool Lowerer::uses_connection(const ast::Expr* e) {
  bool found = false;
  visit_names(e, [&](const sema::Symbol* s) { found = found || s->kind == sema::SymbolKind::Connection; });
  return found;
}

// Calls f with the symbol of every name in e.
void Lowerer::visit_names(const ast::Expr* e, const std::function<void(const sema::Symbol*)>& f) {
  std::function<void(const ast::Expr*)> walk = [&](const ast::Expr* x) {
    if (!x) return;
    if (const sema::Symbol* s = p_.symbol_of(x)) f(s);
    using ast::ExprKind;
    switch (x->kind) {
      case ExprKind::Unary: walk(static_cast<const ast::UnaryExpr*>(x)->operand.get()); break;
      case ExprKind::Binary:
        walk(static_cast<const ast::BinaryExpr*>(x)->lhs.get());
        walk(static_cast<const ast::BinaryExpr*>(x)->rhs.get());
        break;
      case ExprKind::Conditional:
        walk(static_cast<const ast::ConditionalExpr*>(x)->cond.get());
        walk(static_cast<const ast::ConditionalExpr*>(x)->then.get());
        walk(static_cast<const ast::ConditionalExpr*>(x)->otherwise.get());
        break;
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(x)->args) walk(a.value.get());
        break;
      case ExprKind::Index:
        walk(static_cast<const ast::IndexExpr*>(x)->base.get());
        walk(static_cast<const ast::IndexExpr*>(x)->index.get());
        break;
      default: break;
    }
  };
  walk(e);
}

void Lowerer::bind_connection_symbols(CodeLowerer& cl, const ast::Expr* e) {
  visit_names(e, [&](const sema::Symbol* s) {
    if (s->kind != sema::SymbolKind::Connection) return;
    Input in = s->name == "d"    ? Input::Distance
               : s->name == "dx" ? Input::Dx
               : s->name == "dy" ? Input::Dy
               : s->name == "dz" ? Input::Dz
               : s->name == "i"  ? Input::Pre
                                 : Input::Post;
    cl.bind(s, CodeLowerer::coerce(input(in), type_of(s->type)));
  });
}

std::uint32_t Lowerer::delay_steps(double ms) const {
  // Halves up, tolerant of representation error, as the runtime's delay_to_steps.
  double steps = std::floor(ms / m_->dt + 0.5 + 1e-9);
  return steps < 1 ? 1u : static_cast<std::uint32_t>(steps);
}

Connector Lowerer::connector_of(const sema::Connector& c, const std::string& name, const Part& part) {
  Connector out;
  out.kind = connector_kind(c.kind);
  out.allow_self_connections = c.allow_self_connections;
  out.with_replacement = c.with_replacement;
  switch (c.kind) {
    case sema::ConnectorKind::FixedProbability: out.params[0] = c.p; break;
    case sema::ConnectorKind::FixedNumberPre:
    case sema::ConnectorKind::FixedNumberPost:
    case sema::ConnectorKind::FixedTotalNumber: out.params[0] = static_cast<double>(c.n); break;
    case sema::ConnectorKind::SmallWorld:
      out.params[0] = c.degree;
      out.params[1] = c.p;
      break;
    case sema::ConnectorKind::Clone: out.params[0] = static_cast<double>(c.clone_of); break;
    case sema::ConnectorKind::DistanceDependentProbability:
    case sema::ConnectorKind::DisplacementDependentProbability:
    case sema::ConnectorKind::IndexBasedProbability:
      out.probability = synapse_function(c.probability, name + ".probability");
      break;
    case sema::ConnectorKind::FromList: {
      bool weights = false, delays = false;
      for (const auto& row : c.list) {
        weights = weights || row.weight.has_value();
        delays = delays || row.delay.has_value();
      }
      out.list_columns = 2 + (weights || delays ? 1 : 0) + (delays ? 1 : 0);
      // Between assemblies, each part takes the rows of its own neurons, numbered within it.
      const std::int64_t pre_size = part.pre.size(), post_size = part.post.size();
      for (const auto& row : c.list) {
        const std::int64_t i = static_cast<std::int64_t>(row.pre) - part.pre_offset;
        const std::int64_t j = static_cast<std::int64_t>(row.post) - part.post_offset;
        if (i < 0 || i >= pre_size || j < 0 || j >= post_size) continue;
        out.list.push_back(static_cast<double>(i));
        out.list.push_back(static_cast<double>(j));
        if (out.list_columns > 2) out.list.push_back(row.weight.value_or(0.0));
        if (out.list_columns > 3) out.list.push_back(row.delay.value_or(m_->dt));
        ++out.list_rows;
      }
      break;
    }
    case sema::ConnectorKind::FromFile: out.path = c.file; break;
    case sema::ConnectorKind::Array:
      // The part's block of the pre x post matrix, row by row.
      for (std::int64_t i = 0; i < part.pre.size(); ++i)
        for (std::int64_t j = 0; j < part.post.size(); ++j)
          out.list.push_back(c.matrix.at(static_cast<std::size_t>((part.pre_offset + i) * part.post_total +
                                                                  part.post_offset + j)));
      out.list_rows = static_cast<std::uint64_t>(part.pre.size());
      out.list_columns = static_cast<std::uint32_t>(part.post.size());
      break;
    default: break;
  }
  out.stream = m_->new_stream();
  return out;
}

}  // namespace gennc::lower
