#include "passes/fuse_source_delivery.h"

#include <iterator>
#include <optional>
#include <set>
#include <vector>

#include "passes/kernel_edits.h"
#include "passes/plan_stages.h"

namespace gennc::passes {

using namespace ir;

namespace {

// One fusable source: P's update, Q's delivery and T's update, as kernel indices.
struct Fusion {
  std::uint32_t projection = kNone;
  std::uint32_t source = kNone;
  std::uint32_t delivery = kNone;
  std::uint32_t target = kNone;
};

bool is_synapse_kind(GenncKernelKind k) {
  return k == GENNC_KERNEL_SYNAPSE_PRE || k == GENNC_KERNEL_SYNAPSE_POST || k == GENNC_KERNEL_TRACE_PRE ||
         k == GENNC_KERNEL_TRACE_POST || k == GENNC_KERNEL_SYNAPSE_CONTINUOUS || k == GENNC_KERNEL_DERIVED_SYNAPSE;
}

std::set<ArrayId> spike_arrays(const Population& p) {
  std::set<ArrayId> out;
  for (ArrayId a : {p.spike_count_array, p.spike_list_array, p.spike_multiplicity_array, p.spike_time_array})
    if (a != kNone) out.insert(a);
  return out;
}

std::set<ArrayId> loaded(const Block& body) {
  std::set<ArrayId> out;
  for_each_expr(body, [&](const Expr& e) {
    if (e.kind == ExprKind::Load) out.insert(e.array);
  });
  return out;
}

// Locals and control flow: statements that write no array themselves (their nested
// statements are visited on their own).
bool touches_no_array(const Stmt& s) {
  return s.kind == StmtKind::Let || s.kind == StmtKind::Assign || s.kind == StmtKind::If || s.kind == StmtKind::For ||
         s.kind == StmtKind::While;
}

// P's update: computes and emits P[index] at one site, stores nothing, reads no spikes.
bool only_emits(const Kernel& k, std::uint32_t population, const std::set<ArrayId>& spikes) {
  int emits = 0;
  bool ok = true;
  for_each_stmt(k.body, [&](const Stmt& s) {
    if (touches_no_array(s)) return;
    switch (s.kind) {
      case StmtKind::EmitSpike:
        ++emits;
        ok = ok && s.population == population && is_index(*s.index);
        return;
      default:
        ok = false;
    }
  });
  for (ArrayId a : loaded(k.body)) ok = ok && !spikes.count(a);
  return ok && emits == 1;
}

// Q's delivery: adds into T's ring and nothing else; reads P's spikes only as the list and
// multiplicity entries at `index`, and uses `index` for nothing else.
bool only_delivers(const Kernel& k, const Projection& q, const Population& p) {
  bool ok = true;
  for_each_stmt(k.body, [&](const Stmt& s) {
    if (touches_no_array(s)) return;
    switch (s.kind) {
      case StmtKind::AtomicAdd:
        ok = ok && s.array == q.receptor_ring_array;
        return;
      default:
        ok = false;
    }
  });
  int indices = 0, entries = 0;
  for_each_expr(k.body, [&](const Expr& e) {
    if (is_index(e)) ++indices;
    if (e.kind != ExprKind::Load) return;
    if (e.array == p.spike_list_array || e.array == p.spike_multiplicity_array) {
      if (is_index(*e.operands[0])) ++entries;
      else ok = false;
    } else if (e.array == p.spike_count_array) {
      ok = false;
    }
  });
  return ok && indices == entries;
}

bool touches(const ArrayAccess& a, ArrayId id) {
  return a.read.count(id) || a.written.count(id) || a.added.count(id);
}

std::optional<Fusion> fusable(const Module& m, std::uint32_t delivery) {
  const Kernel& dk = m.kernels[delivery];
  if (dk.kind != GENNC_KERNEL_SYNAPSE_PRE) return std::nullopt;
  const std::uint32_t qi = dk.owner;
  const Projection& q = m.projections[qi];
  const std::uint32_t pi = q.pre.population, ti = q.post.population;
  if (pi == ti || q.form != RowForm::Diagonal || q.receptor_ring_array == kNone) return std::nullopt;
  const Population& p = m.populations[pi];
  const Population& t = m.populations[ti];
  if (p.spike_time_array != kNone) return std::nullopt;  // its spikes' times are recorded
  if (q.pre.kind != GENNC_SELECT_ALL || q.post.kind != GENNC_SELECT_ALL || p.size != t.size ||
      q.pre.count != p.size || q.post.count != t.size)
    return std::nullopt;
  const Array& ring = m.arrays[q.receptor_ring_array];
  if (ring.scope != GENNC_SCOPE_RING || ring.owner != ti) return std::nullopt;

  // P's spikes go nowhere else: no other projection, injection or recording names P.
  for (std::uint32_t j = 0; j < m.projections.size(); ++j)
    if (j != qi && (m.projections[j].pre.population == pi || m.projections[j].post.population == pi))
      return std::nullopt;
  for (const Injection& inj : m.injections)
    if (inj.target.population == pi) return std::nullopt;
  for (const Recording& r : m.recordings)
    if (r.target.population == pi) return std::nullopt;

  std::optional<std::uint32_t> source = update_kernel(m, pi), target = update_kernel(m, ti);
  if (!source || !target) return std::nullopt;
  const std::set<ArrayId> spikes = spike_arrays(p);
  if (!only_emits(m.kernels[*source], pi, spikes) || !only_delivers(dk, q, p)) return std::nullopt;

  // Q has no kernel but its delivery; nothing else reads or writes P's spikes.
  for (std::uint32_t k = 0; k < m.kernels.size(); ++k) {
    if (k == *source || k == delivery) continue;
    const Kernel& kernel = m.kernels[k];
    if (is_synapse_kind(kernel.kind) && kernel.owner == qi) return std::nullopt;
    bool uses_spikes = false;
    for (ArrayId a : loaded(kernel.body)) uses_spikes = uses_spikes || spikes.count(a);
    for_each_stmt(kernel.body, [&](const Stmt& s) {
      if (s.kind == StmtKind::EmitSpike && s.population == pi) uses_spikes = true;
      if ((s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) && spikes.count(s.array)) uses_spikes = true;
    });
    if (uses_spikes) return std::nullopt;
  }

  // What P and Q read, no step kernel changes.
  std::set<ArrayId> reads = loaded(m.kernels[*source].body);
  for (ArrayId a : loaded(dk.body))
    if (!spikes.count(a)) reads.insert(a);
  for (std::uint32_t k : m.step_schedule) {
    if (k == *source || k == delivery) continue;
    ArrayAccess access = array_access(m, m.kernels[k]);
    for (ArrayId a : reads)
      if (access.written.count(a) || access.added.count(a)) return std::nullopt;
  }

  // Order: T's and P's updates before Q's delivery, and nothing between T's update and
  // Q's delivery touches the ring.
  std::size_t at_source = *schedule_position(m, *source), at_target = *schedule_position(m, *target);
  std::optional<std::size_t> at_delivery = schedule_position(m, delivery);
  if (!at_delivery || at_target >= *at_delivery || at_source >= *at_delivery) return std::nullopt;
  for (std::size_t i = at_target + 1; i < *at_delivery; ++i) {
    std::uint32_t k = m.step_schedule[i];
    if (k != *source && touches(array_access(m, m.kernels[k]), q.receptor_ring_array)) return std::nullopt;
  }
  return Fusion{qi, *source, delivery, *target};
}

// Q's body for the spike that P emits at `emit`: pre = index, multiplicity = the count.
Block delivery_for(Kernel& target, const Kernel& delivery, const Projection& q, const Population& p,
                   const Stmt& emit) {
  Block out;
  ExprPtr multiplicity;
  if (emit.value) {
    LocalId count = target.add_local(q.name + ".multiplicity", Type::U32);
    out.push_back(let(count, clone(*emit.value), emit.range));
    multiplicity = local(count, Type::U32);
  } else {
    multiplicity = iconst(Type::U32, 1);
  }
  Block body = clone(delivery.body);
  rename_locals(body, import_locals(target, delivery, q.name));
  for_each_expr_slot(body, [&](ExprPtr& slot) {
    if (slot->kind != ExprKind::Load) return;
    if (slot->array == p.spike_list_array) slot = input(Input::Index);
    else if (slot->array == p.spike_multiplicity_array) slot = clone(*multiplicity);
  });
  for (StmtPtr& s : body) out.push_back(std::move(s));
  return out;
}

// Replaces the (one) emit_spike of P in `body` by `replacement`.
bool replace_emit(Block& body, Block& replacement) {
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i]->kind == StmtKind::EmitSpike) {
      body.erase(body.begin() + static_cast<std::ptrdiff_t>(i));
      body.insert(body.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(replacement.begin()),
                  std::make_move_iterator(replacement.end()));
      return true;
    }
    if (replace_emit(body[i]->body, replacement) || replace_emit(body[i]->otherwise, replacement)) return true;
  }
  return false;
}

