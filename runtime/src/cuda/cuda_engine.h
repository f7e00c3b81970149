// The CUDA engine: runs a network state's steps on an NVIDIA GPU through the driver API.
//
// The host side builds everything first (arrays, initial values, connectivity, ring
// depths, the init schedule: the same code as the CPU back end, so the same seed gives the
// same network by construction); the engine then copies every array to the device, loads
// the model's embedded PTX, and runs steps in batches: a batch of B steps (the spike counts
// zeroed once, then every step: one launch per stage of the model's step stages, and one
// that records spikes and samples, advances step and time and zeroes the counts for the
// next step) is captured once into a CUDA graph and replayed. The recording buffers are
// doubled: batches alternate between two sets, and the host copies one batch's recordings
// into the state's Recorder while the next batch runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../engine.h"
#include "../network_state.h"
#include "../status.h"
#include "../thread_pool.h"
#include "driver_api.h"

namespace gennc::runtime::cuda {

class DeviceInit;

// Copies of the spike arrays that folded steps keep: step s uses copy s % kSpikeCopies, and
// zeroes the counts of copy (s + 1) % kSpikeCopies for the next step, which neither step s
// nor the last stage of step s - 1 (overlapped with step s's first) touches.
constexpr unsigned kSpikeCopies = 3;

// How one GPU rank of a distributed run (mpi/gpu_rank_engine.h) shapes the engine's step:
// its neuron kernels run over the rank's neurons only, and after each stage the
// populations it updated exchange their spikes with the other ranks, on the engine's stream.
class StepPartition {
 public:
  virtual ~StepPartition() = default;
  // The neurons [begin, end) of `population` that its neuron kernels update and procedural
  // rows deliver to (GenncKernelEnv::post_ranges).
  virtual std::pair<uint32_t, uint32_t> neurons(uint32_t population) const = 0;
  // Enqueues on `stream`, after the launch of `stage`, whatever the exchange needs there;
  // called while a batch is captured into a graph and while steps are profiled.
  virtual Status exchange_after(uint32_t stage, CUstream stream) = 0;
};

// Where an engine runs: the device, and the step's partition when it is one GPU rank.
struct Placement {
  uint32_t local_rank = 0;  // the device: this number modulo the devices the driver shows
  StepPartition* partition = nullptr;  // must outlive the engine
};

class Engine final : public runtime::Engine {
 public:
  // Build: the engine builds `state`'s network, the device drawing initial values and row
  // connectivity (device_init.h) and the host the rest, with `pool`'s threads. Upload:
  // `state` is built; every array is copied up.
  enum class Setup { Build, Upload };

  // Sets up `state`'s model on the placement's GPU (GPU 0 of one process): needs
  // libcuda.so.1, a device and PTX in the model; the failure (GENNC_ERROR_BACKEND) names
  // what is missing. Also fails, before allocating, when the arrays and recording buffers
  // would not fit in the device's free memory. `state` must outlive the engine. After
  // Build, the device's arrays are the current ones: the host's copies are valid once
  // download() copied them back.
  static Status create(NetworkState& state, ThreadPool& pool, Setup setup, std::unique_ptr<Engine>* out,
                       const Placement& placement = {});
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // "cuda (NVIDIA H100 80GB HBM3 (sm_90), model: SASS sm_90, runtime: PTX (JIT))": the
  // device and which form of the model's and the runtime's step kernels it loaded
  // (load_module.h), and how steps are launched where persistent: ", persistent steps over
  // 396 blocks", with ", stages overlapped" where they overlap.
  std::string name() const override {
    return "cuda (" + device_ + ", model: " + model_code_ + ", runtime: " + step_code_ +
           (persistent_blocks_ != 0 ? ", persistent steps over " + std::to_string(persistent_blocks_) + " blocks" : "") +
           (persistent_blocks_ != 0 && overlap_ != 0 ? ", stages overlapped" : "") + ")";
  }

  // Host arrays -> device and device -> host, all of them (connectivity too, which kernels
  // never write: the tests compare what the device holds).
  Status upload() override;
  Status download() override;
  // One array's device copy -> `out` (`bytes` of it), waiting for the steps queued before.
  Status read_array(uint32_t array, void* out, size_t bytes) override;

