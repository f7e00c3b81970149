#include "simulation.h"

#include <chrono>
#include <cstdlib>

#include "cpu/cpu_engine.h"
#include "cuda/cuda_engine.h"
#include "gennc/random.h"
#include "memory.h"
#include "mpi/gather_synapses.h"
#include "mpi/gpu_rank_engine.h"
#include "mpi/rank_engine.h"
#include "mpi/world.h"

namespace gennc::runtime {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// How GPU ranks exchange spikes, from GENNC_EXCHANGE (sim --exchange): "auto" (or unset),
// NCCL where there are several ranks; "nccl", through the rank engine and NCCL even alone,
// so one process runs the distributed GPU path (docs/distributed.md).
Status exchange_forced(const std::string& backend, bool* nccl) {
  const char* text = std::getenv("GENNC_EXCHANGE");
  const std::string exchange = text ? text : "";
  *nccl = exchange == "nccl";
  if (!exchange.empty() && exchange != "auto" && exchange != "nccl")
    return argument_error("GENNC_EXCHANGE (sim --exchange) is '" + exchange + "'; expected auto or nccl");
  if (*nccl && backend != "cuda")
    return argument_error("the NCCL exchange (sim --exchange nccl, GENNC_EXCHANGE=nccl) runs on GPUs: it needs "
                          "--backend cuda");
  return ok();
}

}  // namespace

Simulation::Simulation(const GenncModel& model, const SimulationOptions& options)
    : pool_(options.threads),
      state_(model, options.seed),
      host_(state_, pool_),
      output_folder_(options.output_folder) {}

Status Simulation::create(const GenncModel& model, const SimulationOptions& options,
                          std::unique_ptr<Simulation>* out) {
  auto start = std::chrono::steady_clock::now();
  const mpi::World& world = mpi::World::get();
  GENNC_TRY(world.status());
  bool nccl = false;
  GENNC_TRY(exchange_forced(options.backend, &nccl));
  std::unique_ptr<Simulation> sim(new Simulation(model, options));
  if (!sim->pool_.error().empty()) return internal_error(sim->pool_.error());
  GENNC_TRY(sim->state_.check_model());
  GENNC_TRY(sim->state_.match_host_connections(options.connections, options.connection_count));
  if (world.distributed())
    for (uint32_t k = 0; k < model.kernel_count; ++k)
      if (model.kernels[k].kind == GENNC_KERNEL_SYNAPSE_CONTINUOUS)
        return model_error(std::string("kernel '") + model.kernels[k].name +
                           "' runs synapses continuously, which may read the state of neurons another rank updates: "
                           "such networks run in one process only");
  if (options.backend == "cuda" && (world.distributed() || nccl)) {
    // One rank per GPU; "auto" over several ranks stays on the CPU.
    sim->gpu_ranks_ = true;
    GENNC_TRY(mpi::partition_shares(world.size(), &sim->shares_));
    std::unique_ptr<mpi::GpuRankEngine> gpu;
    GENNC_TRY(mpi::GpuRankEngine::create(sim->state_, sim->pool_, cuda::Engine::Setup::Build, world, sim->shares_,
                                         &gpu));
    sim->engine_ = std::move(gpu);
    sim->on_gpu_ = true;
    sim->fresh_ = Fresh::Engine;
  } else if (options.backend != "cpu" && !world.distributed()) {
    // "auto" takes the GPU when the driver, a device and the model's PTX are all there.
    // The engine builds the network, with the device drawing what it can (device_init.h).
    std::unique_ptr<cuda::Engine> gpu;
    Status made = cuda::Engine::create(sim->state_, sim->pool_, cuda::Engine::Setup::Build, &gpu);
    if (!made.ok() && options.backend == "cuda") return made;
    if (made.ok()) {
      sim->engine_ = std::move(gpu);
      sim->on_gpu_ = true;
      sim->fresh_ = Fresh::Engine;
    } else if (sim->state_.build_began()) {
      // A set-up that failed after building part of the network leaves the host copies
      // incomplete: the CPU starts afresh.
      sim.reset(new Simulation(model, options));
      if (!sim->pool_.error().empty()) return internal_error(sim->pool_.error());
      GENNC_TRY(sim->state_.match_host_connections(options.connections, options.connection_count));
    }
  }
  // Recordings may take a quarter of what is left once the network is built.
  sim->state_.set_default_recording_budget(available_memory().bytes / 4);
  if (!sim->engine_) {
    // The ranks' shares of the work, checked before the build; each rank builds only the
    // synapses onto the neurons it updates (docs/distributed.md).
    mpi::Partition ranges;
    if (world.distributed()) {
      GENNC_TRY(mpi::partition_shares(world.size(), &sim->shares_));
      ranges = mpi::partition_network(sim->state_, sim->shares_);
      std::vector<std::pair<uint32_t, uint32_t>> posts;
      for (const auto& population : ranges) posts.push_back(population[world.rank()]);
      sim->state_.hold_posts(std::move(posts));
    }
    auto phase = std::chrono::steady_clock::now();
    GENNC_TRY(sim->state_.plan_host_memory());
    GENNC_TRY(sim->state_.build(sim->pool_));
    sim->timings_.init_parts.emplace_back("network build", seconds_since(phase));
    phase = std::chrono::steady_clock::now();
    sim->host_.refresh();
    sim->host_.run_init_schedule();  // the GPU's set-up ran it on the device
    sim->timings_.init_parts.emplace_back("init schedule", seconds_since(phase));
    if (world.distributed()) {
      auto ranks = std::make_unique<mpi::RankEngine>(sim->state_, sim->host_, sim->pool_, world, std::move(ranges));
      sim->ranks_ = ranks.get();
      sim->engine_ = std::move(ranks);
    } else {
      sim->engine_ = std::make_unique<cpu::Engine>(sim->state_, sim->host_);
    }
  } else {
    sim->host_.refresh();  // the init schedule runs on the host after a parameter changes
    sim->timings_.init_parts = sim->engine_->init_parts();
  }
  sim->state_.forget_host_connections();  // the caller's arrays are borrowed for this call only
  sim->timings_.build = model.build_seconds > 0 ? model.build_seconds : -1.0;
  sim->timings_.init = seconds_since(start);
  *out = std::move(sim);
  return ok();
}

