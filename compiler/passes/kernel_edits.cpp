#include "passes/kernel_edits.h"

#include <algorithm>

#include "ir/internal_error.h"

namespace gennc::passes {

using namespace ir;

namespace {

void rename_declared(Block& body, const std::vector<LocalId>& map) {
  for (StmtPtr& s : body) {
    if (s->local != kNone) s->local = map[s->local];
    rename_declared(s->body, map);
    rename_declared(s->otherwise, map);
  }
}

void renumber(ArrayId& id, const std::vector<ArrayId>& map) {
  if (id != kNone) id = map[id];
}

// A push_event's fault code names its event-count array (GENNC_FAULT_EVENTS | 1 + array,
// lowered as a constant before arrays are renumbered), so it is renumbered with them.
void renumber_fault_code(Stmt& s, const std::vector<Array>& arrays, const std::vector<ArrayId>& map) {
  if (s.kind != StmtKind::Store || !(arrays[s.array].flags & GENNC_ARRAY_FAULT) || s.value->kind != ExprKind::Const)
    return;
  const auto code = static_cast<std::uint32_t>(s.value->integer);
  if (!(code & GENNC_FAULT_EVENTS)) return;
  const ArrayId counted = (code & GENNC_FAULT_ARRAY_MASK) - 1;
  s.value->integer = GENNC_FAULT_EVENTS | (map[counted] + 1);
}

void renumber_stores(Block& b, const std::vector<Array>& arrays, const std::vector<ArrayId>& map) {
  for (StmtPtr& s : b) {
    renumber_fault_code(*s, arrays, map);
    renumber(s->array, map);
    renumber_stores(s->body, arrays, map);
    renumber_stores(s->otherwise, arrays, map);
  }
}

void drop_stores(Block& b, const std::vector<bool>& keep) {
  Block out;
  for (StmtPtr& s : b) {
    const bool had_body = !s->body.empty() || !s->otherwise.empty();
    drop_stores(s->body, keep);
    drop_stores(s->otherwise, keep);
    if ((s->kind == StmtKind::Store || s->kind == StmtKind::AtomicAdd) && !keep[s->array]) continue;
    // An `if` that held only such stores (a scalar derived value's `if (index == 0)`).
    if (s->kind == StmtKind::If && had_body && s->body.empty() && s->otherwise.empty()) continue;
    out.push_back(std::move(s));
  }
  b = std::move(out);
}

}  // namespace

std::optional<std::uint32_t> update_kernel(const Module& m, std::uint32_t population) {
  std::optional<std::uint32_t> found;
  for (std::uint32_t k : m.step_schedule) {
    const Kernel& kernel = m.kernels[k];
    if (kernel.kind != GENNC_KERNEL_NEURON || kernel.owner != population) continue;
    if (found) return std::nullopt;
    found = k;
  }
  return found;
}

std::optional<std::size_t> schedule_position(const Module& m, std::uint32_t kernel) {
  auto it = std::find(m.step_schedule.begin(), m.step_schedule.end(), kernel);
  if (it == m.step_schedule.end()) return std::nullopt;
  return static_cast<std::size_t>(it - m.step_schedule.begin());
}

std::vector<LocalId> import_locals(Kernel& into, const Kernel& from, const std::string& prefix) {
  std::vector<LocalId> map;
  for (const LocalInfo& l : from.locals) map.push_back(into.add_local(prefix + "." + l.name, l.type));
  return map;
}

void rename_locals(Block& body, const std::vector<LocalId>& map) {
  rename_declared(body, map);
  for_each_expr_slot(body, [&](ExprPtr& slot) {
    if (slot->kind == ExprKind::Local) slot->local = map[slot->local];
  });
}

void remove_kernels(Module& m, const std::set<std::uint32_t>& gone) {
  GENNC_IR_ASSERT(m.step_stages.empty(), "remove_kernels", "kernels removed after the stages were planned");
  std::vector<std::uint32_t> map(m.kernels.size(), kNone);
  std::vector<Kernel> kept;
  for (std::uint32_t k = 0; k < m.kernels.size(); ++k) {
    if (gone.count(k)) continue;
    map[k] = static_cast<std::uint32_t>(kept.size());
    kept.push_back(std::move(m.kernels[k]));
  }
  m.kernels = std::move(kept);
  auto renumber = [&](std::vector<std::uint32_t>& list) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t k : list)
      if (map[k] != kNone) out.push_back(map[k]);
    list = std::move(out);
  };
  renumber(m.init_schedule);
  renumber(m.step_schedule);
}

bool touches_array(const Block& b, ArrayId array) {
  bool found = false;
  for_each_stmt(b, [&](const Stmt& s) {
    if ((s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) && s.array == array) found = true;
  });
  for_each_expr(b, [&](const Expr& e) {
    if (e.kind == ExprKind::Load && e.array == array) found = true;
  });
  return found;
}

bool touches_array(const Stmt& s, ArrayId array) {
  Block holder;
  holder.push_back(clone(s));
  return touches_array(holder, array);
}

bool named_outside_code(const Module& m, ArrayId array) {
  for (const Recording& r : m.recordings)
    if (r.array == array) return true;
  for (const SynapseRecording& r : m.synapse_recordings)
    if (r.array == array) return true;
  for (const SynapseFunction& f : m.synapse_functions) {
    Block holder;
    holder.push_back(let(0, clone(*f.value)));
    if (touches_array(holder, array)) return true;
  }
  return false;
}

bool remove_arrays(Module& m, const std::vector<bool>& keep) {
  std::vector<ArrayId> map(m.arrays.size(), kNone);
  ArrayId kept = 0;
  for (ArrayId a = 0; a < m.arrays.size(); ++a)
    if (keep[a]) map[a] = kept++;
  if (kept == m.arrays.size()) return false;
  for (Kernel& k : m.kernels) {
    drop_stores(k.body, keep);
    renumber_stores(k.body, m.arrays, map);
    for_each_expr_slot(k.body, [&](ExprPtr& slot) {
      if (slot->kind == ExprKind::Load) slot->array = map[slot->array];
    });
  }
  for (SynapseFunction& f : m.synapse_functions) {
    Block holder;
    holder.push_back(let(0, std::move(f.value)));
    for_each_expr_slot(holder, [&](ExprPtr& slot) {
      if (slot->kind == ExprKind::Load) slot->array = map[slot->array];
    });
    f.value = std::move(holder[0]->value);
  }
  for (Population& p : m.populations) {
    renumber(p.spike_count_array, map);
    renumber(p.spike_list_array, map);
    renumber(p.ring_depth_array, map);
    renumber(p.spike_multiplicity_array, map);
    renumber(p.spike_time_array, map);
  }
  for (Projection& p : m.projections) {
    for (ArrayId* id : {&p.receptor_ring_array, &p.row_pointer_array, &p.column_array, &p.column_pointer_array,
                        &p.column_synapse_array, &p.delay_array, &p.weight_from_list})
      renumber(*id, map);
    for (HostColumn& h : p.host_columns) renumber(h.array, map);
  }
  for (Recording& r : m.recordings) renumber(r.array, map);
  for (SynapseRecording& r : m.synapse_recordings) renumber(r.array, map);
  std::vector<Array> arrays;
  for (ArrayId a = 0; a < m.arrays.size(); ++a)
    if (keep[a]) arrays.push_back(std::move(m.arrays[a]));
  m.arrays = std::move(arrays);
  return true;
}

}  // namespace gennc::passes
