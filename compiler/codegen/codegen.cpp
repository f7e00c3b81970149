#include "codegen/codegen.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FileUtilities.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>
#include <functional>
#include <optional>
#include <system_error>
#include <thread>

#include "codegen/compile_host_parts.h"
#include "codegen/debug_info.h"
#include "codegen/device_library.h"
#include "codegen/emit_kernels.h"
#include "codegen/emit_machine_code.h"
#include "codegen/emit_model_table.h"
#include "codegen/link_simulator.h"
#include "codegen/merge_called_bodies.h"
#include "codegen/optimize_module.h"
#include "codegen/second_thread.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

// Records the seconds since the last mark under a name.
class StepTimer {
 public:
  explicit StepTimer(Timings* timings) : timings_(timings), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* step) {
    const auto now = std::chrono::steady_clock::now();
    if (timings_ != nullptr) timings_->emplace_back(step, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  Timings* timings_;
  std::chrono::steady_clock::time_point last_;
};

void verify_or_abort(const llvm::Module& module, const char* when) {
  std::string problems;
  llvm::raw_string_ostream out(problems);
  if (llvm::verifyModule(module, &out))
    ir::internal_error("codegen", std::string("invalid LLVM module ") + when + ":\n" + out.str());
}

bool uses_device_library(const llvm::Module& module) {
  for (const llvm::Function& fn : module)
    if (fn.isDeclaration() && fn.getName().starts_with("gennc_rand_")) return true;
  return false;
}

std::unique_ptr<llvm::Module> new_module(const ir::Module& ir, llvm::LLVMContext& context, const Target& target) {
  auto module = std::make_unique<llvm::Module>(ir.network_name, context);
  module->setTargetTriple(target.machine().getTargetTriple().str());
  module->setDataLayout(target.machine().createDataLayout());
  module->setSourceFileName(ir.source_path);
  return module;
}

// The CPU of GenncKernelInfo.host_v4 (the runtime's test for it must match).
constexpr const char* kWideHostCpu = "x86-64-v4";

// The host bodies that differ only in constants merged into one (merge_called_bodies.h),
// so that each shape is optimised and emitted once; then a body that several entries call
// is kept out of line (and, where the host code is compiled in parts, compiled in one part
// like an entry), and a body with one caller is inlined. Returns the out-of-line bodies.
std::vector<llvm::Function*> share_host_bodies(llvm::Module& module) {
  // Unmarked, so that a body shared already and one still inlined compare equal.
  for (llvm::Function& fn : module)
    if (fn.hasFnAttribute(kCalledBodyAttribute)) {
      fn.removeFnAttr(llvm::Attribute::AlwaysInline);
      fn.removeFnAttr(llvm::Attribute::NoInline);
    }
  merge_called_bodies(module, kHostTableSpace);
  std::vector<llvm::Function*> shared;
  for (llvm::Function& fn : module) {
    if (!fn.hasFnAttribute(kCalledBodyAttribute)) continue;
    if (fn.getNumUses() > 1) {
      fn.addFnAttr(llvm::Attribute::NoInline);
      shared.push_back(&fn);
    } else {
      fn.addFnAttr(llvm::Attribute::AlwaysInline);
    }
  }
  return shared;
}

// The kernels and synapse functions of `ir` in `module`, and what gennc_model needs besides
// the PTX; in `shared_bodies` (when given) the kernel bodies that several host entries
// call (share_host_bodies).
ModelTableInputs lower_kernels(const ir::Module& ir, llvm::Module& module, const Target& target,
                               const Options& options, const diag::SourceManager* sources,
                               std::vector<llvm::Function*>* shared_bodies = nullptr) {
  std::unique_ptr<DebugInfo> debug;
  if (options.debug_info && sources != nullptr) debug = std::make_unique<DebugInfo>(module, *sources, ir.source_path);
  const auto* host = dynamic_cast<const HostTarget*>(&target);
  // One cache per kind of entry: their bodies differ in CPU or in how they add.
  SharedBodies plain, plain_alone, wide, wide_alone;
  auto sharing = [&](SharedBodies& cache) { return host != nullptr ? &cache : nullptr; };
  const LoweringContext lowering{ir, module, target, debug.get(), {}, options.fast_math, sharing(plain)};
  ModelTableInputs table;
  table.kernels = emit_kernels(lowering);
  // At -O3 the host code gets more entries per kernel, which the CPU engine picks at run
  // time: each at least doubles the host code's compile time (the microcircuit's compile
  // went from 0.9 to 2.6 s with both), which -O2, the default, does not spend.
  if (host != nullptr && options.opt_level >= 3) {
    // Plain adds for a pool of one thread (x86 has no atomic float add).
    const HostTargetAlone alone(*host);
    table.kernels_alone =
        emit_kernels_alone({ir, module, alone, debug.get(), {}, options.fast_math, &plain_alone});
    // Built for the default CPU, a binary also carries its kernels for AVX-512, which the
    // runtime takes where the CPU has it: the same results, up to 4x the doubles per
    // instruction (Vogels-Abbott CUBA 2.4x faster). An explicit --march is taken as it is.
    if (options.cpu.arch == HostCpu{}.arch) {
      table.kernels_v4 = emit_kernels({ir, module, target, debug.get(), kWideHostCpu, options.fast_math, &wide});
      table.kernels_v4_alone =
          emit_kernels_alone({ir, module, alone, debug.get(), kWideHostCpu, options.fast_math, &wide_alone});
    }
  }
  if (host != nullptr) {
    std::vector<llvm::Function*> shared = share_host_bodies(module);
    if (shared_bodies != nullptr) *shared_bodies = std::move(shared);
  }
  table.synapse_functions = emit_synapse_functions(lowering);
  table.compiler_version = "gennc " GENNC_VERSION " (LLVM " LLVM_VERSION_STRING ")";
  table.build_seconds = options.build_seconds;
  if (debug != nullptr) debug->finalize();
  return table;
}

// Links the device library where the kernels draw random numbers.
void link_library(llvm::Module& module, StepTimer& timer) {
  if (uses_device_library(module)) {
    std::string error;
    if (!link_device_library(module, &error)) ir::internal_error("codegen", error);
  }
  verify_or_abort(module, "after lowering");
  timer.mark("codegen.link-device-library");
}

// Links the device library, then optimises.
void finish_module(llvm::Module& module, const Target& target, const Options& options, StepTimer& timer) {
  link_library(module, timer);
  optimize_module(module, target.machine(), options.opt_level);
  timer.mark("llvm.optimize");
}

// The functions gennc_model points to: every host entry of every kernel, and the synapse
// functions.
std::vector<llvm::Function*> entries_of(const ModelTableInputs& table) {
  std::vector<llvm::Function*> entries;
  for (const std::vector<llvm::Function*>* functions :
       {&table.kernels, &table.kernels_alone, &table.kernels_v4, &table.kernels_v4_alone, &table.synapse_functions})
    for (llvm::Function* fn : *functions)
      if (fn != nullptr) entries.push_back(fn);
  return entries;
}

// The entries (and shared bodies) made hidden symbols of the kernels' object, so that the
// table can be compiled apart from them. Their names carry a '.' ("exc.update"), so they
// meet no C or C++ symbol of the runtime.
void export_to_table(const std::vector<llvm::Function*>& entries) {
  for (llvm::Function* fn : entries) {
    fn->setLinkage(llvm::GlobalValue::ExternalLinkage);
    fn->setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
}

// `functions`, declared in `module` under the same names and types.
std::vector<llvm::Function*> declare_in(llvm::Module& module, const std::vector<llvm::Function*>& functions) {
  std::vector<llvm::Function*> declared;
  for (llvm::Function* fn : functions) {
    if (fn == nullptr) {
      declared.push_back(nullptr);
      continue;
    }
    auto* declaration =
        llvm::Function::Create(fn->getFunctionType(), llvm::GlobalValue::ExternalLinkage, fn->getName(), module);
    declaration->setVisibility(llvm::GlobalValue::HiddenVisibility);
    declared.push_back(declaration);
  }
  return declared;
}

// `bytes` in a temporary file, removed when `remover` goes; reports a failure to `diags`.
std::optional<std::string> write_temporary(const std::string& bytes, llvm::FileRemover& remover,
                                           diag::Diagnostics& diags) {
  llvm::SmallString<128> temporary;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("gennc", "o", fd, temporary)) {
    diags.report(diag::DiagId::cannot_write_output, diag::SourceRange{}, "a temporary object file", ec.message());
    return std::nullopt;
  }
  remover.setFile(temporary);
  llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
  out << bytes;
  out.close();
  if (out.has_error()) {
    diags.report(diag::DiagId::cannot_write_output, diag::SourceRange{}, std::string(temporary),
                 out.error().message());
    out.clear_error();
    return std::nullopt;
  }
  return std::string(temporary);
}

}  // namespace