Simulation::~Simulation() = default;

Status Simulation::settle() {
  const mpi::World& world = mpi::World::get();
  return ranks_ != nullptr ? world.agree(ranks_->settle()) : ok();
}

Status Simulation::whole_synapses() {
  // The engine's values first: a GPU's are on the device, whether or not shares are held.
  GENNC_TRY(host_view());
  if (!state_.holds_share()) return ok();
  mpi::gather_synapses(state_, mpi::World::get());
  host_.refresh();
  return ok();
}

std::vector<ProcessMemory> Simulation::gather_memory() const {
  const MemoryReport memory = memory_report(state_);
  const uint64_t mine[3] = {memory.held_synapses, memory.synapse_bytes, peak_resident_bytes()};
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = mpi::World::get().gather_bytes(mine, sizeof mine, &bytes);
  std::vector<ProcessMemory> ranks(bytes.size());
  const auto* values = reinterpret_cast<const uint64_t*>(all.data());
  for (size_t r = 0; r < ranks.size(); ++r) ranks[r] = {values[3 * r], values[3 * r + 1], values[3 * r + 2]};
  return ranks;
}

bool Simulation::reads_synapses(const std::string& name) const {
  const int64_t id = state_.find_array(name);
  if (id < 0 || !state_.holds_share()) return false;
  const GenncArrayInfo& info = state_.model().arrays[id];
  const bool per_projection = info.scope == GENNC_SCOPE_SYNAPSE || info.scope == GENNC_SCOPE_ROW_POINTER ||
                              info.scope == GENNC_SCOPE_COLUMN_POINTER;
  return per_projection && state_.splits(info.owner);
}

