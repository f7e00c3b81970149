// merge_called_bodies: marked bodies that differ only in constants become one function with
// a table per body; a body that differs in structure, or in a constant that must stay one
// (an immarg argument, a GEP struct index, a switch case), keeps its own function.
#include <catch2/catch.hpp>

#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/raw_ostream.h>

#include <string>
#include <vector>

#include "codegen/merge_called_bodies.h"

namespace {

std::unique_ptr<llvm::Module> parse(const char* source, llvm::LLVMContext& context) {
  llvm::SMDiagnostic error;
  std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(source, error, context);
  if (module == nullptr) error.print("merge_called_bodies_test", llvm::errs());
  REQUIRE(module != nullptr);
  return module;
}

// The callees of @entry's calls, in order.
std::vector<std::string> callees(llvm::Module& module) {
  std::vector<std::string> names;
  for (llvm::Instruction& inst : module.getFunction("entry")->getEntryBlock())
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(&inst)) names.push_back(call->getCalledFunction()->getName().str());
  return names;
}

// b0, b1 and b2 differ in constants only (b0 and b2 share the multiplier); b3 adds where
// they multiply; b4 is b0's shape with other constants but not marked.
const char* const kBodies = R"(
define internal void @b0(ptr addrspace(1) %a, i32 %n) #0 {
  %x = load float, ptr addrspace(1) %a
  %y = fmul float %x, 2.5
  %c = icmp ult i32 %n, 100
  %z = select i1 %c, float %y, float 1.0
  store float %z, ptr addrspace(1) %a
  ret void
}
define internal void @b1(ptr addrspace(1) %a, i32 %n) #0 {
  %x = load float, ptr addrspace(1) %a
  %y = fmul float %x, 3.5
  %c = icmp ult i32 %n, 200
  %z = select i1 %c, float %y, float 1.0
  store float %z, ptr addrspace(1) %a
  ret void
}
define internal void @b2(ptr addrspace(1) %a, i32 %n) #0 {
  %x = load float, ptr addrspace(1) %a
  %y = fmul float %x, 2.5
  %c = icmp ult i32 %n, 300
  %z = select i1 %c, float %y, float 1.0
  store float %z, ptr addrspace(1) %a
  ret void
}
define internal void @b3(ptr addrspace(1) %a, i32 %n) #0 {
  %x = load float, ptr addrspace(1) %a
  %y = fadd float %x, 2.5
  %c = icmp ult i32 %n, 100
  %z = select i1 %c, float %y, float 1.0
  store float %z, ptr addrspace(1) %a
  ret void
}
define internal void @b4(ptr addrspace(1) %a, i32 %n) #1 {
  %x = load float, ptr addrspace(1) %a
  %y = fmul float %x, 4.5
  %c = icmp ult i32 %n, 400
  %z = select i1 %c, float %y, float 1.0
  store float %z, ptr addrspace(1) %a
  ret void
}
define void @entry(ptr addrspace(1) %a, i32 %n) {
  call void @b0(ptr addrspace(1) %a, i32 %n)
  call void @b1(ptr addrspace(1) %a, i32 %n)
  call void @b2(ptr addrspace(1) %a, i32 %n)
  call void @b3(ptr addrspace(1) %a, i32 %n)
  call void @b4(ptr addrspace(1) %a, i32 %n)
  call void @b1(ptr addrspace(1) %a, i32 %n)
  ret void
}
attributes #0 = { noinline "gennc-called-body" }
attributes #1 = { noinline }
)";

}  // namespace