std::unique_ptr<HostTarget> make_host_target(const Options& options, diag::Diagnostics& diags) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = create_host_target_machine(options.cpu, options.opt_level, &error);
  if (machine == nullptr) {
    diags.report(diag::DiagId::target_machine_failed, diag::SourceRange{}, "the host CPU", error);
    return nullptr;
  }
  return std::make_unique<HostTarget>(std::move(machine));
}

std::unique_ptr<llvm::Module> generate_module(const ir::Module& ir, llvm::LLVMContext& context,
                                              const Target& target, const Options& options,
                                              const diag::SourceManager* sources, Timings* timings) {
  StepTimer timer(timings);
  std::unique_ptr<llvm::Module> module = new_module(ir, context, target);
  ModelTableInputs table = lower_kernels(ir, *module, target, options, sources);
  emit_model_table(ir, *module, table);
  timer.mark("codegen.lower");
  finish_module(*module, target, options, timer);
  return module;
}

std::string emit_file(llvm::Module& module, const Target& target, FileKind kind, Timings* timings) {
  StepTimer timer(timings);
  std::string bytes;
  llvm::raw_string_ostream out(bytes);
  if (kind == FileKind::LlvmIr) {
    module.print(out, nullptr);
  } else {
    llvm::buffer_ostream buffer(out);
    std::string error;
    if (!emit_machine_code(module, target.machine(),
                           kind == FileKind::Assembly ? MachineCodeKind::Assembly : MachineCodeKind::Object, buffer,
                           &error))
      ir::internal_error("codegen", error);
  }
  out.flush();
  timer.mark("llvm.emit");
  return bytes;
}

