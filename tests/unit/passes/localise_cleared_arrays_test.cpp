// localise_cleared_arrays: a population's injected input, once every source into it has
// fused into its update, becomes a local of the update (starting at zero each step) and
// the array goes; the steps give bitwise the same values. Any condition failing leaves it.
#include <catch2/catch.hpp>

#include <string>

#include "compile_ir.h"
#include "interpreter.h"
#include "passes/fuse_current_injection.h"
#include "passes/localise_cleared_arrays.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

// An AC source drives `a` over threshold at times between 5 and 60 ms; b has no source.
std::string network(const std::string& items) {
  return R"gdsl(
import pynn
network injected {
  dt = 0.1 ms
  population a = IF_curr_exp(10) { v = -65 mV }
  population b = IF_curr_exp(4)
  inject ac = ACSource(amplitude = 2.5 nA, offset = 1.3 nA, frequency = 37 Hz, start = 5 ms, stop = 60 ms) into a
)gdsl" + items + "\n}\n";
}

std::unique_ptr<Compiled> compile(const std::string& source, bool fuse = true, bool run_passes = true) {
  passes::Options options;
  options.fuse = fuse;
  return compile_module(source, {run_passes, ir::Type::F32, options});
}

// The pass alone, after fuse_current_injection, on a module lowered without the pipeline
// and then changed by `edit`: whether a's injected input went.
bool localised_after(void (*edit)(ir::Module&)) {
  auto c = compile(network(""), true, false);
  ir::Module& m = *c->module;
  passes::Options options;
  REQUIRE(passes::fuse_current_injection(m, options, *c->diags));
  edit(m);
  passes::localise_cleared_arrays(m, options, *c->diags);
  return !has_array(m, "a.i_syn.injected");
}

}  // namespace

TEST_CASE("a fused source's injected input becomes a local of the update", "[passes][localise]") {
  auto c = compile(network(""));
  const ir::Module& m = *c->module;
  CHECK_FALSE(has_array(m, "a.i_syn.injected"));
  // b has no source, so no injected input at all.
  CHECK_FALSE(has_array(m, "b.i_syn.injected"));
  const ir::Kernel& a = kernel(m, "a.update");
  REQUIRE_FALSE(a.body.empty());
  const ir::Stmt& first = *a.body[0];
  CHECK(first.kind == ir::StmtKind::Let);
  CHECK(a.locals.at(first.local).name == "a.i_syn.injected.cell");
  CHECK(ir::is_const(*first.value));
  CHECK(first.value->number == 0.0);
}

TEST_CASE("the localised input gives bitwise the steps of the unfused network", "[passes][localise]") {
  auto fused = compile(network(""));
  auto apart = compile(network(""), false);
  REQUIRE(has_array(*apart->module, "a.i_syn.injected"));
  REQUIRE_FALSE(has_array(*fused->module, "a.i_syn.injected"));
  Machine x(*fused->module), y(*apart->module);
  for (int n = 0; n < 800; ++n) {
    x.step_once();
    y.step_once();
    INFO("step " << n);
    REQUIRE(x.spikes == y.spikes);
    REQUIRE(x.array("a.v") == y.array("a.v"));
  }
  CHECK(x.spikes.size() > 20);
}

TEST_CASE("an input that another kernel adds into stays an array", "[passes][localise]") {
  // With two sources into a only the last fuses; the other's kernel still adds.
  auto two = compile(network("inject DCSource(amplitude = 0.1 nA) into a[0:5]\ninject ACSource(amplitude = 1 nA) into a"));
  CHECK(has_array(*two->module, "a.i_syn.injected"));
  auto apart = compile(network(""), false);
  CHECK(has_array(*apart->module, "a.i_syn.injected"));
}

TEST_CASE("each condition on the update's use of the input is needed", "[passes][localise]") {
  CHECK(localised_after([](ir::Module&) {}));
  // The clear is not the last statement that touches the input.
  CHECK_FALSE(localised_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    const ir::ArrayId in = array(m, "a.i_syn.injected");
    a.body.push_back(ir::store(in, ir::input(ir::Input::Index), ir::fconst(ir::Type::F32, 1.0)));
  }));
  // The clear is conditional.
  CHECK_FALSE(localised_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    const ir::ArrayId in = array(m, "a.i_syn.injected");
    ir::Block then;
    then.push_back(ir::store(in, ir::input(ir::Input::Index), ir::fconst(ir::Type::F32, 0.0)));
    for (ir::StmtPtr& s : a.body)
      if (s->kind == ir::StmtKind::Store && s->array == in && ir::is_const(*s->value))
        s = ir::if_(ir::binary(ir::BinaryOp::Gt, ir::input(ir::Input::Time), ir::fconst(ir::Type::F64, 1.0)),
                    std::move(then));
  }));
  // Another element's cell is read.
  CHECK_FALSE(localised_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    const ir::ArrayId in = array(m, "a.i_syn.injected");
    const ir::LocalId x = a.add_local("x", ir::Type::F32);
    a.body.insert(a.body.begin(), ir::let(x, ir::load(in, ir::Type::F32, ir::iconst(ir::Type::U32, 0))));
  }));
  // It is cleared to -0, not +0.
  CHECK_FALSE(localised_after([](ir::Module& m) {
    ir::Kernel& a = kernel(m, "a.update");
    const ir::ArrayId in = array(m, "a.i_syn.injected");
    for (ir::StmtPtr& s : a.body)
      if (s->kind == ir::StmtKind::Store && s->array == in && ir::is_const(*s->value)) s->value->number = -0.0;
  }));
  // b's update reads it too.
  CHECK_FALSE(localised_after([](ir::Module& m) {
    ir::Kernel& b = kernel(m, "b.update");
    const ir::LocalId x = b.add_local("x", ir::Type::F32);
    b.body.insert(b.body.begin(),
                  ir::let(x, ir::load(array(m, "a.i_syn.injected"), ir::Type::F32, ir::iconst(ir::Type::U32, 0))));
  }));
}
