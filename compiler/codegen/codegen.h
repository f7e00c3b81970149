// The code generation stage: a lowered IR module -> LLVM IR, assembly, an object file, the
// `sim` executable or a shared library, for the host CPU.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codegen/target_machine.h"
#include "codegen/targets/host/host_target.h"
#include "diag/diagnostics.h"
#include "ir/ir.h"

namespace gennc::codegen {

enum class OutputKind { LlvmIr, Assembly, Object, Executable, SharedLibrary };

struct Options {
  int opt_level = 2;            // -O0..3
  HostCpu cpu;                  // -march
  bool debug_info = true;       // line tables from source ranges
  double build_seconds = 0.0;   // time spent before codegen, recorded in gennc_model
};

// Seconds per step of code generation, in order ("codegen.lower", "llvm.optimize", ...),
// for --time-passes.
using Timings = std::vector<std::pair<std::string, double>>;

// The host target for `options`; reports target_machine_failed and returns null when the
// CPU is unknown.
std::unique_ptr<HostTarget> make_host_target(const Options& options, diag::Diagnostics& diags);

// Lowers `ir` to an optimised LLVM module for `target`: kernels, synapse functions, the
// gennc_model table and the device library.
// Requires: ir.stage == Lowered and ir::verify(ir) is empty. `sources` gives debug
// locations (null: none). A broken IR or LLVM module is an internal error (exit 3).
std::unique_ptr<llvm::Module> generate_module(const ir::Module& ir, llvm::LLVMContext& context,
                                              const HostTarget& target, const Options& options,
                                              const diag::SourceManager* sources, Timings* timings);

// Writes `module` as `kind` to `path` ("-" or empty: standard output, for text kinds);
// Executable and SharedLibrary link with the runtime. Reports failures to `diags`.
bool write_output(llvm::Module& module, const HostTarget& target, OutputKind kind, const std::string& path,
                  diag::Diagnostics& diags, Timings* timings);

}  // namespace gennc::codegen
