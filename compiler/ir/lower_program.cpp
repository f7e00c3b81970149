#include "ir/lower_program.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "gennc/connect_rows.h"
#include "ir/fold.h"
#include "ir/internal_error.h"
#include "ir/lower_code.h"
#include "sema/units.h"

namespace gennc::ir {

namespace {

const char* kWhere = "lowering to IR";
using diag::DiagId;

GenncDType dtype_for(Type t) {
  auto d = storage_type(t);
  GENNC_IR_ASSERT(d.has_value(), kWhere, "no array type stores a u64");
  return *d;
}

std::string unit_text(const sema::Dimension& dim) {
  return dim.dimensionless() ? std::string() : sema::format_dimension(dim);
}

GenncInitKind init_kind(sema::Builtin b) {
  switch (b) {
    case sema::Builtin::Uniform: return GENNC_INIT_UNIFORM;
    case sema::Builtin::Normal: return GENNC_INIT_NORMAL;
    case sema::Builtin::NormalClipped: return GENNC_INIT_NORMAL_CLIPPED;
    case sema::Builtin::Exponential: return GENNC_INIT_EXPONENTIAL;
    case sema::Builtin::Gamma: return GENNC_INIT_GAMMA;
    case sema::Builtin::Lognormal: return GENNC_INIT_LOGNORMAL;
    case sema::Builtin::Poisson: return GENNC_INIT_POISSON;
    case sema::Builtin::Binomial: return GENNC_INIT_BINOMIAL;
    case sema::Builtin::UniformInt: return GENNC_INIT_UNIFORM_INT;
    default: internal_error(kWhere, "distribution without an initialiser kind");
  }
}

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

// ---- Linearity of `on spike` in its weight -------------------------------------------

// How an expression depends on the handler's weight argument.
enum class Dep { Free, Linear, Bad };

class LinearityCheck {
 public:
  LinearityCheck(const sema::Program& p, const sema::Symbol* w) : p_(p) { linear_.insert(w); }

  bool block_ok(const ast::Block& b) {
    collect_assigned(b);
    return statements_ok(b);
  }

 private:
  void collect_assigned(const ast::Block& b) {
    for (const auto& s : b.statements) {
      if (auto* a = ast::dyn_cast<ast::AssignStmt>(s.get())) {
        auto it = p_.assign_targets.find(a);
        if (it != p_.assign_targets.end()) assigned_.insert(it->second);
      } else if (auto* i = ast::dyn_cast<ast::IfStmt>(s.get())) {
        collect_assigned(i->then);
        if (i->otherwise) collect_assigned(*i->otherwise);
      }
    }
  }

  bool statements_ok(const ast::Block& b) {
    for (const auto& s : b.statements) {
      if (auto* let = ast::dyn_cast<ast::LetStmt>(s.get())) {
        Dep d = dep(let->value.get());
        if (d == Dep::Bad) return false;
        auto it = p_.lets.find(let);
        if (d == Dep::Linear && it != p_.lets.end()) linear_.insert(it->second);
      } else if (auto* a = ast::dyn_cast<ast::AssignStmt>(s.get())) {
        Dep d = dep(a->value.get());
        bool accumulate = a->op == ast::AssignOp::Add || a->op == ast::AssignOp::Sub;
        // Accumulating a weight-free amount counts spikes, which a summed weight cannot do.
        if (d == Dep::Bad || (accumulate && d == Dep::Free) || (!accumulate && d == Dep::Linear)) return false;
      } else if (auto* i = ast::dyn_cast<ast::IfStmt>(s.get())) {
        if (dep(i->cond.get()) != Dep::Free) return false;
        if (!statements_ok(i->then)) return false;
        if (i->otherwise && !statements_ok(*i->otherwise)) return false;
      } else if (auto* e = ast::dyn_cast<ast::ExprStmt>(s.get())) {
        if (dep(e->expr.get()) != Dep::Free) return false;
      }
    }
    return true;
  }

  bool reads_assigned(const ast::Expr* e) {
    bool found = false;
    walk(e, [&](const ast::Expr* x) {
      const sema::Symbol* s = p_.symbol_of(x);
      if (s && assigned_.count(s)) found = true;
    });
    return found;
  }

  static void walk(const ast::Expr* e, const std::function<void(const ast::Expr*)>& f) {
    if (!e) return;
    f(e);
    using ast::ExprKind;
    switch (e->kind) {
      case ExprKind::Unary: walk(static_cast<const ast::UnaryExpr*>(e)->operand.get(), f); break;
      case ExprKind::Binary: {
        auto* b = static_cast<const ast::BinaryExpr*>(e);
        walk(b->lhs.get(), f);
        walk(b->rhs.get(), f);
        break;
      }
      case ExprKind::Conditional: {
        auto* c = static_cast<const ast::ConditionalExpr*>(e);
        walk(c->cond.get(), f);
        walk(c->then.get(), f);
        walk(c->otherwise.get(), f);
        break;
      }
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(e)->args) walk(a.value.get(), f);
        break;
      case ExprKind::Index: {
        auto* ix = static_cast<const ast::IndexExpr*>(e);
        walk(ix->base.get(), f);
        walk(ix->index.get(), f);
        break;
      }
      default: break;
    }
  }

  static bool is_zero(const ast::Expr* e) {
    if (auto* n = ast::dyn_cast<ast::NumberLit>(e)) return n->value == 0;
    if (auto* q = ast::dyn_cast<ast::QuantityLit>(e)) return q->value == 0;
    return false;
  }

  Dep dep(const ast::Expr* e) {
    using ast::ExprKind;
    switch (e->kind) {
      case ExprKind::Name: {
        const sema::Symbol* s = p_.symbol_of(e);
        return s && linear_.count(s) ? Dep::Linear : Dep::Free;
      }
      case ExprKind::Unary: {
        auto* u = static_cast<const ast::UnaryExpr*>(e);
        Dep d = dep(u->operand.get());
        return u->op == ast::UnaryOp::Not && d != Dep::Free ? Dep::Bad : d;
      }
      case ExprKind::Binary: {
        auto* b = static_cast<const ast::BinaryExpr*>(e);
        Dep l = dep(b->lhs.get()), r = dep(b->rhs.get());
        if (l == Dep::Bad || r == Dep::Bad) return Dep::Bad;
        if (l == Dep::Free && r == Dep::Free) return Dep::Free;
        switch (b->op) {
          case ast::BinaryOp::Add:
          case ast::BinaryOp::Sub:
            if ((l == Dep::Linear || is_zero(b->lhs.get())) && (r == Dep::Linear || is_zero(b->rhs.get())))
              return Dep::Linear;
            return Dep::Bad;
          case ast::BinaryOp::Mul:
            if (l == Dep::Linear && r == Dep::Linear) return Dep::Bad;
            return reads_assigned(l == Dep::Free ? b->lhs.get() : b->rhs.get()) ? Dep::Bad : Dep::Linear;
          case ast::BinaryOp::Div:
            return r == Dep::Free && !reads_assigned(b->rhs.get()) ? Dep::Linear : Dep::Bad;
          default: return Dep::Bad;
        }
      }
      case ExprKind::Conditional: {
        auto* c = static_cast<const ast::ConditionalExpr*>(e);
        if (dep(c->cond.get()) != Dep::Free) return Dep::Bad;
        Dep a = dep(c->then.get()), b = dep(c->otherwise.get());
        if (a == Dep::Bad || b == Dep::Bad) return Dep::Bad;
        if (a == b) return a;
        if ((a == Dep::Linear && is_zero(c->otherwise.get())) || (b == Dep::Linear && is_zero(c->then.get())))
          return Dep::Linear;
        return Dep::Bad;
      }
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(e)->args)
          if (dep(a.value.get()) != Dep::Free) return Dep::Bad;
        return Dep::Free;
      default: return Dep::Free;
    }
  }

  const sema::Program& p_;
  std::set<const sema::Symbol*> linear_;
  std::set<const sema::Symbol*> assigned_;
};

// ---- Model instances ------------------------------------------------------------------

// A list parameter: its values (one list for all elements, or one per element,
// concatenated with an offsets array of count + 1 entries).
struct ListArrays {
  ArrayId values = kNone;
  ArrayId offsets = kNone;   // kNone: one list shared by every element
  std::uint32_t length = 0;  // shared list: its length
};

// One instance of a model (a population's neuron, one of its receptors, an injection's
// current source, a projection's synapse or slot component) and the arrays that hold its
// parameters, state and derived quantities.
struct Instance {
  const sema::Model* model = nullptr;
  const std::map<std::string, sema::Value>* values = nullptr;
  std::string prefix;  // array names: prefix + variable name
  GenncArrayScope scope = GENNC_SCOPE_NEURON;
  std::uint32_t owner = 0;
  std::uint32_t count = 0;  // elements (neurons, targets); 0 when unknown (synapses)
  sema::Dimension weight_dim;  // synapse-side models: what `weight` stands for
  std::map<const sema::Symbol*, ArrayId> arrays;  // parameters, state, derived
  std::map<const sema::Symbol*, const ast::Expr*> aliases;  // parameters given as expressions
  std::map<const sema::Symbol*, ListArrays> lists;
  // Procedural projections: per-synapse values computed where they are used (a constant,
  // or the draw the stored array's element would get) instead of arrays.
  std::map<const sema::Symbol*, Init> computed;
  // A from_host projection's synapse: the variables the host may give per synapse.
  const std::vector<sema::HostColumn>* host_columns = nullptr;
};

struct PopInfo {
  std::map<std::string, ArrayId> recordable;  // "v", "excitatory.isyn"
  std::vector<ArrayId> rings;                 // by receptor index
  std::map<std::string, ArrayId> injected;    // neuron input -> current-source accumulator
  std::map<std::string, ArrayId> state;       // neuron state by name (for pre./post. access)
  std::uint32_t update_kernel = kNone;
  std::uint32_t derived_kernel = kNone;
};

class Lowerer {
 public:
  Lowerer(const sema::Program& p, const sema::Network& n, const diag::SourceManager& sources,
          diag::Diagnostics& diags, const LowerOptions& o)
      : p_(p), net_(n), sources_(sources), diags_(diags), opts_(o) {}

  std::unique_ptr<Module> run() {
    m_ = std::make_unique<Module>();
    m_->network_name = net_.name;
    if (net_.decl && net_.decl->range.valid()) m_->source_path = sources_.path(net_.decl->range.begin.file);
    m_->dt = net_.settings.dt;
    m_->duration = net_.settings.duration;
    m_->seed = net_.settings.seed;
    m_->real = opts_.real;

    pops_.resize(net_.populations.size());
    for (std::size_t i = 0; i < net_.populations.size(); ++i) declare_population(i);
    for (const sema::Injection& inj : net_.injections)
      for (const sema::IndexSet& set : inj.targets) declare_injected(set.population, inj.target_input);
    declare_synapse_outputs();
    std::vector<std::uint32_t> cs_kernels, neuron_kernels;
    ProjectionKernels projection_kernels;
    for (std::size_t i = 0; i < net_.injections.size(); ++i) lower_injection(i, cs_kernels);
    for (std::size_t i = 0; i < net_.populations.size(); ++i) {
      lower_population(i);
      neuron_kernels.push_back(pops_[i].update_kernel);
      if (pops_[i].derived_kernel != kNone) m_->init_schedule.push_back(pops_[i].derived_kernel);
    }
    for (std::size_t i = 0; i < net_.projections.size(); ++i) lower_projection(i, projection_kernels);
    for (const sema::Recording& r : net_.recordings) lower_recording(r);
    // Plastic synapses: the post spikes and trace values of the step are kept first; the `on
    // post` and `on pre` handlers of one step both read the traces as they were before that
    // step's spikes (NEST's stdp_synapse), so the post handlers run before the pre kernels and
    // the post traces count their spikes after them.
    for (auto* list : {&cs_kernels, &neuron_kernels, &projection_kernels.traces, &projection_kernels.post_spikes,
                       &projection_kernels.post, &projection_kernels.pre, &projection_kernels.post_traces,
                       &projection_kernels.continuous})
      m_->step_schedule.insert(m_->step_schedule.end(), list->begin(), list->end());
    return std::move(m_);
  }

