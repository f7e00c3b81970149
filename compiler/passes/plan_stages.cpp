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
  const bool changed = stages != m.step_stages;
  m.step_stages = std::move(stages);
  return changed;
}

}  // namespace gennc::passes
