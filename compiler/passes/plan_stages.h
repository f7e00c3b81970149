#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "diag/diagnostics.h"
#include "ir/ir.h"
#include "passes/options.h"

namespace gennc::passes {

// The arrays a step kernel touches, by how: read, written with plain stores, or changed
// only by atomic adds. A spike append writes the population's spike count and list (and
// multiplicities); a spike-driven kernel also reads the count that bounds its range.
struct ArrayAccess {
  std::set<ir::ArrayId> read, written, added;
};
ArrayAccess array_access(const ir::Module& m, const ir::Kernel& kernel);

// Whether two kernels may not run in one launch: one writes an array the other reads or
// writes, or one adds atomically to an array the other reads or writes. Two kernels adding
// to the same array do not conflict (the adds commute up to float rounding, as the GPU's
// atomics within one kernel already do).
bool conflict(const ArrayAccess& a, const ArrayAccess& b);

// Most kernels one stage holds (the stage entry keeps a table of its members in shared
// memory); a larger stage is split, which only adds ordering.
inline constexpr std::size_t kMaxStageMembers = GENNC_STAGE_MAX_MEMBERS;

// Groups the step schedule into stages by list scheduling: a kernel goes into the stage
// after the last one holding an earlier kernel it conflicts with (stage 0 if none), and
// within a stage the schedule's order is kept. Running the stages in order, each stage's
// kernels in any interleaving, computes what the step schedule computes in order.
// Requires: a lowered module. Guarantees: m.step_stages holds every step kernel once.
// Also decides m.stage_overlap (stages_overlap, below). Returns whether the stages changed.
bool plan_stages(ir::Module& m, const Options& options, diag::Diagnostics& diags);

// Whether the last stage of step n may run beside the first stage of step n + 1 (docs/ir.md,
// "Steps overlapped"), as far as the compiler can tell: apart from the spike arrays (kept
// per step on the GPU) and the receptor rings, the two touch no array in a conflicting
// way; the last stage only adds into rings and the first touches rings only in neuron
// updates (which read and clear slot n + 2 and add fused sources' spikes at n + f + 2);
// and no constant or drawn delay of a delivery in the last stage is 1 step, or 1 step
// longer than the delay of a source fused into the same ring (the slots would meet).
// Stored delays are for the runtime to check (docs/gpu.md).
bool stages_overlap(const ir::Module& m, const std::vector<std::vector<std::uint32_t>>& stages);

}  // namespace gennc::passes
