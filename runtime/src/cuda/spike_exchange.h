// The spike exchange of one GPU rank of a distributed run (docs/distributed.md, GPUs): after
// each stage that updates populations, every rank's spike lists of those populations are
// gathered by NCCL's all-gather on device buffers, and each rank's entries of the neurons it
// owns are appended to the lists (gennc_unpack_spikes), so that delivery, plasticity and
// recording see the whole network's spikes, as one process's GPU does. Everything is
// enqueued on the engine's stream, so it is captured into the engine's graphs with the
// stages: no host round trip. Every step (E = 1); one all-gather per such stage.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "../network_state.h"
#include "../status.h"
#include "cuda_engine.h"
#include "nccl_api.h"

namespace gennc::runtime::cuda {

class SpikeExchange {
 public:
  // Loads NCCL; GENNC_ERROR_BACKEND naming what is missing. Local to this rank.
  static Status open(uint32_t rank, uint32_t ranks, std::unique_ptr<SpikeExchange>* out);
  ~SpikeExchange();
  SpikeExchange(const SpikeExchange&) = delete;
  SpikeExchange& operator=(const SpikeExchange&) = delete;

  // Local: the device buffers and tables for `engine`'s device copy of `state` (the
  // engine's context current), which must outlive the exchange.
  Status prepare(const Engine& engine, const NetworkState& state);
  // Rank 0 makes the communicator's id, which every rank then passes to connect().
  Status make_id(NcclUniqueId* id) const;
  // Collective over the ranks (each with the id rank 0 made): the NCCL communicator. After
  // prepare(), before any exchange is enqueued.
  Status connect(const NcclUniqueId& id);
  // Collective, once every rank is connected: one all-gather run at once, so that NCCL
  // connects its peers (at a communicator's first collective) before any is captured.
  Status warm_up();
  bool connected() const { return comm_ != nullptr; }

  // After stage `stage`'s launch on `stream`: the spike lists of the populations it updated
  // packed, gathered from every rank and unpacked. Nothing where the stage updates none.
  Status enqueue(uint32_t stage, CUstream stream);

 private:
  struct Copy {
    CUdeviceptr from;
    size_t bytes;
    size_t to;  // bytes into the send buffer
  };
  // The populations one stage updates: their part of every rank's chunk.
  struct StageExchange {
    std::vector<Copy> copies;             // the spike lists into the send buffer
    std::vector<CUdeviceptr> counts;      // zeroed before the unpack
    CUdeviceptr send = 0, receive = 0, slots = 0;
    uint32_t words = 0;                   // per rank
    uint32_t slot_count = 0;
    unsigned blocks = 1;
  };

  SpikeExchange(const NcclApi& nccl, uint32_t rank, uint32_t ranks) : nccl_(nccl), rank_(rank), ranks_(ranks) {}
  Status check(CUresult result, const char* what) const;
  Status allocate(size_t bytes, CUdeviceptr* out);

  const NcclApi& nccl_;
  const DriverApi* api_ = nullptr;
  uint32_t rank_, ranks_;
  NcclComm comm_ = nullptr;
  CUmodule module_ = nullptr;
  CUfunction unpack_ = nullptr;
  std::vector<StageExchange> stages_;  // by stage
  std::vector<CUdeviceptr> allocations_;
};

}  // namespace gennc::runtime::cuda
