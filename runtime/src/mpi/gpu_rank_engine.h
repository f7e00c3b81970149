// One GPU rank of a distributed run (docs/distributed.md, GPUs): the CUDA engine on the
// rank's device (its local rank modulo the devices it sees), with this rank's neurons
// updated and, after each stage that updates populations, every rank's spikes gathered by
// NCCL on device buffers (cuda/spike_exchange.h), every step. Every rank holds the whole
// network; the arrays of neurons another rank updates are stale here until download()
// gathers them. The ranks meet through the MPI world at fixed steps (every kMeetSteps, and
// wherever all of them download or run no steps): there they merge their samples and agree
// whether to stop (a fault, the recording budget, a stop request), as the CPU's rank engine
// does at the ends of its intervals. Run alone (sim --exchange nccl) it is one rank of one,
// through the same NCCL path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../cuda/cuda_engine.h"
#include "../cuda/spike_exchange.h"
#include "../engine.h"
#include "../network_state.h"
#include "../thread_pool.h"
#include "partition.h"
#include "world.h"

namespace gennc::runtime::mpi {

class GpuRankEngine final : public runtime::Engine, private cuda::StepPartition {
 public:
  // The ranks meet after every step that is a multiple of this.
  static constexpr uint64_t kMeetSteps = 1000;

  // Local to the rank (gennc_create's agreement makes one rank's failure every rank's):
  // NCCL loaded, the CUDA engine set up as cuda::Engine::create does (`setup`), with rank r
  // owning shares[r] of the network's expected work (partition_shares). The communicator is
  // made, collectively, by the first run. `state` and `world` must outlive the engine.
  static Status create(NetworkState& state, ThreadPool& pool, cuda::Engine::Setup setup, const World& world,
                       const std::vector<double>& shares, std::unique_ptr<GpuRankEngine>* out);
  ~GpuRankEngine() override;

  // "cuda (NVIDIA H100 80GB HBM3 (sm_90); 2 ranks over NCCL updating 6250/6250 neurons,
  // spikes exchanged every step)".
  std::string name() const override;
  Status upload() override { return cuda_->upload(); }
  // Collective: the ranks meet (a stop agreed here is returned by the next run), then each
  // neuron's state and ring columns come from the rank that updates it.
  Status download() override;
  // Over several ranks a fault report's step reads as the ranks agreed at their last meeting
  // (0 before), so no rank reports a fault alone.
  Status read_array(uint32_t array, void* out, size_t bytes) override;
  // Collective, with meetings fixed by the step (callers may split a run into calls
  // differently on each rank). The first run makes the NCCL communicator. 0 steps: the
  // ranks meet (every rank must then call it, at the same step).
  Status run(uint64_t steps) override;
  void set_profiling(bool on) override { cuda_->set_profiling(on); }
  // The CUDA engine's rows (a stage's time includes the exchange of its spikes); after
  // collect_profile(), each row's time on the slowest rank.
  std::vector<ProfileRow> profile() const override;
  void collect_profile() override;

 private:
  GpuRankEngine(NetworkState& state, const World& world, std::vector<double> shares)
      : state_(state), world_(world), shares_(std::move(shares)) {}
  std::pair<uint32_t, uint32_t> neurons(uint32_t population) const override;
  Status exchange_after(uint32_t stage, cuda::CUstream stream) override { return exchange_->enqueue(stage, stream); }
  // The partition, from the built state's synapse counts, at its first use.
  const Partition& ranges() const;
  // Collective: rank 0's NCCL id to every rank, then the communicator, agreed.
  Status connect();
  // Collective: the samples taken since the last meeting merged (each column from the rank
  // that owns its neuron), then whether every rank stops now; stop_ then says what run
  // returns.
  bool meet();
  void merge_samples();
  bool agree_to_stop();

  NetworkState& state_;
  const World& world_;
  const std::vector<double> shares_;
  mutable Partition ranges_;                     // empty until ranges()
  std::unique_ptr<cuda::Engine> cuda_;
  std::unique_ptr<cuda::SpikeExchange> exchange_;  // freed before the engine's context
  uint64_t met_at_ = UINT64_MAX;                 // the step of the last meeting
  Status stop_;                                  // what a run that stops returns (ok: a fault)
  bool stop_held_ = false;                       // a stop agreed in download(): the next run returns it
  std::vector<uint64_t> merged_rows_;            // per recording: sample rows already merged
  std::vector<double> agreed_faults_;            // per fault report (state.fault_steps()): the earliest step
  std::vector<double> own_faults_;               // ... and this rank's, at the last meeting
  std::vector<ProfileRow> profile_;              // collected
};

}  // namespace gennc::runtime::mpi
