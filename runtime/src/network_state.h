// The network state of one simulation: the compiled model it follows, its arrays (state,
// parameters, connectivity, rings), positions, recordings, the step counter and the reset
// snapshot. It knows nothing of how steps run: an engine (engine.h) advances it, and
// checkpoints and results are made from it alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "arrays.h"
#include "connect.h"
#include "gennc/model_abi.h"
#include "gennc/runtime.h"
#include "recorder.h"
#include "selection.h"
#include "status.h"
#include "thread_pool.h"

namespace gennc::runtime {

// What an engine builds on its own device when it sets the network up (cuda/device_init.h):
// for these the host computes only sizes (synapse counts, ring depths) and allocates its
// copies, which become valid when the engine first copies the arrays back.
class DeviceBuilder {
 public:
  virtual ~DeviceBuilder() = default;
  // Whether projection p's columns are generated on the device (then nothing else clones it).
  virtual bool connects(uint32_t projection) const = 0;
  // The synapse count of each row of such a projection, or of a procedural, dense or
  // diagonal one (no columns anywhere), by pre selection position.
  virtual Status row_lengths(uint32_t projection, std::vector<uint32_t>* lengths) = 0;
  // Whether array a's initial values are drawn on the device (no LIST, no SYNAPSE_KERNEL).
  virtual bool initialises(uint32_t array) const = 0;
  // For a delay array the device initialises, with `length` synapses: the longest delay
  // in steps, and whether any is below one step. `row_pointer` (the owning projection's,
  // pre population size + 1 entries, borrowed for the call) lets a device that draws
  // delays by each synapse's pair generate the columns those draws read.
  virtual Status longest_delay(uint32_t array, const uint32_t* row_pointer, uint64_t length, uint64_t* longest,
                               bool* below_one) = 0;
};

class NetworkState {
 public:
  // Holds nothing until build(). The model must outlive the state.
  NetworkState(const GenncModel& model, uint64_t seed);

  // ---- Building: check_model.cpp, build_network.cpp, plan_host_memory.cpp ----------
  Status check_model() const;
  // Matches the caller's connections to the model's FROM_HOST projections; they are
  // borrowed until forget_host_connections().
  Status match_host_connections(const GenncConnections* connections, uint32_t count);
  void forget_host_connections() { host_for_ = {}; }
  // Refuses a network whose build on the host would not fit the memory left.
  Status plan_host_memory() const;
  // Allocates and initialises every array and builds connectivity with `pool`'s threads;
  // with `device`, everything the device does not build. The init schedule (derived
  // values) is left to the caller, who runs kernels.
  Status build(ThreadPool& pool, DeviceBuilder* device = nullptr);
  // Whether build() began (a failed device set-up leaves a partial network behind).
  bool build_began() const { return !arrays_.empty(); }
  // The synapses projection p's connector makes, exact or expected where the model says,
  // 0 where only building tells (files, distance rules): for plans made before building.
  double expected_synapse_count(uint32_t p) const;

  // ---- A share of the synapses: hold_share.cpp (docs/distributed.md) -----------------
  // Before build(): of every projection it splits (splits()), the state builds and holds
  // only the synapses whose post neuron lies in `posts[population]`, [first, second);
  // every other array is whole. A rank of a distributed run holds its share so.
  void hold_posts(std::vector<std::pair<uint32_t, uint32_t>> posts) { posts_ = std::move(posts); }
  const std::pair<uint32_t, uint32_t>& posts(uint32_t population) const { return posts_[population]; }
  // Whether projection p is held as a share: hold_posts was given, p stores its rows
  // (columns per synapse) and no kernel draws by synapse index (draws_by_synapse).
  bool splits(uint32_t p) const;
  // Whether the projections it splits hold only the share now: after build(), and after
  // take_share(); not after whole arrays replaced them (a checkpoint, a gather).
  bool holds_share() const { return holds_share_; }
  // Keeps, of the whole arrays of every projection it splits (the reset snapshot's too),
  // only the share; the whole synapse counts are kept as the totals.
  void take_share();
  // After whole arrays replaced the share of projection p (mpi/gather_synapses.cpp): its
  // synapse count, and the column access rebuilt from its columns. Then set_holds_share(false).
  void set_whole_count(uint32_t p, uint64_t count);
  void set_holds_share(bool share) { holds_share_ = share; }
  // The synapses of projection p in the whole network: the share's count summed over the
  // processes (set_total_synapse_counts), else synapse_count(p).
  uint64_t total_synapse_count(uint32_t p) const {
    return holds_share_ && splits(p) ? totals_[p] : synapse_counts_[p];
  }
  void set_total_synapse_counts(std::vector<uint64_t> totals) { totals_ = std::move(totals); }
  // Deepens each population's rings to at least `depths` (the processes agree on the
  // deepest, since each sizes them from the delays of its own share), before any step.
  Status deepen_rings(ThreadPool& pool, const std::vector<uint32_t>& depths);
  uint32_t ring_depth(uint32_t population) const { return ring_depths_[population]; }
  // The reset snapshot's copy of array a, or null where it holds none (no snapshot, or an
  // array a reset does not restore: the same on every process).
  Buffer* reset_value(uint32_t a) {
    const uint32_t flags = model_.arrays[a].flags;
    if (!snapshot_valid_ || is_structural(a) || (flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED))) return nullptr;
    return &snapshot_[a];
  }

