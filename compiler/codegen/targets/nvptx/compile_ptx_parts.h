// The PTX of a network compiled in parts, each on a thread of its own. Since the host's
// kernel bodies are shared (docs/codegen.md, "Shared bodies"), the host pipeline takes a
// fraction of the PTX pipeline's time and the PTX sets a compile's wall time; but a
// network's entries (its stages, the persistent step) are independent kernels, so their
// optimisation and emission need not wait for one another (docs/codegen.md, "Compile time").
#pragma once

#include <llvm/IR/Module.h>

#include <optional>
#include <string>

#include "codegen/codegen.h"

namespace gennc::codegen {

// What compile_ptx_parts did: `text` where the parts joined; `tried` where it compiled
// parts (without `text`: they did not join, and the module is to be compiled whole).
struct PtxParts {
  bool tried = false;
  std::optional<std::string> text;
};

// The PTX of `module` (lowered, libdevice linked, not yet optimised) compiled in parts, each
// optimised and emitted in an LLVM context and with a target machine of its own, then
// joined into one PTX module. Entries that reach one function the inliner weighs share a
// part (it weighs a function by its callers), and so do all entries that reach a function
// never inlined (so that every .func comes from one part); these groups go to parts largest
// first, one part per hardware thread (at most `options.ptx_parts` where it is not 0) and
// at most kMaxPtxParts. Nothing is tried where there is one group, or where stage members
// are called rather than inlined (merge_called_bodies compares those across the whole
// module). The largest part runs on this thread, the others at a lower scheduling
// priority. The join: one header, one copy of the module-scope declarations (of the part
// whose declarations hold every other's), the entries in module order with their block
// labels and stack depots numbered as the whole module numbers its functions, shared
// variables that one part's code alone uses declared at module scope again, then the .func
// definitions. The aim is the whole module's PTX byte for byte
// (tests/unit/codegen/ptx_parts_test.cpp). The parts do not join where their texts are not
// that simple (a call outside the .func part, another kind of numbered local name,
// declarations no part holds in full).
PtxParts compile_ptx_parts(const llvm::Module& module, const Options& options);

}  // namespace gennc::codegen
