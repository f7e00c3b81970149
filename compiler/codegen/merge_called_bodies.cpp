// merge_called_bodies: see the header for why. The comparison is our own rather than LLVM's
// MergeFunctions (which merges only functions equal in every constant) or its
// FunctionComparator (which orders constants by value): here constants of one type in
// positions that may hold a run-time value are equal for grouping and recorded as the
// group's parameters.
#include "codegen/merge_called_bodies.h"

#include <llvm/ADT/Hashing.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GetElementPtrTypeIterator.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/LLVMContext.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gennc::codegen {

namespace {

// An operand of an instruction, by the instruction's position in its function.
struct Position {
  unsigned instruction;
  unsigned operand;
  bool operator<(const Position& other) const {
    return instruction != other.instruction ? instruction < other.instruction : operand < other.operand;
  }
  bool operator==(const Position& other) const { return instruction == other.instruction && operand == other.operand; }
};

// A function's instructions and blocks numbered in order.
struct Numbered {
  llvm::Function* function = nullptr;
  std::vector<llvm::Instruction*> instructions;
  std::unordered_map<const llvm::Value*, unsigned> index;  // instruction or block -> number
  explicit Numbered(llvm::Function* fn) : function(fn) {
    unsigned block_number = 0;
    for (llvm::BasicBlock& block : *fn) {
      index[&block] = block_number++;
      for (llvm::Instruction& inst : block) {
        index[&inst] = static_cast<unsigned>(instructions.size());
        instructions.push_back(&inst);
      }
    }
  }
};

bool is_plain_constant(const llvm::Value* value) {
  return (llvm::isa<llvm::ConstantInt>(value) || llvm::isa<llvm::ConstantFP>(value)) &&
         !value->getType()->isVectorTy();
}

// Whether operand `op` of `inst` may be a run-time value instead of a constant.
bool may_vary(const llvm::Instruction& inst, unsigned op) {
  switch (inst.getOpcode()) {
    case llvm::Instruction::Alloca:
    case llvm::Instruction::Switch:
    case llvm::Instruction::IndirectBr:
    case llvm::Instruction::CallBr:
    case llvm::Instruction::Invoke:
    case llvm::Instruction::LandingPad:
    case llvm::Instruction::ShuffleVector:
      return false;
    case llvm::Instruction::GetElementPtr: {
      if (op == 0) return true;
      const auto& gep = llvm::cast<llvm::GetElementPtrInst>(inst);
      unsigned index = 1;
      for (auto it = llvm::gep_type_begin(gep); it != llvm::gep_type_end(gep); ++it, ++index)
        if (index == op) return !it.isStruct();
      return false;
    }
    case llvm::Instruction::Call: {
      const auto& call = llvm::cast<llvm::CallInst>(inst);
      if (op >= call.arg_size()) return false;  // bundle operands, the callee
      if (call.isInlineAsm()) return false;
      return !call.paramHasAttr(op, llvm::Attribute::ImmArg);
    }
    default:
      return true;
  }
}

// A hash of what the comparison below requires equal: constants that may vary count by
// their type only.
llvm::hash_code signature(const Numbered& f) {
  llvm::hash_code hash = llvm::hash_combine(f.function->getFunctionType(), f.instructions.size(),
                                            f.function->getCallingConv());
  for (std::size_t i = 0; i < f.instructions.size(); ++i) {
    const llvm::Instruction& inst = *f.instructions[i];
    hash = llvm::hash_combine(hash, inst.getOpcode(), inst.getType(), inst.getNumOperands(),
                              f.index.at(inst.getParent()));
    for (unsigned op = 0; op < inst.getNumOperands(); ++op) {
      const llvm::Value* value = inst.getOperand(op);
      if (is_plain_constant(value) && may_vary(inst, op)) {
        hash = llvm::hash_combine(hash, 1, value->getType());
      } else if (const auto* arg = llvm::dyn_cast<llvm::Argument>(value)) {
        hash = llvm::hash_combine(hash, 2, arg->getArgNo());
      } else if (auto found = f.index.find(value); found != f.index.end()) {
        hash = llvm::hash_combine(hash, 3, static_cast<long>(i) - static_cast<long>(found->second));
      } else {
        hash = llvm::hash_combine(hash, 4, value);
      }
    }
  }
  return hash;
}

bool same_metadata(const llvm::Instruction& a, const llvm::Instruction& b) {
  llvm::SmallVector<std::pair<unsigned, llvm::MDNode*>, 4> ma;
  llvm::SmallVector<std::pair<unsigned, llvm::MDNode*>, 4> mb;
  a.getAllMetadataOtherThanDebugLoc(ma);
  b.getAllMetadataOtherThanDebugLoc(mb);
  return ma == mb;
}

// Whether `b` is `a` but for constants in positions that may vary; if so, those positions.
std::optional<std::vector<Position>> differences(const Numbered& a, const Numbered& b) {
  const llvm::Function& fa = *a.function;
  const llvm::Function& fb = *b.function;
  if (fa.getFunctionType() != fb.getFunctionType() || fa.getAttributes() != fb.getAttributes() ||
      fa.getCallingConv() != fb.getCallingConv() || fa.size() != fb.size() ||
      a.instructions.size() != b.instructions.size())
    return std::nullopt;
  std::vector<Position> differ;
  for (unsigned i = 0; i < a.instructions.size(); ++i) {
    const llvm::Instruction& x = *a.instructions[i];
    const llvm::Instruction& y = *b.instructions[i];
    if (a.index.at(x.getParent()) != b.index.at(y.getParent())) return std::nullopt;
    if (!x.isSameOperationAs(&y) || x.getRawSubclassOptionalData() != y.getRawSubclassOptionalData() ||
        !same_metadata(x, y))
      return std::nullopt;
    if (const auto* phi = llvm::dyn_cast<llvm::PHINode>(&x)) {
      const auto* other = llvm::cast<llvm::PHINode>(&y);
      for (unsigned k = 0; k < phi->getNumIncomingValues(); ++k)
        if (a.index.at(phi->getIncomingBlock(k)) != b.index.at(other->getIncomingBlock(k))) return std::nullopt;
    }
    for (unsigned op = 0; op < x.getNumOperands(); ++op) {
      const llvm::Value* u = x.getOperand(op);
      const llvm::Value* v = y.getOperand(op);
      if (const auto* arg = llvm::dyn_cast<llvm::Argument>(u)) {
        const auto* other = llvm::dyn_cast<llvm::Argument>(v);
        if (other == nullptr || other->getArgNo() != arg->getArgNo()) return std::nullopt;
      } else if (auto found = a.index.find(u); found != a.index.end()) {
        auto other = b.index.find(v);
        if (other == b.index.end() || other->second != found->second) return std::nullopt;
      } else if (u != v) {
        // Globals, functions, metadata, constant expressions: the same ones. Plain
        // constants of one type may differ where a run-time value may stand.
        if (!is_plain_constant(u) || !is_plain_constant(v) || u->getType() != v->getType() || !may_vary(x, op))
          return std::nullopt;
        differ.push_back({i, op});
      }
    }
  }
  return differ;
}

// Whether every use of `fn` is a direct call of it.
bool only_called(const llvm::Function& fn) {
  for (const llvm::Use& use : fn.uses()) {
    const auto* call = llvm::dyn_cast<llvm::CallInst>(use.getUser());
    if (call == nullptr || !call->isCallee(&use)) return false;
  }
  return true;
}

// Bodies that differ from the first only in constants, and the positions where some differs.
struct Group {
  std::vector<Numbered*> members;
  std::vector<Position> positions;  // unsorted, with repeats, until merge()
};

void merge(llvm::Module& module, Group& body_group, unsigned table_space) {
  llvm::LLVMContext& c = module.getContext();
  const std::vector<Numbered*>& group = body_group.members;
  const Numbered& first = *group.front();
  // The positions where some member differs from the first, and for each a slot of the
  // table; positions whose values agree member by member share a slot.
  std::vector<Position>& positions = body_group.positions;
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  std::map<std::vector<llvm::Constant*>, unsigned> slot_of_values;
  std::vector<std::vector<llvm::Constant*>> slots;  // slot -> value per member
  std::vector<unsigned> slot_of_position;
  for (const Position& p : positions) {
    std::vector<llvm::Constant*> values;
    for (const Numbered* member : group)
      values.push_back(llvm::cast<llvm::Constant>(member->instructions[p.instruction]->getOperand(p.operand)));
    auto [it, added] = slot_of_values.emplace(values, static_cast<unsigned>(slots.size()));
    if (added) slots.push_back(values);
    slot_of_position.push_back(it->second);
  }
  std::vector<llvm::Type*> fields;
  for (const auto& values : slots) fields.push_back(values.front()->getType());
  llvm::StructType* table = llvm::StructType::get(c, fields);

  // The merged function: the first member's body, one more argument.
  llvm::Function* base = first.function;
  llvm::FunctionType* base_type = base->getFunctionType();
  std::vector<llvm::Type*> params(base_type->param_begin(), base_type->param_end());
  auto* table_ptr = llvm::PointerType::get(c, table_space);
  params.push_back(table_ptr);
  llvm::Function* merged = llvm::Function::Create(llvm::FunctionType::get(base_type->getReturnType(), params, false),
                                                  base->getLinkage(), base->getName() + "_merged", module);
  merged->copyAttributesFrom(base);
  const unsigned table_arg = static_cast<unsigned>(params.size() - 1);
  merged->addParamAttr(table_arg, llvm::Attribute::NoAlias);
  merged->addParamAttr(table_arg, llvm::Attribute::NoCapture);
  merged->addParamAttr(table_arg, llvm::Attribute::ReadOnly);
  merged->addParamAttr(table_arg, llvm::Attribute::NoUndef);
  merged->getArg(table_arg)->setName("constants");
  if (llvm::DISubprogram* sp = base->getSubprogram()) {
    base->setSubprogram(nullptr);
    merged->setSubprogram(sp);
  }
  merged->splice(merged->begin(), base);
  for (unsigned i = 0; i < base->arg_size(); ++i) {
    merged->getArg(i)->takeName(base->getArg(i));
    base->getArg(i)->replaceAllUsesWith(merged->getArg(i));
  }
  llvm::IRBuilder<> b(&*merged->getEntryBlock().getFirstInsertionPt());
  std::vector<llvm::Value*> loaded;
  llvm::MDNode* empty = llvm::MDNode::get(c, {});
  for (unsigned s = 0; s < slots.size(); ++s) {
    llvm::Value* field = b.CreateStructGEP(table, merged->getArg(table_arg), s);
    llvm::LoadInst* load = b.CreateLoad(fields[s], field, "constant" + std::to_string(s));
    load->setMetadata(llvm::LLVMContext::MD_invariant_load, empty);
    loaded.push_back(load);
  }
  for (std::size_t k = 0; k < positions.size(); ++k)
    first.instructions[positions[k].instruction]->setOperand(positions[k].operand, loaded[slot_of_position[k]]);

  // Each member: its table, its calls made calls of the merged function, then gone.
  for (std::size_t m = 0; m < group.size(); ++m) {
    llvm::Function* fn = group[m]->function;
    std::vector<llvm::Constant*> values;
    for (const auto& slot : slots) values.push_back(slot[m]);
    auto* constants = new llvm::GlobalVariable(module, table, true, llvm::GlobalValue::InternalLinkage,
                                               llvm::ConstantStruct::get(table, values), fn->getName() + "_constants",
                                               nullptr, llvm::GlobalValue::NotThreadLocal, table_space);
    std::vector<llvm::CallInst*> calls;
    for (llvm::User* user : fn->users()) calls.push_back(llvm::cast<llvm::CallInst>(user));
    for (llvm::CallInst* call : calls) {
      std::vector<llvm::Value*> args(call->arg_begin(), call->arg_end());
      args.push_back(constants);
      auto* replacement = llvm::CallInst::Create(merged->getFunctionType(), merged, args, "", call->getIterator());
      replacement->setCallingConv(call->getCallingConv());
      replacement->setAttributes(call->getAttributes());
      replacement->setTailCallKind(call->getTailCallKind());
      replacement->setDebugLoc(call->getDebugLoc());
      replacement->takeName(call);
      call->replaceAllUsesWith(replacement);
      call->eraseFromParent();
    }
    fn->eraseFromParent();
  }
}

}  // namespace

