#include "spike_exchange.h"

#include <algorithm>
#include <cstdlib>

#include "gennc/exchange_table.h"
#include "load_module.h"

namespace gennc::runtime::cuda {

// spike_exchange_kernels.c's PTX, and its machine code where ptxas was found, embedded at
// build time (runtime/CMakeLists.txt).
extern const char kSpikeExchangePtx[];
extern const GenncCubin* const kSpikeExchangeCubins;
extern const uint32_t kSpikeExchangeCubinsCount;

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr unsigned kBlock = 256;
constexpr uint64_t kMaxBlocks = 1024;

Status backend_error(std::string message) { return {GENNC_ERROR_BACKEND, std::move(message)}; }

}  // namespace

Status SpikeExchange::check(CUresult result, const char* what) const {
  if (result == CUDA_SUCCESS) return ok();
  return backend_error(std::string("CUDA: ") + what + " failed: " + error_text(*api_, result));
}

#define GENNC_CU(call, what) GENNC_TRY(check(api_->call, what))

Status SpikeExchange::open(uint32_t rank, uint32_t ranks, std::unique_ptr<SpikeExchange>* out) {
  std::string why;
  const NcclApi* nccl = load_nccl(&why);
  if (nccl == nullptr) return backend_error("backend 'cuda' over ranks: " + why);
  out->reset(new SpikeExchange(*nccl, rank, ranks));
  return ok();
}

SpikeExchange::~SpikeExchange() {
  if (comm_ != nullptr) nccl_.ncclCommDestroy(comm_);
  if (api_ == nullptr) return;
  for (CUdeviceptr pointer : allocations_) api_->cuMemFree(pointer);
  if (module_ != nullptr) api_->cuModuleUnload(module_);
}

Status SpikeExchange::allocate(size_t bytes, CUdeviceptr* out) {
  GENNC_CU(cuMemAlloc(out, std::max<size_t>(bytes, 4)), "cuMemAlloc");
  allocations_.push_back(*out);
  return ok();
}

Status SpikeExchange::prepare(const Engine& engine, const NetworkState& state) {
  api_ = &engine.driver();
  const GenncModel& m = state.model();
  GENNC_TRY(load_module(*api_, {kSpikeExchangePtx, kSpikeExchangeCubins, kSpikeExchangeCubinsCount}, engine.major(),
                        engine.minor(), "the spike exchange's kernels", &module_));
  GENNC_CU(cuModuleGetFunction(&unpack_, module_, "gennc_unpack_spikes"), "cuModuleGetFunction");
  stages_.assign(m.stage_count, {});
  for (uint32_t s = 0; s < m.stage_count; ++s) {
    StageExchange& stage = stages_[s];
    std::vector<GenncExchangeSlot> slots;
    uint64_t most = 0;  // the largest list: the unpack's grid
    for (uint32_t i = m.stage_starts[s]; i < m.stage_starts[s + 1]; ++i) {
      const GenncKernelInfo& kernel = m.kernels[m.stage_kernels[i]];
      if (kernel.kind != GENNC_KERNEL_NEURON) continue;
      const GenncPopulationInfo& pop = m.populations[kernel.owner];
      const uint64_t capacity = state.array(pop.spike_list_array).length();
      if (capacity == 0) continue;
      GenncExchangeSlot slot{};
      slot.count = engine.device_array(pop.spike_count_array);
      slot.list = engine.device_array(pop.spike_list_array);
      slot.multiplicity = pop.spike_multiplicity_array != kNone ? engine.device_array(pop.spike_multiplicity_array) : 0;
      slot.times = pop.spike_time_array != kNone ? engine.device_array(pop.spike_time_array) : 0;
      slot.offset = stage.words;
      slot.capacity = static_cast<uint32_t>(capacity);
      // The send buffer: count, ids, multiplicities, times (words), as the table says.
      size_t at = size_t{stage.words} * 4;
      stage.copies.push_back({slot.count, 4, at});
      stage.copies.push_back({slot.list, capacity * 4, at + 4});
      at += 4 + capacity * 4;
      if (slot.multiplicity) {
        stage.copies.push_back({slot.multiplicity, capacity * 4, at});
        at += capacity * 4;
      }
      if (slot.times) stage.copies.push_back({slot.times, capacity * 8, at});
      const uint64_t words = 1 + capacity * (1 + (slot.multiplicity ? 1 : 0) + (slot.times ? 2 : 0));
      if (stage.words + words > UINT32_MAX / ranks_)
        return backend_error("the spike exchange of a stage would exceed 2^32 words");
      stage.words += static_cast<uint32_t>(words);
      stage.counts.push_back(slot.count);
      most = std::max(most, capacity);
      slots.push_back(slot);
    }
    if (slots.empty()) continue;
    stage.slot_count = static_cast<uint32_t>(slots.size());
    stage.blocks = static_cast<unsigned>(std::clamp<uint64_t>((most * ranks_ + kBlock - 1) / kBlock, 1, kMaxBlocks));
    GENNC_TRY(allocate(size_t{stage.words} * 4, &stage.send));
    GENNC_TRY(allocate(size_t{stage.words} * 4 * ranks_, &stage.receive));
    GENNC_TRY(allocate(slots.size() * sizeof(GenncExchangeSlot), &stage.slots));
    GENNC_CU(cuMemcpyHtoD(stage.slots, slots.data(), slots.size() * sizeof(GenncExchangeSlot)), "cuMemcpyHtoD");
  }
  return ok();
}

