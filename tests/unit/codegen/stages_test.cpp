// GPU stages in the code: a stage entry per stage in the PTX (the step kernels have no
// entries of their own), and the stage tables of gennc_model.
#include <catch2/catch.hpp>

#include <string>

#include "../passes/compile_ir.h"
#include "codegen/emit_persistent_steps.h"
#include "codegen/emit_stages.h"
#include "codegen/targets/nvptx/generate_ptx.h"
#include "jit.h"

using namespace gennc;

namespace {

const char* const kNetwork = R"gdsl(
import pynn
network staged {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population b = IF_curr_exp(50)
  population noise = SpikeSourcePoisson(100) { rate = 800 Hz }
  projection na = noise -> a via one_to_one() synapse StaticSynapse(weight = 0.1 nA, delay = 0.1 ms) onto excitatory
  projection ab = a -> b via fixed_probability(0.1) synapse StaticSynapse(weight = 0.2 nA, delay = 1 ms) onto excitatory
  projection ba = b -> a via all_to_all() synapse StaticSynapse(weight = -0.2 nA, delay = 1 ms) onto inhibitory
}
)gdsl";

// The network's PTX with `options`, or nothing where there is no libdevice (a warning).
std::optional<std::string> ptx_of(testing::Compiled& compiled, const codegen::Options& options = {}) {
  std::unique_ptr<codegen::NvptxTarget> target = codegen::make_nvptx_target(options, *compiled.diags);
  REQUIRE(target != nullptr);
  std::optional<codegen::EmbeddedPtx> ptx =
      codegen::generate_ptx(*compiled.module, *target, options, true, *compiled.diags, nullptr);
  if (!ptx) {
    WARN("no libdevice here: PTX not generated");
    return std::nullopt;
  }
  return ptx->text;
}

}  // namespace

TEST_CASE("the PTX has one entry per stage and none per step kernel", "[codegen][stages]") {
  auto compiled = testing::compile_ir(kNetwork);
  REQUIRE(compiled->module);
  const ir::Module& m = *compiled->module;
  REQUIRE(m.step_stages.size() == 2);
  diag::Diagnostics& diags = *compiled->diags;
  codegen::Options options;
  std::unique_ptr<codegen::NvptxTarget> target = codegen::make_nvptx_target(options, diags);
  REQUIRE(target != nullptr);
  const std::optional<codegen::EmbeddedPtx> ptx = codegen::generate_ptx(m, *target, options, true, diags, nullptr);
  if (!ptx) {
    WARN("no libdevice here: PTX not generated");
    return;
  }
  CHECK(ptx->text.find(".visible .entry gennc_stage_0(") != std::string::npos);
  CHECK(ptx->text.find(".visible .entry gennc_stage_1(") != std::string::npos);
  CHECK(ptx->text.find("gennc_stage_2") == std::string::npos);
  CHECK(ptx->text.find(".maxntid 256, 1, 1") != std::string::npos);
  REQUIRE(ptx->entries.size() == m.kernels.size());
  for (const std::vector<std::uint32_t>& stage : m.step_stages)
    for (std::uint32_t k : stage) {
      INFO(m.kernels[k].name);
      CHECK(ptx->entries[k].empty());
      CHECK(ptx->text.find(".entry gennc_" + m.kernels[k].name + "(") == std::string::npos);
    }
  CHECK(codegen::stage_entry_name(1) == "gennc_stage_1");
  // No occupancy directive unless asked for.
  CHECK(ptx->text.find(".minnctapersm") == std::string::npos);
}

TEST_CASE("--gpu-blocks-per-sm marks every stage entry .minnctapersm", "[codegen][stages]") {
  auto compiled = testing::compile_ir(kNetwork);
  REQUIRE(compiled->module);
  codegen::Options options;
  options.gpu_blocks_per_sm = 6;
  const std::optional<std::string> ptx = ptx_of(*compiled, options);
  if (!ptx) return;
  std::size_t marked = 0;
  for (std::size_t at = ptx->find(".minnctapersm 6"); at != std::string::npos; at = ptx->find(".minnctapersm 6", at + 1))
    ++marked;
  CHECK(marked == compiled->module->step_stages.size() + 1);  // and the persistent step's entry
}

