#include "host_kernels.h"

#include <algorithm>
#include <chrono>
#include <tuple>
#include <utility>

namespace gennc::runtime::cpu {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

}  // namespace

HostKernels::HostKernels(NetworkState& state, ThreadPool& pool)
    : state_(state), pool_(pool), kernel_seconds_(state.model().kernel_count, 0.0) {}

void HostKernels::refresh() {
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
  return {pointers_.data(), lengths_.data(), state_.time(), state_.model().dt, state_.step(), state_.seed()};
}

void HostKernels::run(uint32_t id, const GenncKernelEnv& env) {
  run(id, env, 0, static_cast<uint32_t>(state_.kernel_range(state_.model().kernels[id])));
}

void HostKernels::run(uint32_t id, const GenncKernelEnv& env, uint32_t first, uint32_t last) {
  const GenncModel& model = state_.model();
  const GenncKernelInfo& kernel = model.kernels[id];
  auto start = std::chrono::steady_clock::now();
  // A spike's row can be long, so spike ranges are split finely; element ranges coarsely.
  bool per_spike = kernel.kind == GENNC_KERNEL_SYNAPSE_PRE || kernel.kind == GENNC_KERNEL_SYNAPSE_POST;
  GenncKernelFn fn = kernel.host;
  pool_.parallel_for(last - first, per_spike ? 16 : 4096,
                     [&](uint32_t begin, uint32_t end) { fn(&env, first + begin, first + end); });
  if (kernel.kind == GENNC_KERNEL_NEURON && pool_.size() > 1) {
    // Threads append spikes in any order; sorting keeps every later stage deterministic.
    const GenncPopulationInfo& pop = model.populations[kernel.owner];
    Buffer& list_array = state_.array(pop.spike_list_array);
    uint32_t spikes = static_cast<uint32_t>(std::min<uint64_t>(
        static_cast<uint32_t*>(state_.array(pop.spike_count_array).data())[0], list_array.length()));
    auto* list = static_cast<uint32_t*>(list_array.data());
    if (pop.spike_time_array != kNone) {
      // Each entry's exact time moves with it; a neuron's spikes stay in time order.
      auto* times = static_cast<double*>(state_.array(pop.spike_time_array).data());
      std::vector<std::pair<uint32_t, double>> entries(spikes);
      for (uint32_t k = 0; k < spikes; ++k) entries[k] = {list[k], times[k]};
      std::sort(entries.begin(), entries.end());
      for (uint32_t k = 0; k < spikes; ++k) std::tie(list[k], times[k]) = entries[k];
    } else if (pop.spike_multiplicity_array == kNone) {
      std::sort(list, list + spikes);
    } else {
      // Each entry's multiplicity moves with it.
      auto* times = static_cast<uint32_t*>(state_.array(pop.spike_multiplicity_array).data());
      std::vector<std::pair<uint32_t, uint32_t>> entries(spikes);
      for (uint32_t k = 0; k < spikes; ++k) entries[k] = {list[k], times[k]};
      std::sort(entries.begin(), entries.end());
      for (uint32_t k = 0; k < spikes; ++k) std::tie(list[k], times[k]) = entries[k];
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  kernel_seconds_[id] += seconds;
  if (profiling_) profile_seconds_[id] += seconds;
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
