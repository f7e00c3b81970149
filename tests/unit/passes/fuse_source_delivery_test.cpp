// fuse_source_delivery: a Poisson source driving its target one to one moves into the
// target's update (its draw and the ring adds, the repetition loop kept), its own update
// and delivery kernels go; any of the conditions failing leaves both kernels in place.
#include <catch2/catch.hpp>

#include <string>

#include "compile_ir.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

// A microcircuit-like pattern: two layers, each with its own Poisson drive one to one,
// recurrent sparse projections between them.
const char* const kFusable = R"gdsl(
import pynn
network fusable {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population b = IF_curr_exp(50)
  population bg_a = SpikeSourcePoisson(100) { rate = 8000 Hz }
  population bg_b = SpikeSourcePoisson(50) { rate = 8000 Hz }
  projection bg_to_a = bg_a -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 1.5 ms) onto excitatory
  projection bg_to_b = bg_b -> b via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 1.5 ms) onto excitatory
  projection ab = a -> b via fixed_probability(0.1) synapse StaticSynapse(weight = 0.2 nA, delay = 1 ms) onto excitatory
  projection ba = b -> a via fixed_probability(0.1) synapse StaticSynapse(weight = -0.2 nA, delay = 1 ms) onto inhibitory
  record a.spikes, b.spikes
}
)gdsl";

std::string network(const std::string& items) {
  return R"gdsl(
import pynn
network unfused {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population bg = SpikeSourcePoisson(100) { rate = 8000 Hz }
)gdsl" + items + "\n}\n";
}

const char* const kStatic = "synapse StaticSynapse(weight = 0.1 nA, delay = 1 ms) onto excitatory";

bool has_kernel(const ir::Module& m, const std::string& name) {
  for (std::uint32_t k : m.step_schedule)
    if (m.kernels[k].name == name) return true;
  return false;
}

int count_kind(const ir::Module& m, GenncKernelKind kind) {
  int n = 0;
  for (std::uint32_t k : m.step_schedule) n += m.kernels[k].kind == kind;
  return n;
}

// Whether the source's update and the delivery are still kernels of their own.
bool fused(const std::string& source) {
  auto c = compile_ir(source);
  INFO(c->messages.str());
  REQUIRE(c->module);
  const bool update = has_kernel(*c->module, "bg.update"), delivery = has_kernel(*c->module, "bg_to_a.pre");
  CHECK(update == delivery);
  return !update && !delivery;
}

}  // namespace

TEST_CASE("a Poisson source one to one into its target moves into the target's update", "[passes][fuse]") {
  CompileSettings lowered_only;
  lowered_only.run_passes = false;
  auto before = compile_ir(kFusable, lowered_only);
  auto after = compile_ir(kFusable);
  INFO(after->messages.str());
  REQUIRE(before->module);
  REQUIRE(after->module);
  const ir::Module& m = *after->module;
  CHECK(count_kind(*before->module, GENNC_KERNEL_NEURON) == 4);
  CHECK(count_kind(*before->module, GENNC_KERNEL_SYNAPSE_PRE) == 4);
  CHECK(count_kind(m, GENNC_KERNEL_NEURON) == 2);
  CHECK(count_kind(m, GENNC_KERNEL_SYNAPSE_PRE) == 2);
  for (const char* gone : {"bg_a.update", "bg_b.update", "bg_to_a.pre", "bg_to_b.pre"}) CHECK_FALSE(has_kernel(m, gone));
  for (const char* kept : {"a.update", "b.update", "ab.pre", "ba.pre"}) CHECK(has_kernel(m, kept));
  // Sources and projections stay: the runtime sizes a's ring from bg_to_a's delay.
  CHECK(m.populations.size() == 4);
  CHECK(m.projections.size() == 4);
  REQUIRE(m.step_stages.size() == 2);
  CHECK(m.step_stages[0].size() == 2);
  CHECK(m.step_stages[1].size() == 2);

  // a's update: its own body, then the draw, then one add of the weight times the count
  // into a's excitatory ring (a static synapse's repetitions folded, as NEST adds weight x
  // multiplicity), a plain read-add-write of the element's own cell under an unguarded
  // `if`, nothing emitted for the source.
  const ir::Kernel& a = kernel(m, "a.update");
  const ir::ArrayId ring = m.projections[0].receptor_ring_array;
  int draws = 0, adds = 0, repeats = 0, source_emits = 0, unguarded = 0;
  for_each_expr(a.body, [&](const ir::Expr& e) {
    if (e.kind == ir::ExprKind::Random && e.dist == ir::Distribution::Poisson) ++draws;
  });
  for_each_stmt(a.body, [&](const ir::Stmt& s) {
    if (s.kind == ir::StmtKind::EmitSpike && s.population != 0) ++source_emits;
    if (s.kind == ir::StmtKind::For) ++repeats;
    if (s.kind == ir::StmtKind::If && s.unguarded) ++unguarded;
    CHECK_FALSE((s.kind == ir::StmtKind::AtomicAdd && s.array == ring));
    // The update's own store into the ring clears the slot it read (a constant 0).
    if (s.kind == ir::StmtKind::Store && s.array == ring && !ir::is_const(*s.value)) {
      ++adds;
      REQUIRE(s.value->kind == ir::ExprKind::Binary);
      CHECK(s.value->binary == ir::BinaryOp::Add);
      CHECK(s.value->operands[0]->kind == ir::ExprKind::Load);
      const ir::Expr& scaled = *s.value->operands[1];
      REQUIRE(scaled.kind == ir::ExprKind::Binary);
      CHECK(scaled.binary == ir::BinaryOp::Mul);
      CHECK(ir::is_const(*scaled.operands[0]));
      CHECK(scaled.operands[1]->kind == ir::ExprKind::Cast);
    }
  });
  CHECK(draws == 1);
  CHECK(repeats == 0);
  CHECK(adds == 1);
  CHECK(unguarded == 1);
  CHECK(source_emits == 0);
  // The fused code comes after the target's own stores, before the fault check that ends
  // the update.
  REQUIRE(a.body.size() >= 2);
  CHECK(a.body[a.body.size() - 2]->kind == ir::StmtKind::If);
  CHECK(a.body[a.body.size() - 2]->unguarded);
}