Status Simulation::host_view() const {
  if (fresh_ != Fresh::Engine) return ok();
  GENNC_TRY(engine_->download());
  fresh_ = Fresh::Both;
  return ok();
}

Status Simulation::host_edit() {
  GENNC_TRY(host_view());
  fresh_ = Fresh::Host;
  return ok();
}

Status Simulation::replace_engine_copy() {
  host_.refresh();
  fresh_ = Fresh::Both;
  if (!on_gpu_) return ok();
  engine_.reset();  // the device's memory goes before the new copy's is allocated
  const mpi::World& world = mpi::World::get();
  Status made = ok();
  if (gpu_ranks_) {
    // Every rank replaces its copy here (loading a checkpoint is collective), so they agree.
    std::unique_ptr<mpi::GpuRankEngine> gpu;
    made = world.agree(mpi::GpuRankEngine::create(state_, pool_, cuda::Engine::Setup::Upload, world, shares_, &gpu));
    if (made.ok()) engine_ = std::move(gpu);
  } else {
    std::unique_ptr<cuda::Engine> gpu;
    made = cuda::Engine::create(state_, pool_, cuda::Engine::Setup::Upload, &gpu);
    if (made.ok()) engine_ = std::move(gpu);
  }
  if (!made.ok()) {
    // The state is whole on the host: the CPU goes on from it (every rank, over ranks).
    if (world.distributed()) {
      auto ranks = std::make_unique<mpi::RankEngine>(state_, host_, pool_, world,
                                                     mpi::partition_network(state_, shares_));
      ranks_ = ranks.get();
      engine_ = std::move(ranks);
    } else
      engine_ = std::make_unique<cpu::Engine>(state_, host_);
    on_gpu_ = false;
    gpu_ranks_ = false;
  }
  engine_->set_profiling(profiling_);  // the new engine profiles as the old one did
  return made;
}

Status Simulation::run(uint64_t steps) {
  // Random draws are addressed by step, GENNC_RANDOM_STEP_BITS bits of it (gennc/random.h).
  constexpr uint64_t kSteps = uint64_t{1} << GENNC_RANDOM_STEP_BITS;
  const uint64_t step = state_.step();
  if (step > kSteps || steps > kSteps - step)
    return argument_error("cannot run " + std::to_string(steps) + " steps from step " + std::to_string(step) +
                          ": the random streams address steps below 2^" + std::to_string(GENNC_RANDOM_STEP_BITS));
  auto start = std::chrono::steady_clock::now();
  // The snapshot and the sample at the run's first step read the state's arrays.
  bool first_sample = false;
  for (const Recording& r : state_.recorder().recordings())
    first_sample |= r.info->kind == GENNC_RECORD_VARIABLE && step % r.info->interval_steps == 0 &&
                    (r.sample_steps.empty() || r.sample_steps.back() != step);
  if (fresh_ == Fresh::Engine && on_gpu_ && !gpu_ranks_) {
    // One GPU: read back only what the snapshot and the sample need, not every array
    // (copying the microcircuit's 3.6 GB back took 0.28 s of its first run; the host's
    // other copies stay stale until something reads them: bench/results/gpu_init_2026-12-07.md).
    if (!state_.has_snapshot())
      GENNC_TRY(state_.take_snapshot([&](uint32_t a, Buffer& into) { return engine_->read_array(a, into.data(), into.bytes()); }));
    if (first_sample)
      for (const Recording& r : state_.recorder().recordings())
        if (r.info->kind == GENNC_RECORD_VARIABLE && step % r.info->interval_steps == 0) {
          Buffer& sampled = state_.array(r.info->array);
          GENNC_TRY(engine_->read_array(r.info->array, sampled.data(), sampled.bytes()));
        }
  } else {
    if (!state_.has_snapshot() || first_sample) GENNC_TRY(host_view());
    if (!state_.has_snapshot()) state_.take_snapshot();
  }
  state_.recorder().sample(step, state_.arrays());
  if (fresh_ == Fresh::Host) GENNC_TRY(engine_->upload());
  fresh_ = Fresh::Engine;
  Status ran = engine_->run(steps);
  timings_.simulate += seconds_since(start);
  timings_.simulate_parts = engine_->run_parts();
  // A run stopped at a request is not a failure; a fault or the budget reached in it is.
  if (ran.code() != GENNC_STOPPED) GENNC_TRY(ran);
  GENNC_TRY(check_faults());
  GENNC_TRY(state_.within_recording_budget());
  return ran;
}

