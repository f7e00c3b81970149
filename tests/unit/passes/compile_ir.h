// Test support: GDSL source -> checked program -> IR (-> passes), keeping everything the
// module refers to alive.
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include "diag/diagnostics.h"
#include "ir/ir.h"
#include "passes/options.h"
#include "sema/program.h"

namespace gennc::testing {

struct Compiled {
  std::unique_ptr<diag::SourceManager> sources;
  std::ostringstream messages;  // diagnostics as printed
  std::unique_ptr<diag::Diagnostics> diags;
  std::unique_ptr<sema::Program> program;
  std::unique_ptr<ir::Module> module;  // null when sema or lowering reported errors
};

struct CompileSettings {
  bool run_passes = true;
  ir::Type real = ir::Type::F32;
  passes::Options passes;
};

std::unique_ptr<Compiled> compile_ir(const std::string& source, const CompileSettings& settings = {});
// compile_ir where the source must compile: throws with the diagnostics where it does not.
std::unique_ptr<Compiled> compile_module(const std::string& source, const CompileSettings& settings);

// A module's parts by name; `array` and `kernel` throw where there is none (a failed test).
bool has_array(const ir::Module& m, const std::string& name);
ir::ArrayId array(const ir::Module& m, const std::string& name);
const ir::Kernel& kernel(const ir::Module& m, const std::string& name);
ir::Kernel& kernel(ir::Module& m, const std::string& name);

}  // namespace gennc::testing
