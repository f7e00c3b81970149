#include "passes/remove_empty_kernels.h"

namespace gennc::passes {

using namespace ir;

bool remove_empty_kernels(Module& m, const Options&, diag::Diagnostics&) {
  std::vector<std::uint32_t> map(m.kernels.size(), kNone);
  std::vector<Kernel> kept;
  for (std::size_t i = 0; i < m.kernels.size(); ++i) {
    Kernel& k = m.kernels[i];
    bool derived = k.kind == GENNC_KERNEL_DERIVED || static_cast<int>(k.kind) == 8;  // DERIVED_SYNAPSE
    if (derived && k.body.empty()) continue;
    map[i] = static_cast<std::uint32_t>(kept.size());
    kept.push_back(std::move(k));
  }
  if (kept.size() == m.kernels.size()) {
    m.kernels = std::move(kept);
    return false;
  }
  m.kernels = std::move(kept);
  for (auto* schedule : {&m.init_schedule, &m.step_schedule}) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t k : *schedule)
      if (map[k] != kNone) out.push_back(map[k]);
    *schedule = std::move(out);
  }
  return true;
}

}  // namespace gennc::passes
