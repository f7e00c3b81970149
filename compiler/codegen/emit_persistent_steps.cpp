#include "codegen/emit_persistent_steps.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>

#include "codegen/abi_types.h"
#include "codegen/emit_stages.h"
#include "gennc/model_abi.h"
#include "ir/internal_error.h"
#include "ir/ir.h"

namespace gennc::codegen {

namespace {

constexpr unsigned kGlobal = 1;  // NVPTX address space

void asm_statement(llvm::IRBuilder<>& b, const char* text, const char* constraints, llvm::ArrayRef<llvm::Value*> args) {
  std::vector<llvm::Type*> types;
  for (llvm::Value* arg : args) types.push_back(arg->getType());
  auto* type = llvm::FunctionType::get(b.getVoidTy(), types, false);
  b.CreateCall(llvm::InlineAsm::get(type, text, constraints, /*hasSideEffects=*/true), args);
}

// Every thread of the grid waits here until all have arrived, and then sees every write
// made before the barrier. One thread per block takes part for its block (after the
// block's barrier): a release fence and a relaxed add, then relaxed loads of the counter
// until it reaches `target` (a u32 count, compared so that it may wrap), then an acquire
// fence. The fences order the block's writes and reads around the counter, as the kernel
// boundary did; the acquire also drops the multiprocessor's stale L1 lines.
void grid_barrier(llvm::IRBuilder<>& b, llvm::Value* counter, llvm::Value* thread, llvm::Value* target) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext& c = fn->getContext();
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
  llvm::BasicBlock* arrive = llvm::BasicBlock::Create(c, "barrier.arrive", fn);
  llvm::BasicBlock* wait = llvm::BasicBlock::Create(c, "barrier.wait", fn);
  llvm::BasicBlock* passed = llvm::BasicBlock::Create(c, "barrier.passed", fn);
  llvm::BasicBlock* after = llvm::BasicBlock::Create(c, "barrier.after", fn);
  b.CreateCondBr(b.CreateICmpEQ(thread, b.getInt32(0)), arrive, after);
  b.SetInsertPoint(arrive);
  asm_statement(b, "fence.acq_rel.gpu;", "~{memory}", {});
  asm_statement(b, "red.relaxed.gpu.global.add.u32 [$0], 1;", "l,~{memory}", {counter});
  b.CreateBr(wait);
  b.SetInsertPoint(wait);
  auto* load_type = llvm::FunctionType::get(b.getInt32Ty(), {b.getInt64Ty()}, false);
  llvm::Value* count = b.CreateCall(
      llvm::InlineAsm::get(load_type, "ld.relaxed.gpu.global.u32 $0, [$1];", "=r,l,~{memory}", true), {counter},
      "barrier.count");
  llvm::Value* behind = b.CreateICmpSLT(b.CreateSub(count, target), b.getInt32(0), "barrier.behind");
  b.CreateCondBr(behind, wait, passed);
  b.SetInsertPoint(passed);
  asm_statement(b, "fence.acq_rel.gpu;", "~{memory}", {});
  b.CreateBr(after);
  b.SetInsertPoint(after);
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
}

}  // namespace

bool persistent_steps_pay(const ir::Module& module) {
  constexpr std::uint64_t kMostUnits = 256, kUnit = kStageBlock;
  constexpr std::size_t kMostKernels = 32;
  std::size_t kernels = 0;
  for (const std::vector<std::uint32_t>& stage : module.step_stages) kernels += stage.size();
  if (kernels > kMostKernels) return false;
  for (const std::vector<std::uint32_t>& stage : module.step_stages) {
    std::uint64_t units = 0;
    for (std::uint32_t k : stage) {
      const ir::Kernel& kernel = module.kernels.at(k);
      std::uint64_t elements = 0;
      switch (kernel.kind) {
        case GENNC_KERNEL_NEURON:
        case GENNC_KERNEL_DERIVED: elements = module.populations.at(kernel.owner).size; break;
        case GENNC_KERNEL_TRACE_PRE: elements = module.populations.at(module.projections.at(kernel.owner).pre.population).size; break;
        case GENNC_KERNEL_TRACE_POST: elements = module.populations.at(module.projections.at(kernel.owner).post.population).size; break;
        case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
        case GENNC_KERNEL_DERIVED_SYNAPSE: return false;
        default: break;  // spikes' rows (clipped by counts), injections (a few targets)
      }
      units += (elements + kUnit - 1) / kUnit;
    }
    if (units > kMostUnits) return false;
  }
  return true;
}

