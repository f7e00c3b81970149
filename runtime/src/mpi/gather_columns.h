// The columns a rank updates, made every rank's (docs/distributed.md, checkpoints): after a
// download, each rank's copy of every per-neuron array (state, rings, fault codes, a fused
// current source's state) is current only in the neurons it owns; gather_owned_columns
// makes every copy whole.
#pragma once

#include "../network_state.h"
#include "partition.h"
#include "world.h"

namespace gennc::runtime::mpi {

// Collective: each neuron's elements of every GENNC_SCOPE_NEURON and GENNC_SCOPE_RING array
// (but the spike lists, which every rank holds whole) from the rank that owns the neuron;
// likewise the per-target arrays of the injections fused into their target's update
// (injection_fused), whose element k is neuron k's.
void gather_owned_columns(NetworkState& state, const World& world, const Partition& ranges);

}  // namespace gennc::runtime::mpi