TEST_CASE("the persistent step entry runs every stage with a grid barrier after each", "[codegen][stages]") {
  auto compiled = testing::compile_ir(kNetwork);
  REQUIRE(compiled->module);
  const std::optional<std::string> ptx = ptx_of(*compiled);
  if (!ptx) return;
  const std::string& text = *ptx;
  const std::size_t entry = text.find(".visible .entry " GENNC_STEPS_ENTRY "(");
  REQUIRE(entry != std::string::npos);
  // envs, steps, overlap, barrier, then members and count of each of the two stages.
  CHECK(text.find(GENNC_STEPS_ENTRY "_param_7", entry) != std::string::npos);
  CHECK(text.find(GENNC_STEPS_ENTRY "_param_8", entry) == std::string::npos);
  const std::string body = text.substr(entry);
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = body.find(what); at != std::string::npos; at = body.find(what, at + 1)) ++n;
    return n;
  };
  // One arrival per stage (overlapped, the one after the first stage is skipped): a
  // release add, then acquire polling; no fence of its own.
  CHECK(count("red.release.gpu.global.add.u32") == 2);
  CHECK(count("ld.acquire.gpu.global.u32") == 2);
  CHECK(count("fence.") == 0);
  // The network's stages may overlap (every delay of its deliveries is 10 steps): the
  // block's barrier between the first stage and the overlapped last.
  REQUIRE(compiled->module->stage_overlap);
  CHECK(count("bar.sync") > count("red.release.gpu.global.add.u32") * 2);
  // The stages' bodies are inlined into both kinds of entry, never called.
  CHECK(text.find("gennc_stage_body_") == std::string::npos);
}

TEST_CASE("gennc_model lists the stages, their kernels and modes", "[codegen][stages]") {
  auto compiled = testing::compile_ir(kNetwork);
  REQUIRE(compiled->module);
  const ir::Module& m = *compiled->module;
  const codegen::testing::JitModel jit(m);
  const GenncModel& model = jit.model();
  REQUIRE(model.stage_count == m.step_stages.size());
  REQUIRE(model.stage_starts != nullptr);
  CHECK(model.stage_starts[0] == 0);
  CHECK(model.stage_starts[model.stage_count] == model.step_schedule_length);
  CHECK(model.stage_entries == nullptr);  // no PTX in this model
  for (std::uint32_t s = 0; s < model.stage_count; ++s)
    for (std::uint32_t i = model.stage_starts[s]; i < model.stage_starts[s + 1]; ++i) {
      const std::string name = model.kernels[model.stage_kernels[i]].name;
      INFO(name);
      CHECK(model.stage_kernels[i] == m.step_stages[s][i - model.stage_starts[s]]);
      CHECK((model.stage_modes[i] & (1u << GENNC_STAGE_THREAD)) != 0);
      // Static rows may be shared by a block's threads; neuron updates may not, nor the
      // rows of a source's spikes, which repeat for its multiplicity (a loop around the row).
      const bool block = (model.stage_modes[i] & (1u << GENNC_STAGE_BLOCK)) != 0;
      CHECK(block == (name == "ab.pre" || name == "ba.pre"));
    }
}

