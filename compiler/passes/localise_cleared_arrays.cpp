#include "passes/localise_cleared_arrays.h"

#include <cmath>
#include <vector>

#include "passes/kernel_edits.h"

namespace gennc::passes {

using namespace ir;

namespace {

// Marks the kernel that touches each array: kNone for none, kSeveral for more than one.
constexpr std::uint32_t kSeveral = kNone - 1;

std::vector<std::uint32_t> kernel_touching(const Module& m) {
  std::vector<std::uint32_t> out(m.arrays.size(), kNone);
  auto note = [&](ArrayId a, std::uint32_t k) { out[a] = out[a] == kNone || out[a] == k ? k : kSeveral; };
  for (std::uint32_t k = 0; k < m.kernels.size(); ++k) {
    for_each_stmt(m.kernels[k].body, [&](const Stmt& s) {
      if (s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) note(s.array, k);
    });
    for_each_expr(m.kernels[k].body, [&](const Expr& e) {
      if (e.kind == ExprKind::Load) note(e.array, k);
    });
  }
  return out;
}

// Whether U touches A at [index] only, by loads and plain stores, and its last top-level
// statement that touches A stores +0 into A[index].
bool cleared_by(const Kernel& u, ArrayId a) {
  bool ok = true;
  for_each_stmt(u.body, [&](const Stmt& s) {
    if (s.kind == StmtKind::AtomicAdd && s.array == a) ok = false;
    if (s.kind == StmtKind::Store && s.array == a) ok = ok && is_index(*s.index);
  });
  for_each_expr(u.body, [&](const Expr& e) {
    if (e.kind == ExprKind::Load && e.array == a) ok = ok && is_index(*e.operands[0]);
  });
  // A precise step's event handlers stay as they are.
  for_each_stmt(u.body, [&](const Stmt& s) {
    for (const EventRing& ev : s.events) ok = ok && !touches_array(ev.handler, a);
  });
  if (!ok) return false;
  for (auto it = u.body.rbegin(); it != u.body.rend(); ++it) {
    const Stmt& s = **it;
    if (!touches_array(s, a)) continue;
    return s.kind == StmtKind::Store && s.array == a && s.value->kind == ExprKind::Const &&
           s.value->number == 0.0 && !std::signbit(s.value->number);
  }
  return false;
}

// U's loads of A become the local `cell`, its stores assignments to it.
void localise(Block& body, ArrayId a, LocalId cell, Type type) {
  for (StmtPtr& s : body) {
    localise(s->body, a, cell, type);
    localise(s->otherwise, a, cell, type);
    if (s->kind == StmtKind::Store && s->array == a) s = assign(cell, std::move(s->value), s->range);
  }
  for_each_expr_slot(body, [&](ExprPtr& slot) {
    if (slot->kind == ExprKind::Load && slot->array == a) slot = local(cell, type);
  });
}

}  // namespace

bool localise_cleared_arrays(Module& m, const Options&, diag::Diagnostics&) {
  const std::vector<std::uint32_t> kernel = kernel_touching(m);
  std::vector<bool> keep(m.arrays.size(), true);
  for (ArrayId a = 0; a < m.arrays.size(); ++a) {
    const Array& array = m.arrays[a];
    if (!(array.flags & GENNC_ARRAY_INTERNAL) || (array.flags & GENNC_ARRAY_STATE) ||
        array.scope != GENNC_SCOPE_NEURON || array.init.kind != GENNC_INIT_ZERO || !is_float(value_type(array.dtype)))
      continue;
    if (kernel[a] == kNone || kernel[a] == kSeveral || named_outside_code(m, a)) continue;
    Kernel& u = m.kernels[kernel[a]];
    if (u.kind != GENNC_KERNEL_NEURON || u.owner != array.owner || !cleared_by(u, a)) continue;
    const Type type = value_type(array.dtype);
    const LocalId cell = u.add_local(array.name + ".cell", type);
    localise(u.body, a, cell, type);
    u.body.insert(u.body.begin(), let(cell, fconst(type, 0.0)));
    keep[a] = false;
  }
  return remove_arrays(m, keep);
}

}  // namespace gennc::passes
