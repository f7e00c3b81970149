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

namespace cuda {
class Engine;
}

// What the GPU builds when the CUDA back end sets the network up (cuda/device_init.h):
// for these the host computes only sizes (synapse counts, ring depths) and allocates its
// copies, which become valid when the engine first copies the arrays back.
class DeviceBuilder {
 public:
  virtual ~DeviceBuilder() = default;
  // Whether projection p's columns are generated on the device (then nothing else clones it).
  virtual bool connects(uint32_t projection) const = 0;
  // The synapse count of each row of such a projection, by pre selection position.
  virtual Status row_lengths(uint32_t projection, std::vector<uint32_t>* lengths) = 0;
  // Whether array a's initial values are drawn on the device (no LIST, no SYNAPSE_KERNEL).
  virtual bool initialises(uint32_t array) const = 0;
  // For a delay array the device initialises, with `length` synapses: the longest delay
  // in steps, and whether any is below one step.
  virtual Status longest_delay(uint32_t array, uint64_t length, uint64_t* longest, bool* below_one) = 0;
};

struct SimulationOptions {
  unsigned threads = 1;
  uint64_t seed = 0;
  std::string output_folder = "results";
  std::string backend = "cpu";  // "cpu", "cuda" (fails without a GPU) or "auto" (the GPU when usable)
  // FROM_HOST projections' synapses (GenncOptions.connections), borrowed for create() only.
  const GenncConnections* connections = nullptr;
  uint32_t connection_count = 0;
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
  ~Simulation();

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
  // "cpu", or "cuda" and the device: "cuda (NVIDIA H100 80GB HBM3 (sm_90))".
  std::string backend() const;

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

  // Profiling (sim --profile) from the next run on: on the CPU, the time of each kernel of
  // the step schedule; on the GPU, of each stage launch and of the runtime's own kernels
  // (the steps then run one by one, without a captured graph).
  void set_profiling(bool on);
  // gennc_set_recording_budget; 0 restores the default.
  void set_recording_budget(uint64_t bytes);
  struct ProfileRow {
    std::string name;     // a kernel, or a GPU stage ("stage 0") or runtime kernel
    std::string members;  // a stage's kernels (shortened); empty for a kernel
    double seconds_per_step = 0.0;
  };
  // Mean time per profiled step, in order of execution; empty before a profiled run.
  std::vector<ProfileRow> profile() const;

  // gennc_set_step: the next step computed is `step`; arrays and the snapshot stay.
  Status set_step(uint64_t step);
  Status reset();
  Status save_checkpoint(const std::string& path) const;  // checkpoint.cpp
  Status load_checkpoint(const std::string& path);        // checkpoint.cpp
  Status write_results(const std::string& folder);        // results.cpp
  // Whether `folder` may receive this simulation's results (results_folder.h), changing
  // nothing but stale temporary folders; and the files the results will have.
  Status check_results_folder(const std::string& folder) const;  // results.cpp
  std::vector<std::string> result_files() const;                  // results.cpp

 private:
  Simulation(const GenncModel& model, const SimulationOptions& options);

  Status check_model() const;
  // Refuses a network whose CPU build would not fit the memory left (plan_host_memory.cpp).
  Status plan_host_memory() const;
  // Matches the host's connections to the model's FROM_HOST projections (host_for_).
  Status match_host_connections(const SimulationOptions& options);
  Status check_host_columns(const GenncProjectionInfo& proj, const GenncConnections& c, const std::string& what) const;
  // Builds everything on the host, or with `device`, everything it does not build.
  Status build(DeviceBuilder* device = nullptr);
  Status build_projection(uint32_t p, std::vector<int>* state, DeviceBuilder* device);
  Status store_row_pointers(uint32_t p, std::vector<uint64_t>* row_start);
  Status count_generated_rows(uint32_t p);
  // The synapse count of each row of procedural, dense or diagonal projection p, drawn with
  // `seed`, at [pre neuron + 1] of row_start (pre population size + 1 entries).
  Status generated_row_lengths(uint32_t p, uint64_t seed, std::vector<uint64_t>* row_start) const;
  Status fill_synapse_arrays(uint32_t p, DeviceBuilder* device);
  Status build_rings(DeviceBuilder* device);
  Status run_init_schedule();
  void refresh_pointers();
  // Before a checkpoint's `arrays` (and reset `snapshot`, if it has one), written with
  // `seed`, replace ours: what is wrong with their structure, or "" (check_structure.cpp).
  std::string structure_problem(const std::vector<Buffer>& arrays, const std::vector<Buffer>* snapshot,
                                uint64_t seed) const;
  std::string ring_problem(const std::vector<Buffer>& arrays) const;
  void recompute_sizes();

  // The earliest fault a population's update kernel recorded (GENNC_ARRAY_FAULT), as a
  // GENNC_ERROR_NUMERICAL status; ok when none did (faults.cpp).
  Status check_faults();
  std::vector<uint32_t> fault_steps_;  // the fault reports' step scalars, by population order

  uint64_t kernel_range(const GenncKernelInfo& kernel) const;
  void run_kernel(uint32_t id, const GenncKernelEnv& env);
  void take_snapshot();

  // With the CUDA back end (runtime/src/cuda), steps run on the device and the host arrays
  // are brought up to date only when something reads or writes them: which side holds the
  // current values.
  enum class Fresh { Both, Host, Device };
  Status host_view() const;  // host arrays current (copied back if only the device's were)
  Status host_edit();        // as host_view, and the device's copy is stale afterwards
  // After the host arrays were replaced whole (a checkpoint, whose synapse counts may
  // differ), the device copy is made afresh.
  Status replace_device_copy();
  friend class cuda::Engine;

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
  // During create() only: each FROM_HOST projection's entry of GenncOptions.connections
  // (borrowed from the caller), null for the others; empty afterwards.
  std::vector<const GenncConnections*> host_for_;
  std::vector<Connections> connections_;    // per projection, selection-local (for clones)
  std::vector<std::vector<uint32_t>> synapse_pre_, synapse_post_;  // per projection, by synapse
  std::vector<uint64_t> synapse_counts_;
  std::vector<uint32_t> ring_depths_;
  std::vector<std::vector<double>> positions_;
  std::vector<uint32_t> injection_counts_;

  uint64_t step_ = 0;
  Recorder recorder_;
  // PyNN reset: the resettable arrays as they were when the first run after creation or
  // reset began (taken by the first run that finds none, whatever its step); empty
  // buffers for arrays that are not reset.
  bool snapshot_valid_ = false;
  std::vector<Buffer> snapshot_;

  Timings timings_;
  std::vector<double> kernel_seconds_;
  bool profiling_ = false;
  uint64_t recording_budget_ = 0;  // bytes the recordings may hold
  uint64_t default_recording_budget_ = 0;
  Status within_recording_budget() const;
  std::vector<double> profile_seconds_;  // per kernel, over the profiled CPU steps
  uint64_t profiled_steps_ = 0;

  std::unique_ptr<cuda::Engine> gpu_;  // null: the CPU runs the steps
  mutable Fresh fresh_ = Fresh::Both;
};

}  // namespace gennc::runtime
