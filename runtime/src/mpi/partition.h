// Which neurons each rank of a distributed run updates (docs/distributed.md, Partition):
// the network's neurons, population after population, cut into contiguous pieces of
// equal expected work, an update plus the synaptic events a neuron receives.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "../network_state.h"

namespace gennc::runtime::mpi {

// ranges[p][r]: the neurons [begin, end) of population p that rank r updates; the ranges
// of one population follow each other in rank order and cover it.
using Partition = std::vector<std::vector<std::pair<uint32_t, uint32_t>>>;

// For `ranks` ranks, from the state's synapse counts (built connectivity).
Partition partition_network(const NetworkState& state, uint32_t ranks);

}  // namespace gennc::runtime::mpi
