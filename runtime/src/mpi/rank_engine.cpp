#include "rank_engine.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "gather_columns.h"
#include "merge_samples.h"
#include "stop_votes.h"

namespace gennc::runtime::mpi {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// Adds the time from its creation to its destruction to `total`, when `on`.
class Stopwatch {
 public:
  Stopwatch(bool on, double& total) : on_(on), total_(total) {
    if (on_) start_ = std::chrono::steady_clock::now();
  }
  ~Stopwatch() {
    if (on_) total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  bool on_;
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

// The bound GENNC_EXCHANGE_INTERVAL (sim --exchange-interval) puts on E: a whole number of
// steps, 0 (or unset, or not a number) for none.
uint32_t interval_bound() {
  const char* text = std::getenv("GENNC_EXCHANGE_INTERVAL");
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  const unsigned long long steps = std::strtoull(text, &end, 10);
  return *end == '\0' && steps <= UINT32_MAX ? static_cast<uint32_t>(steps) : 0;
}

// Grows `v` to hold `more` elements beyond its size, doubling as push_back would.
template <typename T>
void make_room(std::vector<T>& v, size_t more) {
  const size_t needed = v.size() + more;
  if (needed > v.capacity()) v.reserve(std::max(needed, 2 * v.capacity()));
}

}  // namespace

RankEngine::RankEngine(NetworkState& state, cpu::HostKernels& kernels, ThreadPool& pool, const World& world,
                       Partition ranges)
    : state_(state), kernels_(kernels), pool_(pool), world_(world), cpu_(state, kernels), ranges_(std::move(ranges)) {
  cpu_.set_partition(this);
}

Status RankEngine::settle() {
  const GenncModel& m = state_.model();
  // One gather: each rank's ring depths, then its synapse counts.
  std::vector<uint64_t> mine;
  for (uint32_t q = 0; q < m.population_count; ++q) mine.push_back(state_.ring_depth(q));
  for (uint32_t p = 0; p < m.projection_count; ++p) mine.push_back(state_.synapse_count(p));
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(uint64_t), &bytes);
  std::vector<uint32_t> depths(m.population_count, 1);
  std::vector<uint64_t> totals(m.projection_count, 0);
  for (uint32_t r = 0; r < world_.size(); ++r) {
    const auto* theirs = reinterpret_cast<const uint64_t*>(all.data()) + size_t{r} * mine.size();
    for (uint32_t q = 0; q < m.population_count; ++q)
      depths[q] = std::max(depths[q], static_cast<uint32_t>(theirs[q]));
    for (uint32_t p = 0; p < m.projection_count; ++p) totals[p] += theirs[m.population_count + p];
  }
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (!state_.splits(p)) totals[p] = state_.synapse_count(p);
  state_.set_total_synapse_counts(std::move(totals));
  GENNC_TRY(state_.deepen_rings(pool_, depths));
  kernels_.refresh();
  return ok();
}

void RankEngine::take_share() {
  state_.take_share();
  kernels_.refresh();
}

std::string RankEngine::name() const {
  // The neurons each rank updates, which the partition (and sim --partition) decides.
  std::string neurons;
  for (uint32_t rank = 0; rank < world_.size(); ++rank) {
    uint64_t count = 0;
    for (const auto& population : ranges_) count += population[rank].second - population[rank].first;
    neurons += (rank ? "/" : "") + std::to_string(count);
  }
  return "cpu (" + std::to_string(world_.size()) + " MPI ranks updating " + neurons +
         " neurons, spikes exchanged every " + std::to_string(plan_.steps) + (plan_.steps == 1 ? " step)" : " steps)");
}

void RankEngine::plan() {
  // The shortest stored delay of each projection over every rank's share (0: none).
  const GenncModel& m = state_.model();
  std::vector<uint64_t> shortest = shortest_stored_delays(state_);
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world_.gather_bytes(shortest.data(), shortest.size() * sizeof(uint64_t), &bytes);
  for (uint32_t r = 0; r < world_.size(); ++r) {
    const auto* theirs = reinterpret_cast<const uint64_t*>(all.data()) + size_t{r} * shortest.size();
    for (uint32_t p = 0; p < m.projection_count; ++p)
      if (theirs[p] != 0 && (shortest[p] == 0 || theirs[p] < shortest[p])) shortest[p] = theirs[p];
  }
  plan_ = plan_exchange(state_, shortest, interval_bound());
  // The environment may differ between ranks; the smallest E is safe for all.
  uint64_t steps = plan_.steps;
  for (uint64_t theirs : world_.gather(plan_.steps)) steps = std::min(steps, theirs);
  if (steps < plan_.steps) {
    plan_.steps = static_cast<uint32_t>(steps);
    plan_.bound = "another rank's GENNC_EXCHANGE_INTERVAL";
  }
  stale_ = false;
  reserve_samples();
}

void RankEngine::pack_spikes(uint32_t population, std::vector<uint32_t>* words) const {
  const GenncPopulationInfo& pop = state_.model().populations[population];
  const Buffer& list_array = state_.array(pop.spike_list_array);
  const auto* list = static_cast<const uint32_t*>(list_array.data());
  const auto count = static_cast<uint32_t>(
      std::min<uint64_t>(static_cast<const uint32_t*>(state_.array(pop.spike_count_array).data())[0], list_array.length()));
  words->push_back(count);
  words->insert(words->end(), list, list + count);
  if (pop.spike_multiplicity_array != kNone) {
    const auto* times = static_cast<const uint32_t*>(state_.array(pop.spike_multiplicity_array).data());
    words->insert(words->end(), times, times + count);
  }
  if (pop.spike_time_array != kNone) {
    const auto* at = static_cast<const uint32_t*>(state_.array(pop.spike_time_array).data());
    words->insert(words->end(), at, at + 2 * size_t{count});
  }
}

void RankEngine::unpack_spikes(uint32_t population, const std::vector<const uint32_t*>& ranks,
                               std::vector<size_t>* cursors) {
  const GenncPopulationInfo& pop = state_.model().populations[population];
  Buffer& list_array = state_.array(pop.spike_list_array);
  auto* list = static_cast<uint32_t*>(list_array.data());
  auto* multiplicity = pop.spike_multiplicity_array != kNone
                           ? static_cast<uint32_t*>(state_.array(pop.spike_multiplicity_array).data()) : nullptr;
  auto* at = pop.spike_time_array != kNone ? static_cast<uint32_t*>(state_.array(pop.spike_time_array).data()) : nullptr;
  uint64_t total = 0;
  for (size_t r = 0; r < ranks.size(); ++r) {
    const uint32_t* words = ranks[r] + (*cursors)[r];
    const uint32_t count = words[0];
    // One process holds no more than its list does; neither do the ranks together.
    const uint64_t room = std::min<uint64_t>(count, list_array.length() - std::min(total, list_array.length()));
    const uint32_t* ids = words + 1;
    std::copy(ids, ids + room, list + total);
    const uint32_t* next = ids + count;
    if (multiplicity) {
      std::copy(next, next + room, multiplicity + total);
      next += count;
    }
    if (at) {
      std::copy(next, next + 2 * room, at + 2 * total);
      next += 2 * size_t{count};
    }
    total += room;
    (*cursors)[r] = static_cast<size_t>(next - ranks[r]);
  }
  static_cast<uint32_t*>(state_.array(pop.spike_count_array).data())[0] = static_cast<uint32_t>(total);
}

void RankEngine::exchange_spikes(uint32_t population) {
  const Stopwatch clock(profiling_, exchange_seconds_);
  std::vector<uint32_t> mine;
  pack_spikes(population, &mine);
  std::vector<uint64_t> bytes;
  std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(uint32_t), &bytes);
  std::vector<const uint32_t*> ranks(world_.size());
  for (uint32_t r = 0, offset = 0; r < world_.size(); offset += static_cast<uint32_t>(bytes[r]), ++r)
    ranks[r] = reinterpret_cast<const uint32_t*>(all.data() + offset);
  std::vector<size_t> cursors(world_.size(), 0);
  unpack_spikes(population, ranks, &cursors);
}

