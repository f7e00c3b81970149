#include "network_state.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "memory.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

Status no_array(const std::string& name) { return not_found("no array called '" + name + "'"); }
Status wrong_count(const std::string& name, uint64_t length, uint64_t count) {
  return argument_error("array '" + name + "' has " + std::to_string(length) + " elements, not " + std::to_string(count));
}

}  // namespace

NetworkState::NetworkState(const GenncModel& model, uint64_t seed) : model_(model), seed_(seed) {
  double per_ms = std::round(1.0 / model.dt);
  if (per_ms >= 1.0 && std::fabs(per_ms * model.dt - 1.0) < 1e-12) steps_per_ms_ = per_ms;
  for (uint32_t a = 0; a < model.array_count; ++a)
    if ((model.arrays[a].flags & GENNC_ARRAY_FAULT) && model.arrays[a].scope == GENNC_SCOPE_SCALAR)
      fault_steps_.push_back(a);
}

void NetworkState::recompute_sizes() {
  for (uint32_t p = 0; p < model_.projection_count; ++p)
    synapse_counts_[p] = model_.projections[p].column_array != kNone &&
                                 model_.arrays[model_.projections[p].column_array].scope == GENNC_SCOPE_SYNAPSE
                             ? arrays_[model_.projections[p].column_array].length()
                             : static_cast<uint64_t>(arrays_[model_.projections[p].row_pointer_array].get(
                                   arrays_[model_.projections[p].row_pointer_array].length() - 1));
  for (uint32_t p = 0; p < model_.population_count; ++p) {
    uint32_t id = model_.populations[p].ring_depth_array;
    if (id != kNone) ring_depths_[p] = static_cast<uint32_t>(arrays_[id].get(0));
  }
}

std::vector<uint32_t> NetworkState::post_ranges(const std::vector<std::pair<uint32_t, uint32_t>>& neurons) const {
  std::vector<uint32_t> ranges;
  for (uint32_t p = 0; p < model_.projection_count; ++p) {
    const auto [first, last] = neurons[model_.projections[p].post.population];
    const auto [lo, hi] = post_[p].span(first, last);
    ranges.insert(ranges.end(), {lo, hi});
  }
  return ranges;
}

uint64_t NetworkState::kernel_range(const GenncKernelInfo& kernel) const {
  const GenncModel& m = model_;
  auto spikes = [&](uint32_t population) {
    const GenncPopulationInfo& pop = m.populations[population];
    // The list's length: the population's size, or a precise population's spike capacity.
    return std::min<uint64_t>(static_cast<const uint32_t*>(arrays_[pop.spike_count_array].data())[0],
                              arrays_[pop.spike_list_array].length());
  };
  switch (kernel.kind) {
    case GENNC_KERNEL_NEURON:
    case GENNC_KERNEL_DERIVED: return m.populations[kernel.owner].size;
    case GENNC_KERNEL_CURRENT_SOURCE: return injection_counts_[kernel.owner];
    case GENNC_KERNEL_SYNAPSE_PRE: return spikes(m.projections[kernel.owner].pre.population);
    case GENNC_KERNEL_SYNAPSE_POST: return spikes(m.projections[kernel.owner].post.population);
    case GENNC_KERNEL_TRACE_PRE: return m.populations[m.projections[kernel.owner].pre.population].size;
    case GENNC_KERNEL_TRACE_POST: return m.populations[m.projections[kernel.owner].post.population].size;
    case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
    case GENNC_KERNEL_DERIVED_SYNAPSE: return synapse_counts_[kernel.owner];
  }
  return 0;
}

void NetworkState::touch_pages(ThreadPool& pool) {
  constexpr size_t kPage = 4096, kChunk = size_t{2} << 20;
  for (uint32_t a : untouched_) {
    // A write of each page's first byte, of the value it holds (a read alone would map the
    // shared zero page).
    auto* bytes = static_cast<volatile unsigned char*>(arrays_[a].data());
    const size_t size = arrays_[a].bytes();
    const auto chunks = static_cast<uint32_t>((size + kChunk - 1) / kChunk);
    pool.parallel_for(chunks, 1, [&](uint32_t begin, uint32_t end) {
      for (size_t at = size_t{begin} * kChunk; at < std::min(size, size_t{end} * kChunk); at += kPage)
        bytes[at] = bytes[at];
    });
  }
  untouched_.clear();
}

void NetworkState::take_snapshot() {
  static_cast<void>(take_snapshot([this](uint32_t a, Buffer& into) {  // a copy cannot fail
    if (into.bytes() != 0) std::memcpy(into.data(), arrays_[a].data(), into.bytes());
    return ok();
  }));
}

