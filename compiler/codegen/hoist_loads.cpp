#include "codegen/hoist_loads.h"

#include <llvm/ADT/SmallPtrSet.h>
#include <llvm/Analysis/AliasAnalysis.h>
#include <llvm/Analysis/MemoryLocation.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

// The ordering of an atomic instruction (NotAtomic for others).
llvm::AtomicOrdering ordering(const llvm::Instruction& i) {
  if (const auto* rmw = llvm::dyn_cast<llvm::AtomicRMWInst>(&i)) return rmw->getOrdering();
  if (const auto* exchange = llvm::dyn_cast<llvm::AtomicCmpXchgInst>(&i)) return exchange->getSuccessOrdering();
  if (const auto* load = llvm::dyn_cast<llvm::LoadInst>(&i)) return load->getOrdering();
  if (const auto* store = llvm::dyn_cast<llvm::StoreInst>(&i)) return store->getOrdering();
  return llvm::AtomicOrdering::NotAtomic;
}

// Whether `load` must stay after `earlier` for memory's sake.
bool ordered_after(llvm::LoadInst& load, llvm::Instruction& earlier, llvm::AAResults& aa) {
  if (llvm::isa<llvm::FenceInst>(earlier)) return true;
  if (auto* call = llvm::dyn_cast<llvm::CallBase>(&earlier); call != nullptr && call->isConvergent()) return true;
  if (llvm::isStrongerThanMonotonic(ordering(earlier)) || earlier.isVolatile()) return true;
  return earlier.mayWriteToMemory() && llvm::isModSet(aa.getModRefInfo(&earlier, llvm::MemoryLocation::get(&load)));
}

// An instruction that may move with the load whose address it computes.
bool movable(const llvm::Instruction& i) {
  return !llvm::isa<llvm::PHINode>(i) && !i.isTerminator() && !i.mayReadOrWriteMemory() && !i.mayHaveSideEffects();
}

// Moves `load` above the writes between it and the last instruction it must follow (the
// last earlier write it may alias, or fence, barrier, ordered atomic, or the last
// instruction it takes a value from that cannot move), just before the first of them; the
// computation of its address moves up with it.
bool hoist(llvm::LoadInst& load, llvm::AAResults& aa) {
  llvm::BasicBlock& block = *load.getParent();
  llvm::Instruction* bound = nullptr;
  for (llvm::Instruction* i = load.getPrevNode(); i != nullptr && bound == nullptr; i = i->getPrevNode())
    if (ordered_after(load, *i, aa)) bound = i;
  auto later = [](llvm::Instruction* a, llvm::Instruction* b) { return a == nullptr || a->comesBefore(b) ? b : a; };
  std::vector<llvm::Instruction*> address;  // what moves with the load
  llvm::SmallPtrSet<llvm::Instruction*, 16> seen;
  std::vector<llvm::Instruction*> pending{&load};
  while (!pending.empty()) {
    llvm::Instruction* user = pending.back();
    pending.pop_back();
    for (llvm::Value* operand : user->operands()) {
      auto* from = llvm::dyn_cast<llvm::Instruction>(operand);
      if (from == nullptr || from->getParent() != &block || !seen.insert(from).second) continue;
      if (movable(*from)) {
        address.push_back(from);
        pending.push_back(from);
      } else {
        bound = later(bound, from);
      }
    }
  }
  std::sort(address.begin(), address.end(), [](llvm::Instruction* a, llvm::Instruction* b) { return a->comesBefore(b); });
  llvm::Instruction* to = &*block.getFirstInsertionPt();  // after the PHIs
  if (bound != nullptr && !bound->comesBefore(to)) to = bound->getNextNode();
  // No further than the first write after that: above it the PTX assembler may schedule
  // the load as it likes, and a load hoisted further only holds its register longer.
  while (to != &load && !to->mayWriteToMemory()) to = to->getNextNode();
  if (to == &load) return false;
  // What of the address comes after that write moves up with the load, in order; what is
  // before it stays (it may have other users there).
  for (llvm::Instruction* i : address)
    if (to->comesBefore(i)) i->moveBefore(to);
  load.moveBefore(to);
  return true;
}

}  // namespace

llvm::PreservedAnalyses HoistLoadsPass::run(llvm::Function& function, llvm::FunctionAnalysisManager& analyses) {
  llvm::AAResults& aa = analyses.getResult<llvm::AAManager>(function);
  bool changed = false;
  for (llvm::BasicBlock& block : function) {
    std::vector<llvm::LoadInst*> loads;
    for (llvm::Instruction& i : block)
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(&i); load != nullptr && load->isSimple()) loads.push_back(load);
    // In program order, so each load lands after the loads before it that it follows.
    for (llvm::LoadInst* load : loads) changed |= hoist(*load, aa);
  }
  // A move that broke the function (a value used before it is defined) is gennc's bug,
  // and the PTX back end would not say so.
  std::string broken;
  llvm::raw_string_ostream why(broken);
  if (changed && llvm::verifyFunction(function, &why))
    ir::internal_error("codegen", "moving loads broke '" + function.getName().str() + "': " + broken);
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

}  // namespace gennc::codegen
