// The synapses every rank holds a share of, made whole (docs/distributed.md, "What a rank
// holds"): a rank keeps, of every projection the state splits, the synapses onto the post
// neurons it updates. What reads synapses across the whole network (checkpoints, arrays
// read or set by name, synapse variables in the results) gathers them first; the next run
// takes the share again (NetworkState::take_share).
#pragma once

#include "../network_state.h"
#include "world.h"

namespace gennc::runtime::mpi {

// Collective: the arrays of every projection the state splits (row pointers, columns,
// every per-synapse array, and the reset snapshot's copies) replaced by the whole
// network's, in one process's order: within a row, rank 0's synapses, then rank 1's, ...
// (ranks own ascending ranges of post neurons and rows are sorted by post neuron). Column
// access is rebuilt from the columns. Does nothing where the state holds no share.
void gather_synapses(NetworkState& state, const World& world);

}  // namespace gennc::runtime::mpi
