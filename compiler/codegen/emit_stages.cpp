#include "codegen/emit_stages.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/IntrinsicsNVPTX.h>
#include <llvm/IR/Metadata.h>

#include <functional>

#include "codegen/abi_types.h"
#include "codegen/merge_called_bodies.h"
#include "gennc/model_abi.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

constexpr unsigned kGlobal = 1;  // NVPTX address spaces
constexpr unsigned kShared = 3;
constexpr unsigned kWarp = 32;
constexpr unsigned kMembersPerThread = kStageMaxMembers / kStageBlock;
static_assert(kStageBlock == 256, "units are 256 elements: shifts by 8");

// GenncStageMember's fields, as u32 offsets.
enum MemberField : unsigned { kSlot = 0, kMode = 1, kEnd = 2, kCountArray = 3, kBegin = 4, kMemberWords = 5 };

llvm::Value* sreg(llvm::IRBuilder<>& b, llvm::Intrinsic::ID id, const char* name) {
  return b.CreateIntrinsic(id, {}, {}, nullptr, name);
}

// `then()` in a block of its own when `cond` holds; its value, else `otherwise`.
llvm::Value* if_then(llvm::IRBuilder<>& b, llvm::Value* cond, const std::function<llvm::Value*()>& then,
                     llvm::Value* otherwise, const char* name) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* body = llvm::BasicBlock::Create(fn->getContext(), std::string(name) + ".then", fn);
  llvm::BasicBlock* merge = llvm::BasicBlock::Create(fn->getContext(), std::string(name) + ".merge", fn);
  b.CreateCondBr(cond, body, merge);
  b.SetInsertPoint(body);
  llvm::Value* value = then();
  llvm::BasicBlock* body_end = b.GetInsertBlock();
  b.CreateBr(merge);
  b.SetInsertPoint(merge);
  llvm::PHINode* phi = b.CreatePHI(otherwise->getType(), 2, name);
  phi->addIncoming(value, body_end);
  phi->addIncoming(otherwise, before);
  return phi;
}

// `load` reads what no kernel writes while it runs (an env, the member and pointer tables):
// the optimiser may merge and move it, and the PTX reads it through the read-only path.
llvm::Value* invariant(llvm::Value* load) {
  auto* instruction = llvm::cast<llvm::LoadInst>(load);
  instruction->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(instruction->getContext(), {}));
  return instruction;
}

// A stage of more members calls their bodies instead of inlining them: one function of
// hundreds of inlined bodies took the PTX back end minutes (docs/gpu.md, Units).
constexpr std::size_t kMostInlinedMembers = 64;

class StageEmitter {
 public:
  StageEmitter(const LoweringContext& ctx, int blocks_per_sm)
      : ctx_(ctx), blocks_per_sm_(blocks_per_sm), c_(ctx.module.getContext()), abi_(c_), i32_(llvm::Type::getInt32Ty(c_)) {
    // Per block: the members' unit-count prefix sums and clipped ranges, and the scan's
    // per-warp totals. One set serves every stage entry (each block has its own copy).
    ends_ = shared("gennc_stage.ends", kStageMaxMembers);
    limits_ = shared("gennc_stage.limits", kStageMaxMembers);
    warp_sums_ = shared("gennc_stage.warp_sums", kStageBlock / kWarp);
  }

