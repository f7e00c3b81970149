#include "gather_columns.h"

#include <cstring>

namespace gennc::runtime::mpi {

void gather_owned_columns(NetworkState& state, const World& world, const Partition& ranges) {
  const GenncModel& model = state.model();
  for (uint32_t a = 0; a < model.array_count; ++a) {
    const GenncArrayInfo& info = model.arrays[a];
    if (info.scope != GENNC_SCOPE_NEURON && info.scope != GENNC_SCOPE_RING) continue;
    const GenncPopulationInfo& pop = model.populations[info.owner];
    // Spike lists are gathered at every exchange already (and are not by neuron).
    if (a == pop.spike_list_array || a == pop.spike_multiplicity_array || pop.size == 0) continue;
    // Rows of `size` elements (one for a neuron array, one per slot for a ring).
    Buffer& array = state.array(a);
    const size_t element = dtype_size(array.dtype());
    const size_t row_bytes = pop.size * element;
    const size_t rows = array.length() / pop.size;
    auto* data = static_cast<uint8_t*>(array.data());
    const auto [begin, end] = ranges[info.owner][world.rank()];
    std::vector<uint8_t> mine;
    for (size_t row = 0; row < rows; ++row)
      mine.insert(mine.end(), data + row * row_bytes + begin * element, data + row * row_bytes + end * element);
    std::vector<uint64_t> bytes;
    std::vector<uint8_t> all = world.gather_bytes(mine.data(), mine.size(), &bytes);
    size_t k = 0;
    for (uint32_t rank = 0; rank < world.size(); ++rank) {
      const auto [first, last] = ranges[info.owner][rank];
      for (size_t row = 0; row < rows; ++row) {
        std::memcpy(data + row * row_bytes + first * element, all.data() + k, (last - first) * element);
        k += (last - first) * element;
      }
    }
  }
}

}  // namespace gennc::runtime::mpi
