// The host code of a linked binary optimised and emitted in parts, each on a thread of its
// own, where no GPU pipeline keeps the other cores busy: a network's kernels are
// independent functions, so their optimisation and machine code need not wait for one
// another (docs/codegen.md, Compile time).
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "codegen/codegen.h"

namespace gennc::codegen {

// How many parts `entries` (the module's exported functions) are split into on this
// machine: one per hardware thread, at most one per entry, at most kMaxHostParts.
unsigned host_part_count(const std::vector<llvm::Function*>& entries);

// The objects of `module` (lowered, the device library linked, not yet optimised) in
// `parts` parts: each holds the bodies of its share of `entries`, balanced by instruction
// count, and its own copy of every internal function; the other entries are declarations
// there. Each part is optimised and emitted in an LLVM context and with a target machine of
// its own, part 0 on this thread. The objects link together as the single object would.
// `timings` gets part 0's "llvm.optimize" and "llvm.emit", then "codegen.parallel", the wall
// time of all parts together.
std::vector<std::string> compile_host_parts(const llvm::Module& module, const std::vector<llvm::Function*>& entries,
                                            unsigned parts, const Options& options, Timings* timings);

}  // namespace gennc::codegen
