#include "passes/remove_unused_arrays.h"

#include <vector>

#include "passes/kernel_edits.h"

namespace gennc::passes {

using namespace ir;

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

  return remove_arrays(m, keep);
}

}  // namespace gennc::passes