  // ---- What it holds ------------------------------------------------------------------
  const GenncModel& model() const { return model_; }
  uint64_t seed() const { return seed_; }
  uint64_t step() const { return step_; }
  double time() const { return time_at(step_); }
  // The time of a step boundary: steps / (1 / dt) when 1 / dt is a whole number (0.1 ms:
  // step 1278 is 127.8, the double nearest the decimal, not 1278 x 0.1 = 127.80000000000001),
  // else steps x dt.
  double time_at(uint64_t steps) const {
    return steps_per_ms_ > 0 ? static_cast<double>(steps) / steps_per_ms_ : static_cast<double>(steps) * model_.dt;
  }
  // 1 / dt when that is a whole number, else 0 (engines advance time as time_at does).
  double steps_per_ms() const { return steps_per_ms_; }

  // The array called `name`, or -1.
  int64_t find_array(const std::string& name) const;
  const Buffer& array(uint32_t id) const { return arrays_[id]; }
  Buffer& array(uint32_t id) { return arrays_[id]; }
  const std::vector<Buffer>& arrays() const { return arrays_; }
  // Arrays the runtime owns the contents of (connectivity, ring depths): never set by the
  // caller and never reset.
  bool is_structural(uint32_t id) const { return structural_[id]; }

  const std::vector<double>& positions(uint32_t population) const { return positions_[population]; }
  const Selection& pre(uint32_t projection) const { return pre_[projection]; }
  // GenncKernelEnv::post_ranges of a process that delivers to the neurons
  // [neurons[q].first, neurons[q].second) of each population q: per projection, the span
  // of its post selection's positions there.
  std::vector<uint32_t> post_ranges(const std::vector<std::pair<uint32_t, uint32_t>>& neurons) const;
  uint64_t synapse_count(uint32_t projection) const { return synapse_counts_[projection]; }
  // The elements `kernel` runs over now (neurons, a step's spikes, synapses, ...).
  uint64_t kernel_range(const GenncKernelInfo& kernel) const;

  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }

  // ---- Arrays by name (the host's copy: the caller makes it current) ----------------
  Status get_array(const std::string& name, void* out, uint64_t count) const;
  Status get_array_f64(const std::string& name, double* out, uint64_t count) const;
  // Checks and stores the values; derived values are not recomputed here.
  Status set_array_f64(const std::string& name, const double* values, uint64_t count);
  // `count` values in the dtype of the array called `name`, read as doubles.
  Status read_as_f64(const std::string& name, const void* values, uint64_t count, std::vector<double>* out) const;

  // ---- Steps --------------------------------------------------------------------------
  // An engine ran `steps` more steps.
  void advance(uint64_t steps) { step_ += steps; }
  // gennc_set_step: the next step computed is `step`; arrays and the snapshot stay.
  Status set_step(uint64_t step);

  // PyNN reset: the resettable arrays as they were when the first run after creation or
  // reset began (taken by the first run that finds none, whatever its step).
  bool has_snapshot() const { return snapshot_valid_; }
  void take_snapshot();
  // Faults in, on every thread of `pool`, the host pages of the arrays the device filled,
  // which nothing on the host has touched: before the first download into them, which
  // would take their faults one at a time (the microcircuit's 3.6 GB took 2.2-2.5 s so on
  // an H100's host: bench/results/gpu_init_2026-12-07.md). Their values are kept.
  void touch_pages(ThreadPool& pool);
  // The same arrays, each read by `read` into a buffer of its type and length (an engine's
  // copy, read without copying the rest back first).
  Status take_snapshot(const std::function<Status(uint32_t array, Buffer& into)>& read);
  // The snapshot's values restored, the step back to 0, the recordings cleared; the next
  // run takes a fresh snapshot, so values set between reset and run are kept.
  void reset();

  // Bytes the recordings may hold; 0 restores the default.
  void set_recording_budget(uint64_t bytes) { recording_budget_ = bytes != 0 ? bytes : default_recording_budget_; }
  void set_default_recording_budget(uint64_t bytes) { recording_budget_ = default_recording_budget_ = bytes; }
  Status within_recording_budget() const;

  // The fault reports' step scalars (GENNC_ARRAY_FAULT), by population order, and whether
  // any of them holds a report (faults.cpp reads which).
  const std::vector<uint32_t>& fault_steps() const { return fault_steps_; }
  bool fault_reported() const;

  // ---- Checkpoints: checkpoint.cpp ---------------------------------------------------
  Status save_checkpoint(const std::string& path) const;
  // Replaces the arrays whole (synapse counts may differ), the seed, step and snapshot.
  Status load_checkpoint(const std::string& path);

 private:
  Status check_host_columns(const GenncProjectionInfo& proj, const GenncConnections& c, const std::string& what) const;
  Status build_projection(ThreadPool& pool, uint32_t p, std::vector<int>* state, DeviceBuilder* device);
  Status store_row_pointers(uint32_t p, std::vector<uint64_t>* row_start);
  Status count_generated_rows(ThreadPool& pool, uint32_t p, DeviceBuilder* device);
  // The synapse count of each row of procedural, dense or diagonal projection p, drawn with
  // `seed`, at [pre neuron + 1] of row_start (pre population size + 1 entries): counted by
  // `device` where given, else on `pool`'s threads where given, else on this thread.
  Status generated_row_lengths(uint32_t p, uint64_t seed, std::vector<uint64_t>* row_start,
                               ThreadPool* pool = nullptr, DeviceBuilder* device = nullptr) const;
  Status fill_synapse_arrays(ThreadPool& pool, uint32_t p, DeviceBuilder* device);
  // Column pointers and column synapse ids of projection p from its columns, where it has them.
  void index_columns(uint32_t p);
  // Allocates and initialises the ring arrays of population q at its ring depth.
  Status allocate_rings(ThreadPool& pool, uint32_t q, DeviceBuilder* device);
  Status build_rings(ThreadPool& pool, DeviceBuilder* device);
  // Before a checkpoint's `arrays` (and reset `snapshot`, if it has one), written with
  // `seed`, replace ours: what is wrong with their structure, or "" (check_structure.cpp).
  std::string structure_problem(const std::vector<Buffer>& arrays, const std::vector<Buffer>* snapshot,
                                uint64_t seed) const;
  std::string ring_problem(const std::vector<Buffer>& arrays) const;
  void recompute_sizes();

  const GenncModel& model_;
  double steps_per_ms_ = 0.0;
  uint64_t seed_;

  std::vector<Buffer> arrays_;
  std::vector<bool> structural_;

  std::vector<Selection> pre_, post_;       // per projection
  // During creation only: each FROM_HOST projection's entry of GenncOptions.connections
  // (borrowed from the caller), null for the others; empty afterwards.
  std::vector<const GenncConnections*> host_for_;
  std::vector<Connections> connections_;    // per projection, selection-local (for clones)
  std::vector<std::vector<uint32_t>> synapse_pre_, synapse_post_;  // per projection, by synapse
  std::vector<uint64_t> synapse_counts_;
  std::vector<std::pair<uint32_t, uint32_t>> posts_;  // per population: the post neurons held (hold_posts)
  bool holds_share_ = false;
  std::vector<uint64_t> totals_;                    // per projection: whole synapse counts of a share
  std::vector<uint32_t> ring_depths_;
  std::vector<std::vector<double>> positions_;
  std::vector<uint32_t> injection_counts_;
  std::vector<uint32_t> fault_steps_;
  std::vector<uint32_t> untouched_;  // arrays the device fills, whose host pages are untouched (touch_pages)

  uint64_t step_ = 0;
  Recorder recorder_;
  uint64_t recording_budget_ = 0;  // bytes the recordings may hold
  uint64_t default_recording_budget_ = 0;
  // Empty buffers for arrays that are not reset.
  bool snapshot_valid_ = false;
  std::vector<Buffer> snapshot_;
};

}  // namespace gennc::runtime
