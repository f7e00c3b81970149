#include "cuda_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "../exchange_plan.h"
#include "../stop_request.h"
#include "device_init.h"
#include "load_module.h"
#include "step_kernels.h"

namespace gennc::runtime::cuda {

namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr unsigned kBlock = GENNC_STAGE_THREADS;
// Steps per captured graph: long enough that one host round trip per batch costs little,
// short enough that the recording buffers, both sets of them, stay small (kRecordingBudget).
constexpr uint64_t kMaxBatch = 1000;
constexpr uint64_t kRecordingBudget = uint64_t{256} << 20;
// Row-parallel delivery runs a block of kBlock threads per spike (GENNC_STAGE_BLOCK; the
// stage entries assume exactly that block size). From this mean row length on it beats a
// thread per spike (docs/gpu.md): even short rows gain, since a step holds few spikes per
// population and a thread walking its row alone waits on one dependent load after another.
constexpr double kRowParallelMinimum = 4.0;
// A long row is shared by several blocks, one per kRowPartSynapses of its mean length (up
// to kMaxRowParts): a block walking a whole row of thousands of synapses alone waits on
// one load after another for each 256 of them, and such a block set the pace of the whole
// delivery stage (docs/gpu.md, "Delivery").
constexpr double kRowPartSynapses = 2.0 * kBlock;
constexpr uint64_t kMaxRowParts = 64;
constexpr uint32_t kMaxStageMembers = GENNC_STAGE_MAX_MEMBERS;

Status backend_error(std::string message) { return {GENNC_ERROR_BACKEND, std::move(message)}; }

std::string mebibytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

Status Engine::check(CUresult result, const char* what) const {
  if (result == CUDA_SUCCESS) return ok();
  return backend_error(std::string("CUDA: ") + what + " failed: " + error_text(api_, result));
}

#define GENNC_CU(call, what) GENNC_TRY(check(api_.call, what))

Status Engine::create(NetworkState& state, ThreadPool& pool, Setup setup, std::unique_ptr<Engine>* out,
                      const Placement& placement) {
  const GenncModel& model = state.model();
  if (model.ptx == nullptr || model.ptx[0] == '\0')
    return backend_error("backend 'cuda': the model has no GPU code (it was compiled with --no-gpu, or without "
                         "libdevice; rebuild it with gennc where the CUDA toolkit is installed)");
  if (model.stage_entries == nullptr || model.stage_starts == nullptr ||
      model.stage_starts[model.stage_count] != model.step_schedule_length)
    return backend_error("backend 'cuda': the model's GPU code has no stages for its step schedule");
  for (uint32_t k = 0; k < model.init_schedule_length; ++k)
    if (model.kernels[model.init_schedule[k]].ptx_entry == nullptr)
      return backend_error(std::string("backend 'cuda': kernel '") + model.kernels[model.init_schedule[k]].name +
                           "' has no GPU entry");
  // Each phase is timed (init_parts): where the set-up's seconds go (docs/gpu.md).
  auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, double>> parts;
  auto done = [&](const char* part) {
    const auto now = std::chrono::steady_clock::now();
    parts.emplace_back(part, std::chrono::duration<double>(now - started).count());
    started = now;
  };
  std::string why;
  const DriverApi* api = load_driver(&why);
  if (api == nullptr) return backend_error("backend 'cuda': " + why);
  std::unique_ptr<Engine> engine(new Engine(state, pool, *api, placement));
  GENNC_TRY(engine->open_device());
  done("driver, device and context");
  GENNC_TRY(engine->load_modules());
  // The part's name says which form was loaded: a JIT compilation takes seconds, machine code not.
  const std::string modules =
      "model and step modules (model: " + engine->model_code_ + ", step kernels: " + engine->step_code_ + ")";
  done(modules.c_str());
  std::unique_ptr<DeviceInit> init;
  if (setup == Setup::Build) {
    GENNC_TRY(DeviceInit::open(*api, state.model(), state.seed(), engine->stream_,
                               static_cast<unsigned>(engine->multiprocessors_) * 16, engine->major_, engine->minor_,
                               &init));
    const std::string setup_module = "set-up kernels' module (" + init->code() + ")";
    done(setup_module.c_str());
    GENNC_TRY(state.build(pool, init.get()));
    done("network build (host, device row counts)");
  }
  GENNC_TRY(engine->plan_memory());
  GENNC_TRY(engine->allocate());
  GENNC_TRY(engine->plan_launches(init.get()));
  done("memory plan, allocation, launch plan");
  GENNC_TRY(init ? engine->set_up_on_device(*init) : engine->upload());
  done(init ? "device set-up (connectivity, initial values)" : "upload");
  engine->init_parts_ = std::move(parts);
  *out = std::move(engine);
  return ok();
}

Engine::~Engine() {
  if (context_ == nullptr) return;
  api_.cuCtxSetCurrent(context_);
  for (RecordingSet& set : sets_) {
    for (auto& [key, graph] : set.graphs) api_.cuGraphExecDestroy(graph);
    if (set.done != nullptr) api_.cuEventDestroy(set.done);
    if (set.copied != nullptr) api_.cuEventDestroy(set.copied);
    if (set.rows_pinned) api_.cuMemFreeHost(set.rows);
  }
  for (CUevent event : events_) api_.cuEventDestroy(event);
  for (CUdeviceptr pointer : allocations_) api_.cuMemFree(pointer);
  if (model_module_ != nullptr) api_.cuModuleUnload(model_module_);
  if (step_module_ != nullptr) api_.cuModuleUnload(step_module_);
  if (stream_ != nullptr) api_.cuStreamDestroy(stream_);
  if (copy_stream_ != nullptr) api_.cuStreamDestroy(copy_stream_);
  if (retained_) api_.cuDevicePrimaryCtxRelease(ordinal_);
}

Status Engine::open_device() {
  CUresult init = api_.cuInit(0);
  if (init == CUDA_ERROR_NO_DEVICE) return backend_error("backend 'cuda': no CUDA device (" + error_text(api_, init) + ")");
  GENNC_TRY(check(init, "cuInit"));
  int count = 0;
  GENNC_CU(cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (count == 0) return backend_error("backend 'cuda': the NVIDIA driver sees no CUDA device");
  // One rank per GPU: ranks of one host take the devices in turn (CUDA_VISIBLE_DEVICES may
  // narrow what the driver shows, e.g. to one device per rank).
  const auto device = static_cast<int>(placement_.local_rank % static_cast<uint32_t>(count));
  GENNC_CU(cuDeviceGet(&ordinal_, device), "cuDeviceGet");
  char name[256] = {};
  GENNC_CU(cuDeviceGetName(name, sizeof name - 1, ordinal_), "cuDeviceGetName");
  int major = 0, minor = 0;
  GENNC_CU(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, ordinal_), "cuDeviceGetAttribute");
  GENNC_CU(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, ordinal_), "cuDeviceGetAttribute");
  GENNC_CU(cuDeviceGetAttribute(&multiprocessors_, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, ordinal_),
           "cuDeviceGetAttribute");
  device_ = std::string(name) + " (sm_" + std::to_string(major) + std::to_string(minor) + ")";
  major_ = major;
  minor_ = minor;
  GENNC_CU(cuDevicePrimaryCtxRetain(&context_, ordinal_), "cuDevicePrimaryCtxRetain");
  retained_ = true;
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  GENNC_CU(cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  GENNC_CU(cuStreamCreate(&copy_stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return ok();
}

Status Engine::load_modules() {
  const GenncModel& m = state_.model();
  GENNC_TRY(load_module(api_, {m.ptx, m.cubins, m.cubin_count}, major_, minor_, "the model's GPU code", &model_module_,
                        &model_code_));
  GENNC_TRY(load_module(api_, {kStepKernelsPtx, kStepKernelsCubins, kStepKernelsCubinsCount}, major_, minor_,
                        "the runtime's step kernels", &step_module_, &step_code_));
  GENNC_CU(cuModuleGetFunction(&zero_counts_, step_module_, "gennc_zero_counts"), "cuModuleGetFunction");
  GENNC_CU(cuModuleGetFunction(&finish_, step_module_, "gennc_finish_step"), "cuModuleGetFunction");
  GENNC_CU(cuModuleGetFunction(&fill_envs_, step_module_, "gennc_fill_envs"), "cuModuleGetFunction");
  return ok();
}

// Sizes the recording buffers (and so the batch) and checks that everything fits.
Status Engine::plan_memory() {
  const GenncModel& m = state_.model();
  const std::vector<Recording>& recordings = state_.recorder().recordings();
  uint64_t per_step = 0;  // recording bytes per step
  for (uint32_t r = 0; r < recordings.size(); ++r) {
    const GenncRecordingInfo& info = *recordings[r].info;
    if (info.kind == GENNC_RECORD_SPIKES) {
      uint32_t population = info.target.population;
      const GenncPopulationInfo& pop = m.populations[population];
      // A source that emits several spikes per neuron and step is recorded with its
      // multiplicity, as on the CPU: a count per neuron instead of a bit.
      const bool counts = pop.spike_multiplicity_array != kNone;
      SpikeRecording s{r, population, counts ? pop.size : (pop.size + 31) / 32, counts};
      if (pop.spike_time_array != kNone) {
        // A precise population's step is its spike list as it stands, times included
        // (gennc_record_precise_spikes): room for the whole list, its spike capacity, so
        // no step's spikes can be lost, at 12 bytes an entry instead of a bit a neuron.
        const uint64_t capacity = state_.array(pop.spike_list_array).length();
        if (capacity + 1 > UINT32_MAX)
          return backend_error(std::string("population '") + pop.name + "' has a spike list over 2^32 entries");
        s.words = static_cast<uint32_t>(capacity + 1);
        s.precise = true;
        per_step += capacity * 8;
      }
      per_step += uint64_t{s.words} * 4;
      spike_recordings_.push_back(s);
    } else {
      VariableRecording v{r, info.array, recordings[r].selection.size(), info.interval_steps,
                          static_cast<uint32_t>(dtype_size(m.arrays[info.array].dtype))};
      per_step += (uint64_t{v.count} * v.bytes + v.interval - 1) / v.interval;
      variable_recordings_.push_back(v);
    }
  }
  // A step's stages record its spikes as they emit them and zero the counts for the next
  // step, with no launch of its own to end it (docs/gpu.md, "A step without a finish
  // launch"), except where spikes cross ranks (each rank's exchange fills the lists, which
  // its finish records) or a precise population's list is recorded (entries and times).
  folded_ = placement_.partition == nullptr;
  for (const SpikeRecording& s : spike_recordings_) folded_ = folded_ && !s.precise;
  sample_period_ = 1;
  for (const VariableRecording& v : variable_recordings_)
    if (v.count != 0 && sample_period_ != 0) {
      sample_period_ = std::lcm(sample_period_, v.interval);
      if (sample_period_ > kMaxBatch) sample_period_ = 0;
    }

  // Two sets of buffers (one batch recorded while the host collects the one before) share
  // the budget.
  batch_ = per_step == 0 ? kMaxBatch : std::clamp<uint64_t>(kRecordingBudget / (2 * per_step), 1, kMaxBatch);

  uint64_t arrays = 0, largest = 0;
  uint32_t largest_id = 0;
  for (uint32_t a = 0; a < m.array_count; ++a) {
    uint64_t bytes = state_.array(a).bytes();
    arrays += bytes;
    if (bytes > largest) largest = bytes, largest_id = a;
  }
  if (folded_)
    for (uint32_t a : spike_arrays()) arrays += state_.array(a).bytes();
  uint64_t buffers = 0;
  for (const SpikeRecording& s : spike_recordings_)
    buffers += 2 * batch_ * (uint64_t{s.words} * 4 + (s.precise ? uint64_t{s.words - 1} * 8 : 0));
  for (const VariableRecording& v : variable_recordings_)
    buffers += 2 * (batch_ / v.interval + 1) * v.count * v.bytes + uint64_t{v.count} * 4;
  uint64_t tables = uint64_t{m.array_count} * 16 + m.population_count * 8 + uint64_t{m.step_schedule_length} * 16 +
                    2 * ((spike_recordings_.size() + variable_recordings_.size()) * 40 + 8) + 64;
  if (folded_)
    tables += uint64_t{m.array_count} * 8 + m.population_count * 8 +
              2 * ((batch_ + 2) * sizeof(GenncKernelEnv) + m.population_count * 8) + sizeof(GenncKernelEnv);
  size_t free = 0, total = 0;
  GENNC_CU(cuMemGetInfo(&free, &total), "cuMemGetInfo");
  uint64_t needed = arrays + buffers + tables;
  // Allocation granularity and the driver's own use take a little more than the sum.
  if (needed + needed / 64 + (uint64_t{64} << 20) > free)
    return backend_error("backend 'cuda': the network needs " + mebibytes(needed) + " of GPU memory (arrays " +
                         mebibytes(arrays) + ", the largest '" + m.arrays[largest_id].name + "' " + mebibytes(largest) +
                         "; recording buffers " + mebibytes(buffers) + ") but " + device_ + " has " + mebibytes(free) +
                         " free of " + mebibytes(total) + largest_projections());
  return ok();
}

// For the out-of-memory report: the projections whose stored synapses take the most memory,
// and how to store nothing for them.
std::string Engine::largest_projections() const {
  const GenncModel& m = state_.model();
  std::vector<std::pair<uint64_t, uint32_t>> stored(m.projection_count);
  for (uint32_t p = 0; p < m.projection_count; ++p) stored[p] = {0, p};
  for (uint32_t a = 0; a < m.array_count; ++a)
    if (m.arrays[a].scope == GENNC_SCOPE_SYNAPSE && m.arrays[a].owner < m.projection_count)
      stored[m.arrays[a].owner].first += state_.array(a).bytes();
  std::sort(stored.begin(), stored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string names;
  for (size_t k = 0; k < stored.size() && k < 3 && stored[k].first > 0; ++k)
    names += std::string(names.empty() ? "" : ", ") + "'" + m.projections[stored[k].second].name + "' " +
             mebibytes(stored[k].first);
  if (names.empty()) return "";
  return ". The largest stored projections: " + names +
         "; procedural connectivity stores none of a projection's synapses (`onto <receptor> as procedural` in the "
         "network, or gennc --procedural=NAME; docs/gpu.md says which connectors allow it)";
}

Status Engine::allocate() {
  const GenncModel& m = state_.model();
  auto allocate = [&](uint64_t bytes, CUdeviceptr* out) -> Status {
    *out = 0;
    if (bytes == 0) return ok();
    GENNC_CU(cuMemAlloc(out, bytes), "cuMemAlloc");
    allocations_.push_back(*out);
    return ok();
  };
  arrays_.assign(m.array_count, 0);
  for (uint32_t a = 0; a < m.array_count; ++a) GENNC_TRY(allocate(state_.array(a).bytes(), &arrays_[a]));
  for (std::vector<CUdeviceptr>& copies : copies_) copies.assign(m.array_count, 0);
  if (folded_) {
    // Zeroed, so that nothing undefined reaches the host (upload() fills them as arrays_).
    for (unsigned c = 1; c < kSpikeCopies; ++c) {
      std::vector<CUdeviceptr>& copies = copies_[c - 1];
      for (uint32_t a : spike_arrays()) {
        GENNC_TRY(allocate(state_.array(a).bytes(), &copies[a]));
        GENNC_CU(cuMemsetD8Async(copies[a], 0, state_.array(a).bytes(), stream_), "cuMemsetD8Async");
      }
      GENNC_TRY(allocate(std::max<uint64_t>(m.array_count, 1) * 8, &pointer_tables_[c]));
      std::vector<CUdeviceptr> table(arrays_);
      for (uint32_t a = 0; a < m.array_count; ++a)
        if (copies[a] != 0) table[a] = copies[a];
      if (!table.empty()) GENNC_CU(cuMemcpyHtoD(pointer_tables_[c], table.data(), table.size() * 8), "cuMemcpyHtoD");
    }
    GENNC_CU(cuStreamSynchronize(stream_), "zeroing the spike arrays' copies");
  }
  GENNC_TRY(allocate(std::max<uint64_t>(m.array_count, 1) * 8, &pointer_table_));
  pointer_tables_[0] = pointer_table_;
  GENNC_TRY(allocate(std::max<uint64_t>(m.array_count, 1) * 8, &length_table_));
  GENNC_TRY(allocate(sizeof(GenncKernelEnv), &env_));
  if (placement_.partition != nullptr) GENNC_TRY(allocate(uint64_t{m.projection_count} * 8, &post_ranges_));
  if (m.array_count != 0) {
    GENNC_CU(cuMemcpyHtoD(pointer_table_, arrays_.data(), arrays_.size() * 8), "cuMemcpyHtoD");
    std::vector<uint64_t> lengths(m.array_count);
    for (uint32_t a = 0; a < m.array_count; ++a) lengths[a] = state_.array(a).length();
    GENNC_CU(cuMemcpyHtoD(length_table_, lengths.data(), lengths.size() * 8), "cuMemcpyHtoD");
  }
  if (m.population_count != 0) {
    std::vector<CUdeviceptr> counts(m.population_count);
    for (uint32_t p = 0; p < m.population_count; ++p) counts[p] = arrays_[m.populations[p].spike_count_array];
    if (folded_)
      for (const std::vector<CUdeviceptr>& copies : copies_)
        for (uint32_t p = 0; p < m.population_count; ++p) counts.push_back(copies[m.populations[p].spike_count_array]);
    GENNC_TRY(allocate(counts.size() * 8, &count_table_));
    GENNC_CU(cuMemcpyHtoD(count_table_, counts.data(), counts.size() * 8), "cuMemcpyHtoD");
  }
  const std::vector<Recording>& recordings = state_.recorder().recordings();
  uint64_t row_words = 0, widest_times = 0;
  for (std::size_t r = 0; r < spike_recordings_.size(); ++r) {
    SpikeRecording& s = spike_recordings_[r];
    // Folded steps record a population into one buffer per set, which its recordings share.
    auto earlier = std::find_if(spike_recordings_.begin(), spike_recordings_.begin() + r,
                                [&](const SpikeRecording& e) { return e.population == s.population; });
    if (folded_ && earlier != spike_recordings_.begin() + r) {
      std::copy(std::begin(earlier->bits), std::end(earlier->bits), std::begin(s.bits));
      s.host_offset = row_words;
      row_words += batch_ * s.words;
      continue;
    }
    for (CUdeviceptr& bits : s.bits) GENNC_TRY(allocate(batch_ * s.words * 4, &bits));
    s.host_offset = row_words;
    row_words += batch_ * s.words;
    if (!s.precise) continue;
    for (CUdeviceptr& times : s.times) GENNC_TRY(allocate(batch_ * (s.words - 1) * 8, &times));
    widest_times = std::max<uint64_t>(widest_times, batch_ * (s.words - 1));
  }
  // The host's copies are sized once: collecting a batch allocates nothing. The spike rows
  // are page-locked, so that their copy back runs beside the next batch at the bus's
  // speed (a pageable copy of Brunel 1e6's 125 MB a batch ran far below it: docs/gpu.md);
  // where the driver has none to give, pageable memory serves.
  for (RecordingSet& rs : sets_) {
    if (row_words == 0) break;
    void* pinned = nullptr;
    rs.rows_pinned = api_.cuMemAllocHost(&pinned, row_words * 4) == CUDA_SUCCESS;
    if (rs.rows_pinned) {
      rs.rows = static_cast<uint32_t*>(pinned);
    } else {
      rs.pageable_rows.resize(row_words);
      rs.rows = rs.pageable_rows.data();
    }
  }
  host_times_.reserve(widest_times);
  uint64_t widest_samples = 0;
  for (VariableRecording& v : variable_recordings_) {
    // The elements sampled, as on the CPU (Recording::elements): population indices, or
    // positions among an injection's targets for a current source's state.
    const std::vector<uint32_t>& elements = recordings[v.recording].elements;
    GENNC_TRY(allocate(uint64_t{v.count} * 4, &v.indices));
    const uint64_t bytes = (batch_ / v.interval + 1) * v.count * v.bytes;
    for (CUdeviceptr& samples : v.samples) GENNC_TRY(allocate(bytes, &samples));
    widest_samples = std::max(widest_samples, bytes);
    if (v.count != 0) GENNC_CU(cuMemcpyHtoD(v.indices, elements.data(), elements.size() * 4), "cuMemcpyHtoD");
  }
  host_samples_.reserve(widest_samples);

  // gennc_finish_step's tables, one per set, and its block counter (zero between launches).
  uint64_t widest = 1;
  for (const SpikeRecording& s : spike_recordings_)
    widest = std::max<uint64_t>(widest, s.precise ? s.words - 1 : m.populations[s.population].size);
  uint32_t sampled = 0;
  for (const VariableRecording& v : variable_recordings_) {
    if (v.count == 0) continue;
    widest = std::max<uint64_t>(widest, v.count);
    ++sampled;
  }
  // A row of blocks per recording (gennc_finish_step), sixteen elements per thread at most:
  // every block also counts itself, one after another on one counter, for the zeroing of
  // the spike counts, so few blocks (a step's spikes are a small part of a population).
  finish_blocks_ = static_cast<unsigned>(std::clamp<uint64_t>((widest + 16 * kBlock - 1) / (16 * kBlock), 1,
                                                              uint64_t(multiprocessors_) * 2));
  finish_rows_ = std::max<unsigned>(1, static_cast<unsigned>(spike_recordings_.size() + sampled));
  for (unsigned set = 0; set < 2; ++set) {
    std::vector<FinishSpikes> spikes;
    for (const SpikeRecording& s : spike_recordings_) {
      const GenncPopulationInfo& pop = m.populations[s.population];
      CUdeviceptr multiplicity = s.counts ? arrays_[pop.spike_multiplicity_array] : 0;
      CUdeviceptr times = s.precise ? arrays_[pop.spike_time_array] : 0;
      spikes.push_back({arrays_[pop.spike_count_array], arrays_[pop.spike_list_array], multiplicity, s.bits[set],
                        pop.size, s.words, times, s.times[set]});
    }
    std::vector<FinishSamples> samples;
    for (const VariableRecording& v : variable_recordings_)
      if (v.count != 0) samples.push_back({arrays_[v.array], v.indices, v.samples[set], v.interval, v.count, v.bytes});
    RecordingSet& rs = sets_[set];
    GENNC_TRY(allocate(spikes.size() * sizeof(FinishSpikes), &rs.spike_table));
    GENNC_TRY(allocate(samples.size() * sizeof(FinishSamples), &rs.sample_table));
    GENNC_TRY(allocate(8, &rs.base));
    if (!spikes.empty())
      GENNC_CU(cuMemcpyHtoD(rs.spike_table, spikes.data(), spikes.size() * sizeof spikes[0]), "cuMemcpyHtoD");
    if (!samples.empty())
      GENNC_CU(cuMemcpyHtoD(rs.sample_table, samples.data(), samples.size() * sizeof samples[0]), "cuMemcpyHtoD");
    GENNC_CU(cuEventCreate(&rs.done, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
    GENNC_CU(cuEventCreate(&rs.copied, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  }
  GENNC_TRY(allocate(4, &done_));
  const uint32_t zero = 0;
  GENNC_CU(cuMemcpyHtoD(done_, &zero, 4), "cuMemcpyHtoD");
  if (!folded_) return ok();
  for (unsigned set = 0; set < 2; ++set) {
    RecordingSet& rs = sets_[set];
    GENNC_TRY(allocate(batch_ * sizeof(GenncKernelEnv), &rs.envs));
    GENNC_TRY(allocate(kSpikeCopies * sizeof(GenncKernelEnv), &rs.templates));
    std::vector<CUdeviceptr> rows(m.population_count, 0);
    for (const SpikeRecording& s : spike_recordings_) rows[s.population] = s.bits[set];
    GENNC_TRY(allocate(rows.size() * 8, &rs.spike_rows));
    if (!rows.empty()) GENNC_CU(cuMemcpyHtoD(rs.spike_rows, rows.data(), rows.size() * 8), "cuMemcpyHtoD");
  }
  if (!variable_recordings_.empty()) GENNC_TRY(allocate(sizeof(GenncKernelEnv), &sample_env_));
  return ok();
}

std::vector<uint32_t> Engine::spike_arrays() const {
  const GenncModel& m = state_.model();
  std::vector<uint32_t> out;
  for (uint32_t p = 0; p < m.population_count; ++p) {
    const GenncPopulationInfo& pop = m.populations[p];
    for (uint32_t a : {pop.spike_count_array, pop.spike_list_array, pop.spike_multiplicity_array, pop.spike_time_array})
      if (a != kNone && state_.array(a).bytes() != 0) out.push_back(a);
  }
  return out;
}

Status Engine::write_templates() {
  const GenncModel& m = state_.model();
  const uint32_t npops = m.population_count;
  for (RecordingSet& rs : sets_) {
    // A step using copy c zeroes copy c + 1's counts (count_table_'s next third) for the
    // next step.
    GenncKernelEnv templates[kSpikeCopies] = {};
    for (unsigned copy = 0; copy < kSpikeCopies; ++copy) {
      GenncKernelEnv& env = templates[copy];
      env.arrays = reinterpret_cast<void* const*>(pointer_tables_[copy]);
      env.lengths = reinterpret_cast<const uint64_t*>(length_table_);
      env.dt = m.dt;
      env.seed = state_.seed();
      env.spike_rows = reinterpret_cast<const uint64_t*>(rs.spike_rows);
      env.counts_to_zero = reinterpret_cast<uint32_t* const*>(count_table_ + (copy + 1) % kSpikeCopies * npops * 8);
      env.zero_count = npops;
      // Null but on a GPU rank (run() has uploaded them by now).
      env.post_ranges = reinterpret_cast<const uint32_t*>(post_ranges_);
    }
    GENNC_CU(cuMemcpyHtoD(rs.templates, templates, sizeof templates), "cuMemcpyHtoD");
  }
  return ok();
}

unsigned Engine::blocks_for(uint64_t elements) const {
  // Grid-stride kernels: enough blocks to fill the device, never more than the elements need.
  uint64_t wanted = (elements + kBlock - 1) / kBlock;
  return static_cast<unsigned>(std::clamp<uint64_t>(wanted, 1, uint64_t(multiprocessors_) * 16));
}

Status Engine::plan_launches(const DeviceInit* init) {
  const GenncModel& m = state_.model();
  for (uint32_t stage = 0; stage < m.stage_count; ++stage) {
    Stage launch;
    GENNC_CU(cuModuleGetFunction(&launch.function, model_module_, m.stage_entries[stage]), "cuModuleGetFunction");
    std::vector<GenncStageMember> members;
    uint64_t units = 0;
    bool counted = false;
    const uint32_t first = m.stage_starts[stage], last = m.stage_starts[stage + 1];
    if (last - first > kMaxStageMembers)
      return backend_error("a stage of the model has over " + std::to_string(kMaxStageMembers) + " kernels");
    for (uint32_t i = first; i < last; ++i) {
      const GenncKernelInfo& kernel = m.kernels[m.stage_kernels[i]];
      GenncStageMember member{i - first, GENNC_STAGE_THREAD, 0, kNone, 0};
      uint64_t elements = 0;
      if (kernel.kind == GENNC_KERNEL_SYNAPSE_PRE || kernel.kind == GENNC_KERNEL_SYNAPSE_POST) {
        const GenncProjectionInfo& proj = m.projections[kernel.owner];
        uint32_t population = kernel.kind == GENNC_KERNEL_SYNAPSE_PRE ? proj.pre.population : proj.post.population;
        const uint32_t size = m.populations[population].size;
        // The spike list's length: the population's size, or a precise population's
        // spike capacity (several spikes of one source in a step), as on the CPU.
        elements = state_.array(m.populations[population].spike_list_array).length();
        member.count_array = m.populations[population].spike_count_array;
        // Row-parallel delivery (a block per spike, its threads over the row) where rows are
        // long enough to keep the threads busy; a thread per spike otherwise.
        double mean_row = size == 0 ? 0.0 : double(state_.synapse_count(kernel.owner)) / double(size);
        // A bitmask row is split over the threads by words (each word's bits go to one
        // thread), so its words per row bound the parallel work too.
        const uint64_t rows = state_.pre(kernel.owner).size();
        if (proj.column_array != kNone && m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST && rows != 0)
          mean_row = std::min(mean_row, double(state_.array(proj.column_array).length()) / double(rows));
        if ((m.stage_modes[i] & (1u << GENNC_STAGE_BLOCK)) != 0 && mean_row >= kRowParallelMinimum) {
          // Units (spikes x parts) stay below 2^31, whatever the population's size.
          const uint64_t parts = std::clamp<uint64_t>(static_cast<uint64_t>(std::ceil(mean_row / kRowPartSynapses)), 1,
                                                      std::min<uint64_t>(kMaxRowParts, (uint64_t{1} << 31) / std::max<uint64_t>(elements, 1)));
          member.mode = static_cast<uint32_t>(parts);
        }
      } else if (kernel.kind == GENNC_KERNEL_NEURON && placement_.partition != nullptr) {
        const auto [begin, end] = placement_.partition->neurons(kernel.owner);
        if (begin >= end) continue;  // none of this population's neurons is the rank's
        member.begin = begin;
        elements = end;
      } else {
        elements = state_.kernel_range(kernel);
      }
      if (elements > UINT32_MAX) return backend_error(std::string("kernel '") + kernel.name + "' has over 2^32 elements");
      if (elements == 0) continue;  // nothing to do (an empty injection)
      member.end = static_cast<uint32_t>(elements);
      counted = counted || member.count_array != kNone;
      const uint64_t span = elements - member.begin;
      const uint64_t member_units = member.mode != GENNC_STAGE_THREAD ? span * member.mode : (span + kBlock - 1) / kBlock;
      units += member_units;
      if (member.count_array == kNone) launch.fixed_units += member_units;
      members.push_back(member);
    }
    launch.count = static_cast<uint32_t>(members.size());
    // At most one wave: as many blocks as can be resident at once (the stage entries' register
    // use allows only a few per multiprocessor), looping over the units. A second wave would
    // repeat every block's prologue (the members' unit counts and their scan) for nothing.
    // Spike counts are unknown when the graph is captured, so such stages always get the
    // full wave; blocks without units leave at once.
    int resident = 0;
    GENNC_CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&resident, launch.function, kBlock, 0),
             "cuOccupancyMaxActiveBlocksPerMultiprocessor");
    const uint64_t wave = uint64_t(multiprocessors_) * uint64_t(std::max(resident, 1));
    launch.blocks = static_cast<unsigned>(counted ? wave : std::clamp<uint64_t>(units, 1, wave));
    if (!members.empty()) {
      GENNC_CU(cuMemAlloc(&launch.members, members.size() * sizeof(GenncStageMember)), "cuMemAlloc");
      allocations_.push_back(launch.members);
      GENNC_CU(cuMemcpyHtoD(launch.members, members.data(), members.size() * sizeof(GenncStageMember)),
               "cuMemcpyHtoD");
    }
    stages_.push_back(launch);
  }
  return plan_persistent_steps(init);
}

Status Engine::plan_persistent_steps(const DeviceInit* init) {
  const char* text = std::getenv("GENNC_GPU_STEPS");
  const std::string mode = text != nullptr && *text != '\0' ? text : "auto";
  unsigned per_multiprocessor = 0;  // 0: as many as are resident
  const std::string expected = "'; expected auto, graph, persistent or persistent:N (N blocks per multiprocessor, 1-9999)";
  if (mode.rfind("persistent:", 0) == 0) {
    const std::string n = mode.substr(std::strlen("persistent:"));
    if (n.empty() || n.size() > 4 || n.find_first_not_of("0123456789") != std::string::npos || std::stoul(n) == 0)
      return argument_error("GENNC_GPU_STEPS (sim --gpu-steps) is '" + mode + expected);
    per_multiprocessor = static_cast<unsigned>(std::stoul(n));
  } else if (mode != "auto" && mode != "persistent" && mode != "graph") {
    return argument_error("GENNC_GPU_STEPS (sim --gpu-steps) is '" + mode + expected);
  }
  const bool asked = mode != "auto";
  auto unavailable = [&](const std::string& why) {
    return asked ? backend_error("GENNC_GPU_STEPS (sim --gpu-steps) asks for persistent steps, but " + why) : ok();
  };
  if (mode == "graph") return ok();
  // Steps whose spikes cross GPU ranks or that record precise populations keep a launch
  // per stage and a finish (docs/gpu.md).
  if (!folded_) return unavailable("this run keeps the classic step (GPU ranks, or a recorded precise population)");
  if (stages_.empty()) return ok();
  if (!asked) {
    // By default only where every stage's fixed work (its neurons, its sources) fits one
    // block per multiprocessor: each grid barrier costs more than a kernel boundary in a
    // graph, and wins only where the stages themselves are short. On an H100 it took
    // Vogels-Abbott from 9.7 to 7.2 us per step and the microcircuit from 17.1 to 18.3
    // (bench/results/gpu_persistent_steps_2026-12-07.md).
    for (const Stage& stage : stages_)
      if (stage.fixed_units > static_cast<uint64_t>(multiprocessors_)) return ok();
    per_multiprocessor = 1;
  }
  // gennc leaves the entry out where it would not pay for its compile time (gennc
  // --gpu-persistent-steps).
  const CUresult found = api_.cuModuleGetFunction(&persistent_, model_module_, GENNC_STEPS_ENTRY);
  if (found == CUDA_ERROR_NOT_FOUND) {
    persistent_ = nullptr;
    return unavailable("the model was compiled without it (gennc --gpu-persistent-steps always adds it)");
  }
  GENNC_TRY(check(found, "cuModuleGetFunction"));
  int cooperative = 0, resident = 0;
  GENNC_CU(cuDeviceGetAttribute(&cooperative, CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, ordinal_), "cuDeviceGetAttribute");
  GENNC_CU(cuOccupancyMaxActiveBlocksPerMultiprocessor(&resident, persistent_, kBlock, 0),
           "cuOccupancyMaxActiveBlocksPerMultiprocessor");
  if (cooperative == 0) return unavailable("the device does not launch kernels cooperatively");
  if (resident == 0) return unavailable("not one block of the persistent step fits on a multiprocessor");
  const unsigned per = per_multiprocessor != 0 ? std::min<unsigned>(per_multiprocessor, resident) : resident;
  const uint64_t blocks = uint64_t(multiprocessors_) * per;
  // The barrier's u32 targets (barriers passed times blocks) stay below 2^31 over a batch.
  if (kMaxBatch * stages_.size() * blocks >= (uint64_t{1} << 31)) return unavailable("its grid is too large");
  GENNC_CU(cuMemAlloc(&barrier_, sizeof(uint32_t)), "cuMemAlloc");
  allocations_.push_back(barrier_);
  persistent_blocks_ = static_cast<unsigned>(blocks);
  // GENNC_GPU_OVERLAP=0 keeps the strict order where the stages could overlap, for
  // measurements side by side.
  const char* overlap = std::getenv("GENNC_GPU_OVERLAP");
  const bool allowed = overlap == nullptr || std::strcmp(overlap, "0") != 0;
  overlap_ = allowed && state_.model().stage_overlap != 0 && delays_allow_overlap(init) ? 1 : 0;
  return ok();
}

bool Engine::delays_allow_overlap(const DeviceInit* init) const {
  // The compiler checked constant and drawn (procedural) delays; stored ones are read here.
  const GenncModel& m = state_.model();
  std::vector<bool> delivers(m.projection_count, false), updates(m.population_count, false);
  for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
    const GenncKernelInfo& kernel = m.kernels[m.step_schedule[k]];
    if (kernel.kind == GENNC_KERNEL_NEURON) updates[kernel.owner] = true;
    if (kernel.kind == GENNC_KERNEL_SYNAPSE_PRE) delivers[kernel.owner] = true;
  }
  const uint32_t last = m.stage_count - 1;
  for (uint32_t i = m.stage_starts[last]; i < m.stage_starts[last + 1]; ++i) {
    const GenncKernelInfo& kernel = m.kernels[m.stage_kernels[i]];
    const GenncProjectionInfo& p = m.projections[kernel.owner];
    if (kernel.kind != GENNC_KERNEL_SYNAPSE_PRE || p.delay_array == UINT32_MAX) continue;
    if (init != nullptr && init->initialises(p.delay_array)) return false;
    const uint64_t shortest = shortest_stored_delay(state_, kernel.owner);
    if (shortest == 0) continue;  // no synapse
    if (shortest < 2) return false;
    const uint64_t longest = longest_stored_delay(state_, kernel.owner);
    for (uint32_t q = 0; q < m.projection_count; ++q) {
      // Fused into its target's update (no delivery, a source without an update): its
      // spikes are added at slot n + f + 1 by the update of step n.
      const GenncProjectionInfo& fused = m.projections[q];
      if (delivers[q] || updates[fused.pre.population] || fused.receptor_ring_array != p.receptor_ring_array) continue;
      const uint64_t meets = uint64_t{fused.constant_delay_steps} + 1;
      if (shortest <= meets && meets <= longest) return false;
    }
  }
  return true;
}

Status Engine::upload() {
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  for (uint32_t a = 0; a < arrays_.size(); ++a)
    for (unsigned c = 0; c < kSpikeCopies; ++c) {
      const CUdeviceptr copy = c == 0 ? arrays_[a] : copies_[c - 1][a];
      if (copy != 0) GENNC_CU(cuMemcpyHtoD(copy, state_.array(a).data(), state_.array(a).bytes()), "cuMemcpyHtoD");
    }
  last_copy_ = 0;
  return ok();
}

Status Engine::download() {
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  state_.touch_pages(pool_);
  for (uint32_t a = 0; a < arrays_.size(); ++a)
    if (arrays_[a] != 0)
      GENNC_CU(cuMemcpyDtoH(state_.array(a).data(), current(a), state_.array(a).bytes()), "cuMemcpyDtoH");
  return ok();
}

Status Engine::read_array(uint32_t array, void* out, size_t bytes) {
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  if (arrays_[array] != 0) GENNC_CU(cuMemcpyDtoH(out, current(array), bytes), "cuMemcpyDtoH");
  return ok();
}

Status Engine::launch(CUfunction function, unsigned blocks, void** params) {
  GENNC_CU(cuLaunchKernel(function, blocks, 1, 1, kBlock, 1, 1, 0, stream_, params, nullptr), "cuLaunchKernel");
  return ok();
}

// A batch begins with the spike counts zeroed (each step's finish, or a folded step's
// stages, zero them for the next step of the batch, and the last step's counts stay, as on
// the CPU) and, for folded steps, with each step's env written.
Status Engine::enqueue_batch_start(unsigned set, uint64_t steps) {
  const GenncModel& m = state_.model();
  // A precise row's entries are all written (their number first), not or-ed in.
  for (SpikeRecording& s : spike_recordings_)
    if (!s.precise) GENNC_CU(cuMemsetD8Async(s.bits[set], 0, steps * s.words * 4, stream_), "cuMemsetD8Async");
  if (m.population_count != 0) {
    uint32_t n = m.population_count * (folded_ ? kSpikeCopies : 1);
    void* params[] = {&count_table_, &n};
    GENNC_TRY(launch(zero_counts_, blocks_for(n), params));
  }
  if (folded_) {
    RecordingSet& rs = sets_[set];
    uint32_t n = static_cast<uint32_t>(steps);
    uint32_t copies = kSpikeCopies;
    double steps_per_ms = state_.steps_per_ms();
    void* params[] = {&rs.envs, &n, &rs.base, &rs.templates, &copies, &steps_per_ms};
    GENNC_TRY(launch(fill_envs_, blocks_for(n), params));
  }
  return ok();
}

// One step, in the CPU engine's order: the stages, then spikes recorded, step and time
// advanced, variables sampled and (but after the batch's last step) the counts zeroed.
Status Engine::enqueue_step(unsigned set, uint64_t k, uint64_t steps, uint64_t first,
                            const std::vector<CUevent>* events) {
  std::size_t mark = 0;
  auto record = [&]() -> Status {
    if (events != nullptr) GENNC_CU(cuEventRecord((*events)[mark], stream_), "cuEventRecord");
    ++mark;
    return ok();
  };
  GENNC_TRY(record());
  RecordingSet& rs = sets_[set];
  // A folded step reads its own env, written at the batch's start.
  CUdeviceptr env = folded_ ? rs.envs + k * sizeof(GenncKernelEnv) : env_;
  for (uint32_t s = 0; s < stages_.size(); ++s) {
    Stage& stage = stages_[s];
    if (stage.count != 0) {
      void* params[] = {&env, &stage.members, &stage.count};
      GENNC_TRY(launch(stage.function, stage.blocks, params));
    }
    // Timed with the stage whose spikes it exchanges.
    if (placement_.partition != nullptr) GENNC_TRY(placement_.partition->exchange_after(s, stream_));
    GENNC_TRY(record());
  }
  // A folded step's spikes are recorded and its counts zeroed by its stages: what is left
  // for a launch of its own is sampling variables, after the steps that take samples.
  if (folded_ && !launches_sampling(first + k + 1)) return ok();
  GENNC_TRY(enqueue_finish(set, k, steps));
  return record();
}

Status Engine::enqueue_finish(unsigned set, uint64_t k, uint64_t steps) {
  const GenncModel& m = state_.model();
  RecordingSet& rs = sets_[set];
  uint32_t nsamples = sampled_recordings();
  uint32_t nspikes = folded_ ? 0 : static_cast<uint32_t>(spike_recordings_.size());
  uint32_t npops = m.population_count;
  double steps_per_ms = state_.steps_per_ms();
  double dt = m.dt;
  uint32_t zero = !folded_ && k + 1 < steps ? 1 : 0;
  unsigned rows = folded_ ? nsamples : finish_rows_;
  CUdeviceptr finish_env = folded_ ? sample_env_ : env_;
  void* params[] = {&finish_env, &rs.spike_table, &nspikes, &rs.sample_table, &nsamples, &count_table_, &npops,
                    &rs.base, &k, &steps_per_ms, &dt, &zero, &done_};
  GENNC_CU(cuLaunchKernel(finish_, finish_blocks_, rows, 1, kBlock, 1, 1, 0, stream_, params, nullptr),
           "cuLaunchKernel");
  return ok();
}

Status Engine::enqueue_persistent_steps(unsigned set, uint64_t k, uint64_t n) {
  GENNC_CU(cuMemsetD32Async(barrier_, 0, 1, stream_), "cuMemsetD32Async");
  CUdeviceptr envs = sets_[set].envs + k * sizeof(GenncKernelEnv);
  auto steps = static_cast<uint32_t>(n);
  std::vector<void*> params{&envs, &steps, &overlap_, &barrier_};
  for (Stage& stage : stages_) params.insert(params.end(), {&stage.members, &stage.count});
  GENNC_CU(cuLaunchCooperativeKernel(persistent_, persistent_blocks_, 1, 1, kBlock, 1, 1, 0, stream_, params.data()),
           "cuLaunchCooperativeKernel");
  return ok();
}

// Capturing does not wait for the batch that may be running in the other set: captured
// work is recorded, not run.
Status Engine::capture(unsigned set, uint64_t steps, uint64_t first, CUgraphExec* out) {
  GENNC_CU(cuStreamBeginCapture(stream_, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
  Status status = enqueue_batch_start(set, steps);
  for (uint64_t k = 0; k < steps && status.ok(); ++k) status = enqueue_step(set, k, steps, first, nullptr);
  CUgraph graph = nullptr;
  Status ended = check(api_.cuStreamEndCapture(stream_, &graph), "cuStreamEndCapture");
  GENNC_TRY(status);
  GENNC_TRY(ended);
  Status made = check(api_.cuGraphInstantiateWithFlags(out, graph, 0), "cuGraphInstantiate");
  api_.cuGraphDestroy(graph);
  return made;
}

Status Engine::copy_rows_back(unsigned set, uint64_t steps) {
  RecordingSet& rs = sets_[set];
  GENNC_CU(cuStreamWaitEvent(copy_stream_, rs.done, 0), "cuStreamWaitEvent");
  for (const SpikeRecording& s : spike_recordings_)
    if (steps * s.words != 0)
      GENNC_CU(cuMemcpyDtoHAsync(rs.rows + s.host_offset, s.bits[set], steps * s.words * 4, copy_stream_),
               "cuMemcpyDtoHAsync");
  GENNC_CU(cuEventRecord(rs.copied, copy_stream_), "cuEventRecord");
  return ok();
}

Status Engine::collect(unsigned set, uint64_t first, uint64_t steps) {
  const GenncModel& m = state_.model();
  std::vector<Recording>& recordings = state_.recorder().recordings();
  for (const SpikeRecording& s : spike_recordings_) {
    uint32_t* bits = sets_[set].rows + s.host_offset;
    Recording& r = recordings[s.recording];
    const uint32_t size = m.populations[s.population].size;
    if (s.precise) {
      // Each step's entries, ordered (by time, then neuron) as the CPU's recorder orders them.
      const uint32_t capacity = s.words - 1;
      host_times_.resize(steps * capacity);
      if (!host_times_.empty())
        GENNC_CU(cuMemcpyDtoH(host_times_.data(), s.times[set], host_times_.size() * 8), "cuMemcpyDtoH");
      for (uint64_t row = 0; row < steps; ++row) {
        const uint32_t* entries = bits + row * s.words;
        take_precise_spikes(r, first + row + 1, entries + 1, host_times_.data() + row * capacity,
                            std::min(entries[0], capacity), size);
      }
      continue;
    }
    // Bits (or a count per neuron: the CPU's multiplicity) in neuron order, as the CPU's
    // recorder takes each step's row. Reading the rows bounds it (Brunel 1e6: 125 MB a
    // batch), so the pool's threads take a run of steps each into lists of their own,
    // appended in step order: the same spikes in the same order as one thread.
    const unsigned threads = static_cast<unsigned>(std::clamp<uint64_t>(steps, 1, pool_.size()));
    std::vector<std::vector<std::pair<uint64_t, uint32_t>>> parts(threads);
    pool_.run_team(threads, [&](unsigned t) {
      for (uint64_t row = steps * t / threads; row < steps * (t + 1) / threads; ++row)
        take_spike_row(r.selection, parts[t], first + row + 1, bits + row * s.words, size, s.counts);
    });
    for (const auto& part : parts) r.spikes.insert(r.spikes.end(), part.begin(), part.end());
  }
  for (const VariableRecording& v : variable_recordings_) {
    // Samples are taken after steps k * interval for k in (lo, hi].
    const uint64_t lo = first / v.interval, hi = (first + steps) / v.interval;
    if (hi == lo) continue;
    host_samples_.resize((hi - lo) * v.count * v.bytes);
    if (!host_samples_.empty())
      GENNC_CU(cuMemcpyDtoH(host_samples_.data(), v.samples[set], host_samples_.size()), "cuMemcpyDtoH");
    Recording& r = recordings[v.recording];
    const GenncDType dtype = m.arrays[v.array].dtype;
    for (uint64_t k = lo + 1; k <= hi; ++k) {
      const uint64_t step = k * v.interval;
      if (!r.sample_steps.empty() && r.sample_steps.back() == step) continue;
      for (uint32_t i = 0; i < v.count; ++i)
        r.samples.push_back(load_element(dtype, host_samples_.data(), (k - lo - 1) * v.count + i));
      r.sample_steps.push_back(step);
    }
  }
  return ok();
}

Status Engine::run(uint64_t steps) {
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  const GenncModel& m = state_.model();
  // The device's step and time (the env the finish kernel advances) and each batch's base
  // step are taken from the state on every run, never kept between runs, so a step
  // set in between (gennc_set_step, a checkpoint, a reset) is where the device goes on.
  GenncKernelEnv env{reinterpret_cast<void* const*>(pointer_table_), reinterpret_cast<const uint64_t*>(length_table_),
                     state_.time(), m.dt, state_.step(), state_.seed(), nullptr, 0, nullptr, 0, nullptr};
  if (post_ranges_ != 0) {
    // A GPU rank's procedural rows deliver only to its neurons (its partition is known
    // once the network is built).
    std::vector<std::pair<uint32_t, uint32_t>> neurons;
    for (uint32_t q = 0; q < m.population_count; ++q) neurons.push_back(placement_.partition->neurons(q));
    const std::vector<uint32_t> ranges = state_.post_ranges(neurons);
    GENNC_CU(cuMemcpyHtoD(post_ranges_, ranges.data(), ranges.size() * 4), "cuMemcpyHtoD");
    env.post_ranges = reinterpret_cast<const uint32_t*>(post_ranges_);
  }
  GENNC_CU(cuMemcpyHtoD(env_, &env, sizeof env), "cuMemcpyHtoD");
  if (folded_) GENNC_TRY(write_templates());
  if (profiling_) {
    GENNC_TRY(run_profiled(steps));
    return stop_request() != 0 ? stop_for_request(state_.step()) : ok();
  }
  // Batches alternate between the two recording sets, and each is launched before the one
  // in the other set is collected: the host decodes batch k while the device runs k + 1.
  // At most one batch is left uncollected after each pass, the one just launched.
  const uint64_t end = state_.step() + steps;
  uint64_t next = state_.step();  // the step after which the next batch begins
  Status status = ok();
  for (unsigned set = 0; status.ok() && next < end; set ^= 1) {
    const auto launching = std::chrono::steady_clock::now();
    status = launch_batch(set, next, std::min(batch_, end - next));
    launching_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - launching).count();
    if (!status.ok()) break;
    next += sets_[set].steps;
    if (sets_[set ^ 1].steps != 0) status = finish_batch(set ^ 1);
  }
  for (unsigned set = 0; set < 2 && status.ok(); ++set)
    if (sets_[set].steps != 0) status = finish_batch(set);
  if (!status.ok()) {
    // The first failure is the one reported; nothing of this run may still be running
    // once it returns (the recording sets are free again).
    api_.cuStreamSynchronize(stream_);
    api_.cuStreamSynchronize(copy_stream_);
    for (RecordingSet& set : sets_) set.steps = 0;
  }
  // A stop request ends the run after the call's last step (its batches are in flight).
  if (status.ok() && stop_request() != 0) return stop_for_request(state_.step());
  return status;
}

Status Engine::launch_batch(unsigned set, uint64_t first, uint64_t steps) {
  RecordingSet& rs = sets_[set];
  CUgraphExec graph = nullptr;
  if (persistent_blocks_ == 0) {
    const std::pair<uint64_t, uint64_t> key{steps, phase(first)};
    auto found = rs.graphs.find(key);
    if (found == rs.graphs.end()) {
      GENNC_TRY(capture(set, steps, first, &graph));
      found = rs.graphs.emplace(key, graph).first;
    }
    graph = found->second;
  }
  // Written on the stream (the u64's low then high word), so after the batch before, which
  // reads its own set's base, and before this one; the host does not wait for either.
  rs.first = first;
  GENNC_CU(cuMemsetD32Async(rs.base, static_cast<uint32_t>(first), 1, stream_), "cuMemsetD32Async");
  GENNC_CU(cuMemsetD32Async(rs.base + 4, static_cast<uint32_t>(first >> 32), 1, stream_), "cuMemsetD32Async");
  if (graph != nullptr) {
    GENNC_CU(cuGraphLaunch(graph, stream_), "cuGraphLaunch");
  } else {
    // A few launches a batch, not worth a graph: its start, then the steps up to and
    // including each that samples in one launch, and that sampling.
    GENNC_TRY(enqueue_batch_start(set, steps));
    for (uint64_t k = 0; k < steps;) {
      uint64_t last = k;
      while (last + 1 < steps && !launches_sampling(first + last + 1)) ++last;
      GENNC_TRY(enqueue_persistent_steps(set, k, last - k + 1));
      if (launches_sampling(first + last + 1)) GENNC_TRY(enqueue_finish(set, last, steps));
      k = last + 1;
    }
  }
  GENNC_CU(cuEventRecord(rs.done, stream_), "cuEventRecord");
  GENNC_TRY(copy_rows_back(set, steps));
  rs.steps = steps;
  if (folded_) last_copy_ = static_cast<unsigned>((first + steps - 1) % kSpikeCopies);
  return ok();
}

Status Engine::finish_batch(unsigned set) {
  RecordingSet& rs = sets_[set];
  const uint64_t steps = rs.steps;
  rs.steps = 0;
  using Clock = std::chrono::steady_clock;
  const auto waiting = Clock::now();
  GENNC_CU(cuEventSynchronize(rs.done), "running a batch of steps");
  const auto copying = Clock::now();
  GENNC_CU(cuEventSynchronize(rs.copied), "copying a batch's spikes back");
  const auto collecting = Clock::now();
  GENNC_TRY(collect(set, rs.first, steps));
  waiting_ += std::chrono::duration<double>(copying - waiting).count();
  copying_ += std::chrono::duration<double>(collecting - copying).count();
  collecting_ += std::chrono::duration<double>(Clock::now() - collecting).count();
  ++batches_;
  state_.advance(steps);
  return ok();
}

std::vector<std::pair<std::string, double>> Engine::run_parts() const {
  if (batches_ == 0) return {};  // only profiled runs (they time their parts per stage)
  return {{"launching batches (graph captures included)", launching_},
          {"waiting for the device", waiting_},
          {"waiting for the spike rows' copy", copying_},
          {"taking the recordings (host)", collecting_}};
}

std::vector<ProfileRow> Engine::profile() const {
  std::vector<ProfileRow> rows;
  if (profiled_steps_ == 0) return rows;
  for (const LaunchTime& launch : profile_)
    rows.push_back({launch.name, launch.members, launch.seconds / static_cast<double>(profiled_steps_)});
  return rows;
}

// The same launches as a captured batch, issued one by one with an event after each; the
// host waits for every step (profiling measures the device, not throughput).
Status Engine::run_profiled(uint64_t steps) {
  const GenncModel& m = state_.model();
  if (profile_.empty()) {
    for (uint32_t stage = 0; stage < m.stage_count; ++stage) {
      std::string members = std::to_string(stages_[stage].blocks) + " blocks:";
      for (uint32_t i = m.stage_starts[stage]; i < m.stage_starts[stage + 1]; ++i) {
        members += " ";
        if (members.size() > 70) {
          members += "... (" + std::to_string(m.stage_starts[stage + 1] - i) + " more)";
          break;
        }
        members += m.kernels[m.stage_kernels[i]].name;
      }
      profile_.push_back({"stage " + std::to_string(stage), members, 0.0});
    }
    profile_.push_back({"zero counts", folded_ ? "runtime: spike counts zeroed, step envs written, once per batch"
                                               : "runtime: spike counts zeroed once per batch",
                        0.0});
    if (!folded_)
      profile_.push_back({"finish step", "runtime: spikes recorded, variables sampled, t advanced", 0.0});
    else if (sampled_recordings() != 0)
      profile_.push_back({"sample step", "runtime: variables sampled (spikes recorded by the stages)", 0.0});
    collect_row_ = profile_.size();
    profile_.push_back({"collect (host)", "host: each batch's recordings copied back and decoded (the device waits)", 0.0});
  }
  const std::size_t finish_row = stages_.size() + 1;
  while (events_.size() < stages_.size() + 2) {
    CUevent event = nullptr;
    GENNC_CU(cuEventCreate(&event, CU_EVENT_DEFAULT), "cuEventCreate");
    events_.push_back(event);
  }
  auto elapsed = [&](CUevent from, CUevent to, double* seconds) -> Status {
    float ms = 0.0f;
    GENNC_CU(cuEventElapsedTime(&ms, from, to), "cuEventElapsedTime");
    *seconds += ms * 1e-3;
    return ok();
  };
  const std::size_t zero_row = stages_.size();
  for (uint64_t done = 0; done < steps;) {
    uint64_t n = std::min(batch_, steps - done);
    uint64_t first = state_.step();
    GENNC_CU(cuMemcpyHtoD(sets_[0].base, &first, 8), "cuMemcpyHtoD");
    GENNC_CU(cuEventRecord(events_[0], stream_), "cuEventRecord");
    GENNC_TRY(enqueue_batch_start(0, n));
    GENNC_CU(cuEventRecord(events_[1], stream_), "cuEventRecord");
    GENNC_CU(cuEventSynchronize(events_[1]), "running a batch start");
    GENNC_TRY(elapsed(events_[0], events_[1], &profile_[zero_row].seconds));
    for (uint64_t k = 0; k < n; ++k) {
      GENNC_TRY(enqueue_step(0, k, n, first, &events_));
      // A folded step that does not sample ends with its last stage.
      const bool finish = !folded_ || launches_sampling(first + k + 1);
      const std::size_t last_event = stages_.size() + (finish ? 1 : 0);
      GENNC_CU(cuEventSynchronize(events_[last_event]), "running a step");
      for (std::size_t stage = 0; stage < stages_.size(); ++stage)
        GENNC_TRY(elapsed(events_[stage], events_[stage + 1], &profile_[stage].seconds));
      if (finish) GENNC_TRY(elapsed(events_[stages_.size()], events_[last_event], &profile_[finish_row].seconds));
    }
    if (folded_) last_copy_ = static_cast<unsigned>((first + n - 1) % kSpikeCopies);
    const auto collecting = std::chrono::steady_clock::now();
    GENNC_CU(cuEventRecord(sets_[0].done, stream_), "cuEventRecord");
    GENNC_TRY(copy_rows_back(0, n));
    GENNC_CU(cuEventSynchronize(sets_[0].copied), "copying a batch's spikes back");
    GENNC_TRY(collect(0, first, n));
    profile_[collect_row_].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - collecting).count();
    state_.advance(n);
    done += n;
    profiled_steps_ += n;
  }
  return ok();
}

}  // namespace gennc::runtime::cuda
