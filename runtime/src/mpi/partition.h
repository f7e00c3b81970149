// The partition of a distributed run (docs/distributed.md): which neurons each rank
// updates (the network's neurons, population after population, cut into contiguous pieces
// of equal expected work, an update plus the synaptic events a neuron receives). How often
// the ranks exchange spikes is the exchange plan (../exchange_plan.h).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "../network_state.h"

namespace gennc::runtime::mpi {

// ranges[p][r]: the neurons [begin, end) of population p that rank r updates; the ranges
// of one population follow each other in rank order and cover it.
using Partition = std::vector<std::vector<std::pair<uint32_t, uint32_t>>>;

// The rank whose range of one population's ranges (a Partition's element) holds `neuron`.
uint32_t owner_of(const std::vector<std::pair<uint32_t, uint32_t>>& ranks, uint32_t neuron);

// Whether injection `injection` was compiled into its target's update (gennc's
// fuse_current_injection, docs/ir.md): it has no step kernel of its own and targets a whole
// population. Its per-target arrays (element k for neuron k) are then computed, like a
// neuron's state, only by the rank that updates neuron k.
bool injection_fused(const GenncModel& model, uint32_t injection);

// For one rank per element of `shares` (each rank's part of the network's expected work,
// relative to their sum), from the synapse counts the connectors give (exact or
// expected, NetworkState::expected_synapse_count): known before anything is built, so
// that each rank builds only the synapses onto its own neurons.
Partition partition_network(const NetworkState& state, const std::vector<double>& shares);

// Each of `ranks` ranks' share of the work: equal, or as GENNC_PARTITION (sim --partition)
// gives them, comma-separated non-negative numbers, one per rank, not all zero. An error
// where it is set but is not that.
Status partition_shares(uint32_t ranks, std::vector<double>* shares);

}  // namespace gennc::runtime::mpi
