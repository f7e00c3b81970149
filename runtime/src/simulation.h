// One simulation of a compiled model, as the C ABI (c_api.cpp) sees it: a network state
// (network_state.h) plus the engine that runs its steps (engine.h), chosen by the backend
// option. The Simulation keeps the two in step: the engine's copy of the arrays is brought
// up to date before steps run, and the state's before anything reads or writes it
// (arrays by name, checkpoints, reset, faults).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/host_kernels.h"
#include "engine.h"
#include "network_state.h"
#include "results.h"
#include "status.h"
#include "thread_pool.h"

namespace gennc::runtime {
namespace mpi {
class RankEngine;
}

struct SimulationOptions {
  unsigned threads = 1;
  uint64_t seed = 0;
  std::string output_folder = "results";
  std::string backend = "cpu";  // "cpu", "cuda" (fails without a GPU) or "auto" (the GPU when usable)
  // FROM_HOST projections' synapses (GenncOptions.connections), borrowed for create() only.
  const GenncConnections* connections = nullptr;
  uint32_t connection_count = 0;
};

class Simulation {
 public:
  // Checks the model, picks the engine, builds and initialises the network, runs the init
  // schedule. The model must outlive the simulation. Under mpirun the engine is one rank's
  // (mpi/rank_engine.h), on the CPU.
  static Status create(const GenncModel& model, const SimulationOptions& options,
                       std::unique_ptr<Simulation>* out);
  ~Simulation();
  // Collective, once every rank's create() succeeded (gennc_create agrees on it): the
  // ranks settle what their shares of the synapses must agree on (mpi::RankEngine::settle).
  Status settle();

  // The state, for what reads it as it is: the model, step and time, the recordings,
  // positions, array table. Its arrays' values may be behind the engine's; read them
  // through get_array.
  const NetworkState& state() const { return state_; }
  // The recordings (cleared by gennc_clear_recordings); engines keep them on the host.
  Recorder& recorder() { return state_.recorder(); }

  Status run(uint64_t steps);

  unsigned threads() const { return pool_.size(); }
  const std::string& output_folder() const { return output_folder_; }
  const Timings& timings() const { return timings_; }
  // Engine::name(): "cpu", or "cuda (NVIDIA H100 80GB HBM3 (sm_90))".
  std::string backend() const { return engine_->name(); }

  // Over MPI ranks, collective; an array of the synapses each rank holds a share of is
  // gathered whole first (whole_synapses).
  Status get_array(const std::string& name, void* out, uint64_t count);
  Status get_array_f64(const std::string& name, double* out, uint64_t count);
  // A parameter's derived values follow it (the init schedule, run on the host).
  Status set_array(const std::string& name, const void* values, uint64_t count);
  Status set_array_f64(const std::string& name, const double* values, uint64_t count);

  // Profiling (sim --profile) from the next run on: on the CPU, the time of each kernel of
  // the step schedule; on the GPU, of each stage launch and of the runtime's own kernels
  // (the steps then run one by one, without a captured graph).
  void set_profiling(bool on);
  std::vector<ProfileRow> profile() const { return engine_->profile(); }
  // gennc_set_recording_budget; 0 restores the default.
  void set_recording_budget(uint64_t bytes) { state_.set_recording_budget(bytes); }

  Status set_step(uint64_t step) { return state_.set_step(step); }
  Status reset();
  Status save_checkpoint(const std::string& path);
  Status load_checkpoint(const std::string& path);
  Status write_results(const std::string& folder);
  Status check_results_folder(const std::string& folder) const;
  // Each rank's synapses, their bytes and its peak memory, as the last write_results
  // gathered them (one entry alone; empty before).
  const std::vector<ProcessMemory>& rank_memory() const { return rank_memory_; }

 private:
  Simulation(const GenncModel& model, const SimulationOptions& options);

  // Which copy of the arrays holds the current values: the state's (host), the engine's,
  // or both. The CPU engine works on the state's arrays, so for it copying is free.
  enum class Fresh { Both, Host, Engine };
  Status host_view() const;  // the state's arrays current (copied back if only the engine's were)
  Status host_edit();        // as host_view, and the engine's copy is stale afterwards
  // After the state's arrays were replaced whole (a checkpoint, whose synapse counts may
  // differ): the host's kernel tables are taken afresh and the GPU's copy is made anew.
  Status replace_engine_copy();
  // The earliest fault a population's update kernel recorded (GENNC_ARRAY_FAULT), as a
  // GENNC_ERROR_NUMERICAL status; ok when none did (faults.cpp).
  Status check_faults();
  // The engine's values in the host's arrays (host_view) and, collective over MPI ranks
  // that hold shares of the synapses, the whole network's synapses on every rank
  // (mpi/gather_synapses.h), until the next run takes the share.
  Status whole_synapses();
  // Whether array `name` is one of a projection whose synapses the ranks hold shares of.
  bool reads_synapses(const std::string& name) const;
  // Collective: every rank's ProcessMemory.
  std::vector<ProcessMemory> gather_memory() const;

  ThreadPool pool_;
  NetworkState state_;
  // The init schedule runs on the host whatever the engine; the CPU engine's steps too.
  cpu::HostKernels host_;
  std::unique_ptr<Engine> engine_;
  mpi::RankEngine* ranks_ = nullptr;  // engine_, where it is a CPU rank's
  bool on_gpu_ = false;
  // The GPU runs as one rank of a distributed run (mpi/gpu_rank_engine.h), with these
  // shares of the work: over several ranks, or alone where GENNC_EXCHANGE=nccl.
  bool gpu_ranks_ = false;
  std::vector<double> shares_;
  mutable Fresh fresh_ = Fresh::Both;
  std::string output_folder_;
  Timings timings_;
  bool profiling_ = false;
  std::vector<ProcessMemory> rank_memory_;
};

}  // namespace gennc::runtime