Status NetworkState::take_snapshot(const std::function<Status(uint32_t array, Buffer& into)>& read) {
  snapshot_.assign(arrays_.size(), Buffer());
  snapshot_valid_ = false;
  for (uint32_t a = 0; a < model_.array_count; ++a) {
    uint32_t flags = model_.arrays[a].flags;
    if (is_structural(a) || (flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED))) continue;
    snapshot_[a] = Buffer(arrays_[a].dtype(), arrays_[a].length());
    GENNC_TRY(read(a, snapshot_[a]));
  }
  snapshot_valid_ = true;
  return ok();
}

Status NetworkState::within_recording_budget() const {
  uint64_t held = recorder_.bytes();
  if (held <= recording_budget_) return ok();
  return {GENNC_ERROR_LIMIT, "the recordings hold " + mebibytes(held) + " after step " + std::to_string(step_) +
                                 ", more than their budget of " + mebibytes(recording_budget_) +
                                 " (sim --recording-budget; gennc_set_recording_budget): the run stopped there"};
}

Status NetworkState::set_step(uint64_t step) {
  // Recordings stay sorted by step: nothing may be recorded before what they hold.
  uint64_t held = 0;
  bool any = false;
  for (const Recording& r : recorder_.recordings()) {
    if (!r.spikes.empty()) held = std::max(held, r.spikes.back().first), any = true;
    if (!r.sample_steps.empty()) held = std::max(held, r.sample_steps.back()), any = true;
  }
  if (any && step < held)
    return argument_error("cannot set the step to " + std::to_string(step) + ": the recordings hold data up to step " +
                          std::to_string(held) + " (clear them first)");
  // The CUDA engine takes the step (and time) from here at the start of every run.
  step_ = step;
  return ok();
}

void NetworkState::reset() {
  if (snapshot_valid_)
    for (uint32_t a = 0; a < model_.array_count; ++a)
      if (snapshot_[a].length() == arrays_[a].length() && snapshot_[a].length() != 0)
        std::memcpy(arrays_[a].data(), snapshot_[a].data(), arrays_[a].bytes());
  snapshot_valid_ = false;
  step_ = 0;
  recorder_.clear();
}

// ---- Arrays ------------------------------------------------------------------------

int64_t NetworkState::find_array(const std::string& name) const {
  for (uint32_t a = 0; a < model_.array_count; ++a)
    if (name == model_.arrays[a].name) return a;
  return -1;
}

Status NetworkState::get_array(const std::string& name, void* out, uint64_t count) const {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  const Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (array.bytes() != 0) {
    if (out == nullptr) return argument_error("no buffer given for array '" + name + "'");
    std::memcpy(out, array.data(), array.bytes());
  }
  return ok();
}

Status NetworkState::get_array_f64(const std::string& name, double* out, uint64_t count) const {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  const Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (count != 0 && out == nullptr) return argument_error("no buffer given for array '" + name + "'");
  for (uint64_t k = 0; k < count; ++k) out[k] = array.get(k);
  return ok();
}

Status NetworkState::read_as_f64(const std::string& name, const void* values, uint64_t count,
                                 std::vector<double>* out) const {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  Buffer staged(arrays_[id].dtype(), arrays_[id].length());
  if (count != staged.length()) return wrong_count(name, staged.length(), count);
  if (staged.bytes() != 0) {
    if (values == nullptr) return argument_error("no values given for array '" + name + "'");
    std::memcpy(staged.data(), values, staged.bytes());
  }
  out->resize(count);
  for (uint64_t k = 0; k < count; ++k) (*out)[k] = staged.get(k);
  return ok();
}

Status NetworkState::set_array_f64(const std::string& name, const double* values, uint64_t count) {
  int64_t found = find_array(name);
  if (found < 0) return no_array(name);
  auto id = static_cast<uint32_t>(found);
  Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (count != 0 && values == nullptr) return argument_error("no values given for array '" + name + "'");
  const GenncModel& m = model_;
  bool is_delay = false;
  uint32_t depth = 0;
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (m.projections[p].delay_array == id) {
      is_delay = true;
      depth = ring_depths_[m.projections[p].post.population];
    }
  if (is_delay) {
    // Ring buffers were sized for the delays at creation; longer delays would wrap.
    for (uint64_t k = 0; k < count; ++k)
      if (!(values[k] >= 1.0 && values[k] <= depth - 1.0 && values[k] == std::floor(values[k])))
        return argument_error("array '" + name + "': delay " + std::to_string(values[k]) +
                              " steps is not a whole number of steps in [1, " + std::to_string(depth - 1) +
                              "] (the ring depth - 1: the rings were sized at creation, for the longest delay then + 1 "
                              "rounded up to a power of two)");
  } else if (is_structural(id)) {
    return argument_error("array '" + name + "' holds connectivity and cannot be set");
  }
  for (uint64_t k = 0; k < count; ++k) array.set(k, values[k]);
  return ok();
}

bool NetworkState::fault_reported() const {
  // One scalar per checked population: cheap enough to look at after every step.
  bool faulted = false;
  for (uint32_t a : fault_steps_) faulted |= static_cast<const double*>(arrays_[a].data())[0] != 0.0;
  return faulted;
}

}  // namespace gennc::runtime