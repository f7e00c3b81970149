// What a checkpoint's arrays must satisfy before they replace a simulation's
// (checkpoint.cpp): every array that sizes or addresses memory, or that says which neurons
// a synapse joins, consistent with the model and with the others exactly as this runtime
// builds them. Kernels then never read or write outside an array, whatever the file held.
#include <algorithm>
#include <cmath>

#include "network_state.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kLongestRing = uint64_t{1} << 31;

bool is_power_of_two(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }
std::string name_of(const char* name) { return name ? name : "?"; }
std::string str(uint64_t x) { return std::to_string(x); }
const uint32_t* u32(const Buffer& b) { return static_cast<const uint32_t*>(b.data()); }

// Spike counts and lists: at most size entries (a precise population: its list's capacity,
// which a step may overflow), each a neuron of the population.
std::string spike_problem(const GenncModel& m, const std::vector<Buffer>& arrays, const std::string& where) {
  for (uint32_t p = 0; p < m.population_count; ++p) {
    const GenncPopulationInfo& pop = m.populations[p];
    const Buffer& count = arrays[pop.spike_count_array];
    const Buffer& list = arrays[pop.spike_list_array];
    if (count.length() == 0 && list.length() == 0) continue;  // not in a reset snapshot
    std::string what = where + "population '" + name_of(pop.name) + "'";
    const bool precise = pop.spike_time_array != UINT32_MAX;
    if (count.length() != 1 || (precise ? list.length() < pop.size : list.length() != pop.size))
      return what + ": its spike count or list has the wrong length";
    uint32_t n = u32(count)[0];
    if (n > pop.size && !precise) return what + ": spike count " + str(n) + " exceeds its size " + str(pop.size);
    n = static_cast<uint32_t>(std::min<uint64_t>(n, list.length()));
    for (uint32_t k = 0; k < n; ++k)
      if (u32(list)[k] >= pop.size)
        return what + ": spike list entry " + str(k) + " is neuron " + str(u32(list)[k]) + ", outside the population";
  }
  return "";
}

}  // namespace

std::string NetworkState::ring_problem(const std::vector<Buffer>& arrays) const {
  for (uint32_t p = 0; p < model_.population_count; ++p) {
    uint32_t id = model_.populations[p].ring_depth_array;
    if (id == kNone) continue;
    auto depth = static_cast<uint64_t>(arrays[id].get(0));  // a u32 array (check_model)
    if (depth > kLongestRing || !is_power_of_two(depth))
      return "population '" + name_of(model_.populations[p].name) + "': ring depth " + str(depth) +
             " is not a power of two up to 2^31";
  }
  for (uint32_t a = 0; a < model_.array_count; ++a) {
    const GenncArrayInfo& info = model_.arrays[a];
    if (info.scope != GENNC_SCOPE_RING) continue;
    uint32_t id = model_.populations[info.owner].ring_depth_array;
    uint64_t depth = id == kNone ? ring_depths_[info.owner] : static_cast<uint64_t>(arrays[id].get(0));
    const uint64_t per_entry = info.length > 1 ? info.length : 1;  // a precise population's event ring
    if (arrays[a].length() != depth * model_.populations[info.owner].size * per_entry)
      return "array '" + name_of(info.name) + "' has " + str(arrays[a].length()) +
             " elements, not ring depth x size x entries = " + str(depth * model_.populations[info.owner].size * per_entry);
  }
  return "";
}

