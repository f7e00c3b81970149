// HoistLoadsPass: a load moves above the writes it cannot alias (with its address), stops
// at the first write after what it must follow, and never passes an aliasing write, a
// fence or a block barrier.
#include <catch2/catch.hpp>

#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/SourceMgr.h>

#include <string>
#include <vector>

#include "codegen/hoist_loads.h"

namespace {

// The names of `source`'s function @f's instructions after the pass, in order.
std::vector<std::string> after_pass(const char* source) {
  llvm::LLVMContext context;
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(source, error, context);
  REQUIRE(module != nullptr);
  llvm::PassBuilder builder;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager analyses;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(analyses);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, analyses, sccs, modules);
  llvm::Function& f = *module->getFunction("f");
  gennc::codegen::HoistLoadsPass().run(f, analyses);
  REQUIRE_FALSE(llvm::verifyFunction(f, &llvm::errs()));
  std::vector<std::string> names;
  for (llvm::Instruction& i : f.getEntryBlock())
    names.push_back(i.hasName() ? i.getName().str() : std::string(i.getOpcodeName()));
  return names;
}

}  // namespace

TEST_CASE("a load moves above the writes it cannot alias, just above the first", "[codegen][hoist]") {
  const char* source = R"(
declare void @llvm.nvvm.barrier0() convergent
define void @f(ptr noalias %a, ptr noalias %b, ptr noalias %c, i64 %i) {
  %x = load float, ptr %a
  %y = fadd float %x, 1.0
  store float 0.0, ptr %a
  %p = getelementptr float, ptr %b, i64 %i
  %z = load float, ptr %p
  store float %z, ptr %c
  %w = load float, ptr %c
  fence seq_cst
  %v = load float, ptr %b
  call void @llvm.nvvm.barrier0()
  %u = load float, ptr %b
  ret void
}
)";
  // %z and its address go above the store to %a (no further: %y stays before them); %w
  // reads what the store to %c wrote; %v stays after the fence, %u after the barrier.
  const std::vector<std::string> expected{"x", "y", "p", "z", "store", "store", "w", "fence", "v", "call", "u", "ret"};
  CHECK(after_pass(source) == expected);
}

TEST_CASE("a load never passes a write it may alias", "[codegen][hoist]") {
  const char* source = R"(
define void @f(ptr %a, ptr %b) {
  store float 0.0, ptr %a
  %x = load float, ptr %b
  ret void
}
)";
  const std::vector<std::string> expected{"store", "x", "ret"};
  CHECK(after_pass(source) == expected);
}
