// When a step's deliveries may wait (docs/distributed.md, Exchange): the compiler's plan
// (GenncModel.exchange_*) lowered by the delays the state's projections store. The ranks
// of a distributed run exchange spikes by it; the CPU engine's threads deliver one step's
// spikes while they update the next (cpu/host_kernels.h) where it allows that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "network_state.h"

namespace gennc::runtime {

struct ExchangePlan {
  // Whether the deliveries (GENNC_KERNEL_SYNAPSE_PRE) may wait: the step schedule has no
  // other kernel that reads spike lists (post-spike handlers, traces, continuous
  // synapses), and no source delivers inside its target's update. Else every population's
  // spikes are delivered (or, over ranks, gathered) right after its neuron kernel, and E is 1.
  bool deferred = false;
  // E: the deliveries of step n may wait until the end of step n + E - 1 (the ranks
  // exchange spikes every E steps). At most the shortest delay of any delivery, in steps.
  uint32_t steps = 1;
  // What bounds E (the shortest delay, a plastic projection, ...), for the profile.
  std::string bound;
};

// The shortest built delay, in steps, of projection p, which stores its delays (0: it
// has no synapse here).
uint64_t shortest_stored_delay(const NetworkState& state, uint32_t p);
// The longest, likewise (0: no synapse here).
uint64_t longest_stored_delay(const NetworkState& state, uint32_t p);

// Per projection, the shortest delay it stores (0 where it stores none or has no synapse
// here): this process's synapses; over MPI ranks, the rank engine takes the least of all.
std::vector<uint64_t> shortest_stored_delays(const NetworkState& state);

// For the built delays `shortest` (shortest_stored_delays, over every rank's share), with E
// at most `at_most` (0: no bound of the caller's).
ExchangePlan plan_exchange(const NetworkState& state, const std::vector<uint64_t>& shortest, uint32_t at_most);

}  // namespace gennc::runtime
