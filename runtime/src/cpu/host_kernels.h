// The model's kernels run on the host: each over its range (network_state.h), split over
// a thread pool. The CPU engine runs batches of steps through it; the Simulation runs the
// init schedule through it whatever the engine, after a build on the host and after a
// parameter changed, so derived values are computed by the same code everywhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "../network_state.h"
#include "../thread_pool.h"

namespace gennc::runtime::cpu {

class HostKernels {
 public:
  // `state` and `pool` must outlive the kernels.
  HostKernels(NetworkState& state, ThreadPool& pool);

  // The arrays' addresses and lengths as GenncKernelEnv hands them to kernels, taken
  // afresh: after the state's arrays were allocated or replaced whole (whose stored delays
  // may then differ: whether steps may overlap is decided again).
  void refresh();
  GenncKernelEnv env() const;
  // The env's post_ranges (NetworkState::post_ranges), kept here; empty: null, every position.
  void set_post_ranges(std::vector<uint32_t> ranges) { post_ranges_ = std::move(ranges); }

  // Runs kernel `id` over its range, or over [begin, end) of it (the neurons one rank of a
  // distributed run updates). A neuron kernel's spike list is then sorted, so the stages
  // after it do not depend on the threads' order.
  void run(uint32_t id, const GenncKernelEnv& env);
  void run(uint32_t id, const GenncKernelEnv& env, uint32_t begin, uint32_t end);
  void run_init_schedule();

  // Runs the step schedule for up to `steps` steps on the pool's threads, which stay
  // together through the batch: each takes a fixed share of every kernel's range, and they
  // meet at a barrier after each stage (kernels that touch no array in a conflicting way,
  // GenncModel's stages) instead of being woken per kernel. Neuron kernels' spike lists are
  // sorted after their stage. `finish_step` runs on the calling thread after each step's
  // updates while the others wait or deliver that step's spikes (below), and returns
  // whether to go on; the spike counts are then emptied for the next step, unless it said
  // stop. Returns the steps run. The first run of at least 500 steps measures whether all
  // threads or one run a step faster, and every run after it uses the faster.
  //
  // Where the deliveries may wait a step (exchange_plan.h: a delay of at least two steps
  // everywhere), several threads deliver step n's spikes while they update step n + 1:
  // updates, split into chunks, and deliveries by ring are taken as threads come free, one
  // barrier between (host_kernels.cpp, "Steps overlapped").
  uint64_t run_steps(uint64_t steps, const std::function<bool()>& finish_step);
  // Empties every population's spike list, as a step's end does unless the run stops there.
  void clear_spike_counts();
  // The state's arrays changed on the host (set from outside): stored delays may be others.
  void arrays_changed() { overlap_ = Overlap::Unknown; }

  // Seconds spent in each kernel (manifest.json's kernel_seconds; in run_steps, the
  // calling thread's share).
  const std::vector<double>& kernel_seconds() const { return kernel_seconds_; }
  // With profiling on, each kernel's time is also added to profile_seconds(), and
  // run_steps' time between kernels to wait_seconds() (waiting at barriers, sorting spike
  // lists) and finish_seconds() (finish_step).
  void set_profiling(bool on);
  const std::vector<double>& profile_seconds() const { return profile_seconds_; }
  double wait_seconds() const { return wait_seconds_; }
  double finish_seconds() const { return finish_seconds_; }

