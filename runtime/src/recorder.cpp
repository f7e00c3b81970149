#include "recorder.h"

#include <algorithm>
#include <map>

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

void Recorder::record_spikes(uint64_t steps_done, const std::vector<Buffer>& arrays) {
  for (Recording& recording : recordings_) {
    if (recording.info->kind != GENNC_RECORD_SPIKES) continue;
    const GenncPopulationInfo& population = model_->populations[recording.info->target.population];
    uint32_t count = static_cast<const uint32_t*>(arrays[population.spike_count_array].data())[0];
    const auto* list = static_cast<const uint32_t*>(arrays[population.spike_list_array].data());
    // An entry that stands for several spikes is recorded that many times, as NEST records
    // a spike with multiplicity.
    const auto* times = population.spike_multiplicity_array == UINT32_MAX
                            ? nullptr
                            : static_cast<const uint32_t*>(arrays[population.spike_multiplicity_array].data());
    size_t first = recording.spikes.size();
    count = std::min<uint32_t>(count, population.size);
    for (uint32_t k = 0; k < count; ++k)
      if (list[k] < population.size && recording.selection.local(list[k]) >= 0)
        for (uint32_t r = 0, n = times ? times[k] : 1; r < n; ++r) recording.spikes.emplace_back(steps_done, list[k]);
    std::sort(recording.spikes.begin() + static_cast<std::ptrdiff_t>(first), recording.spikes.end());
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
    total += r.spikes.capacity() * sizeof(r.spikes[0]) + r.samples.capacity() * sizeof(double) +
             r.sample_steps.capacity() * sizeof(uint64_t);
  return total;
}

void Recorder::clear() {
  for (Recording& recording : recordings_) {
    recording.spikes.clear();
    recording.samples.clear();
    recording.sample_steps.clear();
  }
}

}  // namespace gennc::runtime
