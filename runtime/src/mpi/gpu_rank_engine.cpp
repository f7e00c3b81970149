#include "gpu_rank_engine.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "gather_columns.h"
#include "merge_samples.h"
#include "stop_votes.h"

namespace gennc::runtime::mpi {
namespace {

// This process's rank among the ranks of its host, as the launcher tells it (Open MPI,
// MPICH's hydra, Slurm); 0 when none does (one process alone).
uint32_t local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
    if (const char* text = std::getenv(name); text != nullptr && *text != '\0') {
      char* end = nullptr;
      const unsigned long rank = std::strtoul(text, &end, 10);
      if (*end == '\0' && rank <= UINT32_MAX) return static_cast<uint32_t>(rank);
    }
  return 0;
}

}  // namespace

Status GpuRankEngine::create(NetworkState& state, ThreadPool& pool, cuda::Engine::Setup setup, const World& world,
                             const std::vector<double>& shares, std::unique_ptr<GpuRankEngine>* out) {
  std::unique_ptr<GpuRankEngine> engine(new GpuRankEngine(state, world, shares));
  // NCCL first: without it nothing else is worth setting up.
  GENNC_TRY(cuda::SpikeExchange::open(world.rank(), world.size(), &engine->exchange_));
  GENNC_TRY(cuda::Engine::create(state, pool, setup, &engine->cuda_, {local_rank(), engine.get()}));
  GENNC_TRY(engine->exchange_->prepare(*engine->cuda_, state));
  *out = std::move(engine);
  return ok();
}

GpuRankEngine::~GpuRankEngine() = default;

const Partition& GpuRankEngine::ranges() const {
  if (ranges_.empty()) ranges_ = partition_network(state_, shares_);
  return ranges_;
}

std::pair<uint32_t, uint32_t> GpuRankEngine::neurons(uint32_t population) const {
  return ranges()[population][world_.rank()];
}

std::string GpuRankEngine::name() const {
  std::string neurons;
  for (uint32_t rank = 0; rank < world_.size(); ++rank) {
    uint64_t count = 0;
    for (const auto& population : ranges()) count += population[rank].second - population[rank].first;
    neurons += (rank ? "/" : "") + std::to_string(count);
  }
  const std::string engine = cuda_->name();  // "cuda (device)"
  return engine.substr(0, engine.size() - 1) + "; " + std::to_string(world_.size()) +
         (world_.size() == 1 ? " rank" : " ranks") + " over NCCL updating " + neurons +
         " neurons, spikes exchanged every step)";
}

Status GpuRankEngine::connect() {
  // Rank 0's id, or its failure to make one, reaches every rank in one gather.
  struct IdMessage {
    uint64_t status;
    cuda::NcclUniqueId id;
  } mine{};
  Status made = ok();
  if (world_.rank() == 0) {
    made = exchange_->make_id(&mine.id);
    mine.status = static_cast<uint64_t>(made.code());
  }
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world_.gather_bytes(&mine, world_.rank() == 0 ? sizeof mine : 0, &bytes);
  IdMessage first{};
  std::memcpy(&first, all.data(), std::min(all.size(), sizeof first));
  if (first.status != GENNC_OK)
    return world_.rank() == 0 ? made : Status(GENNC_ERROR_BACKEND, "NCCL: rank 0 could not make the communicator's id");
  GENNC_TRY(world_.agree(exchange_->connect(first.id)));
  return world_.agree(exchange_->warm_up());
}

Status GpuRankEngine::run(uint64_t steps) {
  profile_.clear();  // collected again after this run
  if (!exchange_->connected()) GENNC_TRY(connect());
  if (stop_held_) {
    stop_held_ = false;
    return stop_;
  }
  if (steps == 0) return met_at_ != state_.step() && meet() ? stop_ : ok();
  for (uint64_t done = 0; done < steps;) {
    const uint64_t step = state_.step();
    const uint64_t chunk = std::min(steps - done, (step / kMeetSteps + 1) * kMeetSteps - step);
    const Status ran = cuda_->run(chunk);
    // A stop request waits for the ranks' next meeting; alone, it stops as the CUDA engine does.
    if (ran.code() == GENNC_STOPPED && !world_.distributed()) return ran;
    if (!ran.ok() && ran.code() != GENNC_STOPPED) return ran;
    done += chunk;
    if (state_.step() % kMeetSteps == 0 && meet()) return stop_;
  }
  return ok();
}

