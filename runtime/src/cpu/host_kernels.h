// The model's kernels run on the host: each over its range (network_state.h), split over
// a thread pool. The CPU engine runs the step schedule through it; the Simulation runs the
// init schedule through it whatever the engine, after a build on the host and after a
// parameter changed, so derived values are computed by the same code everywhere.
#pragma once

#include <cstdint>
#include <vector>

#include "../network_state.h"
#include "../thread_pool.h"

namespace gennc::runtime::cpu {

class HostKernels {
 public:
  // `state` and `pool` must outlive the kernels.
  HostKernels(NetworkState& state, ThreadPool& pool);

  // The arrays' addresses and lengths as GenncKernelEnv hands them to kernels, taken
  // afresh: after the state's arrays were allocated or replaced whole.
  void refresh();
  GenncKernelEnv env() const;

  // Runs kernel `id` over its range, or over [begin, end) of it (the neurons one rank of a
  // distributed run updates). A neuron kernel's spike list is then sorted, so the stages
  // after it do not depend on the threads' order.
  void run(uint32_t id, const GenncKernelEnv& env);
  void run(uint32_t id, const GenncKernelEnv& env, uint32_t begin, uint32_t end);
  void run_init_schedule();

  // Seconds spent in each kernel (manifest.json's kernel_seconds).
  const std::vector<double>& kernel_seconds() const { return kernel_seconds_; }
  // With profiling on, each kernel's time is also added to profile_seconds().
  void set_profiling(bool on);
  const std::vector<double>& profile_seconds() const { return profile_seconds_; }

 private:
  NetworkState& state_;
  ThreadPool& pool_;
  std::vector<void*> pointers_;
  std::vector<uint64_t> lengths_;
  std::vector<double> kernel_seconds_;
  bool profiling_ = false;
  std::vector<double> profile_seconds_;  // per kernel, over the profiled steps
};

}  // namespace gennc::runtime::cpu
