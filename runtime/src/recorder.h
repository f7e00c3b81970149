// Recordings: spikes read from the populations' spike lists after each step (through
// gennc/step_recording.h, as the GPU records them), variables sampled every interval on
// their selection.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arrays.h"
#include "gennc/model_abi.h"
#include "selection.h"
#include "status.h"

namespace gennc::runtime {

struct Recording {
  const GenncRecordingInfo* info = nullptr;
  std::string name;        // file stem, unique within the simulation
  std::string population;
  std::string injection;   // a current source's state: the injection's name; else empty
  Selection selection;     // the neurons (population indices), in column order
  // VARIABLE: the element of the array sampled for each neuron of `selection`: the
  // neuron's population index, or for a current source's state its position among the
  // injection's targets. Both engines sample through it.
  std::vector<uint32_t> elements;
  // SPIKES: (step at which the spike is stamped, neuron) in recording order, which is by
  // step and, within a step, by neuron.
  std::vector<std::pair<uint64_t, uint32_t>> spikes;
  // SPIKES of a precise population: each spike's exact time (ms), beside `spikes`; empty
  // on the grid, where a spike's time is the end of its step.
  std::vector<double> spike_times;
  // VARIABLE: one row of selection.size() values per sample, taken after `sample_steps`.
  std::vector<double> samples;
  std::vector<uint64_t> sample_steps;
};

// Moves the spikes of a recorded row (gennc_record_spikes: a bit per neuron, or with
// `counts` a count per neuron) into `recording`, stamped with `step`, in neuron order and
// those of its selection only; the row is left zero.
void take_spike_row(Recording& recording, uint64_t step, uint32_t* row, uint32_t size, bool counts);
// The same into `spikes` for a recording of `selection`, so that threads can each take a
// run of steps into a list of their own and append the lists in step order.
void take_spike_row(const Selection& selection, std::vector<std::pair<uint64_t, uint32_t>>& spikes, uint64_t step,
                    uint32_t* row, uint32_t size, bool counts);

// Moves a precise population's spikes of the step (`count` entries of its spike list and
// their exact times, in the order the step appended them) into `recording`, stamped with
// `step`, by time and then neuron, those of its selection only (neurons below `size`).
// Both engines record through it: the CPU from the arrays after each step, the GPU from a
// batch's rows (gennc_record_precise_spikes).
void take_precise_spikes(Recording& recording, uint64_t step, const uint32_t* neurons, const double* times,
                         uint64_t count, uint32_t size);

class Recorder {
 public:
  Status setup(const GenncModel& model, const std::vector<uint64_t>& lengths);

  // Called after the step that ends at step index `steps_done` (>= 1), and with the
  // current step before the first step of a run so the initial state is sampled.
  void record_spikes(uint64_t steps_done, const std::vector<Buffer>& arrays);
  void sample(uint64_t steps_done, const std::vector<Buffer>& arrays);
  void clear();
  // The memory the recordings hold (their vectors' capacity), in bytes.
  uint64_t bytes() const;

  std::vector<Recording>& recordings() { return recordings_; }
  const std::vector<Recording>& recordings() const { return recordings_; }

 private:
  const GenncModel* model_ = nullptr;
  std::vector<Recording> recordings_;
  std::vector<uint32_t> spike_row_;  // one step's spikes of a recording, zero between steps
};

}  // namespace gennc::runtime
