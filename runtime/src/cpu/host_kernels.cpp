#include "host_kernels.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <tuple>
#include <utility>

#include "../exchange_plan.h"

namespace gennc::runtime::cpu {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr unsigned kDeliveriesAloneUpTo = 4;
constexpr uint64_t kTrialSteps = 100;
// Steps overlapped: each update is cut into this many chunks per thread, taken as threads
// come free, so that a thread done with its deliveries picks up the next step's updates.
constexpr unsigned kChunksPerThread = 4;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

HostKernels::HostKernels(NetworkState& state, ThreadPool& pool)
    : state_(state), pool_(pool), kernel_seconds_(state.model().kernel_count, 0.0),
      sort_scratch_(state.model().population_count), own_lists_(state.model().population_count, false) {
  const GenncModel& m = state.model();
  // Spikes with exact times may fill a list past one entry per neuron: those lists stay
  // shared, appended to atomically and sorted.
  for (uint32_t p = 0; p < m.population_count; ++p) own_lists_[p] = m.populations[p].spike_time_array == kNone;
  // The stages name the step schedule's kernels in its order; a model whose stages do not
  // (or that has none) runs each kernel as a stage of its own.
  const bool staged = m.stage_count > 0 && m.stage_starts[m.stage_count] == m.step_schedule_length &&
                      std::equal(m.step_schedule, m.step_schedule + m.step_schedule_length, m.stage_kernels);
  for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
    if (!staged || std::count(m.stage_starts, m.stage_starts + m.stage_count, k) > 0 || stages_.empty())
      stages_.emplace_back();
    const uint32_t id = m.step_schedule[k];
    stages_.back().kernels.push_back(id);
    if (m.kernels[id].kind == GENNC_KERNEL_NEURON) stages_.back().spiking.push_back(m.kernels[id].owner);
  }
  // Deliveries run on one thread with plain adds while the others wait, up to
  // kDeliveriesAloneUpTo threads: x86 has no atomic float add, and Brunel's 10,000 neurons
  // on 2 threads spent 229 us per step in their excitatory delivery with atomic adds
  // (compare-exchange loops, the two cores taking turns at the ring's cache lines), against
  // 50 us on one thread with plain ones. One thread's deliveries, in schedule order, also
  // add in the same order as a run on one thread.
  for (Stage& stage : stages_) {
    stage.alone = pool_.size() > 1 && pool_.size() <= kDeliveriesAloneUpTo &&
                  std::all_of(stage.kernels.begin(), stage.kernels.end(), [&](uint32_t id) {
                    return m.kernels[id].kind == GENNC_KERNEL_SYNAPSE_PRE;
                  });
    if (stage.alone) group_by_ring(stage);
    else if (pool_.size() > 1) group_by_population(stage);
  }
}

// A stage of neuron updates whose populations can be shared out evenly runs each update
// whole on one thread, with its plain-add entry (its spike count and its own ring cells are
// touched by no other kernel of the stage): no update's fixed cost is paid on every thread,
// and no spike append is atomic. Largest first; threads take them as they come.
void HostKernels::group_by_population(Stage& stage) {
  const GenncModel& m = state_.model();
  uint64_t total = 0, largest = 0;
  for (uint32_t id : stage.kernels) {
    if (m.kernels[id].kind != GENNC_KERNEL_NEURON) return;
    const uint64_t size = state_.kernel_range(m.kernels[id]);
    total += size;
    largest = std::max(largest, size);
  }
  if (stage.kernels.size() < 2 || largest * pool_.size() > total) return;
  std::vector<uint32_t> order = stage.kernels;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return state_.kernel_range(m.kernels[a]) > state_.kernel_range(m.kernels[b]);
  });
  for (uint32_t id : order) stage.groups.push_back({id});
}

