#include "codegen/targets/nvptx/nvptx_target.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/Metadata.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/TargetParser/Triple.h>

#include <cctype>
#include <cstdlib>
#include <functional>
#include <optional>

#include "codegen/abi_types.h"
#include "codegen/target_machine.h"

namespace gennc::codegen {

namespace {

constexpr const char* kTriple = "nvptx64-nvidia-cuda";

llvm::Value* special_register(llvm::IRBuilder<>& builder, llvm::Intrinsic::ID id, const char* name) {
  return builder.CreateIntrinsic(id, {}, {}, nullptr, name);
}

// Appends through one atomic add per warp (NvptxTarget::emit_spike_slot).
class WarpAggregatedSpikes final : public SpikeSink {
 public:
  WarpAggregatedSpikes(const NvptxTarget& target, const std::vector<SpikeList>& lists)
      : target_(target), lists_(lists) {}

  void append(llvm::IRBuilder<>& builder, unsigned list, llvm::Value* neuron) const override {
    const SpikeList& spikes = lists_.at(list);
    llvm::Value* slot = builder.CreateZExt(target_.emit_spike_slot(builder, spikes.count), builder.getInt64Ty());
    builder.CreateStore(neuron, builder.CreateInBoundsGEP(builder.getInt32Ty(), spikes.list, slot));
  }

 private:
  const NvptxTarget& target_;
  const std::vector<SpikeList>& lists_;
};

// PTX names are letters, digits, '_' and '$' (LLVM would rewrite others itself, but the
// runtime must know the name): "exc.update" -> "exc_update".
std::string ptx_name(const std::string& name) {
  std::string out = "gennc_";
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace

NvptxTarget::NvptxTarget(std::unique_ptr<llvm::TargetMachine> machine) : machine_(std::move(machine)) {}

namespace {

// The grid-stride loop over [begin, end) both ranges use: `first` is this thread's (or
// warp's) first element and `stride` the number of threads (or warps) in the grid, both
// i64. Leaves the builder after the loop.
void emit_grid_loop(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end, llvm::Value* first,
                    llvm::Value* stride, const std::function<void(llvm::Value* index)>& element) {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = fn->getContext();
  llvm::Type* i64 = builder.getInt64Ty();
  // 64-bit counters: begin + grid size may exceed 2^32 near the end of a large range.
  llvm::Value* start = builder.CreateAdd(builder.CreateZExt(begin, i64), first, "first");
  llvm::Value* last = builder.CreateZExt(end, i64, "end");
  llvm::BasicBlock* before = builder.GetInsertBlock();
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(context, "i", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(context, "range.end", fn);
  builder.CreateCondBr(builder.CreateICmpULT(start, last), loop, exit);
  builder.SetInsertPoint(loop);
  llvm::PHINode* index = builder.CreatePHI(i64, 2, "i");
  index->addIncoming(start, before);
  element(builder.CreateTrunc(index, builder.getInt32Ty(), "index"));
  llvm::Value* next = builder.CreateAdd(index, stride, "i.next", /*HasNUW=*/true);
  index->addIncoming(next, builder.GetInsertBlock());
  builder.CreateCondBr(builder.CreateICmpULT(next, last), loop, exit);
  builder.SetInsertPoint(exit);
}

struct GridPosition {
  llvm::Value* thread;   // i32 index in the grid
  llvm::Value* threads;  // i32 threads in the grid
  llvm::Value* lane;     // i32 thread in the block
};

GridPosition grid_position(llvm::IRBuilder<>& builder) {
  llvm::Value* block = special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, "block");
  llvm::Value* width = special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x, "block.size");
  llvm::Value* thread = special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, "thread");
  llvm::Value* blocks = special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, "blocks");
  return {builder.CreateAdd(builder.CreateMul(block, width), thread, "global.thread"),
          builder.CreateMul(blocks, width, "grid.threads"), thread};
}

}  // namespace

void NvptxTarget::emit_shared_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                                    const SharedElementFn& element, Spread spread) const {
  // The runtime launches blocks of kRowLanes threads: the block is the group. Spread over
  // one block, the block takes every index of the range itself.
  const GridPosition at = grid_position(builder);
  llvm::Type* i64 = builder.getInt64Ty();
  llvm::Value* group = builder.getInt64(0);
  llvm::Value* groups = builder.getInt64(1);
  if (spread == Spread::Grid) {
    group = builder.CreateZExt(special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, "group"), i64);
    groups = builder.CreateZExt(special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, "groups"), i64);
  }
  emit_grid_loop(builder, begin, end, group, groups, [&](llvm::Value* index) { element(builder, index, at.lane); });
}

