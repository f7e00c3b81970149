// A module pass: called bodies that differ only in constants become one function that
// reads the differing constants from a table per original body.
//
// Why, on the GPU: a stage of more than 64 members calls its members' bodies
// (emit_stages.cpp, kMostInlinedMembers), one LLVM function per member. In a large network
// the members are a few shapes of code that differ only in numbers (connection
// probabilities, distribution parameters, random streams, population sizes); the arrays
// they address are arguments already. The multi-area model's 8,344 bodies made 256 MB of
// PTX that ptxas could not assemble. Merged, each shape is assembled once and each member
// keeps a small table.
//
// Why, on the host: the neuron updates of one model differ in their parameters, random
// streams and fault codes, so each used to be optimised and emitted on its own; the
// microcircuit's eight updates were two thirds of its host code generation. Merged before
// optimisation, each shape is compiled once (docs/codegen.md, "Shared bodies").
#pragma once

#include <llvm/IR/Module.h>

#include <cstddef>

namespace gennc::codegen {

// The string function attribute of the bodies that may be merged: the GPU stage members that
// emit_stages calls (and does not inline), and every host kernel body (emit_kernels).
inline constexpr const char* kCalledBodyAttribute = "gennc-called-body";

// The tables' address space on NVPTX (global memory) and on the host.
inline constexpr unsigned kGpuTableSpace = 1;
inline constexpr unsigned kHostTableSpace = 0;

struct MergedBodies {
  std::size_t groups = 0;   // merged functions made
  std::size_t removed = 0;  // original bodies replaced by a merged function
};

// Requires: bodies marked kCalledBodyAttribute are called directly and have no other uses.
// The GPU merges its optimised module (the bodies are compared as they will be emitted),
// the host its module before optimisation (so that each shape is optimised once).
// Guarantees: each group of two or more marked bodies that are equal instruction by
// instruction (same opcodes, types, flags, metadata, callees and globals) except for scalar
// integer or floating-point constants in positions that may hold a run-time value is
// replaced by one function `<first>_merged` taking one more argument, a pointer in
// `table_address_space` to the body's table (an internal constant global `<body>_constants`,
// a struct of the differing constants); the merged function loads each differing constant
// (invariant) in its entry block. Every call is rewritten; the original bodies are deleted.
// Positions that must stay constant (intrinsic immarg arguments, struct indices of a GEP,
// switch cases, alloca sizes, operand bundles) never vary within a group: bodies differing
// there fall into different groups. A constant read from memory has the value it had
// inline, so results are bitwise the same. Unmarked functions are not touched.
MergedBodies merge_called_bodies(llvm::Module& module, unsigned table_address_space);

}  // namespace gennc::codegen