TEST_CASE("gennc_steps is emitted where it may pay, or as --gpu-persistent-steps says", "[codegen][stages]") {
  // 70 000 neurons in one stage: 274 units of 256, over the 256 that any GPU's default takes.
  const char* const large = R"gdsl(
import pynn
network large {
  dt = 0.1 ms
  population a = IF_curr_exp(70000)
  projection aa = a -> a via fixed_probability(0.0001) synapse StaticSynapse(weight = 0.1 nA, delay = 1 ms) onto excitatory
}
)gdsl";
  auto small = testing::compile_ir(kNetwork);
  auto big = testing::compile_ir(large);
  REQUIRE(small->module);
  REQUIRE(big->module);
  CHECK(codegen::persistent_steps_pay(*small->module));
  CHECK_FALSE(codegen::persistent_steps_pay(*big->module));
  using Steps = codegen::Options::PersistentSteps;
  auto has_entry = [](testing::Compiled& compiled, Steps steps) -> std::optional<bool> {
    codegen::Options options;
    options.gpu_persistent_steps = steps;
    const std::optional<std::string> ptx = ptx_of(compiled, options);
    if (!ptx) return std::nullopt;
    return ptx->find(".entry " GENNC_STEPS_ENTRY "(") != std::string::npos;
  };
  const std::optional<bool> auto_big = has_entry(*big, Steps::Auto);
  if (!auto_big) return;
  CHECK_FALSE(*auto_big);
  CHECK(*has_entry(*big, Steps::Always));
  CHECK(*has_entry(*small, Steps::Auto));
  CHECK_FALSE(*has_entry(*small, Steps::Never));
}

TEST_CASE("a stage of many members calls their bodies; a small one inlines them", "[codegen][stages]") {
  // 70 deliveries in one stage, over the 64 whose bodies a stage inlines.
  std::string many = R"gdsl(
import pynn
network many {
  dt = 0.1 ms
  population a = IF_curr_exp(20)
  population b = IF_curr_exp(20)
)gdsl";
  for (int i = 0; i < 70; ++i)
    many += "  projection p" + std::to_string(i) +
            " = a -> b via fixed_probability(0.1) synapse StaticSynapse(weight = 0.1 nA, delay = 1 ms) onto excitatory\n";
  many += "}\n";
  auto large = testing::compile_ir(many.c_str());
  REQUIRE(large->module);
  REQUIRE(large->module->step_stages.size() == 2);
  REQUIRE(large->module->step_stages[1].size() == 70);
  const std::optional<std::string> called = ptx_of(*large);
  if (!called) return;
  // PTX spells a '.' of a name "_$_".
  // The 70 bodies differ only in constants: one merged function, called with each
  // projection's table of them (merge_called_bodies.cpp).
  CHECK(called->find(".func p0_$_pre_$_block_$_body_merged(") != std::string::npos);
  CHECK(called->find(".func p69_$_pre_$_block_$_body") == std::string::npos);
  CHECK(called->find("p69_$_pre_$_block_$_body_constants") != std::string::npos);
  CHECK(called->find("call.uni") != std::string::npos);
  // The update stage has two members: inlined.
  CHECK(called->find(".func a_$_update") == std::string::npos);

  auto small = testing::compile_ir(kNetwork);
  REQUIRE(small->module);
  const std::optional<std::string> inlined = ptx_of(*small);
  REQUIRE(inlined);
  CHECK(inlined->find("_$_body(") == std::string::npos);
}

TEST_CASE("a --float32 build's normal draw is IEEE float arithmetic in the PTX", "[codegen][random]") {
  // Bit for bit the CPU's (gennc/random.h, single precision): no fused multiply-adds, no
  // approximate division, square root or transcendental instructions, no libdevice call.
  auto compiled = testing::compile_ir(R"gdsl(
import pynn
network noisy {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  inject NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA, dt = 0.1 ms) into a
}
)gdsl");
  REQUIRE(compiled->module);
  const std::optional<std::string> text = ptx_of(*compiled);
  if (!text) return;
  CHECK(text->find("div.rn.f32") != std::string::npos);
  CHECK(text->find("sqrt.rn.f32") != std::string::npos);
  CHECK(text->find("fma.rn.f32") == std::string::npos);
  CHECK(text->find(".approx") == std::string::npos);
  CHECK(text->find("__nv_") == std::string::npos);
}
