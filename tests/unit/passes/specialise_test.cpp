// Uniform parameters stay one number: constants in the code, no arrays; per-neuron values
// stay arrays; derived quantities follow either way.
#include <catch2/catch.hpp>

#include <string>

#include "compile_ir.h"
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

bool has_array(const ir::Module& m, const std::string& name) {
  for (const ir::Array& a : m.arrays)
    if (a.name == name) return true;
  return false;
}

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