// Populations' updates cost unlike amounts per neuron (a Poisson source's draws several
// times an integrate-and-fire neuron's step: Brunel's 8000 sources took 43 us a step, its
// 8000 neurons 6 us), so once a grouped stage's updates have been timed, it is shared out
// by those times: an update costing more than a thread's share of the stage is split over
// every thread by neurons, the others run whole, largest first.
void HostKernels::group_by_cost(Stage& stage, unsigned threads) {
  const GenncModel& m = state_.model();
  if (stage.groups.empty() || stage.alone) return;
  std::map<uint32_t, double> cost;
  double total = 0.0;
  for (uint32_t id : stage.kernels) {
    if (m.kernels[id].kind != GENNC_KERNEL_NEURON || !own_lists_[m.kernels[id].owner] || kernel_seconds_[id] <= 0.0)
      return;
    // kernel_seconds_ holds a whole update's time, or the first thread's share of one.
    const bool shared = std::find(stage.shared.begin(), stage.shared.end(), id) != stage.shared.end();
    cost[id] = kernel_seconds_[id] * (shared ? threads : 1);
    total += cost[id];
  }
  std::vector<uint32_t> order = stage.kernels;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return cost[a] > cost[b]; });
  std::vector<std::vector<uint32_t>> groups;
  std::vector<uint32_t> shared;
  for (uint32_t id : order) {
    if (cost[id] * threads > total) shared.push_back(id);
    else groups.push_back({id});
  }
  if (groups.empty()) return;  // every update split: as the stage would run ungrouped
  stage.groups = std::move(groups);
  stage.shared = std::move(shared);
}

// Deliveries into different rings share no array they write: each adds into its target's
// ring and writes only its own projection's arrays (weights, traces). Grouped by ring, in
// schedule order, the groups can run on different threads at once, each ring receiving its
// adds in one thread's order, which is the order of a run on one thread. A delivery
// without a ring (none in today's models) keeps the stage on the first thread.
void HostKernels::group_by_ring(Stage& stage) {
  const GenncModel& m = state_.model();
  std::map<uint32_t, std::size_t> group_of;
  for (uint32_t id : stage.kernels) {
    const uint32_t ring = m.projections[m.kernels[id].owner].receptor_ring_array;
    if (ring == kNone) {
      stage.groups.clear();
      return;
    }
    auto [at, added] = group_of.emplace(ring, stage.groups.size());
    if (added) stage.groups.emplace_back();
    stage.groups[at->second].push_back(id);
  }
  if (stage.groups.size() < 2) stage.groups.clear();
}

void HostKernels::refresh() {
  overlap_ = Overlap::Unknown;  // arrays replaced (a checkpoint loaded): stored delays may be others
  const uint32_t count = static_cast<uint32_t>(state_.arrays().size());
  pointers_.resize(count);
  lengths_.resize(count);
  for (uint32_t a = 0; a < count; ++a) {
    Buffer& array = state_.array(a);
    pointers_[a] = array.length() ? array.data() : nullptr;
    lengths_[a] = array.length();
  }
}

GenncKernelEnv HostKernels::env() const {
  return {pointers_.data(), lengths_.data(), state_.time(), state_.model().dt, state_.step(), state_.seed(),
          nullptr, 0, nullptr, 0,  // the GPU's folded-step fields: unused on the host
          post_ranges_.empty() ? nullptr : post_ranges_.data()};
}

