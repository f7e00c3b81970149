// The CPU engine: runs the step schedule on the host in batches of steps, stage after
// stage, each kernel split over the thread pool (host_kernels.h), directly on the state's
// arrays, so there is nothing to copy up or back.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../engine.h"
#include "../network_state.h"
#include "host_kernels.h"

namespace gennc::runtime::cpu {

class Engine final : public runtime::Engine {
 public:
  // `state` and `kernels` (over the same state) must outlive the engine.
  Engine(NetworkState& state, HostKernels& kernels) : state_(state), kernels_(kernels) {}

  std::string name() const override { return "cpu"; }
  Status upload() override { return ok(); }
  Status download() override { return ok(); }
  Status read_array(uint32_t array, void* out, size_t bytes) override;
  // Stops after a step at which a population reported a fault or the recordings
  // outgrew their budget: both are checked after every step.
  Status run(uint64_t steps) override;
  void set_profiling(bool on) override;
  std::vector<ProfileRow> profile() const override;

 private:
  NetworkState& state_;
  HostKernels& kernels_;
  bool profiling_ = false;
  uint64_t profiled_steps_ = 0;
};

}  // namespace gennc::runtime::cpu
