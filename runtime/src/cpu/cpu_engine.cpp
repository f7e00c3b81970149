#include "cpu_engine.h"

#include <cstring>

#include "../stop_request.h"

namespace gennc::runtime::cpu {

Status Engine::read_array(uint32_t array, void* out, size_t bytes) {
  if (bytes != 0) std::memcpy(out, state_.array(array).data(), bytes);
  return ok();
}

Status Engine::run_partitioned(uint64_t steps) {
  const GenncModel& m = state_.model();
  Recorder& recorder = state_.recorder();
  uint64_t done = 0;
  while (done < steps) {
    const GenncKernelEnv env = kernels_.env();
    for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
      const uint32_t id = m.step_schedule[k];
      run_own_share(id, env);
      if (m.kernels[id].kind == GENNC_KERNEL_NEURON) partition_->exchange_spikes(m.kernels[id].owner);
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

void Engine::run_own_share(uint32_t id, const GenncKernelEnv& env) {
  const GenncKernelInfo& kernel = state_.model().kernels[id];
  if (kernel.kind != GENNC_KERNEL_NEURON) return kernels_.run(id, env);
  const auto [begin, end] = partition_->neurons(kernel.owner);
  kernels_.run(id, env, begin, end);
}

void Engine::set_partition(StepPartition* partition) {
  partition_ = partition;
  if (partition == nullptr) return kernels_.set_post_ranges({});
  std::vector<std::pair<uint32_t, uint32_t>> neurons;
  for (uint32_t q = 0; q < state_.model().population_count; ++q) neurons.push_back(partition->neurons(q));
  kernels_.set_post_ranges(state_.post_ranges(neurons));
}

void Engine::clear_spike_counts() { kernels_.clear_spike_counts(); }

Status Engine::run(uint64_t steps) {
  if (steps == 0) return ok();  // the last step's spike lists stay as they are
  Recorder& recorder = state_.recorder();
  clear_spike_counts();
  if (partition_ != nullptr) return run_partitioned(steps);
  const uint64_t done = kernels_.run_steps(steps, [&] {
    state_.advance(1);
    recorder.record_spikes(state_.step(), state_.arrays());
    recorder.sample(state_.step(), state_.arrays());
    return !state_.fault_reported() && state_.within_recording_budget().ok() && stop_request() == 0;
  });
  if (profiling_) profiled_steps_ += done;
  if (stop_request() != 0) return stop_for_request(state_.step());
  return ok();
}

void Engine::run_step_without_delivery() {
  const GenncModel& m = state_.model();
  clear_spike_counts();
  const GenncKernelEnv env = kernels_.env();
  for (uint32_t k = 0; k < m.step_schedule_length; ++k)
    if (m.kernels[m.step_schedule[k]].kind != GENNC_KERNEL_SYNAPSE_PRE) run_own_share(m.step_schedule[k], env);
  state_.advance(1);
  state_.recorder().sample(state_.step(), state_.arrays());
  if (profiling_) ++profiled_steps_;
}

void Engine::deliver(uint64_t step) {
  const GenncModel& m = state_.model();
  GenncKernelEnv env = kernels_.env();
  env.step = step;
  env.t = state_.time_at(step);
  for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
    const uint32_t id = m.step_schedule[k];
    if (m.kernels[id].kind == GENNC_KERNEL_SYNAPSE_PRE) kernels_.run(id, env);
  }
  state_.recorder().record_spikes(step + 1, state_.arrays());
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