TEST_CASE("bodies that differ only in constants become one function with a table each", "[codegen][merge]") {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = parse(kBodies, context);
  const gennc::codegen::MergedBodies merged = gennc::codegen::merge_called_bodies(*module, gennc::codegen::kGpuTableSpace);
  REQUIRE_FALSE(llvm::verifyModule(*module, &llvm::errs()));
  CHECK(merged.groups == 1);
  CHECK(merged.removed == 3);
  for (const char* gone : {"b0", "b1", "b2"}) CHECK(module->getFunction(gone) == nullptr);
  for (const char* kept : {"b3", "b4", "entry", "b0_merged"}) CHECK(module->getFunction(kept) != nullptr);
  std::size_t functions = 0;
  for (llvm::Function& fn : *module) functions += fn.isDeclaration() ? 0 : 1;
  CHECK(functions == 4);  // b0_merged, b3, b4, entry
  CHECK(callees(*module) == std::vector<std::string>{"b0_merged", "b0_merged", "b0_merged", "b3", "b4", "b0_merged"});

  // Each call passes its body's table; b1 is called twice, with b1's table both times.
  std::vector<std::string> tables;
  for (llvm::Instruction& inst : module->getFunction("entry")->getEntryBlock())
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(&inst); call != nullptr && call->arg_size() == 3)
      tables.push_back(call->getArgOperand(2)->getName().str());
  CHECK(tables == std::vector<std::string>{"b0_constants", "b1_constants", "b2_constants", "b1_constants"});

  // A table holds the constants that differ between members, the multiplier and the bound;
  // the select's 1.0, the same in all, stays in the code.
  auto table = [&](const char* name) {
    llvm::GlobalVariable* global = module->getGlobalVariable(name, true);
    REQUIRE(global != nullptr);
    CHECK(global->isConstant());
    CHECK(global->getAddressSpace() == 1);
    auto* values = llvm::cast<llvm::ConstantStruct>(global->getInitializer());
    REQUIRE(values->getNumOperands() == 2);
    return std::make_pair(llvm::cast<llvm::ConstantFP>(values->getOperand(0))->getValueAPF().convertToFloat(),
                          llvm::cast<llvm::ConstantInt>(values->getOperand(1))->getZExtValue());
  };
  CHECK(table("b0_constants") == std::make_pair(2.5f, std::uint64_t{100}));
  CHECK(table("b1_constants") == std::make_pair(3.5f, std::uint64_t{200}));
  CHECK(table("b2_constants") == std::make_pair(2.5f, std::uint64_t{300}));

  // The merged body reads them in its entry block, invariant, and keeps the 1.0.
  llvm::Function* body = module->getFunction("b0_merged");
  REQUIRE(body->arg_size() == 3);
  unsigned loads = 0;
  bool keeps_one = false;
  for (llvm::Instruction& inst : body->getEntryBlock()) {
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&inst); load != nullptr && load->getMetadata("invariant.load"))
      ++loads;
    if (auto* select = llvm::dyn_cast<llvm::SelectInst>(&inst))
      keeps_one = llvm::isa<llvm::ConstantFP>(select->getFalseValue());
  }
  CHECK(loads == 2);
  CHECK(keeps_one);
}

TEST_CASE("a body differing in a constant that must stay one is not merged", "[codegen][merge]") {
  const char* source = R"(
%S = type { i32, i32 }
declare void @llvm.memset.p1.i64(ptr addrspace(1), i8, i64, i1 immarg)
define internal i32 @g0(ptr addrspace(1) %p) #0 {
  %q = getelementptr %S, ptr addrspace(1) %p, i64 0, i32 0
  %v = load i32, ptr addrspace(1) %q
  ret i32 %v
}
define internal i32 @g1(ptr addrspace(1) %p) #0 {
  %q = getelementptr %S, ptr addrspace(1) %p, i64 0, i32 1
  %v = load i32, ptr addrspace(1) %q
  ret i32 %v
}
define internal void @m0(ptr addrspace(1) %p) #0 {
  call void @llvm.memset.p1.i64(ptr addrspace(1) %p, i8 0, i64 8, i1 false)
  ret void
}
define internal void @m1(ptr addrspace(1) %p) #0 {
  call void @llvm.memset.p1.i64(ptr addrspace(1) %p, i8 0, i64 8, i1 true)
  ret void
}
define internal i32 @s0(i32 %x) #0 {
  switch i32 %x, label %out [ i32 1, label %one ]
one:
  ret i32 7
out:
  ret i32 0
}
define internal i32 @s1(i32 %x) #0 {
  switch i32 %x, label %out [ i32 2, label %one ]
one:
  ret i32 7
out:
  ret i32 0
}
define void @entry(ptr addrspace(1) %p, i32 %x) {
  %a = call i32 @g0(ptr addrspace(1) %p)
  %b = call i32 @g1(ptr addrspace(1) %p)
  call void @m0(ptr addrspace(1) %p)
  call void @m1(ptr addrspace(1) %p)
  %c = call i32 @s0(i32 %x)
  %d = call i32 @s1(i32 %x)
  ret void
}
attributes #0 = { noinline "gennc-called-body" }
)";
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = parse(source, context);
  const gennc::codegen::MergedBodies merged = gennc::codegen::merge_called_bodies(*module, gennc::codegen::kGpuTableSpace);
  REQUIRE_FALSE(llvm::verifyModule(*module, &llvm::errs()));
  CHECK(merged.groups == 0);
  CHECK(merged.removed == 0);
  CHECK(callees(*module) == std::vector<std::string>{"g0", "g1", "m0", "m1", "s0", "s1"});
  CHECK(module->global_empty());
}

TEST_CASE("on the host the tables are plain constants in the default address space", "[codegen][merge]") {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module = parse(kBodies, context);
  const gennc::codegen::MergedBodies merged = gennc::codegen::merge_called_bodies(*module, gennc::codegen::kHostTableSpace);
  REQUIRE_FALSE(llvm::verifyModule(*module, &llvm::errs()));
  CHECK(merged.groups == 1);
  for (const char* name : {"b0_constants", "b1_constants", "b2_constants"}) {
    llvm::GlobalVariable* global = module->getGlobalVariable(name, true);
    REQUIRE(global != nullptr);
    CHECK(global->getAddressSpace() == 0);
  }
  llvm::Function* body = module->getFunction("b0_merged");
  REQUIRE(body != nullptr);
  CHECK(body->getFunctionType()->params().back() == llvm::PointerType::get(context, 0));
}
