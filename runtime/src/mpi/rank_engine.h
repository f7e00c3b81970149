// One rank of a distributed run on the CPU (docs/distributed.md): the CPU engine's step,
// with this rank's neurons updated, and every rank's spikes gathered so that delivery,
// plasticity and recording see the whole network's spikes in neuron order, as one process
// does. Where the deliveries may wait (ExchangePlan), the ranks exchange the spikes of E
// steps at once, every E steps, and deliver them step by step in one process's order;
// else each population's spikes are gathered after its neuron kernel, every step. A rank
// holds every neuron's arrays, of which those of neurons another rank updates are stale
// here until download() gathers them, and of the synapses of every projection the state
// splits only those onto its own neurons (NetworkState::hold_posts), which deliver the
// gathered spikes of the whole network to them alone.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../cpu/cpu_engine.h"
#include "../engine.h"
#include "../exchange_plan.h"
#include "../network_state.h"
#include "partition.h"
#include "world.h"

namespace gennc::runtime::mpi {

class RankEngine final : public runtime::Engine, private cpu::StepPartition {
 public:
  // `state`, `kernels`, `pool` and `world` must outlive the engine; the state is built,
  // holding this rank's share of the synapses (NetworkState::hold_posts with `ranges`) or
  // the whole network (a checkpoint loaded: the first run takes the share).
  RankEngine(NetworkState& state, cpu::HostKernels& kernels, ThreadPool& pool, const World& world, Partition ranges);

  // Collective, once every rank has built its share (gennc_create agreed): the rings as
  // deep as the deepest any rank's delays need, and the whole network's synapse counts.
  Status settle();

  // "cpu (2 MPI ranks updating 6250/6250 neurons, spikes exchanged every 15 steps)".
  std::string name() const override;
  Status upload() override { return ok(); }
  // Collective: closes the open interval (its spikes delivered and recorded, the ranks
  // agreed whether to stop: a stop agreed here is returned by the next run), then each
  // neuron's state and ring columns from the rank that updates it.
  Status download() override;
  // A fault report's step reads 0 while an interval is open: the ranks learn of a fault
  // together, at the interval's end.
  Status read_array(uint32_t array, void* out, size_t bytes) override;
  // Collective, with the collectives at the ends of intervals, which are fixed by the step
  // (callers split a run into calls differently on each rank); a call may end inside an
  // interval, whose spikes then wait for a later call. A fault, the recording budget or a
  // stop request stops every rank at the end of the interval. 0 steps: closes the open
  // interval (every rank must then call it, at the same step).
  Status run(uint64_t steps) override;
  void set_profiling(bool on) override;
  // This rank's parts and its time in collectives, until collect_profile(); then each
  // row's time on the slowest rank.
  std::vector<ProfileRow> profile() const override;
  void collect_profile() override;

 private:
  std::pair<uint32_t, uint32_t> neurons(uint32_t population) const override { return ranges_[population][world_.rank()]; }
  // Gathers one population's spikes (the plan without deferred deliveries).
  void exchange_spikes(uint32_t population) override;
  // Collective, at the first run and at the first after a download (delays may have been
  // set): the exchange plan, with E the smallest any rank chose.
  void plan();
  // Appends population p's spikes of this step to `words`: count, ids, then multiplicities
  // and times (two words each) where the population has them.
  void pack_spikes(uint32_t population, std::vector<uint32_t>* words) const;
  // Sets population p's spike list to every rank's entries at cursors[r] in rank order
  // (ranges ascend with the rank, so that is neuron order), moving the cursors past them.
  void unpack_spikes(uint32_t population, const std::vector<const uint32_t*>& ranks, std::vector<size_t>* cursors);
  // Collective, at an interval's end and where all ranks meet inside one: the kept spikes
  // and the samples taken since the last merge (each rank's own columns) of every rank in
  // one gather; the spikes delivered and recorded step by step; room reserved for the next
  // interval's samples; then agree_to_stop().
  bool close_interval();
  // Makes room in the recordings for the samples up to the next interval's end, so the
  // recordings grow only where the ranks meet, and a rank past its budget is known to all
  // before any rank's run call can end past it.
  void reserve_samples();
  // Collective: whether every rank stops now, because some rank has a numerical fault, is
  // past the recording budget or was asked to stop; stop_ then says what run returns. A
  // fault's step is made known to every rank, so all report the same fault.
  bool agree_to_stop();

  // The share again where whole arrays replaced it (a checkpoint loaded, a gather).
  void take_share();

  NetworkState& state_;
  cpu::HostKernels& kernels_;
  ThreadPool& pool_;
  const World& world_;
  cpu::Engine cpu_;
  Partition ranges_;
  ExchangePlan plan_;
  bool stale_ = true;                // plan() before the next step
  std::vector<uint32_t> kept_;       // this rank's spikes of the open interval's steps, packed
  uint64_t kept_steps_ = 0;          // steps in the open interval run so far
  Status stop_;                      // what a run that stops returns (ok: a fault, reported by the caller)
  bool stop_held_ = false;           // a stop agreed in download(): the next run returns it at once
  std::vector<uint64_t> merged_rows_;  // per recording: sample rows already merged
  bool profiling_ = false;
  double exchange_seconds_ = 0.0;  // in collectives, over the profiled steps
  uint64_t profiled_steps_ = 0;
  std::vector<ProfileRow> profile_;  // collected
};

}  // namespace gennc::runtime::mpi