void Simulation::set_profiling(bool on) {
  profiling_ = on;
  engine_->set_profiling(on);
}

Status Simulation::reset() {
  GENNC_TRY(host_edit());
  state_.reset();
  return ok();
}

Status Simulation::save_checkpoint(const std::string& path) {
  GENNC_TRY(host_view());
  // Over MPI ranks each holds a share of the synapses: the file holds the whole network's.
  GENNC_TRY(whole_synapses());
  // Over MPI ranks the download gathered the whole network on every rank; one writes it.
  // Every rank returns rank 0's outcome, so none ends before the file is whole.
  const mpi::World& world = mpi::World::get();
  return world.agree(world.rank() == 0 ? state_.save_checkpoint(path) : ok());
}

Status Simulation::load_checkpoint(const std::string& path) {
  GENNC_TRY(host_edit());
  GENNC_TRY(state_.load_checkpoint(path));
  return replace_engine_copy();
}

Status Simulation::write_results(const std::string& folder) {
  // Over MPI ranks every rank holds every recording (the engine merged them); one writes.
  // Every rank returns rank 0's outcome: a failure is every rank's, and no rank ends (which
  // makes mpirun end the others) before the folder is written.
  const mpi::World& world = mpi::World::get();
  engine_->collect_profile();
  // Synapse variables are written from the host's arrays: the engine's values first (on
  // every rank, since over MPI the download is collective), the whole network's synapses.
  rank_memory_ = gather_memory();  // before a gather makes the synapses whole
  if (state_.model().synapse_recording_count > 0) GENNC_TRY(world.agree(whole_synapses()));
  if (world.rank() != 0) return world.agree(ok());
  const RunReport run{backend(), threads(), host_.kernel_seconds(), profile(), rank_memory_};
  return world.agree(runtime::write_results(state_, run, folder, &timings_));
}

Status Simulation::check_results_folder(const std::string& folder) const {
  return runtime::check_results_folder(state_, folder);
}

// ---- Arrays by name: the state's copy made current first ------------------------------

Status Simulation::get_array(const std::string& name, void* out, uint64_t count) {
  if (state_.find_array(name) >= 0) GENNC_TRY(host_view());
  if (reads_synapses(name)) GENNC_TRY(whole_synapses());
  return state_.get_array(name, out, count);
}

Status Simulation::get_array_f64(const std::string& name, double* out, uint64_t count) {
  if (state_.find_array(name) >= 0) GENNC_TRY(host_view());
  if (reads_synapses(name)) GENNC_TRY(whole_synapses());
  return state_.get_array_f64(name, out, count);
}

Status Simulation::set_array(const std::string& name, const void* values, uint64_t count) {
  std::vector<double> as_double;
  GENNC_TRY(state_.read_as_f64(name, values, count, &as_double));
  return set_array_f64(name, as_double.data(), count);
}

Status Simulation::set_array_f64(const std::string& name, const double* values, uint64_t count) {
  const int64_t id = state_.find_array(name);
  if (id >= 0) GENNC_TRY(host_edit());
  if (reads_synapses(name)) GENNC_TRY(whole_synapses());  // the next run takes the share again
  GENNC_TRY(state_.set_array_f64(name, values, count));
  if (state_.model().arrays[id].flags & GENNC_ARRAY_PARAMETER) host_.run_init_schedule();
  return ok();
}

}  // namespace gennc::runtime
