// Plasticity: the rings through which learning rules see post spikes late, the kernels run
// on post spikes (`on post`, post traces) and the trace and continuous synapse kernels.
#include "lower/lowerer.h"

#include <algorithm>

namespace gennc::lower {

// The rings through which the learning rule sees post spikes late. NEST's and PyNN's
// convention: a fraction f of a synapse's delay D (its `dendritic_delay_fraction`, 1 when
// the model has none, as in NEST) lies on the dendrite, so the rule sees a post spike f*D
// after it was fired and a pre spike (1-f)*D after. Only the difference matters to the rule
// (its traces are time-invariant, and the weight a pre spike carries is the one the rule
// gives it when it sees that spike), so pre spikes are handled when fired and post spikes
// round(f*D) - round((1-f)*D) steps late, at most D, which the post ring's depth exceeds.
void Lowerer::declare_post_rings(SynapseParts& parts, const std::string& name) {
  const Instance& syn = *parts.synapse;
  if (const sema::Symbol* s = syn.model->find("dendritic_delay_fraction")) {
    const sema::Value* v = value_of(syn, s);
    // Sema admits one fraction of at least 0.5 per projection (check_supported.cpp).
    GENNC_IR_ASSERT(!v || (v->kind == sema::ValueKind::Constant && v->numbers.size() == 1), kWhere,
                    "dendritic_delay_fraction differs between synapses");
    if (v)
      parts.dendritic_fraction = v->numbers[0];
    else if (s->value && !s->value->empty())
      parts.dendritic_fraction = s->value->front();
  }
  const auto post = static_cast<std::uint32_t>(parts.post_pop);
  parts.post_seen = add_array(name + ".post_seen", "", Type::Bool, GENNC_SCOPE_RING, post, GENNC_ARRAY_STATE);
  parts.post_in_window =
      add_array(name + ".post_in_window", "", Type::U32, GENNC_SCOPE_NEURON, post, GENNC_ARRAY_STATE, constant(0));
  for (auto& [s, array] : parts.traces)
    if (s->side == sema::Side::Post)
      parts.post_history[s] = add_array(name + ".history_" + s->name, unit_of(*parts.synapse, s), type_of(s->type),
                                        GENNC_SCOPE_RING, post, GENNC_ARRAY_STATE);
  // NEST's synapses see a precise post spike at its exact time and a pre spike at its
  // step's end (stdp_synapse takes the event's stamp, the archiving node the spike's
  // offset); sema's check_precise_plasticity admits the rules this can be done for.
  if (m_->populations[parts.post_pop].spike_time_array != kNone)
    parts.post_offset = add_array(name + ".post_offset", "ms", Type::F64, GENNC_SCOPE_RING, post, GENNC_ARRAY_STATE);
}

// exp(by / tau) for a trace `x' = -x / tau` (sema's check_precise_plasticity): the factor
// that takes its value `by` ms back in time (f64).
ExprPtr Lowerer::trace_shift(CodeLowerer& cl, const SynapseParts& parts, const sema::Symbol* trace, ExprPtr by) {
  for (Instance* inst : parts.all())
    for (const ast::TraceBlock& tb : inst->model->decl->body.traces)
      for (const ast::Equation& eq : tb.body.equations) {
        if (p_.equation_targets.at(&eq) != trace) continue;
        const auto* decay = ast::dyn_cast<ast::BinaryExpr>(eq.rhs.get());
        GENNC_IR_ASSERT(decay && decay->op == ast::BinaryOp::Div, kWhere, "a precise trace's equation is not -x / tau");
        std::vector<ExprPtr> args;
        args.push_back(binary(BinaryOp::Div, std::move(by), cl.expr_as(decay->rhs.get(), Type::F64)));
        return call(MathFn::Exp, std::move(args));
      }
  return fconst(Type::F64, 1.0);  // a trace without an equation keeps its value
}

// A precise post spike's trace handlers, at the spike's exact time: each post trace is taken
// back by the spike's offset, the handlers run, and the trace comes forward again. The
// history slot of this step, which the rule's pre spikes read (post traces before this
// step's spikes count), then holds the new value: at this step's end the spike lies before
// them (unless it is within NEST's stdp_eps, 1e-6 ms, of that end: then at the same time).
void Lowerer::apply_precise_post_spikes(CodeLowerer& cl, SynapseParts& parts, LocalId mask, LocalId post_id,
                                        Block& out) {
  Kernel& k = cl.kernel();
  LocalId offset = k.add_local("post_offset", Type::F64);
  out.push_back(let(offset, load(parts.post_offset, Type::F64, post_slot(parts, mask, iconst(Type::U32, 0), post_id))));
  std::vector<std::pair<const sema::Symbol*, LocalId>> moved;
  for (auto& [s, array] : parts.traces) {
    if (s->side != sema::Side::Post) continue;
    const Type t = type_of(s->type);
    LocalId at_spike = k.add_local(s->name + ".at_spike", t);
    out.push_back(let(at_spike, binary(BinaryOp::Mul, load(array, t, local(post_id, Type::U32)),
                                       cast(t, trace_shift(cl, parts, s, local(offset, Type::F64))))));
    cl.bind(s, local(at_spike, t));
    moved.emplace_back(s, at_spike);
  }
  for (const ast::Handler* h : trace_handlers(parts, sema::Side::Post)) cl.block(h->body, out);
  Block before_step_end;
  for (auto& [s, at_spike] : moved) {
    const Type t = type_of(s->type);
    LocalId now = k.add_local(s->name + ".now", t);
    out.push_back(let(now, binary(BinaryOp::Mul, local(at_spike, t),
                                  cast(t, trace_shift(cl, parts, s, unary(UnaryOp::Neg, local(offset, Type::F64)))))));
    out.push_back(store(parts.traces.at(s), local(post_id, Type::U32), local(now, t)));
    auto history = parts.post_history.find(s);
    if (history != parts.post_history.end())
      before_step_end.push_back(
          store(history->second, post_slot(parts, mask, iconst(Type::U32, 0), post_id), local(now, t)));
  }
  if (!before_step_end.empty())
    out.push_back(if_(binary(BinaryOp::Gt, local(offset, Type::F64), fconst(Type::F64, 1e-6)),
                      std::move(before_step_end), {}));
}

Init Lowerer::constant(double value) {
  Init in;
  in.kind = GENNC_INIT_CONSTANT;
  in.params[0] = value;
  return in;
}

// The steps by which synapse `syn`'s rule sees post spikes late (u32).
ExprPtr Lowerer::lag_of(const SynapseParts& parts, const Projection& plan, const Expr& syn) {
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
ExprPtr Lowerer::post_slot(const SynapseParts& parts, LocalId mask, ExprPtr back, LocalId who) {
  ExprPtr slot = binary(BinaryOp::BitAnd, binary(BinaryOp::Sub, cast(Type::U32, input(Input::Step)), std::move(back)),
                        local(mask, Type::U32));
  return binary(BinaryOp::Add,
                binary(BinaryOp::Mul, std::move(slot), iconst(Type::U32, m_->populations[parts.post_pop].size)),
                local(who, Type::U32));
}

LocalId Lowerer::post_ring_mask(Kernel& k, const SynapseParts& parts) {
  LocalId mask = k.add_local("post_ring_mask", Type::U32);
  k.body.push_back(let(mask, binary(BinaryOp::Sub,
                                    load(m_->populations[parts.post_pop].ring_depth_array, Type::U32, iconst(Type::U32, 0)),
                                    iconst(Type::U32, 1))));
  return mask;
}

// Binds the post traces to their values `lag` steps ago, as the rule sees them.
void Lowerer::bind_post_history(CodeLowerer& cl, const SynapseParts& parts, LocalId mask, const Expr& lag,
                                LocalId post_id) {
  for (auto& [s, ring] : parts.post_history)
    cl.bind(s, load(ring, type_of(s->type), post_slot(parts, mask, clone(lag), post_id)));
  bind_externals(cl, parts);
}

// Flags this step's post spikes in their ring.
std::uint32_t Lowerer::lower_post_spike_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                               SourceRange range) {
  std::uint32_t ki = add_kernel(name + ".post_spike", GENNC_KERNEL_SYNAPSE_POST, index, range);
  Kernel& k = m_->kernels[ki];
  LocalId mask = post_ring_mask(k, parts);
  LocalId post_id = k.add_local("post", Type::U32);
  k.body.push_back(let(post_id, load(m_->populations[parts.post_pop].spike_list_array, Type::U32, input(Input::Index))));
  k.body.push_back(store(parts.post_seen, post_slot(parts, mask, iconst(Type::U32, 0), post_id), bconst(true), range));
  if (parts.post_offset != kNone) {
    // Before the step's end: dt - (time - t), clamped to [0, dt].
    ExprPtr since = binary(BinaryOp::Sub,
                           load(m_->populations[parts.post_pop].spike_time_array, Type::F64, input(Input::Index)),
                           input(Input::Time));
    std::vector<ExprPtr> low;
    low.push_back(binary(BinaryOp::Sub, input(Input::Dt), std::move(since)));
    low.push_back(fconst(Type::F64, 0.0));
    std::vector<ExprPtr> high;
    high.push_back(call(MathFn::Fmax, std::move(low)));
    high.push_back(input(Input::Dt));
    k.body.push_back(store(parts.post_offset, post_slot(parts, mask, iconst(Type::U32, 0), post_id),
                           call(MathFn::Fmin, std::move(high)), range));
  }
  k.body.push_back(store(parts.post_in_window, local(post_id, Type::U32),
                         binary(BinaryOp::Add, load(parts.post_in_window, Type::U32, local(post_id, Type::U32)),
                                iconst(Type::U32, 1)),
                         range));
  return ki;
}

// Keeps the post traces' values of this step (before its spikes count) for later steps.
std::uint32_t Lowerer::lower_post_history_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
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
std::uint32_t Lowerer::lower_post_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                         SourceRange range) {
  std::uint32_t ki = add_kernel(name + ".post", GENNC_KERNEL_TRACE_POST, index, range);
  Kernel& k = m_->kernels[ki];
  const Projection& plan = m_->projections[index];
  CodeLowerer cl(p_, *m_, k);
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
  // The pre traces at the post spike's exact time (pre spikes fall on steps' ends), through
  // one factor per trace: the post neuron's, computed before its column where the
  // projection has one delay (so one lag), else per synapse.
  Block before_column;
  if (parts.post_offset != kNone) {
    const bool one_lag = plan.delay_array == kNone;
    Block& at = one_lag ? before_column : seen;
    ExprPtr slot = post_slot(parts, mask, one_lag ? lag_of(parts, plan, *sidx) : local(lag, Type::U32), post_id);
    LocalId offset = k.add_local("post_offset", Type::F64);
    at.push_back(let(offset, load(parts.post_offset, Type::F64, std::move(slot))));
    for (auto& [s, array] : parts.traces) {
      if (s->side != sema::Side::Pre) continue;
      const Type t = type_of(s->type);
      LocalId factor = k.add_local(s->name + ".to_post_spike", t);
      at.push_back(let(factor, cast(t, trace_shift(cl, parts, s, local(offset, Type::F64)))));
      cl.bind(s, binary(BinaryOp::Mul, load(array, t, local(pre_id, Type::U32)), local(factor, t)));
    }
  }
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
  Block column = std::move(before_column);
  column.push_back(for_(col, std::move(begin), std::move(end), std::move(loop), range));
  k.body.push_back(if_(binary(BinaryOp::Ne, load(parts.post_in_window, Type::U32, local(post_id, Type::U32)),
                              iconst(Type::U32, 0)),
                       std::move(column), {}, range));
  return ki;
}

