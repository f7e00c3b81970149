#include "rank_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "../stop_request.h"

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

}  // namespace

RankEngine::RankEngine(NetworkState& state, cpu::HostKernels& kernels, const World& world)
    : state_(state), world_(world), cpu_(state, kernels), ranges_(partition_network(state, world.size())) {
  cpu_.set_partition(this);
}

std::string RankEngine::name() const { return "cpu (" + std::to_string(world_.size()) + " MPI ranks)"; }

uint32_t RankEngine::owner(uint32_t population, uint32_t neuron) const {
  const auto& ranks = ranges_[population];
  auto after = std::upper_bound(ranks.begin(), ranks.end(), neuron,
                                [](uint32_t n, const std::pair<uint32_t, uint32_t>& range) { return n < range.second; });
  return static_cast<uint32_t>(after - ranks.begin());
}

void RankEngine::exchange_spikes(uint32_t population) {
  const Stopwatch clock(profiling_, exchange_seconds_);
  const GenncPopulationInfo& pop = state_.model().populations[population];
  auto* count = static_cast<uint32_t*>(state_.array(pop.spike_count_array).data());
  auto* list = static_cast<uint32_t*>(state_.array(pop.spike_list_array).data());
  const bool multiple = pop.spike_multiplicity_array != kNone;
  // (id) or (id, multiplicity) per spike; ranks' ranges ascend, so their lists joined in
  // rank order are in neuron order.
  std::vector<uint32_t> mine(list, list + std::min(*count, pop.size));
  if (multiple) {
    const auto* times = static_cast<const uint32_t*>(state_.array(pop.spike_multiplicity_array).data());
    mine.resize(2 * mine.size());
    for (size_t k = mine.size() / 2; k-- > 0;) {
      mine[2 * k + 1] = times[k];
      mine[2 * k] = mine[k];
    }
  }
  std::vector<uint64_t> bytes;
  std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(uint32_t), &bytes);
  const size_t entries = all.size() / sizeof(uint32_t) / (multiple ? 2 : 1);
  const auto* words = reinterpret_cast<const uint32_t*>(all.data());
  auto* times = multiple ? static_cast<uint32_t*>(state_.array(pop.spike_multiplicity_array).data()) : nullptr;
  for (size_t k = 0; k < entries; ++k) {
    list[k] = words[multiple ? 2 * k : k];
    if (multiple) times[k] = words[2 * k + 1];
  }
  *count = static_cast<uint32_t>(entries);
}

Status RankEngine::run(uint64_t steps) {
  // Step by step: the ranks' collectives must come in the same order on every rank, and
  // callers split a run into calls differently on each (sim's batches follow each rank's
  // own speed), so the samples are merged after each step that took some.
  Status outcome = ok();
  if (profiling_) profile_.clear();  // collected again after this run
  for (uint64_t done = 0; done < steps; ++done) {
    GENNC_TRY(cpu_.run(1));
    merge_samples();
    if (profiling_) ++profiled_steps_;
    if (agree_to_stop()) {
      if (stop_request() != 0) outcome = stop_for_request(state_.step());
      break;
    }
  }
  return outcome;
}

void RankEngine::set_profiling(bool on) {
  profiling_ = on;
  cpu_.set_profiling(on);
}

std::vector<ProfileRow> RankEngine::profile() const {
  if (!profile_.empty()) return profile_;
  std::vector<ProfileRow> rows = cpu_.profile();
  if (!rows.empty())
    rows.push_back({"(exchanging between ranks)", "MPI: spikes, samples, whether to stop",
                    profiled_steps_ ? exchange_seconds_ / static_cast<double>(profiled_steps_) : 0.0});
  return rows;
}

void RankEngine::collect_profile() {
  profile_.clear();
  std::vector<ProfileRow> rows = profile();
  std::vector<double> mine;
  for (const ProfileRow& row : rows) mine.push_back(row.seconds_per_step);
  std::vector<uint64_t> bytes;
  std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(double), &bytes);
  const auto* seconds = reinterpret_cast<const double*>(all.data());
  if (std::any_of(bytes.begin(), bytes.end(), [&](uint64_t b) { return b != mine.size() * sizeof(double); })) return;
  for (uint32_t rank = 0; rank < world_.size(); ++rank)
    for (size_t k = 0; k < rows.size(); ++k)
      rows[k].seconds_per_step = std::max(rows[k].seconds_per_step, seconds[rank * rows.size() + k]);
  profile_ = std::move(rows);
}