void HostKernels::sort_spike_list(uint32_t population) {
  // Threads append spikes in any order; sorting keeps every later stage deterministic.
  const GenncPopulationInfo& pop = state_.model().populations[population];
  Buffer& list_array = state_.array(pop.spike_list_array);
  const auto spikes = static_cast<uint32_t>(
      std::min<uint64_t>(static_cast<uint32_t*>(state_.array(pop.spike_count_array).data())[0], list_array.length()));
  auto* list = static_cast<uint32_t*>(list_array.data());
  if (pop.spike_time_array != kNone) {
    // Each entry's exact time moves with it; a neuron's spikes stay in time order.
    auto* times = static_cast<double*>(state_.array(pop.spike_time_array).data());
    std::vector<std::pair<uint32_t, double>> entries(spikes);
    for (uint32_t k = 0; k < spikes; ++k) entries[k] = {list[k], times[k]};
    std::sort(entries.begin(), entries.end());
    for (uint32_t k = 0; k < spikes; ++k) std::tie(list[k], times[k]) = entries[k];
    return;
  }
  auto* counts = pop.spike_multiplicity_array == kNone
                     ? nullptr
                     : static_cast<uint32_t*>(state_.array(pop.spike_multiplicity_array).data());
  // A list long for its population (Poisson sources spiking most steps) is ordered by
  // counting, in time linear in the population's size: comparison sorts of 7000 entries
  // took Brunel's two-thread step longer than its one-thread one.
  if (static_cast<uint64_t>(spikes) * 16 >= pop.size && count_sort(population, list, counts, spikes)) return;
  if (counts == nullptr) {
    std::sort(list, list + spikes);
    return;
  }
  // Each entry's multiplicity moves with it.
  std::vector<std::pair<uint32_t, uint32_t>> entries(spikes);
  for (uint32_t k = 0; k < spikes; ++k) entries[k] = {list[k], counts[k]};
  std::sort(entries.begin(), entries.end());
  for (uint32_t k = 0; k < spikes; ++k) std::tie(list[k], counts[k]) = entries[k];
}

bool HostKernels::count_sort(uint32_t population, uint32_t* list, uint32_t* counts, uint32_t spikes) {
  const uint32_t size = state_.model().populations[population].size;
  if (std::any_of(list, list + spikes, [&](uint32_t neuron) { return neuron >= size; })) return false;
  SortScratch& scratch = sort_scratch_[population];
  scratch.starts.assign(size + 1, 0);
  for (uint32_t k = 0; k < spikes; ++k) ++scratch.starts[list[k] + 1];
  std::partial_sum(scratch.starts.begin(), scratch.starts.end(), scratch.starts.begin());
  scratch.neurons.resize(spikes);
  scratch.counts.resize(counts != nullptr ? spikes : 0);
  for (uint32_t k = 0; k < spikes; ++k) {
    const uint32_t slot = scratch.starts[list[k]]++;
    scratch.neurons[slot] = list[k];
    if (counts != nullptr) scratch.counts[slot] = counts[k];
  }
  std::copy(scratch.neurons.begin(), scratch.neurons.end(), list);
  if (counts == nullptr) return true;
  std::copy(scratch.counts.begin(), scratch.counts.end(), counts);
  // A neuron listed more than once: its counts in ascending order, as sorting the pairs gives.
  for (uint32_t k = 0; k < spikes;) {
    uint32_t end = k + 1;
    while (end < spikes && list[end] == list[k]) ++end;
    if (end - k > 1) std::sort(counts + k, counts + end);
    k = end;
  }
  return true;
}

GenncKernelFn HostKernels::entry(const GenncKernelInfo& kernel, bool alone) const {
  // GenncKernelInfo.host_v4's CPU (codegen.cpp): AVX-512 F, BW, CD, DQ and VL, and the OS
  // saving their registers.
  static const bool v4 = __builtin_cpu_supports("x86-64-v4");
  if (v4 && kernel.host_v4 != nullptr)
    return alone && kernel.host_v4_alone != nullptr ? kernel.host_v4_alone : kernel.host_v4;
  return alone && kernel.host_alone != nullptr ? kernel.host_alone : kernel.host;
}

void HostKernels::run(uint32_t id, const GenncKernelEnv& env) {
  run(id, env, 0, static_cast<uint32_t>(state_.kernel_range(state_.model().kernels[id])));
}

