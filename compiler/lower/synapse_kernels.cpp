// Synapse code: the bindings of names in synapse-side code, spike emission into the
// receptor's ring, and the presynaptic kernel that runs `on pre` for each spike's row.
#include "lower/lowerer.h"

#include <algorithm>

namespace gennc::lower {

namespace {

bool mentions_local(const Expr* e, LocalId id) {
  if (e == nullptr) return false;
  if (e->kind == ExprKind::Local && e->local == id) return true;
  return std::any_of(e->operands.begin(), e->operands.end(), [&](const ExprPtr& op) { return mentions_local(op.get(), id); });
}

// Whether one spike's code only adds floating-point values to arrays (a static synapse's
// `on pre`: rows walked, targets' receptors accumulated), none of them depending on which
// of the entry's spikes it is (`repeat`, the draw number).
bool only_adds(const Block& block, LocalId repeat) {
  for (const StmtPtr& s : block) {
    switch (s->kind) {
      case StmtKind::AtomicAdd:
        if (s->local != kNone || !is_float(s->value->type)) return false;
        break;
      case StmtKind::Let:
      case StmtKind::Assign:
      case StmtKind::If:
      case StmtKind::For:
      case StmtKind::ForRow:
      case StmtKind::ForBits: break;
      default: return false;
    }
    for (const Expr* e : {s->cond.get(), s->index.get(), s->value.get(), s->begin.get(), s->end.get()})
      if (mentions_local(e, repeat)) return false;
    if (!only_adds(s->body, repeat) || !only_adds(s->otherwise, repeat)) return false;
  }
  return true;
}

// Multiplies every added value of `block` by `times` (a float of the value's type).
void scale_adds(Block& block, LocalId times) {
  for (StmtPtr& s : block) {
    if (s->kind == StmtKind::AtomicAdd) {
      const Type type = s->value->type;
      s->value = binary(BinaryOp::Mul, std::move(s->value), cast(type, local(times, Type::U32)));
    }
    scale_adds(s->body, times);
    scale_adds(s->otherwise, times);
  }
}

}  // namespace

// Handlers of the synapse and its components for one event: the components' first, so
// that a depression on `pre` changes the weight before the synapse emits it (NEST's
// stdp_synapse order).
std::vector<std::pair<Instance*, const ast::Handler*>> Lowerer::handlers_for(const SynapseParts& parts,
    const char* event) {
  std::vector<std::pair<Instance*, const ast::Handler*>> out;
  std::vector<Instance*> order(parts.components.begin(), parts.components.end());
  order.push_back(parts.synapse);
  for (Instance* inst : order)
    for (const ast::Handler& h : inst->model->decl->body.handlers)
      if (h.event == event) out.emplace_back(inst, &h);
  return out;
}

// The `on spike` handlers of the trace blocks of one side.
std::vector<const ast::Handler*> Lowerer::trace_handlers(const SynapseParts& parts, sema::Side side) {
  std::vector<const ast::Handler*> out;
  for (Instance* inst : parts.all())
    for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
      if ((tb.side == ast::TraceSide::Pre) == (side == sema::Side::Pre))
        for (const ast::Handler& h : tb.body.handlers)
          if (h.event == "spike") out.push_back(&h);
  return out;
}

bool Lowerer::has_trace_equations(const SynapseParts& parts, sema::Side side) {
  for (Instance* inst : parts.all())
    for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
      if ((tb.side == ast::TraceSide::Pre) == (side == sema::Side::Pre) && !tb.body.equations.empty()) return true;
  return false;
}

// Trace state: one value per neuron of the pre or post population, per projection.
void Lowerer::declare_traces(SynapseParts& parts, const std::string& name) {
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
void Lowerer::bind_synapse_side(CodeLowerer& cl, SynapseParts& parts, const Expr* syn, LocalId pre_id,
                                LocalId post_id) {
  for (Instance* inst : parts.all()) {
    for (const sema::Symbol* s : inst->model->parameters) {
      auto computed = inst->computed.find(s);
      if (computed != inst->computed.end() && syn) cl.bind(s, cast(type_of(s->type), computed_value(computed->second, pre_id, post_id)));
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
void Lowerer::bind_externals(CodeLowerer& cl, const SynapseParts& parts) {
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
void Lowerer::declare_pending(SynapseParts& parts, const std::string& name) {
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
void Lowerer::apply_pending(const SynapseParts& parts, const Expr& syn, Block& out) {
  for (auto& [s, pending] : parts.pending) {
    const ArrayId state = parts.synapse->arrays.at(s);
    const Type t = type_of(s->type);
    out.push_back(store(state, clone(syn), binary(BinaryOp::Add, load(state, t, clone(syn)), load(pending, t, clone(syn)))));
    out.push_back(store(pending, clone(syn), fconst(t, 0.0)));
  }
}

// A procedural projection's per-synapse value (f64) for the synapse from neuron `pre_id` to
// `post_id` (population indices): what the array the runtime would have initialised holds
// for it (runtime/src/initialise.cpp: the draw at step = the synapse's occurrence among
// the earlier synapses of its pair, index = pre neuron, draw = post neuron). Occurrence 0:
// sema refuses draws on a procedural projection whose rows may repeat a pair.
ExprPtr Lowerer::computed_value(const Init& in, LocalId pre_id, LocalId post_id) {
  if (in.kind == GENNC_INIT_CONSTANT) return fconst(Type::F64, in.params[0]);
  if (pre_id == kNone || post_id == kNone)
    internal_error(kWhere, "a value drawn per synapse where the synapse's neurons are not known");
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
  return random(d, in.stream, iconst(Type::U64, 0), local(pre_id, Type::U32), local(post_id, Type::U32),
                std::move(params));
}

// The spike-delivery function for `emit(x)` in a kernel with locals `post` and `ring_mask`
// (the post population's ring depth - 1; depths are powers of two).
void Lowerer::set_emit(CodeLowerer& cl, const Projection& plan, LocalId syn_id, LocalId pre_id, LocalId post_id,
                       LocalId ring_mask, LocalId offset, LocalId late) {
  ArrayId ring = plan.receptor_ring_array;
  ArrayId delay_array = plan.delay_array;
  std::uint32_t delay_const = plan.constant_delay_steps;
  std::uint32_t post_size = m_->populations[plan.post.population].size;
  std::uint32_t post_pop = plan.post.population;
  Kernel* kernel = &cl.kernel();
  Type real = m_->real;
  auto drawn = procedural_delays_.find(static_cast<std::uint32_t>(&plan - m_->projections.data()));
  std::shared_ptr<const Expr> drawn_delay;
  if (drawn != procedural_delays_.end()) {
    // In steps as the runtime rounds stored delays: max(1, floor(ms / dt + 0.5 + 1e-9)).
    ExprPtr steps = binary(BinaryOp::Add,
                           binary(BinaryOp::Add,
                                  binary(BinaryOp::Div, computed_value(drawn->second, pre_id, post_id),
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
    if (late != kNone) ahead = binary(BinaryOp::Add, std::move(ahead), local(late, Type::U32));
    ExprPtr slot = binary(BinaryOp::BitAnd, binary(BinaryOp::Add, cast(Type::U32, input(Input::Step)), std::move(ahead)),
                          local(ring_mask, Type::U32));
    auto events = event_rings_.find(ring);
    if (offset != kNone && events != event_rings_.end())
      return push_event(*kernel, post_pop, events->second.second, std::move(slot), post_id,
                        CodeLowerer::coerce(std::move(x), real), offset, where, body);
    ExprPtr at = binary(BinaryOp::Add, binary(BinaryOp::Mul, std::move(slot), iconst(Type::U32, post_size)),
                        local(post_id, Type::U32));
    body.push_back(atomic_add(ring, std::move(at), CodeLowerer::coerce(std::move(x), real), where));
  };
}

// push_event (docs/ir.md, Precise steps): a precise spike onto a precise neuron's receptor
// takes the next entry of its event ring at (slot, post) with its weight and its offset in
// the step; past the ring's capacity it records a fault for the post neuron instead
// (GENNC_FAULT_EVENTS with the count array), which stops the run after the step.
void Lowerer::push_event(Kernel& k, std::uint32_t post_pop, const EventArrays& ev, ExprPtr slot, LocalId post_id,
                         ExprPtr w, LocalId offset, SourceRange where, Block& body) {
  const std::uint32_t size = m_->populations[post_pop].size;
  const auto capacity = static_cast<std::uint32_t>(m_->arrays[ev.weight].length);
  const PopInfo& info = pops_[post_pop];
  LocalId row = k.add_local("event_row", Type::U32);
  LocalId entry = k.add_local("event_entry", Type::U32);
  body.push_back(let(row, binary(BinaryOp::Add, binary(BinaryOp::Mul, std::move(slot), iconst(Type::U32, size)),
                                 local(post_id, Type::U32)),
                     where));
  body.push_back(let(entry, iconst(Type::U32, 0), where));
  body.push_back(atomic_add(ev.count, local(row, Type::U32), iconst(Type::U32, 1), where, entry));
  Block room;
  ExprPtr at = binary(BinaryOp::Add, binary(BinaryOp::Mul, local(row, Type::U32), iconst(Type::U32, capacity)),
                      local(entry, Type::U32));
  room.push_back(store(ev.weight, clone(*at), std::move(w), where));
  room.push_back(store(ev.offset, std::move(at), local(offset, Type::F64), where));
  Block record;
  record.push_back(store(info.fault, local(post_id, Type::U32), iconst(Type::U32, GENNC_FAULT_EVENTS | (ev.count + 1)), where));
  record.push_back(store(info.fault_step, iconst(Type::U32, 0),
                         binary(BinaryOp::Add, cast(Type::F64, input(Input::Step)), fconst(Type::F64, 1.0)), where));
  Block full;
  full.push_back(if_(binary(BinaryOp::Eq, load(info.fault_step, Type::F64, iconst(Type::U32, 0)), fconst(Type::F64, 0.0)),
                     std::move(record), {}, where));
  body.push_back(if_(binary(BinaryOp::Lt, local(entry, Type::U32), iconst(Type::U32, capacity)), std::move(room),
                     std::move(full), where));
}

// The `on spike` code of one side's traces for neuron `who` (after the synapse loop).
void Lowerer::apply_trace_spikes(CodeLowerer& cl, SynapseParts& parts, sema::Side side, LocalId who, Block& out) {
  for (auto& [s, array] : parts.traces)
    if (s->side == side) cl.bind(s, load(array, type_of(s->type), local(who, Type::U32)));
  for (const ast::Handler* h : trace_handlers(parts, side)) cl.block(h->body, out);
}

std::uint32_t Lowerer::lower_pre_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range) {
  std::uint32_t ki = add_kernel(name + ".pre", GENNC_KERNEL_SYNAPSE_PRE, index, range);
  Kernel& k = m_->kernels[ki];
  const Projection& plan = m_->projections[index];
  CodeLowerer cl(p_, *m_, k);
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
    // A precise spike's offset in its step, (0, dt], for the event rings of a precise
    // target. A source emits a time up to half a tic past its step's end in that step
    // (SpikeSourceArray's rounding): it goes one slot further (`late`), at its own offset
    // there; what rounding leaves outside [0, dt] is clamped.
    LocalId offset = kNone, late = kNone;
    if (pre_pop.spike_time_array != kNone && event_rings_.count(plan.receptor_ring_array)) {
      LocalId since = k.add_local("since", Type::F64);
      late = k.add_local("late", Type::U32);
      offset = k.add_local("offset", Type::F64);
      k.body.push_back(let(since, binary(BinaryOp::Sub, load(pre_pop.spike_time_array, Type::F64, input(Input::Index)),
                                         input(Input::Time))));
      k.body.push_back(let(late, cast(Type::U32, binary(BinaryOp::Gt, local(since, Type::F64), input(Input::Dt)))));
      ExprPtr within = binary(BinaryOp::Sub, local(since, Type::F64),
                              binary(BinaryOp::Mul, cast(Type::F64, local(late, Type::U32)), input(Input::Dt)));
      std::vector<ExprPtr> low;
      low.push_back(std::move(within));
      low.push_back(fconst(Type::F64, 0.0));
      std::vector<ExprPtr> high;
      high.push_back(call(MathFn::Fmax, std::move(low)));
      high.push_back(input(Input::Dt));
      k.body.push_back(let(offset, call(MathFn::Fmin, std::move(high))));
    }
    if (ring_mask != kNone) set_emit(cl, plan, syn_id, pre_id, post_id, ring_mask, offset, late);
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
  } else if (only_adds(spike, repeat)) {
    // Adds only (a static synapse): the entry's spikes add their count times the value
    // once, as a NEST target adds weight x multiplicity, instead of once per spike.
    LocalId times = k.add_local("multiplicity", Type::U32);
    k.body.push_back(let(times, load(pre_pop.spike_multiplicity_array, Type::U32, input(Input::Index))));
    scale_adds(spike, times);
    for (auto& s : spike) k.body.push_back(std::move(s));
  } else {
    ExprPtr times = load(pre_pop.spike_multiplicity_array, Type::U32, input(Input::Index));
    k.body.push_back(for_(repeat, iconst(Type::U32, 0), std::move(times), std::move(spike), range));
  }
  return ki;
}

}  // namespace gennc::lower