const Stmt* find_emit(const Block& body) {
  const Stmt* found = nullptr;
  for_each_stmt(body, [&](const Stmt& s) {
    if (s.kind == StmtKind::EmitSpike) found = &s;
  });
  return found;
}

// The `if` whose whole body is `emit` (a source's spike under its threshold), or null.
Stmt* guard_of(Block& body, const Stmt* emit) {
  for (StmtPtr& s : body) {
    if (s->kind == StmtKind::If && s->otherwise.empty() && s->body.size() == 1 && s->body[0].get() == emit)
      return s.get();
    if (Stmt* found = guard_of(s->body, emit)) return found;
    if (Stmt* found = guard_of(s->otherwise, emit)) return found;
  }
  return nullptr;
}

// Makes the delivery for one spike entry (`delivery_for`, whose first statement declares the
// multiplicity) a set of plain adds into the target's own ring cells, and returns whether
// it became a no-op for a multiplicity of 0: only declarations and adds of values scaled by
// the multiplicity (a static synapse's, lower/synapse_kernels.cpp). The cells are the
// element's own (a diagonal projection onto the element, same size), which no other
// element of the update touches, so the adds need no atomics.
bool plain_adds(Block& delivery, const Projection& q) {
  if (delivery.empty() || delivery[0]->kind != StmtKind::Let) return false;
  // The multiplicity and the locals that copy it (the delivery's own, bound to it).
  std::set<LocalId> multiplicity = {delivery[0]->local};
  for (const StmtPtr& s : delivery) {
    if (s->kind == StmtKind::Let) {
      if (s->value->kind == ExprKind::Local && multiplicity.count(s->value->local)) multiplicity.insert(s->local);
      continue;
    }
    if (s->kind != StmtKind::AtomicAdd || s->array != q.receptor_ring_array || s->local != kNone) return false;
    const Expr& v = *s->value;
    if (v.kind != ExprKind::Binary || v.binary != BinaryOp::Mul || v.operands[1]->kind != ExprKind::Cast ||
        v.operands[1]->operands[0]->kind != ExprKind::Local || !multiplicity.count(v.operands[1]->operands[0]->local))
      return false;
  }
  for (StmtPtr& s : delivery) {
    if (s->kind != StmtKind::AtomicAdd) continue;
    const Type type = s->value->type;
    ExprPtr cell = load(s->array, type, clone(*s->index));
    s = store(s->array, std::move(s->index), binary(BinaryOp::Add, std::move(cell), std::move(s->value)), s->range);
  }
  return true;
}

