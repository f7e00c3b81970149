#include "passes/merge_receptor_rings.h"

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "passes/kernel_edits.h"

namespace gennc::passes {

using namespace ir;

namespace {

// `let w = R[I]; store R[I] = +0; x = x + w` at body[at .. at + 2], R a ring of `population`.
struct RingRead {
  ArrayId ring = kNone;
  LocalId weight = kNone;  // w
  LocalId target = kNone;  // x
  const Expr* index = nullptr;
};

std::optional<RingRead> ring_read(const Module& m, std::uint32_t population, const Block& body, std::size_t at) {
  if (at + 3 > body.size()) return std::nullopt;
  const Stmt& read = *body[at];
  const Stmt& clear = *body[at + 1];
  const Stmt& add = *body[at + 2];
  if (read.kind != StmtKind::Let || read.value->kind != ExprKind::Load) return std::nullopt;
  const ArrayId ring = read.value->array;
  if (m.arrays[ring].scope != GENNC_SCOPE_RING || m.arrays[ring].owner != population) return std::nullopt;
  const Expr& index = *read.value->operands[0];
  if (clear.kind != StmtKind::Store || clear.array != ring || !equal(*clear.index, index) ||
      clear.value->kind != ExprKind::Const || clear.value->number != 0.0 || std::signbit(clear.value->number))
    return std::nullopt;
  if (add.kind != StmtKind::Assign || add.value->kind != ExprKind::Binary || add.value->binary != BinaryOp::Add)
    return std::nullopt;
  const Expr& x = *add.value->operands[0];
  const Expr& w = *add.value->operands[1];
  if (x.kind != ExprKind::Local || x.local != add.local || w.kind != ExprKind::Local || w.local != read.local)
    return std::nullopt;
  return RingRead{ring, read.local, add.local, &index};
}

int uses_of(const Block& body, LocalId local) {
  int n = 0;
  for_each_expr(body, [&](const Expr& e) { n += e.kind == ExprKind::Local && e.local == local; });
  return n;
}

// `store R[J] = R[J] + y`: a fused source's add into its own element's cell.
bool plain_add(const Stmt& s, ArrayId ring) {
  if (s.kind != StmtKind::Store || s.array != ring) return false;
  const Expr& v = *s.value;
  return v.kind == ExprKind::Binary && v.binary == BinaryOp::Add && v.operands[0]->kind == ExprKind::Load &&
         v.operands[0]->array == ring && equal(*v.operands[0]->operands[0], *s.index);
}

// Outside its read in the update (the three statements at `read_at`), the ring is only
// added into: atomic adds, and plain adds whose loads are its only other loads.
bool only_added_into(const Module& m, ArrayId ring, std::uint32_t update, std::size_t read_at) {
  const Stmt* clear = m.kernels[update].body[read_at + 1].get();
  int loads = -1, adds = 0;  // -1: the read's own load
  bool ok = true;
  for (const Kernel& k : m.kernels) {
    for_each_stmt(k.body, [&](const Stmt& s) {
      for (const EventRing& ev : s.events) ok = ok && !touches_array(ev.handler, ring);
      if (s.kind == StmtKind::AtomicAdd && s.array == ring) ok = ok && s.local == kNone;
      if (s.kind == StmtKind::Store && s.array == ring && &s != clear) {
        ok = ok && plain_add(s, ring);
        ++adds;
      }
    });
    for_each_expr(k.body, [&](const Expr& e) { loads += e.kind == ExprKind::Load && e.array == ring; });
  }
  return ok && loads == adds;
}

// Whether rings `a` (read at body[at]) and `b` (read at body[at + 3]) of the update may
// merge: the conditions of the header.
bool mergeable(const Module& m, std::uint32_t update, std::size_t at, const RingRead& a, const RingRead& b) {
  const Array& ra = m.arrays[a.ring];
  const Array& rb = m.arrays[b.ring];
  if (a.ring == b.ring || a.target != b.target || !equal(*a.index, *b.index) || ra.dtype != rb.dtype ||
      ra.unit != rb.unit || ra.flags != rb.flags || ra.init.kind != GENNC_INIT_ZERO || rb.init.kind != GENNC_INIT_ZERO)
    return false;
  if (m.populations[ra.owner].spike_time_array != kNone) return false;  // precise: event rings
  if (named_outside_code(m, a.ring) || named_outside_code(m, b.ring)) return false;
  const Block& body = m.kernels[update].body;
  if (uses_of(body, a.weight) != 1 || uses_of(body, b.weight) != 1) return false;
  for (std::size_t i = 0; i < at; ++i)
    if (touches_array(*body[i], a.ring) || touches_array(*body[i], b.ring)) return false;
  return only_added_into(m, a.ring, update, at) && only_added_into(m, b.ring, update, at + 3);
}

void redirect_writes(Block& body, ArrayId from, ArrayId to) {
  for (StmtPtr& s : body) {
    if ((s->kind == StmtKind::Store || s->kind == StmtKind::AtomicAdd) && s->array == from) s->array = to;
    redirect_writes(s->body, from, to);
    redirect_writes(s->otherwise, from, to);
  }
}

// Every access of `from`, in every kernel, becomes one of `to` (no event handler touches
// either: only_added_into).
void redirect(Module& m, ArrayId from, ArrayId to) {
  for (Kernel& k : m.kernels) {
    for_each_expr_slot(k.body, [&](ExprPtr& slot) {
      if (slot->kind == ExprKind::Load && slot->array == from) slot->array = to;
    });
    redirect_writes(k.body, from, to);
  }
  for (Projection& q : m.projections)
    if (q.receptor_ring_array == from) q.receptor_ring_array = to;
}

// "exc.excitatory.ring" merged with "exc.inhibitory.ring": "exc.excitatory+inhibitory.ring".
std::string merged_name(const std::string& kept, const std::string& gone, const std::string& population) {
  const std::string suffix = ".ring", prefix = population + ".";
  if (kept.size() <= suffix.size() || gone.size() <= prefix.size() + suffix.size() ||
      gone.compare(0, prefix.size(), prefix) != 0)
    return kept;
  std::string name = kept;
  name.insert(name.size() - suffix.size(),
              "+" + gone.substr(prefix.size(), gone.size() - prefix.size() - suffix.size()));
  return name;
}

// One merge in `update`, if any: the first pair of consecutive ring reads that may merge.
bool merge_one(Module& m, std::uint32_t update, std::vector<bool>& keep) {
  const std::uint32_t population = m.kernels[update].owner;
  Block& body = m.kernels[update].body;
  for (std::size_t at = 0; at + 6 <= body.size(); ++at) {
    std::optional<RingRead> a = ring_read(m, population, body, at);
    if (!a || !keep[a->ring]) continue;
    std::optional<RingRead> b = ring_read(m, population, body, at + 3);
    if (!b || !keep[b->ring] || !mergeable(m, update, at, *a, *b)) continue;
    const ArrayId gone = b->ring, kept = a->ring;
    body.erase(body.begin() + static_cast<std::ptrdiff_t>(at + 3), body.begin() + static_cast<std::ptrdiff_t>(at + 6));
    redirect(m, gone, kept);
    m.arrays[kept].name = merged_name(m.arrays[kept].name, m.arrays[gone].name, m.populations[population].name);
    keep[gone] = false;
    return true;
  }
  return false;
}

}  // namespace

bool merge_receptor_rings(Module& m, const Options& options, diag::Diagnostics&) {
  if (!options.merge_rings) return false;
  std::vector<bool> keep(m.arrays.size(), true);
  bool merged = false;
  for (std::uint32_t p = 0; p < m.populations.size(); ++p) {
    std::optional<std::uint32_t> update = update_kernel(m, p);
    if (!update) continue;
    // A third receptor's read follows the merged pair's: it merges on the next pass.
    while (merge_one(m, *update, keep)) merged = true;
  }
  return merged && remove_arrays(m, keep);
}

}  // namespace gennc::passes
