// Populations: the neuron and receptor arrays of each, and its update kernel (receptor
// state, inputs, the joint ODE system, arriving spikes, threshold, reset, refractoriness).
#include "lower/lowerer.h"

#include <algorithm>

namespace gennc::lower {

// Whether a model may emit several spikes of one neuron in one step: a spike source whose
// threshold counts them (an int) or that gives each its time (`threshold c at time`).
bool Lowerer::counts_spikes(const sema::Model& m) const {
  const ast::Expr* th = m.decl->body.threshold.get();
  const sema::Type* t = th ? p_.type_of(th) : nullptr;
  return (t && t->kind == sema::TypeKind::Int) || m.decl->body.spike_time != nullptr;
}

// The most spikes an event-time source emits per neuron and step: a bound on the loop of a
// threshold that its reset never clears.
constexpr std::int64_t kMaxSpikesPerStep = 1 << 16;

// A precise population's spike list holds one entry per spike: this many per neuron
// (docs/runtime.md); a step with more keeps the first ones.
constexpr std::uint64_t kPreciseSpikesPerNeuron = 4;

// A precise neuron's event ring holds this many spikes per receptor, neuron and step; one
// more stops the run (GENNC_ERROR_CAPACITY).
constexpr std::uint64_t kEventsPerStep = 16;

// `threshold c at time` (a spike source): while `c` holds, one spike and one `reset`, which
// moves the source to its next time; the spikes of the step are emitted as one entry of
// that multiplicity, as NEST's on-grid spike_generator delivers several times of one step.
// A precise population instead runs `emit_each` (its emit_spike at the spike's time) in
// each pass, before the reset moves on.
LocalId Lowerer::count_event_spikes(CodeLowerer& cl, const ast::ModelBody& body, Block& out, StmtPtr emit_each) {
  Kernel& k = cl.kernel();
  LocalId n = k.add_local("spike_count", Type::I32);
  LocalId due = k.add_local("spike_due", Type::Bool);
  out.push_back(let(n, iconst(Type::I32, 0), body.threshold_range));
  out.push_back(let(due, cl.expr_as(body.threshold.get(), Type::Bool), body.threshold_range));
  Block pass;
  if (emit_each) pass.push_back(std::move(emit_each));
  // Each pass's draws are its own (draw n + 1; `update` and the threshold draw 0), so a
  // reset that draws the next spike time does not draw the same one again.
  cl.set_draw_number(cast(Type::U32, binary(BinaryOp::Add, local(n, Type::I32), iconst(Type::I32, 1))));
  if (body.reset) cl.block(*body.reset, pass);
  cl.set_draw_number(nullptr);
  pass.push_back(assign(n, binary(BinaryOp::Add, local(n, Type::I32), iconst(Type::I32, 1)), body.threshold_range));
  ExprPtr below_bound = binary(BinaryOp::Lt, local(n, Type::I32), iconst(Type::I32, kMaxSpikesPerStep));
  pass.push_back(assign(due, binary(BinaryOp::And, cl.expr_as(body.threshold.get(), Type::Bool), std::move(below_bound)),
                        body.threshold_range));
  out.push_back(while_(local(due, Type::Bool), std::move(pass), body.threshold_range));
  return n;
}

void Lowerer::declare_population(std::size_t pi) {
  const sema::Population& pop = net_.populations[pi];
  PopInfo& info = pops_[pi];
  Population out;
  out.name = pop.name;
  out.model = pop.model->name;
  out.size = static_cast<std::uint32_t>(pop.size);
  if (pop.structure) out.structure = structure_of(*pop.structure);
  auto owner = static_cast<std::uint32_t>(pi);
  out.spike_count_array = add_array(pop.name + ".spike_count", "", Type::U32, GENNC_SCOPE_SCALAR, owner, GENNC_ARRAY_INTERNAL);
  const std::uint64_t capacity = kPreciseSpikesPerNeuron * out.size;
  out.spike_list_array = pop.precise ? add_array(pop.name + ".spike_list", "", Type::U32, GENNC_SCOPE_LIST, owner,
                                                 GENNC_ARRAY_INTERNAL, {}, capacity)
                                     : add_array(pop.name + ".spike_list", "", Type::U32, GENNC_SCOPE_NEURON, owner,
                                                 GENNC_ARRAY_INTERNAL);
  out.ring_depth_array = add_array(pop.name + ".ring_depth", "", Type::U32, GENNC_SCOPE_SCALAR, owner, GENNC_ARRAY_INTERNAL);
  if (pop.precise)
    out.spike_time_array =
        add_array(pop.name + ".spike_time", "ms", Type::F64, GENNC_SCOPE_LIST, owner, GENNC_ARRAY_INTERNAL, {}, capacity);
  else if (counts_spikes(*pop.model))
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
  if (pop.precise && pop.model->kind == ast::ModelKind::Neuron) declare_event_rings(pi);
}

// Whether a precise population projects onto receptor `receptor` of population `pi`.
bool Lowerer::receives_precise_spikes(std::size_t pi, std::size_t receptor) const {
  for (const sema::Projection& proj : net_.projections) {
    bool precise_pre = false;
    for (const sema::IndexSet& s : proj.pre) precise_pre = precise_pre || net_.populations[s.population].precise;
    if (!precise_pre) continue;
    for (std::size_t k = 0; k < proj.post.size(); ++k)
      if (proj.post[k].population == pi && k < proj.receptor_index.size() && proj.receptor_index[k] == receptor)
        return true;
  }
  return false;
}

// A precise neuron's receptors that precise spikes reach get rings of timed events (count,
// weight, offset per slot and neuron); spikes on the grid still go into the summed ring.
// An overflow is reported through the population's fault arrays, which check_finite_states
// shares.
void Lowerer::declare_event_rings(std::size_t pi) {
  const sema::Population& pop = net_.populations[pi];
  PopInfo& info = pops_[pi];
  auto owner = static_cast<std::uint32_t>(pi);
  info.events.assign(pop.receptors.size(), EventArrays{});
  for (std::size_t ri = 0; ri < pop.receptors.size(); ++ri) {
    if (!receives_precise_spikes(pi, ri)) continue;
    const sema::ReceptorInstance& r = pop.receptors[ri];
    const std::string prefix = pop.name + "." + r.name + ".";
    EventArrays& ev = info.events[ri];
    ev.count = add_array(prefix + "event_count", "", Type::U32, GENNC_SCOPE_RING, owner, GENNC_ARRAY_INTERNAL);
    ev.weight = add_array(prefix + "event_weight", r.model->spike_dim ? unit_text(*r.model->spike_dim) : "", m_->real,
                          GENNC_SCOPE_RING, owner, GENNC_ARRAY_INTERNAL, {}, kEventsPerStep);
    ev.offset = add_array(prefix + "event_offset", "ms", Type::F64, GENNC_SCOPE_RING, owner, GENNC_ARRAY_INTERNAL, {},
                          kEventsPerStep);
    event_rings_[info.rings[ri]] = {pi, ev};
    if (info.fault == kNone) {
      info.fault = add_array(pop.name + ".fault", "", Type::U32, GENNC_SCOPE_NEURON, owner,
                             GENNC_ARRAY_INTERNAL | GENNC_ARRAY_FAULT);
      info.fault_step = add_array(pop.name + ".fault_step", "", Type::F64, GENNC_SCOPE_SCALAR, owner,
                                  GENNC_ARRAY_INTERNAL | GENNC_ARRAY_FAULT);
    }
  }
}

Structure Lowerer::structure_of(const sema::Structure& s) {
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

void Lowerer::declare_injected(std::size_t pi, const std::string& input_name) {
  PopInfo& info = pops_[pi];
  if (info.injected.count(input_name)) return;
  const sema::Model& model = *net_.populations[pi].model;
  const sema::Symbol* in = model.find(input_name);
  std::string unit = in ? unit_text(in->type.dim) : "";
  info.injected[input_name] = add_array(net_.populations[pi].name + "." + input_name + ".injected", unit, m_->real,
                                        GENNC_SCOPE_NEURON, static_cast<std::uint32_t>(pi), GENNC_ARRAY_INTERNAL);
}

void Lowerer::lower_population(std::size_t pi) {
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
    CodeLowerer cl(p_, *m_, dk);
    bind_parameters(cl, neuron, *idx);
    compute_derived(cl, neuron, *idx, dk.body);
    for (Instance& r : receptors) {
      bind_parameters(cl, r, *idx);
      compute_derived(cl, r, *idx, dk.body);
    }
  }

  info.update_kernel = add_kernel(pop.name + ".update", GENNC_KERNEL_NEURON, owner, pop.model->decl->range);
  Kernel& k = m_->kernels[info.update_kernel];
  CodeLowerer cl(p_, *m_, k);
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
  if (pop.precise && pop.model->kind == ast::ModelKind::Neuron) {
    // Sema lets a neuron be precise only without `update` and with a threshold.
    out.push_back(precise_step(cl, pi, *integrate, out));
    for (auto& s : stores) out.push_back(std::move(s));
    for (auto& block : receptor_stores)
      for (auto& s : block) out.push_back(std::move(s));
    return;
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

  if (body.threshold && pop.precise) {
    // Each spike is its own entry, emitted with its time by the source's loop (sema lets
    // only event-time sources be precise: they have no refractory period).
    ExprPtr time = cl.expr_as(body.spike_time.get(), m_->real);
    if (m_->real != Type::F64) time = cast(Type::F64, std::move(time));
    count_event_spikes(cl, body, out, emit_spike(owner, clone(*idx), body.threshold_range, nullptr, std::move(time)));
  } else if (body.threshold) {
    auto th = std::make_unique<Stmt>();
    th->kind = StmtKind::Threshold;
    th->range = body.threshold_range;
    th->population = owner;
    ExprPtr count;
    if (body.spike_time) {
      LocalId n = count_event_spikes(cl, body, out);
      th->cond = binary(BinaryOp::Gt, local(n, Type::I32), iconst(Type::I32, 0));
      count = cast(Type::U32, local(n, Type::I32));
    } else if (counts_spikes(*pop.model)) {
      // An int threshold is the number of spikes this step; none when it is not positive.
      LocalId n = k.add_local("spike_count", Type::I32);
      out.push_back(let(n, cl.expr_as(body.threshold.get(), Type::I32), body.threshold_range));
      th->cond = binary(BinaryOp::Gt, local(n, Type::I32), iconst(Type::I32, 0));
      count = cast(Type::U32, local(n, Type::I32));
    } else {
      th->cond = cl.expr_as(body.threshold.get(), Type::Bool);
    }
    if (body.reset && !body.spike_time) cl.block(*body.reset, th->body);
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

// A precise neuron's step (docs/ir.md, Precise steps), which solve_precise_steps rewrites:
// the joint ODE system, the threshold, reset and refractory period, each receptor's ring of
// timed events with its `on spike` for one event's weight, and the spikes on the grid,
// summed per step as a grid population takes them, applied at the step's end. The ring
// slot's `let` goes into `out` before it.
StmtPtr Lowerer::precise_step(CodeLowerer& cl, std::size_t pi, Stmt& integrate, Block& out) {
  const sema::Population& pop = net_.populations[pi];
  PopInfo& info = pops_[pi];
  Instance& neuron = neurons_[pi];
  auto& receptors = receptors_[pi];
  const ast::ModelBody& body = pop.model->decl->body;
  Kernel& k = cl.kernel();
  const auto size = static_cast<std::uint32_t>(pop.size);
  ExprPtr idx = input(Input::Index);
  auto ps = std::make_unique<Stmt>();
  ps->kind = StmtKind::PreciseStep;
  ps->range = body.threshold_range;
  ps->population = static_cast<std::uint32_t>(pi);
  ps->equations = std::move(integrate.equations);
  LocalId slot = k.add_local("slot", Type::U32);
  ExprPtr mask = binary(BinaryOp::Sub, load(m_->populations[pi].ring_depth_array, Type::U32, iconst(Type::U32, 0)),
                        iconst(Type::U32, 1));
  ExprPtr next = binary(BinaryOp::Add, cast(Type::U32, input(Input::Step)), iconst(Type::U32, 1));
  out.push_back(let(slot, binary(BinaryOp::BitAnd, std::move(next), std::move(mask))));
  ps->index = binary(BinaryOp::Add, binary(BinaryOp::Mul, local(slot, Type::U32), iconst(Type::U32, size)), clone(*idx));
  for (std::size_t ri = 0; ri < receptors.size(); ++ri) {
    Instance& r = receptors[ri];
    const std::string& rname = pop.receptors[ri].name;
    bind_receptor(cl, r, neuron, *idx);
    rebind_receptor_state(cl, r, k, rname + ".");
    receive_spikes(cl, r, rname, info.rings[ri], slot, size, ps->otherwise);
    if (ri >= info.events.size() || info.events[ri].count == kNone) continue;
    const ast::Handler* h = nullptr;
    for (const ast::Handler& hd : r.model->decl->body.handlers)
      if (hd.event == "spike") h = &hd;
    if (!h) continue;
    const sema::Symbol* w = h->params.empty() ? nullptr : p_.params.at(&h->params[0]);
    EventRing ev;
    ev.count = info.events[ri].count;
    ev.weight = info.events[ri].weight;
    ev.offset = info.events[ri].offset;
    ev.weight_local = k.add_local(rname + ".event." + (w ? w->name : "w"), m_->real);
    if (w) cl.bind(w, local(ev.weight_local, m_->real));
    cl.block(h->body, ev.handler);
    ps->events.push_back(std::move(ev));
  }
  ps->cond = cl.expr_as(body.threshold.get(), Type::Bool);
  if (body.reset) cl.block(*body.reset, ps->body);
  if (body.refractory) {
    ps->refractory = cast(Type::F64, cl.expr_as(body.refractory.get(), m_->real));
    for (const sema::Symbol* s : threshold_state(body.threshold.get(), *pop.model)) {
      const Expr* b = cl.binding(s);
      if (b && b->kind == ExprKind::Local) ps->held.push_back(b->local);
    }
  }
  return ps;
}

// The neuron's state variables the threshold condition reads: held while refractory.
std::vector<const sema::Symbol*> Lowerer::threshold_state(const ast::Expr* e, const sema::Model& model) {
  std::vector<const sema::Symbol*> out;
  visit_names(e, [&](const sema::Symbol* s) {
    if (s->kind == sema::SymbolKind::State && s->model == &model && std::find(out.begin(), out.end(), s) == out.end())
      out.push_back(s);
  });
  return out;
}

Solver Lowerer::solver_of(sema::Solver s) {
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

void Lowerer::add_equations(CodeLowerer& cl, const sema::Model& model, Stmt& integrate) {
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
void Lowerer::bind_receptor(CodeLowerer& cl, Instance& r, Instance& neuron, const Expr& idx) {
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
void Lowerer::rebind_receptor_state(CodeLowerer& cl, Instance& r, Kernel& k, const std::string& prefix) {
  for (const sema::Symbol* s : r.model->state) {
    for (LocalId id = 0; id < k.locals.size(); ++id)
      if (k.locals[id].name == prefix + s->name) cl.bind(s, local(id, k.locals[id].type));
  }
}

// Reads and clears the ring slot of the spikes arriving at the end of this step and
// applies `on spike` once with the summed weight (valid because sema checks every handler
// to be linear in its weight: check_spike_linearity.cpp).
void Lowerer::receive_spikes(CodeLowerer& cl, Instance& r, const std::string& rname, ArrayId ring, LocalId slot,
                             std::uint32_t size, Block& out) {
  const ast::Handler* h = nullptr;
  for (const ast::Handler& hd : r.model->decl->body.handlers)
    if (hd.event == "spike") h = &hd;
  if (!h) return;
  const sema::Symbol* w = h->params.empty() ? nullptr : p_.params.at(&h->params[0]);
  ExprPtr at = binary(BinaryOp::Add, binary(BinaryOp::Mul, local(slot, Type::U32), iconst(Type::U32, size)),
                      input(Input::Index));
  LocalId wid = cl.kernel().add_local(rname + "." + (w ? w->name : "w"), m_->real);
  out.push_back(let(wid, load(ring, m_->real, clone(*at)), h->range));
  out.push_back(store(ring, std::move(at), fconst(m_->real, 0.0), h->range));
  if (w) cl.bind(w, local(wid, m_->real));
  cl.block(h->body, out);
}

}  // namespace gennc::lower
