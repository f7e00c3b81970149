#include "passes/remove_unused_arrays.h"

#include <vector>

namespace gennc::passes {

using namespace ir;

namespace {

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

bool remove_unused_arrays(Module& m, const Options& options, diag::Diagnostics&) {
  std::vector<bool> keep(m.arrays.size(), false);
  // With --runtime-parameters every parameter stays settable, read or not, so that a
  // caller can set each parameter of a model alike.
  const std::uint32_t removable = options.runtime_parameters ? GENNC_ARRAY_DERIVED
                                                             : GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED;
  for (ArrayId a = 0; a < m.arrays.size(); ++a)
    if (!(m.arrays[a].flags & removable)) keep[a] = true;
  auto mark = [&](const Expr& e) {
    if (e.kind == ExprKind::Load) keep[e.array] = true;
  };
  for (const Kernel& k : m.kernels) for_each_expr(k.body, mark);
  for (const SynapseFunction& f : m.synapse_functions) {
    Block holder;
    holder.push_back(let(0, clone(*f.value)));
    for_each_expr(holder, mark);
  }
  for (const Projection& p : m.projections) {
    if (p.weight_from_list != kNone) keep[p.weight_from_list] = true;
    for (const HostColumn& h : p.host_columns) keep[h.array] = true;
  }
  for (const Recording& r : m.recordings) keep[r.array] = true;
  for (const SynapseRecording& r : m.synapse_recordings) keep[r.array] = true;

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