void HostKernels::run(uint32_t id, const GenncKernelEnv& env, uint32_t first, uint32_t last) {
  const GenncKernelInfo& kernel = state_.model().kernels[id];
  const auto start = Clock::now();
  // A spike's row can be long, so spike ranges are split finely; element ranges coarsely.
  bool per_spike = kernel.kind == GENNC_KERNEL_SYNAPSE_PRE || kernel.kind == GENNC_KERNEL_SYNAPSE_POST;
  GenncKernelFn fn = entry(kernel, pool_.size() == 1);
  pool_.parallel_for(last - first, per_spike ? 16 : 4096,
                     [&](uint32_t begin, uint32_t end) { fn(&env, first + begin, first + end); });
  if (kernel.kind == GENNC_KERNEL_NEURON && pool_.size() > 1) sort_spike_list(kernel.owner);
  count_seconds(id, seconds_since(start));
}

void HostKernels::count_seconds(uint32_t id, double seconds) {
  kernel_seconds_[id] += seconds;
  if (profiling_) profile_seconds_[id] += seconds;
}

void HostKernels::run_share(uint32_t id, const GenncKernelEnv& env, unsigned thread, unsigned threads,
                            bool alone) {
  const GenncKernelInfo& kernel = state_.model().kernels[id];
  const uint64_t count = state_.kernel_range(kernel);
  if (alone) {
    if (thread == 0 && count != 0) entry(kernel, true)(&env, 0, static_cast<uint32_t>(count));
    return;
  }
  const auto begin = static_cast<uint32_t>(count * thread / threads);
  const auto end = static_cast<uint32_t>(count * (thread + 1) / threads);
  if (begin < end) entry(kernel, threads == 1)(&env, begin, end);
}

bool HostKernels::lists_own_spikes(uint32_t id) const {
  const GenncKernelInfo& kernel = state_.model().kernels[id];
  return kernel.kind == GENNC_KERNEL_NEURON && own_lists_[kernel.owner];
}

// Every chunk's own spike list, count and multiplicities for each population that may
// have them, and the array tables that point a kernel at them (the model's arrays else).
void HostKernels::prepare_own_lists(unsigned chunks) {
  const GenncModel& m = state_.model();
  own_.resize(chunks);
  own_pointers_.assign(chunks, pointers_);
  own_lengths_.assign(chunks, lengths_);
  for (unsigned t = 0; t < chunks; ++t) {
    own_[t].resize(m.population_count);
    for (uint32_t p = 0; p < m.population_count; ++p) {
      if (!own_lists_[p]) continue;
      const GenncPopulationInfo& pop = m.populations[p];
      // A chunk of ceil(size / chunks) neurons lists each at most once a step.
      const uint32_t capacity = (pop.size + chunks - 1) / chunks;
      OwnList& own = own_[t][p];
      own.count.assign(1, 0);
      own.neurons.resize(capacity);
      own.counts.resize(pop.spike_multiplicity_array != kNone ? capacity : 0);
      own_pointers_[t][pop.spike_count_array] = own.count.data();
      own_pointers_[t][pop.spike_list_array] = own.neurons.data();
      own_lengths_[t][pop.spike_list_array] = capacity;
      if (pop.spike_multiplicity_array != kNone) {
        own_pointers_[t][pop.spike_multiplicity_array] = own.counts.data();
        own_lengths_[t][pop.spike_multiplicity_array] = capacity;
      }
    }
  }
}

void HostKernels::run_own_share(uint32_t id, const GenncKernelEnv& env, unsigned chunk, unsigned chunks) {
  const GenncKernelInfo& kernel = state_.model().kernels[id];
  own_[chunk][kernel.owner].count[0] = 0;
  GenncKernelEnv own = env;
  own.arrays = own_pointers_[chunk].data();
  own.lengths = own_lengths_[chunk].data();
  // Its spike list is this chunk's alone: the entry's plain appends.
  const uint64_t count = state_.kernel_range(kernel);
  const auto begin = static_cast<uint32_t>(count * chunk / chunks);
  const auto end = static_cast<uint32_t>(count * (chunk + 1) / chunks);
  if (begin < end) entry(kernel, true)(&own, begin, end);
}