  // Runs `steps` steps from the state's current step and records them into its Recorder.
  // The device arrays must be current (upload()).
  Status run(uint64_t steps) override;

  // With profiling on, run() launches steps one by one (no graph) between CUDA events and
  // accumulates each launch's time: per stage, the per-batch zeroing and the per-step finish.
  void set_profiling(bool on) override { profiling_ = on; }
  std::vector<std::pair<std::string, double>> init_parts() const override { return init_parts_; }
  std::vector<std::pair<std::string, double>> run_parts() const override;
  std::vector<ProfileRow> profile() const override;

  // For a rank's spike exchange, which works on the engine's device copy.
  const DriverApi& driver() const { return api_; }
  // The device's compute capability, which picks the machine code to load (load_module.h).
  int major() const { return major_; }
  int minor() const { return minor_; }
  CUdeviceptr device_array(uint32_t array) const { return arrays_[array]; }

 private:
  struct LaunchTime {
    std::string name;     // "stage 0", "finish step", ...
    std::string members;  // the stage's kernels, shortened
    double seconds = 0.0; // total over the profiled steps
  };
  struct SpikeRecording {
    uint32_t recording;  // index into the Recorder's recordings
    uint32_t population;
    uint32_t words;      // 32-bit words per step: bits, a count per neuron (multiplicity), or
                         // a precise population's entries: their number, then their neurons
    bool counts = false; // the population's spikes have multiplicities: a count per neuron
    bool precise = false; // the population keeps exact spike times: `times` holds them
    CUdeviceptr bits[2] = {};   // per recording set
    // Where its rows lie in each set's host copy (RecordingSet::rows), in words: one copy
    // per recording, also where folded steps' recordings share a device buffer, as taking a
    // row (take_spike_row) zeroes it.
    uint64_t host_offset = 0;
    CUdeviceptr times[2] = {};  // precise: words - 1 times (f64) per step, per recording set
  };
  struct VariableRecording {
    uint32_t recording;
    uint32_t array;
    uint32_t count;      // selected neurons
    uint64_t interval;
    uint32_t bytes;      // element size
    CUdeviceptr indices = 0;
    CUdeviceptr samples[2] = {};  // per recording set
  };
  // One of the two sets a batch records into: gennc_finish_step's tables point at the
  // set's buffers, and `base` holds the batch's first step, so a batch launched into one
  // set never touches what the host still reads or writes of the other.
  struct RecordingSet {
    CUdeviceptr spike_table = 0, sample_table = 0, base = 0;
    // Folded steps: each step's GenncKernelEnv (written before each batch), and row 0 of
    // each population's spike recording in this set (0: not recorded), which they share.
    CUdeviceptr envs = 0, spike_rows = 0;
    CUdeviceptr templates = 0;  // kSpikeCopies GenncKernelEnv: a step's by step % kSpikeCopies
    uint64_t first = 0;       // the batch's first step (*base)
    uint64_t steps = 0;       // the batch launched into the set and not yet collected; 0: none
    CUevent done = nullptr;   // recorded after the batch's graph
    // The batch's spike rows on the host: copied back on copy_stream_ behind `done`, so
    // while the device runs the next batch; `copied` is recorded after them. Page-locked
    // where the driver gives it (rows_pinned), else pageable_rows.
    CUevent copied = nullptr;
    uint32_t* rows = nullptr;
    bool rows_pinned = false;
    std::vector<uint32_t> pageable_rows;
    // By steps and, for folded steps that sample, the first step's phase (sample_period_).
    std::map<std::pair<uint64_t, uint64_t>, CUgraphExec> graphs;
  };
  struct Stage {
    CUfunction function = nullptr;
    CUdeviceptr members = 0;  // GenncStageMember table
    uint32_t count = 0;       // members with work (none: the stage is not launched)
    unsigned blocks = 0;
    uint64_t fixed_units = 0;  // units of the members whose range no spike count clips
  };