void NvptxTarget::emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                             const std::vector<SpikeList>& lists, const ElementFn& element, Spread spread,
                             const BlockFn& before_block) const {
  if (before_block) ir::internal_error("codegen", "the GPU target runs a range in no blocks");
  const GridPosition at = grid_position(builder);
  llvm::Type* i64 = builder.getInt64Ty();
  const WarpAggregatedSpikes sink(*this, lists);
  // Over the grid, or over this block's threads (a block-stride loop).
  llvm::Value* first = builder.CreateZExt(spread == Spread::Grid ? at.thread : at.lane, i64);
  llvm::Value* stride = spread == Spread::Grid
                            ? builder.CreateZExt(at.threads, i64)
                            : builder.CreateZExt(special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_ntid_x,
                                                                  "block.threads"),
                                                 i64);
  emit_grid_loop(builder, begin, end, first, stride, [&](llvm::Value* index) { element(builder, index, sink); });
}

llvm::Value* NvptxTarget::emit_spike_slot(llvm::IRBuilder<>& builder, llvm::Value* count) const {
  // The active lanes count themselves, the lowest reserves their slots and broadcasts the
  // old count, and each lane takes old count + its rank among the active lanes. Works in
  // divergent code (the mask is whoever is here).
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = fn->getContext();
  llvm::Type* i32 = builder.getInt32Ty();
  llvm::Value* mask = special_register(builder, llvm::Intrinsic::nvvm_activemask, "active");
  llvm::Value* below = special_register(builder, llvm::Intrinsic::nvvm_read_ptx_sreg_lanemask_lt, "lanes.below");
  llvm::Value* lanes = builder.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, mask, nullptr, "lanes");
  llvm::Value* rank =
      builder.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, builder.CreateAnd(mask, below), nullptr, "rank");
  llvm::Value* leader = builder.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, mask, builder.getFalse(), nullptr, "leader");

  llvm::BasicBlock* before = builder.GetInsertBlock();
  llvm::BasicBlock* reserve = llvm::BasicBlock::Create(context, "spike.reserve", fn);
  llvm::BasicBlock* write = llvm::BasicBlock::Create(context, "spike.write", fn);
  builder.CreateCondBr(builder.CreateICmpEQ(rank, builder.getInt32(0)), reserve, write);
  builder.SetInsertPoint(reserve);
  llvm::Value* old = emit_atomic_add(builder, count, lanes);
  builder.CreateBr(write);
  builder.SetInsertPoint(write);
  llvm::PHINode* first = builder.CreatePHI(i32, 2, "spike.first");
  first->addIncoming(old, reserve);
  first->addIncoming(llvm::PoisonValue::get(i32), before);
  llvm::Value* base = builder.CreateIntrinsic(llvm::Intrinsic::nvvm_shfl_sync_idx_i32, {},
                                              {mask, first, leader, builder.getInt32(0x1f)}, nullptr, "spike.base");
  return builder.CreateAdd(base, rank, "spike.slot");
}

llvm::Value* NvptxTarget::emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr, llvm::Value* value) const {
  // Monotonic (relaxed, device scope): the adds only accumulate, and kernel boundaries
  // order them against readers. f32 and f64 adds are native from sm_60.
  const auto op = value->getType()->isFloatingPointTy() ? llvm::AtomicRMWInst::FAdd : llvm::AtomicRMWInst::Add;
  return builder.CreateAtomicRMW(op, ptr, value, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic);
}

