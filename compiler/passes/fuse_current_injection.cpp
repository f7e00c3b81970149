#include "passes/fuse_current_injection.h"

#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "passes/kernel_edits.h"
#include "passes/plan_stages.h"

namespace gennc::passes {

using namespace ir;

namespace {

// One fusable source: K and U, as kernel indices.
struct Fusion {
  std::uint32_t source = kNone;
  std::uint32_t target = kNone;
};

// What K touches: its own arrays (loaded or stored) and the arrays it adds into.
struct SourceArrays {
  std::set<ArrayId> own, added;
};

// The locals that hold `index`: declared as `let %x = index` and never assigned.
std::set<LocalId> index_locals(const Block& body) {
  std::set<LocalId> bound, assigned;
  for_each_stmt(body, [&](const Stmt& s) {
    if (s.kind == StmtKind::Let && is_index(*s.value)) bound.insert(s.local);
    if (s.kind == StmtKind::Assign || s.kind == StmtKind::For) assigned.insert(s.local);
  });
  std::set<LocalId> out;
  for (LocalId l : bound)
    if (!assigned.count(l)) out.insert(l);
  return out;
}

// K's arrays, where its body has the shape the header gives; none otherwise.
std::optional<SourceArrays> source_arrays(const Module& m, const Kernel& k, std::uint32_t population) {
  const std::set<LocalId> element = index_locals(k.body);
  auto at_index = [&](const Expr& e) {
    return is_index(e) || (e.kind == ExprKind::Local && element.count(e.local) != 0);
  };
  SourceArrays out;
  std::set<ArrayId> stored;
  bool ok = true;
  for_each_stmt(k.body, [&](const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Assign:
      case StmtKind::If:
      case StmtKind::For:
      case StmtKind::While: return;
      case StmtKind::Store:
        ok = ok && is_index(*s.index);
        stored.insert(s.array);
        return;
      case StmtKind::AtomicAdd: {
        const Array& a = m.arrays[s.array];
        ok = ok && s.local == kNone && at_index(*s.index) && a.scope == GENNC_SCOPE_NEURON && a.owner == population;
        out.added.insert(s.array);
        return;
      }
      default: ok = false;
    }
  });
  std::set<ArrayId> loaded;
  for_each_expr(k.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Input)
      ok = ok && (e.input == Input::Index || e.input == Input::Time || e.input == Input::Dt ||
                  e.input == Input::Step || e.input == Input::Seed);
    if (e.kind == ExprKind::Load) loaded.insert(e.array);
  });
  // The arrays K stores it reads at its own element only.
  for_each_expr(k.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Load && stored.count(e.array)) ok = ok && is_index(*e.operands[0]);
  });
  out.own = loaded;
  out.own.insert(stored.begin(), stored.end());
  for (ArrayId a : out.added) ok = ok && !out.own.count(a);
  if (!ok || out.added.empty()) return std::nullopt;
  return out;
}

// Whether U touches each of `arrays` at its own element only.
bool only_at_index(const Kernel& u, const std::set<ArrayId>& arrays) {
  bool ok = true;
  for_each_stmt(u.body, [&](const Stmt& s) {
    if ((s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) && arrays.count(s.array))
      ok = ok && is_index(*s.index);
  });
  for_each_expr(u.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Load && arrays.count(e.array)) ok = ok && is_index(*e.operands[0]);
  });
  return ok;
}

bool touches(const ArrayAccess& access, ArrayId a) {
  return access.read.count(a) || access.written.count(a) || access.added.count(a);
}

// Whether K (`source`) fuses into its target's update; `access` holds every step kernel's
// array accesses.
std::optional<Fusion> fusable(const Module& m, const std::vector<ArrayAccess>& access, std::uint32_t source) {
  const Kernel& k = m.kernels[source];
  if (k.kind != GENNC_KERNEL_CURRENT_SOURCE) return std::nullopt;
  const Selection& target = m.injections[k.owner].target;
  const std::uint32_t ti = target.population;
  if (target.kind != GENNC_SELECT_ALL || target.count != m.populations[ti].size) return std::nullopt;
  std::optional<std::uint32_t> update = update_kernel(m, ti);
  if (!update) return std::nullopt;
  const std::size_t at_source = *schedule_position(m, source), at_update = *schedule_position(m, *update);
  if (at_update < at_source) return std::nullopt;
  std::optional<SourceArrays> arrays = source_arrays(m, k, ti);
  if (!arrays || !only_at_index(m.kernels[*update], arrays->added)) return std::nullopt;

  // K's own arrays are no other step kernel's; nothing between K and U touches A.
  for (std::size_t i = 0; i < m.step_schedule.size(); ++i) {
    const std::uint32_t other = m.step_schedule[i];
    if (other == source) continue;
    for (ArrayId a : arrays->own)
      if (touches(access[other], a)) return std::nullopt;
    if (i > at_source && i < at_update)
      for (ArrayId a : arrays->added)
        if (touches(access[other], a)) return std::nullopt;
  }
  return Fusion{source, *update};
}

// Makes K's adds plain read-add-writes of the element's own cell (the header says why).
void plain_adds(Block& body) {
  for (StmtPtr& s : body) {
    if (s->kind == StmtKind::AtomicAdd) {
      ExprPtr cell = load(s->array, s->value->type, input(Input::Index));
      s = store(s->array, input(Input::Index), binary(BinaryOp::Add, std::move(cell), std::move(s->value)), s->range);
      continue;
    }
    plain_adds(s->body);
    plain_adds(s->otherwise);
  }
}

// Moves K's body to the start of U's.
void move_into_update(Module& m, const Fusion& f) {
  Kernel& update = m.kernels[f.target];
  const Kernel& source = m.kernels[f.source];
  Block body = clone(source.body);
  rename_locals(body, import_locals(update, source, m.injections[source.owner].name));
  plain_adds(body);
  update.body.insert(update.body.begin(), std::make_move_iterator(body.begin()), std::make_move_iterator(body.end()));
}

}  // namespace

bool fuse_current_injection(Module& m, const Options& options, diag::Diagnostics&) {
  if (!options.fuse) return false;
  std::vector<ArrayAccess> access(m.kernels.size());
  for (std::uint32_t k : m.step_schedule) access[k] = array_access(m, m.kernels[k]);
  // Per target population, the fusable source last in the schedule (with several
  // fusable, they add into different arrays; one per population keeps it simple). Each
  // decision still holds after the others are made: another fusion only gives another
  // population's update the accesses of its own source, whose arrays no other kernel
  // touches, and of its own population's injected arrays.
  std::map<std::uint32_t, Fusion> chosen;
  for (std::uint32_t k : m.step_schedule)
    if (std::optional<Fusion> f = fusable(m, access, k)) chosen[m.kernels[f->target].owner] = *f;
  if (chosen.empty()) return false;
  std::set<std::uint32_t> gone;
  for (const auto& [population, f] : chosen) {
    move_into_update(m, f);
    gone.insert(f.source);
  }
  remove_kernels(m, gone);
  return true;
}

}  // namespace gennc::passes