Status RankEngine::run(uint64_t steps) {
  if (profiling_) profile_.clear();  // collected again after this run
  if (!state_.holds_share()) take_share();
  if (stale_) plan();
  if (stop_held_) {
    stop_held_ = false;
    return stop_;
  }
  if (steps == 0) return kept_steps_ > 0 && close_interval() ? stop_ : ok();
  for (uint64_t done = 0; done < steps; ++done) {
    if (plan_.deferred) {
      cpu_.run_step_without_delivery();
      const Stopwatch clock(profiling_, exchange_seconds_);
      for (uint32_t p = 0; p < state_.model().population_count; ++p) pack_spikes(p, &kept_);
      ++kept_steps_;
    } else {
      GENNC_TRY(cpu_.run(1));
    }
    if (profiling_) ++profiled_steps_;
    // Intervals end at fixed steps, whatever the calls: the same on every rank.
    if (state_.step() % plan_.steps == 0 && close_interval()) return stop_;
  }
  return ok();
}

bool RankEngine::close_interval() {
  const GenncModel& model = state_.model();
  std::vector<Recording>& recordings = state_.recorder().recordings();
  const SampleMerge merge(model, recordings, &merged_rows_, ranges_);
  std::vector<uint8_t> all;
  std::vector<uint64_t> bytes;
  const bool any = kept_steps_ > 0 || merge.any();
  {
    const Stopwatch clock(profiling_, exchange_seconds_);
    std::vector<uint32_t> mine = std::move(kept_);
    kept_.clear();
    merge.pack(world_.rank(), &mine);
    // Nothing kept and nothing sampled is so on every rank: no gather then.
    if (any) all = world_.gather_bytes(mine.data(), mine.size() * sizeof(uint32_t), &bytes);
  }
  if (any) {
    std::vector<const uint32_t*> ranks(world_.size());
    for (uint32_t r = 0, offset = 0; r < world_.size(); offset += static_cast<uint32_t>(bytes[r]), ++r)
      ranks[r] = reinterpret_cast<const uint32_t*>(all.data() + offset);
    std::vector<size_t> cursors(world_.size(), 0);
    // The kept steps, in step order, each delivered and recorded as one process does.
    const uint64_t first = state_.step() - kept_steps_;
    for (uint64_t step = first; step < state_.step(); ++step) {
      for (uint32_t p = 0; p < model.population_count; ++p) unpack_spikes(p, ranks, &cursors);
      cpu_.deliver(step);
    }
    merge.unpack(recordings, ranks, &cursors);
  }
  kept_steps_ = 0;
  reserve_samples();
  if (agree_to_stop()) return true;
  // As one process leaves them after a step at which it did not stop.
  if (plan_.deferred) cpu_.clear_spike_counts();
  return false;
}

