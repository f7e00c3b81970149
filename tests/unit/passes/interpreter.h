// A reference interpreter for IR kernels, for tests: runs a kernel body over a range with
// every value kept as a double rounded to its IR type after each operation (so f32 code
// gives f32 results). Arrays are plain vectors the test sizes and fills.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace gennc::testing {

struct Machine {
  const ir::Module* module = nullptr;
  std::vector<std::vector<double>> arrays;  // by array id
  double t = 0.0;
  std::uint64_t step = 0;
  // Spikes emitted by EmitSpike, as (population, neuron), in order.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spikes;

  // Sizes every array by its scope (rings with depth `ring_depth`, synapse arrays with
  // `synapses` elements) and fills it from its initialiser (zero, constant or list).
  explicit Machine(const ir::Module& m, std::uint32_t ring_depth = 2, std::uint32_t synapses = 0);

  void run(const ir::Kernel& k, std::uint32_t begin, std::uint32_t end);
  // Runs a kernel (found by name) over its natural range: the owner population's neurons.
  void run(const std::string& kernel_name);
  // Runs the step schedule once (spike counts zeroed first) and advances t and step.
  void step_once();
  // The array named `name`.
  std::vector<double>& array(const std::string& name);
};

}  // namespace gennc::testing
