// The compilation pipeline behind the `gennc` command, as a library function so that
// tests drive it without the binary.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace gennc::driver {

// The IR verifier runs after every pass in debug builds (and in the tests, which ask for it);
// release builds skip it unless asked (bench/results/verifier_cost_2026-12-06.md).
#ifdef NDEBUG
inline constexpr bool kVerifyEachByDefault = false;
#else
inline constexpr bool kVerifyEachByDefault = true;
#endif

// Where the pipeline stops and what it prints; ordered by stage.
enum class Emit { None, Tokens, Ast, Ir, Llvm, Ptx, Asm, Obj };

struct Options {
  std::string input;               // the .gdsl file
  std::string output;              // -o; empty: standard output for dumps
  Emit emit = Emit::None;
  bool check_only = false;         // --check: diagnostics only, no output
  bool verify_diagnostics = false; // --verify-diagnostics: compare against expected-* comments
  std::string stdlib_dir;          // --stdlib-dir; empty: the embedded standard library
  std::vector<std::string> procedural;  // --procedural=NAME[,NAME...]|all (sema::CheckOptions)
  std::string network;             // --network: the network of the file to compile (empty: the first)
  bool restrict_paths = false;     // --restrict-paths (sema::CheckOptions)
  std::size_t error_limit = 20;    // 0: no limit
  bool color = false;
  // IR and passes (compiler/ir, compiler/passes).
  std::string solver;              // --solver: auto, exact, rk4, euler, exponential_euler, adaptive (empty: per model)
  double solver_tolerance = 1e-6;  // --solver-tolerance: the adaptive solver's absolute error per substep
  std::string print_after;         // --print-after=PASS|all: IR after a pass, to `err`
  bool verify_each = kVerifyEachByDefault;  // --verify-each: the IR verifier after every pass
  std::string dump_dir;            // --dump-dir: NN.<pass>.ir files
  bool time_passes = false;        // --time-passes: a table of pass times, to `err`
  bool double_precision = true;    // --float32 (--single): real-valued state in f32 instead of f64
  bool runtime_parameters = false; // --runtime-parameters: uniform parameters stay settable scalars
  bool fuse = true;                // --no-fuse: sources keep their own kernels (passes::Options::fuse)
  bool merge_rings = true;         // --no-merge-rings: a ring per receptor (passes::Options::merge_rings)
  // Code generation and linking (compiler/codegen). Without --emit or --check, gennc links
  // the `sim` executable (-o, default "sim"), or with --shared a shared library.
  int opt_level = 2;               // -O0..3
  bool fast_math = false;          // --fast-math: reassociation, reciprocals, no signed zeros
  std::string march;               // --march: an LLVM CPU name or "native" (empty: x86-64-v2)
  bool shared = false;             // --shared: a .so exporting the runtime's C ABI
  std::string runtime_dir;         // --runtime-dir: the runtime libraries' folder (empty: found)
  // GPU code (compiler/codegen/targets/nvptx): a linked `sim` embeds the network's PTX, so
  // one binary runs on the GPU or the CPU; --emit=ptx prints it.
  std::string gpu_arch = "sm_80";  // --gpu-arch
  // --gpu-sass: architectures whose machine code (ptxas's) a linked binary also embeds, each
  // accepted by codegen::sass_arch_problem; empty: none (the driver JIT-compiles the PTX).
  std::vector<std::string> gpu_sass;
  int gpu_blocks_per_sm = 0;       // --gpu-blocks-per-sm
  std::string gpu_persistent_steps = "auto";  // --gpu-persistent-steps: auto, always or never
  bool no_gpu = false;             // --no-gpu: embed no PTX
};

// Exit statuses shared by the driver and its tests.
enum ExitCode : int { kSuccess = 0, kUserError = 1, kUsageError = 2, kInternalError = 3 };

// Why options.gpu_sass cannot be assembled from options.gpu_arch's PTX (the first
// architecture that cannot); empty when every one can.
std::string gpu_sass_problem(const Options& options);

// Runs the pipeline: dumps go to `out` (or to options.output), diagnostics to `err`.
// Returns kSuccess or kUserError; internal errors propagate as exceptions.
int compile(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace gennc::driver
