#include "codegen/targets/host/host_target.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>

#include <functional>
#include <string>

namespace gennc::codegen {

namespace {

// `for (i = from; i < to; ++i) body(i)` over i32, already rotated (the test at the bottom),
// the shape the vectoriser wants; leaves the builder after the loop.
void emit_loop(llvm::IRBuilder<>& builder, llvm::Value* from, llvm::Value* to, const char* name,
               const std::function<void(llvm::Value*)>& body) {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = fn->getContext();
  llvm::BasicBlock* preheader = builder.GetInsertBlock();
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, name, fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(context, std::string(name) + ".end", fn);
  builder.CreateCondBr(builder.CreateICmpULT(from, to), loop, exit);
  builder.SetInsertPoint(loop);
  llvm::PHINode* index = builder.CreatePHI(from->getType(), 2, name);
  index->addIncoming(from, preheader);
  body(index);
  llvm::Value* next = builder.CreateAdd(index, llvm::ConstantInt::get(index->getType(), 1), std::string(name) + ".next",
                                        /*HasNUW=*/true, /*HasNSW=*/false);
  index->addIncoming(next, builder.GetInsertBlock());
  builder.CreateCondBr(builder.CreateICmpULT(next, to), loop, exit);
  builder.SetInsertPoint(exit);
}

// Appends record the element's spike in two scalars, which the range loop copies into
// the block's buffers after the element's code: the loop body then holds no conditional
// store, so LLVM can if-convert and vectorise it.
class BufferedSpikes final : public SpikeSink {
 public:
  explicit BufferedSpikes(const std::vector<HostTarget::SpikeBuffer>& buffers) : buffers_(buffers) {}
  void append(llvm::IRBuilder<>& builder, unsigned list, llvm::Value* neuron) const override {
    builder.CreateStore(builder.getInt8(1), buffers_.at(list).flag);
    builder.CreateStore(neuron, buffers_.at(list).neuron);
  }
  void append_counted(llvm::IRBuilder<>& builder, unsigned list, llvm::Value* neuron,
                      llvm::Value* count) const override {
    append(builder, list, neuron);
    builder.CreateStore(count, buffers_.at(list).count);
  }

 private:
  const std::vector<HostTarget::SpikeBuffer>& buffers_;
};

}  // namespace

HostTarget::HostTarget(std::unique_ptr<llvm::TargetMachine> machine) : machine_(std::move(machine)) {}

void HostTarget::emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                            const std::vector<SpikeList>& lists, const ElementFn& element, Spread,
                            const BlockFn& before_block) const {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().getFirstInsertionPt());
  llvm::Type* i8 = builder.getInt8Ty();
  llvm::Type* i32 = builder.getInt32Ty();
  std::vector<SpikeBuffer> buffers;
  for (const SpikeList& list : lists) {
    const bool counted = list.multiplicity != nullptr;
    buffers.push_back({entry.CreateAlloca(llvm::ArrayType::get(i8, kSpikeBlock), nullptr, "spiked"),
                       entry.CreateAlloca(llvm::ArrayType::get(i32, kSpikeBlock), nullptr, "spiking"),
                       entry.CreateAlloca(i8, nullptr, "spike.flag"), entry.CreateAlloca(i32, nullptr, "spike.neuron"),
                       counted ? entry.CreateAlloca(llvm::ArrayType::get(i32, kSpikeBlock), nullptr, "spike.counts")
                               : nullptr,
                       counted ? entry.CreateAlloca(i32, nullptr, "spike.count") : nullptr});
  }
  const BufferedSpikes sink(buffers);
  if (lists.empty() && !before_block) {
    emit_loop(builder, begin, end, "i", [&](llvm::Value* i) { element(builder, i, sink); });
    return;
  }

  // Blocks of kSpikeBlock elements: `before_block` first; then the element loop records,
  // per list, whether each element spiked (a plain store, so the loop stays vectorisable);
  // a scalar pass then appends the block's spikes with one atomic add per list.
  llvm::LLVMContext& context = fn->getContext();
  llvm::BasicBlock* before = builder.GetInsertBlock();
  llvm::BasicBlock* blocks = llvm::BasicBlock::Create(context, "block", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(context, "range.end", fn);
  builder.CreateCondBr(builder.CreateICmpULT(begin, end), blocks, exit);
  builder.SetInsertPoint(blocks);
  llvm::PHINode* block = builder.CreatePHI(i32, 2, "block.begin");
  block->addIncoming(begin, before);
  llvm::Value* count = builder.CreateBinaryIntrinsic(llvm::Intrinsic::umin, builder.CreateSub(end, block),
                                                     builder.getInt32(kSpikeBlock), nullptr, "block.size");
  llvm::Value* block_end = builder.CreateAdd(block, count, "block.end");
  if (before_block) before_block(builder, block, count);

  emit_loop(builder, block, block_end, "i", [&](llvm::Value* i) {
    for (const SpikeBuffer& buffer : buffers) {
      builder.CreateStore(builder.getInt8(0), buffer.flag);
      builder.CreateStore(builder.getInt32(0), buffer.neuron);
      if (buffer.count != nullptr) builder.CreateStore(builder.getInt32(0), buffer.count);
    }
    element(builder, i, sink);
    llvm::Value* slot = builder.CreateZExt(builder.CreateSub(i, block), builder.getInt64Ty());
    for (const SpikeBuffer& buffer : buffers) {
      builder.CreateStore(builder.CreateLoad(i8, buffer.flag), builder.CreateInBoundsGEP(i8, buffer.flags, slot));
      builder.CreateStore(builder.CreateLoad(i32, buffer.neuron), builder.CreateInBoundsGEP(i32, buffer.neurons, slot));
      if (buffer.count != nullptr)
        builder.CreateStore(builder.CreateLoad(i32, buffer.count), builder.CreateInBoundsGEP(i32, buffer.counts, slot));
    }
  });
  for (std::size_t k = 0; k < lists.size(); ++k) flush(builder, lists[k], buffers[k], count);
  block->addIncoming(block_end, builder.GetInsertBlock());
  builder.CreateCondBr(builder.CreateICmpULT(block_end, end), blocks, exit);
  builder.SetInsertPoint(exit);
}

