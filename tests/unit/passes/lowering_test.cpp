// Lowered networks run through the test interpreter: spike arrival times through rings and
// delays, current-source input, and the weight changes of a pair-based STDP rule.
// Connectivity (which the runtime builds) is filled in by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "compile_ir.h"
#include "interpreter.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

const char* const kModels = R"gdsl(
neuron Once {
  parameters { when: ms = 0.0 }
  state { done: bool = false }
  threshold !done && t >= when
  reset { done = true }
}
neuron Target {
  state { v: mV = 0.0 }
  input { i_syn: nA }
  receptor exc: Step()
  equations { v' = i_syn / (1 nF) }
}
postsynaptic Step {
  state { i: nA = 0.0 }
  on spike(w: nA) { i += w }
  output i_syn += i
}
synapse Static {
  parameters { weight: weight = 0.0;  delay: ms = dt }
  on pre { emit(weight) }
}
current_source Constant {
  parameters { amplitude: nA = 0.0 }
  output i_syn += amplitude
}
)gdsl";

// One synapse per pre neuron onto post neuron 0, in stored (sparse) rows.
void one_synapse_each(Machine& m, const std::string& proj, std::size_t pre_size) {
  auto& rows = m.array(proj + ".row_pointer");
  for (std::size_t i = 0; i <= pre_size; ++i) rows[i] = static_cast<double>(i);
  m.array(proj + ".column").assign(pre_size, 0.0);
}

}  // namespace

TEST_CASE("a spike of step n with delay d steps reaches the receptor at the end of step n + d", "[lowering]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = compile_ir(std::string(kModels) + R"gdsl(
network n { dt = 0.1 ms
  population src = Once(1) { when = 0.5 ms }
  population dst = Target(1)
  projection p = src -> dst via all_to_all() synapse Static(weight = 1 nA, delay = 1 ms) onto exc as sparse
})gdsl", settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  // Ring depth as the runtime sizes it: the longest delay (10 steps) + 1, rounded up to a
  // power of two (kernels find slots by mask).
  Machine m(*c->module, 16, 1);
  one_synapse_each(m, "p", 1);
  int spike_step = -1, arrival_step = -1;
  for (int n = 0; n < 40; ++n) {
    std::size_t before = m.spikes.size();
    m.step_once();
    if (m.spikes.size() > before) spike_step = n;
    if (arrival_step < 0 && m.array("dst.exc.i")[0] != 0.0) arrival_step = n;
  }
  REQUIRE(spike_step == 5);        // t = 0.5 ms is the start of step 5; stamped 0.6 ms
  // Arrives at 0.6 ms + 1 ms = 1.6 ms, the end of step 15, where it is added (as NEST adds
  // it: in time for that step's threshold test and recorded sample).
  CHECK(arrival_step == 5 + 10);
  // The current then drives v from the next step on: v = 1 nA * 0.1 ms / 1 nF per step.
  CHECK(m.array("dst.v")[0] == Approx(0.1 * (39 - arrival_step)).epsilon(1e-12));
}

TEST_CASE("a current source's output reaches the targeted neurons' input in the same step", "[lowering]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = compile_ir(std::string(kModels) + R"gdsl(
network n { dt = 0.1 ms
  population dst = Target(4)
  inject Constant(amplitude = 2 nA) into dst[1:4:2]
})gdsl", settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  Machine m(*c->module);
  for (int n = 0; n < 10; ++n) m.step_once();
  auto& v = m.array("dst.v");
  CHECK(v[0] == 0.0);
  CHECK(v[1] == Approx(2.0).epsilon(1e-12));  // 2 nA for 1 ms on 1 nF
  CHECK(v[2] == 0.0);
  CHECK(v[3] == Approx(2.0).epsilon(1e-12));
}

TEST_CASE("pair-based STDP: depression on pre after post, potentiation on post after pre", "[lowering]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = compile_ir(R"gdsl(
import pynn
neuron Once {
  parameters { when: ms = 0.0 }
  state { done: bool = false }
  input { i_syn: nA }
  receptor excitatory: CurrExpPostSynapticResponse()
  threshold !done && t >= when
  reset { done = true }
}
network n { dt = 0.1 ms
  population a = Once(1) { when = 1 ms }
  population b = Once(1) { when = 3 ms }
  projection ab = a -> b via all_to_all()
    synapse STDPMechanism(timing_rule = SpikePairRule(tau_plus = 20 ms, tau_minus = 20 ms, A_plus = 0.01, A_minus = 0.02),
                          weight_rule = AdditiveWeightDependence(w_min = 0 nA, w_max = 1 nA),
                          weight = 0.5 nA, delay = 1 ms)
    onto excitatory
})gdsl", settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  Machine m(*c->module, 16, 1);
  one_synapse_each(m, "ab", 1);
  auto& colptr = m.array("ab.column_pointer");
  colptr[0] = 0;
  colptr[1] = 1;
  m.array("ab.column_synapse")[0] = 0;
  for (int n = 0; n < 60; ++n) m.step_once();
  // Pre at step 10, post at step 30, which the rule sees a dendritic delay (10 steps) later:
  // potentiation A_plus * w_max * exp(-3 ms / tau_plus) (the pre trace decays over the 30
  // steps between). As in NEST, it is held back until the synapse's next pre spike.
  double expected = 0.5 + 0.01 * 1.0 * std::exp(-3.0 / 20.0);
  CHECK(m.array("ab.weight")[0] == 0.5);
  CHECK(m.array("ab.weight")[0] + m.array("ab.pending_weight")[0] == Approx(expected).epsilon(1e-9));
}