MergedBodies merge_called_bodies(llvm::Module& module, unsigned table_address_space) {
  std::vector<std::unique_ptr<Numbered>> candidates;
  for (llvm::Function& fn : module)
    if (!fn.isDeclaration() && fn.hasFnAttribute(kCalledBodyAttribute) && !fn.isVarArg() && only_called(fn))
      candidates.push_back(std::make_unique<Numbered>(&fn));
  // Groups by signature, then by comparison with each group's first member (a body that
  // differs from it where a constant must stay starts a group of its own). Groups are kept
  // in the order of their first members, so that the output does not depend on hashes.
  std::vector<Group> groups;
  std::unordered_map<std::size_t, std::vector<std::size_t>> by_signature;
  for (const auto& candidate : candidates) {
    std::vector<std::size_t>& same = by_signature[static_cast<std::size_t>(signature(*candidate))];
    bool placed = false;
    for (std::size_t g : same)
      if (std::optional<std::vector<Position>> differ = differences(*groups[g].members.front(), *candidate)) {
        groups[g].members.push_back(candidate.get());
        groups[g].positions.insert(groups[g].positions.end(), differ->begin(), differ->end());
        placed = true;
        break;
      }
    if (!placed) {
      same.push_back(groups.size());
      groups.push_back({{candidate.get()}, {}});
    }
  }
  MergedBodies result;
  for (Group& group : groups)
    if (group.members.size() >= 2) {
      merge(module, group, table_address_space);
      ++result.groups;
      result.removed += group.members.size();
    }
  return result;
}

}  // namespace gennc::codegen
