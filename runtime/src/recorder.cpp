#include "recorder.h"

#include <algorithm>
#include <map>

#include "gennc/step_recording.h"

namespace gennc::runtime {

Status Recorder::setup(const GenncModel& model, const std::vector<uint64_t>& lengths) {
  model_ = &model;
  recordings_.clear();
  std::map<std::string, int> used;
  for (uint32_t r = 0; r < model.recording_count; ++r) {
    const GenncRecordingInfo& info = model.recordings[r];
    std::string what = "recording " + std::to_string(r);
    if (info.target.population >= model.population_count) return model_error(what + ": no such population");
    const GenncPopulationInfo& population = model.populations[info.target.population];
    Recording recording;
    recording.info = &info;
    recording.population = population.name ? population.name : "?";
    GENNC_TRY(Selection::make(info.target, population.size, what, &recording.selection));
    if (info.kind == GENNC_RECORD_VARIABLE) {
      if (info.array >= model.array_count) return model_error(what + ": no such array");
      if (info.interval_steps == 0) return model_error(what + ": the sampling interval must be at least one step");
      const GenncArrayInfo& array = model.arrays[info.array];
      const std::vector<uint32_t>& members = recording.selection.members();
      if (info.injection != UINT32_MAX) {
        // A current source's state: element k belongs to the k-th neuron of its target.
        if (info.injection >= model.injection_count) return model_error(what + ": no such injection");
        const GenncInjectionInfo& injection = model.injections[info.injection];
        recording.injection = injection.name ? injection.name : "?";
        Selection target;
        GENNC_TRY(Selection::make(injection.target, population.size, what, &target));
        if (injection.target.population != info.target.population || target.members() != members)
          return model_error(what + ": its neurons are not the targets of injection '" + recording.injection + "'");
        if (array.scope != GENNC_SCOPE_LIST || lengths[info.array] != members.size())
          return model_error(what + ": array '" + std::string(array.name) + "' does not hold one value per target of "
                             "injection '" + recording.injection + "'");
        recording.elements.resize(members.size());
        for (uint32_t k = 0; k < members.size(); ++k) recording.elements[k] = k;
      } else {
        if (array.scope != GENNC_SCOPE_NEURON || array.owner != info.target.population ||
            lengths[info.array] != population.size)
          return model_error(what + ": array '" + std::string(array.name) +
                             "' is not a per-neuron array of population '" + recording.population + "'");
        recording.elements = members;
      }
    } else if (info.kind != GENNC_RECORD_SPIKES) {
      return model_error(what + ": unknown recording kind");
    }
    std::string stem = info.kind == GENNC_RECORD_SPIKES
                           ? recording.population + ".spikes"
                           : std::string(info.variable ? info.variable : model.arrays[info.array].name);
    int seen = used[stem]++;
    recording.name = seen == 0 ? stem : stem + "." + std::to_string(seen);
    recordings_.push_back(std::move(recording));
  }
  return ok();
}

namespace {

uint64_t address(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }

}  // namespace

void take_spike_row(Recording& recording, uint64_t step, uint32_t* row, uint32_t size, bool counts) {
  take_spike_row(recording.selection, recording.spikes, step, row, size, counts);
}

void take_spike_row(const Selection& selection, std::vector<std::pair<uint64_t, uint32_t>>& spikes, uint64_t step,
                    uint32_t* row, uint32_t size, bool counts) {
  const uint32_t words = counts ? size : (size + 31) / 32;
  for (uint32_t w = 0; w < words; ++w) {
    if (row[w] == 0) continue;
    if (counts) {
      if (selection.local(w) >= 0) spikes.insert(spikes.end(), row[w], {step, w});
    } else {
      for (uint32_t word = row[w]; word != 0; word &= word - 1) {
        uint32_t neuron = w * 32 + static_cast<uint32_t>(__builtin_ctz(word));
        if (selection.local(neuron) >= 0) spikes.emplace_back(step, neuron);
      }
    }
    row[w] = 0;
  }
}

void take_precise_spikes(Recording& recording, uint64_t step, const uint32_t* neurons, const double* times,
                         uint64_t count, uint32_t size) {
  std::vector<std::pair<double, uint32_t>> spikes;
  for (uint64_t k = 0; k < count; ++k)
    if (neurons[k] < size && recording.selection.local(neurons[k]) >= 0) spikes.emplace_back(times[k], neurons[k]);
  // By time, then neuron: the order gennc_get_spikes gives.
  std::sort(spikes.begin(), spikes.end());
  for (const auto& [time, neuron] : spikes) {
    recording.spikes.emplace_back(step, neuron);
    recording.spike_times.push_back(time);
  }
}

void Recorder::record_spikes(uint64_t steps_done, const std::vector<Buffer>& arrays) {
  for (Recording& recording : recordings_) {
    if (recording.info->kind != GENNC_RECORD_SPIKES) continue;
    const GenncPopulationInfo& population = model_->populations[recording.info->target.population];
    if (population.spike_time_array != UINT32_MAX) {
      const Buffer& list = arrays[population.spike_list_array];
      const uint64_t count = std::min<uint64_t>(
          static_cast<const uint32_t*>(arrays[population.spike_count_array].data())[0], list.length());
      take_precise_spikes(recording, steps_done, static_cast<const uint32_t*>(list.data()),
                          static_cast<const double*>(arrays[population.spike_time_array].data()), count,
                          population.size);
      continue;
    }
    const bool counts = population.spike_multiplicity_array != UINT32_MAX;
    const uint32_t words = counts ? population.size : (population.size + 31) / 32;
    if (spike_row_.size() < words) spike_row_.resize(words);
    const GenncSpikeTable table{address(arrays[population.spike_count_array].data()),
                                address(arrays[population.spike_list_array].data()),
                                counts ? address(arrays[population.spike_multiplicity_array].data()) : 0,
                                address(spike_row_.data()), population.size, words, 0, 0};
    gennc_record_spikes(&table, 0, 0, 1);
    take_spike_row(recording, steps_done, spike_row_.data(), population.size, counts);
  }
}

void Recorder::sample(uint64_t steps_done, const std::vector<Buffer>& arrays) {
  for (Recording& recording : recordings_) {
    if (recording.info->kind != GENNC_RECORD_VARIABLE) continue;
    if (steps_done % recording.info->interval_steps != 0) continue;
    if (!recording.sample_steps.empty() && recording.sample_steps.back() == steps_done) continue;
    const Buffer& array = arrays[recording.info->array];
    for (uint32_t element : recording.elements) recording.samples.push_back(array.get(element));
    recording.sample_steps.push_back(steps_done);
  }
}

uint64_t Recorder::bytes() const {
  uint64_t total = 0;
  for (const Recording& r : recordings_)
    total += r.spikes.capacity() * sizeof(r.spikes[0]) + r.spike_times.capacity() * sizeof(double) +
             r.samples.capacity() * sizeof(double) +
             r.sample_steps.capacity() * sizeof(uint64_t);
  return total;
}

void Recorder::clear() {
  for (Recording& recording : recordings_) {
    recording.spikes.clear();
    recording.spike_times.clear();
    recording.samples.clear();
    recording.sample_steps.clear();
  }
}

}  // namespace gennc::runtime
