// merge_receptor_rings: IF_curr_delta's excitatory and inhibitory rings become one ring,
// read once a step, which every projection and fused source onto the cell adds into; with
// weights whose sums are exact the steps are bitwise those of separate rings (the test
// interpreter's). Any
// condition failing leaves both rings.
#include <catch2/catch.hpp>

#include <string>

#include "compile_ir.h"
#include "interpreter.h"
#include "passes/fuse_current_injection.h"
#include "passes/fuse_source_delivery.h"
#include "passes/merge_receptor_rings.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

// Poisson drives fused into a's update onto both receptors, and recurrent projections onto
// both (weights in `unit`: mV for delta cells, nA for current-based ones).
std::string network(const std::string& cell = "IF_curr_delta", const std::string& unit = "mV") {
  return R"gdsl(
import pynn
network delta {
  dt = 0.1 ms
  population a = )gdsl" +
         cell + R"gdsl((20) { v = -60 mV }
  population bge = SpikeSourcePoisson(20) { rate = 3000 Hz }
  population bgi = SpikeSourcePoisson(20) { rate = 1000 Hz }
  projection e = bge -> a via one_to_one() synapse StaticSynapse(weight = 0.5 )gdsl" +
         unit + R"gdsl(, delay = 1 ms) onto excitatory
  projection i = bgi -> a via one_to_one() synapse StaticSynapse(weight = -1 )gdsl" +
         unit + R"gdsl(, delay = 1.5 ms) onto inhibitory
  projection ae = a -> a via fixed_probability(0.2) synapse StaticSynapse(weight = 0.25 )gdsl" +
         unit + R"gdsl(, delay = 1 ms) onto excitatory
  projection ai = a -> a via fixed_probability(0.2) synapse StaticSynapse(weight = -0.5 )gdsl" +
         unit + R"gdsl(, delay = 2 ms) onto inhibitory
  record a.spikes
}
)gdsl";
}

// For the interpreter, which draws no random numbers: two groups driven by constant
// currents, connected all to all onto both receptors. Every weight is a multiple of
// 0.25 mV, so every sum of them is exact in f32, and adding them to v one ring at a time
// or summed first rounds alike.
const char* const kDeterministic = R"gdsl(
import pynn
network delta {
  dt = 0.1 ms
  population a = IF_curr_delta(6) { i_offset = 2.0 nA; tau_refrac = 2 ms }
  population b = IF_curr_delta(4) { i_offset = 1.6 nA; tau_refrac = 2 ms }
  projection ab = a -> b via all_to_all() synapse StaticSynapse(weight = 0.75 mV, delay = 1 ms) onto excitatory
  projection ba = b -> a via all_to_all() synapse StaticSynapse(weight = -1.5 mV, delay = 2 ms) onto inhibitory
  projection aa = a -> a via all_to_all() synapse StaticSynapse(weight = -0.25 mV, delay = 1.5 ms) onto inhibitory
  projection bb = b -> b via all_to_all() synapse StaticSynapse(weight = -0.5 mV, delay = 1 ms) onto inhibitory
  projection ba2 = b -> a via all_to_all() synapse StaticSynapse(weight = 0.5 mV, delay = 1 ms) onto excitatory
  record a.spikes, b.spikes
}
)gdsl";

std::unique_ptr<Compiled> compile(const std::string& source, bool merge = true, bool run_passes = true) {
  passes::Options options;
  options.merge_rings = merge;
  return compile_module(source, {run_passes, ir::Type::F32, options});
}

int ring_loads(const ir::Kernel& k, const ir::Module& m) {
  int n = 0;
  for_each_expr(k.body, [&](const ir::Expr& e) {
    n += e.kind == ir::ExprKind::Load && m.arrays[e.array].scope == GENNC_SCOPE_RING;
  });
  return n;
}

// The pass alone, after the fusions, on a module lowered without the pipeline and then
// changed by `edit`: whether a's rings merged.
bool merged_after(void (*edit)(ir::Module&)) {
  auto c = compile(network(), true, false);
  ir::Module& m = *c->module;
  passes::Options options;
  passes::fuse_source_delivery(m, options, *c->diags);
  passes::fuse_current_injection(m, options, *c->diags);
  REQUIRE(has_array(m, "a.inhibitory.ring"));
  edit(m);
  passes::merge_receptor_rings(m, options, *c->diags);
  return !has_array(m, "a.inhibitory.ring");
}

}  // namespace