llvm::Function* emit_persistent_steps(const LoweringContext& ctx, const std::vector<llvm::Function*>& bodies,
                                      int blocks_per_sm) {
  llvm::Module& module = ctx.module;
  llvm::LLVMContext& c = module.getContext();
  const AbiTypes abi(c);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);
  if (module.getNamedValue(GENNC_STEPS_ENTRY) != nullptr)
    ir::internal_error("codegen", std::string("PTX name '") + GENNC_STEPS_ENTRY + "' is taken");
  std::vector<llvm::Type*> params{abi.ptr, i32, abi.ptr};
  for (std::size_t s = 0; s < bodies.size(); ++s) params.insert(params.end(), {abi.ptr, i32});
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), params, false);
  llvm::Function* entry = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, GENNC_STEPS_ENTRY, module);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned k = 0; k < params.size(); ++k) {
    if (!params[k]->isPointerTy()) continue;
    entry->addParamAttr(k, llvm::Attribute::NoAlias);
    entry->addParamAttr(k, llvm::Attribute::NoCapture);
    if (k != 2) entry->addParamAttr(k, llvm::Attribute::ReadOnly);  // all but the barrier's counter
  }
  entry->getArg(0)->setName("envs");
  entry->getArg(1)->setName("steps");
  entry->getArg(2)->setName("barrier");
  mark_kernel(module, entry, blocks_per_sm);

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
  llvm::Value* thread = b.CreateIntrinsic(llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, {}, {}, nullptr, "thread");
  llvm::Value* blocks = b.CreateIntrinsic(llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, {}, {}, nullptr, "blocks");
  llvm::Value* counter = b.CreatePtrToInt(
      b.CreateAddrSpaceCast(entry->getArg(2), llvm::PointerType::get(c, kGlobal)), b.getInt64Ty(), "barrier.address");
  const uint64_t env_bytes = module.getDataLayout().getTypeAllocSize(abi.kernel_env);
  llvm::Value* steps = entry->getArg(1);
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(c, "step", entry);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(c, "done", entry);
  llvm::BasicBlock* from = b.GetInsertBlock();
  b.CreateCondBr(b.CreateICmpEQ(steps, b.getInt32(0)), done, loop);
  b.SetInsertPoint(loop);
  llvm::PHINode* k = b.CreatePHI(i32, 2, "k");
  k->addIncoming(b.getInt32(0), from);
  llvm::Value* env = b.CreateInBoundsGEP(b.getInt8Ty(), entry->getArg(0),
                                         {b.CreateMul(b.CreateZExt(k, b.getInt64Ty()), b.getInt64(env_bytes))}, "env");
  // Barriers passed before this step's first: k per stage.
  llvm::Value* passed = b.CreateMul(k, b.getInt32(static_cast<uint32_t>(bodies.size())), "passed");
  for (std::size_t s = 0; s < bodies.size(); ++s) {
    b.CreateCall(bodies[s], {env, entry->getArg(3 + 2 * s), entry->getArg(4 + 2 * s)});
    llvm::Value* barriers = b.CreateAdd(passed, b.getInt32(static_cast<uint32_t>(s + 1)));
    grid_barrier(b, counter, thread, b.CreateMul(barriers, blocks, "barrier.target"));
  }
  llvm::Value* next = b.CreateAdd(k, b.getInt32(1), "k.next");
  k->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpULT(next, steps), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return entry;
}

}  // namespace gennc::codegen
