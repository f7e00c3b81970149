#include "jit.h"

#include <catch2/catch.hpp>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

#include "codegen/codegen.h"
#include "ir/verifier.h"

namespace gennc::codegen::testing {

JitModel::JitModel(const ir::Module& m, int opt_level) {
  const std::vector<std::string> problems = ir::verify(m);
  INFO((problems.empty() ? std::string() : problems.front()));
  REQUIRE(problems.empty());

  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  Options options;
  options.opt_level = opt_level;
  std::unique_ptr<HostTarget> target = make_host_target(options, diags);
  REQUIRE(target != nullptr);

  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> module = generate_module(m, *context, *target, options, nullptr, nullptr);
  llvm::raw_string_ostream text(optimized_ir_);
  module->print(text, nullptr);

  // The JIT generates code for the same baseline CPU as gennc's host target.
  llvm::orc::JITTargetMachineBuilder machine{llvm::Triple(llvm::sys::getDefaultTargetTriple())};
  machine.setCPU(target->machine().getTargetCPU().str());
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(machine)).create();
  REQUIRE(static_cast<bool>(jit));
  jit_ = std::move(*jit);
  // libm (exp, expm1, ...) resolves from the test process.
  jit_->getMainJITDylib().addGenerator(llvm::cantFail(
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit_->getDataLayout().getGlobalPrefix())));
  REQUIRE(!jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context))));
  auto address = jit_->lookup("gennc_model");
  REQUIRE(static_cast<bool>(address));
  model_ = address->toPtr<const GenncModel*>();
}

JitModel::~JitModel() = default;

void JitModel::run(std::uint32_t kernel, const std::vector<void*>& arrays, std::uint32_t begin, std::uint32_t end,
                   std::uint64_t step, std::uint64_t seed, const std::uint32_t* post_ranges) const {
  REQUIRE(kernel < model_->kernel_count);
  REQUIRE(arrays.size() == model_->array_count);
  std::vector<std::uint64_t> lengths(arrays.size(), 0);
  const GenncKernelEnv env{arrays.data(), lengths.data(), 0.1 * static_cast<double>(step), 0.1, step, seed,
                           nullptr, 0, nullptr, 0, post_ranges};
  model_->kernels[kernel].host(&env, begin, end);
}

ir::Module one_population(std::uint32_t size) {
  ir::Module m;
  m.network_name = "test";
  m.source_path = "test.gdsl";
  m.stage = ir::Stage::Lowered;
  m.real = ir::Type::F32;
  ir::Population pop;
  pop.name = "pop";
  pop.model = "Test";
  pop.size = size;
  m.populations.push_back(pop);
  m.populations[0].spike_count_array = add_array(m, "pop.spike_count", GENNC_U32, GENNC_SCOPE_SCALAR);
  m.populations[0].spike_list_array = add_array(m, "pop.spike_list", GENNC_U32);
  m.populations[0].ring_depth_array = add_array(m, "pop.ring_depth", GENNC_U32, GENNC_SCOPE_SCALAR);
  return m;
}

ir::ArrayId add_array(ir::Module& m, const std::string& name, GenncDType dtype, GenncArrayScope scope) {
  ir::Array a;
  a.name = name;
  a.dtype = dtype;
  a.scope = scope;
  a.owner = 0;
  a.flags = GENNC_ARRAY_STATE;
  return m.add_array(std::move(a));
}

}  // namespace gennc::codegen::testing
