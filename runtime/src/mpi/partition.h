// The plan of a distributed run (docs/distributed.md): which neurons each rank updates
// (Partition: the network's neurons, population after population, cut into contiguous
// pieces of equal expected work, an update plus the synaptic events a neuron receives),
// and how often the ranks exchange spikes (Exchange).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../network_state.h"

namespace gennc::runtime::mpi {

// ranges[p][r]: the neurons [begin, end) of population p that rank r updates; the ranges
// of one population follow each other in rank order and cover it.
using Partition = std::vector<std::vector<std::pair<uint32_t, uint32_t>>>;

// The rank whose range of one population's ranges (a Partition's element) holds `neuron`.
uint32_t owner_of(const std::vector<std::pair<uint32_t, uint32_t>>& ranks, uint32_t neuron);

// For one rank per element of `shares` (each rank's part of the network's expected work,
// relative to their sum), from the synapse counts the connectors give (exact or
// expected, NetworkState::expected_synapse_count): known before anything is built, so
// that each rank builds only the synapses onto its own neurons.
Partition partition_network(const NetworkState& state, const std::vector<double>& shares);

// The shortest built delay, in steps, of projection p, which stores its delays (0: it
// has no synapse here).
uint64_t shortest_stored_delay(const NetworkState& state, uint32_t p);

// Each of `ranks` ranks' share of the work: equal, or as GENNC_PARTITION (sim --partition)
// gives them, comma-separated non-negative numbers, one per rank, not all zero. An error
// where it is set but is not that.
Status partition_shares(uint32_t ranks, std::vector<double>* shares);

// How a rank's step meets the other ranks' spikes.
struct ExchangePlan {
  // Whether the deliveries (GENNC_KERNEL_SYNAPSE_PRE) may wait for the exchange: the step
  // schedule has no other kernel that reads spike lists (post-spike handlers, traces,
  // continuous synapses), and no source delivers inside its target's update. Else every
  // population's spikes are gathered right after its neuron kernel, and E is 1.
  bool deferred = false;
  // E: the ranks exchange spikes every `steps` steps, at the ends of the steps after which
  // the state's step is a multiple of it. At most the shortest delay of any delivery.
  uint32_t steps = 1;
  // What bounds E (the shortest delay, a plastic projection, ...), for the profile.
  std::string bound;
};

// For the built delays (the shortest per-synapse delay where a projection stores them:
// `shortest[p]`, 0 where projection p has no synapse, over every rank's share), with E at
// most `at_most` (0: no bound of the caller's).
ExchangePlan plan_exchange(const NetworkState& state, const std::vector<uint64_t>& shortest, uint32_t at_most);

}  // namespace gennc::runtime::mpi
