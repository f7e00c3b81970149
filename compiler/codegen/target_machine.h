// LLVM target set-up: the X86 and NVPTX back ends are initialised once per process, and a
// TargetMachine is made for the host CPU the generated code must run on.
#pragma once

#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace gennc::codegen {

// Initialises the X86 and NVPTX targets (info, MC, code generators, asm printers and the
// X86 asm parser, which inline asm in bitcode needs). Safe to call repeatedly.
void initialize_targets();

// The CPU the host code is compiled for. The default is a portable baseline, because a
// `sim` built on one machine is routinely run on another (the GPU machine's CPU differs
// from the build machine's): x86-64-v2 (SSE4.2, POPCNT) runs on every x86-64 server CPU
// of the last decade, with scheduling tuned generically. "native" takes the build
// machine's CPU name and feature set.
struct HostCpu {
  std::string arch = "x86-64-v2";  // an LLVM CPU name, or "native"
};

// A TargetMachine for the host triple: position-independent code (the object goes into a
// PIE executable or a shared library), at the given optimisation level 0..3. On failure
// returns null and sets *error.
std::unique_ptr<llvm::TargetMachine> create_host_target_machine(const HostCpu& cpu, int opt_level,
                                                                std::string* error);

}  // namespace gennc::codegen
