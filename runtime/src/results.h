// A simulation's results folder (docs/runtime.md): manifest.json plus one .npy per
// recorded array, made from the network state's recordings and a report of how its steps
// ran, assembled in a sibling folder and swapped in whole (results_folder.h).
#pragma once

#include <string>
#include <vector>

#include "engine.h"
#include "network_state.h"
#include "status.h"

namespace gennc::runtime {

// Wall-clock seconds of a simulation's phases (manifest.json's timings, gennc_timings).
struct Timings {
  double build = -1.0;
  double init = 0.0;
  double simulate = 0.0;
  double write = 0.0;
  // init's parts, in order, where they were timed (set-up phases: docs/runtime.md,
  // "Timings"); manifest.json's timings.init_parts.
  std::vector<std::pair<std::string, double>> init_parts;
  // simulate's parts where the engine times them (the GPU's host side: docs/runtime.md,
  // "Timings"); manifest.json's timings.simulate_parts.
  std::vector<std::pair<std::string, double>> simulate_parts;
};

// One process's memory: the synapses it holds (a rank of a distributed run holds its
// share, docs/distributed.md) and their bytes, and its peak resident memory.
struct ProcessMemory {
  uint64_t synapses = 0;
  uint64_t synapse_bytes = 0;
  uint64_t peak_bytes = 0;  // VmHWM; 0 where unknown
};

// How the steps ran: what the manifest says besides the state.
struct RunReport {
  std::string backend;                // Engine::name()
  unsigned threads = 1;               // the host's threads
  std::vector<double> kernel_seconds; // per model kernel, run on the host
  std::vector<ProfileRow> profile;    // Engine::profile()
  std::vector<ProcessMemory> ranks;   // per rank of a distributed run (one alone)
};

// Host memory of the network's arrays per synapse and per neuron (sim --profile, the
// manifest's "memory"): connectivity and per-synapse arrays count as synapse memory,
// per-neuron arrays and input rings as neuron memory; scalars, lists and recordings as
// neither.
struct MemoryReport {
  uint64_t synapses = 0;       // of the whole network
  uint64_t held_synapses = 0;  // held by this process (its share, over MPI ranks)
  uint64_t synapse_bytes = 0;  // held by this process
  uint64_t neurons = 0;  // spike sources included
  uint64_t neuron_bytes = 0;
  double bytes_per_synapse() const { return held_synapses ? double(synapse_bytes) / double(held_synapses) : 0.0; }
  double bytes_per_neuron() const { return neurons ? double(neuron_bytes) / double(neurons) : 0.0; }
};
MemoryReport memory_report(const NetworkState& state);

// The files the results will have.
std::vector<std::string> result_files(const NetworkState& state);
// Whether `folder` may receive the results, changing nothing but stale temporary folders.
Status check_results_folder(const NetworkState& state, const std::string& folder);
// Writes the results into `folder`; the time it took goes to timings->write, which the
// manifest includes.
Status write_results(const NetworkState& state, const RunReport& run, const std::string& folder, Timings* timings);

}  // namespace gennc::runtime
