// The link step: a compiled network's object files + the runtime's static libraries ->
// the `sim` executable or a shared library, through the system C++ compiler driver.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.h"

namespace gennc::codegen {

enum class LinkKind {
  Executable,     // `sim`: gennc_sim_main's main() over the runtime
  SharedLibrary,  // `--shared`: a .so exporting the runtime's C ABI (runtime.h), for ctypes
};

struct RuntimeLibraries {
  std::string runtime;   // libgennc_runtime.a
  std::string sim_main;  // libgennc_sim_main.a
};

// Where gennc looks for the runtime's libraries: in `dir` alone when it is given
// (--runtime-dir), else `<dir of gennc>/../lib/gennc` (the install layout), then the build
// tree's runtime libraries (paths fixed at build time).
std::vector<RuntimeLibraries> runtime_candidates(const std::string& dir);

// The first of runtime_candidates(dir) whose two libraries exist; reports
// runtime_library_missing and returns nullopt when none does.
std::optional<RuntimeLibraries> find_runtime_libraries(const std::string& dir, diag::Diagnostics& diags);

// Links `objects` (the network's: kernels, gennc_model) with the runtime into `output`. Our libraries are linked statically, and
// so are libstdc++ and libgcc, so the result runs on a machine without gennc or a matching
// C++ runtime; only libc, libm, libpthread and libdl stay dynamic. Reports linker_not_found
// or link_failed (with the linker's messages) and returns false on failure.
bool link_simulator(const std::vector<std::string>& objects, const std::string& output, LinkKind kind,
                    const RuntimeLibraries& libraries, diag::Diagnostics& diags);

}  // namespace gennc::codegen
