// The code generation stage: a lowered IR module -> LLVM IR, assembly, an object file, the
// `sim` executable or a shared library. The target strategy (targets/target.h) decides the
// machine; make_host_target makes the host CPU's.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codegen/emit_model_table.h"
#include "codegen/target_machine.h"
#include "codegen/targets/host/host_target.h"
#include "diag/diagnostics.h"
#include "ir/ir.h"

namespace gennc::codegen {

// What --emit writes (files the driver places) and what gennc links (with the runtime).
enum class FileKind { LlvmIr, Assembly, Object };
enum class BinaryKind { Executable, SharedLibrary };

// The PTX of the same network (targets/nvptx/generate_ptx.h) and each IR kernel's entry
// name in it; empty text: none. With --gpu-sass, also its machine code per architecture
// (targets/nvptx/assemble_ptx.h).
struct EmbeddedPtx {
  std::string text;
  std::vector<std::string> entries;
  std::vector<Cubin> cubins;
};

struct Options {
  int opt_level = 2;            // -O0..3
  bool fast_math = false;       // --fast-math (LoweringContext::fast_math)
  HostCpu cpu;                  // -march
  std::string gpu_arch = "sm_80";  // --gpu-arch: the PTX target (the driver JIT-compiles it for newer GPUs)
  // --gpu-sass: architectures the PTX is also assembled for by ptxas (assemble_ptx.h); empty: none.
  std::vector<std::string> gpu_sass;
  // --gpu-blocks-per-sm: blocks of a stage entry that must fit on one multiprocessor at once
  // (PTX .minnctapersm, which caps registers per thread); 0 leaves it to the PTX assembler.
  int gpu_blocks_per_sm = 0;
  // --gpu-persistent-steps: whether the PTX has the persistent step entry (gennc_steps,
  // emit_persistent_steps.h); Auto: where it may pay, persistent_steps_pay.
  enum class PersistentSteps { Auto, Always, Never } gpu_persistent_steps = PersistentSteps::Auto;
  // The PTX is compiled in at most this many parts on threads of their own
  // (compile_ptx_parts.h); 0: one per hardware thread, 1: the module whole.
  unsigned ptx_parts = 0;
  bool debug_info = true;       // line tables from source ranges
  double build_seconds = 0.0;   // recorded in gennc_model; 0 keeps the output reproducible
};

// Seconds per step of code generation, in a fixed order ("codegen.lower", "llvm.optimize",
// ...), for --time-passes.
using Timings = std::vector<std::pair<std::string, double>>;

// The GPU half of a linked binary (generate_ptx, targets/nvptx/generate_ptx.h): the PTX to
// embed, or nullopt for none. build_binary runs it on a second thread while the host code
// is compiled, so it must build its module in an LLVMContext and with a TargetMachine of its
// own, report only to `diags` and time only into `timings`; both are its own, passed on
// after the threads join, so the output does not depend on which finished first.
using GpuPipeline = std::function<std::optional<EmbeddedPtx>(diag::Diagnostics& diags, Timings* timings)>;

// Where a linked binary goes.
struct BinaryOutput {
  BinaryKind kind = BinaryKind::Executable;
  std::string path;
  std::string runtime_dir;  // the runtime libraries' folder; empty: where find_runtime_libraries looks
};

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

// Compiles `ir` and links it with the runtime into `output`: the host code (the module of
// generate_module without gennc_model, optimised and emitted as an object, or without a
// GPU pipeline as one object per part, compile_host_parts.h) on this thread
// while `gpu` (when given) makes the PTX (and its cubins) on a second one; then gennc_model, which embeds
// them, as a second small object whose kernel pointers are hidden symbols of the first;
// then the link. The GPU pipeline's diagnostics are reported after the join, before any
// of the link's; when it reports an error nothing is linked. `timings` gets the host steps, the GPU steps, their wall time
// together ("codegen.parallel"), "codegen.model-table" and "link", in that order.
// Requires what generate_module requires. Reports failures (no runtime libraries, linker
// errors, unwritable files) to `diags`.
bool build_binary(const ir::Module& ir, const HostTarget& target, const Options& options,
                  const diag::SourceManager* sources, const GpuPipeline& gpu, const BinaryOutput& output,
                  diag::Diagnostics& diags, Timings* timings);

}  // namespace gennc::codegen
