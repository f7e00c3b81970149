// Refractoriness as NEST's iaf models have it: after a spike in step s the membrane is
// held at v_reset for round(tau_refrac / dt) steps, and the threshold is not tested.
#include <catch2/catch.hpp>

#include <cmath>

#include "compile_ir.h"
#include "interpreter.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

const char* const kSource = R"gdsl(
neuron L {
  parameters {
    cm: nF = 1.0;  tau_m: ms = 20.0;  v_rest: mV = -65.0;  i_offset: nA = 2.0
    tau_refrac: ms = 2.0;  v_thresh: mV = -50.0;  v_reset: mV = -70.0
  }
  state { v: mV = -65.0 }
  input { i_syn: nA }
  equations { v' = (v_rest - v) / tau_m + (i_syn + i_offset) / cm }
  threshold v >= v_thresh
  reset { v = v_reset }
  refractory tau_refrac
}
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(1)
}
)gdsl";

}  // namespace

TEST_CASE("v is held at v_reset for round(tau_refrac / dt) steps after a spike", "[refractoriness]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = compile_ir(kSource, settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  Machine machine(*c->module);
  std::vector<double> v;
  std::vector<int> spike_steps;
  for (int n = 0; n < 1000; ++n) {
    std::size_t before = machine.spikes.size();
    machine.step_once();
    v.push_back(machine.array("p.v")[0]);
    if (machine.spikes.size() > before) spike_steps.push_back(n);
  }
  REQUIRE(spike_steps.size() >= 3);
  // Time to threshold from v_reset under 2 nA (v_inf = -25 mV): tau ln((v_inf - v_reset) /
  // (v_inf - v_thresh)) = 20 ln(45 / 25) = 11.76 ms, i.e. threshold reached after 118
  // integrated steps; plus 20 held steps.
  for (std::size_t k = 1; k < spike_steps.size(); ++k) CHECK(spike_steps[k] - spike_steps[k - 1] == 20 + 118);
  int s = spike_steps[0];
  for (int n = s; n <= s + 20; ++n) CHECK(v[static_cast<std::size_t>(n)] == -70.0);
  CHECK(v[static_cast<std::size_t>(s + 21)] > -70.0);
}