bool GpuRankEngine::meet() {
  met_at_ = state_.step();
  merge_samples();
  return agree_to_stop();
}

void GpuRankEngine::merge_samples() {
  if (!world_.distributed()) return;
  std::vector<Recording>& recordings = state_.recorder().recordings();
  const SampleMerge merge(state_.model(), recordings, &merged_rows_, ranges());
  if (!merge.any()) return;  // so on every rank: no gather then
  std::vector<uint32_t> mine;
  merge.pack(world_.rank(), &mine);
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world_.gather_bytes(mine.data(), mine.size() * sizeof(uint32_t), &bytes);
  std::vector<const uint32_t*> ranks(world_.size());
  for (size_t r = 0, offset = 0; r < ranks.size(); offset += bytes[r], ++r)
    ranks[r] = reinterpret_cast<const uint32_t*>(all.data() + offset);
  std::vector<size_t> cursors(world_.size(), 0);
  merge.unpack(recordings, ranks, &cursors);
}

bool GpuRankEngine::agree_to_stop() {
  const std::vector<uint32_t>& faults = state_.fault_steps();
  own_faults_.assign(faults.size(), 0.0);
  bool faulted = false;
  for (size_t f = 0; f < faults.size(); ++f) {
    // A device failure reads as no fault here; the next run reports it.
    if (!cuda_->read_array(faults[f], &own_faults_[f], sizeof(double)).ok()) own_faults_[f] = 0.0;
    faulted |= own_faults_[f] != 0.0;
  }
  const Status budget = state_.within_recording_budget();
  const StopVotes votes = gather_stop_votes(world_, faulted, !budget.ok());
  if (!votes.stop()) return false;
  if (votes.fault) {
    // Each report's step: the earliest any rank saw (0 is none), on every rank.
    agreed_faults_.assign(faults.size(), 0.0);
    for (size_t f = 0; f < faults.size(); ++f)
      for (uint64_t step : world_.gather(static_cast<uint64_t>(own_faults_[f])))
        if (step != 0 && (agreed_faults_[f] == 0.0 || static_cast<double>(step) < agreed_faults_[f]))
          agreed_faults_[f] = static_cast<double>(step);
  }
  stop_ = stop_status(votes, budget, state_.step());
  return true;
}

Status GpuRankEngine::read_array(uint32_t array, void* out, size_t bytes) {
  const std::vector<uint32_t>& faults = state_.fault_steps();
  const auto fault = std::find(faults.begin(), faults.end(), array);
  if (!world_.distributed() || fault == faults.end()) return cuda_->read_array(array, out, bytes);
  const size_t f = static_cast<size_t>(fault - faults.begin());
  const double step = f < agreed_faults_.size() ? agreed_faults_[f] : 0.0;
  std::memcpy(out, &step, std::min(bytes, sizeof step));
  return ok();
}

Status GpuRankEngine::download() {
  if (met_at_ != state_.step() && meet()) stop_held_ = true;
  const Status copied = cuda_->download();
  if (!world_.distributed()) return copied;
  // Every rank gathers, whatever its copy's fate, so the ranks' collectives stay matched.
  const GenncModel& model = state_.model();
  const std::vector<uint32_t>& faults = state_.fault_steps();
  for (size_t f = 0; f < faults.size() && f < agreed_faults_.size(); ++f) {
    // A rank that saw its fault after the agreed step forgets its neurons' codes, so every
    // rank reports the first fault.
    const uint32_t population = model.arrays[faults[f]].owner;
    if (own_faults_[f] != 0.0 && own_faults_[f] != agreed_faults_[f])
      forget_fault_codes(state_, population, ranges()[population][world_.rank()]);
    state_.array(faults[f]).set(0, agreed_faults_[f]);
  }
  gather_owned_columns(state_, world_, ranges());
  return world_.agree(copied);
}

std::vector<ProfileRow> GpuRankEngine::profile() const { return profile_.empty() ? cuda_->profile() : profile_; }

void GpuRankEngine::collect_profile() {
  profile_.clear();  // so that profile() gives this rank's own rows
  profile_ = slowest_rank_rows(world_, profile());
}

}  // namespace gennc::runtime::mpi
