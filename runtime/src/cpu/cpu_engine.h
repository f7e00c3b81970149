// The CPU engine: runs the step schedule on the host in batches of steps, stage after
// stage, each kernel split over the thread pool (host_kernels.h), directly on the state's
// arrays, so there is nothing to copy up or back.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../engine.h"
#include "../network_state.h"
#include "host_kernels.h"

namespace gennc::runtime::cpu {

// What one rank of a distributed run (mpi/) changes in the step: which neurons of a
// population this process updates, and a hook after each neuron kernel through which the
// other ranks' spikes join the population's spike list before anything reads it.
class StepPartition {
 public:
  virtual ~StepPartition() = default;
  // The neurons [begin, end) of population p this process updates and procedural rows
  // deliver to (GenncKernelEnv::post_ranges).
  virtual std::pair<uint32_t, uint32_t> neurons(uint32_t population) const = 0;
  // After population p's neuron kernel: its spike list holds this process's spikes, in
  // neuron order; afterwards it holds every process's, in neuron order.
  virtual void exchange_spikes(uint32_t population) = 0;
};

class Engine final : public runtime::Engine {
 public:
  // `state` and `kernels` (over the same state) must outlive the engine.
  Engine(NetworkState& state, HostKernels& kernels) : state_(state), kernels_(kernels) {}

  std::string name() const override { return "cpu"; }
  // The state's arrays are the engine's: nothing to copy, but stored delays may have changed.
  Status upload() override {
    kernels_.arrays_changed();
    return ok();
  }
  Status download() override { return ok(); }
  Status read_array(uint32_t array, void* out, size_t bytes) override;
  // Stops after a step at which a population reported a fault or the recordings
  // outgrew their budget: both are checked after every step.
  Status run(uint64_t steps) override;
  void set_profiling(bool on) override;
  std::vector<ProfileRow> profile() const override;
  // From the next step on, neuron kernels run over `partition`'s neurons and exchange their
  // spikes through it, and procedural rows deliver only to its neurons (null: the whole
  // network, today's step). It must outlive the engine.
  void set_partition(StepPartition* partition);

  // One step of a rank whose deliveries wait for the exchange (docs/distributed.md,
  // Exchange): every kernel of the step schedule but the deliveries
  // (GENNC_KERNEL_SYNAPSE_PRE), neuron kernels over the partition's neurons (set_partition)
  // and nothing exchanged, so each spike list then holds this process's spikes of the step;
  // then the state advances and samples. Spikes are recorded by deliver().
  void run_step_without_delivery();
  // The deliveries of step `step` (at most the state's last one), from the spike lists,
  // which must hold that step's spikes of every process: each delivery kernel in schedule
  // order, with that step's env (step and t), then the spikes recorded as the end of that
  // step records them.
  void deliver(uint64_t step);
  // Empties every population's spike list, as a step's end does unless the run stops there.
  void clear_spike_counts();

 private:
  // One rank's steps: kernel by kernel, since the spikes of each neuron kernel are
  // exchanged with the other ranks before the stages after it run.
  Status run_partitioned(uint64_t steps);
  // Kernel `id` over this process's share: a neuron kernel over the partition's neurons,
  // any other whole.
  void run_own_share(uint32_t id, const GenncKernelEnv& env);

  NetworkState& state_;
  HostKernels& kernels_;
  bool profiling_ = false;
  uint64_t profiled_steps_ = 0;
  StepPartition* partition_ = nullptr;
};

}  // namespace gennc::runtime::cpu
