// `gennc`: parses the command line and hands over to driver::compile().
#include <CLI/CLI.hpp>
#include <llvm/Config/llvm-config.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "ir/internal_error.h"
#include "passes/pipeline.h"

int main(int argc, char** argv) {
  using namespace gennc::driver;
  try {
    CLI::App app("gennc: compiles GDSL spiking-network models and networks", "gennc");
    Options options;
    std::string emit;
    app.add_option("file", options.input, "GDSL source file")->required();
    app.add_option("-o,--output", options.output, "Output file (default: standard output for --emit)");
    auto* check = app.add_flag("--check", options.check_only, "Check the file; print nothing but diagnostics");
    auto* emit_opt = app.add_option("--emit", emit, "Stop after a stage and print it: tokens, ast, ir, llvm, ptx, asm, obj")
                         ->check(CLI::IsMember({"tokens", "ast", "ir", "llvm", "ptx", "asm", "obj"}));
    app.add_flag("--verify-diagnostics", options.verify_diagnostics,
                 "Compare diagnostics with the file's expected-error/warning/note comments")
        ->excludes(emit_opt);
    check->excludes(emit_opt);
    app.add_option("--stdlib-dir", options.stdlib_dir, "Read the standard library from DIR instead of the embedded one")
        ->check(CLI::ExistingDirectory);
    app.add_flag("--restrict-paths", options.restrict_paths,
                 "Refuse imports and connection files outside the folder of the input file");
    app.add_option("--error-limit", options.error_limit, "Stop printing errors after N (0: no limit)");
    app.add_flag("--color", options.color, "Colour diagnostics");
    app.add_option("--solver", options.solver, "ODE solver for every model (exact falls back to rk4 where not linear)")
        ->check(CLI::IsMember({"auto", "exact", "rk4", "euler", "exponential_euler", "adaptive"}));
    app.add_option("--solver-tolerance", options.solver_tolerance,
                   "Absolute error allowed per substep of the adaptive solver, in the state's units (default 1e-6, "
                   "NEST's gsl_error_tol)")
        ->check(CLI::PositiveNumber);
    std::vector<std::string> printable;  // each pass once (some run twice), then "all"
    for (const std::string& name : gennc::passes::pass_names())
      if (std::find(printable.begin(), printable.end(), name) == printable.end()) printable.push_back(name);
    printable.push_back("all");
    app.add_option("--print-after", options.print_after, "Print the IR after a pass (or 'all') to standard error")
        ->check(CLI::IsMember(printable));
    app.add_flag("--verify-each,!--no-verify-each", options.verify_each,
                 std::string("Run the IR verifier after every pass (default: ") +
                     (kVerifyEachByDefault ? "on, a debug build)" : "off, a release build)"));
    app.add_option("--dump-dir", options.dump_dir, "Write the IR after each pass to DIR/NN.<pass>.ir");
    app.add_flag("--time-passes", options.time_passes, "Print how long each pass took");
    // Double by default: in single precision the non-linear cells (Izhikevich, AdExp) drift from
    // NEST's spike times by up to 0.6 ms in 1 s, for 0-54% of CPU step time (bench/precision.py).
    auto* float64 = app.add_flag("--double,--float64", options.double_precision,
                                 "Real-valued state and parameters in double precision (the default)");
    app.add_flag_callback("--single,--float32", [&options] { options.double_precision = false; },
                          "Real-valued state and parameters in single precision: faster, and NEST's spike "
                          "times drift for non-linear cells")
        ->excludes(float64);
    app.add_flag("--runtime-parameters", options.runtime_parameters,
                 "Keep each uniform parameter as one settable scalar array (gennc_set_array) instead of a "
                 "compile-time constant");
    app.add_flag("--fuse,!--no-fuse", options.fuse,
                 "Compile spike sources driving a population one to one and current sources injected into a "
                 "whole population into that population's update, where results stay bitwise the same "
                 "(default: on; docs/ir.md, Fused sources)");
    app.add_flag("--merge-rings,!--no-merge-rings", options.merge_rings,
                 "Sum the input of receptors that all add to one variable (IF_curr_delta's excitatory and "
                 "inhibitory) in one ring, as NEST's iaf_psc_delta does: one load and clear a step instead of "
                 "two; rounds differently from a ring per receptor (default: on; docs/ir.md, Merged rings)");
    app.add_flag("--fast-math", options.fast_math,
                 "Let the optimiser reassociate real arithmetic, use reciprocals and ignore the sign of "
                 "zero, as Brian2's -ffast-math does: faster explicit ODE steps, results that differ from "
                 "the default build's in the last bits (NaN and infinity keep their meaning)");
    app.add_option("-O", options.opt_level, "Optimisation level 0..3 (default 2)")->check(CLI::Range(0, 3));
    app.add_option("--march", options.march, "CPU to compile for: an LLVM CPU name or 'native' (default x86-64-v2)");
    app.add_option("--gpu-arch", options.gpu_arch, "GPU architecture of the PTX (default sm_80; the driver compiles it for newer GPUs)");
    app.add_option("--gpu-blocks-per-sm", options.gpu_blocks_per_sm,
                   "Stage kernels' blocks resident per GPU multiprocessor (fewer registers per thread; "
                   "default 0: the PTX assembler decides)")
        ->check(CLI::Range(0, 8));
    app.add_option("--gpu-persistent-steps", options.gpu_persistent_steps,
                   "Whether the PTX has the persistent step (one launch per run of steps; docs/gpu.md): auto (the "
                   "default: for networks of at most 32 step kernels whose stages each update at most 65536 "
                   "neurons, on which it may run faster; it about doubles the PTX's compile time), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    auto* no_gpu = app.add_flag("--no-gpu", options.no_gpu, "Build a CPU-only simulator (no PTX embedded)");
    no_gpu->excludes(emit_opt);
    // One value, split at commas here: a list option would take the input file that follows
    // it for another architecture.
    std::string gpu_sass;
    app.add_option("--gpu-sass", gpu_sass,
                   "Also embed the PTX assembled by ptxas for these GPU architectures (e.g. sm_90), which the "
                   "GPU loads as it is instead of JIT-compiling the PTX on a machine's first run (default: none)")
        ->excludes(emit_opt)
        ->excludes(no_gpu);
    app.add_flag("--shared", options.shared, "Link a shared library exporting the runtime's C ABI instead of `sim`")
        ->excludes(emit_opt);
    app.add_option("--procedural", options.procedural,
                   "Regenerate these projections' synapses on every spike instead of storing them "
                   "(names, or 'all' for every projection that allows it)")
        ->delimiter(',');
    app.add_option("--network", options.network,
                   "Compile this network of the file (default: the first; a note names it when there are several)");
    app.add_option("--runtime-dir", options.runtime_dir,
                   "Link with the runtime libraries in DIR (default: the installed or built ones)");
    app.set_version_flag("--version", std::string("gennc " GENNC_VERSION "\nLLVM " LLVM_VERSION_STRING));
    // `-march=CPU` (the spelling C compilers use) is read as --march.
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::string& arg : args)
      if (arg.rfind("-march=", 0) == 0) arg.insert(0, "-");
    std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
    try {
      app.parse(args);
      for (std::size_t at = 0; !gpu_sass.empty() && at <= gpu_sass.size();) {
        const std::size_t comma = std::min(gpu_sass.find(',', at), gpu_sass.size());
        options.gpu_sass.push_back(gpu_sass.substr(at, comma - at));
        at = comma + 1;
      }
      // Checked here, where --gpu-arch is known too, so that a misspelt architecture is a
      // usage error before anything is compiled.
      if (std::string problem = gpu_sass_problem(options); !problem.empty())
        throw CLI::ValidationError("--gpu-sass", problem);
    } catch (const CLI::ParseError& e) {
      return app.exit(e) == 0 ? kSuccess : kUsageError;
    }
    if (emit == "tokens") options.emit = Emit::Tokens;
    if (emit == "ast") options.emit = Emit::Ast;
    if (emit == "ir") options.emit = Emit::Ir;
    if (emit == "llvm") options.emit = Emit::Llvm;
    if (emit == "ptx") options.emit = Emit::Ptx;
    if (emit == "asm") options.emit = Emit::Asm;
    if (emit == "obj") options.emit = Emit::Obj;
    return compile(options, std::cout, std::cerr);
  } catch (const gennc::ir::InternalError& e) {
    std::cerr << "gennc: internal compiler error " << e.what() << "\nplease report this bug with the input file\n";
  } catch (const std::exception& e) {
    std::cerr << "gennc: internal compiler error: " << e.what() << "\nplease report this bug with the input file\n";
  } catch (...) {
    std::cerr << "gennc: internal compiler error\nplease report this bug with the input file\n";
  }
  return kInternalError;
}
