// One rank of a distributed run on the CPU (docs/distributed.md): the CPU engine's step,
// with this rank's neurons updated and each population's spikes gathered from every rank
// after its neuron kernel, so delivery, plasticity and recording see the whole network's
// spikes in neuron order, as one process does. Every rank holds the whole network state;
// the arrays of neurons another rank updates are stale here until download() gathers them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../cpu/cpu_engine.h"
#include "../engine.h"
#include "../network_state.h"
#include "partition.h"
#include "world.h"

namespace gennc::runtime::mpi {

class RankEngine final : public runtime::Engine, private cpu::StepPartition {
 public:
  // `state`, `kernels` and `world` must outlive the engine; the state is built.
  RankEngine(NetworkState& state, cpu::HostKernels& kernels, const World& world);

  std::string name() const override;
  Status upload() override { return ok(); }
  // Collective: each neuron's state and ring columns from the rank that updates it.
  Status download() override;
  Status read_array(uint32_t array, void* out, size_t bytes) override { return cpu_.read_array(array, out, bytes); }
  // Collective, step by step; afterwards every rank holds every recorded sample.
  Status run(uint64_t steps) override;
  void set_profiling(bool on) override;
  // This rank's parts and its time in collectives, until collect_profile(); then each
  // row's time on the slowest rank.
  std::vector<ProfileRow> profile() const override;
  void collect_profile() override;

 private:
  std::pair<uint32_t, uint32_t> neurons(uint32_t population) const override { return ranges_[population][world_.rank()]; }
  void exchange_spikes(uint32_t population) override;
  // The samples recorded since the last merge, each column from the rank that updates its
  // neuron (a current source's state is computed alike on every rank and stays).
  void merge_samples();
  // Collective, after every step: whether every rank stops now, because some rank has a
  // numerical fault, is past the recording budget or was asked to stop. The ranks must stop
  // after the same step (each stop is followed by collectives), and a fault's step is made
  // known to every rank, so all report the same fault.
  bool agree_to_stop();
  uint32_t owner(uint32_t population, uint32_t neuron) const;

  NetworkState& state_;
  const World& world_;
  cpu::Engine cpu_;
  Partition ranges_;
  std::vector<uint64_t> merged_rows_;  // per recording: sample rows already merged
  bool profiling_ = false;
  double exchange_seconds_ = 0.0;  // in collectives, over the profiled steps
  uint64_t profiled_steps_ = 0;
  std::vector<ProfileRow> profile_;  // collected
};

}  // namespace gennc::runtime::mpi