  Engine(NetworkState& state, ThreadPool& pool, const DriverApi& api, const Placement& placement)
      : state_(state), pool_(pool), api_(api), placement_(placement) {}
  Status check(CUresult result, const char* what) const;
  Status set_up_on_device(DeviceInit& init);  // device_init.cpp
  Status open_device();
  Status load_modules();
  std::string largest_projections() const;
  Status plan_memory();
  Status allocate();
  // `init` (may be null): what the device built, whose host copies are not read.
  Status plan_launches(const DeviceInit* init);
  // The persistent step (docs/gpu.md, "One launch per batch"), where steps are folded, the
  // device launches cooperatively and GENNC_GPU_STEPS (sim --gpu-steps) asks for it or,
  // by default, where every stage's fixed work fits one block per multiprocessor: its grid.
  Status plan_persistent_steps(const DeviceInit* init);
  // Whether the persistent step may overlap the last stage of a step with the first of the
  // next (GenncModel.stage_overlap) for the delays the network stores: none of a last-stage
  // delivery's is 1 step, or 1 step longer than a source fused into the same ring. Delays
  // drawn on the device (`init`) are not read back: those networks keep the strict order.
  bool delays_allow_overlap(const DeviceInit* init) const;
  Status capture(unsigned set, uint64_t steps, uint64_t first, CUgraphExec* out);
  Status enqueue_batch_start(unsigned set, uint64_t steps);
  // Step k of a batch of `steps` into `set`; with `events` (profiling), events[i] is
  // recorded after launch i (stages that run, then the finish), events[0] before the first.
  // `first` (the step after which the batch begins) decides which folded steps sample.
  Status enqueue_step(unsigned set, uint64_t k, uint64_t steps, uint64_t first, const std::vector<CUevent>* events);
  // The launch after step k's stages: the classic finish (record, advance, zero counts) or
  // a folded step's sampling.
  Status enqueue_finish(unsigned set, uint64_t k, uint64_t steps);
  // Steps k .. k + n - 1 of the batch in `set` as one launch of the persistent step.
  Status enqueue_persistent_steps(unsigned set, uint64_t k, uint64_t n);
  // Whether a folded step launches the sampling after step `s` (1-based count of steps):
  // when a sampled recording's interval divides s, or with no sample_period_ after every
  // step (the kernel then finds which recordings sample).
  bool launches_sampling(uint64_t s) const {
    for (const VariableRecording& v : variable_recordings_)
      if (v.count != 0 && (sample_period_ == 0 || s % v.interval == 0)) return true;
    return false;
  }
  // The phase of a batch beginning after step `first`, by which its graph is kept.
  uint64_t phase(uint64_t first) const { return folded_ && sample_period_ != 0 ? first % sample_period_ : 0; }
  // Launches a batch of `steps` after step `first` into `set`, which must be free: its
  // captured graph, or with the persistent step one launch per run of steps up to one
  // that samples (each sampling launch after it).
  Status launch_batch(unsigned set, uint64_t first, uint64_t steps);
  // Queues the copy of `steps` spike rows of `set` to its host rows on copy_stream_,
  // behind the set's `done` event, and records `copied` after it.
  Status copy_rows_back(unsigned set, uint64_t steps);
  // Waits for the batch in `set`, collects it and advances the state's step count.
  Status finish_batch(unsigned set);
  Status launch(CUfunction function, unsigned blocks, void** params);
  // Folded steps: each set's step templates, one per copy of the spike arrays
  // (gennc_fill_envs), from the state's dt and seed.
  Status write_templates();
  // Every population's spike count, list, multiplicity and time arrays that have storage
  // (those folded steps keep kSpikeCopies times).
  std::vector<uint32_t> spike_arrays() const;
  // Variable recordings with elements to sample.
  uint32_t sampled_recordings() const {
    uint32_t n = 0;
    for (const VariableRecording& v : variable_recordings_) n += v.count != 0 ? 1 : 0;
    return n;
  }
  // The device copy of `array` that holds the latest step's values: an array kept per step
  // (copies_) has step s's values in copy s % kSpikeCopies (copy 0 is arrays_).
  CUdeviceptr current(uint32_t array) const {
    return last_copy_ != 0 && copies_[last_copy_ - 1][array] != 0 ? copies_[last_copy_ - 1][array] : arrays_[array];
  }
  Status run_profiled(uint64_t steps);
  // Takes a batch's spike rows (copied back: `copied` has completed) and samples from
  // `set` into the Recorder (steps first_step + 1 ..).
  Status collect(unsigned set, uint64_t first_step, uint64_t steps);
  unsigned blocks_for(uint64_t elements) const;