bool build_binary(const ir::Module& ir, const HostTarget& target, const Options& options,
                  const diag::SourceManager* sources, const GpuPipeline& gpu, const BinaryOutput& output,
                  diag::Diagnostics& diags, Timings* timings) {
  const auto started = std::chrono::steady_clock::now();
  Timings gpu_timings;
  diag::Diagnostics gpu_diags(diags.sources(), nullptr);
  std::optional<EmbeddedPtx> ptx;
  std::optional<SecondThread> gpu_thread;
  if (gpu) gpu_thread.emplace([&] { ptx = gpu(gpu_diags, timings != nullptr ? &gpu_timings : nullptr); });

  // The host pipeline, in a context of this thread's own.
  llvm::LLVMContext context;
  StepTimer timer(timings);
  std::unique_ptr<llvm::Module> module = new_module(ir, context, target);
  std::vector<llvm::Function*> shared_bodies;
  ModelTableInputs table = lower_kernels(ir, *module, target, options, sources, &shared_bodies);
  // A shared body is compiled in one part, like an entry, and called from the others.
  std::vector<llvm::Function*> entries = entries_of(table);
  entries.insert(entries.end(), shared_bodies.begin(), shared_bodies.end());
  export_to_table(entries);
  timer.mark("codegen.lower");
  std::vector<std::string> kernel_objects;
  // With the GPU pipeline on the second thread the host code stays in one part; without
  // it the cores it would use share the host code (compile_host_parts.h).
  const unsigned parts = gpu ? 1 : host_part_count(entries);
  if (parts > 1) {
    link_library(*module, timer);
    kernel_objects = compile_host_parts(*module, entries, parts, options, timings);
  } else {
    finish_module(*module, target, options, timer);
    kernel_objects.push_back(emit_file(*module, target, FileKind::Object, timings));
  }

  if (gpu_thread) {
    gpu_thread->join();
    if (timings != nullptr) {
      timings->insert(timings->end(), gpu_timings.begin(), gpu_timings.end());
      timings->emplace_back("codegen.parallel",
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    // A builder commits (prints and counts) a collected diagnostic again in this sink.
    for (const diag::Diagnostic& d : gpu_diags.all()) {
      diag::DiagBuilder replay(&diags, d);
    }
    if (gpu_diags.has_errors()) return false;
  }

  StepTimer table_timer(timings);
  std::unique_ptr<llvm::Module> table_module = new_module(ir, context, target);
  table.kernels = declare_in(*table_module, table.kernels);
  table.kernels_alone = declare_in(*table_module, table.kernels_alone);
  table.kernels_v4 = declare_in(*table_module, table.kernels_v4);
  table.kernels_v4_alone = declare_in(*table_module, table.kernels_v4_alone);
  table.synapse_functions = declare_in(*table_module, table.synapse_functions);
  if (ptx) {
    table.ptx = std::move(ptx->text);
    table.ptx_entries = std::move(ptx->entries);
    table.cubins = std::move(ptx->cubins);
  }
  emit_model_table(ir, *table_module, table);
  verify_or_abort(*table_module, "after the model table");
  std::string table_object;
  {
    llvm::raw_string_ostream out(table_object);
    llvm::buffer_ostream buffer(out);
    std::string error;
    if (!emit_machine_code(*table_module, target.machine(), MachineCodeKind::Object, buffer, &error))
      ir::internal_error("codegen", error);
  }
  table_timer.mark("codegen.model-table");

  std::optional<RuntimeLibraries> libraries = find_runtime_libraries(output.runtime_dir, diags);
  if (!libraries) return false;
  std::vector<llvm::FileRemover> removers(kernel_objects.size() + 1);
  std::vector<std::string> object_paths;
  for (std::size_t k = 0; k <= kernel_objects.size(); ++k) {
    const std::optional<std::string> path =
        write_temporary(k < kernel_objects.size() ? kernel_objects[k] : table_object, removers[k], diags);
    if (!path) return false;
    object_paths.push_back(*path);
  }
  const bool linked =
      link_simulator(object_paths, output.path,
                     output.kind == BinaryKind::SharedLibrary ? LinkKind::SharedLibrary : LinkKind::Executable,
                     *libraries, diags);
  table_timer.mark("link");
  return linked;
}

}  // namespace gennc::codegen
