// A network state that holds a share of the synapses (NetworkState::hold_posts): one rank
// of a distributed run keeps, of every projection stored as rows, only the synapses onto
// the post neurons it updates (docs/distributed.md, "What a rank holds"). Building makes
// the share directly (build_network.cpp, connect.cpp); what is here takes it from whole
// arrays (a checkpoint loaded, a gather for a reader), deepens the rings to the depth
// every process agreed on, and says which projections are split.
#include <algorithm>
#include <cstring>

#include "network_state.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

}  // namespace

bool NetworkState::splits(uint32_t p) const {
  if (posts_.empty()) return false;
  const GenncProjectionInfo& proj = model_.projections[p];
  return proj.column_array != kNone && model_.arrays[proj.column_array].scope == GENNC_SCOPE_SYNAPSE &&
         proj.draws_by_synapse == 0;
}

void NetworkState::take_share() {
  const GenncModel& m = model_;
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    if (!splits(p)) continue;
    const GenncProjectionInfo& proj = m.projections[p];
    const auto [first, last] = posts_[proj.post.population];
    totals_[p] = synapse_counts_[p];
    // The synapses kept, in their order (rows stay in order, each keeping a run of posts).
    Buffer& rows = arrays_[proj.row_pointer_array];
    auto* row_pointer = static_cast<uint32_t*>(rows.data());
    const auto* post = static_cast<const uint32_t*>(arrays_[proj.column_array].data());
    std::vector<uint32_t> kept;
    uint32_t begin = 0;
    for (uint64_t r = 0; r + 1 < rows.length(); ++r) {
      const uint32_t end = row_pointer[r + 1];
      for (uint32_t k = begin; k < end; ++k)
        if (post[k] >= first && post[k] < last) kept.push_back(k);
      begin = end;
      row_pointer[r + 1] = static_cast<uint32_t>(kept.size());
    }
    auto share = [&](Buffer& whole) {
      const size_t element = dtype_size(whole.dtype());
      Buffer part(whole.dtype(), kept.size());
      auto* to = static_cast<uint8_t*>(part.data());
      const auto* from = static_cast<const uint8_t*>(whole.data());
      for (size_t k = 0; k < kept.size(); ++k) std::memcpy(to + k * element, from + kept[k] * element, element);
      whole = std::move(part);
    };
    for (uint32_t a = 0; a < m.array_count; ++a) {
      if (m.arrays[a].scope != GENNC_SCOPE_SYNAPSE || m.arrays[a].owner != p) continue;
      if (arrays_[a].length() == synapse_counts_[p]) share(arrays_[a]);
      if (Buffer* reset = reset_value(a); reset != nullptr) share(*reset);
    }
    synapse_counts_[p] = kept.size();
    index_columns(p);
  }
  holds_share_ = true;
}

void NetworkState::set_whole_count(uint32_t p, uint64_t count) {
  synapse_counts_[p] = count;
  totals_[p] = count;
  index_columns(p);
}

Status NetworkState::deepen_rings(ThreadPool& pool, const std::vector<uint32_t>& depths) {
  const GenncModel& m = model_;
  for (uint32_t q = 0; q < m.population_count; ++q) {
    if (depths[q] <= ring_depths_[q]) continue;
    ring_depths_[q] = depths[q];
    if (m.populations[q].ring_depth_array != kNone) arrays_[m.populations[q].ring_depth_array].set(0, depths[q]);
    GENNC_TRY(allocate_rings(pool, q, nullptr));
  }
  return ok();
}

}  // namespace gennc::runtime