bool RankEngine::agree_to_stop() {
  // One word per rank: the stop request's reason above two bits for a fault and the budget.
  const Stopwatch clock(profiling_, exchange_seconds_);
  constexpr uint64_t kFault = 1, kBudget = 2, kFlags = 2;
  const uint64_t mine = static_cast<uint64_t>(stop_request()) << kFlags |
                        (state_.fault_reported() ? kFault : 0) |
                        (state_.within_recording_budget().ok() ? 0 : kBudget);
  uint64_t flags = 0, reason = 0;
  for (uint64_t word : world_.gather(mine)) {
    flags |= word & (kFault | kBudget);
    reason = std::max(reason, word >> kFlags);
  }
  if (flags == 0 && reason == 0) return false;
  // Ranks without a request of their own stop for the largest reason given.
  if (reason != 0) request_stop(static_cast<int>(reason));
  if (flags & kFault) {
    // Each fault report's step: the earliest any rank saw (0 is none), on every rank; the
    // failing neuron's code comes with download().
    for (uint32_t a : state_.fault_steps()) {
      uint64_t first = 0;
      for (uint64_t step : world_.gather(static_cast<uint64_t>(state_.array(a).get(0))))
        if (step != 0 && (first == 0 || step < first)) first = step;
      state_.array(a).set(0, static_cast<double>(first));
    }
  }
  return true;
}

void RankEngine::merge_samples() {
  const Stopwatch clock(profiling_, exchange_seconds_);
  std::vector<Recording>& recordings = state_.recorder().recordings();
  merged_rows_.resize(recordings.size(), 0);
  for (size_t i = 0; i < recordings.size(); ++i) {
    Recording& r = recordings[i];
    const size_t columns = r.elements.size();
    if (r.info->kind != GENNC_RECORD_VARIABLE || r.info->injection != kNone || columns == 0) continue;
    const uint64_t rows = r.samples.size() / columns;
    const uint64_t first = std::min(merged_rows_[i], rows);
    merged_rows_[i] = rows;
    if (first == rows) continue;  // no sample since the last merge, on any rank (samples go by step)
    // Each rank sends its own columns of the new rows, row by row.
    const uint32_t population = r.info->target.population;
    std::vector<uint32_t> column_owner(columns);
    for (size_t c = 0; c < columns; ++c) column_owner[c] = owner(population, r.elements[c]);
    std::vector<double> mine;
    for (uint64_t row = first; row < rows; ++row)
      for (size_t c = 0; c < columns; ++c)
        if (column_owner[c] == world_.rank()) mine.push_back(r.samples[row * columns + c]);
    std::vector<uint64_t> bytes;
    std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(double), &bytes);
    const auto* values = reinterpret_cast<const double*>(all.data());
    for (uint32_t rank = 0, offset = 0; rank < world_.size(); offset += static_cast<uint32_t>(bytes[rank] / sizeof(double)), ++rank) {
      size_t k = offset;
      for (uint64_t row = first; row < rows; ++row)
        for (size_t c = 0; c < columns; ++c)
          if (column_owner[c] == rank) r.samples[row * columns + c] = values[k++];
    }
  }
}

Status RankEngine::download() {
  const GenncModel& model = state_.model();
  for (uint32_t a = 0; a < model.array_count; ++a) {
    const GenncArrayInfo& info = model.arrays[a];
    if (info.scope != GENNC_SCOPE_NEURON && info.scope != GENNC_SCOPE_RING) continue;
    const GenncPopulationInfo& pop = model.populations[info.owner];
    // Spike lists are gathered every step already (and are not by neuron).
    if (a == pop.spike_list_array || a == pop.spike_multiplicity_array || pop.size == 0) continue;
    // Rows of `size` elements (one for a neuron array, one per slot for a ring).
    Buffer& array = state_.array(a);
    const size_t element = dtype_size(array.dtype());
    const size_t row_bytes = pop.size * element;
    const size_t rows = array.length() / pop.size;
    auto* data = static_cast<uint8_t*>(array.data());
    const auto [begin, end] = ranges_[info.owner][world_.rank()];
    std::vector<uint8_t> mine;
    for (size_t row = 0; row < rows; ++row)
      mine.insert(mine.end(), data + row * row_bytes + begin * element, data + row * row_bytes + end * element);
    std::vector<uint64_t> bytes;
    std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size(), &bytes);
    size_t k = 0;
    for (uint32_t rank = 0; rank < world_.size(); ++rank) {
      const auto [first, last] = ranges_[info.owner][rank];
      for (size_t row = 0; row < rows; ++row) {
        std::memcpy(data + row * row_bytes + first * element, all.data() + k, (last - first) * element);
        k += (last - first) * element;
      }
    }
  }
  return ok();
}

}  // namespace gennc::runtime::mpi
