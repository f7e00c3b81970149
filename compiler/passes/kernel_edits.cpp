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

}  // namespace gennc::passes