void NvptxTarget::emit_spike_record(llvm::IRBuilder<>& builder, llvm::Value* row, llvm::Value* neuron,
                                    llvm::Value* count, bool counted) const {
  llvm::Function* fn = builder.GetInsertBlock()->getParent();
  llvm::LLVMContext& context = fn->getContext();
  llvm::BasicBlock* record = llvm::BasicBlock::Create(context, "spike.record", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(context, "spike.recorded", fn);
  builder.CreateCondBr(builder.CreateIsNotNull(row), record, done);
  builder.SetInsertPoint(record);
  llvm::Type* i32 = builder.getInt32Ty();
  llvm::Value* n64 = builder.CreateZExt(neuron, builder.getInt64Ty());
  if (counted) {
    builder.CreateAtomicRMW(llvm::AtomicRMWInst::Add, builder.CreateInBoundsGEP(i32, row, n64),
                            count != nullptr ? count : builder.getInt32(1), llvm::MaybeAlign(),
                            llvm::AtomicOrdering::Monotonic);
  } else {
    llvm::Value* word = builder.CreateInBoundsGEP(i32, row, builder.CreateLShr(n64, 5));
    llvm::Value* bit = builder.CreateShl(builder.getInt32(1), builder.CreateAnd(neuron, builder.getInt32(31)));
    builder.CreateAtomicRMW(llvm::AtomicRMWInst::Or, word, bit, llvm::MaybeAlign(), llvm::AtomicOrdering::Monotonic);
  }
  builder.CreateBr(done);
  builder.SetInsertPoint(done);
}

llvm::Function* NvptxTarget::emit_entry(llvm::Module& module, const std::string& name, const KernelBody& body) const {
  llvm::LLVMContext& context = module.getContext();
  const AbiTypes abi(context);
  llvm::Type* i32 = llvm::Type::getInt32Ty(context);
  auto* global = llvm::PointerType::get(context, kGlobal);
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(context), {abi.ptr, i32, i32, abi.ptr}, false);
  std::string unique = ptx_name(name);
  // Two kernel names may map to one PTX name ("a.b", "a_b"); LLVM's own renaming would add
  // a '.', which PTX does not allow.
  for (int k = 2; module.getNamedValue(unique) != nullptr; ++k) unique = ptx_name(name) + "_" + std::to_string(k);
  llvm::Function* entry = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage, unique, module);
  entry->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned k : {0u, 3u}) {
    entry->addParamAttr(k, llvm::Attribute::NoAlias);
    entry->addParamAttr(k, llvm::Attribute::NoCapture);
    entry->addParamAttr(k, llvm::Attribute::ReadOnly);
  }
  entry->getArg(0)->setName("env");
  entry->getArg(1)->setName("begin");
  entry->getArg(2)->setName("end");
  entry->getArg(3)->setName("count");
  // LLVM 19's NVPTX back end takes kernels from nvvm.annotations.
  module.getOrInsertNamedMetadata("nvvm.annotations")
      ->addOperand(llvm::MDNode::get(context, {llvm::ValueAsMetadata::get(entry), llvm::MDString::get(context, "kernel"),
                                               llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(i32, 1))}));

  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", entry));
  llvm::Value* env = builder.CreateAddrSpaceCast(entry->getArg(0), global, "env.global");
  auto field = [&](unsigned index, llvm::Type* type, const char* what) {
    return builder.CreateLoad(type, builder.CreateStructGEP(abi.kernel_env, env, index), what);
  };
  llvm::Value* arrays = builder.CreateAddrSpaceCast(field(kEnvArrays, abi.ptr, "arrays"), global, "arrays.global");
  std::vector<llvm::Value*> args;
  for (std::uint32_t id : body.arrays) {
    llvm::Value* slot = builder.CreateConstInBoundsGEP1_64(abi.ptr, arrays, id);
    args.push_back(builder.CreateAddrSpaceCast(builder.CreateLoad(abi.ptr, slot), global, "array" + std::to_string(id)));
  }
  // A kernel's own entry runs outside the step (set-up): nothing is recorded.
  for (std::size_t k = 0; k < body.spike_rows.size(); ++k) args.push_back(llvm::ConstantPointerNull::get(global));
  if (body.post_ranges)
    args.push_back(builder.CreateAddrSpaceCast(field(kEnvPostRanges, abi.ptr, "post_ranges"), global, "post_ranges.global"));
  args.push_back(field(kEnvT, abi.f64, "t"));
  args.push_back(field(kEnvDt, abi.f64, "dt"));
  args.push_back(field(kEnvStep, abi.u64, "step"));
  args.push_back(field(kEnvSeed, abi.u64, "seed"));
  args.push_back(entry->getArg(1));

  llvm::BasicBlock* start = builder.GetInsertBlock();
  llvm::BasicBlock* counted = llvm::BasicBlock::Create(context, "counted", entry);
  llvm::BasicBlock* run = llvm::BasicBlock::Create(context, "run", entry);
  builder.CreateCondBr(builder.CreateIsNotNull(entry->getArg(3)), counted, run);
  builder.SetInsertPoint(counted);
  llvm::Value* count = builder.CreateLoad(i32, builder.CreateAddrSpaceCast(entry->getArg(3), global), "count");
  llvm::Value* clipped = builder.CreateBinaryIntrinsic(llvm::Intrinsic::umin, entry->getArg(2), count);
  builder.CreateBr(run);
  builder.SetInsertPoint(run);
  llvm::PHINode* end = builder.CreatePHI(i32, 2, "end");
  end->addIncoming(entry->getArg(2), start);
  end->addIncoming(clipped, counted);
  args.push_back(end);
  builder.CreateCall(body.function, args);
  builder.CreateRetVoid();
  return entry;
}

std::unique_ptr<llvm::TargetMachine> create_nvptx_target_machine(const std::string& arch, int opt_level,
                                                                 std::string* error) {
  initialize_targets();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, *error);
  if (target == nullptr) return nullptr;
  std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(kTriple, "", ""));
  if (!info->isCPUStringValid(arch)) {
    *error = "unknown GPU architecture '" + arch + "' (expected sm_60 or newer, e.g. sm_80, sm_90)";
    return nullptr;
  }
  if (arch.rfind("sm_", 0) != 0 || std::atoi(arch.c_str() + 3) < 60) {
    *error = "GPU architecture '" + arch + "' is older than sm_60 (no f64 atomic add)";
    return nullptr;
  }
  llvm::TargetOptions options;
  // No fused multiply-add: the default host CPU (x86-64-v2) has none, and CPU and GPU
  // should give the same numbers (docs/gpu.md).
  options.AllowFPOpFusion = llvm::FPOpFusion::Strict;
  const auto level = opt_level <= 0 ? llvm::CodeGenOptLevel::None
                     : opt_level == 1 ? llvm::CodeGenOptLevel::Less
                     : opt_level == 3 ? llvm::CodeGenOptLevel::Aggressive
                                      : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(kTriple, arch, "", options, std::nullopt, std::nullopt, level));
  if (machine == nullptr) *error = "the NVPTX target refused '" + arch + "'";
  return machine;
}

}  // namespace gennc::codegen
