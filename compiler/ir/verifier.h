// Structural checks of the IR, run after lowering and after every pass in debug builds and
// tests (--verify-each). A failure is a compiler bug, never a user error.
#pragma once

#include <string>
#include <vector>

#include "ir/ir.h"

namespace gennc::ir {

// Returns one message per problem found (empty: the module is well formed): operand types
// agree, array/local/population ids exist, locals are declared before use, stores target
// arrays of the stored type, For and spike statements are well typed, random streams are
// unique per draw site, schedules name kernels of the right kind, and no Integrate or
// Threshold statement remains once the module's stage is Lowered.
std::vector<std::string> verify(const Module& m);

}  // namespace gennc::ir
