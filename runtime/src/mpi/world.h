// The ranks of a distributed run (docs/distributed.md): this process's rank and the rank
// count, and the collectives the runtime needs. MPI is loaded only when a launcher
// (mpirun) started the process, through the plugin embedded in the runtime
// (runtime/mpi_plugin/); a process started alone is rank 0 of 1 and loads nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../status.h"

namespace gennc::runtime::mpi {

class World {
 public:
  // The process's world, set up on first use: MPI initialised when a launcher started the
  // process. `status()` says whether that worked; a failed world is rank 0 of 1.
  static World& get();

  const Status& status() const { return status_; }
  uint32_t rank() const { return rank_; }
  uint32_t size() const { return size_; }
  bool distributed() const { return size_ > 1; }

  // Collectives. MPI's default error handler ends the whole job on a failed one, so they
  // return no status.
  // Every rank's `value`, by rank.
  std::vector<uint64_t> gather(uint64_t value) const;
  // Every rank's bytes, concatenated in rank order; `counts` gets each rank's byte count.
  std::vector<uint8_t> gather_bytes(const void* data, uint64_t bytes, std::vector<uint64_t>* counts) const;
  // Collective: every rank passes its own outcome and gets the first failed rank's, its
  // message prefixed with the rank ("rank 2: ..."), or ok when every rank succeeded.
  Status agree(const Status& mine) const;

 private:
  World();
  ~World();

  Status status_;
  uint32_t rank_ = 0;
  uint32_t size_ = 1;
  void* plugin_ = nullptr;
  int (*allgather_u64_)(uint64_t, uint64_t*) = nullptr;
  int (*allgatherv_)(const void*, int, void*, const int*, const int*) = nullptr;
  int (*finalize_)() = nullptr;
};

}  // namespace gennc::runtime::mpi