void HostTarget::flush(llvm::IRBuilder<>& builder, const SpikeList& list, const SpikeBuffer& buffer,
                       llvm::Value* count) const {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().getFirstInsertionPt());
  llvm::Type* i8 = builder.getInt8Ty();
  llvm::Type* i32 = builder.getInt32Ty();
  llvm::AllocaInst* total = entry.CreateAlloca(i32, nullptr, "block.spikes");
  llvm::AllocaInst* next = entry.CreateAlloca(i32, nullptr, "spike.slot");
  auto flag_at = [&](llvm::Value* j) {
    return builder.CreateLoad(i8, builder.CreateInBoundsGEP(i8, buffer.flags, builder.CreateZExt(j, builder.getInt64Ty())));
  };

  builder.CreateStore(builder.getInt32(0), total);
  emit_loop(builder, builder.getInt32(0), count, "j", [&](llvm::Value* j) {
    builder.CreateStore(builder.CreateAdd(builder.CreateLoad(i32, total), builder.CreateZExt(flag_at(j), i32)), total);
  });
  llvm::Value* spikes = builder.CreateLoad(i32, total);
  llvm::BasicBlock* append = llvm::BasicBlock::Create(fn->getContext(), "append", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(fn->getContext(), "appended", fn);
  builder.CreateCondBr(builder.CreateICmpNE(spikes, builder.getInt32(0)), append, done);
  builder.SetInsertPoint(append);
  builder.CreateStore(emit_atomic_add(builder, list.count, spikes), next);
  emit_loop(builder, builder.getInt32(0), count, "j", [&](llvm::Value* j) {
    llvm::BasicBlock* write = llvm::BasicBlock::Create(fn->getContext(), "write", fn);
    llvm::BasicBlock* skip = llvm::BasicBlock::Create(fn->getContext(), "skip", fn);
    builder.CreateCondBr(builder.CreateICmpNE(flag_at(j), builder.getInt8(0)), write, skip);
    builder.SetInsertPoint(write);
    llvm::Value* at = builder.CreateLoad(i32, next);
    llvm::Value* neuron = builder.CreateLoad(
        i32, builder.CreateInBoundsGEP(i32, buffer.neurons, builder.CreateZExt(j, builder.getInt64Ty())));
    builder.CreateStore(neuron, builder.CreateInBoundsGEP(i32, list.list, builder.CreateZExt(at, builder.getInt64Ty())));
    if (buffer.counts != nullptr) {
      llvm::Value* count = builder.CreateLoad(
          i32, builder.CreateInBoundsGEP(i32, buffer.counts, builder.CreateZExt(j, builder.getInt64Ty())));
      builder.CreateStore(count, builder.CreateInBoundsGEP(i32, list.multiplicity,
                                                           builder.CreateZExt(at, builder.getInt64Ty())));
    }
    builder.CreateStore(builder.CreateAdd(at, builder.getInt32(1)), next);
    builder.CreateBr(skip);
    builder.SetInsertPoint(skip);
  });
  builder.CreateBr(done);
  builder.SetInsertPoint(done);
}

llvm::Value* HostTarget::emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                                         llvm::Value* value) const {
  // Monotonic: the adds only accumulate; the runtime's barrier between kernels orders them
  // against the readers.
  const auto op = value->getType()->isFloatingPointTy() ? llvm::AtomicRMWInst::FAdd : llvm::AtomicRMWInst::Add;
  return builder.CreateAtomicRMW(op, ptr, value, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic);
}

llvm::Value* HostTargetAlone::emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                                              llvm::Value* value) const {
  // No contraction into an fma with the value's computation: the atomic add has none.
  llvm::IRBuilder<>::FastMathFlagGuard keep_flags(builder);
  builder.clearFastMathFlags();
  llvm::Value* old = builder.CreateLoad(value->getType(), ptr, "old");
  llvm::Value* sum =
      value->getType()->isFloatingPointTy() ? builder.CreateFAdd(old, value) : builder.CreateAdd(old, value);
  builder.CreateStore(sum, ptr);
  return old;
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
  if (body.post_ranges) args.push_back(field(kEnvPostRanges, abi.ptr, "post_ranges"));
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
