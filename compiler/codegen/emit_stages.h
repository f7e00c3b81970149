// GPU stage entries: one PTX entry per stage of ir.step_stages (passes/plan_stages.h) that
// runs all of the stage's kernels in one launch, so a step costs a few launches however
// many populations and projections the network has.
//
//   void gennc_stage_<s>(const GenncKernelEnv* env, const GenncStageMember* members, u32 count)
//
// Work is dealt in units of one block (256 threads): a member in GENNC_STAGE_THREAD mode
// with n elements has ceil(n / 256) units (unit k: elements [256k, min(256k + 256, n)), a
// thread each), one in block mode with m blocks per element (mode m >= GENNC_STAGE_BLOCK)
// has n * m units (unit k: part k % m of element k / m's row, the m blocks' threads sharing
// the row so that a long row is not one block's loop). Each block first computes the members' unit counts (their
// ranges clipped by spike counts read on the device) and their prefix sums into shared
// memory — one member per thread in rounds of 256, each a block scan — then takes units blockIdx,
// blockIdx + gridDim, ..., finding each unit's member by binary search over the sums. A
// unit's threads all run the same member, so the member switch does not diverge.
#pragma once

#include <llvm/IR/Function.h>

#include <cstddef>
#include <string>
#include <vector>

#include "codegen/emit_kernels.h"
#include "gennc/model_abi.h"

namespace gennc::codegen {

// The PTX entry name of stage `stage`: "gennc_stage_<stage>".
std::string stage_entry_name(std::size_t stage);

// Threads per block the stage entries assume (the runtime launches exactly this many),
// and the most members one launch may have (gennc/model_abi.h).
inline constexpr unsigned kStageBlock = GENNC_STAGE_THREADS;
inline constexpr unsigned kStageMaxMembers = GENNC_STAGE_MAX_MEMBERS;

// The stages' entries and their bodies (internal, always inlined: the entry's code, and the
// persistent step entry's, emit_persistent_steps.h), both `void (env, members, count)`;
// and `void zero_next_counts(env)` (internal, always inlined), by which block 0 zeroes the
// env's counts_to_zero, the next step's spike counts: each stage entry calls it before its
// body (so it is done whichever stages a step launches), the persistent entry once a step.
struct StageFunctions {
  std::vector<llvm::Function*> entries;
  std::vector<llvm::Function*> bodies;
  llvm::Function* zero_next_counts = nullptr;
};

// One entry per stage of ctx.ir.step_stages, in order, each calling the block-spread
// bodies (emit_block_body) of its kernels; block mode is honoured for kernels with
// a row-parallel form (row_parallel), which then have both bodies.
// Requires: the NVPTX target; stages of at most kStageMaxMembers kernels.
// blocks_per_sm > 0 marks each entry .minnctapersm blocks_per_sm (registers capped so that
// many blocks of 256 threads fit on a multiprocessor); 0 adds no such directive.
StageFunctions emit_stages(const LoweringContext& context, int blocks_per_sm = 0);

// Marks `entry` a kernel of blocks of exactly kStageBlock threads (and .minnctapersm
// blocks_per_sm where that is > 0).
void mark_kernel(llvm::Module& module, llvm::Function* entry, int blocks_per_sm);

}  // namespace gennc::codegen
