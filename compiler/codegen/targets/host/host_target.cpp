#include "codegen/targets/host/host_target.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Instructions.h>

namespace gennc::codegen {

HostTarget::HostTarget(std::unique_ptr<llvm::TargetMachine> machine) : machine_(std::move(machine)) {}

void HostTarget::emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                            const ElementFn& element) const {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = fn->getContext();
  llvm::BasicBlock* preheader = builder.GetInsertBlock();
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, "element", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(context, "range.end", fn);

  // Already rotated (test at the bottom), the shape the vectoriser wants.
  builder.CreateCondBr(builder.CreateICmpULT(begin, end), loop, exit);
  builder.SetInsertPoint(loop);
  llvm::PHINode* index = builder.CreatePHI(begin->getType(), 2, "i");
  index->addIncoming(begin, preheader);
  element(builder, index);
  llvm::Value* next = builder.CreateAdd(index, llvm::ConstantInt::get(index->getType(), 1), "i.next",
                                        /*HasNUW=*/true, /*HasNSW=*/false);
  index->addIncoming(next, builder.GetInsertBlock());
  builder.CreateCondBr(builder.CreateICmpULT(next, end), loop, exit);
  builder.SetInsertPoint(exit);
}

llvm::Value* HostTarget::emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                                         llvm::Value* value) const {
  // Monotonic: the adds only accumulate; the runtime's barrier between kernels orders them
  // against the readers.
  const auto op = value->getType()->isFloatingPointTy() ? llvm::AtomicRMWInst::FAdd : llvm::AtomicRMWInst::Add;
  return builder.CreateAtomicRMW(op, ptr, value, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic);
}

llvm::Function* HostTarget::emit_entry(llvm::Module& module, const std::string& name,
                                       const KernelBody& body) const {
  llvm::LLVMContext& context = module.getContext();
  const AbiTypes abi(context);
  llvm::Type* i32 = llvm::Type::getInt32Ty(context);
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), {abi.ptr, i32, i32}, false);
  llvm::Function* entry = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, name, module);
  entry->addParamAttr(0, llvm::Attribute::NoAlias);
  entry->addParamAttr(0, llvm::Attribute::NoCapture);
  entry->addParamAttr(0, llvm::Attribute::ReadOnly);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Argument* env = entry->getArg(0);
  env->setName("env");
  entry->getArg(1)->setName("begin");
  entry->getArg(2)->setName("end");

  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", entry));
  auto field = [&](unsigned index, llvm::Type* type, const char* what) {
    return builder.CreateLoad(type, builder.CreateStructGEP(abi.kernel_env, env, index), what);
  };
  llvm::Value* arrays = field(kEnvArrays, abi.ptr, "arrays");
  std::vector<llvm::Value*> args;
  for (std::uint32_t id : body.arrays) {
    llvm::Value* slot = builder.CreateConstInBoundsGEP1_64(abi.ptr, arrays, id);
    args.push_back(builder.CreateLoad(abi.ptr, slot, "array" + std::to_string(id)));
  }
  args.push_back(field(kEnvT, abi.f64, "t"));
  args.push_back(field(kEnvDt, abi.f64, "dt"));
  args.push_back(field(kEnvStep, abi.u64, "step"));
  args.push_back(field(kEnvSeed, abi.u64, "seed"));
  args.push_back(entry->getArg(1));
  args.push_back(entry->getArg(2));
  builder.CreateCall(body.function, args);
  builder.CreateRetVoid();
  return entry;
}

}  // namespace gennc::codegen
