// The device library: helpers that generated kernels call (the counter-based random
// streams of gennc/random.h), written once in C (runtime/device/kernel_helpers.c), compiled
// to LLVM bitcode per target triple at build time and embedded into libgennc, then linked
// into each generated module so both targets inline the same code.
#pragma once

#include <llvm/IR/Module.h>

#include <string>
#include <string_view>

namespace gennc::codegen {

// The embedded bitcode for a triple's architecture name ("x86_64", "nvptx64"); empty
// when the build embedded none for it.
std::string_view embedded_device_bitcode(std::string_view arch);

// Links into `module` the device-library functions it declares and calls (and what they
// call), with internal linkage, so the optimiser inlines them and drops the rest and they
// never clash with the runtime's own copies when the object is linked.
// Requires: `module` has its target triple and data layout set.
// Returns false and sets *error when no library exists for the triple or linking fails.
bool link_device_library(llvm::Module& module, std::string* error);

}  // namespace gennc::codegen
