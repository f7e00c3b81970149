#include "codegen/codegen.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FileUtilities.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>

#include "codegen/debug_info.h"
#include "codegen/device_library.h"
#include "codegen/emit_kernels.h"
#include "codegen/emit_machine_code.h"
#include "codegen/emit_model_table.h"
#include "codegen/link_simulator.h"
#include "codegen/optimize_module.h"
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
  auto module = std::make_unique<llvm::Module>(ir.network_name, context);
  module->setTargetTriple(target.machine().getTargetTriple().str());
  module->setDataLayout(target.machine().createDataLayout());
  module->setSourceFileName(ir.source_path);

  std::unique_ptr<DebugInfo> debug;
  if (options.debug_info && sources != nullptr) debug = std::make_unique<DebugInfo>(*module, *sources, ir.source_path);
  const LoweringContext lowering{ir, *module, target, debug.get()};
  ModelTableInputs table;
  table.kernels = emit_kernels(lowering);
  table.synapse_functions = emit_synapse_functions(lowering);
  table.compiler_version = "gennc " GENNC_VERSION " (LLVM " LLVM_VERSION_STRING ")";
  table.build_seconds = options.build_seconds;
  table.ptx = options.ptx.text;
  table.ptx_entries = options.ptx.entries;
  emit_model_table(ir, *module, table);
  if (debug != nullptr) debug->finalize();
  timer.mark("codegen.lower");

  if (uses_device_library(*module)) {
    std::string error;
    if (!link_device_library(*module, &error)) ir::internal_error("codegen", error);
  }
  verify_or_abort(*module, "after lowering");
  timer.mark("codegen.link-device-library");

  optimize_module(*module, target.machine(), options.opt_level);
  timer.mark("llvm.optimize");
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

bool build_binary(llvm::Module& module, const Target& target, BinaryKind kind, const std::string& path,
                  const std::string& runtime_dir, diag::Diagnostics& diags, Timings* timings) {
  const std::string object = emit_file(module, target, FileKind::Object, timings);
  StepTimer timer(timings);
  std::optional<RuntimeLibraries> libraries = find_runtime_libraries(runtime_dir, diags);
  if (!libraries) return false;

  llvm::SmallString<128> temporary;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("gennc", "o", fd, temporary)) {
    diags.report(diag::DiagId::cannot_write_output, diag::SourceRange{}, "a temporary object file", ec.message());
    return false;
  }
  llvm::FileRemover remove_temporary(temporary);
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << object;
    out.close();
    if (out.has_error()) {
      diags.report(diag::DiagId::cannot_write_output, diag::SourceRange{}, std::string(temporary),
                   out.error().message());
      out.clear_error();
      return false;
    }
  }
  const bool linked = link_simulator(std::string(temporary), path,
                                     kind == BinaryKind::SharedLibrary ? LinkKind::SharedLibrary : LinkKind::Executable,
                                     *libraries, diags);
  timer.mark("link");
  return linked;
}

}  // namespace gennc::codegen
