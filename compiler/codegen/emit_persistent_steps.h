// The persistent step entry: a run of steps in one cooperative launch, instead of one
// launch per stage and step (docs/gpu.md, "One launch per batch").
//
//   void gennc_steps(const GenncKernelEnv* envs, u32 steps, u32 overlap, u32* barrier,
//                    const GenncStageMember* members_0, u32 count_0, ...)  (a pair per stage)
//
// Step k (0 <= k < steps) runs the stages' bodies (emit_stages.h) in order, each with envs +
// k and its own member table, as the stage entries would one launch each, with a grid-wide
// barrier after every stage: the kernel boundary it replaces. Block 0 zeroes the next
// step's spike counts (emit_stages.h: zero_next_counts) before the first stage. Where the
// planner allows it (ir.stage_overlap) and `overlap` is set, iteration k runs the first
// stage of step k and then, in each block, the last stage of step k - 1 before one
// barrier; iteration `steps` runs the last stage of the last step alone (docs/gpu.md,
// "Steps overlapped"). The barrier is one counter,
// *barrier (zero at the launch): each block adds one as it arrives and waits until the
// count reaches the barriers passed so far times the grid's blocks, so every block must be
// resident at once (a cooperative launch). The grid may be any size: the bodies loop over
// their units.
#pragma once

#include <llvm/IR/Function.h>

#include <vector>

#include "codegen/emit_kernels.h"
#include "codegen/emit_stages.h"
#include "ir/ir.h"

namespace gennc::codegen {

// Whether the persistent step may pay for the PTX's compile time (it inlines every stage
// body a second time, which about doubles the PTX pipeline's time): in networks of at
// most 32 step kernels (the 10% microcircuit's 63 took 0.6 s to 1.06 s to compile) whose
// stages' work not clipped by spike counts (neurons, traces, derived values) is at most
// 256 units of 256 elements each, enough for the runtime's default on any GPU of up to
// 256 multiprocessors (cuda_engine.cpp, plan_persistent_steps). A stage over every
// synapse of a projection (their count unknown here) never pays.
bool persistent_steps_pay(const ir::Module& module);

// Requires: the NVPTX target; `stages` from emit_stages, with at least one stage.
// blocks_per_sm as for emit_stages.
llvm::Function* emit_persistent_steps(const LoweringContext& context, const StageFunctions& stages, int blocks_per_sm);

}  // namespace gennc::codegen
