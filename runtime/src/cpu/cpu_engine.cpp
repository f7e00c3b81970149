#include "cpu_engine.h"

#include <cstring>

#include "../stop_request.h"

namespace gennc::runtime::cpu {

Status Engine::read_array(uint32_t array, void* out, size_t bytes) {
  if (bytes != 0) std::memcpy(out, state_.array(array).data(), bytes);
  return ok();
}

template <typename ClearSpikeCounts>
Status Engine::run_partitioned(uint64_t steps, ClearSpikeCounts& clear_spike_counts) {
  const GenncModel& m = state_.model();
  Recorder& recorder = state_.recorder();
  uint64_t done = 0;
  while (done < steps) {
    const GenncKernelEnv env = kernels_.env();
    for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
      const uint32_t id = m.step_schedule[k];
      const GenncKernelInfo& kernel = m.kernels[id];
      if (kernel.kind != GENNC_KERNEL_NEURON) {
        kernels_.run(id, env);
        continue;
      }
      const auto [begin, end] = partition_->neurons(kernel.owner);
      kernels_.run(id, env, begin, end);
      partition_->exchange_spikes(kernel.owner);
    }
    state_.advance(1);
    ++done;
    recorder.record_spikes(state_.step(), state_.arrays());
    recorder.sample(state_.step(), state_.arrays());
    if (state_.fault_reported() || !state_.within_recording_budget().ok()) break;
    clear_spike_counts();
  }
  if (profiling_) profiled_steps_ += done;
  return ok();
}

Status Engine::run(uint64_t steps) {
  if (steps == 0) return ok();  // the last step's spike lists stay as they are
  const GenncModel& m = state_.model();
  Recorder& recorder = state_.recorder();
  auto clear_spike_counts = [&] {
    for (uint32_t p = 0; p < m.population_count; ++p)
      static_cast<uint32_t*>(state_.array(m.populations[p].spike_count_array).data())[0] = 0;
  };
  clear_spike_counts();
  if (partition_ != nullptr) return run_partitioned(steps, clear_spike_counts);
  const uint64_t done = kernels_.run_steps(steps, [&] {
    state_.advance(1);
    recorder.record_spikes(state_.step(), state_.arrays());
    recorder.sample(state_.step(), state_.arrays());
    if (state_.fault_reported() || !state_.within_recording_budget().ok() || stop_request() != 0) return false;
    clear_spike_counts();
    return true;
  });
  if (profiling_) profiled_steps_ += done;
  if (stop_request() != 0) return stop_for_request(state_.step());
  return ok();
}

void Engine::set_profiling(bool on) {
  profiling_ = on;
  kernels_.set_profiling(on);
}

std::vector<ProfileRow> Engine::profile() const {
  std::vector<ProfileRow> rows;
  if (profiled_steps_ == 0) return rows;
  const GenncModel& m = state_.model();
  for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
    const uint32_t id = m.step_schedule[k];
    rows.push_back({m.kernels[id].name, "", kernels_.profile_seconds()[id] / static_cast<double>(profiled_steps_)});
  }
  rows.push_back({"(waiting for threads, sorting spikes)", "", kernels_.wait_seconds() / static_cast<double>(profiled_steps_)});
  rows.push_back({"(step's end: recording)", "", kernels_.finish_seconds() / static_cast<double>(profiled_steps_)});
  return rows;
}

}  // namespace gennc::runtime::cpu
