// The interface every engine implements: something that runs a network state's steps
// (the CPU's thread pool, one GPU through the CUDA driver API; later several GPUs, or one
// rank of a distributed run). An engine may hold its own copy of the state's arrays; the
// Simulation (simulation.h) decides when it is copied up or back, so an engine never
// needs to know who reads or writes the state between runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "status.h"

namespace gennc::runtime {

// A part of the step in a profile (sim --profile): a kernel on the CPU, a stage launch or
// a runtime kernel on the GPU.
struct ProfileRow {
  std::string name;     // a kernel, or a GPU stage ("stage 0") or runtime kernel
  std::string members;  // a stage's kernels (shortened); empty for a kernel
  double seconds_per_step = 0.0;
};

class Engine {
 public:
  virtual ~Engine() = default;

  // "cpu", or "cuda" and the device: "cuda (NVIDIA H100 80GB HBM3 (sm_90))".
  virtual std::string name() const = 0;

  // The state's arrays -> the engine's copy, after the host changed them.
  virtual Status upload() = 0;
  // The engine's copy -> the state's arrays, before the host reads them.
  virtual Status download() = 0;
  // One array of the engine's copy -> `out` (`bytes` of it), without a whole download.
  virtual Status read_array(uint32_t array, void* out, size_t bytes) = 0;

  // Runs `steps` steps from the state's step (its copy must be current), records them
  // into the state's Recorder and advances the state's step. It may stop early, after
  // the step at which a population reported a numerical fault or the recordings
  // outgrew their budget; the Simulation then reports which.
  virtual Status run(uint64_t steps) = 0;

  // From the next run on, times the parts of each step (and may then run slower).
  virtual void set_profiling(bool on) = 0;
  // Mean time per profiled step, in order of execution; empty before a profiled run.
  virtual std::vector<ProfileRow> profile() const = 0;
  // The timed parts of the engine's creation, in order (name, seconds); empty where an
  // engine times none.
  virtual std::vector<std::pair<std::string, double>> init_parts() const { return {}; }
  // The timed parts of every run so far (name, seconds in total); empty where an engine
  // times none.
  virtual std::vector<std::pair<std::string, double>> run_parts() const { return {}; }
  // Before a report of the whole run (the results folder): an engine of several ranks
  // makes profile() every rank's (collective: every rank calls it, at the same point).
  virtual void collect_profile() {}
};

}  // namespace gennc::runtime