void fuse(Module& m, const Fusion& f) {
  const Projection& q = m.projections[f.projection];
  const Population& p = m.populations[q.pre.population];
  Kernel& target = m.kernels[f.target];
  const Kernel& source = m.kernels[f.source];
  Block body = clone(source.body);
  rename_locals(body, import_locals(target, source, p.name));
  const Stmt* emit = find_emit(body);
  Stmt* guard = guard_of(body, emit);
  Block delivery = delivery_for(target, m.kernels[f.delivery], q, p, *emit);
  if (plain_adds(delivery, q) && guard != nullptr && emit->value) {
    // No spike: a multiplicity of 0, whose adds of 0 leave every cell as it was (a ring
    // cell is never -0: it starts at +0, is zeroed to +0, and sums of other values are
    // -0 only from -0 + -0). The guard may then be dropped where branches cost (the CPU's
    // vectorised loop); the GPU keeps it and touches only the spiking elements' cells.
    delivery[0]->value = select(clone(*guard->cond), std::move(delivery[0]->value), iconst(Type::U32, 0));
    guard->unguarded = true;
  }
  replace_emit(body, delivery);
  for (StmtPtr& s : body) target.body.push_back(std::move(s));
  remove_kernels(m, {f.source, f.delivery});
}

}  // namespace

bool fuse_source_delivery(Module& m, const Options& options, diag::Diagnostics&) {
  if (!options.fuse) return false;
  bool changed = false;
  // One fusion at a time, deliveries in schedule order: several sources of one target
  // append their code in the order their deliveries ran.
  for (bool again = true; again;) {
    again = false;
    for (std::uint32_t k : m.step_schedule) {
      if (std::optional<Fusion> f = fusable(m, k)) {
        fuse(m, *f);
        changed = again = true;
        break;
      }
    }
  }
  return changed;
}

}  // namespace gennc::passes
