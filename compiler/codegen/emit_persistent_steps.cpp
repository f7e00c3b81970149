#include "codegen/emit_persistent_steps.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicsNVPTX.h>

#include <functional>

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
// block's barrier): a release add, then acquire loads of the counter until it reaches
// `target` (a u32 count, compared so that it may wrap). The release and the acquire order
// the block's writes and reads around the counter, as the kernel boundary did (the block
// barriers on either side carry that order to the block's other threads); the acquire
// also drops the multiprocessor's stale L1 lines. They cost about 150 ns less per barrier
// than a relaxed add and loads between two acq_rel fences (bench/gpu/barrier_cost.cu).
void grid_barrier(llvm::IRBuilder<>& b, llvm::Value* counter, llvm::Value* thread, llvm::Value* target) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::LLVMContext& c = fn->getContext();
  b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
  llvm::BasicBlock* arrive = llvm::BasicBlock::Create(c, "barrier.arrive", fn);
  llvm::BasicBlock* wait = llvm::BasicBlock::Create(c, "barrier.wait", fn);
  llvm::BasicBlock* after = llvm::BasicBlock::Create(c, "barrier.after", fn);
  b.CreateCondBr(b.CreateICmpEQ(thread, b.getInt32(0)), arrive, after);
  b.SetInsertPoint(arrive);
  asm_statement(b, "red.release.gpu.global.add.u32 [$0], 1;", "l,~{memory}", {counter});
  b.CreateBr(wait);
  b.SetInsertPoint(wait);
  auto* load_type = llvm::FunctionType::get(b.getInt32Ty(), {b.getInt64Ty()}, false);
  llvm::Value* count = b.CreateCall(
      llvm::InlineAsm::get(load_type, "ld.acquire.gpu.global.u32 $0, [$1];", "=r,l,~{memory}", true), {counter},
      "barrier.count");
  llvm::Value* behind = b.CreateICmpSLT(b.CreateSub(count, target), b.getInt32(0), "barrier.behind");
  b.CreateCondBr(behind, wait, after);
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

