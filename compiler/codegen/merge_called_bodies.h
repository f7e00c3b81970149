// A GPU module pass: called member bodies that differ only in constants become one function
// that reads the differing constants from a table per original body.
//
// Why: a stage of more than 64 members calls its members' bodies (emit_stages.cpp,
// kMostInlinedMembers), one LLVM function per member. In a large network the members are
// a few shapes of code that differ only in numbers (connection probabilities, distribution
// parameters, random streams, population sizes); the arrays they address are arguments
// already. The multi-area model's 8,344 bodies made 256 MB of PTX that ptxas could not
// assemble. Merged, each shape is assembled once and each member keeps a small table.
#pragma once

#include <llvm/IR/Module.h>

#include <cstddef>

namespace gennc::codegen {

// The string function attribute emit_stages puts on the member bodies it calls (and does
// not inline); only such functions are merged.
inline constexpr const char* kCalledBodyAttribute = "gennc-called-body";

struct MergedBodies {
  std::size_t groups = 0;   // merged functions made
  std::size_t removed = 0;  // original bodies replaced by a merged function
};

// Requires: an optimised module (the bodies are compared as they will be emitted) whose
// bodies marked kCalledBodyAttribute are called directly and have no other uses.
// Guarantees: each group of two or more marked bodies that are equal instruction by
// instruction (same opcodes, types, flags, metadata, callees and globals) except for scalar
// integer or floating-point constants in positions that may hold a run-time value is
// replaced by one function `<first>_merged` taking one more argument, a pointer into the
// global address space to the body's table (an internal constant global `<body>_constants`,
// a struct of the differing constants); the merged function loads each differing constant
// (invariant) in its entry block. Every call is rewritten; the original bodies are deleted.
// Positions that must stay constant (intrinsic immarg arguments, struct indices of a GEP,
// switch cases, alloca sizes, operand bundles) never vary within a group: bodies differing
// there fall into different groups. A constant read from memory has the value it had
// inline, so results are bitwise the same. Unmarked functions are not touched.
MergedBodies merge_called_bodies(llvm::Module& module);

}  // namespace gennc::codegen