 private:
  // ---- helpers --------------------------------------------------------------------------

  Type type_of(const sema::Type& t) const {
    if (t.kind == sema::TypeKind::Bool) return Type::Bool;
    if (t.kind == sema::TypeKind::Int) return Type::I32;
    return m_->real;
  }

  std::uint32_t add_kernel(std::string name, GenncKernelKind kind, std::uint32_t owner, SourceRange range) {
    Kernel k;
    k.name = std::move(name);
    k.kind = kind;
    k.owner = owner;
    k.range = range;
    m_->kernels.push_back(std::move(k));
    return static_cast<std::uint32_t>(m_->kernels.size() - 1);
  }

  ArrayId add_array(std::string name, std::string unit, Type t, GenncArrayScope scope, std::uint32_t owner,
                    std::uint32_t flags, Init init = {}, std::uint64_t length = 0) {
    Array a;
    a.name = std::move(name);
    a.unit = std::move(unit);
    a.dtype = dtype_for(t);
    a.scope = scope;
    a.owner = owner;
    a.length = length;
    a.flags = flags;
    a.init = std::move(init);
    return m_->add_array(std::move(a));
  }

  Selection selection_of(const sema::IndexSet& s) const {
    Selection out;
    out.population = static_cast<std::uint32_t>(s.population);
    auto size = net_.populations[s.population].size;
    out.count = static_cast<std::uint32_t>(s.size());
    if (s.is_slice) {
      if (s.start == 0 && s.stop == size && s.step == 1) {
        out.kind = GENNC_SELECT_ALL;
      } else {
        out.kind = GENNC_SELECT_SLICE;
        out.start = static_cast<std::uint32_t>(s.start);
        out.stop = static_cast<std::uint32_t>(s.stop);
        out.step = static_cast<std::uint32_t>(s.step);
      }
    } else {
      out.kind = GENNC_SELECT_LIST;
      for (auto i : s.indices) out.indices.push_back(static_cast<std::uint32_t>(i));
    }
    return out;
  }

  Init init_of(const sema::Value& v) {
    Init in;
    switch (v.kind) {
      case sema::ValueKind::Constant:
        in.kind = GENNC_INIT_CONSTANT;
        in.params[0] = v.numbers.empty() ? 0.0 : v.numbers[0];
        break;
      case sema::ValueKind::PerElement:
        in.kind = GENNC_INIT_LIST;
        in.values = v.numbers;
        break;
      case sema::ValueKind::Distribution:
        in.kind = init_kind(v.distribution.kind);
        for (std::size_t k = 0; k < v.distribution.args.size() && k < 4; ++k) in.params[k] = v.distribution.args[k];
        in.stream = m_->new_stream();
        break;
      case sema::ValueKind::Expression: internal_error(kWhere, "expression value has no initialiser");
    }
    return in;
  }

  const sema::Value* value_of(const Instance& inst, const sema::Symbol* s) const {
    if (!inst.values) return nullptr;
    auto it = inst.values->find(s->name);
    return it == inst.values->end() ? nullptr : &it->second;
  }

  // The symbol's dimension with `weight` made concrete.
  std::string unit_of(const Instance& inst, const sema::Symbol* s) const {
    return unit_text(s->type.dim.has_weight() ? s->type.dim.substitute_weight(inst.weight_dim) : s->type.dim);
  }

