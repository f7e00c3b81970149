// Stage planning: the kernels a GPU stage launch runs together never conflict, every
// conflicting pair keeps its schedule order across stages, and a network of populations
// and static projections takes two stages (all updates, then all deliveries).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "compile_ir.h"
#include "passes/plan_stages.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

const char* const kNetwork = R"gdsl(
import pynn
network layers {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population b = IF_curr_exp(50)
  population c = IF_cond_exp(20)
  population noise_a = SpikeSourcePoisson(100) { rate = 800 Hz }
  population noise_b = SpikeSourcePoisson(50) { rate = 800 Hz }
  projection na = noise_a -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 0.1 ms) onto excitatory
  projection nb = noise_b -> b via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 0.1 ms) onto excitatory
  projection ab = a -> b via fixed_probability(0.1) synapse StaticSynapse(weight = 0.2 nA, delay = 1 ms) onto excitatory
  projection ba = b -> a via fixed_probability(0.1) synapse StaticSynapse(weight = -0.2 nA, delay = 1 ms) onto inhibitory
  projection aa = a -> a via fixed_probability(0.1) synapse StaticSynapse(weight = 0.1 nA, delay = 1.5 ms) onto excitatory
  projection bc = b -> c via all_to_all() synapse StaticSynapse(weight = 0.01 uS, delay = 1 ms) onto excitatory
  record a.spikes, b.spikes
}
)gdsl";

const char* const kStdp = R"gdsl(
import pynn
network stdp {
  dt = 0.1 ms
  population pre = SpikeSourceArray(1) { spike_times = [50 ms, 150 ms] }
  population teacher = SpikeSourceArray(1) { spike_times = [55 ms, 155 ms] }
  population post = IF_curr_exp(1) { tau_refrac = 2 ms }
  projection teach = teacher -> post via one_to_one()
    synapse StaticSynapse(weight = 6 nA, delay = 1 ms) onto excitatory
  projection plastic = pre -> post via one_to_one()
    synapse STDPMechanism(
      timing_rule = SpikePairRule(tau_plus = 20 ms, tau_minus = 20 ms, A_plus = 0.01, A_minus = 0.0105),
      weight_rule = AdditiveWeightDependence(w_min = 0 nA, w_max = 0.5 nA),
      weight = 0.1 nA, delay = 1 ms)
    onto excitatory
}
)gdsl";

std::map<std::uint32_t, std::size_t> stage_of(const ir::Module& m) {
  std::map<std::uint32_t, std::size_t> out;
  for (std::size_t s = 0; s < m.step_stages.size(); ++s)
    for (std::uint32_t k : m.step_stages[s]) out[k] = s;
  return out;
}

// Every step kernel in one stage; no two kernels of a stage conflict; a kernel that
// conflicts with an earlier one of the schedule runs in a later stage; schedule order
// within a stage.
void check_stages(const ir::Module& m) {
  const auto stages = stage_of(m);
  REQUIRE(stages.size() == m.step_schedule.size());
  std::vector<passes::ArrayAccess> access;
  for (std::uint32_t k : m.step_schedule) access.push_back(passes::array_access(m, m.kernels[k]));
  for (std::size_t i = 0; i < m.step_schedule.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const std::size_t si = stages.at(m.step_schedule[i]), sj = stages.at(m.step_schedule[j]);
      INFO(m.kernels[m.step_schedule[j]].name << " then " << m.kernels[m.step_schedule[i]].name);
      if (passes::conflict(access[i], access[j])) CHECK(sj < si);
    }
  for (const std::vector<std::uint32_t>& stage : m.step_stages) {
    CHECK(!stage.empty());
    std::size_t last = 0;
    for (std::uint32_t k : stage) {
      std::size_t position = 0;
      while (m.step_schedule[position] != k) ++position;
      CHECK(position >= last);
      last = position;
    }
  }
}

}  // namespace

TEST_CASE("populations update in one stage, projections deliver in the next", "[passes][stages]") {
  auto c = compile_ir(kNetwork);
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  check_stages(m);
  REQUIRE(m.step_stages.size() == 2);
  for (std::uint32_t k : m.step_stages[0]) CHECK(m.kernels[k].kind == GENNC_KERNEL_NEURON);
  for (std::uint32_t k : m.step_stages[1]) CHECK(m.kernels[k].kind == GENNC_KERNEL_SYNAPSE_PRE);
  // noise_a and noise_b, with their deliveries, run inside a's and b's updates
  // (fuse_source_delivery).
  CHECK(m.step_stages[0].size() == 3);
  CHECK(m.step_stages[1].size() == 4);
}

