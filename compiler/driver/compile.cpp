#include "driver/compile.h"

#include <fmt/format.h>
#include <llvm/IR/LLVMContext.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <ostream>

#include "ast/printer.h"
#include "codegen/codegen.h"
#include "codegen/targets/nvptx/assemble_ptx.h"
#include "codegen/targets/nvptx/generate_ptx.h"
#include "diag/diagnostics.h"
#include "diag/verify.h"
#include "parse/parse.h"
#include "ir/printer.h"
#include "lower/lower_program.h"
#include "passes/pipeline.h"
#include "sema/program.h"

namespace gennc::driver {

namespace {

// Writes a dump to -o (or `out`); a file that cannot be written is a user error.
bool write_output(const Options& options, std::ostream& out, diag::Diagnostics& diags, const std::string& text) {
  if (options.output.empty()) {
    out << text;
    return true;
  }
  std::ofstream file(options.output, std::ios::binary);
  if (file) file << text;
  if (!file) {
    diags.report(diag::DiagId::cannot_write_output, {}, options.output, std::strerror(errno));
    return false;
  }
  return true;
}

// Whether `a` and `b` name one existing file (the same device and inode, whatever the
// spelling: `./x`, a link).
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Reports an output path that is a file the compilation reads: the input, an imported file
// or (with `program`) a connection file. The output is -o, or `sim` for a linked binary.
bool output_overwrites_input(const Options& options, const diag::SourceManager& sources, diag::FileId input,
                             const sema::Program* program, diag::Diagnostics& diags) {
  if (options.check_only || options.verify_diagnostics) return false;
  const std::string output = !options.output.empty() ? options.output : options.emit == Emit::None ? "sim" : "";
  if (output.empty()) return false;
  auto report = [&](const std::string& what) {
    diags.report(diag::DiagId::output_is_input, {}, output, what);
    return true;
  };
  for (diag::FileId f = 1; f <= sources.file_count(); ++f)
    if (same_file(output, sources.path(f)))
      return report(f == input ? std::string("the input file") : "the imported file '" + sources.path(f) + "'");
  if (program != nullptr)
    for (const auto& network : program->networks)
      for (const sema::Projection& p : network->projections)
        if (!p.connector.file.empty() && same_file(output, p.connector.file))
          return report("the connection file of projection '" + p.name + "'");
  return false;
}

// The network to compile: the one --network names, else the first, with a note saying so
// when the file declares several. Null after reporting a name the file does not declare.
const sema::Network* choose_network(const Options& options, const sema::Program& program, diag::Diagnostics& diags) {
  const auto& networks = program.networks;
  if (!options.network.empty()) {
    std::string names;
    for (const auto& n : networks) {
      if (n->name == options.network) return n.get();
      names += (names.empty() ? "'" : ", '") + n->name + "'";
    }
    diags.report(diag::DiagId::unknown_network, {}, options.network, names);
    return nullptr;
  }
  // Under --verify-diagnostics nothing is built, so there is nothing to say.
  if (networks.size() > 1 && !options.verify_diagnostics)
    diags.report(diag::DiagId::network_chosen, {}, networks.front()->name, networks.size());
  return networks.front().get();
}

}  // namespace

std::string gpu_sass_problem(const Options& options) {
  for (const std::string& arch : options.gpu_sass)
    if (std::string problem = codegen::sass_arch_problem(arch, options.gpu_arch); !problem.empty()) return problem;
  return "";
}

int compile(const Options& options, std::ostream& out, std::ostream& err) {
  const auto started = std::chrono::steady_clock::now();
  diag::SourceManager sources;
  // Under --verify-diagnostics nothing is printed: the diagnostics are compared instead.
  diag::Diagnostics diags(sources, options.verify_diagnostics ? nullptr : &err);
  diags.set_error_limit(options.verify_diagnostics ? 0 : options.error_limit);
  diags.set_color(options.color);
  auto finish = [&](diag::FileId file) {
    if (options.verify_diagnostics)
      return diag::verify(sources, file, diags.all(), err) ? kSuccess : kUserError;
    return diags.has_errors() ? kUserError : kSuccess;
  };

  std::string why;
  auto file = sources.load_file(options.input, &why);
  if (!file) {
    diag::Diagnostics direct(sources, &err);
    direct.report(diag::DiagId::file_not_found, {}, options.input, why);
    return kUserError;
  }

  if (output_overwrites_input(options, sources, *file, nullptr, diags)) return finish(*file);

  if (options.emit == Emit::Tokens) {
    std::string tokens = parse::dump_tokens(*file, diags);
    write_output(options, out, diags, tokens);
    return finish(*file);
  }

  std::unique_ptr<ast::Module> module = parse::parse_module(*file, diags);
  if (options.emit == Emit::Ast) {
    write_output(options, out, diags, ast::to_text(*module, sources));
    return finish(*file);
  }

  // Semantic analysis also runs after syntax errors (it tolerates the holes they leave), so
  // that one run reports as much as it can; IR lowering and code generation follow it.
  std::unique_ptr<sema::Program> program = sema::check(std::move(module), sources, diags,
                                                               {options.stdlib_dir, options.procedural, options.restrict_paths});
  if (diags.has_errors() || options.check_only || program->networks.empty()) return finish(*file);
  if (output_overwrites_input(options, sources, *file, program.get(), diags)) return finish(*file);

  // Lowering to the IR and the passes (compiler/lower, compiler/passes).
  lower::LowerOptions lower;
  lower.real = options.double_precision ? ir::Type::F64 : ir::Type::F32;
  lower.procedural_where_possible =
      std::find(options.procedural.begin(), options.procedural.end(), "all") != options.procedural.end();
  const sema::Network* network = choose_network(options, *program, diags);
  if (network == nullptr) return finish(*file);
  std::unique_ptr<ir::Module> ir = lower::lower_program(*program, *network, sources, lower);
  passes::PipelineOptions pipeline;
  if (!options.solver.empty()) pipeline.passes.solver = ir::parse_solver(options.solver);
  pipeline.passes.solver_tolerance = options.solver_tolerance;
  pipeline.passes.runtime_parameters = options.runtime_parameters;
  pipeline.passes.fuse = options.fuse;
  pipeline.passes.merge_rings = options.merge_rings;
  pipeline.print_after = options.print_after;
  pipeline.verify_each = options.verify_each;
  pipeline.dump_dir = options.dump_dir;
  pipeline.time_passes = options.time_passes;
  pipeline.log = &err;
  pipeline.sources = &sources;
  if (!passes::run_pipeline(*ir, pipeline, diags)) return finish(*file);
  if (options.emit == Emit::Ir) {
    write_output(options, out, diags, ir::print(*ir));
    return finish(*file);
  }
  if (options.verify_diagnostics) return finish(*file);

  // Code generation (compiler/codegen): LLVM IR, assembly or an object for --emit, else a
  // linked `sim` or shared library.
  const bool link = options.emit == Emit::None;
  codegen::Options generate;
  generate.opt_level = options.opt_level;
  generate.fast_math = options.fast_math;
  if (!options.march.empty()) generate.cpu.arch = options.march;
  generate.gpu_arch = options.gpu_arch;
  generate.gpu_blocks_per_sm = options.gpu_blocks_per_sm;
  generate.gpu_sass = options.gpu_sass;
  generate.gpu_persistent_steps = options.gpu_persistent_steps == "always"  ? codegen::Options::PersistentSteps::Always
                                  : options.gpu_persistent_steps == "never" ? codegen::Options::PersistentSteps::Never
                                                                            : codegen::Options::PersistentSteps::Auto;
  codegen::Timings timings;
  std::unique_ptr<codegen::NvptxTarget> gpu;
  if (options.emit == Emit::Ptx || (link && !options.no_gpu)) {
    gpu = codegen::make_nvptx_target(generate, diags);
    if (gpu == nullptr) return finish(*file);
  }
  // Machine code is asked for: without ptxas nothing is built, rather than a binary
  // that JIT-compiles after all.
  std::string ptxas;
  if (link && !generate.gpu_sass.empty()) {
    std::string searched;
    ptxas = codegen::find_ptxas(&searched);
    if (ptxas.empty()) {
      diags.report(diag::DiagId::ptxas_not_found, {}, searched);
      return finish(*file);
    }
  }
  if (options.emit == Emit::Ptx) {
    std::optional<codegen::EmbeddedPtx> ptx = codegen::generate_ptx(*ir, *gpu, generate, false, diags, &timings);
    if (ptx) write_output(options, out, diags, ptx->text);
  } else {
    std::unique_ptr<codegen::HostTarget> target = codegen::make_host_target(generate, diags);
    if (target == nullptr) return finish(*file);
    if (link) {
      // Dumps stay reproducible; a linked model records how long it took to build.
      generate.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      // A `sim` embeds PTX where it can: without libdevice it is built for the CPU only,
      // unless --gpu-sass asks for machine code, which then must be there. ptxas runs on
      // the GPU pipeline's thread, still beside the host code's compilation.
      codegen::GpuPipeline make_ptx;
      if (gpu != nullptr)
        make_ptx = [&](diag::Diagnostics& gpu_diags,
                       codegen::Timings* gpu_timings) -> std::optional<codegen::EmbeddedPtx> {
          std::optional<codegen::EmbeddedPtx> ptx =
              codegen::generate_ptx(*ir, *gpu, generate, generate.gpu_sass.empty(), gpu_diags, gpu_timings);
          if (!ptx || generate.gpu_sass.empty()) return ptx;
          std::optional<std::vector<codegen::Cubin>> cubins =
              codegen::assemble_ptx(ptxas, ptx->text, generate.gpu_sass, gpu_diags, gpu_timings);
          if (!cubins) return std::nullopt;
          ptx->cubins = std::move(*cubins);
          return ptx;
        };
      codegen::BinaryOutput binary;
      binary.kind = options.shared ? codegen::BinaryKind::SharedLibrary : codegen::BinaryKind::Executable;
      binary.path = options.output.empty() ? "sim" : options.output;
      binary.runtime_dir = options.runtime_dir;
      codegen::build_binary(*ir, *target, generate, &sources, make_ptx, binary, diags, &timings);
    } else {
      llvm::LLVMContext context;
      std::unique_ptr<llvm::Module> code =
          codegen::generate_module(*ir, context, *target, generate, &sources, &timings);
      const codegen::FileKind kind = options.emit == Emit::Llvm  ? codegen::FileKind::LlvmIr
                                     : options.emit == Emit::Asm ? codegen::FileKind::Assembly
                                                                 : codegen::FileKind::Object;
      write_output(options, out, diags, codegen::emit_file(*code, *target, kind, &timings));
    }
  }
  if (options.time_passes) {
    // In the order the steps run (the host's, then the GPU's, whichever thread finished first).
    err << "===== code generation times =====\n";
    for (const auto& [name, seconds] : timings) err << fmt::format("{:10.3f} ms  {}\n", seconds * 1e3, name);
  }
  return finish(*file);
}

}  // namespace gennc::driver