std::string NetworkState::structure_problem(const std::vector<Buffer>& arrays, const std::vector<Buffer>* snapshot,
                                          uint64_t seed) const {
  const GenncModel& m = model_;
  if (std::string why = ring_problem(arrays); !why.empty()) return why;
  if (std::string why = spike_problem(m, arrays, ""); !why.empty()) return why;
  auto depth_of = [&](uint32_t population) -> uint64_t {
    uint32_t id = m.populations[population].ring_depth_array;
    return id == kNone ? ring_depths_[population] : static_cast<uint64_t>(arrays[id].get(0));
  };

  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    const std::string what = "projection '" + name_of(proj.name) + "'";
    const Selection& pre = pre_[p];
    const Selection& post = post_[p];
    const uint32_t pre_size = m.populations[proj.pre.population].size;
    const uint32_t post_size = m.populations[proj.post.population].size;

    // Row pointers: from 0, never decreasing; rows of neurons outside the pre view empty.
    const Buffer& rows = arrays[proj.row_pointer_array];
    if (rows.length() != pre_size + uint64_t{1}) return what + ": its row pointers have the wrong length";
    const uint32_t* rp = u32(rows);
    if (rp[0] != 0) return what + ": its row pointers start at " + str(rp[0]) + ", not 0";
    for (uint32_t r = 0; r < pre_size; ++r) {
      if (rp[r + 1] < rp[r])
        return what + ": its row pointers decrease at row " + str(r) + " (" + str(rp[r]) + " then " + str(rp[r + 1]) + ")";
      if (rp[r + 1] != rp[r] && pre.local(r) < 0)
        return what + ": row " + str(r) + " is not empty, but neuron " + str(r) + " is outside the pre view";
    }
    uint64_t n = rp[pre_size];

    if (proj.column_array == kNone) {
      // Procedural, dense or diagonal: kernels regenerate the rows, so the stored lengths
      // must be the generator's for this seed.
      std::vector<uint64_t> lengths;
      Status generated = generated_row_lengths(p, seed, &lengths);
      if (!generated.ok()) return generated.message();
      uint64_t start = 0;
      for (uint32_t r = 0; r < pre_size; ++r) {
        start += lengths[r + 1];
        if (rp[r + 1] != start)
          return what + ": its row pointers differ from the rows its connector generates (row " + str(r) + ")";
      }
    } else if (m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST) {
      // A bitmask: each row's set bits are its synapses; no bit beyond the post view.
      const Buffer& bits = arrays[proj.column_array];
      const uint64_t words = (uint64_t{post.size()} + 31) / 32;
      if (bits.length() != uint64_t{pre.size()} * words)
        return what + ": its bitmask has " + str(bits.length()) + " words, not " + str(uint64_t{pre.size()} * words);
      const uint32_t tail = post.size() % 32 == 0 ? 0u : ~((1u << (post.size() % 32)) - 1u);
      for (uint32_t i = 0; i < pre.size(); ++i) {
        const uint32_t* row = u32(bits) + uint64_t{i} * words;
        uint64_t set = 0;
        for (uint64_t w = 0; w < words; ++w) set += static_cast<uint64_t>(__builtin_popcount(row[w]));
        if (words > 0 && (row[words - 1] & tail) != 0)
          return what + ": row " + str(i) + " of its bitmask sets a bit beyond the post view's " + str(post.size()) +
                 " neurons";
        uint32_t g = pre.global(i);
        if (rp[g + 1] - rp[g] != set)
          return what + ": row " + str(g) + " has " + str(rp[g + 1] - rp[g]) + " synapses by its row pointers, " +
                 str(set) + " by its bitmask";
      }
    } else {
      // Stored columns: one per synapse, each a neuron of the post view.
      const Buffer& columns = arrays[proj.column_array];
      if (columns.length() != n)
        return what + ": its row pointers end at " + str(n) + ", but it has " + str(columns.length()) + " synapses";
      const uint32_t* col = u32(columns);
      for (uint64_t k = 0; k < n; ++k)
        if (col[k] >= post_size || post.local(col[k]) < 0)
          return what + ": synapse " + str(k) + " goes to neuron " + str(col[k]) + ", not a neuron of the post view";
      // CSR order: each row's synapses by post neuron (repeats of a pair side by side).
      for (uint32_t r = 0; r < pre_size; ++r)
        for (uint64_t k = uint64_t{rp[r]} + 1; k < rp[r + 1]; ++k)
          if (col[k] < col[k - 1])
            return what + ": row " + str(r) + " is not in ascending order of post neurons (synapse " + str(k) + ")";
    }

    // Every per-synapse array has one element per synapse.
    for (uint32_t a = 0; a < m.array_count; ++a)
      if (m.arrays[a].scope == GENNC_SCOPE_SYNAPSE && m.arrays[a].owner == p && arrays[a].length() != n)
        return "array '" + name_of(m.arrays[a].name) + "' has " + str(arrays[a].length()) + " elements, but " + what +
               " has " + str(n) + " synapses";

    // Column access: exactly the grouping by post neuron the runtime builds from the columns.
    if (proj.column_pointer_array != kNone) {
      const Buffer& cps = arrays[proj.column_pointer_array];
      const Buffer& ids = arrays[proj.column_synapse_array];
      if (cps.length() != post_size + uint64_t{1}) return what + ": its column pointers have the wrong length";
      const uint32_t* cp = u32(cps);
      const uint32_t* cs = u32(ids);
      if (proj.column_array != kNone && m.arrays[proj.column_array].scope == GENNC_SCOPE_SYNAPSE) {
        const uint32_t* col = u32(arrays[proj.column_array]);
        std::vector<uint64_t> next(post_size + uint64_t{1}, 0);
        for (uint64_t k = 0; k < n; ++k) ++next[col[k] + uint64_t{1}];
        for (uint32_t j = 0; j < post_size; ++j) next[j + 1] += next[j];
        for (uint32_t j = 0; j <= post_size; ++j)
          if (cp[j] != next[j])
            return what + ": its column pointers do not match its columns (post neuron " + str(j) + ")";
        for (uint64_t k = 0; k < n; ++k)
          if (cs[next[col[k]]++] != k)
            return what + ": its column synapse ids do not match its columns (synapse " + str(k) + ")";
      } else {
        if (cp[0] != 0 || cp[post_size] != n) return what + ": its column pointers do not span its synapses";
        for (uint32_t j = 0; j < post_size; ++j)
          if (cp[j + 1] < cp[j]) return what + ": its column pointers decrease at post neuron " + str(j);
        for (uint64_t k = 0; k < n; ++k)
          if (cs[k] >= n) return what + ": column synapse entry " + str(k) + " is not a synapse";
      }
    }

    // Delays: whole steps the post population's rings can hold.
    const uint64_t depth = depth_of(proj.post.population);
    if (proj.delay_array != kNone) {
      const Buffer& delays = arrays[proj.delay_array];
      for (uint64_t k = 0; k < delays.length(); ++k) {
        double d = delays.get(k);
        if (!(d >= 1.0 && d <= static_cast<double>(depth) - 1.0 && d == std::floor(d)))
          return what + ": synapse " + str(k) + " has a delay of " + std::to_string(d) +
                 " steps, not a whole number in [1, " + str(depth - 1) + "] (the post population's ring depth - 1)";
      }
    } else if (uint64_t{proj.constant_delay_steps} + 1 > depth) {
      return what + ": its delay of " + str(proj.constant_delay_steps) + " steps needs rings deeper than " + str(depth);
    }
  }

  if (snapshot != nullptr) {
    // The reset snapshot holds only arrays a reset restores, each at its array's length.
    for (uint32_t a = 0; a < m.array_count; ++a) {
      const Buffer& kept = (*snapshot)[a];
      if (kept.length() == 0) continue;
      bool resettable = !is_structural(a) && !(m.arrays[a].flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED));
      if (!resettable) return "the reset snapshot holds array '" + name_of(m.arrays[a].name) + "', which is never reset";
      if (kept.length() != arrays[a].length())
        return "the reset snapshot of array '" + name_of(m.arrays[a].name) + "' has " + str(kept.length()) +
               " elements, the array " + str(arrays[a].length());
    }
    if (std::string why = spike_problem(m, *snapshot, "reset snapshot: "); !why.empty()) return why;
  }
  return "";
}

}  // namespace gennc::runtime
