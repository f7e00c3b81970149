#include "memory.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace gennc::runtime {
namespace {

// A "Key: value kB" line of a /proc file, in bytes, or UINT64_MAX.
uint64_t proc_kib(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      uint64_t kib = 0;
      if (fields >> kib) return kib * 1024;
    }
  return UINT64_MAX;
}

// A number in a file (cgroup files: "max" or a byte count), or UINT64_MAX.
uint64_t file_number(const std::string& path) {
  std::ifstream in(path);
  uint64_t value = 0;
  if (in >> value) return value;
  return UINT64_MAX;
}

// The process's cgroup folder (v2: the "0::" line of /proc/self/cgroup), below /sys/fs/cgroup.
std::string cgroup_folder() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  return "";
}

void tighten(MemoryLimit* limit, uint64_t bytes, const char* source) {
  if (bytes < limit->bytes) *limit = {bytes, source};
}

}  // namespace

MemoryLimit available_memory() {
  MemoryLimit limit;
  tighten(&limit, proc_kib("/proc/meminfo", "MemAvailable"), "available physical memory");
  std::string folder = cgroup_folder();
  // Walks up: a limit may be set on a parent group.
  for (std::string f = folder; !f.empty() && f.size() >= std::string("/sys/fs/cgroup").size();
       f = f.substr(0, f.find_last_of('/'))) {
    uint64_t max = file_number(f + "/memory.max"), current = file_number(f + "/memory.current");
    if (max != UINT64_MAX && current != UINT64_MAX) tighten(&limit, max > current ? max - current : 0, "the cgroup limit");
    if (f == "/sys/fs/cgroup") break;
  }
  uint64_t v1 = file_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  uint64_t v1_used = file_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  if (v1 != UINT64_MAX && v1_used != UINT64_MAX && v1 < (uint64_t{1} << 60))
    tighten(&limit, v1 > v1_used ? v1 - v1_used : 0, "the cgroup limit");
  struct rlimit as {};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    uint64_t used = proc_kib("/proc/self/status", "VmSize");
    if (used != UINT64_MAX) tighten(&limit, as.rlim_cur > used ? as.rlim_cur - used : 0, "RLIMIT_AS");
  }
  return limit;
}

std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

uint64_t peak_resident_bytes() {
  const uint64_t peak = proc_kib("/proc/self/status", "VmHWM");
  return peak == UINT64_MAX ? 0 : peak;
}

}  // namespace gennc::runtime