  // Stage s's body, and its entry that calls it (the body inlined there, as in the
  // persistent step entry).
  std::pair<llvm::Function*, llvm::Function*> stage(std::size_t s) {
    llvm::Function* body = stage_body(s);
    llvm::Function* entry = declare(stage_entry_name(s), llvm::GlobalValue::ExternalLinkage);
    mark_kernel(ctx_.module, entry, blocks_per_sm_);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(c_, "entry", entry));
    b.CreateCall(zero_next_counts(), {entry->getArg(0)});
    b.CreateCall(body, {entry->getArg(0), entry->getArg(1), entry->getArg(2)});
    b.CreateRetVoid();
    return {body, entry};
  }

  // `void zero_next_counts(env)`: block 0 zeroes the env's counts_to_zero, the spike
  // counts of step + 1 modulo 3, which nothing of this step or the one before reads or
  // writes, for the next step (docs/gpu.md, "A step without a finish launch").
  llvm::Function* zero_next_counts() {
    if (zero_next_counts_ != nullptr) return zero_next_counts_;
    const char* name = "gennc_zero_next_counts";
    if (ctx_.module.getNamedValue(name) != nullptr) ir::internal_error("codegen", std::string("PTX name '") + name + "' is taken");
    auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(c_), {abi_.ptr}, false);
    llvm::Function* fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, name, ctx_.module);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    fn->addFnAttr(llvm::Attribute::AlwaysInline);
    fn->addParamAttr(0, llvm::Attribute::NoAlias);
    fn->addParamAttr(0, llvm::Attribute::NoCapture);
    fn->addParamAttr(0, llvm::Attribute::ReadOnly);
    zero_next_counts_ = fn;
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(c_, "entry", fn));
    llvm::Value* env = b.CreateAddrSpaceCast(fn->getArg(0), llvm::PointerType::get(c_, kGlobal), "env.global");
    llvm::Value* thread = sreg(b, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, "thread");
    llvm::BasicBlock* before = b.GetInsertBlock();
    llvm::BasicBlock* loop = llvm::BasicBlock::Create(c_, "zero.count", fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(c_, "zero.done", fn);
    llvm::Value* block = sreg(b, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, "block0");
    llvm::Value* n = invariant(b.CreateLoad(i32_, b.CreateStructGEP(abi_.kernel_env, env, kEnvZeroCount), "zero.count.n"));
    llvm::Value* counts = invariant(b.CreateLoad(abi_.ptr, b.CreateStructGEP(abi_.kernel_env, env, kEnvCountsToZero)));
    counts = b.CreateAddrSpaceCast(counts, llvm::PointerType::get(c_, kGlobal), "counts.to.zero");
    b.CreateCondBr(b.CreateAnd(b.CreateICmpEQ(block, b.getInt32(0)), b.CreateICmpULT(thread, n)), loop, done);
    b.SetInsertPoint(loop);
    llvm::PHINode* i = b.CreatePHI(i32_, 2, "zero.i");
    i->addIncoming(thread, before);
    llvm::Value* count = invariant(b.CreateLoad(abi_.ptr, b.CreateInBoundsGEP(abi_.ptr, counts, {b.CreateZExt(i, abi_.u64)})));
    b.CreateStore(b.getInt32(0), b.CreateAddrSpaceCast(count, llvm::PointerType::get(c_, kGlobal)));
    llvm::Value* next = b.CreateAdd(i, b.getInt32(kStageBlock), "zero.next");
    i->addIncoming(next, loop);
    b.CreateCondBr(b.CreateICmpULT(next, n), loop, done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
    return fn;
  }

 private:
  llvm::Function* stage_body(std::size_t s) {
    const std::vector<std::uint32_t>& kernels = ctx_.ir.step_stages[s];
    called_ = kernels.size() > kMostInlinedMembers;
    if (kernels.size() > kStageMaxMembers)
      ir::internal_error("codegen", "a stage has over " + std::to_string(kStageMaxMembers) + " kernels");
    llvm::Function* entry = declare("gennc_stage_body_" + std::to_string(s), llvm::GlobalValue::InternalLinkage);
    entry->addFnAttr(llvm::Attribute::AlwaysInline);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(c_, "entry", entry));
    auto* global = llvm::PointerType::get(c_, kGlobal);
    llvm::Value* env = b.CreateAddrSpaceCast(entry->getArg(0), global, "env.global");
    members_ = b.CreateAddrSpaceCast(entry->getArg(1), global, "members.global");
    llvm::Value* count = entry->getArg(2);
    auto field = [&](unsigned index, llvm::Type* type, const char* what) {
      return invariant(b.CreateLoad(type, b.CreateStructGEP(abi_.kernel_env, env, index), what));
    };
    arrays_ = b.CreateAddrSpaceCast(field(kEnvArrays, abi_.ptr, "arrays"), global, "arrays.global");
    scalars_ = {field(kEnvT, abi_.f64, "t"), field(kEnvDt, abi_.f64, "dt"), field(kEnvStep, abi_.u64, "step"),
                field(kEnvSeed, abi_.u64, "seed")};
    spike_rows_ = b.CreateAddrSpaceCast(field(kEnvSpikeRows, abi_.ptr, "spike.rows"), global, "spike.rows.global");
    row_ = field(kEnvRow, abi_.u64, "row");
    post_ranges_ = b.CreateAddrSpaceCast(field(kEnvPostRanges, abi_.ptr, "post_ranges"), global, "post_ranges.global");
    // Blocks have kStageBlock threads: said here, since a body is no kernel whose maxntidx
    // tells the optimiser so.
    auto* thread = llvm::cast<llvm::Instruction>(sreg(b, llvm::Intrinsic::nvvm_read_ptx_sreg_tid_x, "thread"));
    thread->setMetadata(llvm::LLVMContext::MD_range,
                        llvm::MDBuilder(c_).createRange(llvm::APInt(32, 0), llvm::APInt(32, kStageBlock)));

    // Phase 1: units per member and their prefix sums, in rounds of one member per thread
    // (member round * 256 + thread), each round a block-wide scan carried into the next.
    // One member per thread keeps each thread to one chain of dependent loads (member,
    // count pointer, count); a thread walking four members in turn took four chains while
    // the block waited at the barrier. Rounds beyond the member count are skipped (the
    // count is the same for the whole block).
    llvm::Value* lane = b.CreateAnd(thread, b.getInt32(kWarp - 1), "lane");
    llvm::Value* warp = b.CreateLShr(thread, b.getInt32(5), "warp");
    llvm::Value* carried = b.getInt32(0);  // units of the earlier rounds
    for (unsigned round = 0; round < kMembersPerThread; ++round) {
      carried = if_then(
          b, b.CreateICmpULT(b.getInt32(round * kStageBlock), count),
          [&] { return scan_round(b, round, thread, lane, warp, count, carried); }, carried, "carried");
    }
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});

    // Phase 2: this block's units.
    llvm::BasicBlock* done = llvm::BasicBlock::Create(c_, "done", entry);
    llvm::BasicBlock* some = llvm::BasicBlock::Create(c_, "some", entry);
    b.CreateCondBr(b.CreateICmpEQ(count, b.getInt32(0)), done, some);
    b.SetInsertPoint(some);
    llvm::Value* last = b.CreateSub(count, b.getInt32(1), "last");
    llvm::Value* total = b.CreateLoad(i32_, b.CreateInBoundsGEP(i32_, ends_, {b.CreateZExt(last, abi_.u64)}), "total");
    llvm::Value* first = sreg(b, llvm::Intrinsic::nvvm_read_ptx_sreg_ctaid_x, "block");
    llvm::Value* blocks = sreg(b, llvm::Intrinsic::nvvm_read_ptx_sreg_nctaid_x, "blocks");
    llvm::BasicBlock* loop = llvm::BasicBlock::Create(c_, "unit", entry);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(c_, "unit.next", entry);
    llvm::BasicBlock* from = b.GetInsertBlock();
    b.CreateCondBr(b.CreateICmpULT(first, total), loop, done);
    b.SetInsertPoint(loop);
    llvm::PHINode* unit = b.CreatePHI(i32_, 2, "u");
    unit->addIncoming(first, from);
    llvm::Value* m = find_member(b, unit, last);
    llvm::Value* m64 = b.CreateZExt(m, abi_.u64);
    llvm::Value* start = if_then(
        b, b.CreateICmpNE(m, b.getInt32(0)),
        [&] { return b.CreateLoad(i32_, b.CreateInBoundsGEP(i32_, ends_, {b.CreateSub(m64, b.getInt64(1))})); },
        b.getInt32(0), "member.start");
    llvm::Value* k = b.CreateSub(unit, start, "k");
    llvm::Value* slot = member_field(b, m64, kSlot, "slot");
    llvm::Value* mode = member_field(b, m64, kMode, "mode");
    llvm::Value* limit = b.CreateLoad(i32_, b.CreateInBoundsGEP(i32_, limits_, {m64}), "n");
    llvm::Value* begin = member_field(b, m64, kBegin, "begin");
    llvm::SwitchInst* which = b.CreateSwitch(slot, next, static_cast<unsigned>(kernels.size()));
    for (std::size_t i = 0; i < kernels.size(); ++i) {
      llvm::BasicBlock* member = llvm::BasicBlock::Create(c_, "member", entry, next);
      which->addCase(b.getInt32(static_cast<std::uint32_t>(i)), member);
      b.SetInsertPoint(member);
      run_member(b, ctx_.ir.kernels.at(kernels[i]), mode, k, begin, limit);
      b.CreateBr(next);
    }
    b.SetInsertPoint(next);
    llvm::Value* after = b.CreateAdd(unit, blocks, "u.next");
    unit->addIncoming(after, next);
    b.CreateCondBr(b.CreateICmpULT(after, total), loop, done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
    return entry;
  }

  llvm::GlobalVariable* shared(const char* name, unsigned n) {
    auto* type = llvm::ArrayType::get(i32_, n);
    return new llvm::GlobalVariable(ctx_.module, type, false, llvm::GlobalValue::InternalLinkage,
                                    llvm::UndefValue::get(type), name, nullptr,
                                    llvm::GlobalValue::NotThreadLocal, kShared);
  }

  llvm::Function* declare(const std::string& name, llvm::GlobalValue::LinkageTypes linkage) {
    if (ctx_.module.getNamedValue(name) != nullptr) ir::internal_error("codegen", "PTX name '" + name + "' is taken");
    auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(c_), {abi_.ptr, abi_.ptr, i32_}, false);
    llvm::Function* entry = llvm::Function::Create(type, linkage, name, ctx_.module);
    entry->addFnAttr(llvm::Attribute::NoUnwind);
    for (unsigned k : {0u, 1u}) {
      entry->addParamAttr(k, llvm::Attribute::NoAlias);
      entry->addParamAttr(k, llvm::Attribute::NoCapture);
      entry->addParamAttr(k, llvm::Attribute::ReadOnly);
    }
    entry->getArg(0)->setName("env");
    entry->getArg(1)->setName("members");
    entry->getArg(2)->setName("count");
    return entry;
  }

  // The recording row population p's spikes of this step go to: spike_rows[p] + row x its
  // words per step (a bit per neuron, or a count with a multiplicity array), or null where
  // the step records nothing (no table) or not p.
  llvm::Value* spike_row(llvm::IRBuilder<>& b, std::uint32_t p) {
    auto* global = llvm::PointerType::get(c_, kGlobal);
    const ir::Population& pop = ctx_.ir.populations.at(p);
    const std::uint64_t words = pop.spike_multiplicity_array != ir::kNone ? pop.size : (pop.size + 31) / 32;
    llvm::Value* start = if_then(
        b, b.CreateIsNotNull(spike_rows_),
        [&] { return invariant(b.CreateLoad(abi_.u64, b.CreateConstInBoundsGEP1_64(abi_.u64, spike_rows_, p), "row.start")); },
        b.getInt64(0), "spike.row.start");
    llvm::Value* address = b.CreateAdd(start, b.CreateMul(row_, b.getInt64(words * 4)));
    llvm::Value* row = b.CreateIntToPtr(b.CreateSelect(b.CreateICmpEQ(start, b.getInt64(0)), start, address), global);
    return row;
  }

  // One round of phase 1: member round * 256 + thread's units, a block-wide inclusive scan
  // of them, ends_[member] = carried + its inclusive sum; returns carried + the round's total.
  llvm::Value* scan_round(llvm::IRBuilder<>& b, unsigned round, llvm::Value* thread, llvm::Value* lane,
                          llvm::Value* warp, llvm::Value* count, llvm::Value* carried) {
    llvm::Value* m = b.CreateAdd(thread, b.getInt32(round * kStageBlock), "m");
    llvm::Value* units = if_then(
        b, b.CreateICmpULT(m, count), [&] { return member_units(b, m); }, b.getInt32(0), "units");
    llvm::Value* scan = units;
    for (unsigned d = 1; d < kWarp; d *= 2) {
      llvm::Value* up = b.CreateIntrinsic(llvm::Intrinsic::nvvm_shfl_sync_up_i32, {},
                                          {b.getInt32(0xffffffffu), scan, b.getInt32(d), b.getInt32(0)});
      scan = b.CreateSelect(b.CreateICmpUGE(lane, b.getInt32(d)), b.CreateAdd(scan, up), scan, "scan");
    }
    // The previous round's readers of warp_sums_ are past this barrier before it is rewritten.
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
    if_then(
        b, b.CreateICmpEQ(lane, b.getInt32(kWarp - 1)),
        [&] {
          b.CreateStore(scan, b.CreateInBoundsGEP(i32_, warp_sums_, {warp}));
          return b.getInt32(0);
        },
        b.getInt32(0), "warp.total");
    b.CreateIntrinsic(llvm::Intrinsic::nvvm_barrier0, {}, {});
    llvm::Value* before = b.getInt32(0);  // units of the warps before this one
    llvm::Value* total = b.getInt32(0);   // units of the round
    for (unsigned w = 0; w < kStageBlock / kWarp; ++w) {
      llvm::Value* sum = b.CreateLoad(i32_, b.CreateConstInBoundsGEP1_32(i32_, warp_sums_, w));
      before = b.CreateAdd(before, b.CreateSelect(b.CreateICmpULT(b.getInt32(w), warp), sum, b.getInt32(0)));
      total = b.CreateAdd(total, sum);
    }
    if_then(
        b, b.CreateICmpULT(m, count),
        [&] {
          b.CreateStore(b.CreateAdd(carried, b.CreateAdd(before, scan)),
                        b.CreateInBoundsGEP(i32_, ends_, {b.CreateZExt(m, abi_.u64)}));
          return b.getInt32(0);
        },
        b.getInt32(0), "end.stored");
    return b.CreateAdd(carried, total, "carried.next");
  }

  llvm::Value* member_field(llvm::IRBuilder<>& b, llvm::Value* m64, unsigned field, const char* name) {
    llvm::Value* index = b.CreateAdd(b.CreateMul(m64, b.getInt64(kMemberWords)), b.getInt64(field));
    return invariant(b.CreateLoad(i32_, b.CreateInBoundsGEP(i32_, members_, {index}), name));
  }

  // Member m's range's end, clipped by its count, stored in limits_; returns its unit count
  // (the elements from its begin on).
  llvm::Value* member_units(llvm::IRBuilder<>& b, llvm::Value* m) {
    llvm::Value* m64 = b.CreateZExt(m, abi_.u64);
    llvm::Value* begin = member_field(b, m64, kBegin, "begin");
    llvm::Value* end = member_field(b, m64, kEnd, "end");
    llvm::Value* counter = member_field(b, m64, kCountArray, "count.array");
    llvm::Value* n = if_then(
        b, b.CreateICmpNE(counter, b.getInt32(UINT32_MAX)),
        [&] {
          llvm::Value* slot = b.CreateInBoundsGEP(abi_.ptr, arrays_, {b.CreateZExt(counter, abi_.u64)});
          llvm::Value* pointer = b.CreateAddrSpaceCast(invariant(b.CreateLoad(abi_.ptr, slot)), llvm::PointerType::get(c_, kGlobal));
          return b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, end, b.CreateLoad(i32_, pointer, "spikes"));
        },
        end, "n");
    b.CreateStore(n, b.CreateInBoundsGEP(i32_, limits_, {m64}));
    llvm::Value* span = b.CreateSelect(b.CreateICmpUGT(n, begin), b.CreateSub(n, begin), b.getInt32(0), "span");
    llvm::Value* chunks = b.CreateLShr(b.CreateAdd(span, b.getInt32(kStageBlock - 1)), b.getInt32(8));
    llvm::Value* mode = member_field(b, m64, kMode, "mode");
    return b.CreateSelect(b.CreateICmpEQ(mode, b.getInt32(GENNC_STAGE_THREAD)), chunks, b.CreateMul(span, mode), "units");
  }

  // The first member m in [0, last] whose prefix sum exceeds `unit`.
  llvm::Value* find_member(llvm::IRBuilder<>& b, llvm::Value* unit, llvm::Value* last) {
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* before = b.GetInsertBlock();
    llvm::BasicBlock* step = llvm::BasicBlock::Create(c_, "search", fn);
    llvm::BasicBlock* found = llvm::BasicBlock::Create(c_, "found", fn);
    b.CreateCondBr(b.CreateICmpULT(b.getInt32(0), last), step, found);
    b.SetInsertPoint(step);
    llvm::PHINode* lo = b.CreatePHI(i32_, 2, "lo");
    llvm::PHINode* hi = b.CreatePHI(i32_, 2, "hi");
    lo->addIncoming(b.getInt32(0), before);
    hi->addIncoming(last, before);
    llvm::Value* mid = b.CreateLShr(b.CreateAdd(lo, hi), b.getInt32(1), "mid");
    llvm::Value* end = b.CreateLoad(i32_, b.CreateInBoundsGEP(i32_, ends_, {b.CreateZExt(mid, abi_.u64)}));
    llvm::Value* above = b.CreateICmpUGT(end, unit);
    llvm::Value* new_lo = b.CreateSelect(above, lo, b.CreateAdd(mid, b.getInt32(1)), "lo.next");
    llvm::Value* new_hi = b.CreateSelect(above, mid, hi, "hi.next");
    lo->addIncoming(new_lo, step);
    hi->addIncoming(new_hi, step);
    b.CreateCondBr(b.CreateICmpULT(new_lo, new_hi), step, found);
    b.SetInsertPoint(found);
    llvm::PHINode* m = b.CreatePHI(i32_, 2, "member");
    m->addIncoming(b.getInt32(0), before);
    m->addIncoming(new_lo, step);
    return m;
  }

  // Unit k of `kernel`: a call of its block body over its part of [begin, n). In block
  // mode, `mode` blocks share each element's row: unit k is part k % mode of element
  // begin + k / mode.
  void run_member(llvm::IRBuilder<>& b, const ir::Kernel& kernel, llvm::Value* mode, llvm::Value* k,
                  llvm::Value* begin, llvm::Value* n) {
    const bool rows = row_parallel(kernel) && ctx_.target.lanes() > 1;
    llvm::Value* chunk = b.CreateAdd(begin, b.CreateShl(k, b.getInt32(8)), "chunk");
    if (!rows) {
      call(b, thread_body(kernel), chunk, n, true);
      return;
    }
    llvm::Function* fn = b.GetInsertBlock()->getParent();
    llvm::BasicBlock* by_block = llvm::BasicBlock::Create(c_, "by.block", fn);
    llvm::BasicBlock* by_thread = llvm::BasicBlock::Create(c_, "by.thread", fn);
    llvm::BasicBlock* joined = llvm::BasicBlock::Create(c_, "member.end", fn);
    b.CreateCondBr(b.CreateICmpEQ(mode, b.getInt32(GENNC_STAGE_THREAD)), by_thread, by_block);
    b.SetInsertPoint(by_block);
    llvm::Value* nth = b.CreateUDiv(k, mode, "nth");
    llvm::Value* part = b.CreateSub(k, b.CreateMul(nth, mode), "part");
    llvm::Value* element = b.CreateAdd(begin, nth, "element");
    call(b, emit_block_body(ctx_, kernel, true), element, b.CreateAdd(element, b.getInt32(1)), false, {part, mode});
    b.CreateBr(joined);
    b.SetInsertPoint(by_thread);
    call(b, thread_body(kernel), chunk, n, true);
    b.CreateBr(joined);
    b.SetInsertPoint(joined);
  }

  KernelBody thread_body(const ir::Kernel& kernel) { return emit_block_body(ctx_, kernel, false); }

  // body(arrays..., t, dt, step, seed, begin, end, extra...); a chunk ends at min(begin + 256, n).
  void call(llvm::IRBuilder<>& b, const KernelBody& body, llvm::Value* begin, llvm::Value* end, bool chunk,
            std::initializer_list<llvm::Value*> extra = {}) {
    auto* global = llvm::PointerType::get(c_, kGlobal);
    std::vector<llvm::Value*> args;
    for (std::uint32_t id : body.arrays) {
      llvm::Value* slot = b.CreateConstInBoundsGEP1_64(abi_.ptr, arrays_, id);
      args.push_back(b.CreateAddrSpaceCast(invariant(b.CreateLoad(abi_.ptr, slot)), global, "array" + std::to_string(id)));
    }
    for (std::uint32_t p : body.spike_rows) args.push_back(spike_row(b, p));
    if (body.post_ranges) args.push_back(post_ranges_);
    args.insert(args.end(), scalars_.begin(), scalars_.end());
    args.push_back(begin);
    if (chunk) end = b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, b.CreateAdd(begin, b.getInt32(kStageBlock)), end);
    args.push_back(end);
    args.insert(args.end(), extra.begin(), extra.end());
    if (called_) {
      body.function->removeFnAttr(llvm::Attribute::AlwaysInline);
      body.function->addFnAttr(llvm::Attribute::NoInline);
      // What merge_called_bodies may merge (the GPU module's bodies that differ in constants).
      body.function->addFnAttr(kCalledBodyAttribute);
    }
    b.CreateCall(body.function, args);
  }

  const LoweringContext& ctx_;
  int blocks_per_sm_;
  llvm::LLVMContext& c_;
  AbiTypes abi_;
  llvm::Type* i32_;
  llvm::GlobalVariable* ends_ = nullptr;
  llvm::GlobalVariable* limits_ = nullptr;
  llvm::GlobalVariable* warp_sums_ = nullptr;
  llvm::Value* members_ = nullptr;
  llvm::Value* arrays_ = nullptr;
  llvm::Value* spike_rows_ = nullptr;  // GenncKernelEnv::spike_rows (may be null)
  llvm::Value* row_ = nullptr;         // GenncKernelEnv::row
  llvm::Value* post_ranges_ = nullptr; // GenncKernelEnv::post_ranges (may be null)
  llvm::Function* zero_next_counts_ = nullptr;
  std::vector<llvm::Value*> scalars_;
  bool called_ = false;  // the stage's member bodies are called, not inlined
};

}  // namespace