  NetworkState& state_;
  ThreadPool& pool_;  // touches the host's pages before the first download (touch_pages); decodes spike rows
  const DriverApi& api_;
  const Placement placement_;
  std::string device_;
  int major_ = 0, minor_ = 0;  // compute capability
  std::string model_code_, step_code_;  // which form of the modules was loaded (load_module.h)
  CUdevice ordinal_ = 0;
  CUcontext context_ = nullptr;
  bool retained_ = false;
  CUstream stream_ = nullptr;
  CUmodule model_module_ = nullptr;
  CUmodule step_module_ = nullptr;
  CUfunction zero_counts_ = nullptr, finish_ = nullptr, fill_envs_ = nullptr;
  int multiprocessors_ = 1;
  // The persistent step: gennc_steps over persistent_blocks_ blocks (0: steps are graphs
  // of stage launches), and the counter of its grid-wide barriers, zeroed before each launch.
  CUfunction persistent_ = nullptr;
  unsigned persistent_blocks_ = 0;
  uint32_t overlap_ = 0;  // 1: it overlaps the last stage of each step with the next's first
  CUdeviceptr barrier_ = 0;

  std::vector<CUdeviceptr> arrays_;  // per model array (0 when empty)
  CUdeviceptr pointer_table_ = 0, length_table_ = 0, env_ = 0, count_table_ = 0;
  // The step without a finish launch (docs/gpu.md): every population's spike count, list,
  // multiplicities and times kept kSpikeCopies times, step s using copy s % kSpikeCopies:
  // copy 0 is arrays_, copy c > 0 is copies_[c - 1] (0 for other arrays), so that a step's
  // stages zero the counts of the next while the step before's last stage may still read
  // its own (overlapped steps). Copy c's pointer table is pointer_tables_[c];
  // count_table_ lists copy 0's counts, then copy 1's, then copy 2's.
  bool folded_ = false;
  std::vector<CUdeviceptr> copies_[kSpikeCopies - 1];
  CUdeviceptr pointer_tables_[kSpikeCopies] = {};
  CUdeviceptr sample_env_ = 0;   // the env a folded step's sampling launch advances (unread)
  // A GPU rank's GenncKernelEnv::post_ranges, written by each run (0: one process, null).
  CUdeviceptr post_ranges_ = 0;
  unsigned last_copy_ = 0;       // of the last step queued (which copy current() gives)
  // The least common multiple of the sampled recordings' intervals (steps), after which
  // the steps that sample repeat, where at most kMaxBatch (0 otherwise: every step's
  // sampling is launched, and a graph serves every phase).
  uint64_t sample_period_ = 0;
  CUdeviceptr done_ = 0;  // gennc_finish_step's block counter (batches run one after another)
  unsigned finish_blocks_ = 1, finish_rows_ = 1;  // gennc_finish_step's grid (x, y)
  std::vector<CUdeviceptr> allocations_;
  std::vector<Stage> stages_;        // per stage of the model
  std::vector<SpikeRecording> spike_recordings_;
  std::vector<VariableRecording> variable_recordings_;
  uint64_t batch_ = 1;               // steps per captured graph
  RecordingSet sets_[2];
  CUstream copy_stream_ = nullptr;   // the spike rows' copies back (RecordingSet::rows)
  std::size_t collect_row_ = 0;  // the profile's row for collect(), the host's part
  std::vector<double> host_times_;
  std::vector<unsigned char> host_samples_;

  std::vector<std::pair<std::string, double>> init_parts_;  // create()'s phases
  // Where the host's time in run() went, over every run (run_parts): launching batches
  // (graph captures included), waiting for the device, waiting for the spike rows' copy,
  // taking the recordings.
  double launching_ = 0.0, waiting_ = 0.0, copying_ = 0.0, collecting_ = 0.0;
  uint64_t batches_ = 0;  // batches collected outside --profile
  bool profiling_ = false;
  std::vector<LaunchTime> profile_;  // per stage, then "zero counts" and "finish step"
  uint64_t profiled_steps_ = 0;
  std::vector<CUevent> events_;
};

}  // namespace gennc::runtime::cuda