TEST_CASE("two sources into one target keep their deliveries' order", "[passes][fuse]") {
  auto c = compile_ir(network(R"gdsl(
  population bg2 = SpikeSourcePoisson(100) { rate = 3000 Hz }
  projection bg_to_a = bg -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 1 ms) onto excitatory
  projection bg2_to_a = bg2 -> a via one_to_one() synapse StaticSynapse(weight = 0.3 nA, delay = 2 ms) onto excitatory)gdsl"));
  INFO(c->messages.str());
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  CHECK(m.step_schedule.size() == 1);
  std::vector<double> weights;
  const ir::ArrayId ring = m.projections[0].receptor_ring_array;
  for_each_stmt(kernel(m, "a.update").body, [&](const ir::Stmt& s) {
    if (s.kind == ir::StmtKind::Store && s.array == ring && !ir::is_const(*s.value))
      weights.push_back(ir::const_value(*s.value->operands[1]->operands[0]));
  });
  REQUIRE(weights.size() == 2);
  CHECK(weights[0] == Approx(0.1));
  CHECK(weights[1] == Approx(0.3));
}

TEST_CASE("the plain pattern fuses", "[passes][fuse]") {
  CHECK(fused(network(std::string("projection bg_to_a = bg -> a via one_to_one() ") + kStatic)));
}

TEST_CASE("a recorded source is not fused", "[passes][fuse]") {
  CHECK_FALSE(fused(network(std::string("projection bg_to_a = bg -> a via one_to_one() ") + kStatic +
                            "\n  record bg.spikes")));
}

TEST_CASE("a source delivering through rows other than diagonal is not fused", "[passes][fuse]") {
  CHECK_FALSE(fused(network(std::string("projection bg_to_a = bg -> a via one_to_one() ") + kStatic + " as sparse")));
  CHECK_FALSE(fused(network(std::string("projection bg_to_a = bg -> a via fixed_probability(0.1) ") + kStatic)));
}

TEST_CASE("a source with two outgoing projections is not fused", "[passes][fuse]") {
  CHECK_FALSE(fused(network(std::string("population c = IF_curr_exp(100)\n") +
                            "projection bg_to_a = bg -> a via one_to_one() " + kStatic +
                            "\nprojection bg_to_c = bg -> c via one_to_one() " + kStatic)));
}

TEST_CASE("a source of another size than its target is not fused", "[passes][fuse]") {
  CHECK_FALSE(fused(network(std::string("projection bg_to_a = bg[0:50] -> a[0:50] via one_to_one() ") + kStatic)));
}

TEST_CASE("a plastic projection from a source is not fused", "[passes][fuse]") {
  CHECK_FALSE(fused(network(R"gdsl(
  projection bg_to_a = bg -> a via one_to_one()
    synapse STDPMechanism(
      timing_rule = SpikePairRule(tau_plus = 20 ms, tau_minus = 20 ms, A_plus = 0.01, A_minus = 0.0105),
      weight_rule = AdditiveWeightDependence(w_min = 0 nA, w_max = 0.5 nA),
      weight = 0.1 nA, delay = 1 ms)
    onto excitatory)gdsl")));
}

TEST_CASE("a delivery after another one into the same ring is not fused", "[passes][fuse]") {
  // aa's adds into a's excitatory ring came before bg's in each step; fused, bg's would
  // come first and the float sums could round differently.
  CHECK_FALSE(fused(network(std::string("projection aa = a -> a via fixed_probability(0.1) ") + kStatic +
                            "\nprojection bg_to_a = bg -> a via one_to_one() " + kStatic)));
  // Into the other receptor's ring it does not matter.
  CHECK(fused(network(std::string("projection aa = a -> a via fixed_probability(0.1) ") +
                      "synapse StaticSynapse(weight = -0.1 nA, delay = 1 ms) onto inhibitory" +
                      "\nprojection bg_to_a = bg -> a via one_to_one() " + kStatic)));
}