std::string stage_entry_name(std::size_t stage) { return "gennc_stage_" + std::to_string(stage); }

void mark_kernel(llvm::Module& module, llvm::Function* entry, int blocks_per_sm) {
  llvm::LLVMContext& c = module.getContext();
  auto annotate = [&](const char* what, unsigned value) {
    module.getOrInsertNamedMetadata("nvvm.annotations")
        ->addOperand(llvm::MDNode::get(
            c, {llvm::ValueAsMetadata::get(entry), llvm::MDString::get(c, what),
                llvm::ConstantAsMetadata::get(llvm::ConstantInt::get(llvm::Type::getInt32Ty(c), value))}));
  };
  annotate("kernel", 1);
  annotate("maxntidx", kStageBlock);  // the scan and the units assume blocks of exactly this size
  if (blocks_per_sm > 0) annotate("minctasm", static_cast<unsigned>(blocks_per_sm));
}

StageFunctions emit_stages(const LoweringContext& ctx, int blocks_per_sm) {
  StageEmitter emitter(ctx, blocks_per_sm);
  StageFunctions stages;
  for (std::size_t s = 0; s < ctx.ir.step_stages.size(); ++s) {
    auto [body, entry] = emitter.stage(s);
    stages.bodies.push_back(body);
    stages.entries.push_back(entry);
  }
  if (!stages.bodies.empty()) stages.zero_next_counts = emitter.zero_next_counts();
  return stages;
}

}  // namespace gennc::codegen