llvm::Function* emit_persistent_steps(const LoweringContext& ctx, const StageFunctions& stages, int blocks_per_sm) {
  llvm::Module& module = ctx.module;
  llvm::LLVMContext& c = module.getContext();
  const AbiTypes abi(c);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);
  const std::vector<llvm::Function*>& bodies = stages.bodies;
  if (module.getNamedValue(GENNC_STEPS_ENTRY) != nullptr)
    ir::internal_error("codegen", std::string("PTX name '") + GENNC_STEPS_ENTRY + "' is taken");
  constexpr unsigned kEnvs = 0, kSteps = 1, kOverlap = 2, kBarrier = 3, kFirstStage = 4;
  std::vector<llvm::Type*> params{abi.ptr, i32, i32, abi.ptr};
  for (std::size_t s = 0; s < bodies.size(); ++s) params.insert(params.end(), {abi.ptr, i32});
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), params, false);
  llvm::Function* entry = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, GENNC_STEPS_ENTRY, module);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned k = 0; k < params.size(); ++k) {
    if (!params[k]->isPointerTy()) continue;
    entry->addParamAttr(k, llvm::Attribute::NoAlias);
    entry->addParamAttr(k, llvm::Attribute::NoCapture);
    if (k != kBarrier) entry->addParamAttr(k, llvm::Attribute::ReadOnly);  // all but the barrier's counter
  }
  entry->getArg(kEnvs)->setName("envs");
  entry->getArg(kSteps)->setName("steps");
  entry->getArg(kOverlap)->setName("overlap");
  entry->getArg(kBarrier)->setName("barrier");
  mark_kernel(module, entry, blocks_per_sm);

  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c, "entry", entry));
  llvm::Value* thread = b.CreateIntrinsic(llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, {}, {}, nullptr, "thread");
  llvm::Value* blocks = b.CreateIntrinsic(llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, {}, {}, nullptr, "blocks");
  llvm::Value* counter = b.CreatePtrToInt(
      b.CreateAddrSpaceCast(entry->getArg(kBarrier), llvm::PointerType::get(c, kGlobal)), b.getInt64Ty(),
      "barrier.address");
  const uint64_t env_bytes = module.getDataLayout().getTypeAllocSize(abi.kernel_env);
  const auto count = static_cast<uint32_t>(bodies.size());
  const uint32_t last = count - 1;
  llvm::Value* steps = entry->getArg(kSteps);
  // Only where the planner allows it (ir.stage_overlap; the runtime passes overlap = 0
  // elsewhere): the last stage of step k - 1 runs in iteration k, so one more iteration
  // ends the launch with the last step's last stage (a launch leaves no step half done).
  const bool may_overlap = ctx.ir.stage_overlap && last > 0;
  llvm::Value* overlap =
      may_overlap ? b.CreateICmpNE(entry->getArg(kOverlap), b.getInt32(0), "overlapped") : b.getFalse();
  llvm::Value* iterations = b.CreateAdd(steps, b.CreateZExt(overlap, i32), "iterations");
  // Barriers an iteration passes: one per stage, one fewer where the last stage joins the first.
  llvm::Value* per_iteration = b.CreateSub(b.getInt32(count), b.CreateZExt(overlap, i32), "barriers.per.step");
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(c, "step", entry);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(c, "done", entry);
  llvm::BasicBlock* from = b.GetInsertBlock();
  b.CreateCondBr(b.CreateICmpEQ(iterations, b.getInt32(0)), done, loop);
  b.SetInsertPoint(loop);
  llvm::PHINode* k = b.CreatePHI(i32, 2, "k");
  k->addIncoming(b.getInt32(0), from);
  auto env_of = [&](llvm::Value* step, const char* name) {
    return b.CreateInBoundsGEP(b.getInt8Ty(), entry->getArg(kEnvs),
                               {b.CreateMul(b.CreateZExt(step, b.getInt64Ty()), b.getInt64(env_bytes))}, name);
  };
  llvm::Value* env = env_of(k, "env");
  llvm::Value* passed = b.CreateMul(k, per_iteration, "passed");  // barriers before this iteration's first
  // Barrier j of the iteration (j counted from 0).
  auto barrier = [&](llvm::Value* j) {
    llvm::Value* target = b.CreateMul(b.CreateAdd(passed, b.CreateAdd(j, b.getInt32(1))), blocks, "barrier.target");
    grid_barrier(b, counter, thread, target);
  };
  auto run = [&](uint32_t s, llvm::Value* stage_env) {
    b.CreateCall(bodies[s], {stage_env, entry->getArg(kFirstStage + 2 * s), entry->getArg(kFirstStage + 2 * s + 1)});
  };
  auto when = [&](llvm::Value* condition, const char* name, const std::function<void()>& then) {
    llvm::BasicBlock* yes = llvm::BasicBlock::Create(c, name, entry);
    llvm::BasicBlock* after = llvm::BasicBlock::Create(c, std::string(name) + ".after", entry);
    b.CreateCondBr(condition, yes, after);
    b.SetInsertPoint(yes);
    then();
    b.CreateBr(after);
    b.SetInsertPoint(after);
  };
  // The first stage's threads of a block are all done before the overlapped last stage
  // rewrites the stages' shared tables (the bodies' common scratch).
  auto block_barrier = [&] { b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {}); };
  llvm::Value* stepping = b.CreateICmpULT(k, steps, "stepping");  // not the closing iteration
  when(stepping, "first.stage", [&] {
    b.CreateCall(stages.zero_next_counts, {env});
    run(0, env);
  });
  if (!may_overlap) {
    barrier(b.getInt32(0));
    for (uint32_t s = 1; s <= last; ++s) {
      run(s, env);
      barrier(b.getInt32(s));
    }
  } else if (last == 1) {
    // Two stages: one call of the last, for step k, or k - 1 overlapped.
    when(overlap, "join", block_barrier);
    when(b.CreateNot(overlap), "apart", [&] { barrier(b.getInt32(0)); });
    llvm::Value* before = b.CreateSub(k, b.CreateZExt(overlap, i32), "step.last.stage");
    when(b.CreateAnd(b.CreateICmpUGE(k, b.CreateZExt(overlap, i32)), b.CreateICmpULT(before, steps)), "last.stage",
         [&] { run(1, env_of(before, "env.last.stage")); });
    barrier(b.CreateSub(b.getInt32(1), b.CreateZExt(overlap, i32)));
  } else {
    when(b.CreateAnd(overlap, b.CreateICmpUGE(k, b.getInt32(1))), "overlapped.stage", [&] {
      block_barrier();
      run(last, env_of(b.CreateSub(k, b.getInt32(1)), "env.before"));
    });
    barrier(b.getInt32(0));
    when(stepping, "later.stages", [&] {
      for (uint32_t s = 1; s < last; ++s) {
        run(s, env);
        barrier(b.getInt32(s));
      }
      when(b.CreateNot(overlap), "last.stage", [&] {
        run(last, env);
        barrier(b.getInt32(last));
      });
    });
  }
  llvm::Value* next = b.CreateAdd(k, b.getInt32(1), "k.next");
  k->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpULT(next, iterations), loop, done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return entry;
}

}  // namespace gennc::codegen
