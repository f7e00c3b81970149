// The CPU engine: one simulation of a compiled model. Owns the arrays, connectivity,
// positions, recordings and worker threads; runs the model's kernels step by step.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrays.h"
#include "connect.h"
#include "gennc/model_abi.h"
#include "recorder.h"
#include "status.h"
#include "thread_pool.h"

namespace gennc::runtime {

struct SimulationOptions {
  unsigned threads = 1;
  uint64_t seed = 0;
  std::string output_folder = "results";
};

struct Timings {
  double build = -1.0;
  double init = 0.0;
  double simulate = 0.0;
  double write = 0.0;
};

class Simulation {
 public:
  // Checks the model, allocates and initialises everything, builds connectivity, runs the
  // init schedule. The model must outlive the simulation.
  static Status create(const GenncModel& model, const SimulationOptions& options,
                       std::unique_ptr<Simulation>* out);

  Status run(uint64_t steps);

  const GenncModel& model() const { return model_; }
  uint64_t step() const { return step_; }
  double time() const { return time_at(step_); }
  // The time of a step boundary: steps / (1 / dt) when 1 / dt is a whole number (0.1 ms:
  // step 1278 is 127.8, the double nearest the decimal, not 1278 x 0.1 = 127.80000000000001),
  // else steps x dt.
  double time_at(uint64_t steps) const {
    return steps_per_ms_ > 0 ? static_cast<double>(steps) / steps_per_ms_ : static_cast<double>(steps) * model_.dt;
  }
  uint64_t seed() const { return seed_; }
  unsigned threads() const { return pool_.size(); }
  const std::string& output_folder() const { return output_folder_; }
  const Timings& timings() const { return timings_; }

  // The array called `name`, or -1.
  int64_t find_array(const std::string& name) const;
  const Buffer& array(uint32_t id) const { return arrays_[id]; }
  Status get_array(const std::string& name, void* out, uint64_t count) const;
  Status get_array_f64(const std::string& name, double* out, uint64_t count) const;
  Status set_array(const std::string& name, const void* values, uint64_t count);
  Status set_array_f64(const std::string& name, const double* values, uint64_t count);

  const std::vector<double>& positions(uint32_t population) const { return positions_[population]; }
  uint64_t synapse_count(uint32_t projection) const { return synapse_counts_[projection]; }
  uint32_t ring_depth(uint32_t population) const { return ring_depths_[population]; }

  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }

  Status reset();
  Status save_checkpoint(const std::string& path) const;  // checkpoint.cpp
  Status load_checkpoint(const std::string& path);        // checkpoint.cpp
  Status write_results(const std::string& folder);        // results.cpp

 private:
  Simulation(const GenncModel& model, const SimulationOptions& options);

  Status check_model() const;
  Status build();
  Status build_projection(uint32_t p, std::vector<int>* state);
  Status fill_synapse_arrays(uint32_t p);
  Status build_rings();
  Status run_init_schedule();
  void refresh_pointers();
  void recompute_sizes();

  uint64_t kernel_range(const GenncKernelInfo& kernel) const;
  void run_kernel(uint32_t id, const GenncKernelEnv& env);
  void take_snapshot();

  // Arrays the runtime owns the contents of (connectivity, ring depths): never set by the
  // caller and never reset.
  bool is_structural(uint32_t id) const { return structural_[id]; }

  const GenncModel& model_;
  double steps_per_ms_ = 0.0;  // 1 / dt when that is a whole number, else 0
  uint64_t seed_;
  std::string output_folder_;
  ThreadPool pool_;

  std::vector<Buffer> arrays_;
  std::vector<void*> pointers_;
  std::vector<uint64_t> lengths_;
  std::vector<bool> structural_;

  std::vector<Selection> pre_, post_;       // per projection
  std::vector<Connections> connections_;    // per projection, selection-local (for clones)
  std::vector<std::vector<uint32_t>> synapse_pre_, synapse_post_;  // per projection, by synapse
  std::vector<uint64_t> synapse_counts_;
  std::vector<uint32_t> ring_depths_;
  std::vector<std::vector<double>> positions_;
  std::vector<uint32_t> injection_counts_;

  uint64_t step_ = 0;
  Recorder recorder_;
  // PyNN reset: the resettable arrays as they were when the first run after creation or
  // reset began; empty buffers for arrays that are not reset.
  bool snapshot_valid_ = false;
  std::vector<Buffer> snapshot_;

  Timings timings_;
  std::vector<double> kernel_seconds_;
};

}  // namespace gennc::runtime
