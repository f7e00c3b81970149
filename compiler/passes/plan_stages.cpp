#include "passes/plan_stages.h"

#include <algorithm>
#include <vector>

namespace gennc::passes {

using namespace ir;

namespace {

bool intersects(const std::set<ArrayId>& a, const std::set<ArrayId>& b) {
  const std::set<ArrayId>& small = a.size() <= b.size() ? a : b;
  const std::set<ArrayId>& large = a.size() <= b.size() ? b : a;
  return std::any_of(small.begin(), small.end(), [&](ArrayId id) { return large.count(id) != 0; });
}

void collect(const Module& m, const Block& block, ArrayAccess& access) {
  for_each_expr(block, [&](const Expr& e) {
    if (e.kind == ExprKind::Load) access.read.insert(e.array);
  });
  for_each_stmt(block, [&](const Stmt& s) {
    if (s.kind == StmtKind::Store) access.written.insert(s.array);
    if (s.kind == StmtKind::AtomicAdd) access.added.insert(s.array);
    if (s.kind == StmtKind::EmitSpike) {
      const Population& pop = m.populations.at(s.population);
      access.written.insert(pop.spike_count_array);
      access.written.insert(pop.spike_list_array);
      if (s.value) access.written.insert(pop.spike_multiplicity_array);
      if (s.time) access.written.insert(pop.spike_time_array);
    }
  });
}

ArrayAccess unite(const Module& m, const std::vector<std::uint32_t>& stage) {
  ArrayAccess all;
  for (std::uint32_t k : stage) {
    ArrayAccess one = array_access(m, m.kernels.at(k));
    all.read.insert(one.read.begin(), one.read.end());
    all.written.insert(one.written.begin(), one.written.end());
    all.added.insert(one.added.begin(), one.added.end());
  }
  return all;
}

void drop(ArrayAccess& access, const std::set<ArrayId>& arrays) {
  for (ArrayId a : arrays) {
    access.read.erase(a);
    access.written.erase(a);
    access.added.erase(a);
  }
}

bool touches(const ArrayAccess& access, ArrayId a) {
  return access.read.count(a) != 0 || access.written.count(a) != 0 || access.added.count(a) != 0;
}

}  // namespace

ArrayAccess array_access(const Module& m, const Kernel& kernel) {
  ArrayAccess access;
  collect(m, kernel.body, access);
  // The range of a spike-driven kernel is the step's spike count of its population.
  if (kernel.kind == GENNC_KERNEL_SYNAPSE_PRE || kernel.kind == GENNC_KERNEL_SYNAPSE_POST) {
    const Projection& proj = m.projections.at(kernel.owner);
    const std::uint32_t population =
        kernel.kind == GENNC_KERNEL_SYNAPSE_PRE ? proj.pre.population : proj.post.population;
    access.read.insert(m.populations.at(population).spike_count_array);
  }
  return access;
}

bool conflict(const ArrayAccess& a, const ArrayAccess& b) {
  return intersects(a.written, b.read) || intersects(a.written, b.written) || intersects(a.written, b.added) ||
         intersects(b.written, a.read) || intersects(b.written, a.added) || intersects(a.added, b.read) ||
         intersects(b.added, a.read);
}

bool stages_overlap(const Module& m, const std::vector<std::vector<std::uint32_t>>& stages) {
  if (stages.size() < 2) return false;
  const std::vector<std::uint32_t>& first = stages.front();
  const std::vector<std::uint32_t>& last = stages.back();
  std::set<ArrayId> per_step, rings;
  for (const Population& pop : m.populations)
    for (ArrayId a : {pop.spike_count_array, pop.spike_list_array, pop.spike_multiplicity_array, pop.spike_time_array})
      if (a != kNone) per_step.insert(a);
  for (const Array& a : m.arrays)
    if (a.scope == GENNC_SCOPE_RING) rings.insert(static_cast<ArrayId>(&a - m.arrays.data()));
  // Rings: only adds in the last stage, only neuron updates in the first.
  for (std::uint32_t k : last) {
    const ArrayAccess access = array_access(m, m.kernels.at(k));
    for (ArrayId r : rings)
      if (access.read.count(r) != 0 || access.written.count(r) != 0) return false;
  }
  for (std::uint32_t k : first) {
    if (m.kernels.at(k).kind == GENNC_KERNEL_NEURON) continue;
    const ArrayAccess access = array_access(m, m.kernels.at(k));
    for (ArrayId r : rings)
      if (touches(access, r)) return false;
  }
  ArrayAccess before = unite(m, last), after = unite(m, first);
  drop(before, per_step);
  drop(before, rings);
  drop(after, per_step);
  drop(after, rings);
  if (conflict(before, after)) return false;
  // Delays: a delivery of step n adds at slot n + d + 1 (+ the ring's offset), the update
  // of step n + 1 reads n + 2 and adds a fused source's spikes at n + f + 2.
  std::vector<bool> delivers(m.projections.size(), false), updates(m.populations.size(), false);
  for (std::uint32_t k : m.step_schedule) {
    const Kernel& kernel = m.kernels[k];
    if (kernel.kind == GENNC_KERNEL_NEURON) updates[kernel.owner] = true;
    if (kernel.kind == GENNC_KERNEL_SYNAPSE_PRE) delivers[kernel.owner] = true;
  }
  for (std::uint32_t k : last) {
    const Kernel& kernel = m.kernels.at(k);
    if (kernel.kind != GENNC_KERNEL_SYNAPSE_PRE) continue;
    const Projection& p = m.projections.at(kernel.owner);
    const bool constant = p.delay_array == kNone;
    if (constant && p.shortest_delay_steps < 2) return false;
    for (const Projection& q : m.projections) {
      // A projection without a delivery from a source without an update was fused into its
      // target's update (fuse_source_delivery).
      const bool fused = !delivers[&q - m.projections.data()] && !updates[q.pre.population];
      if (!fused || q.receptor_ring_array != p.receptor_ring_array || &q == &p) continue;
      if (q.delay_array != kNone) return false;
      const std::uint32_t meets = q.constant_delay_steps + 1;
      if (constant && p.shortest_delay_steps <= meets && meets <= p.constant_delay_steps) return false;
    }
  }
  return true;
}

bool plan_stages(Module& m, const Options&, diag::Diagnostics&) {
  std::vector<ArrayAccess> access;
  for (std::uint32_t k : m.step_schedule) access.push_back(array_access(m, m.kernels.at(k)));
  std::vector<std::size_t> stage_of(m.step_schedule.size(), 0);
  std::vector<std::vector<std::uint32_t>> stages;
  for (std::size_t i = 0; i < m.step_schedule.size(); ++i) {
    std::size_t stage = 0;
    for (std::size_t j = 0; j < i; ++j)
      if (stage_of[j] + 1 > stage && conflict(access[i], access[j])) stage = stage_of[j] + 1;
    // A full stage pushes the kernel on to the next one with room.
    while (stage < stages.size() && stages[stage].size() >= kMaxStageMembers) ++stage;
    if (stage >= stages.size()) stages.resize(stage + 1);
    stages[stage].push_back(m.step_schedule[i]);
    stage_of[i] = stage;
  }
  const bool overlap = stages_overlap(m, stages);
  const bool changed = stages != m.step_stages || overlap != m.stage_overlap;
  m.step_stages = std::move(stages);
  m.stage_overlap = overlap;
  return changed;
}

}  // namespace gennc::passes
