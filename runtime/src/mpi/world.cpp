#include "world.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gennc::runtime::mpi {

// The plugin's bytes (runtime/mpi_plugin/mpi_plugin.c, built against MPI; empty when the
// runtime was built without MPI), embedded by cmake/EmbedDeviceCode.cmake.
extern const char kMpiPlugin[];
extern const std::size_t kMpiPluginSize;

namespace {

// Whether a launcher started this process as one rank of a job: Open MPI's mpirun, or a
// PMI / PMIx process manager (MPICH's hydra, Slurm's srun).
bool launched_as_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

// The plugin written into an anonymous file and opened from there: nothing is written to
// disk, and RTLD_GLOBAL lets MPI's own components find libmpi's symbols.
void* open_plugin(std::string* error) {
  if (kMpiPluginSize == 0) {
    *error = "this runtime was built without MPI (no MPI development files at build time)";
    return nullptr;
  }
  int fd = ::memfd_create("gennc-mpi-plugin", MFD_CLOEXEC);
  if (fd < 0) {
    *error = std::string("memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  for (std::size_t done = 0; done < kMpiPluginSize;) {
    ssize_t n = ::write(fd, kMpiPlugin + done, kMpiPluginSize - done);
    if (n <= 0) {
      *error = std::string("writing the MPI plugin: ") + std::strerror(errno);
      ::close(fd);
      return nullptr;
    }
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  void* plugin = ::dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (plugin == nullptr) *error = std::string("cannot load MPI: ") + ::dlerror();
  ::close(fd);  // the mapping keeps the file
  return plugin;
}

}  // namespace

World& World::get() {
  static World world;
  return world;
}

World::World() {
  if (!launched_as_rank()) return;
  std::string error;
  plugin_ = open_plugin(&error);
  if (plugin_ == nullptr) {
    status_ = internal_error("started as one rank of an MPI job, but " + error);
    return;
  }
  auto init = reinterpret_cast<int (*)(int*, int*)>(::dlsym(plugin_, "gennc_mpi_init"));
  allgather_u64_ = reinterpret_cast<int (*)(uint64_t, uint64_t*)>(::dlsym(plugin_, "gennc_mpi_allgather_u64"));
  allgatherv_ = reinterpret_cast<int (*)(const void*, int, void*, const int*, const int*)>(
      ::dlsym(plugin_, "gennc_mpi_allgatherv"));
  finalize_ = reinterpret_cast<int (*)()>(::dlsym(plugin_, "gennc_mpi_finalize"));
  int rank = 0, size = 1;
  if (!init || !allgather_u64_ || !allgatherv_ || !finalize_ || init(&rank, &size) != 0) {
    status_ = internal_error("started as one rank of an MPI job, but MPI could not be initialised");
    finalize_ = nullptr;
    return;
  }
  rank_ = static_cast<uint32_t>(rank);
  size_ = static_cast<uint32_t>(size);
}

// At exit, after main returned: every rank got here, so MPI ends in order. The plugin
// stays loaded (MPI may have threads of its own until the process ends).
World::~World() {
  if (finalize_) finalize_();
}

std::vector<uint64_t> World::gather(uint64_t value) const {
  std::vector<uint64_t> values(size_, value);
  if (distributed()) allgather_u64_(value, values.data());
  return values;
}

std::vector<uint8_t> World::gather_bytes(const void* data, uint64_t bytes, std::vector<uint64_t>* counts) const {
  *counts = gather(bytes);
  std::vector<int> sizes(size_), offsets(size_);
  uint64_t total = 0;
  for (uint32_t r = 0; r < size_; ++r) {
    sizes[r] = static_cast<int>((*counts)[r]);
    offsets[r] = static_cast<int>(total);
    total += (*counts)[r];
  }
  std::vector<uint8_t> all(total);
  if (!distributed()) {
    if (bytes) std::memcpy(all.data(), data, bytes);
    return all;
  }
  allgatherv_(data, static_cast<int>(bytes), all.data(), sizes.data(), offsets.data());
  return all;
}

Status World::agree(const Status& mine) const {
  if (!distributed()) return mine;
  const std::vector<uint64_t> codes = gather(static_cast<uint64_t>(mine.code()));
  auto failed = std::find_if(codes.begin(), codes.end(), [](uint64_t c) { return c != GENNC_OK; });
  if (failed == codes.end()) return ok();
  // Only the first failed rank's message travels.
  const auto first = static_cast<uint32_t>(failed - codes.begin());
  const std::string& text = mine.message();
  std::vector<uint64_t> lengths;
  std::vector<uint8_t> messages = gather_bytes(text.data(), rank_ == first ? text.size() : 0, &lengths);
  return {static_cast<GenncStatus>(*failed),
          "rank " + std::to_string(first) + ": " + std::string(messages.begin(), messages.end())};
}

}  // namespace gennc::runtime::mpi
