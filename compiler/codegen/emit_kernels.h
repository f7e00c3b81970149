// IR kernels and synapse functions -> LLVM functions, target-independently; the target
// strategy supplies the range loop, atomics and the entry the runtime calls.
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/FunctionComparator.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codegen/debug_info.h"
#include "codegen/targets/target.h"
#include "ir/ir.h"

namespace gennc::codegen {

// Host entries whose kernels lower to the same body (the same code over other arrays: two
// populations of one model, projections of one synapse type) call one copy of that body
// instead of each a copy of its own (docs/codegen.md, "Shared bodies"); bodies that differ
// only in constants are merged later (share_host_bodies, codegen.cpp).
class SharedBodies {
 public:
  // `body`, or an earlier body of the same cache that computes the same from the same
  // arguments: then `body` is erased.
  llvm::Function* share(llvm::Function* body);

 private:
  std::map<std::uint64_t, std::vector<llvm::Function*>> by_hash_;
  llvm::GlobalNumberState numbers_;
};

struct LoweringContext {
  const ir::Module& ir;
  llvm::Module& module;
  const Target& target;
  DebugInfo* debug;  // null: no debug locations
  // Host entries for another CPU than the module's (an LLVM CPU name, empty: the module's),
  // named "<kernel>.<cpu>". Their floating-point operations carry no `contract` flag, so
  // that a CPU with FMA gives the results of the default one, which has none.
  std::string cpu = {};
  // --fast-math: floating-point operations also carry `reassoc`, `arcp` and `nsz`, so the
  // optimiser may fold what the default build computes step by step, and `contract` in
  // every entry, another CPU's included (docs/codegen.md).
  bool fast_math = false;
  // Host entries only: where set, a body's parameters are its arrays in the order the body
  // first uses them (not by id), so that kernels of one model or synapse type get the same
  // body, which the cache then shares, and each body is marked kCalledBodyAttribute.
  SharedBodies* shared_bodies = nullptr;
};

// One entry function per kernel of ir.kernels, in order; kernels in `staged` (which run
// inside stage entries, emit_stages.h) get none (null).
// Requires: ir.stage == Stage::Lowered and ir::verify(ir) is empty.
// Guarantees: floating-point operations carry only the `contract` fast-math flag (and with
// context.fast_math `reassoc`, `arcp` and `nsz`; never approximate functions, NaN and
// infinity semantics kept); random draws
// are calls to the device library's gennc_rand_* functions (link_device_library resolves
// them); every instruction has a debug location when `debug` is given.
std::vector<llvm::Function*> emit_kernels(const LoweringContext& context, const std::set<std::uint32_t>& staged = {});

// Per kernel of ir.kernels, in order: for a kernel that makes atomic adds, an entry named
// "<kernel>.alone" lowered with `context.target` (a HostTargetAlone: the adds made plain,
// for a pool of one thread, GenncKernelInfo.host_alone); null for the others.
// Requires: as emit_kernels.
std::vector<llvm::Function*> emit_kernels_alone(const LoweringContext& context);

// Whether the kernel's element is one spike's row that the threads of a block may share —
// a SYNAPSE_PRE kernel whose statements outside its one loop only declare values and whose
// loop assigns nothing declared outside it, so the loop's iterations are independent:
// thread `lane` of an element runs iterations lane, lane + lanes(), ...
bool row_parallel(const ir::Kernel& kernel);

// The body of `kernel` (target.h) with its range spread over one block (Spread::Block),
// for a stage entry: a thread per element, or with `rows` (requires row_parallel and a
// target with lanes() > 1) the block's threads sharing each element's row. A rows body takes
// two more i32 arguments, part and parts: `parts` blocks share each row, this one being
// `part` (its threads take every (parts * lanes())-th synapse from part * lanes() + thread).
KernelBody emit_block_body(const LoweringContext& context, const ir::Kernel& kernel, bool rows);

// One GenncSynapseInitFn per element of ir.synapse_functions, in order (host only).
std::vector<llvm::Function*> emit_synapse_functions(const LoweringContext& context);

}  // namespace gennc::codegen
