// Initial values of arrays (GenncInit).
#pragma once

#include <cstdint>
#include <vector>

#include "arrays.h"
#include "gennc/model_abi.h"
#include "status.h"
#include "thread_pool.h"

namespace gennc::runtime {

// What a per-synapse initialiser sees: each synapse's pre and post neuron (population
// indices), in the order the array stores them (a pair's repeats next to each other, in
// their order), and both populations' positions (x y z per neuron).
struct SynapseEndpoints {
  const std::vector<uint32_t>* pre = nullptr;
  const std::vector<uint32_t>* post = nullptr;
  const std::vector<double>* pre_xyz = nullptr;
  const std::vector<double>* post_xyz = nullptr;
};

// round(ms / dt) with halves rounded up, at least one step.
double delay_to_steps(double ms, double dt);

// Fills every element of `buffer` from `array.init`. Random kinds give element k of a
// neuron, list or ring array the draw at (seed, init.stream, step 0, index k mod 2^32,
// draw k / 2^32); element k of a per-synapse array (GENNC_SCOPE_SYNAPSE, which needs
// `synapses`) the draw at (seed, init.stream, step = the synapse's occurrence among the
// synapses of its pair before it, index = its pre neuron, draw = its post neuron): a key
// any process holding the synapse computes alone, whichever other synapses it holds
// (docs/distributed.md). `synapses` is also needed by GENNC_INIT_SYNAPSE_KERNEL. Delay
// arrays are converted to steps. Elements are filled in parallel on `pool`; each depends
// on its key alone.
Status initialise_array(const GenncModel& model, const GenncArrayInfo& array, uint64_t seed,
                        const SynapseEndpoints* synapses, ThreadPool* pool, Buffer* buffer);

}  // namespace gennc::runtime
