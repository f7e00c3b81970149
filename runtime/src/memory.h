// How much host memory a simulation may use, and its estimate of what a network needs,
// so that a network too big is refused before anything large is allocated (the CUDA
// engine does the same for GPU memory in Engine::plan_memory).
#pragma once

#include <cstdint>
#include <string>

namespace gennc::runtime {

struct MemoryLimit {
  uint64_t bytes = UINT64_MAX;  // what may still be allocated
  std::string source;           // what sets it: "available physical memory", "the cgroup limit", "RLIMIT_AS"
};

// The tightest of: the kernel's MemAvailable, the room left under the process's cgroup
// (v2 memory.max, v1 limit_in_bytes) and, with RLIMIT_AS set, the address space left.
MemoryLimit available_memory();

// "12.3 MiB".
std::string mebibytes(uint64_t bytes);

// The most resident memory the process has held so far (VmHWM of /proc/self/status), or 0
// where the system does not say.
uint64_t peak_resident_bytes();

}  // namespace gennc::runtime
