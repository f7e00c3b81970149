// The code generation stage: a lowered IR module -> LLVM IR, assembly, an object file, the
// `sim` executable or a shared library. The target strategy (targets/target.h) decides the
// machine; make_host_target makes the host CPU's.
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

// What --emit writes (files the driver places) and what gennc links (with the runtime).
enum class FileKind { LlvmIr, Assembly, Object };
enum class BinaryKind { Executable, SharedLibrary };

// The PTX of the same network (targets/nvptx/generate_ptx.h) and each IR kernel's entry
// name in it; empty text: none.
struct EmbeddedPtx {
  std::string text;
  std::vector<std::string> entries;
};

struct Options {
  int opt_level = 2;            // -O0..3
  HostCpu cpu;                  // -march
  std::string gpu_arch = "sm_80";  // --gpu-arch: the PTX target (the driver JIT-compiles it for newer GPUs)
  EmbeddedPtx ptx;              // embedded into gennc_model (GenncModel.ptx, GenncKernelInfo.ptx_entry)
  bool debug_info = true;       // line tables from source ranges
  double build_seconds = 0.0;   // recorded in gennc_model; 0 keeps the output reproducible
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
                                              const Target& target, const Options& options,
                                              const diag::SourceManager* sources, Timings* timings);

// The text (LLVM IR, assembly) or bytes (object) of `module` for `target`.
std::string emit_file(llvm::Module& module, const Target& target, FileKind kind, Timings* timings);

// Compiles `module` to a temporary object and links it with the runtime (from
// `runtime_dir`, or where find_runtime_libraries looks when empty) into `path`.
// Reports failures (no runtime libraries, linker errors, unwritable files) to `diags`.
bool build_binary(llvm::Module& module, const Target& target, BinaryKind kind, const std::string& path,
                  const std::string& runtime_dir, diag::Diagnostics& diags, Timings* timings);

}  // namespace gennc::codegen
