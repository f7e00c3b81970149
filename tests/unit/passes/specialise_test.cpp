// Uniform parameters stay one number: constants in the code, no arrays; per-neuron values
// stay arrays; derived quantities follow either way.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "compile_ir.h"
#include "interpreter.h"
#include "ir/printer.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

const char* const kModel = R"gdsl(
neuron D {
  parameters { tau: ms = 10.0;  gain: real = 2.0 }
  derived { decay: real = exp(-dt / tau) }
  state { x: real = 1.0 }
  update { x = x * decay * gain }
}
)gdsl";

}  // namespace

TEST_CASE("uniform parameters and the derived quantities of them fold to constants", "[specialise]") {
  auto c = compile_ir(std::string(kModel) + "network n { dt = 0.1 ms  population p = D(4) }");
  INFO(c->messages.str());
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  CHECK_FALSE(has_array(m, "p.tau"));
  CHECK_FALSE(has_array(m, "p.gain"));
  CHECK_FALSE(has_array(m, "p.decay"));
  CHECK(m.init_schedule.empty());  // the derived kernel had nothing left to do
  std::string text = ir::print(m);
  // exp(-0.1 / 10) * 2 in float, folded into the update.
  CHECK(text.find("%x = ((%x * 0.99004984) * 2)") != std::string::npos);
}

TEST_CASE("per-element parameters stay arrays and keep their derived kernel", "[specialise]") {
  auto c = compile_ir(std::string(kModel) + "network n { dt = 0.1 ms  population p = D(3) { tau = [1 ms, 2 ms, 3 ms] } }");
  INFO(c->messages.str());
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  CHECK(has_array(m, "p.tau"));
  CHECK(has_array(m, "p.decay"));
  CHECK_FALSE(has_array(m, "p.gain"));
  REQUIRE(m.init_schedule.size() == 1);
  CHECK(m.kernels[m.init_schedule[0]].name == "p.derived");
}

TEST_CASE("a per-element list holding one value throughout is uniform", "[specialise]") {
  auto c = compile_ir(std::string(kModel) + "network n { dt = 0.1 ms  population p = D(2) { tau = [4 ms, 4 ms] } }");
  REQUIRE(c->module);
  CHECK_FALSE(has_array(*c->module, "p.tau"));
}

namespace {

const ir::Array* find(const ir::Module& m, const std::string& name) {
  for (const ir::Array& a : m.arrays)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

TEST_CASE("--runtime-parameters: uniform parameters and what derives from them are settable scalars", "[specialise]") {
  CompileSettings settings;
  settings.passes.runtime_parameters = true;
  auto c = compile_ir(std::string(kModel) + "network n { dt = 0.1 ms  population p = D(4) }", settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  const ir::Module& m = *c->module;
  struct Expected {
    const char* name;
    std::uint32_t flags;
    GenncInitKind init;
  };
  for (const Expected& e : {Expected{"p.tau", GENNC_ARRAY_PARAMETER, GENNC_INIT_CONSTANT},
                            Expected{"p.gain", GENNC_ARRAY_PARAMETER, GENNC_INIT_CONSTANT},
                            Expected{"p.decay", GENNC_ARRAY_DERIVED, GENNC_INIT_ZERO}}) {
    INFO(e.name);
    const ir::Array* a = find(m, e.name);
    REQUIRE(a);
    CHECK(a->scope == GENNC_SCOPE_SCALAR);
    CHECK(a->flags == e.flags);
    CHECK(a->init.kind == e.init);
  }
  CHECK(find(m, "p.tau")->init.params[0] == 10.0);
  std::string text = ir::print(m);
  CHECK(text.find("%x = ((%x * @p.decay[0:u32]) * @p.gain[0:u32])") != std::string::npos);
  CHECK(text.find("if (index == 0:u32) {\n    store @p.decay[0:u32] = %p.decay\n  }") != std::string::npos);

  // Setting tau (as gennc_set_array does, then the init schedule) changes the decay: the
  // f32 exp(-0.1 / tau), each operation rounded to float.
  auto decay = [](float tau) { return static_cast<double>(static_cast<float>(std::exp(static_cast<double>(-0.1f / tau)))); };
  Machine machine(m);
  machine.run("p.derived");
  CHECK(machine.array("p.decay")[0] == decay(10.0f));
  machine.array("p.tau")[0] = 5.0;
  machine.run("p.derived");
  CHECK(machine.array("p.decay")[0] == decay(5.0f));
  machine.step_once();
  for (double x : machine.array("p.x")) CHECK(x == decay(5.0f) * 2.0);
}

TEST_CASE("--runtime-parameters: a derived quantity of per-element values stays per element", "[specialise]") {
  CompileSettings settings;
  settings.passes.runtime_parameters = true;
  auto c = compile_ir(std::string(kModel) + "network n { dt = 0.1 ms  population p = D(3) { tau = [1 ms, 2 ms, 3 ms] } }",
                      settings);
  REQUIRE(c->module);
  CHECK(find(*c->module, "p.tau")->scope == GENNC_SCOPE_NEURON);
  CHECK(find(*c->module, "p.decay")->scope == GENNC_SCOPE_NEURON);
  CHECK(find(*c->module, "p.gain")->scope == GENNC_SCOPE_SCALAR);
}
