#include "gather_columns.h"

#include <cstring>
#include <string>

namespace gennc::runtime::mpi {

namespace {

// Rows of `row_elements` elements of `array` (one for a neuron array, one per slot for a
// ring), each cut as population `population`'s neurons are: every rank's columns from the
// rank that owns them.
void gather_rows(Buffer& array, size_t row_elements, uint32_t population, const World& world,
                 const Partition& ranges) {
  const size_t element = dtype_size(array.dtype());
  const size_t row_bytes = row_elements * element;
  const size_t rows = array.length() / row_elements;
  auto* data = static_cast<uint8_t*>(array.data());
  const auto [begin, end] = ranges[population][world.rank()];
  std::vector<uint8_t> mine;
  for (size_t row = 0; row < rows; ++row)
    mine.insert(mine.end(), data + row * row_bytes + begin * element, data + row * row_bytes + end * element);
  std::vector<uint64_t> bytes;
  std::vector<uint8_t> all = world.gather_bytes(mine.data(), mine.size(), &bytes);
  size_t k = 0;
  for (uint32_t rank = 0; rank < world.size(); ++rank) {
    const auto [first, last] = ranges[population][rank];
    for (size_t row = 0; row < rows; ++row) {
      std::memcpy(data + row * row_bytes + first * element, all.data() + k, (last - first) * element);
      k += (last - first) * element;
    }
  }
}

}  // namespace

void gather_owned_columns(NetworkState& state, const World& world, const Partition& ranges) {
  const GenncModel& model = state.model();
  for (uint32_t a = 0; a < model.array_count; ++a) {
    const GenncArrayInfo& info = model.arrays[a];
    if (info.scope != GENNC_SCOPE_NEURON && info.scope != GENNC_SCOPE_RING) continue;
    const GenncPopulationInfo& pop = model.populations[info.owner];
    // Spike lists are gathered at every exchange already (and are not by neuron).
    if (a == pop.spike_list_array || a == pop.spike_multiplicity_array || pop.size == 0) continue;
    gather_rows(state.array(a), pop.size, info.owner, world, ranges);
  }
  // A fused injection's per-target arrays, "<injection>.<variable>" of one element per
  // neuron (model_abi.h, GenncInjectionInfo); gathering one that every rank holds alike
  // (a parameter) changes nothing.
  for (uint32_t i = 0; i < model.injection_count; ++i) {
    if (!injection_fused(model, i)) continue;
    const GenncInjectionInfo& injection = model.injections[i];
    const uint32_t population = injection.target.population;
    const uint32_t size = model.populations[population].size;
    const std::string prefix = std::string(injection.name) + ".";
    for (uint32_t a = 0; a < model.array_count; ++a) {
      const GenncArrayInfo& info = model.arrays[a];
      if (info.scope == GENNC_SCOPE_LIST && info.length == size &&
          std::strncmp(info.name, prefix.c_str(), prefix.size()) == 0)
        gather_rows(state.array(a), size, population, world, ranges);
    }
  }
}

}  // namespace gennc::runtime::mpi