  // Declares the arrays of an instance's parameters, state and derived quantities.
  void declare_instance(Instance& inst) {
    const sema::Model& model = *inst.model;
    for (const sema::Symbol* s : model.parameters) {
      const sema::Value* v = value_of(inst, s);
      sema::Value fallback;
      if (!v) {
        fallback.kind = sema::ValueKind::Constant;
        fallback.type = s->type;
        if (s->value) fallback.numbers = *s->value;
        v = &fallback;
      }
      if (s->type.list) {
        declare_list(inst, s, *v);
        continue;
      }
      if (v->kind == sema::ValueKind::Expression) {
        inst.aliases[s] = v->expr;
        continue;
      }
      inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                                 GENNC_ARRAY_PARAMETER, init_of(*v), scope_length(inst));
    }
    for (const sema::Symbol* s : model.derived)
      inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                                 GENNC_ARRAY_DERIVED, {}, scope_length(inst));
    for (const sema::Symbol* s : model.state) {
      if (s->trace) continue;  // trace state lives per neuron, declared with the projection
      inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                                 GENNC_ARRAY_STATE, state_init(inst, s), scope_length(inst));
    }
  }

  std::uint64_t scope_length(const Instance& inst) const { return inst.scope == GENNC_SCOPE_LIST ? inst.count : 0; }

  void declare_list(Instance& inst, const sema::Symbol* s, const sema::Value& v) {
    ListArrays la;
    Init values;
    values.kind = GENNC_INIT_LIST;
    if (v.kind == sema::ValueKind::PerElement && !v.lists.empty()) {
      Init offsets;
      offsets.kind = GENNC_INIT_LIST;
      offsets.values.push_back(0);
      for (const auto& l : v.lists) {
        values.values.insert(values.values.end(), l.begin(), l.end());
        offsets.values.push_back(static_cast<double>(values.values.size()));
      }
      std::uint64_t n = offsets.values.size();
      la.offsets = add_array(inst.prefix + s->name + ".offsets", "", Type::U32, GENNC_SCOPE_LIST, 0,
                             GENNC_ARRAY_INTERNAL, std::move(offsets), n);
    } else {
      values.values = v.numbers;
      la.length = static_cast<std::uint32_t>(v.numbers.size());
    }
    std::uint64_t n = values.values.size();
    la.values = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type.element()), GENNC_SCOPE_LIST, 0,
                          GENNC_ARRAY_PARAMETER, std::move(values), n);
    inst.lists[s] = la;
  }

  // A state variable's initial value. An expression of parameters (`u: real = U`) is
  // evaluated here from the parameters' values, per element where they differ.
  Init state_init(Instance& inst, const sema::Symbol* s) {
    const sema::Value* v = value_of(inst, s);
    if (v && v->kind != sema::ValueKind::Expression) return init_of(*v);
    const ast::Expr* e = v ? v->expr : (s->decl ? s->decl->init.get() : nullptr);
    if (!e) {
      Init in;
      in.kind = GENNC_INIT_CONSTANT;
      if (s->value && !s->value->empty()) in.params[0] = s->value->front();
      return in;
    }
    // Lower the expression in a scratch kernel with parameters as loads, then evaluate.
    Kernel scratch;
    CodeLowerer cl(p_, *m_, scratch, diags_);
    ExprPtr idx = input(Input::Index);
    bind_parameters(cl, inst, *idx);
    ExprPtr value = cl.expr_as(e, type_of(s->type));
    std::vector<double> per_element;
    bool per_element_needed = false;
    bool ok = true;
    auto evaluate = [&](std::size_t element) -> std::optional<double> {
      ExprPtr copy = clone(*value);
      Block holder;
      holder.push_back(ir::let(0, std::move(copy)));
      for_each_expr_slot(holder, [&](ExprPtr& slot) {
        if (slot->kind != ExprKind::Load) return;
        const Init& in = m_->arrays[slot->array].init;
        if (in.kind == GENNC_INIT_CONSTANT) {
          slot = make_const(slot->type, in.params[0]);
        } else if (in.kind == GENNC_INIT_LIST && element < in.values.size()) {
          per_element_needed = true;
          slot = make_const(slot->type, in.values[element]);
        } else {
          ok = false;
        }
      });
      ExprPtr folded = fold(std::move(holder[0]->value));
      if (!is_const(*folded)) return std::nullopt;
      return const_value(*folded);
    };
    Init in;
    auto first = evaluate(0);
    if (!ok || !first) {
      diags_.report(DiagId::unsupported_initial_value, e->range, inst.prefix + s->name);
      return in;
    }
    if (!per_element_needed) {
      in.kind = GENNC_INIT_CONSTANT;
      in.params[0] = *first;
      return in;
    }
    in.kind = GENNC_INIT_LIST;
    for (std::size_t i = 0; i < inst.count; ++i) in.values.push_back(evaluate(i).value_or(0.0));
    return in;
  }

  // Binds an instance's parameters (arrays read at `idx`, list parameters, aliases) in cl.
  void bind_parameters(CodeLowerer& cl, Instance& inst, const Expr& idx) {
    for (const sema::Symbol* s : inst.model->parameters) {
      auto it = inst.arrays.find(s);
      if (it != inst.arrays.end()) cl.bind(s, load(it->second, type_of(s->type), clone(idx)));
    }
    for (auto& [s, la] : inst.lists) lists_[s] = {la, clone(idx)};
    cl.list_length = [this](const sema::Symbol* s) -> ExprPtr {
      auto& [la, index] = lists_.at(s);
      if (la.offsets == kNone) return iconst(Type::I32, la.length);
      ExprPtr next = binary(BinaryOp::Add, clone(*index), iconst(Type::U32, 1));
      return cast(Type::I32, binary(BinaryOp::Sub, load(la.offsets, Type::U32, std::move(next)),
                                    load(la.offsets, Type::U32, clone(*index))));
    };
    cl.list_element = [this](const sema::Symbol* s, ExprPtr i) -> ExprPtr {
      auto& [la, index] = lists_.at(s);
      Type t = value_type(m_->arrays[la.values].dtype);
      if (la.offsets == kNone) return load(la.values, t, std::move(i));
      return load(la.values, t, binary(BinaryOp::Add, load(la.offsets, Type::U32, clone(*index)), std::move(i)));
    };
    // Aliases are expressions in the host's symbols, bound before this call.
    for (auto& [s, e] : inst.aliases) cl.bind(s, cl.expr_as(e, type_of(s->type)));
  }

  void bind_derived_loads(CodeLowerer& cl, Instance& inst, const Expr& idx) {
    for (const sema::Symbol* s : inst.model->derived) cl.bind(s, load(inst.arrays.at(s), type_of(s->type), clone(idx)));
  }

  // Loads an instance's state into locals; `stores` collects the write-backs.
  void load_state(CodeLowerer& cl, Instance& inst, const Expr& idx, const std::string& local_prefix, Block& out,
                  Block& stores) {
    for (const sema::Symbol* s : inst.model->state) {
      auto it = inst.arrays.find(s);
      if (it == inst.arrays.end()) continue;
      Type t = type_of(s->type);
      LocalId id = cl.kernel().add_local(local_prefix + s->name, t);
      out.push_back(let(id, load(it->second, t, clone(idx)), s->decl ? s->decl->range : SourceRange{}));
      stores.push_back(store(it->second, clone(idx), local(id, t)));
      cl.bind(s, local(id, t));
    }
  }

  void bind_state_arrays(CodeLowerer& cl, Instance& inst, const Expr& idx) {
    for (const sema::Symbol* s : inst.model->state) {
      auto it = inst.arrays.find(s);
      if (it != inst.arrays.end()) cl.bind(s, load(it->second, type_of(s->type), clone(idx)));
    }
  }

  // Emits the derived kernel's computation of an instance's derived quantities.
  void compute_derived(CodeLowerer& cl, Instance& inst, const Expr& idx, Block& out) {
    for (const sema::Symbol* s : inst.model->derived) {
      Type t = type_of(s->type);
      ExprPtr value = cl.expr_as(s->decl->init.get(), t);
      LocalId id = cl.kernel().add_local(inst.prefix + s->name, t);
      out.push_back(let(id, std::move(value), s->decl->range));
      out.push_back(store(inst.arrays.at(s), clone(idx), local(id, t), s->decl->range));
      cl.bind(s, local(id, t));
    }
  }

  // ---- populations ------------------------------------------------------------------------

  void declare_population(std::size_t pi) {
    const sema::Population& pop = net_.populations[pi];
    PopInfo& info = pops_[pi];
    Population out;
    out.name = pop.name;
    out.model = pop.model->name;
    out.size = static_cast<std::uint32_t>(pop.size);
    if (pop.structure) out.structure = structure_of(*pop.structure);
    auto owner = static_cast<std::uint32_t>(pi);
    out.spike_count_array = add_array(pop.name + ".spike_count", "", Type::U32, GENNC_SCOPE_SCALAR, owner, GENNC_ARRAY_INTERNAL);
    out.spike_list_array = add_array(pop.name + ".spike_list", "", Type::U32, GENNC_SCOPE_NEURON, owner, GENNC_ARRAY_INTERNAL);
    out.ring_depth_array = add_array(pop.name + ".ring_depth", "", Type::U32, GENNC_SCOPE_SCALAR, owner, GENNC_ARRAY_INTERNAL);
    if (counts_spikes(*pop.model))
      out.spike_multiplicity_array =
          add_array(pop.name + ".spike_multiplicity", "", Type::U32, GENNC_SCOPE_NEURON, owner, GENNC_ARRAY_INTERNAL);
    m_->populations.push_back(std::move(out));

    Instance& neuron = neurons_.emplace_back();
    neuron.model = pop.model;
    neuron.values = &pop.values;
    neuron.prefix = pop.name + ".";
    neuron.scope = GENNC_SCOPE_NEURON;
    neuron.owner = owner;
    neuron.count = static_cast<std::uint32_t>(pop.size);
    declare_instance(neuron);
    for (const sema::Symbol* s : pop.model->state) {
      if (!neuron.arrays.count(s)) continue;
      info.recordable[s->name] = neuron.arrays.at(s);
      info.state[s->name] = neuron.arrays.at(s);
    }
    auto& receptors = receptors_.emplace_back();
    for (const sema::ReceptorInstance& r : pop.receptors) {
      Instance& ri = receptors.emplace_back();
      ri.model = r.model;
      ri.values = &r.values;
      ri.prefix = pop.name + "." + r.name + ".";
      ri.scope = GENNC_SCOPE_NEURON;
      ri.owner = owner;
      ri.count = static_cast<std::uint32_t>(pop.size);
      declare_instance(ri);
      for (const sema::Symbol* s : r.model->state) info.recordable[r.name + "." + s->name] = ri.arrays.at(s);
      info.rings.push_back(add_array(pop.name + "." + r.name + ".ring", r.model->spike_dim ? unit_text(*r.model->spike_dim) : "",
                                     m_->real, GENNC_SCOPE_RING, owner, GENNC_ARRAY_INTERNAL));
    }
  }

  Structure structure_of(const sema::Structure& s) {
    Structure out;
    auto arg = [&](const char* name, double fallback = 0.0) {
      auto it = s.args.find(name);
      return it == s.args.end() ? fallback : it->second;
    };
    double fill = s.fill_order == "random" ? 1.0 : 0.0;
    switch (s.kind) {
      case sema::StructureKind::Line:
        out.kind = GENNC_STRUCTURE_LINE;
        out.params[0] = arg("dx", 1.0); out.params[1] = arg("x0"); out.params[2] = arg("y"); out.params[3] = arg("z");
        break;
      case sema::StructureKind::Grid2D:
        out.kind = GENNC_STRUCTURE_GRID2D;
        out.params[0] = arg("aspect_ratio", 1.0); out.params[1] = arg("dx", 1.0); out.params[2] = arg("dy", 1.0);
        out.params[3] = arg("x0"); out.params[4] = arg("y0"); out.params[5] = arg("z"); out.params[6] = fill;
        break;
      case sema::StructureKind::Grid3D:
        out.kind = GENNC_STRUCTURE_GRID3D;
        out.params[0] = arg("aspect_ratioXY", 1.0); out.params[1] = arg("aspect_ratioXZ", 1.0);
        out.params[2] = arg("dx", 1.0); out.params[3] = arg("dy", 1.0); out.params[4] = arg("dz", 1.0);
        out.params[5] = arg("x0"); out.params[6] = arg("y0"); out.params[7] = arg("z0"); out.params[8] = fill;
        break;
      case sema::StructureKind::RandomInBox:
        out.kind = GENNC_STRUCTURE_RANDOM_IN_BOX;
        out.params[0] = arg("sx", 1.0); out.params[1] = arg("sy", 1.0); out.params[2] = arg("sz", 1.0);
        out.params[3] = arg("cx"); out.params[4] = arg("cy"); out.params[5] = arg("cz");
        break;
      case sema::StructureKind::RandomInSphere:
        out.kind = GENNC_STRUCTURE_RANDOM_IN_SPHERE;
        out.params[0] = arg("radius", 1.0); out.params[1] = arg("cx"); out.params[2] = arg("cy"); out.params[3] = arg("cz");
        break;
    }
    if (s.kind == sema::StructureKind::RandomInBox || s.kind == sema::StructureKind::RandomInSphere || fill != 0.0)
      out.stream = m_->new_stream();
    return out;
  }

  void declare_injected(std::size_t pi, const std::string& input_name) {
    PopInfo& info = pops_[pi];
    if (info.injected.count(input_name)) return;
    const sema::Model& model = *net_.populations[pi].model;
    const sema::Symbol* in = model.find(input_name);
    std::string unit = in ? unit_text(in->type.dim) : "";
    info.injected[input_name] = add_array(net_.populations[pi].name + "." + input_name + ".injected", unit, m_->real,
                                          GENNC_SCOPE_NEURON, static_cast<std::uint32_t>(pi), GENNC_ARRAY_INTERNAL);
  }

  void lower_population(std::size_t pi) {
    const sema::Population& pop = net_.populations[pi];
    PopInfo& info = pops_[pi];
    Instance& neuron = neurons_[pi];
    auto& receptors = receptors_[pi];
    const ast::ModelBody& body = pop.model->decl->body;
    auto owner = static_cast<std::uint32_t>(pi);
    ExprPtr idx = input(Input::Index);

    // The derived kernel, when the neuron or a receptor has derived quantities.
    bool any_derived = !pop.model->derived.empty();
    for (const Instance& r : receptors) any_derived = any_derived || !r.model->derived.empty();
    if (any_derived) {
      info.derived_kernel = add_kernel(pop.name + ".derived", GENNC_KERNEL_DERIVED, owner, pop.model->decl->range);
      Kernel& dk = m_->kernels[info.derived_kernel];
      CodeLowerer cl(p_, *m_, dk, diags_);
      bind_parameters(cl, neuron, *idx);
      compute_derived(cl, neuron, *idx, dk.body);
      for (Instance& r : receptors) {
        bind_parameters(cl, r, *idx);
        compute_derived(cl, r, *idx, dk.body);
      }
    }

    info.update_kernel = add_kernel(pop.name + ".update", GENNC_KERNEL_NEURON, owner, pop.model->decl->range);
    Kernel& k = m_->kernels[info.update_kernel];
    CodeLowerer cl(p_, *m_, k, diags_);
    cl.set_draw_index(input(Input::Index));
    Block& out = k.body;
    Block stores;

    bind_parameters(cl, neuron, *idx);
    bind_derived_loads(cl, neuron, *idx);
    load_state(cl, neuron, *idx, "", out, stores);

    // Receptors' state (their input from the ring is taken at the end of the step, below).
    std::vector<Block> receptor_stores(receptors.size());
    for (std::size_t ri = 0; ri < receptors.size(); ++ri) {
      Instance& r = receptors[ri];
      bind_receptor(cl, r, neuron, *idx);
      load_state(cl, r, *idx, pop.receptors[ri].name + ".", out, receptor_stores[ri]);
    }

    // Inputs: receptor outputs and current-source input, inlined where the input is used.
    for (const sema::Symbol* in : pop.model->inputs) {
      ExprPtr sum;
      auto add = [&](ExprPtr term) {
        sum = sum ? binary(BinaryOp::Add, std::move(sum), std::move(term)) : std::move(term);
      };
      for (std::size_t ri = 0; ri < receptors.size(); ++ri) {
        Instance& r = receptors[ri];
        bind_receptor(cl, r, neuron, *idx);
        rebind_receptor_state(cl, r, k, pop.receptors[ri].name + ".");
        for (const ast::Output& o : r.model->decl->body.outputs)
          if (o.target == in->name) add(cl.expr_as(o.value.get(), m_->real));
      }
      auto inj = info.injected.find(in->name);
      if (inj != info.injected.end()) {
        LocalId id = k.add_local(in->name + ".injected", m_->real);
        out.push_back(let(id, load(inj->second, m_->real, clone(*idx))));
        out.push_back(store(inj->second, clone(*idx), fconst(m_->real, 0.0)));
        add(local(id, m_->real));
      }
      cl.bind(in, sum ? std::move(sum) : fconst(m_->real, 0.0));
    }

    // The joint ODE system of the neuron and its receptors.
    auto integrate = std::make_unique<Stmt>();
    integrate->kind = StmtKind::Integrate;
    // Where a solver problem is reported: the model's `solver` item, else the model.
    integrate->range = body.solver_range.valid() ? body.solver_range : pop.model->decl->range;
    integrate->solver = solver_of(pop.model->solver);
    add_equations(cl, *pop.model, *integrate);
    for (std::size_t ri = 0; ri < receptors.size(); ++ri) {
      Instance& r = receptors[ri];
      bind_receptor(cl, r, neuron, *idx);
      rebind_receptor_state(cl, r, k, pop.receptors[ri].name + ".");
      add_equations(cl, *r.model, *integrate);
      if (integrate->solver == Solver::Auto) integrate->solver = solver_of(r.model->solver);
    }
    if (!integrate->equations.empty()) out.push_back(std::move(integrate));

    if (body.update) cl.block(*body.update, out);

    // Spikes arriving at the end of this step, (step + 1) dt, go through `on spike` after
    // the integration and before the threshold test and the recorded sample, as NEST adds
    // them: a jump takes part in this step's threshold test and shows in the sample taken
    // at its arrival time. While refractory, the held variables are restored after this,
    // so a jump into them is lost (NEST's default). The runtime makes ring depths powers
    // of two: the slot is a mask of the step's low 32 bits (exact, as the depth divides
    // 2^32), no 64-bit remainder.
    if (!receptors.empty()) {
      LocalId slot = k.add_local("slot", Type::U32);
      ExprPtr mask = binary(BinaryOp::Sub, load(m_->populations[pi].ring_depth_array, Type::U32, iconst(Type::U32, 0)),
                            iconst(Type::U32, 1));
      ExprPtr next = binary(BinaryOp::Add, cast(Type::U32, input(Input::Step)), iconst(Type::U32, 1));
      out.push_back(let(slot, binary(BinaryOp::BitAnd, std::move(next), std::move(mask))));
      for (std::size_t ri = 0; ri < receptors.size(); ++ri) {
        Instance& r = receptors[ri];
        const std::string& rname = pop.receptors[ri].name;
        bind_receptor(cl, r, neuron, *idx);
        rebind_receptor_state(cl, r, k, rname + ".");
        receive_spikes(cl, r, rname, info.rings[ri], slot, static_cast<std::uint32_t>(pop.size), out);
      }
    }

    if (body.threshold) {
      auto th = std::make_unique<Stmt>();
      th->kind = StmtKind::Threshold;
      th->range = body.threshold_range;
      th->population = owner;
      ExprPtr count;
      if (counts_spikes(*pop.model)) {
        // An int threshold is the number of spikes this step; none when it is not positive.
        LocalId n = k.add_local("spike_count", Type::I32);
        out.push_back(let(n, cl.expr_as(body.threshold.get(), Type::I32), body.threshold_range));
        th->cond = binary(BinaryOp::Gt, local(n, Type::I32), iconst(Type::I32, 0));
        count = cast(Type::U32, local(n, Type::I32));
      } else {
        th->cond = cl.expr_as(body.threshold.get(), Type::Bool);
      }
      if (body.reset) cl.block(*body.reset, th->body);
      th->body.push_back(emit_spike(owner, clone(*idx), body.threshold_range, std::move(count)));
      if (body.refractory) {
        th->refractory = cast(Type::F64, cl.expr_as(body.refractory.get(), m_->real));
        for (const sema::Symbol* s : threshold_state(body.threshold.get(), *pop.model)) {
          const Expr* b = cl.binding(s);
          if (b && b->kind == ExprKind::Local) th->held.push_back(b->local);
        }
      }
      out.push_back(std::move(th));
    }

    for (auto& s : stores) out.push_back(std::move(s));
    for (auto& block : receptor_stores)
      for (auto& s : block) out.push_back(std::move(s));
  }

  // The neuron's state variables the threshold condition reads: held while refractory.
  std::vector<const sema::Symbol*> threshold_state(const ast::Expr* e, const sema::Model& model) {
    std::vector<const sema::Symbol*> out;
    visit_names(e, [&](const sema::Symbol* s) {
      if (s->kind == sema::SymbolKind::State && s->model == &model && std::find(out.begin(), out.end(), s) == out.end())
        out.push_back(s);
    });
    return out;
  }

  static Solver solver_of(sema::Solver s) {
    switch (s) {
      case sema::Solver::Auto: return Solver::Auto;
      case sema::Solver::Exact: return Solver::Exact;
      case sema::Solver::Euler: return Solver::Euler;
      case sema::Solver::ExponentialEuler: return Solver::ExponentialEuler;
      case sema::Solver::RK4: return Solver::RK4;
      case sema::Solver::Adaptive: return Solver::Adaptive;
    }
    return Solver::Auto;
  }

  void add_equations(CodeLowerer& cl, const sema::Model& model, Stmt& integrate) {
    for (const ast::Equation& eq : model.decl->body.equations) {
      auto it = p_.equation_targets.find(&eq);
      GENNC_IR_ASSERT(it != p_.equation_targets.end(), kWhere, "equation without a target");
      const Expr* target = cl.binding(it->second);
      GENNC_IR_ASSERT(target && target->kind == ExprKind::Local, kWhere, "ODE state is not a local");
      integrate.equations.push_back({target->local, cl.expr_as(eq.rhs.get(), target->type), eq.range});
    }
  }

  // Binds a receptor's parameters (aliases name the neuron's symbols, bound already),
  // derived quantities and `uses` (the neuron's variables of the same name).
  void bind_receptor(CodeLowerer& cl, Instance& r, Instance& neuron, const Expr& idx) {
    bind_parameters(cl, r, idx);
    bind_derived_loads(cl, r, idx);
    for (const sema::Symbol* u : r.model->uses) {
      const sema::Symbol* target = neuron.model->find(u->name);
      GENNC_IR_ASSERT(target && cl.binding(target), kWhere, "receptor uses an unknown neuron variable");
      cl.bind(u, clone(*cl.binding(target)));
    }
  }

  // Receptor state locals are named "<receptor>.<var>"; receptors of one model share
  // symbols, so they are rebound before each receptor's code is lowered.
  void rebind_receptor_state(CodeLowerer& cl, Instance& r, Kernel& k, const std::string& prefix) {
    for (const sema::Symbol* s : r.model->state) {
      for (LocalId id = 0; id < k.locals.size(); ++id)
        if (k.locals[id].name == prefix + s->name) cl.bind(s, local(id, k.locals[id].type));
    }
  }

  // Reads and clears the ring slot of the spikes arriving at the end of this step and
  // applies `on spike` once with the summed
  // weight (valid because every handler is checked to be linear in its weight).
  void receive_spikes(CodeLowerer& cl, Instance& r, const std::string& rname, ArrayId ring, LocalId slot,
                      std::uint32_t size, Block& out) {
    const ast::Handler* h = nullptr;
    for (const ast::Handler& hd : r.model->decl->body.handlers)
      if (hd.event == "spike") h = &hd;
    if (!h) return;
    const sema::Symbol* w = h->params.empty() ? nullptr : p_.params.at(&h->params[0]);
    if (w && !LinearityCheck(p_, w).block_ok(h->body)) {
      diags_.report(DiagId::nonlinear_spike_handler, h->range, r.model->name, w->name);
      return;
    }
    ExprPtr at = binary(BinaryOp::Add, binary(BinaryOp::Mul, local(slot, Type::U32), iconst(Type::U32, size)),
                        input(Input::Index));
    LocalId wid = cl.kernel().add_local(rname + "." + (w ? w->name : "w"), m_->real);
    out.push_back(let(wid, load(ring, m_->real, clone(*at)), h->range));
    out.push_back(store(ring, std::move(at), fconst(m_->real, 0.0), h->range));
    if (w) cl.bind(w, local(wid, m_->real));
    cl.block(h->body, out);
  }

  // ---- current sources --------------------------------------------------------------------

  void lower_injection(std::size_t ii, std::vector<std::uint32_t>& kernels) {
    const sema::Injection& inj = net_.injections[ii];
    for (std::size_t si = 0; si < inj.targets.size(); ++si) {
      const sema::IndexSet& set = inj.targets[si];
      auto index = static_cast<std::uint32_t>(m_->injections.size());
      // Unnamed: `<Model><index>`; named: the name, or `<name>.<set>` into an assembly.
      Injection out;
      out.name = inj.name.empty()           ? fmt::format("{}{}", inj.model->name, index)
                 : inj.targets.size() == 1 ? inj.name
                                           : fmt::format("{}.{}", inj.name, si);
      out.model = inj.model->name;
      out.target = selection_of(set);
      m_->injections.push_back(out);

      Instance& cs = sources_list_.emplace_back();
      injection_parts_[ii].emplace_back(index, &cs);
      cs.model = inj.model;
      cs.values = &inj.values;
      cs.prefix = out.name + ".";
      cs.scope = GENNC_SCOPE_LIST;
      cs.count = out.target.count;
      declare_instance(cs);

      std::uint32_t ki = add_kernel(out.name + ".inject", GENNC_KERNEL_CURRENT_SOURCE, index, inj.decl ? inj.decl->range : SourceRange{});
      kernels.push_back(ki);
      Kernel& k = m_->kernels[ki];
      CodeLowerer cl(p_, *m_, k, diags_);
      cl.set_draw_index(input(Input::Index));
      LocalId target = k.add_local("target", Type::U32);
      k.body.push_back(let(target, target_of(out.target, out.name)));
      ExprPtr idx = input(Input::Index);
      bind_parameters(cl, cs, *idx);
      bind_derived_loads(cl, cs, *idx);
      Block stores;
      load_state(cl, cs, *idx, "", k.body, stores);
      const ast::ModelBody& body = inj.model->decl->body;
      if (body.update) cl.block(*body.update, k.body);
      ArrayId acc = pops_[set.population].injected.at(inj.target_input);
      for (const ast::Output& o : body.outputs)
        k.body.push_back(atomic_add(acc, local(target, Type::U32), cl.expr_as(o.value.get(), m_->real), o.range));
      for (auto& s : stores) k.body.push_back(std::move(s));
    }
  }

  // The population index of element `index` of a selection.
  ExprPtr target_of(const Selection& s, const std::string& name) {
    switch (s.kind) {
      case GENNC_SELECT_ALL: return input(Input::Index);
      case GENNC_SELECT_SLICE:
        return binary(BinaryOp::Add, iconst(Type::U32, s.start),
                      binary(BinaryOp::Mul, input(Input::Index), iconst(Type::U32, s.step)));
      case GENNC_SELECT_LIST: {
        Init in;
        in.kind = GENNC_INIT_LIST;
        for (auto i : s.indices) in.values.push_back(i);
        ArrayId a = add_array(name + ".targets", "", Type::U32, GENNC_SCOPE_LIST, 0, GENNC_ARRAY_INTERNAL, std::move(in),
                              s.indices.size());
        return load(a, Type::U32, input(Input::Index));
      }
    }
    return input(Input::Index);
  }

  // ---- projections ------------------------------------------------------------------------

  // The kernels of the step that projections add, in schedule order.
  struct ProjectionKernels {
    std::vector<std::uint32_t> traces, pre, post, post_traces, post_spikes, continuous;
  };

  // A synapse with its slot components (timing and weight dependence), for one projection.
  struct SynapseParts {
    Instance* synapse = nullptr;
    std::vector<Instance*> components;
    std::vector<const sema::SlotBinding*> bindings;
    std::map<const sema::Symbol*, ArrayId> traces;  // per-neuron trace state, pre or post side
    std::size_t pre_pop = 0, post_pop = 0;
    // The learning rule sees a post spike `lag` steps late (see lag_of): rings of the post
    // population's depth hold which neurons fired in each recent step and the post traces'
    // values then; `post_in_window` counts each neuron's flags in its ring.
    double dendritic_fraction = 1.0;
    ArrayId post_seen = kNone, post_in_window = kNone;
    std::map<const sema::Symbol*, ArrayId> post_history;
    // Per-synapse state changed by `on post` handlers, held back until the synapse's next pre
    // spike (NEST's stdp_synapse applies a potentiation then): the change not yet applied.
    std::map<const sema::Symbol*, ArrayId> pending;
    std::vector<Instance*> all() const {
      std::vector<Instance*> out{synapse};
      out.insert(out.end(), components.begin(), components.end());
      return out;
    }
  };

  void lower_projection(std::size_t pj, ProjectionKernels& kernels) {
    const sema::Projection& proj = net_.projections[pj];
    std::int64_t pre_offset = 0, post_total = 0;
    for (const sema::IndexSet& b : proj.post) post_total += b.size();
    if (proj.pre.size() * proj.post.size() > 1 && proj.connector.kind == sema::ConnectorKind::FromFile)
      // The file is read when the simulation starts, by each part's own connector.
      diags_.report(DiagId::file_between_assemblies, proj.decl ? proj.decl->range : SourceRange{}, proj.name);
    for (std::size_t a = 0; a < proj.pre.size(); ++a) {
      std::int64_t post_offset = 0;
      for (std::size_t b = 0; b < proj.post.size(); ++b) {
        std::string name = proj.pre.size() * proj.post.size() == 1 ? proj.name : fmt::format("{}.{}_{}", proj.name, a, b);
        // A synapse with only an `output` (a gap junction) targets no receptor.
        std::size_t receptor = b < proj.receptor_index.size() ? proj.receptor_index[b] : SIZE_MAX;
        Part part{proj.pre[a], proj.post[b], pre_offset, post_offset, post_total};
        lower_projection_part(proj, name, part, receptor, kernels);
        post_offset += proj.post[b].size();
      }
      pre_offset += proj.pre[a].size();
    }
  }

  // One (pre population, post population) pair of a projection, and where its neurons
  // start in the projection's pre and post sides (assemblies number their parts' neurons
  // one after the other).
  struct Part {
    const sema::IndexSet& pre;
    const sema::IndexSet& post;
    std::int64_t pre_offset, post_offset;
    std::int64_t post_total;  // neurons on the projection's post side
  };

  // Synapses with an `output` feed a neuron input continuously (gap junctions): their
  // accumulators must exist before the post populations' kernels are lowered.
  void declare_synapse_outputs() {
    for (const sema::Projection& proj : net_.projections)
      for (const ast::Output& o : proj.synapse.model->decl->body.outputs)
        for (const sema::IndexSet& post : proj.post) declare_injected(post.population, o.target);
  }

  void lower_projection_part(const sema::Projection& proj, const std::string& name, const Part& part,
                             std::size_t receptor, ProjectionKernels& kernels) {
    const sema::IndexSet& pre = part.pre;
    const sema::IndexSet& post = part.post;
    auto index = static_cast<std::uint32_t>(m_->projections.size());
    Projection out;
    out.name = name;
    out.pre = selection_of(pre);
    out.post = selection_of(post);
    out.connector = connector_of(proj.connector, name, part);
    const auto& rings = pops_[post.population].rings;
    out.receptor_ring_array = receptor < rings.size() ? rings[receptor] : kNone;
    out.row_pointer_array = add_array(name + ".row_pointer", "", Type::U32, GENNC_SCOPE_ROW_POINTER, index, GENNC_ARRAY_INTERNAL);
    const bool procedural = proj.connectivity == sema::Connectivity::Procedural;
    switch (proj.connectivity) {
      case sema::Connectivity::Sparse:
        out.column_array = add_array(name + ".column", "", Type::U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
        break;
      case sema::Connectivity::Procedural: out.form = RowForm::Procedural; break;
      case sema::Connectivity::Dense: out.form = RowForm::Dense; break;
      case sema::Connectivity::Diagonal: out.form = RowForm::Diagonal; break;
      case sema::Connectivity::Bitmask:
        // Filled by the runtime from the rows it builds (runtime/src/simulation.cpp).
        out.form = RowForm::Bitmask;
        out.column_array = add_array(name + ".bitmask", "", Type::U32, GENNC_SCOPE_LIST, index, GENNC_ARRAY_INTERNAL, {},
                                     std::uint64_t{out.pre.count} * bitmask_words(out));
        break;
    }
    if (procedural && proj.delay.kind == sema::ValueKind::Distribution) {
      // Drawn per synapse where delivered, with the stream the delay array would have had;
      // sema allows only distributions with an upper bound, which sets the ring depth.
      Init drawn = init_of(proj.delay);
      double longest = drawn.kind == GENNC_INIT_NORMAL_CLIPPED ? drawn.params[3] : drawn.params[1];
      out.constant_delay_steps = delay_steps(longest);
      procedural_delays_[index] = drawn;
    } else switch (proj.delay.kind) {
      case sema::ValueKind::Constant:
        // A list or file with a delay column gives each synapse its own: the constant is the
        // default the runtime overwrites (docs/runtime.md, Connectivity).
        if (carries_delays(out.connector)) {
          out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                      GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS, init_of(proj.delay));
          break;
        }
        out.constant_delay_steps = delay_steps(proj.delay.numbers.empty() ? m_->dt : proj.delay.numbers[0]);
        break;
      case sema::ValueKind::Expression:
        out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                    GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS,
                                    synapse_function_init(proj.delay.expr, name + ".delay.init"));
        break;
      default:
        out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                    GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS, init_of(proj.delay));
        break;
    }
    m_->projections.push_back(out);

    SynapseParts parts;
    parts.pre_pop = pre.population;
    parts.post_pop = post.population;
    Instance& syn = synapses_.emplace_back();
    syn.model = proj.synapse.model;
    syn.values = &proj.synapse.values;
    syn.prefix = name + ".";
    syn.scope = GENNC_SCOPE_SYNAPSE;
    syn.owner = index;
    syn.weight_dim = proj.synapse.weight_dim;
    syn.host_columns = &proj.connector.host_columns;
    declare_synapse(syn, m_->projections.back());
    parts.synapse = &syn;
    for (const sema::SlotBinding& b : proj.synapse.slots) {
      Instance& comp = synapses_.emplace_back();
      comp.model = b.component;
      comp.values = &b.values;
      comp.prefix = name + "." + b.slot + ".";
      comp.scope = GENNC_SCOPE_SCALAR;
      comp.owner = index;
      comp.weight_dim = proj.synapse.weight_dim;
      declare_synapse(comp, m_->projections.back());
      parts.components.push_back(&comp);
      parts.bindings.push_back(&b);
    }
    declare_traces(parts, name);

    bool post_side = !post_handlers(parts).empty() || !trace_handlers(parts, sema::Side::Post).empty();
    if (post_side) {
      Projection& plan = m_->projections.back();
      plan.column_pointer_array =
          add_array(name + ".column_pointer", "", Type::U32, GENNC_SCOPE_COLUMN_POINTER, index, GENNC_ARRAY_INTERNAL);
      plan.column_synapse_array =
          add_array(name + ".column_synapse", "", Type::U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
    }

    SourceRange range = proj.decl ? proj.decl->range : SourceRange{};
    for (sema::Side side : {sema::Side::Pre, sema::Side::Post})
      if (has_trace_equations(parts, side))
        kernels.traces.push_back(lower_trace_kernel(parts, name, index, side, range));
    if (post_side) {
      if (!post_handlers(parts).empty()) declare_pending(parts, name);
      declare_post_rings(proj, parts, name, range);
    }
    if (!pre_handlers(parts).empty() || !trace_handlers(parts, sema::Side::Pre).empty())
      kernels.pre.push_back(lower_pre_kernel(parts, name, index, range));
    if (post_side) {
      kernels.post_spikes.push_back(lower_post_spike_kernel(parts, name, index, range));
      if (!parts.post_history.empty()) kernels.post_spikes.push_back(lower_post_history_kernel(parts, name, index, range));
      if (!post_handlers(parts).empty()) kernels.post.push_back(lower_post_kernel(parts, name, index, range));
      kernels.post_traces.push_back(lower_post_trace_kernel(parts, name, index, range));
    }
    if (!syn.model->decl->body.outputs.empty()) kernels.continuous.push_back(lower_continuous_kernel(parts, name, index, range));
  }

  // Handlers of the synapse and its components for one event: the components' first, so
  // that a depression on `pre` changes the weight before the synapse emits it (NEST's
  // stdp_synapse order).
  std::vector<std::pair<Instance*, const ast::Handler*>> handlers_for(const SynapseParts& parts, const char* event) {
    std::vector<std::pair<Instance*, const ast::Handler*>> out;
    std::vector<Instance*> order(parts.components.begin(), parts.components.end());
    order.push_back(parts.synapse);
    for (Instance* inst : order)
      for (const ast::Handler& h : inst->model->decl->body.handlers)
        if (h.event == event) out.emplace_back(inst, &h);
    return out;
  }
  std::vector<std::pair<Instance*, const ast::Handler*>> pre_handlers(const SynapseParts& p) { return handlers_for(p, "pre"); }
  std::vector<std::pair<Instance*, const ast::Handler*>> post_handlers(const SynapseParts& p) { return handlers_for(p, "post"); }

  // The `on spike` handlers of the trace blocks of one side.
  std::vector<const ast::Handler*> trace_handlers(const SynapseParts& parts, sema::Side side) {
    std::vector<const ast::Handler*> out;
    for (Instance* inst : parts.all())
      for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
        if ((tb.side == ast::TraceSide::Pre) == (side == sema::Side::Pre))
          for (const ast::Handler& h : tb.body.handlers)
            if (h.event == "spike") out.push_back(&h);
    return out;
  }

  bool has_trace_equations(const SynapseParts& parts, sema::Side side) {
    for (Instance* inst : parts.all())
      for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
        if ((tb.side == ast::TraceSide::Pre) == (side == sema::Side::Pre) && !tb.body.equations.empty()) return true;
    return false;
  }

  // Trace state: one value per neuron of the pre or post population, per projection.
  void declare_traces(SynapseParts& parts, const std::string& name) {
    for (Instance* inst : parts.all()) {
      for (const sema::Symbol* s : inst->model->state) {
        if (!s->trace) continue;
        std::size_t pop = s->side == sema::Side::Pre ? parts.pre_pop : parts.post_pop;
        const sema::Value* v = value_of(*inst, s);
        Init in;
        in.kind = GENNC_INIT_CONSTANT;
        if (v && v->kind != sema::ValueKind::Expression) in = init_of(*v);
        else if (s->value && !s->value->empty()) in.params[0] = s->value->front();
        parts.traces[s] = add_array(name + "." + s->name, unit_of(*inst, s), type_of(s->type), GENNC_SCOPE_NEURON,
                                    static_cast<std::uint32_t>(pop), GENNC_ARRAY_STATE, std::move(in));
      }
    }
  }

  // Binds everything synapse-side code may name: parameters and state of the synapse and
  // its components (per synapse `syn`), traces (per pre or post neuron), `pre.x`/`post.x`,
  // derived quantities (inlined), and the components' external names (by name, through
  // the projection's slot bindings).
  void bind_synapse_side(CodeLowerer& cl, SynapseParts& parts, const Expr* syn, LocalId pre_id, LocalId post_id) {
    for (Instance* inst : parts.all()) {
      for (const sema::Symbol* s : inst->model->parameters) {
        auto computed = inst->computed.find(s);
        if (computed != inst->computed.end() && syn) cl.bind(s, cast(type_of(s->type), computed_value(computed->second, *syn)));
        auto it = inst->arrays.find(s);
        if (it == inst->arrays.end()) continue;
        // One value per projection (a component's parameter, or a constant of a procedural
        // or bitmask projection) is read at 0, the others per synapse.
        if (m_->arrays[it->second].scope == GENNC_SCOPE_SCALAR)
          cl.bind(s, load(it->second, type_of(s->type), iconst(Type::U32, 0)));
        else if (syn)
          cl.bind(s, load(it->second, type_of(s->type), clone(*syn)));
      }
      if (syn)
        for (const sema::Symbol* s : inst->model->state) {
          auto it = inst->arrays.find(s);
          if (it != inst->arrays.end()) cl.bind(s, load(it->second, type_of(s->type), clone(*syn)));
        }
      bind_sides(cl, *inst, parts.pre_pop, parts.post_pop, pre_id, post_id);
    }
    for (auto& [s, array] : parts.traces) {
      LocalId who = s->side == sema::Side::Pre ? pre_id : post_id;
      if (who != kNone) cl.bind(s, load(array, type_of(s->type), local(who, Type::U32)));
    }
    for (Instance* inst : parts.all())
      for (const sema::Symbol* s : inst->model->derived)
        if (s->decl && s->decl->init) cl.bind(s, cl.expr_as(s->decl->init.get(), type_of(s->type)));
    bind_externals(cl, parts);
    cl.on_weight_update = [this, &parts, &cl](sema::Builtin which, ExprPtr dw, SourceRange where, Block& out) {
      const char* fname = which == sema::Builtin::Potentiate ? "potentiate" : "depress";
      for (Instance* inst : parts.components)
        for (const ast::Function& fn : inst->model->decl->body.functions) {
          if (fn.name != fname) continue;
          LocalId arg = cl.kernel().add_local(std::string(fname) + "." + (fn.params.empty() ? "dw" : fn.params[0].name),
                                              m_->real);
          out.push_back(let(arg, std::move(dw), where));
          if (!fn.params.empty()) cl.bind(p_.params.at(&fn.params[0]), local(arg, m_->real));
          cl.block(fn.body, out);
          return;
        }
    };
  }

  // External names resolve to the synapse's or another component's variable of that name.
  static void bind_externals(CodeLowerer& cl, const SynapseParts& parts) {
    for (Instance* inst : parts.all()) {
      for (const sema::Symbol* ext : inst->model->externals) {
        for (Instance* owner : parts.all()) {
          const sema::Symbol* target = owner->model->find(ext->name);
          if (!target || target == ext || !cl.binding(target)) continue;
          cl.bind(ext, clone(*cl.binding(target)));
          break;
        }
      }
    }
  }

  // One pending-change array per per-synapse state variable of the synapse (its weight).
  void declare_pending(SynapseParts& parts, const std::string& name) {
    for (const sema::Symbol* s : parts.synapse->model->state) {
      auto it = parts.synapse->arrays.find(s);
      if (s->trace || !is_float(type_of(s->type)) || it == parts.synapse->arrays.end() ||
          m_->arrays[it->second].scope != GENNC_SCOPE_SYNAPSE)
        continue;
      parts.pending[s] = add_array(name + ".pending_" + s->name, unit_of(*parts.synapse, s), type_of(s->type),
                                   GENNC_SCOPE_SYNAPSE, m_->arrays[it->second].owner, GENNC_ARRAY_STATE, constant(0));
    }
  }

  // The pre kernel applies what the post handlers held back, before its own handlers.
  void apply_pending(const SynapseParts& parts, const Expr& syn, Block& out) {
    for (auto& [s, pending] : parts.pending) {
      const ArrayId state = parts.synapse->arrays.at(s);
      const Type t = type_of(s->type);
      out.push_back(store(state, clone(syn), binary(BinaryOp::Add, load(state, t, clone(syn)), load(pending, t, clone(syn)))));
      out.push_back(store(pending, clone(syn), fconst(t, 0.0)));
    }
  }

  // A procedural projection's per-synapse value for synapse `syn` (f64): what element `syn`
  // of the array the runtime would have initialised holds (runtime/src/initialise.cpp: draw
  // index = the element's low 32 bits, draw number = its high bits, 0 below 2^32 synapses).
  ExprPtr computed_value(const Init& in, const Expr& syn) {
    if (in.kind == GENNC_INIT_CONSTANT) return fconst(Type::F64, in.params[0]);
    Distribution d = Distribution::Uniform;
    switch (in.kind) {
      case GENNC_INIT_UNIFORM: d = Distribution::Uniform; break;
      case GENNC_INIT_NORMAL: d = Distribution::Normal; break;
      case GENNC_INIT_NORMAL_CLIPPED: d = Distribution::NormalClipped; break;
      case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY: d = Distribution::NormalClippedToBoundary; break;
      case GENNC_INIT_EXPONENTIAL: d = Distribution::Exponential; break;
      case GENNC_INIT_GAMMA: d = Distribution::Gamma; break;
      case GENNC_INIT_LOGNORMAL: d = Distribution::Lognormal; break;
      case GENNC_INIT_POISSON: d = Distribution::Poisson; break;
      case GENNC_INIT_BINOMIAL: d = Distribution::Binomial; break;
      case GENNC_INIT_UNIFORM_INT: d = Distribution::UniformInt; break;
      default: internal_error(kWhere, "a procedural projection's value is neither a constant nor a distribution");
    }
    std::vector<ExprPtr> params;
    for (int k = 0; k < parameter_count(d); ++k) params.push_back(fconst(Type::F64, in.params[k]));
    return random(d, in.stream, iconst(Type::U64, 0), clone(syn), iconst(Type::U32, 0), std::move(params));
  }

  // The spike-delivery function for `emit(x)` in a kernel with locals `post` and `ring_mask`
  // (the post population's ring depth - 1; depths are powers of two).
  void set_emit(CodeLowerer& cl, const Projection& plan, LocalId syn_id, LocalId post_id, LocalId ring_mask) {
    ArrayId ring = plan.receptor_ring_array;
    ArrayId delay_array = plan.delay_array;
    std::uint32_t delay_const = plan.constant_delay_steps;
    std::uint32_t post_size = m_->populations[plan.post.population].size;
    Type real = m_->real;
    auto drawn = procedural_delays_.find(static_cast<std::uint32_t>(&plan - m_->projections.data()));
    std::shared_ptr<const Expr> drawn_delay;
    if (drawn != procedural_delays_.end()) {
      // In steps as the runtime rounds stored delays: max(1, floor(ms / dt + 0.5 + 1e-9)).
      ExprPtr steps = binary(BinaryOp::Add,
                             binary(BinaryOp::Add,
                                    binary(BinaryOp::Div, computed_value(drawn->second, *local(syn_id, Type::U32)),
                                           fconst(Type::F64, m_->dt)),
                                    fconst(Type::F64, 0.5)),
                             fconst(Type::F64, 1e-9));
      std::vector<ExprPtr> floor_args;
      floor_args.push_back(std::move(steps));
      std::vector<ExprPtr> max_args;
      max_args.push_back(call(MathFn::Floor, std::move(floor_args)));
      max_args.push_back(fconst(Type::F64, 1.0));
      drawn_delay = cast(Type::U32, call(MathFn::Fmax, std::move(max_args)));
    }
    cl.on_emit = [=](ExprPtr x, SourceRange where, Block& body) {
      // Arrival at the start of step + delay + 1: a spike emitted during step s (stamped
      // t_s + dt) reaches the receptor at t_s + dt + delay, as in NEST.
      ExprPtr delay = drawn_delay ? clone(*drawn_delay)
                      : delay_array == kNone ? iconst(Type::U32, delay_const)
                                             : load(delay_array, Type::U32, local(syn_id, Type::U32));
      // In u32: wrap-around is exact modulo the depth, which divides 2^32.
      ExprPtr ahead = binary(BinaryOp::Add, std::move(delay), iconst(Type::U32, 1));
      ExprPtr slot = binary(BinaryOp::BitAnd, binary(BinaryOp::Add, cast(Type::U32, input(Input::Step)), std::move(ahead)),
                            local(ring_mask, Type::U32));
      ExprPtr at = binary(BinaryOp::Add, binary(BinaryOp::Mul, std::move(slot), iconst(Type::U32, post_size)),
                          local(post_id, Type::U32));
      body.push_back(atomic_add(ring, std::move(at), CodeLowerer::coerce(std::move(x), real), where));
    };
  }

  // The `on spike` code of one side's traces for neuron `who` (after the synapse loop).
  void apply_trace_spikes(CodeLowerer& cl, SynapseParts& parts, sema::Side side, LocalId who, Block& out) {
    for (auto& [s, array] : parts.traces)
      if (s->side == side) cl.bind(s, load(array, type_of(s->type), local(who, Type::U32)));
    for (const ast::Handler* h : trace_handlers(parts, side)) cl.block(h->body, out);
  }

  std::uint32_t lower_pre_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index, SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".pre", GENNC_KERNEL_SYNAPSE_PRE, index, range);
    Kernel& k = m_->kernels[ki];
    const Projection& plan = m_->projections[index];
    CodeLowerer cl(p_, *m_, k, diags_);
    LocalId pre_id = k.add_local("pre", Type::U32);
    const Population& pre_pop = m_->populations[parts.pre_pop];
    k.body.push_back(let(pre_id, load(pre_pop.spike_list_array, Type::U32, input(Input::Index))));
    // A spike list entry that stands for several spikes runs the whole `on pre` code once
    // per spike, in order: exact for every synapse model (plastic and stochastic ones too).
    LocalId repeat = kNone;
    if (pre_pop.spike_multiplicity_array != kNone) {
      repeat = k.add_local("repeat", Type::U32);
      cl.set_draw_number(local(repeat, Type::U32));
    }
    Block spike;
    auto handlers = pre_handlers(parts);
    if (!handlers.empty()) {
      LocalId ring_mask = kNone;
      if (plan.receptor_ring_array != kNone) {
        ring_mask = k.add_local("ring_mask", Type::U32);
        k.body.push_back(let(ring_mask, binary(BinaryOp::Sub, load(m_->populations[parts.post_pop].ring_depth_array, Type::U32,
                                                                    iconst(Type::U32, 0)),
                                               iconst(Type::U32, 1))));
      }
      LocalId syn_id = k.add_local("synapse", Type::U32);
      LocalId post_id = k.add_local("post", Type::U32);
      const RowForm form = plan.form;
      LocalId position_id =
          form == RowForm::Procedural || form == RowForm::Bitmask ? k.add_local("post_position", Type::U32) : kNone;
      LocalId first_id = form == RowForm::Dense || form == RowForm::Bitmask ? k.add_local("row_first", Type::U32) : kNone;
      LocalId word_id = form == RowForm::Bitmask ? k.add_local("word", Type::U32) : kNone;
      LocalId bit_id = form == RowForm::Bitmask ? k.add_local("bit", Type::U32) : kNone;
      Block loop;
      ExprPtr post;
      switch (form) {
        case RowForm::Sparse: post = load(plan.column_array, Type::U32, local(syn_id, Type::U32)); break;
        case RowForm::Procedural: post = selected(plan.post, local(position_id, Type::U32)); break;
        case RowForm::Dense:
          post = selected(plan.post, binary(BinaryOp::Sub, local(syn_id, Type::U32), local(first_id, Type::U32)));
          break;
        case RowForm::Diagonal: post = selected(plan.post, local(syn_id, Type::U32)); break;
        case RowForm::Bitmask: {
          // Synapses of a bitmask have no index of their own: `synapse` is the candidate pair
          // (position in pre x padded row length + position in post), for draws only.
          ExprPtr in_row = binary(BinaryOp::Sub, local(word_id, Type::U32), local(first_id, Type::U32));
          loop.push_back(let(position_id, binary(BinaryOp::Add, binary(BinaryOp::Mul, std::move(in_row), iconst(Type::U32, 32)),
                                                 local(bit_id, Type::U32))));
          loop.push_back(let(syn_id, binary(BinaryOp::Add, binary(BinaryOp::Mul, local(word_id, Type::U32), iconst(Type::U32, 32)),
                                            local(bit_id, Type::U32))));
          post = selected(plan.post, local(position_id, Type::U32));
          break;
        }
      }
      loop.push_back(let(post_id, std::move(post)));
      ExprPtr sidx = local(syn_id, Type::U32);
      cl.set_draw_index(clone(*sidx));
      bind_synapse_side(cl, parts, sidx.get(), pre_id, post_id);
      if (ring_mask != kNone) set_emit(cl, plan, syn_id, post_id, ring_mask);
      if (!parts.post_history.empty()) {
        LocalId lag = k.add_local("lag", Type::U32);
        loop.push_back(let(lag, lag_of(parts, plan, *sidx)));
        // The receptor ring and the post rings share the post population's depth.
        LocalId mask = ring_mask != kNone ? ring_mask : post_ring_mask(k, parts);
        bind_post_history(cl, parts, mask, *local(lag, Type::U32), post_id);
      }
      apply_pending(parts, *sidx, loop);
      for (auto& [inst, h] : handlers) cl.block(h->body, loop);
      switch (form) {
        case RowForm::Procedural:
          // Synapse k of the row is the projection's synapse row_pointer[pre] + k, as if stored.
          loop.push_back(assign(syn_id, binary(BinaryOp::Add, local(syn_id, Type::U32), iconst(Type::U32, 1))));
          spike.push_back(let(syn_id, load(plan.row_pointer_array, Type::U32, local(pre_id, Type::U32))));
          spike.push_back(regenerated_row(plan, pre_id, position_id, std::move(loop), range));
          break;
        case RowForm::Sparse: {
          ExprPtr row_begin = load(plan.row_pointer_array, Type::U32, local(pre_id, Type::U32));
          ExprPtr row_end = load(plan.row_pointer_array, Type::U32,
                                 binary(BinaryOp::Add, local(pre_id, Type::U32), iconst(Type::U32, 1)));
          spike.push_back(for_(syn_id, std::move(row_begin), std::move(row_end), std::move(loop), range));
          k.row_local = syn_id;
          break;
        }
        case RowForm::Diagonal: {
          // Row i of the pre selection is its single synapse i (no loop, nothing loaded).
          Block row;
          row.push_back(let(syn_id, position_in(plan.pre, *local(pre_id, Type::U32))));
          for (auto& s : loop) row.push_back(std::move(s));
          if (plan.pre.kind == GENNC_SELECT_ALL) {
            for (auto& s : row) spike.push_back(std::move(s));
          } else {
            spike.push_back(if_(in_slice(plan.pre, *local(pre_id, Type::U32)), std::move(row), {}, range));
          }
          break;
        }
        case RowForm::Dense:
        case RowForm::Bitmask: {
          // Row i of the pre selection: synapses [i n_post, (i + 1) n_post) of a dense
          // projection, words [i w, (i + 1) w) of a bitmask with w words per row. Both loops
          // are plain `for`s over the row, so the row-parallel entry splits them over lanes.
          const std::uint32_t length = form == RowForm::Dense ? plan.post.count : bitmask_words(plan);
          Block row;
          row.push_back(let(first_id, binary(BinaryOp::Mul, position_in(plan.pre, *local(pre_id, Type::U32)),
                                             iconst(Type::U32, length))));
          ExprPtr end = binary(BinaryOp::Add, local(first_id, Type::U32), iconst(Type::U32, length));
          k.row_local = form == RowForm::Dense ? syn_id : word_id;
          if (form == RowForm::Dense) {
            row.push_back(for_(syn_id, local(first_id, Type::U32), std::move(end), std::move(loop), range));
          } else {
            Block word;
            word.push_back(for_bits(bit_id, load(plan.column_array, Type::U32, local(word_id, Type::U32)), std::move(loop), range));
            row.push_back(for_(word_id, local(first_id, Type::U32), std::move(end), std::move(word), range));
          }
          if (plan.pre.kind == GENNC_SELECT_ALL) {
            for (auto& s : row) spike.push_back(std::move(s));
          } else {
            spike.push_back(if_(in_slice(plan.pre, *local(pre_id, Type::U32)), std::move(row), {}, range));
          }
          break;
        }
      }
    }
    cl.set_draw_index(local(pre_id, Type::U32));
    bind_synapse_side(cl, parts, nullptr, pre_id, kNone);
    apply_trace_spikes(cl, parts, sema::Side::Pre, pre_id, spike);
    if (repeat == kNone) {
      for (auto& s : spike) k.body.push_back(std::move(s));
    } else {
      ExprPtr times = load(pre_pop.spike_multiplicity_array, Type::U32, input(Input::Index));
      k.body.push_back(for_(repeat, iconst(Type::U32, 0), std::move(times), std::move(spike), range));
    }
    return ki;
  }

  // Words per row of a bitmask projection: one bit per post position, padded to whole words.
  static std::uint32_t bitmask_words(const Projection& plan) { return (plan.post.count + 31) / 32; }

  // Population index of position `pos` of a selection (all or a slice; sema refuses index
  // lists for procedural, dense and bitmask projections).
  static ExprPtr selected(const Selection& s, ExprPtr pos) {
    if (s.kind == GENNC_SELECT_ALL) return pos;
    return binary(BinaryOp::Add, iconst(Type::U32, s.start), binary(BinaryOp::Mul, std::move(pos), iconst(Type::U32, s.step)));
  }
  // Whether population index `i` lies in the slice, and its position there.
  static ExprPtr in_slice(const Selection& s, const Expr& i) {
    return binary(BinaryOp::And,
                  binary(BinaryOp::And, binary(BinaryOp::Ge, clone(i), iconst(Type::U32, s.start)),
                         binary(BinaryOp::Lt, clone(i), iconst(Type::U32, s.stop))),
                  binary(BinaryOp::Eq,
                         binary(BinaryOp::Rem, binary(BinaryOp::Sub, clone(i), iconst(Type::U32, s.start)),
                                iconst(Type::U32, s.step)),
                         iconst(Type::U32, 0)));
  }
  static ExprPtr position_in(const Selection& s, const Expr& i) {
    if (s.kind == GENNC_SELECT_ALL) return clone(i);
    return binary(BinaryOp::Div, binary(BinaryOp::Sub, clone(i), iconst(Type::U32, s.start)), iconst(Type::U32, s.step));
  }

  // The row of pre neuron `pre_id` regenerated from a procedural projection's connector,
  // with the arguments connect.cpp gives the same generator when it stores the row: the
  // row's position in the pre selection, the neuron as draw index, and the post position to
  // skip when self connections are excluded. Neurons outside the pre selection have no row.
  StmtPtr regenerated_row(const Projection& plan, LocalId pre_id, LocalId position_id, Block body, SourceRange range) {
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
  LocalId find_pre(Kernel& k, const Projection& plan, LocalId syn_id, Block& out) {
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

  // The rings through which the learning rule sees post spikes late. NEST's and PyNN's
  // convention: a fraction f of a synapse's delay D (its `dendritic_delay_fraction`, 1 when
  // the model has none, as in NEST) lies on the dendrite, so the rule sees a post spike f*D
  // after it was fired and a pre spike (1-f)*D after. Only the difference matters to the rule
  // (its traces are time-invariant, and the weight a pre spike carries is the one the rule
  // gives it when it sees that spike), so pre spikes are handled when fired and post spikes
  // round(f*D) - round((1-f)*D) steps late, at most D, which the post ring's depth exceeds.
  void declare_post_rings(const sema::Projection& proj, SynapseParts& parts, const std::string& name,
                          SourceRange range) {
    const Instance& syn = *parts.synapse;
    if (const sema::Symbol* s = syn.model->find("dendritic_delay_fraction")) {
      const sema::Value* v = value_of(syn, s);
      if (v && (v->kind != sema::ValueKind::Constant || v->numbers.size() != 1))
        diags_.report(DiagId::dendritic_fraction_not_uniform, range, proj.name);
      else if (v)
        parts.dendritic_fraction = v->numbers[0];
      else if (s->value && !s->value->empty())
        parts.dendritic_fraction = s->value->front();
    }
    if (parts.dendritic_fraction < 0.5)
      // The rule would see a pre spike after the weight it carries had left.
      diags_.report(DiagId::dendritic_fraction_below_half, range, proj.name, parts.dendritic_fraction);
    const auto post = static_cast<std::uint32_t>(parts.post_pop);
    parts.post_seen = add_array(name + ".post_seen", "", Type::Bool, GENNC_SCOPE_RING, post, GENNC_ARRAY_STATE);
    parts.post_in_window =
        add_array(name + ".post_in_window", "", Type::U32, GENNC_SCOPE_NEURON, post, GENNC_ARRAY_STATE, constant(0));
    for (auto& [s, array] : parts.traces)
      if (s->side == sema::Side::Post)
        parts.post_history[s] = add_array(name + ".history_" + s->name, unit_of(*parts.synapse, s), type_of(s->type),
                                          GENNC_SCOPE_RING, post, GENNC_ARRAY_STATE);
  }

  static Init constant(double value) {
    Init in;
    in.kind = GENNC_INIT_CONSTANT;
    in.params[0] = value;
    return in;
  }

  // The steps by which synapse `syn`'s rule sees post spikes late (u32).
  ExprPtr lag_of(const SynapseParts& parts, const Projection& plan, const Expr& syn) {
    const double f = parts.dendritic_fraction;
    if (plan.delay_array == kNone) {
      const std::uint32_t delay = plan.constant_delay_steps;
      const auto dendritic = static_cast<std::uint32_t>(std::floor(f * delay + 0.5));
      return iconst(Type::U32, dendritic >= delay - dendritic ? 2 * dendritic - delay : 0);
    }
    ExprPtr delay = load(plan.delay_array, Type::U32, clone(syn));
    if (f == 1.0) return delay;
    std::vector<ExprPtr> args;
    args.push_back(binary(BinaryOp::Add, binary(BinaryOp::Mul, fconst(Type::F64, f), cast(Type::F64, clone(*delay))),
                          fconst(Type::F64, 0.5)));
    ExprPtr dendritic = cast(Type::U32, call(MathFn::Floor, std::move(args)));
    return binary(BinaryOp::Sub, binary(BinaryOp::Mul, iconst(Type::U32, 2), std::move(dendritic)), std::move(delay));
  }

  // Element of a post ring for neuron `who` in the slot of step `step - back` (u32 `back`;
  // wrap-around is exact modulo the depth, which divides 2^32).
  ExprPtr post_slot(const SynapseParts& parts, LocalId mask, ExprPtr back, LocalId who) {
    ExprPtr slot = binary(BinaryOp::BitAnd, binary(BinaryOp::Sub, cast(Type::U32, input(Input::Step)), std::move(back)),
                          local(mask, Type::U32));
    return binary(BinaryOp::Add,
                  binary(BinaryOp::Mul, std::move(slot), iconst(Type::U32, m_->populations[parts.post_pop].size)),
                  local(who, Type::U32));
  }

  LocalId post_ring_mask(Kernel& k, const SynapseParts& parts) {
    LocalId mask = k.add_local("post_ring_mask", Type::U32);
    k.body.push_back(let(mask, binary(BinaryOp::Sub,
                                      load(m_->populations[parts.post_pop].ring_depth_array, Type::U32, iconst(Type::U32, 0)),
                                      iconst(Type::U32, 1))));
    return mask;
  }

  // Binds the post traces to their values `lag` steps ago, as the rule sees them.
  void bind_post_history(CodeLowerer& cl, const SynapseParts& parts, LocalId mask, const Expr& lag, LocalId post_id) {
    for (auto& [s, ring] : parts.post_history)
      cl.bind(s, load(ring, type_of(s->type), post_slot(parts, mask, clone(lag), post_id)));
    bind_externals(cl, parts);
  }

  // Flags this step's post spikes in their ring.
  std::uint32_t lower_post_spike_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".post_spike", GENNC_KERNEL_SYNAPSE_POST, index, range);
    Kernel& k = m_->kernels[ki];
    LocalId mask = post_ring_mask(k, parts);
    LocalId post_id = k.add_local("post", Type::U32);
    k.body.push_back(let(post_id, load(m_->populations[parts.post_pop].spike_list_array, Type::U32, input(Input::Index))));
    k.body.push_back(store(parts.post_seen, post_slot(parts, mask, iconst(Type::U32, 0), post_id), bconst(true), range));
    k.body.push_back(store(parts.post_in_window, local(post_id, Type::U32),
                           binary(BinaryOp::Add, load(parts.post_in_window, Type::U32, local(post_id, Type::U32)),
                                  iconst(Type::U32, 1)),
                           range));
    return ki;
  }

  // Keeps the post traces' values of this step (before its spikes count) for later steps.
  std::uint32_t lower_post_history_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                          SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".post_history", GENNC_KERNEL_TRACE_POST, index, range);
    Kernel& k = m_->kernels[ki];
    LocalId mask = post_ring_mask(k, parts);
    LocalId post_id = k.add_local("post", Type::U32);
    k.body.push_back(let(post_id, input(Input::Index)));
    for (auto& [s, ring] : parts.post_history) {
      const Type t = type_of(s->type);
      k.body.push_back(store(ring, post_slot(parts, mask, iconst(Type::U32, 0), post_id),
                             load(parts.traces.at(s), t, local(post_id, Type::U32)), range));
    }
    return ki;
  }

  // The `on post` handlers, for every synapse whose rule sees its post neuron's spike this
  // step; only neurons with a spike still in their ring look through their column.
  std::uint32_t lower_post_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index, SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".post", GENNC_KERNEL_TRACE_POST, index, range);
    Kernel& k = m_->kernels[ki];
    const Projection& plan = m_->projections[index];
    CodeLowerer cl(p_, *m_, k, diags_);
    LocalId mask = post_ring_mask(k, parts);
    LocalId post_id = k.add_local("post", Type::U32);
    k.body.push_back(let(post_id, input(Input::Index)));
    LocalId col = k.add_local("column_entry", Type::U32);
    LocalId syn_id = k.add_local("synapse", Type::U32);
    LocalId lag = k.add_local("lag", Type::U32);
    Block loop;
    loop.push_back(let(syn_id, load(plan.column_synapse_array, Type::U32, local(col, Type::U32))));
    ExprPtr sidx = local(syn_id, Type::U32);
    loop.push_back(let(lag, lag_of(parts, plan, *sidx)));
    Block seen;
    LocalId pre_id = find_pre(k, plan, syn_id, seen);
    cl.set_draw_index(clone(*sidx));
    bind_synapse_side(cl, parts, sidx.get(), pre_id, post_id);
    // The handlers see the state with the changes held back so far, and hold theirs back too.
    std::vector<std::pair<const sema::Symbol*, LocalId>> held;
    for (auto& [s, pending] : parts.pending) {
      const Type t = type_of(s->type);
      LocalId now = k.add_local(s->name, t);
      seen.push_back(let(now, binary(BinaryOp::Add, load(parts.synapse->arrays.at(s), t, clone(*sidx)),
                                     load(pending, t, clone(*sidx)))));
      cl.bind(s, local(now, t));
      held.emplace_back(s, now);
    }
    bind_post_history(cl, parts, mask, *local(lag, Type::U32), post_id);
    for (auto& [inst, h] : post_handlers(parts)) cl.block(h->body, seen);
    for (auto& [s, now] : held) {
      const Type t = type_of(s->type);
      seen.push_back(store(parts.pending.at(s), clone(*sidx),
                           binary(BinaryOp::Sub, local(now, t), load(parts.synapse->arrays.at(s), t, clone(*sidx)))));
    }
    loop.push_back(if_(load(parts.post_seen, Type::Bool, post_slot(parts, mask, local(lag, Type::U32), post_id)),
                       std::move(seen), {}, range));
    ExprPtr begin = load(plan.column_pointer_array, Type::U32, local(post_id, Type::U32));
    ExprPtr end = load(plan.column_pointer_array, Type::U32,
                       binary(BinaryOp::Add, local(post_id, Type::U32), iconst(Type::U32, 1)));
    Block column;
    column.push_back(for_(col, std::move(begin), std::move(end), std::move(loop), range));
    k.body.push_back(if_(binary(BinaryOp::Ne, load(parts.post_in_window, Type::U32, local(post_id, Type::U32)),
                                iconst(Type::U32, 0)),
                         std::move(column), {}, range));
    return ki;
  }

  // After the pre kernels: the post traces count this step's spikes, and the ring's oldest
  // slot, which the next step reuses, is cleared.
  std::uint32_t lower_post_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".post_trace", GENNC_KERNEL_TRACE_POST, index, range);
    Kernel& k = m_->kernels[ki];
    CodeLowerer cl(p_, *m_, k, diags_);
    LocalId mask = post_ring_mask(k, parts);
    LocalId post_id = k.add_local("post", Type::U32);
    k.body.push_back(let(post_id, input(Input::Index)));
    cl.set_draw_index(local(post_id, Type::U32));
    bind_synapse_side(cl, parts, nullptr, kNone, post_id);
    Block fired;
    apply_trace_spikes(cl, parts, sema::Side::Post, post_id, fired);
    if (!fired.empty())
      k.body.push_back(if_(load(parts.post_seen, Type::Bool, post_slot(parts, mask, iconst(Type::U32, 0), post_id)),
                           std::move(fired), {}, range));
    // Slot of step + 1 = step - (depth - 1): u32 `back` of all ones wraps to it.
    LocalId oldest = k.add_local("oldest", Type::U32);
    k.body.push_back(let(oldest, post_slot(parts, mask, iconst(Type::U32, 0xFFFFFFFFu), post_id)));
    Block leaving;
    leaving.push_back(store(parts.post_seen, local(oldest, Type::U32), bconst(false), range));
    leaving.push_back(store(parts.post_in_window, local(post_id, Type::U32),
                            binary(BinaryOp::Sub, load(parts.post_in_window, Type::U32, local(post_id, Type::U32)),
                                   iconst(Type::U32, 1)),
                            range));
    k.body.push_back(if_(load(parts.post_seen, Type::Bool, local(oldest, Type::U32)), std::move(leaving), {}, range));
    return ki;
  }

  // Advances one side's traces of every neuron of that population by one step.
  std::uint32_t lower_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index, sema::Side side,
                                   SourceRange range) {
    bool pre = side == sema::Side::Pre;
    std::uint32_t ki = add_kernel(name + (pre ? ".trace_pre" : ".trace_post"),
                                  pre ? GENNC_KERNEL_TRACE_PRE : GENNC_KERNEL_TRACE_POST, index, range);
    Kernel& k = m_->kernels[ki];
    CodeLowerer cl(p_, *m_, k, diags_);
    LocalId neuron = k.add_local("neuron", Type::U32);
    k.body.push_back(let(neuron, input(Input::Index)));
    bind_synapse_side(cl, parts, nullptr, pre ? neuron : kNone, pre ? kNone : neuron);
    Block stores;
    for (auto& [s, array] : parts.traces) {
      if (s->side != side) continue;
      Type t = type_of(s->type);
      LocalId id = k.add_local(s->name, t);
      k.body.push_back(let(id, load(array, t, input(Input::Index))));
      stores.push_back(store(array, input(Input::Index), local(id, t)));
      cl.bind(s, local(id, t));
    }
    auto integrate = std::make_unique<Stmt>();
    integrate->kind = StmtKind::Integrate;
    integrate->range = range;
    for (Instance* inst : parts.all())
      for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
        if ((tb.side == ast::TraceSide::Pre) == pre)
          for (const ast::Equation& eq : tb.body.equations) {
            const sema::Symbol* target = p_.equation_targets.at(&eq);
            const Expr* b = cl.binding(target);
            integrate->equations.push_back({b->local, cl.expr_as(eq.rhs.get(), b->type), eq.range});
          }
    k.body.push_back(std::move(integrate));
    for (auto& s : stores) k.body.push_back(std::move(s));
    return ki;
  }

  // A synapse with an `output` (a gap junction): every step, each synapse adds its output
  // to the post neuron's input accumulator, which the post neuron reads next step.
  std::uint32_t lower_continuous_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range) {
    std::uint32_t ki = add_kernel(name + ".continuous", GENNC_KERNEL_SYNAPSE_CONTINUOUS, index, range);
    Kernel& k = m_->kernels[ki];
    const Projection& plan = m_->projections[index];
    CodeLowerer cl(p_, *m_, k, diags_);
    LocalId syn_id = k.add_local("synapse", Type::U32);
    k.body.push_back(let(syn_id, input(Input::Index)));
    LocalId post_id = k.add_local("post", Type::U32);
    k.body.push_back(let(post_id, load(plan.column_array, Type::U32, input(Input::Index))));
    LocalId pre_id = find_pre(k, plan, syn_id, k.body);
    ExprPtr sidx = local(syn_id, Type::U32);
    cl.set_draw_index(clone(*sidx));
    bind_synapse_side(cl, parts, sidx.get(), pre_id, post_id);
    for (const ast::Output& o : parts.synapse->model->decl->body.outputs) {
      ArrayId acc = pops_[parts.post_pop].injected.at(o.target);
      k.body.push_back(atomic_add(acc, local(post_id, Type::U32), cl.expr_as(o.value.get(), m_->real), o.range));
    }
    return ki;
  }

  // Resolves `pre.x` / `post.x` (uses with a side) to the neuron arrays of either population.
  void bind_sides(CodeLowerer& cl, Instance&, std::size_t pre_pop, std::size_t post_pop, LocalId pre_id,
                  LocalId post_id) {
    cl.resolve = [this, pre_pop, post_pop, pre_id, post_id](const sema::Symbol* u) -> ExprPtr {
      if (u->kind != sema::SymbolKind::Uses || u->side == sema::Side::None) return nullptr;
      std::size_t pop = u->side == sema::Side::Pre ? pre_pop : post_pop;
      LocalId who = u->side == sema::Side::Pre ? pre_id : post_id;
      auto it = pops_[pop].state.find(u->name);
      if (it == pops_[pop].state.end() || who == kNone) return nullptr;
      return load(it->second, value_type(m_->arrays[it->second].dtype), local(who, Type::U32));
    };
  }

  // Parameters and (non-trace) state of a synapse or component: per synapse, or one value
  // per projection (components' parameters, scalar scope).
  void declare_synapse(Instance& syn, Projection& plan) {
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

  ArrayId synapse_array(Instance& syn, const sema::Symbol* s, const sema::Value& v, std::uint32_t flags, Projection& plan) {
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
  static bool carries_weights(const Connector& c) {
    return c.kind == GENNC_CONNECT_FROM_FILE || c.kind == GENNC_CONNECT_FROM_HOST ||
           (c.kind == GENNC_CONNECT_FROM_LIST && c.list_columns >= 3);
  }
  static bool carries_delays(const Connector& c) {
    return c.kind == GENNC_CONNECT_FROM_FILE || c.kind == GENNC_CONNECT_FROM_HOST ||
           (c.kind == GENNC_CONNECT_FROM_LIST && c.list_columns >= 4);
  }

  // A per-connection value given as an expression of d, dx, dy, dz (or i, j).
  Init synapse_function_init(const ast::Expr* e, const std::string& name) {
    Init in;
    in.kind = GENNC_INIT_SYNAPSE_KERNEL;
    in.kernel = synapse_function(e, name);
    return in;
  }

  std::uint32_t synapse_function(const ast::Expr* e, const std::string& name) {
    Kernel scratch;
    CodeLowerer cl(p_, *m_, scratch, diags_);
    bind_connection_symbols(cl, e);
    SynapseFunction f;
    f.name = name;
    f.value = cl.expr_as(e, Type::F64);
    f.range = e->range;
    m_->synapse_functions.push_back(std::move(f));
    return static_cast<std::uint32_t>(m_->synapse_functions.size() - 1);
  }

  bool uses_connection(const ast::Expr* e) {
    bool found = false;
    visit_names(e, [&](const sema::Symbol* s) { found = found || s->kind == sema::SymbolKind::Connection; });
    return found;
  }

  // Calls f with the symbol of every name in e.
  void visit_names(const ast::Expr* e, const std::function<void(const sema::Symbol*)>& f) {
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

  void bind_connection_symbols(CodeLowerer& cl, const ast::Expr* e) {
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

  std::uint32_t delay_steps(double ms) const {
    // Halves up, tolerant of representation error, as the runtime's delay_to_steps.
    double steps = std::floor(ms / m_->dt + 0.5 + 1e-9);
    return steps < 1 ? 1u : static_cast<std::uint32_t>(steps);
  }

  Connector connector_of(const sema::Connector& c, const std::string& name, const Part& part) {
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

  // ---- recordings -------------------------------------------------------------------------

  void lower_recording(const sema::Recording& r) {
    if (r.injection) {
      // A current source's state: one recording per IR injection (one per set of an
      // assembly), sampling its per-target array for every target.
      const sema::Model& model = *net_.injections[*r.injection].model;
      const sema::Symbol* var = model.find(r.variable);
      for (const auto& [index, cs] : injection_parts_.at(*r.injection)) {
        Recording out;
        out.kind = GENNC_RECORD_VARIABLE;
        out.injection = index;
        out.target = m_->injections[index].target;
        out.interval_steps = static_cast<std::uint32_t>(std::max<std::int64_t>(1, r.interval_steps));
        auto it = cs->arrays.find(var);
        GENNC_IR_ASSERT(it != cs->arrays.end(), kWhere, "recorded current-source variable has no array");
        out.array = it->second;
        out.variable = m_->arrays[it->second].name;
        out.unit = unit_text(r.dim);
        m_->recordings.push_back(std::move(out));
      }
      return;
    }
    for (const sema::IndexSet& set : r.targets) {
      Recording out;
      out.target = selection_of(set);
      out.interval_steps = static_cast<std::uint32_t>(std::max<std::int64_t>(1, r.interval_steps));
      if (r.spikes) {
        out.kind = GENNC_RECORD_SPIKES;
        out.variable = "spikes";
        out.array = m_->populations[set.population].spike_list_array;
      } else {
        out.kind = GENNC_RECORD_VARIABLE;
        std::string key = r.receptor.empty() ? r.variable : r.receptor + "." + r.variable;
        auto it = pops_[set.population].recordable.find(key);
        GENNC_IR_ASSERT(it != pops_[set.population].recordable.end(), kWhere, "recorded variable has no array");
        out.array = it->second;
        out.variable = m_->arrays[it->second].name;
        out.unit = unit_text(r.dim);
      }
      m_->recordings.push_back(std::move(out));
    }
  }

  // Whether a model's threshold counts spikes (a spike source's int) rather than tests for one.
  bool counts_spikes(const sema::Model& m) const {
    const ast::Expr* th = m.decl->body.threshold.get();
    const sema::Type* t = th ? p_.type_of(th) : nullptr;
    return t && t->kind == sema::TypeKind::Int;
  }

  const sema::Program& p_;
  const sema::Network& net_;
  const diag::SourceManager& sources_;
  diag::Diagnostics& diags_;
  LowerOptions opts_;
  std::unique_ptr<Module> m_;
  std::vector<PopInfo> pops_;
  // Deques: instances are referenced by address while more are added.
  std::deque<Instance> neurons_;
  std::deque<std::deque<Instance>> receptors_;
  std::deque<Instance> sources_list_;
  // By sema injection: (IR injection index, current-source instance) per target set.
  std::map<std::size_t, std::vector<std::pair<std::uint32_t, Instance*>>> injection_parts_;
  std::deque<Instance> synapses_;
  std::map<std::uint32_t, Init> procedural_delays_;  // by projection: delays drawn per synapse
  std::map<const sema::Symbol*, std::pair<ListArrays, ExprPtr>> lists_;
};

}  // namespace

std::unique_ptr<Module> lower_program(const sema::Program& program, const sema::Network& network,
                                      const diag::SourceManager& sources, diag::Diagnostics& diags,
                                      const LowerOptions& options) {
  return Lowerer(program, network, sources, diags, options).run();
}

}  // namespace gennc::ir
