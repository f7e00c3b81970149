#pragma once

#include <cstdint>
#include <set>

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
// Returns whether the stages changed.
bool plan_stages(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
