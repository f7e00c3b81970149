#include "choose_cubin.h"

namespace gennc::runtime::cuda {

const GenncCubin* choose_cubin(int major, int minor, const GenncCubin* cubins, uint32_t count) {
  const GenncCubin* best = nullptr;
  for (uint32_t k = 0; k < count; ++k) {
    const auto arch_major = static_cast<int>(cubins[k].arch / 10), arch_minor = static_cast<int>(cubins[k].arch % 10);
    if (arch_major != major || arch_minor > minor) continue;
    if (best == nullptr || cubins[k].arch > best->arch) best = &cubins[k];
  }
  return best;
}

}  // namespace gennc::runtime::cuda