void HostKernels::join_own_lists(uint32_t population, unsigned chunks) {
  const GenncPopulationInfo& pop = state_.model().populations[population];
  auto* list = static_cast<uint32_t*>(state_.array(pop.spike_list_array).data());
  auto* counts = pop.spike_multiplicity_array == kNone
                     ? nullptr
                     : static_cast<uint32_t*>(state_.array(pop.spike_multiplicity_array).data());
  uint32_t spikes = 0;
  for (unsigned t = 0; t < chunks; ++t) {
    const OwnList& own = own_[t][population];
    std::copy(own.neurons.begin(), own.neurons.begin() + own.count[0], list + spikes);
    if (counts != nullptr) std::copy(own.counts.begin(), own.counts.begin() + own.count[0], counts + spikes);
    spikes += own.count[0];
  }
  static_cast<uint32_t*>(state_.array(pop.spike_count_array).data())[0] = spikes;
}

uint64_t HostKernels::run_steps(uint64_t steps, const std::function<bool()>& finish_step) {
  uint64_t done = 0;
  bool stopped = false;
  // Runs up to n steps on `threads` threads; returns the seconds per step.
  auto segment = [&](uint64_t n, unsigned threads) {
    const auto start = Clock::now();
    const uint64_t ran = run_team_steps(n, threads, finish_step, &stopped);
    done += ran;
    return ran != 0 ? seconds_since(start) / static_cast<double>(ran) : 0.0;
  };
  // Threads that pay, measured: the first long enough run times kTrialSteps steps on every
  // thread (which shares the updates out by their times, group_by_cost), then as many on
  // every thread and as many on one, and keeps the faster for the rest of the simulation. A
  // step of 4000 neurons (Vogels-Abbott, 4 - 13 us) took 1.5 - 3.4x as long on two
  // threads as on one, its barriers costing more than half the work saves; the
  // microcircuit's (145 us) took 0.6x. Results do not depend on the thread count.
  if (team_ == 0 && pool_.size() > 1 && steps >= 5 * kTrialSteps) {
    segment(kTrialSteps, pool_.size());
    for (Stage& stage : stages_) group_by_cost(stage, pool_.size());
    const double all = stopped ? 0.0 : segment(kTrialSteps, pool_.size());
    const double one = stopped ? 0.0 : segment(kTrialSteps, 1);
    if (!stopped) team_ = all < one ? pool_.size() : 1;
  }
  if (!stopped && done < steps) segment(steps - done, team_ != 0 ? team_ : pool_.size());
  return done;
}

void HostKernels::clear_spike_counts() {
  const GenncModel& m = state_.model();
  for (uint32_t p = 0; p < m.population_count; ++p)
    static_cast<uint32_t*>(state_.array(m.populations[p].spike_count_array).data())[0] = 0;
}

void HostKernels::run_stage_share(Stage& stage, const GenncKernelEnv& env, unsigned thread, unsigned threads) {
  // Thread 0 times what it does; the others' shares take about as long.
  const bool timing = thread == 0;
  if (threads > 1 && !stage.groups.empty()) {
    // Each thread runs its share of the updates split over all, then takes whole groups,
    // as they come; it times the kernels it runs.
    for (uint32_t id : stage.shared) {
      const auto start = timing ? Clock::now() : Clock::time_point();
      run_own_share(id, env, thread, threads);
      if (timing) count_seconds(id, seconds_since(start));
    }
    for (uint32_t g; (g = stage.next_group.fetch_add(1, std::memory_order_relaxed)) < stage.groups.size();)
      for (uint32_t id : stage.groups[g]) {
        const auto start = Clock::now();
        run_share(id, env, 0, 1, true);
        count_seconds(id, seconds_since(start));
      }
    return;
  }
  for (uint32_t id : stage.kernels) {
    const auto start = timing ? Clock::now() : Clock::time_point();
    if (threads > 1 && lists_own_spikes(id)) run_own_share(id, env, thread, threads);
    else run_share(id, env, thread, threads, stage.alone);
    if (timing) count_seconds(id, seconds_since(start));
  }
}

