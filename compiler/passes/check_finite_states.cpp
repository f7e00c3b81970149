#include "passes/check_finite_states.h"

#include <limits>

#include "passes/solve_odes.h"

namespace gennc::passes {

using namespace ir;

namespace {

ExprPtr finite(ExprPtr x) {
  const Type t = x->type;
  const double largest = t == Type::F32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  std::vector<ExprPtr> arg;
  arg.push_back(std::move(x));
  // False for NaN as well as for infinities.
  return binary(BinaryOp::Le, call(MathFn::Fabs, std::move(arg)), fconst(t, largest));
}

// The population's fault array of this name: the one lowering made for a precise
// population's event rings (shared: the runtime reads one report per population), or a new one.
ArrayId add_fault_array(Module& m, std::uint32_t pop, const char* suffix, GenncDType dtype, GenncArrayScope scope) {
  for (ArrayId id = 0; id < m.arrays.size(); ++id)
    if ((m.arrays[id].flags & GENNC_ARRAY_FAULT) && m.arrays[id].owner == pop && m.arrays[id].scope == scope &&
        m.arrays[id].name == m.populations[pop].name + suffix)
      return id;
  Array a;
  a.name = m.populations[pop].name + suffix;
  a.dtype = dtype;
  a.scope = scope;
  a.owner = pop;
  a.flags = GENNC_ARRAY_INTERNAL | GENNC_ARRAY_FAULT;
  return m.add_array(a);
}

bool check(Module& m, Kernel& k) {
  const std::uint32_t pop = k.owner;
  const std::string step_name = integration_step_name(m.populations[pop].name);
  // The top-level stores of real-valued per-neuron state at the neuron's own index.
  std::vector<std::pair<ArrayId, const Expr*>> stored;
  std::size_t after = 0;
  for (std::size_t i = 0; i < k.body.size(); ++i) {
    const Stmt& s = *k.body[i];
    if (s.kind != StmtKind::Store || !is_float(s.value->type)) continue;
    const Array& a = m.arrays[s.array];
    if (!(a.flags & GENNC_ARRAY_STATE) || a.owner != pop || a.scope != GENNC_SCOPE_NEURON) continue;
    if (s.index->kind != ExprKind::Input || s.index->input != Input::Index) continue;
    // Only values already held in a local: the test would otherwise keep a computation alive.
    if (s.value->kind != ExprKind::Local) continue;
    stored.emplace_back(s.array, s.value.get());
    after = i + 1;
  }
  if (stored.empty()) return false;

  const ArrayId codes = add_fault_array(m, pop, ".fault", GENNC_U32, GENNC_SCOPE_NEURON);
  const ArrayId first_step = add_fault_array(m, pop, ".fault_step", GENNC_F64, GENNC_SCOPE_SCALAR);
  ExprPtr all_finite;
  ExprPtr code = iconst(Type::U32, 0);
  // Built from the last array to the first, so that the code names the first that failed.
  for (auto it = stored.rbegin(); it != stored.rend(); ++it) {
    std::uint32_t value = it->first + 1;
    if (m.arrays[it->first].name == step_name) value |= GENNC_FAULT_SUBSTEPS;
    // The stored value read back from its array, not the local: the test then depends on
    // nothing but the neuron's own state, so a target may run it after the whole range
    // (host_target.h) without changing which report is made.
    const Type type = it->second->type;
    code = select(unary(UnaryOp::Not, finite(load(it->first, type, input(Input::Index)))), iconst(Type::U32, value),
                  std::move(code));
    ExprPtr ok = finite(load(it->first, type, input(Input::Index)));
    all_finite = all_finite ? binary(BinaryOp::And, std::move(ok), std::move(all_finite)) : std::move(ok);
  }
  const SourceRange range = k.body[after - 1]->range;
  Block record;
  record.push_back(store(codes, input(Input::Index), std::move(code), range));
  record.push_back(store(first_step, iconst(Type::U32, 0),
                         binary(BinaryOp::Add, cast(Type::F64, input(Input::Step)), fconst(Type::F64, 1.0)), range));
  ExprPtr nothing_yet = binary(BinaryOp::Eq, load(first_step, Type::F64, iconst(Type::U32, 0)), fconst(Type::F64, 0.0));
  Block failed;
  failed.push_back(if_(std::move(nothing_yet), std::move(record), {}, range));
  // At the kernel's end, after anything that follows the stores (a fused source's
  // delivery, passes/fuse_source_delivery.h): codegen runs checks that end a kernel after
  // the element loop instead of in it (emit_kernels.cpp), which keeps the loop vectorisable.
  k.body.push_back(if_(unary(UnaryOp::Not, std::move(all_finite)), std::move(failed), {}, range));
  return true;
}

}  // namespace

bool check_finite_states(Module& m, const Options&, diag::Diagnostics&) {
  bool changed = false;
  for (Kernel& k : m.kernels)
    if (k.kind == GENNC_KERNEL_NEURON) changed = check(m, k) || changed;
  return changed;
}

}  // namespace gennc::passes
