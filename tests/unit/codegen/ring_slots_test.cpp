// Ring slots by mask (docs/runtime.md, Delays and rings): with power-of-two ring depths
// the step kernels find slots with an `and`, so the PTX has no 64-bit remainder or
// division, which NVPTX lowers to a long subroutine call (the microcircuit's PTX had 126,
// one in every synapse loop). Constant, stored and procedurally drawn delays all deliver.
#include <catch2/catch.hpp>

#include <string>

#include "../passes/compile_ir.h"
#include "codegen/targets/nvptx/generate_ptx.h"

using namespace gennc;

namespace {

const char* const kNetwork = R"gdsl(
import pynn
network rings {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population b = IF_curr_exp(50)
  population noise = SpikeSourcePoisson(100) { rate = 800 Hz }
  projection na = noise -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 0.3 ms) onto excitatory
  projection ab = a -> b via fixed_probability(0.1)
    synapse StaticSynapse(weight = 0.2 nA, delay = uniform(0.1 ms, 2 ms)) onto excitatory
  projection ba = b -> a via fixed_probability(0.2)
    synapse StaticSynapse(weight = -0.2 nA, delay = uniform(0.5 ms, 1 ms)) onto inhibitory as procedural
}
)gdsl";

}  // namespace

TEST_CASE("step kernels find ring slots without a 64-bit remainder", "[codegen][rings]") {
  auto compiled = testing::compile_ir(kNetwork);
  INFO(compiled->messages.str());
  REQUIRE(compiled->module);
  diag::Diagnostics& diags = *compiled->diags;
  codegen::Options options;
  std::unique_ptr<codegen::NvptxTarget> target = codegen::make_nvptx_target(options, diags);
  REQUIRE(target != nullptr);
  const std::optional<codegen::EmbeddedPtx> ptx =
      codegen::generate_ptx(*compiled->module, *target, options, true, diags, nullptr);
  if (!ptx) {
    WARN("no libdevice here: PTX not generated");
    return;
  }
  // The delivery loops do add into the rings.
  CHECK(ptx->text.find("atom.global.add.f32") != std::string::npos);
  for (const char* slow : {"rem.u64", "rem.s64", "div.u64", "div.s64"}) {
    INFO(slow);
    CHECK(ptx->text.find(slow) == std::string::npos);
  }
}
