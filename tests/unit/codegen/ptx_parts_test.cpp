// compile_ptx_parts: a network's PTX compiled in parts on threads of their own is the PTX of
// the whole module byte for byte (the GPU runs the same code either way; in one process
// the calls' sequence numbers, comments, count on), and the parts are used where the
// entries allow it.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "../passes/compile_ir.h"
#include "codegen/targets/nvptx/generate_ptx.h"

using namespace gennc;

namespace {

std::string example(const std::string& name) {
  std::ifstream in(std::string(GENNC_SOURCE_DIR) + "/examples/" + name + ".gdsl");
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `ptx` without the numbers of its `// callseq N` comments: the back end counts calls over
// the process, so the second compile of a test numbers them on from the first.
std::string without_call_numbers(const std::string& ptx) {
  static const std::regex number("callseq [0-9]+");
  return std::regex_replace(ptx, number, "callseq N");
}

struct Ptx {
  std::string text;
  bool in_parts = false;  // --time-passes named the step "ptx.parts"
};

std::optional<Ptx> ptx_of(const std::string& source, ir::Type real, codegen::Options options, unsigned parts) {
  testing::CompileSettings settings;
  settings.real = real;
  auto compiled = testing::compile_ir(source, settings);
  INFO(compiled->messages.str());
  REQUIRE(compiled->module);
  options.ptx_parts = parts;
  std::unique_ptr<codegen::NvptxTarget> target = codegen::make_nvptx_target(options, *compiled->diags);
  REQUIRE(target != nullptr);
  codegen::Timings timings;
  std::optional<codegen::EmbeddedPtx> ptx =
      codegen::generate_ptx(*compiled->module, *target, options, true, *compiled->diags, &timings);
  if (!ptx) return std::nullopt;
  Ptx out{ptx->text};
  for (const auto& [step, seconds] : timings) out.in_parts = out.in_parts || step == "ptx.parts";
  return out;
}

}  // namespace

TEST_CASE("the PTX compiled in parts is the whole module's, byte for byte", "[codegen][ptx-parts]") {
  using Persistent = codegen::Options::PersistentSteps;
  struct Case {
    const char* example;
    ir::Type real;
    Persistent persistent;
    bool splits;     // whether its entries allow parts
    bool functions;  // whether the PTX keeps a .func
  };
  // The microcircuit: two stages. Vogels-Abbott with the persistent step: the stage with the
  // Poisson source and the persistent step reach the same draw functions, which the
  // inliner weighs, so they share a part. Izhikevich in double precision: libdevice's
  // trigonometric slow path stays a .func, which follows every entry. The single neuron:
  // one entry, compiled whole.
  const Case cases[] = {{"potjans_diesmann", ir::Type::F32, Persistent::Auto, true, false},
                        {"vogels_abbott_cuba", ir::Type::F32, Persistent::Always, true, false},
                        {"izhikevich2003", ir::Type::F64, Persistent::Never, true, true},
                        {"single_neuron_dc", ir::Type::F64, Persistent::Never, false, false}};
  for (const Case& c : cases) {
    INFO(c.example);
    codegen::Options options;
    options.gpu_persistent_steps = c.persistent;
    const std::string source = example(c.example);
    std::optional<Ptx> whole = ptx_of(source, c.real, options, 1);
    if (!whole) {
      WARN("no libdevice here: PTX not generated");
      return;
    }
    std::optional<Ptx> parts = ptx_of(source, c.real, options, 2);
    REQUIRE(parts);
    CHECK_FALSE(whole->in_parts);
    CHECK(parts->in_parts == c.splits);
    CHECK((parts->text.find("\n.func ") != std::string::npos) == c.functions);
    CHECK(without_call_numbers(parts->text) == without_call_numbers(whole->text));
  }
}