TEST_CASE("conflicting kernels of a plastic projection never share a stage", "[passes][stages]") {
  auto c = compile_ir(kStdp);
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  check_stages(m);
  // Pre and post kernels both update the weights; the traces they read advance before, and
  // the post spikes and trace values are kept before.
  std::map<std::string, std::size_t> stage;
  for (const auto& [k, s] : stage_of(m)) stage[m.kernels[k].name] = s;
  CHECK(stage.at("plastic.trace_pre") < stage.at("plastic.pre"));
  CHECK(stage.at("plastic.trace_post") < stage.at("plastic.post_history"));
  CHECK(stage.at("plastic.post_spike") < stage.at("plastic.post"));
  CHECK(stage.at("plastic.post_history") < stage.at("plastic.post"));
  CHECK(stage.at("plastic.post") < stage.at("plastic.pre"));
  // The pre kernel reads the post traces' kept values, never the live ones, so it may share
  // a stage with their counting; the post kernel reads the flags that kernel clears.
  CHECK(stage.at("plastic.post") < stage.at("plastic.post_trace"));
  CHECK(stage.at("teach.pre") < stage.at("plastic.pre"));
}

TEST_CASE("two atomic adders of one array share a stage; a reader does not", "[passes][stages]") {
  passes::ArrayAccess add_a, add_a_too, read_a, write_b, read_b;
  add_a.added = {1};
  add_a_too.added = {1};
  read_a.read = {1};
  write_b.written = {2};
  read_b.read = {2};
  CHECK_FALSE(passes::conflict(add_a, add_a_too));
  CHECK(passes::conflict(add_a, read_a));
  CHECK(passes::conflict(read_a, add_a));
  CHECK(passes::conflict(write_b, read_b));
  CHECK(passes::conflict(read_b, write_b));
  CHECK(passes::conflict(write_b, write_b));
  CHECK_FALSE(passes::conflict(read_a, read_b));
  CHECK_FALSE(passes::conflict(add_a, write_b));
}

namespace {

// A population fed by a fused Poisson source through a one-step delay, and a recurrent
// projection onto the same receptor with `delay` (and `as`, e.g. "as procedural").
std::string overlap_network(const std::string& delay, const std::string& as = "") {
  return R"gdsl(
import pynn
network overlap {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population noise = SpikeSourcePoisson(100) { rate = 800 Hz }
  projection na = noise -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 0.1 ms) onto excitatory
  projection aa = a -> a via fixed_probability(0.1) synapse StaticSynapse(weight = 0.1 nA, delay = )gdsl" +
         delay + ") onto excitatory " + as + "\n}\n";
}

bool overlaps(const std::string& source) {
  auto c = compile_ir(source.c_str());
  REQUIRE(c->module);
  return c->module->stage_overlap;
}

}  // namespace

TEST_CASE("the last stage overlaps the next step's first where no ring slot meets", "[passes][stages]") {
  // Updates, then deliveries of at least 10 steps whose rings no fused source shares with a
  // delay one step shorter.
  CHECK(overlaps(kNetwork));
  // A delivery of one step adds into the slot the next update reads.
  CHECK_FALSE(overlaps(overlap_network("0.1 ms")));
  // The fused source's adds of step n + 1 (delay 1) meet a 2-step delivery of step n.
  CHECK_FALSE(overlaps(overlap_network("0.2 ms")));
  CHECK(overlaps(overlap_network("0.3 ms")));
  // Drawn delays: procedural ones by their bounds here, stored ones by the runtime.
  CHECK_FALSE(overlaps(overlap_network("uniform(0.1 ms, 0.5 ms)", "as procedural")));
  CHECK(overlaps(overlap_network("uniform(0.3 ms, 0.5 ms)", "as procedural")));
  CHECK(overlaps(overlap_network("uniform(0.1 ms, 0.5 ms)")));
  // Plastic weights change with pre and post spikes in the order of the step.
  CHECK_FALSE(overlaps(kStdp));
}
