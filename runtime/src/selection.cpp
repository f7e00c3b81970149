#include "selection.h"

#include <algorithm>

namespace gennc::runtime {

Status Selection::make(const GenncSelection& selection, uint32_t population_size,
                       const std::string& what, Selection* out) {
  Selection result;
  result.population_ = selection.population;
  switch (selection.kind) {
    case GENNC_SELECT_ALL:
      for (uint32_t i = 0; i < population_size; ++i) result.members_.push_back(i);
      break;
    case GENNC_SELECT_SLICE:
      if (selection.step == 0 || selection.stop > population_size || selection.start > selection.stop)
        return model_error(what + ": slice [" + std::to_string(selection.start) + ":" +
                           std::to_string(selection.stop) + ":" + std::to_string(selection.step) +
                           "] does not fit a population of " + std::to_string(population_size));
      for (uint32_t i = selection.start; i < selection.stop; i += selection.step) result.members_.push_back(i);
      break;
    case GENNC_SELECT_LIST:
      if (selection.count != 0 && selection.indices == nullptr)
        return model_error(what + ": index list missing");
      for (uint32_t k = 0; k < selection.count; ++k) {
        if (selection.indices[k] >= population_size)
          return model_error(what + ": index " + std::to_string(selection.indices[k]) +
                             " out of range for a population of " + std::to_string(population_size));
        result.members_.push_back(selection.indices[k]);
      }
      break;
    default:
      return model_error(what + ": unknown selection kind");
  }
  if (result.members_.size() != selection.count)
    return model_error(what + ": selection declares " + std::to_string(selection.count) +
                       " neurons but selects " + std::to_string(result.members_.size()));
  result.position_.assign(population_size, -1);
  for (uint32_t k = 0; k < result.size(); ++k) {
    if (result.position_[result.members_[k]] != -1)
      return model_error(what + ": neuron " + std::to_string(result.members_[k]) + " selected twice");
    result.position_[result.members_[k]] = k;
  }
  result.ascending_ = std::is_sorted(result.members_.begin(), result.members_.end());
  *out = std::move(result);
  return ok();
}

std::pair<uint32_t, uint32_t> Selection::span(uint32_t first, uint32_t last) const {
  // Bisected where the members ascend: a GPU rank takes every projection's span on each run.
  if (ascending_) {
    const auto lo = static_cast<uint32_t>(std::lower_bound(members_.begin(), members_.end(), first) - members_.begin());
    const auto hi = static_cast<uint32_t>(std::lower_bound(members_.begin(), members_.end(), last) - members_.begin());
    return lo < hi ? std::pair{lo, hi} : std::pair{0u, 0u};
  }
  uint32_t lo = size(), hi = 0;
  for (uint32_t k = 0; k < size(); ++k)
    if (members_[k] >= first && members_[k] < last) {
      lo = std::min(lo, k);
      hi = k + 1;
    }
  return lo < hi ? std::pair{lo, hi} : std::pair{0u, 0u};
}

}  // namespace gennc::runtime