void RankEngine::reserve_samples() {
  const uint64_t step = state_.step();
  const uint64_t end = (step / plan_.steps + 1) * plan_.steps;  // the next interval's end
  for (Recording& r : state_.recorder().recordings()) {
    if (r.info->kind != GENNC_RECORD_VARIABLE || r.info->interval_steps == 0) continue;
    const uint64_t samples = end / r.info->interval_steps - step / r.info->interval_steps;
    make_room(r.samples, samples * r.elements.size());
    make_room(r.sample_steps, samples);
  }
}

void RankEngine::set_profiling(bool on) {
  profiling_ = on;
  cpu_.set_profiling(on);
}

std::vector<ProfileRow> RankEngine::profile() const {
  if (!profile_.empty()) return profile_;
  std::vector<ProfileRow> rows = cpu_.profile();
  if (!rows.empty())
    rows.push_back({"(exchanging between ranks)",
                    "MPI every " + std::to_string(plan_.steps) + (plan_.steps == 1 ? " step" : " steps") + " (" +
                        plan_.bound + "): spikes, samples, whether to stop",
                    profiled_steps_ ? exchange_seconds_ / static_cast<double>(profiled_steps_) : 0.0});
  return rows;
}

void RankEngine::collect_profile() {
  profile_.clear();  // so that profile() gives this rank's own rows
  profile_ = slowest_rank_rows(world_, profile());
}

bool RankEngine::agree_to_stop() {
  const Stopwatch clock(profiling_, exchange_seconds_);
  const Status budget = state_.within_recording_budget();
  const StopVotes votes = gather_stop_votes(world_, state_.fault_reported(), !budget.ok());
  if (!votes.stop()) return false;
  const GenncModel& model = state_.model();
  if (votes.fault) {
    // Each fault report's step: the earliest any rank saw (0 is none), on every rank; the
    // failing neuron's code comes with download(), from the ranks that saw that step (a
    // rank that saw its fault later in the interval forgets its neurons' codes).
    for (uint32_t a : state_.fault_steps()) {
      const double seen = state_.array(a).get(0);
      uint64_t first = 0;
      for (uint64_t step : world_.gather(static_cast<uint64_t>(seen)))
        if (step != 0 && (first == 0 || step < first)) first = step;
      state_.array(a).set(0, static_cast<double>(first));
      if (seen == 0.0 || static_cast<uint64_t>(seen) == first) continue;
      const uint32_t population = model.arrays[a].owner;
      forget_fault_codes(state_, population, ranges_[population][world_.rank()]);
    }
  }
  stop_ = stop_status(votes, budget, state_.step());
  return true;
}

Status RankEngine::read_array(uint32_t array, void* out, size_t bytes) {
  const std::vector<uint32_t>& faults = state_.fault_steps();
  if (kept_steps_ > 0 && std::find(faults.begin(), faults.end(), array) != faults.end()) {
    std::memset(out, 0, bytes);
    return ok();
  }
  return cpu_.read_array(array, out, bytes);
}

Status RankEngine::download() {
  if (kept_steps_ > 0 && close_interval()) stop_held_ = true;
  stale_ = true;  // what the caller does next may change delays
  gather_owned_columns(state_, world_, ranges_);
  return ok();
}

}  // namespace gennc::runtime::mpi