uint64_t HostKernels::run_team_steps(uint64_t steps, unsigned threads, const std::function<bool()>& finish_step,
                                     bool* stopped) {
  if (threads > 1 && may_overlap(threads)) return run_overlapped_steps(steps, threads, finish_step, stopped);
  Barrier barrier(threads);
  GenncKernelEnv env = this->env();
  if (threads > 1) prepare_own_lists(threads);
  const GenncModel& m = state_.model();
  uint64_t done = 0;
  bool go_on = steps > 0;
  pool_.run_team(threads, [&](unsigned thread) {
    const bool timing = thread == 0;  // thread 0 times the waits
    while (go_on) {
      for (Stage& stage : stages_) {
        run_stage_share(stage, env, thread, threads);
        if (threads == 1) continue;
        const auto start = timing ? Clock::now() : Clock::time_point();
        barrier.arrive_and_wait();
        // Every thread has passed its last take of this stage's groups; the next step's
        // takes come after more barriers.
        if (thread == 0) stage.next_group.store(0, std::memory_order_relaxed);
        if (!stage.spiking.empty()) {
          // A population updated in shares over the threads, each listing its spikes apart,
          // has its lists joined in the threads' order, which is the neurons' order.
          for (std::size_t k = thread; k < stage.spiking.size(); k += threads) {
            const uint32_t population = stage.spiking[k];
            auto updates_it = [&](uint32_t id) { return m.kernels[id].owner == population; };
            const bool split =
                stage.groups.empty() || std::any_of(stage.shared.begin(), stage.shared.end(), updates_it);
            if (own_lists_[population] && split)
              join_own_lists(population, threads);
            else
              sort_spike_list(population);
          }
          barrier.arrive_and_wait();
        }
        if (timing && profiling_) wait_seconds_ += seconds_since(start);
      }
      if (thread == 0) {
        const auto start = Clock::now();
        ++done;
        *stopped = !finish_step();
        if (!*stopped) clear_spike_counts();
        go_on = !*stopped && done < steps;
        env = this->env();
        if (profiling_) finish_seconds_ += seconds_since(start);
      }
      barrier.arrive_and_wait();
    }
  });
  return done;
}

// ---- Steps overlapped -------------------------------------------------------------------
//
// The delivery of step n adds into ring slots n + d + 1, and the update of step n + 1 reads
// and empties slot n + 2 of its own rings: with every delay d at least two steps (and no
// kernel but the deliveries reading spike lists, exchange_plan.h) the two touch no element
// in common, so the threads that deliver step n may meanwhile update step n + 1. Each
// update is cut into chunks that list their spikes apart (own lists) and are joined, in
// the neurons' order, only after the deliveries of step n have read the lists; the step's
// end (finish_step: recording, advancing the time) runs between step n's join and step
// n + 1's updates, while the other threads deliver. Every ring still receives its adds in
// one thread's order, the schedule's, and every list is in the neurons' order, so results
// are those of one thread. Two barriers a step instead of four, and a thread done with its
// rings takes updates instead of waiting for the largest ring's deliveries.
bool HostKernels::may_overlap(unsigned threads) {
  if (profiling_ || stages_.size() != 2) return false;  // --profile times stage by stage
  const GenncModel& m = state_.model();
  const bool updates = std::all_of(stages_[0].kernels.begin(), stages_[0].kernels.end(),
                                   [&](uint32_t id) { return lists_own_spikes(id); });
  const bool deliveries = std::all_of(stages_[1].kernels.begin(), stages_[1].kernels.end(), [&](uint32_t id) {
    return m.kernels[id].kind == GENNC_KERNEL_SYNAPSE_PRE;
  });
  if (!updates || !deliveries || threads < 2) return false;
  if (overlap_ == Overlap::Unknown) {
    const ExchangePlan plan = plan_exchange(state_, shortest_stored_delays(state_), 0);
    overlap_ = plan.deferred && plan.steps >= 2 ? Overlap::Yes : Overlap::No;
  }
  return overlap_ == Overlap::Yes;
}