// After the pre kernels: the post traces count this step's spikes, and the ring's oldest
// slot, which the next step reuses, is cleared.
std::uint32_t Lowerer::lower_post_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                               SourceRange range) {
  std::uint32_t ki = add_kernel(name + ".post_trace", GENNC_KERNEL_TRACE_POST, index, range);
  Kernel& k = m_->kernels[ki];
  CodeLowerer cl(p_, *m_, k);
  LocalId mask = post_ring_mask(k, parts);
  LocalId post_id = k.add_local("post", Type::U32);
  k.body.push_back(let(post_id, input(Input::Index)));
  cl.set_draw_index(local(post_id, Type::U32));
  bind_synapse_side(cl, parts, nullptr, kNone, post_id);
  Block fired;
  if (parts.post_offset != kNone)
    apply_precise_post_spikes(cl, parts, mask, post_id, fired);
  else
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
std::uint32_t Lowerer::lower_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                          sema::Side side, SourceRange range) {
  bool pre = side == sema::Side::Pre;
  std::uint32_t ki = add_kernel(name + (pre ? ".trace_pre" : ".trace_post"),
                                pre ? GENNC_KERNEL_TRACE_PRE : GENNC_KERNEL_TRACE_POST, index, range);
  Kernel& k = m_->kernels[ki];
  CodeLowerer cl(p_, *m_, k);
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
std::uint32_t Lowerer::lower_continuous_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                               SourceRange range) {
  std::uint32_t ki = add_kernel(name + ".continuous", GENNC_KERNEL_SYNAPSE_CONTINUOUS, index, range);
  Kernel& k = m_->kernels[ki];
  const Projection& plan = m_->projections[index];
  CodeLowerer cl(p_, *m_, k);
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
void Lowerer::bind_sides(CodeLowerer& cl, Instance&, std::size_t pre_pop, std::size_t post_pop, LocalId pre_id,
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

}  // namespace gennc::lower