 private:
  struct Stage {
    std::vector<uint32_t> kernels;
    std::vector<uint32_t> spiking;  // populations whose neuron kernels run in this stage
    bool alone = false;             // deliveries with plain adds, each by one thread
    // Kernels that run whole, each group on one thread while other threads run other groups
    // (host_kernels.cpp: deliveries by ring, updates by population). Empty: none; an
    // `alone` stage then runs on the first thread, any other split over the threads.
    std::vector<std::vector<uint32_t>> groups;
    // Neuron updates split over every thread by neurons before the groups are taken
    // (group_by_cost), their spikes listed by thread.
    std::vector<uint32_t> shared;
    std::atomic<uint32_t> next_group{0};  // the next group a thread takes, reset each step
  };
  // The kernel's entry for this CPU (on one with AVX-512, the one compiled for it): with
  // `alone` (no other thread runs a kernel meanwhile), the one whose atomic adds are plain.
  GenncKernelFn entry(const GenncKernelInfo& kernel, bool alone) const;
  void sort_spike_list(uint32_t population);
  // Orders a spike list (and its counts, if not null) by counting; false, leaving it as it
  // was, if it names a neuron outside the population.
  bool count_sort(uint32_t population, uint32_t* list, uint32_t* counts, uint32_t spikes);
  void run_share(uint32_t id, const GenncKernelEnv& env, unsigned thread, unsigned threads, bool alone);
  // This thread's part of a stage on `threads` threads: its shares of the updates split
  // over all and then whole groups as they come, or its share of every kernel.
  void run_stage_share(Stage& stage, const GenncKernelEnv& env, unsigned thread, unsigned threads);
  // A neuron kernel's chunk (`chunk` of `chunks` equal pieces of its range), appending its
  // spikes to the chunk's own list (own_lists_), which join_own_lists then puts after the
  // lower chunks' in the population's list: no atomic append, no sort, and the list in the
  // neurons' order as on one thread, whichever thread ran which chunk.
  bool lists_own_spikes(uint32_t id) const;
  void prepare_own_lists(unsigned chunks);
  void run_own_share(uint32_t id, const GenncKernelEnv& env, unsigned chunk, unsigned chunks);
  void join_own_lists(uint32_t population, unsigned chunks);
  // Whether run_steps may overlap a step's deliveries with the next step's updates on
  // `threads` threads, and the loop that does (host_kernels.cpp, "Steps overlapped").
  bool may_overlap(unsigned threads);
  uint64_t run_overlapped_steps(uint64_t steps, unsigned threads, const std::function<bool()>& finish_step,
                                bool* stopped);
  // Adds a run of kernel `id` to kernel_seconds() (and, profiling, profile_seconds()).
  void count_seconds(uint32_t id, double seconds);
  void group_by_ring(Stage& stage);
  void group_by_population(Stage& stage);
  void group_by_cost(Stage& stage, unsigned threads);
  // run_steps on `threads` of the pool's threads; sets *stopped when finish_step said stop.
  uint64_t run_team_steps(uint64_t steps, unsigned threads, const std::function<bool()>& finish_step, bool* stopped);

  NetworkState& state_;
  ThreadPool& pool_;
  std::deque<Stage> stages_;  // a deque: Stage holds an atomic, which does not move
  std::vector<void*> pointers_;
  std::vector<uint64_t> lengths_;
  std::vector<uint32_t> post_ranges_;
  std::vector<double> kernel_seconds_;
  // Per population (each population's list is sorted by one thread at a time).
  struct SortScratch {
    std::vector<uint32_t> starts, neurons, counts;
  };
  std::vector<SortScratch> sort_scratch_;
  struct OwnList {
    std::vector<uint32_t> count, neurons, counts;  // spike count, list and multiplicities
  };
  std::vector<bool> own_lists_;                 // per population: whether it may list by thread
  std::vector<std::vector<OwnList>> own_;       // per chunk, per population
  std::vector<std::vector<void*>> own_pointers_;  // per chunk: the arrays, own lists in place
  std::vector<std::vector<uint64_t>> own_lengths_;
  unsigned team_ = 0;  // threads run_steps uses, once measured (0: not yet)
  enum class Overlap { Unknown, No, Yes };
  Overlap overlap_ = Overlap::Unknown;  // whether the model and its delays allow it
  bool profiling_ = false;
  std::vector<double> profile_seconds_;  // per kernel, over the profiled steps
  double wait_seconds_ = 0.0;
  double finish_seconds_ = 0.0;
};

}  // namespace gennc::runtime::cpu