uint64_t HostKernels::run_overlapped_steps(uint64_t steps, unsigned threads, const std::function<bool()>& finish_step,
                                           bool* stopped) {
  if (steps == 0) return 0;
  Stage& updates = stages_[0];
  Stage& deliveries = stages_[1];
  const unsigned chunks = kChunksPerThread * threads;
  prepare_own_lists(chunks);
  // The updates' chunks, largest kernels first so that the last ones taken are short.
  std::vector<std::pair<uint32_t, unsigned>> update_chunks;
  std::vector<uint32_t> order = updates.kernels;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return kernel_seconds_[a] > kernel_seconds_[b];
  });
  for (uint32_t id : order)
    for (unsigned c = 0; c < chunks; ++c) update_chunks.emplace_back(id, c);
  std::atomic<uint32_t> next_chunk{0};
  std::atomic<bool> next_open{false};  // the step's end is done: the next step's updates may start
  Barrier barrier(threads);
  GenncKernelEnv next = env();  // the step being updated
  uint64_t done = 0;
  bool more = true;  // whether the next step is updated (thread 0 says, before opening it)
  pool_.run_team(threads, [&](unsigned thread) {
    const bool timing = thread == 0;
    auto run_chunk = [&](uint32_t k, const GenncKernelEnv& e) {
      const auto start = timing ? Clock::now() : Clock::time_point();
      run_own_share(update_chunks[k].first, e, update_chunks[k].second, chunks);
      if (timing) count_seconds(update_chunks[k].first, seconds_since(start));
    };
    auto join = [&] {
      for (std::size_t k = thread; k < updates.spiking.size(); k += threads)
        join_own_lists(updates.spiking[k], chunks);
    };
    // The first step's updates alone.
    GenncKernelEnv current = next;
    for (uint32_t k; (k = next_chunk.fetch_add(1, std::memory_order_relaxed)) < update_chunks.size();)
      run_chunk(k, current);
    barrier.arrive_and_wait();
    if (thread == 0) next_chunk.store(0, std::memory_order_relaxed);
    join();
    barrier.arrive_and_wait();
    for (;;) {
      if (thread == 0) {
        ++done;
        *stopped = !finish_step();
        more = !*stopped && done < steps;
        next = env();
        next_open.store(true, std::memory_order_release);
      }
      // Step `done`'s deliveries (by ring, one thread each, where grouped)...
      run_stage_share(deliveries, current, thread, threads);
      // ... then the next step's updates, once its env is known.
      while (!next_open.load(std::memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      const bool go_on = more;
      if (go_on)
        for (uint32_t k; (k = next_chunk.fetch_add(1, std::memory_order_relaxed)) < update_chunks.size();)
          run_chunk(k, next);
      current = next;
      barrier.arrive_and_wait();
      if (thread == 0) {
        deliveries.next_group.store(0, std::memory_order_relaxed);
        next_chunk.store(0, std::memory_order_relaxed);
        next_open.store(false, std::memory_order_relaxed);
      }
      if (!go_on) {
        // The step's end empties the counts unless it stopped the run, as without overlap.
        if (thread == 0 && !*stopped) clear_spike_counts();
        break;
      }
      // The joins give the updated populations their counts; no kernel of the step writes
      // the others', still empty from the run's start.
      join();
      barrier.arrive_and_wait();
    }
  });
  return done;
}

void HostKernels::run_init_schedule() {
  const GenncModel& model = state_.model();
  const GenncKernelEnv kernel_env = env();
  for (uint32_t k = 0; k < model.init_schedule_length; ++k) run(model.init_schedule[k], kernel_env);
}

void HostKernels::set_profiling(bool on) {
  profiling_ = on;
  profile_seconds_.resize(state_.model().kernel_count, 0.0);
}

}  // namespace gennc::runtime::cpu