Status SpikeExchange::make_id(NcclUniqueId* id) const {
  const NcclResult made = nccl_.ncclGetUniqueId(id);
  return made == kNcclSuccess ? ok() : backend_error(nccl_error(nccl_, "ncclGetUniqueId", made));
}

Status SpikeExchange::connect(const NcclUniqueId& id) {
  // NVLink multicast (NVLS) needs a fabric manager set-up that the machines here lack; a
  // user's own setting wins.
  ::setenv("NCCL_NVLS_ENABLE", "0", 0);
  const NcclResult made =
      nccl_.ncclCommInitRank(&comm_, static_cast<int>(ranks_), id, static_cast<int>(rank_));
  if (made != kNcclSuccess) {
    comm_ = nullptr;
    return backend_error(nccl_error(nccl_, "ncclCommInitRank", made));
  }
  return ok();
}

Status SpikeExchange::warm_up() {
  // One all-gather before any is captured into a graph: NCCL connects its peers at a
  // communicator's first collective, which is no work for a stream being captured.
  for (const StageExchange& stage : stages_) {
    if (stage.slot_count == 0) continue;
    const NcclResult warmed = nccl_.ncclAllGather(reinterpret_cast<const void*>(stage.send),
                                                  reinterpret_cast<void*>(stage.receive), stage.words, kNcclUint32,
                                                  comm_, nullptr);
    if (warmed != kNcclSuccess) return backend_error(nccl_error(nccl_, "ncclAllGather", warmed));
    GENNC_CU(cuStreamSynchronize(nullptr), "the first spike exchange");
    break;
  }
  return ok();
}

Status SpikeExchange::enqueue(uint32_t stage_index, CUstream stream) {
  StageExchange& stage = stages_[stage_index];
  if (stage.slot_count == 0) return ok();
  for (const Copy& copy : stage.copies)
    GENNC_CU(cuMemcpyDtoDAsync(stage.send + copy.to, copy.from, copy.bytes, stream), "cuMemcpyDtoDAsync");
  const NcclResult gathered = nccl_.ncclAllGather(reinterpret_cast<const void*>(stage.send),
                                                  reinterpret_cast<void*>(stage.receive), stage.words, kNcclUint32,
                                                  comm_, stream);
  if (gathered != kNcclSuccess) return backend_error(nccl_error(nccl_, "ncclAllGather", gathered));
  for (CUdeviceptr count : stage.counts) GENNC_CU(cuMemsetD32Async(count, 0, 1, stream), "cuMemsetD32Async");
  uint32_t ranks = ranks_;
  void* params[] = {&stage.slots, &stage.receive, &stage.words, &ranks};
  GENNC_CU(cuLaunchKernel(unpack_, stage.blocks, stage.slot_count, 1, kBlock, 1, 1, 0, stream, params, nullptr),
           "cuLaunchKernel");
  return ok();
}

}  // namespace gennc::runtime::cuda