TEST_CASE("delta receptors' rings merge into one that every delivery adds into", "[passes][merge_rings]") {
  auto c = compile(network());
  ir::Module& m = *c->module;
  CHECK_FALSE(has_array(m, "a.excitatory.ring"));
  CHECK_FALSE(has_array(m, "a.inhibitory.ring"));
  const ir::ArrayId ring = array(m, "a.excitatory+inhibitory.ring");
  CHECK(ring_loads(kernel(m, "a.update"), m) == 3);  // the step's read, two fused sources' adds
  for (const ir::Projection& q : m.projections) CHECK(q.receptor_ring_array == ring);
  int adds = 0;
  for (const ir::Kernel& k : m.kernels)
    for_each_stmt(k.body, [&](const ir::Stmt& s) {
      if (s.kind == ir::StmtKind::AtomicAdd) {
        CHECK(s.array == ring);
        ++adds;
      }
    });
  CHECK(adds == 2);  // ae and ai

  // Cells with state in their receptors keep a ring each.
  auto exp = compile(network("IF_curr_exp", "nA"));
  CHECK(has_array(*exp->module, "a.excitatory.ring"));
  CHECK(has_array(*exp->module, "a.inhibitory.ring"));
  // --no-merge-rings keeps them apart.
  auto apart = compile(network(), false);
  CHECK(has_array(*apart->module, "a.inhibitory.ring"));
}

TEST_CASE("one ring gives bitwise the steps of two where the weights sum exactly", "[passes][merge_rings]") {
  auto merged = compile(kDeterministic);
  auto apart = compile(kDeterministic, false);
  REQUIRE(has_array(*merged->module, "a.excitatory+inhibitory.ring"));
  REQUIRE(has_array(*apart->module, "a.inhibitory.ring"));
  Machine x(*merged->module), y(*apart->module);
  for (int n = 0; n < 1500; ++n) {
    x.step_once();
    y.step_once();
    INFO("step " << n);
    REQUIRE(x.spikes == y.spikes);
    REQUIRE(x.array("a.v") == y.array("a.v"));
    REQUIRE(x.array("b.v") == y.array("b.v"));
  }
  CHECK(x.spikes.size() > 100);
}

TEST_CASE("each condition on the rings' use is needed", "[passes][merge_rings]") {
  CHECK(merged_after([](ir::Module&) {}));
  // The inhibitory weight is used for something else too.
  CHECK_FALSE(merged_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    for (std::size_t i = 0; i < a.body.size(); ++i)
      if (a.body[i]->kind == ir::StmtKind::Let && a.body[i]->value->kind == ir::ExprKind::Load &&
          a.body[i]->value->array == array(m, "a.inhibitory.ring")) {
        const ir::LocalId w = a.body[i]->local;
        const ir::LocalId copy = a.add_local("copy", ir::Type::F32);
        a.body.push_back(ir::let(copy, ir::local(w, ir::Type::F32)));
        return;
      }
    FAIL("no read of the inhibitory ring");
  }));
  // Another kernel reads the inhibitory ring.
  CHECK_FALSE(merged_after([](ir::Module& m) {
    ir::Kernel& k = kernel(m, "ae.pre");
    const ir::LocalId x = k.add_local("x", ir::Type::F32);
    k.body.insert(k.body.begin(), ir::let(x, ir::load(array(m, "a.inhibitory.ring"), ir::Type::F32,
                                                      ir::iconst(ir::Type::U32, 0))));
  }));
  // The update reads the excitatory ring before the step's read.
  CHECK_FALSE(merged_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    const ir::LocalId x = a.add_local("x", ir::Type::F32);
    a.body.insert(a.body.begin(), ir::let(x, ir::load(array(m, "a.excitatory.ring"), ir::Type::F32,
                                                      ir::input(ir::Input::Index))));
  }));
  // The inhibitory ring is cleared to -0.
  CHECK_FALSE(merged_after([](ir::Module& m) {
    const ir::ArrayId in = array(m, "a.inhibitory.ring");
    for (ir::StmtPtr& s : kernel(m, "a.update").body)
      if (s->kind == ir::StmtKind::Store && s->array == in && ir::is_const(*s->value)) s->value->number = -0.0;
  }));
}
