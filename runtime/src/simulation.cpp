#include "simulation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <tuple>
#include <unordered_map>

#include "cuda/cuda_engine.h"
#include "gennc/connect_rows.h"
#include "gennc/random.h"
#include "initialise.h"
#include "memory.h"
#include "positions.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string name_of(const char* name) { return name ? name : "?"; }

// Ring depths are powers of two so that kernels find a slot with a mask, not a remainder.
constexpr uint64_t kLongestRing = uint64_t{1} << 31;

uint64_t ring_depth_for(uint64_t longest_delay) {
  uint64_t depth = 1;
  while (depth < longest_delay + 1) depth <<= 1;
  return depth;
}

}  // namespace

Simulation::Simulation(const GenncModel& model, const SimulationOptions& options)
    : model_(model), seed_(options.seed), output_folder_(options.output_folder), pool_(options.threads) {
  double per_ms = std::round(1.0 / model.dt);
  if (per_ms >= 1.0 && std::fabs(per_ms * model.dt - 1.0) < 1e-12) steps_per_ms_ = per_ms;
  for (uint32_t a = 0; a < model.array_count; ++a)
    if ((model.arrays[a].flags & GENNC_ARRAY_FAULT) && model.arrays[a].scope == GENNC_SCOPE_SCALAR)
      fault_steps_.push_back(a);
}

Status Simulation::create(const GenncModel& model, const SimulationOptions& options,
                          std::unique_ptr<Simulation>* out) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Simulation> sim(new Simulation(model, options));
  if (!sim->pool_.error().empty()) return internal_error(sim->pool_.error());
  GENNC_TRY(sim->check_model());
  GENNC_TRY(sim->match_host_connections(options));
  if (options.backend != "cpu") {
    // "auto" takes the GPU when the driver, a device and the model's PTX are all there.
    // The engine builds the network, with the device drawing what it can (device_init.h).
    Status gpu = cuda::Engine::create(*sim, &sim->gpu_, cuda::Engine::Setup::Build);
    if (!gpu.ok() && options.backend == "cuda") return gpu;
    // A set-up that failed after building part of the network leaves the host copies
    // incomplete: the CPU starts afresh.
    if (!gpu.ok() && !sim->arrays_.empty()) {
      sim.reset(new Simulation(model, options));
      if (!sim->pool_.error().empty()) return internal_error(sim->pool_.error());
      GENNC_TRY(sim->match_host_connections(options));
    }
  }
  // Recordings may take a quarter of what is left once the network is built.
  sim->default_recording_budget_ = available_memory().bytes / 4;
  sim->recording_budget_ = sim->default_recording_budget_;
  if (!sim->gpu_) {
    GENNC_TRY(sim->plan_host_memory());
    GENNC_TRY(sim->build());
  }
  sim->host_for_ = {};  // the caller's arrays are borrowed for this call only
  sim->timings_.build = model.build_seconds > 0 ? model.build_seconds : -1.0;
  sim->timings_.init = seconds_since(start);
  *out = std::move(sim);
  return ok();
}

Simulation::~Simulation() = default;

std::string Simulation::backend() const { return gpu_ ? "cuda (" + gpu_->device() + ")" : "cpu"; }

Status Simulation::host_view() const {
  if (fresh_ != Fresh::Device) return ok();
  GENNC_TRY(gpu_->download());
  fresh_ = Fresh::Both;
  return ok();
}

Status Simulation::host_edit() {
  GENNC_TRY(host_view());
  if (gpu_) fresh_ = Fresh::Host;
  return ok();
}

Status Simulation::replace_device_copy() {
  if (!gpu_) return ok();
  gpu_.reset();
  fresh_ = Fresh::Both;
  GENNC_TRY(cuda::Engine::create(*this, &gpu_, cuda::Engine::Setup::Upload));
  gpu_->set_profiling(profiling_);  // the new engine profiles as the old one did
  return ok();
}

// ---- Model checks ------------------------------------------------------------------

Status Simulation::check_model() const {
  const GenncModel& m = model_;
  if (m.abi_version != GENNC_MODEL_ABI_VERSION)
    return model_error("the model was compiled for model ABI " + std::to_string(m.abi_version) +
                       ", this runtime reads ABI " + std::to_string(GENNC_MODEL_ABI_VERSION));
  if (!(m.dt > 0.0) || !std::isfinite(m.dt)) return model_error("the model's dt must be positive");
  auto array_ok = [&](uint32_t id, bool optional) { return (optional && id == kNone) || id < m.array_count; };
  std::unordered_map<std::string, uint32_t> names;
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    if (info.name == nullptr) return model_error("array " + std::to_string(a) + " has no name");
    std::string what = "array '" + std::string(info.name) + "'";
    if (!names.emplace(info.name, a).second) return model_error(what + " is declared twice");
    if (!dtype_valid(info.dtype)) return model_error(what + " has an unknown dtype");
    switch (info.scope) {
      case GENNC_SCOPE_SCALAR:
      case GENNC_SCOPE_LIST:
        break;
      case GENNC_SCOPE_NEURON:
      case GENNC_SCOPE_RING:
        if (info.owner >= m.population_count) return model_error(what + " belongs to a population that does not exist");
        break;
      case GENNC_SCOPE_SYNAPSE:
      case GENNC_SCOPE_ROW_POINTER:
      case GENNC_SCOPE_COLUMN_POINTER:
        if (info.owner >= m.projection_count) return model_error(what + " belongs to a projection that does not exist");
        break;
      default:
        return model_error(what + " has an unknown scope");
    }
  }
  auto u32_array = [&](uint32_t id, GenncArrayScope scope, uint32_t owner, bool owned) {
    const GenncArrayInfo& info = m.arrays[id];
    return info.dtype == GENNC_U32 && info.scope == scope && (!owned || info.owner == owner);
  };
  for (uint32_t p = 0; p < m.population_count; ++p) {
    const GenncPopulationInfo& pop = m.populations[p];
    std::string what = "population '" + name_of(pop.name) + "'";
    if (!array_ok(pop.spike_count_array, false) || !u32_array(pop.spike_count_array, GENNC_SCOPE_SCALAR, p, false))
      return model_error(what + ": its spike count must be a uint32 scalar array");
    if (!array_ok(pop.spike_list_array, false) || !u32_array(pop.spike_list_array, GENNC_SCOPE_NEURON, p, true))
      return model_error(what + ": its spike list must be a uint32 per-neuron array of the population");
    if (!array_ok(pop.ring_depth_array, true) ||
        (pop.ring_depth_array != kNone && !u32_array(pop.ring_depth_array, GENNC_SCOPE_SCALAR, p, false)))
      return model_error(what + ": its ring depth must be a uint32 scalar array");
    if (!array_ok(pop.spike_multiplicity_array, true) ||
        (pop.spike_multiplicity_array != kNone &&
         !u32_array(pop.spike_multiplicity_array, GENNC_SCOPE_NEURON, p, true)))
      return model_error(what + ": its spike multiplicity must be a uint32 per-neuron array of the population");
  }
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    std::string what = "projection '" + name_of(proj.name) + "'";
    if (proj.pre.population >= m.population_count || proj.post.population >= m.population_count)
      return model_error(what + " connects a population that does not exist");
    if (!array_ok(proj.row_pointer_array, false) || !u32_array(proj.row_pointer_array, GENNC_SCOPE_ROW_POINTER, p, true))
      return model_error(what + ": its row pointers must be a uint32 row-pointer array of the projection");
    // No column array: a procedural or dense projection, whose kernels generate the rows; a
    // list-scope one: a bitmask (one bit per candidate pair, rows of whole words).
    if (!array_ok(proj.column_array, true) ||
        (proj.column_array != kNone && !u32_array(proj.column_array, GENNC_SCOPE_SYNAPSE, p, true) &&
         !u32_array(proj.column_array, GENNC_SCOPE_LIST, p, true)))
      return model_error(what + ": its columns must be a uint32 per-synapse array or a bitmask of the projection");
    bool has_columns = proj.column_pointer_array != kNone;
    if (has_columns != (proj.column_synapse_array != kNone))
      return model_error(what + ": column pointers and column synapse ids come together");
    if (has_columns && (!array_ok(proj.column_pointer_array, false) || !array_ok(proj.column_synapse_array, false) ||
                        !u32_array(proj.column_pointer_array, GENNC_SCOPE_COLUMN_POINTER, p, true) ||
                        !u32_array(proj.column_synapse_array, GENNC_SCOPE_SYNAPSE, p, true)))
      return model_error(what + ": its column arrays must be uint32 arrays of the projection");
    if (!array_ok(proj.delay_array, true) ||
        (proj.delay_array != kNone && (m.arrays[proj.delay_array].scope != GENNC_SCOPE_SYNAPSE ||
                                       m.arrays[proj.delay_array].owner != p)))
      return model_error(what + ": its delays must be a per-synapse array of the projection");
    if (proj.delay_array == kNone && proj.constant_delay_steps == 0)
      return model_error(what + ": its delay must be at least one step");
    if (!array_ok(proj.weight_from_list, true) ||
        (proj.weight_from_list != kNone && (m.arrays[proj.weight_from_list].scope != GENNC_SCOPE_SYNAPSE ||
                                            m.arrays[proj.weight_from_list].owner != p)))
      return model_error(what + ": its list weights must go to a per-synapse array of the projection");
    if (!array_ok(proj.receptor_ring_array, true))
      return model_error(what + ": its receptor ring does not exist");
    if (proj.host_column_count > 0 && (proj.host_columns == nullptr || proj.connector.kind != GENNC_CONNECT_FROM_HOST))
      return model_error(what + ": only a from_host projection takes columns from the host");
    for (uint32_t c = 0; c < proj.host_column_count; ++c) {
      const GenncHostColumn& column = proj.host_columns[c];
      if (column.name == nullptr || !array_ok(column.array, false) ||
          m.arrays[column.array].scope != GENNC_SCOPE_SYNAPSE || m.arrays[column.array].owner != p)
        return model_error(what + ": its host column " + std::to_string(c) +
                           " must name a per-synapse array of the projection");
    }
    if (proj.connector.kind == GENNC_CONNECT_CLONE && !(proj.connector.params[0] >= 0 &&
                                                        proj.connector.params[0] < m.projection_count))
      return model_error(what + ": it clones a projection that does not exist");
  }
  for (uint32_t i = 0; i < m.injection_count; ++i)
    if (m.injections[i].target.population >= m.population_count)
      return model_error("injection '" + name_of(m.injections[i].name) + "' targets a population that does not exist");
  for (uint32_t k = 0; k < m.kernel_count; ++k) {
    const GenncKernelInfo& kernel = m.kernels[k];
    std::string what = "kernel '" + name_of(kernel.name) + "'";
    if (kernel.host == nullptr)
      return model_error(what + " has no host code (the model was compiled for the GPU only)");
    uint32_t limit = 0;
    switch (kernel.kind) {
      case GENNC_KERNEL_NEURON:
      case GENNC_KERNEL_DERIVED: limit = m.population_count; break;
      case GENNC_KERNEL_CURRENT_SOURCE: limit = m.injection_count; break;
      case GENNC_KERNEL_SYNAPSE_PRE:
      case GENNC_KERNEL_SYNAPSE_POST:
      case GENNC_KERNEL_TRACE_PRE:
      case GENNC_KERNEL_TRACE_POST:
      case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
      case GENNC_KERNEL_DERIVED_SYNAPSE: limit = m.projection_count; break;
      default: return model_error(what + " has an unknown kind");
    }
    if (kernel.owner >= limit) return model_error(what + " belongs to something that does not exist");
  }
  for (uint32_t k = 0; k < m.init_schedule_length; ++k)
    if (m.init_schedule[k] >= m.kernel_count) return model_error("the init schedule names a kernel that does not exist");
  for (uint32_t k = 0; k < m.step_schedule_length; ++k)
    if (m.step_schedule[k] >= m.kernel_count) return model_error("the step schedule names a kernel that does not exist");
  return ok();
}

// Each entry must name a FROM_HOST projection, once; each FROM_HOST projection needs one.
Status Simulation::match_host_connections(const SimulationOptions& options) {
  const GenncModel& m = model_;
  if (options.connection_count > 0 && options.connections == nullptr)
    return argument_error("GenncOptions.connection_count is " + std::to_string(options.connection_count) +
                          " but GenncOptions.connections is null");
  host_for_.assign(m.projection_count, nullptr);
  std::vector<uint32_t> entry_of(m.projection_count, 0);
  for (uint32_t e = 0; e < options.connection_count; ++e) {
    const GenncConnections& c = options.connections[e];
    std::string what = "GenncOptions.connections[" + std::to_string(e) + "]";
    if (c.projection == nullptr) return argument_error(what + " names no projection");
    uint32_t p = 0;
    while (p < m.projection_count && name_of(m.projections[p].name) != c.projection) ++p;
    if (p == m.projection_count)
      return argument_error(what + " names projection '" + c.projection + "', which the model does not have");
    if (m.projections[p].connector.kind != GENNC_CONNECT_FROM_HOST)
      return argument_error(what + " names projection '" + c.projection +
                            "', whose connector is not from_host(): its synapses do not come from the host");
    if (host_for_[p] != nullptr)
      return argument_error(what + " names projection '" + c.projection + "' again (GenncOptions.connections[" +
                            std::to_string(entry_of[p]) + "] did already)");
    if (c.count > 0 && (c.pre == nullptr || c.post == nullptr))
      return argument_error(what + " (projection '" + c.projection + "') has " + std::to_string(c.count) +
                            " synapses but no pre or post indices");
    GENNC_TRY(check_host_columns(m.projections[p], c, what + " (projection '" + std::string(c.projection) + "')"));
    host_for_[p] = &c;
    entry_of[p] = e;
  }
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (m.projections[p].connector.kind == GENNC_CONNECT_FROM_HOST && host_for_[p] == nullptr)
      return argument_error("projection '" + name_of(m.projections[p].name) +
                            "' takes its synapses from the host (from_host()), but GenncOptions.connections has "
                            "no entry for it");
  return ok();
}

// An entry's columns: each names, once, a variable the projection declared in
// from_host(...), and has values when there are synapses (the values are checked as the
// synapses are copied, connect.cpp).
Status Simulation::check_host_columns(const GenncProjectionInfo& proj, const GenncConnections& c,
                                      const std::string& what) const {
  if (c.column_count == 0) return ok();
  if (c.column_names == nullptr || c.columns == nullptr)
    return argument_error(what + " has " + std::to_string(c.column_count) +
                          " columns but no column names or no column values");
  std::string declared;
  for (uint32_t d = 0; d < proj.host_column_count; ++d)
    declared += std::string(declared.empty() ? "" : ", ") + "'" + name_of(proj.host_columns[d].name) + "'";
  for (uint32_t k = 0; k < c.column_count; ++k) {
    if (c.column_names[k] == nullptr) return argument_error(what + ": column " + std::to_string(k) + " has no name");
    std::string name = c.column_names[k];
    uint32_t d = 0;
    while (d < proj.host_column_count && name_of(proj.host_columns[d].name) != name) ++d;
    if (d == proj.host_column_count)
      return argument_error(what + ": column '" + name + "' is not one the projection takes from the host; " +
                            (declared.empty() ? std::string("its connector from_host() names none")
                                              : "its connector from_host(...) names " + declared) +
                            " (weight and delay have fields of their own)");
    for (uint32_t j = 0; j < k; ++j)
      if (c.column_names[j] != nullptr && name == c.column_names[j])
        return argument_error(what + ": column '" + name + "' is given twice (columns " + std::to_string(j) +
                              " and " + std::to_string(k) + ")");
    if (c.count > 0 && c.columns[k] == nullptr)
      return argument_error(what + ": column '" + name + "' has no values");
  }
  return ok();
}

// ---- Building ----------------------------------------------------------------------

Status Simulation::build(DeviceBuilder* device) {
  const GenncModel& m = model_;
  arrays_.resize(m.array_count);
  lengths_.assign(m.array_count, 0);
  structural_.assign(m.array_count, false);
  synapse_counts_.assign(m.projection_count, 0);
  ring_depths_.assign(m.population_count, 1);
  kernel_seconds_.assign(m.kernel_count, 0.0);

  for (uint32_t p = 0; p < m.population_count; ++p)
    if (m.populations[p].ring_depth_array != kNone) structural_[m.populations[p].ring_depth_array] = true;
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    for (uint32_t id : {proj.row_pointer_array, proj.column_array, proj.column_pointer_array, proj.column_synapse_array,
                        proj.delay_array})
      if (id != kNone) structural_[id] = true;
  }

  // Arrays whose length the model fixes, initialised now.
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    uint64_t length = 0;
    switch (info.scope) {
      case GENNC_SCOPE_SCALAR: length = 1; break;
      case GENNC_SCOPE_NEURON: length = m.populations[info.owner].size; break;
      case GENNC_SCOPE_LIST: length = info.length; break;
      case GENNC_SCOPE_ROW_POINTER: length = m.populations[m.projections[info.owner].pre.population].size + 1ull; break;
      case GENNC_SCOPE_COLUMN_POINTER: length = m.populations[m.projections[info.owner].post.population].size + 1ull; break;
      default: continue;  // synapse and ring arrays wait for connectivity
    }
    arrays_[a] = Buffer(info.dtype, length);
    if (!structural_[a] && !(device && device->initialises(a)))
      GENNC_TRY(initialise_array(m, info, seed_, nullptr, &pool_, &arrays_[a]));
  }

  positions_.resize(m.population_count);
  for (uint32_t p = 0; p < m.population_count; ++p)
    GENNC_TRY(compute_positions(m.populations[p].structure, m.populations[p].size, seed_, name_of(m.populations[p].name),
                                &positions_[p]));
  injection_counts_.resize(m.injection_count);
  for (uint32_t i = 0; i < m.injection_count; ++i) {
    Selection target;
    GENNC_TRY(Selection::make(m.injections[i].target, m.populations[m.injections[i].target.population].size,
                              "injection '" + name_of(m.injections[i].name) + "'", &target));
    injection_counts_[i] = target.size();
  }

  pre_.resize(m.projection_count);
  post_.resize(m.projection_count);
  connections_.resize(m.projection_count);
  synapse_pre_.resize(m.projection_count);
  synapse_post_.resize(m.projection_count);
  std::vector<int> state(m.projection_count, 0);  // 0 to do, 1 building, 2 built
  for (uint32_t p = 0; p < m.projection_count; ++p) GENNC_TRY(build_projection(p, &state, device));
  for (uint32_t p = 0; p < m.projection_count; ++p) GENNC_TRY(fill_synapse_arrays(p, device));
  GENNC_TRY(build_rings(device));
  // The build-time synapse lists are no longer needed; the arrays hold connectivity now.
  connections_ = {};
  synapse_pre_ = {};
  synapse_post_ = {};
  refresh_pointers();
  GENNC_TRY(recorder_.setup(m, lengths_));
  // With a device builder the engine runs the init schedule on the device's arrays.
  return device ? ok() : run_init_schedule();
}

Status Simulation::build_projection(uint32_t p, std::vector<int>* state, DeviceBuilder* device) {
  if ((*state)[p] == 2) return ok();
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  if ((*state)[p] == 1) return model_error(what + " is part of a cycle of clones");
  (*state)[p] = 1;
  GENNC_TRY(Selection::make(proj.pre, m.populations[proj.pre.population].size, what + " (pre)", &pre_[p]));
  GENNC_TRY(Selection::make(proj.post, m.populations[proj.post.population].size, what + " (post)", &post_[p]));
  uint32_t pre_size = m.populations[proj.pre.population].size;
  if (proj.column_array == kNone) {
    GENNC_TRY(count_generated_rows(p));
    (*state)[p] = 2;
    return ok();
  }

  const bool bitmask = m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST;
  if (device != nullptr && device->connects(p) && !bitmask) {
    // The device generates the columns; the host needs the row pointers (from the rows'
    // lengths) and the synapse count.
    std::vector<uint32_t> lengths;
    GENNC_TRY(device->row_lengths(p, &lengths));
    std::vector<uint64_t> row_start(pre_size + 1, 0);
    for (uint32_t i = 0; i < pre_[p].size(); ++i) row_start[pre_[p].global(i) + 1] = lengths[i];
    GENNC_TRY(store_row_pointers(p, &row_start));
    (*state)[p] = 2;
    return ok();
  }

  ConnectRequest request;
  request.projection = &proj;
  request.seed = seed_;
  request.dt = m.dt;
  request.pre = &pre_[p];
  request.post = &post_[p];
  request.pre_xyz = &positions_[proj.pre.population];
  request.post_xyz = &positions_[proj.post.population];
  request.pool = &pool_;
  request.host = p < host_for_.size() ? host_for_[p] : nullptr;
  if (proj.connector.kind == GENNC_CONNECT_CLONE) {
    auto source = static_cast<uint32_t>(proj.connector.params[0]);
    GENNC_TRY(build_projection(source, state, device));
    request.clone_of = &connections_[source];
    request.clone_pre = &pre_[source];
    request.clone_post = &post_[source];
  }
  Connections& c = connections_[p];
  GENNC_TRY(connect(request, &c));

  // CSR over population indices: synapses grouped by pre neuron (a counting sort keeps
  // build order), then each row sorted by post neuron (build order among repeats).
  uint64_t n = c.pre.size();
  if (n > UINT32_MAX) return model_error(what + " has more than 2^32 - 1 synapses");
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  std::vector<uint32_t> row_start(pre_size + 1, 0);
  for (uint64_t k = 0; k < n; ++k) ++row_start[pre.global(c.pre[k]) + 1];
  for (uint32_t r = 0; r < pre_size; ++r) row_start[r + 1] += row_start[r];
  std::vector<uint32_t> order(n);
  bool grouped = true;  // row-wise connectors build rows in order already
  for (uint64_t k = 1; k < n && grouped; ++k) grouped = pre.global(c.pre[k - 1]) <= pre.global(c.pre[k]);
  if (grouped) {
    for (uint64_t k = 0; k < n; ++k) order[k] = static_cast<uint32_t>(k);
  } else {
    std::vector<uint32_t> next(row_start.begin(), row_start.end() - 1);
    for (uint64_t k = 0; k < n; ++k) order[next[pre.global(c.pre[k])]++] = static_cast<uint32_t>(k);
  }
  pool_.parallel_for(pre_size, 64, [&](uint32_t begin, uint32_t end) {
    std::vector<uint64_t> keys;  // post neuron << 32 | build position: sorting these is stable
    for (uint32_t r = begin; r < end; ++r) {
      keys.clear();
      for (uint32_t k = row_start[r]; k < row_start[r + 1]; ++k)
        keys.push_back(uint64_t{post.global(c.post[order[k]])} << 32 | order[k]);
      if (std::is_sorted(keys.begin(), keys.end())) continue;
      std::sort(keys.begin(), keys.end());
      for (size_t k = 0; k < keys.size(); ++k) order[row_start[r] + k] = static_cast<uint32_t>(keys[k]);
    }
  });
  std::vector<uint32_t>& spre = synapse_pre_[p];
  std::vector<uint32_t>& spost = synapse_post_[p];
  spre.resize(n);
  spost.resize(n);
  pool_.parallel_for(static_cast<uint32_t>(n), 65536, [&](uint32_t begin, uint32_t end) {
    for (uint32_t k = begin; k < end; ++k) {
      spre[k] = pre.global(c.pre[order[k]]);
      spost[k] = post.global(c.post[order[k]]);
    }
  });
  auto permute = [&](std::vector<double>* column) {
    if (column->empty()) return;
    std::vector<double> sorted(n);
    for (uint64_t k = 0; k < n; ++k) sorted[k] = (*column)[order[k]];
    *column = std::move(sorted);
  };
  // The list columns follow the synapses into CSR order; the pairs stay in build order for clones.
  permute(&c.weight);
  permute(&c.delay);
  for (HostColumn& column : c.columns) permute(&column.values);
  synapse_counts_[p] = n;

  std::copy(row_start.begin(), row_start.end(), static_cast<uint32_t*>(arrays_[proj.row_pointer_array].data()));
  (*state)[p] = 2;
  return ok();
}

// A procedural or dense projection stores no columns: each row's length, counted with the
// generator its delivery kernel follows (gennc/connect_rows.h), gives every synapse the index
// its stored twin would have, which addresses its per-synapse draws and (dense) values. A
// dense projection whose values are computed from the synapse's endpoints (distance
// expressions) also gets the build-time synapse list those initialisers read.
Status Simulation::generated_row_lengths(uint32_t p, uint64_t seed, std::vector<uint64_t>* row_start) const {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  GenncRowConnector connector;
  if (gennc_row_connector_init(&connector, proj.connector.kind, seed, proj.connector.stream, post.size(),
                               proj.connector.params[0], proj.connector.with_replacement))
    return model_error(what + ": its connector cannot be procedural or has an invalid parameter");
  bool self_excluded = proj.connector.allow_self_connections == 0 && proj.pre.population == proj.post.population;
  row_start->assign(m.populations[proj.pre.population].size + uint64_t{1}, 0);
  for (uint32_t i = 0; i < pre.size(); ++i) {
    int64_t excluded = self_excluded ? post.local(pre.global(i)) : -1;
    uint32_t skip = excluded >= 0 ? static_cast<uint32_t>(excluded) : GENNC_ROW_NONE;
    if (!gennc_row_feasible(&connector, skip)) return model_error(what + ": a row has no candidate to connect to");
    (*row_start)[pre.global(i) + 1] = gennc_row_length(&connector, i, pre.global(i), skip);
  }
  return ok();
}

Status Simulation::count_generated_rows(uint32_t p) {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  std::vector<uint64_t> row_start;
  GENNC_TRY(generated_row_lengths(p, seed_, &row_start));
  GENNC_TRY(store_row_pointers(p, &row_start));
  GenncRowConnector connector;
  gennc_row_connector_init(&connector, proj.connector.kind, seed_, proj.connector.stream, post.size(),
                           proj.connector.params[0], proj.connector.with_replacement);
  bool self_excluded = proj.connector.allow_self_connections == 0 && proj.pre.population == proj.post.population;
  bool endpoints = false;
  for (uint32_t a = 0; a < m.array_count; ++a)
    endpoints = endpoints || (m.arrays[a].scope == GENNC_SCOPE_SYNAPSE && m.arrays[a].owner == p &&
                              m.arrays[a].init.kind == GENNC_INIT_SYNAPSE_KERNEL);
  if (endpoints) {
    synapse_pre_[p].reserve(row_start.back());
    synapse_post_[p].reserve(row_start.back());
    for (uint32_t i = 0; i < pre.size(); ++i) {
      int64_t excluded = self_excluded ? post.local(pre.global(i)) : -1;
      GenncRowCursor cursor;
      gennc_row_begin(&connector, i, pre.global(i), excluded >= 0 ? static_cast<uint32_t>(excluded) : GENNC_ROW_NONE,
                      &cursor);
      for (uint32_t j; (j = gennc_row_next(&connector, &cursor, nullptr)) != GENNC_ROW_END;) {
        synapse_pre_[p].push_back(pre.global(i));
        synapse_post_[p].push_back(post.global(j));
      }
    }
  }
  return ok();
}

// Row pointers and the synapse count of projection p from its rows' lengths, which
// row_start holds at [pre neuron + 1] and turns into their running sum.
Status Simulation::store_row_pointers(uint32_t p, std::vector<uint64_t>* row_start) {
  const GenncProjectionInfo& proj = model_.projections[p];
  std::vector<uint64_t>& start = *row_start;
  for (size_t r = 0; r + 1 < start.size(); ++r) start[r + 1] += start[r];
  if (start.back() > UINT32_MAX)
    return model_error("projection '" + name_of(proj.name) + "' has more than 2^32 - 1 synapses");
  auto* row_pointer = static_cast<uint32_t*>(arrays_[proj.row_pointer_array].data());
  for (size_t r = 0; r < start.size(); ++r) row_pointer[r] = static_cast<uint32_t>(start[r]);
  synapse_counts_[p] = start.back();
  return ok();
}

Status Simulation::fill_synapse_arrays(uint32_t p, DeviceBuilder* device) {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  uint64_t n = synapse_counts_[p];
  SynapseEndpoints endpoints{&synapse_pre_[p], &synapse_post_[p], &positions_[proj.pre.population],
                             &positions_[proj.post.population]};
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    if (info.scope != GENNC_SCOPE_SYNAPSE || info.owner != p) continue;
    arrays_[a] = Buffer(info.dtype, n);
    if (a == proj.column_array || a == proj.column_synapse_array || (device && device->initialises(a))) continue;
    GENNC_TRY(initialise_array(m, info, seed_, &endpoints, &pool_, &arrays_[a]));
  }
  if (proj.column_array == kNone) return ok();  // procedural or dense: no columns
  if (m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST) {
    // A bitmask: bit j of row i for position i of the pre selection and j of the post one.
    Buffer& bits = arrays_[proj.column_array];
    const Selection& pre = pre_[p];
    const Selection& post = post_[p];
    const uint64_t words = (uint64_t{post.size()} + 31) / 32;
    if (bits.length() != uint64_t{pre.size()} * words)
      return model_error(what + ": its bitmask must have " + std::to_string(uint64_t{pre.size()} * words) + " words");
    auto* word = static_cast<uint32_t*>(bits.data());
    std::fill(word, word + bits.length(), 0u);
    for (uint64_t k = 0; k < n; ++k) {
      const auto j = static_cast<uint64_t>(post.local(synapse_post_[p][k]));
      uint32_t& w = word[static_cast<uint64_t>(pre.local(synapse_pre_[p][k])) * words + j / 32];
      const uint32_t bit = 1u << (j % 32);
      if ((w & bit) != 0) return model_error(what + " connects a pair twice, which a bitmask cannot hold");
      w |= bit;
    }
    return ok();
  }
  if (!(device && device->connects(p))) {
    auto* column = static_cast<uint32_t*>(arrays_[proj.column_array].data());
    for (uint64_t k = 0; k < n; ++k) column[k] = synapse_post_[p][k];
  }

  const Connections& c = connections_[p];
  if (!c.weight.empty()) {
    if (proj.weight_from_list == kNone)
      return model_error(what + ": its connections carry weights but the model has no array for them");
    for (uint64_t k = 0; k < n; ++k) arrays_[proj.weight_from_list].set(k, c.weight[k]);
  }
  if (!c.delay.empty()) {
    if (proj.delay_array == kNone)
      return model_error(what + ": its connections carry delays but the model gives it one constant delay");
    for (uint64_t k = 0; k < n; ++k) arrays_[proj.delay_array].set(k, delay_to_steps(c.delay[k], m.dt));
  }
  for (const HostColumn& column : c.columns)  // already in internal units (connect.cpp)
    for (uint64_t k = 0; k < n; ++k) arrays_[column.array].set(k, column.values[k]);

  if (proj.column_pointer_array != kNone) {
    // Synapse ids grouped by post neuron (a counting sort keeps pre order within a column).
    Buffer& cols = arrays_[proj.column_pointer_array];
    auto* column_pointer = static_cast<uint32_t*>(cols.data());
    auto* column_synapse = static_cast<uint32_t*>(arrays_[proj.column_synapse_array].data());
    std::fill(column_pointer, column_pointer + cols.length(), 0u);
    for (uint64_t k = 0; k < n; ++k) ++column_pointer[synapse_post_[p][k] + 1];
    for (uint64_t r = 1; r < cols.length(); ++r) column_pointer[r] += column_pointer[r - 1];
    std::vector<uint32_t> next(column_pointer, column_pointer + cols.length() - 1);
    for (uint64_t k = 0; k < n; ++k) column_synapse[next[synapse_post_[p][k]]++] = static_cast<uint32_t>(k);
  }
  return ok();
}

Status Simulation::build_rings(DeviceBuilder* device) {
  const GenncModel& m = model_;
  std::vector<uint64_t> max_delay(m.population_count, 0);
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    uint64_t longest = proj.constant_delay_steps;
    if (proj.delay_array != kNone && device && device->initialises(proj.delay_array)) {
      bool below_one = false;
      GENNC_TRY(device->longest_delay(proj.delay_array, arrays_[proj.delay_array].length(), &longest, &below_one));
      if (below_one) return model_error("projection '" + name_of(proj.name) + "': a synapse has a delay below one step");
    } else if (proj.delay_array != kNone) {
      longest = 0;
      const Buffer& delays = arrays_[proj.delay_array];
      for (uint64_t k = 0; k < delays.length(); ++k) {
        double d = delays.get(k);
        if (!(d >= 1.0))
          return model_error("projection '" + name_of(proj.name) + "': synapse " + std::to_string(k) +
                             " has a delay below one step");
        longest = std::max<uint64_t>(longest, static_cast<uint64_t>(d));
      }
    }
    max_delay[proj.post.population] = std::max(max_delay[proj.post.population], longest);
  }
  for (uint32_t p = 0; p < m.population_count; ++p) {
    if (max_delay[p] + 1 > kLongestRing)
      return model_error("population '" + name_of(m.populations[p].name) + "': an incoming delay of " +
                         std::to_string(max_delay[p]) + " steps needs a ring buffer deeper than 2^31 steps");
    ring_depths_[p] = static_cast<uint32_t>(ring_depth_for(max_delay[p]));
    if (m.populations[p].ring_depth_array != kNone) arrays_[m.populations[p].ring_depth_array].set(0, ring_depths_[p]);
  }
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    if (info.scope != GENNC_SCOPE_RING) continue;
    arrays_[a] = Buffer(info.dtype, uint64_t{ring_depths_[info.owner]} * m.populations[info.owner].size);
    if (!(device && device->initialises(a))) GENNC_TRY(initialise_array(m, info, seed_, nullptr, &pool_, &arrays_[a]));
  }
  return ok();
}

void Simulation::refresh_pointers() {
  pointers_.resize(arrays_.size());
  lengths_.resize(arrays_.size());
  for (size_t a = 0; a < arrays_.size(); ++a) {
    pointers_[a] = arrays_[a].length() ? arrays_[a].data() : nullptr;
    lengths_[a] = arrays_[a].length();
  }
}

void Simulation::recompute_sizes() {
  for (uint32_t p = 0; p < model_.projection_count; ++p)
    synapse_counts_[p] = model_.projections[p].column_array != kNone &&
                                 model_.arrays[model_.projections[p].column_array].scope == GENNC_SCOPE_SYNAPSE
                             ? arrays_[model_.projections[p].column_array].length()
                             : static_cast<uint64_t>(arrays_[model_.projections[p].row_pointer_array].get(
                                   arrays_[model_.projections[p].row_pointer_array].length() - 1));
  for (uint32_t p = 0; p < model_.population_count; ++p) {
    uint32_t id = model_.populations[p].ring_depth_array;
    if (id != kNone) ring_depths_[p] = static_cast<uint32_t>(arrays_[id].get(0));
  }
}

Status Simulation::run_init_schedule() {
  GenncKernelEnv env{pointers_.data(), lengths_.data(), time(), model_.dt, step_, seed_};
  for (uint32_t k = 0; k < model_.init_schedule_length; ++k) run_kernel(model_.init_schedule[k], env);
  return ok();
}

// ---- Stepping ----------------------------------------------------------------------

uint64_t Simulation::kernel_range(const GenncKernelInfo& kernel) const {
  const GenncModel& m = model_;
  auto spikes = [&](uint32_t population) {
    const GenncPopulationInfo& pop = m.populations[population];
    return std::min<uint64_t>(static_cast<const uint32_t*>(arrays_[pop.spike_count_array].data())[0], pop.size);
  };
  switch (kernel.kind) {
    case GENNC_KERNEL_NEURON:
    case GENNC_KERNEL_DERIVED: return m.populations[kernel.owner].size;
    case GENNC_KERNEL_CURRENT_SOURCE: return injection_counts_[kernel.owner];
    case GENNC_KERNEL_SYNAPSE_PRE: return spikes(m.projections[kernel.owner].pre.population);
    case GENNC_KERNEL_SYNAPSE_POST: return spikes(m.projections[kernel.owner].post.population);
    case GENNC_KERNEL_TRACE_PRE: return m.populations[m.projections[kernel.owner].pre.population].size;
    case GENNC_KERNEL_TRACE_POST: return m.populations[m.projections[kernel.owner].post.population].size;
    case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
    case GENNC_KERNEL_DERIVED_SYNAPSE: return synapse_counts_[kernel.owner];
  }
  return 0;
}

void Simulation::run_kernel(uint32_t id, const GenncKernelEnv& env) {
  const GenncKernelInfo& kernel = model_.kernels[id];
  auto start = std::chrono::steady_clock::now();
  auto count = static_cast<uint32_t>(kernel_range(kernel));
  // A spike's row can be long, so spike ranges are split finely; element ranges coarsely.
  bool per_spike = kernel.kind == GENNC_KERNEL_SYNAPSE_PRE || kernel.kind == GENNC_KERNEL_SYNAPSE_POST;
  GenncKernelFn fn = kernel.host;
  pool_.parallel_for(count, per_spike ? 16 : 4096, [&](uint32_t begin, uint32_t end) { fn(&env, begin, end); });
  if (kernel.kind == GENNC_KERNEL_NEURON && pool_.size() > 1) {
    // Threads append spikes in any order; sorting keeps every later stage deterministic.
    const GenncPopulationInfo& pop = model_.populations[kernel.owner];
    uint32_t spikes = std::min(static_cast<uint32_t*>(arrays_[pop.spike_count_array].data())[0], pop.size);
    auto* list = static_cast<uint32_t*>(arrays_[pop.spike_list_array].data());
    if (pop.spike_multiplicity_array == kNone) {
      std::sort(list, list + spikes);
    } else {
      // Each entry's multiplicity moves with it.
      auto* times = static_cast<uint32_t*>(arrays_[pop.spike_multiplicity_array].data());
      std::vector<std::pair<uint32_t, uint32_t>> entries(spikes);
      for (uint32_t k = 0; k < spikes; ++k) entries[k] = {list[k], times[k]};
      std::sort(entries.begin(), entries.end());
      for (uint32_t k = 0; k < spikes; ++k) std::tie(list[k], times[k]) = entries[k];
    }
  }
  const double seconds = seconds_since(start);
  kernel_seconds_[id] += seconds;
  if (profiling_) profile_seconds_[id] += seconds;
}

void Simulation::set_profiling(bool on) {
  profiling_ = on;
  profile_seconds_.resize(model_.kernel_count, 0.0);
  if (gpu_) gpu_->set_profiling(on);
}

std::vector<Simulation::ProfileRow> Simulation::profile() const {
  std::vector<ProfileRow> rows;
  if (gpu_) {
    const uint64_t steps = gpu_->profiled_steps();
    if (steps == 0) return rows;
    for (const cuda::Engine::ProfileRow& row : gpu_->profile())
      rows.push_back({row.name, row.members, row.seconds / static_cast<double>(steps)});
    return rows;
  }
  if (profiled_steps_ == 0) return rows;
  for (uint32_t k = 0; k < model_.step_schedule_length; ++k) {
    const uint32_t id = model_.step_schedule[k];
    rows.push_back({model_.kernels[id].name, "", profile_seconds_[id] / static_cast<double>(profiled_steps_)});
  }
  return rows;
}

void Simulation::take_snapshot() {
  snapshot_.assign(arrays_.size(), Buffer());
  for (uint32_t a = 0; a < model_.array_count; ++a) {
    uint32_t flags = model_.arrays[a].flags;
    if (is_structural(a) || (flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED))) continue;
    snapshot_[a] = arrays_[a];
  }
  snapshot_valid_ = true;
}

Status Simulation::run(uint64_t steps) {
  // Random draws are addressed by step, GENNC_RANDOM_STEP_BITS bits of it (gennc/random.h).
  constexpr uint64_t kSteps = uint64_t{1} << GENNC_RANDOM_STEP_BITS;
  if (step_ > kSteps || steps > kSteps - step_)
    return argument_error("cannot run " + std::to_string(steps) + " steps from step " + std::to_string(step_) +
                          ": the random streams address steps below 2^" + std::to_string(GENNC_RANDOM_STEP_BITS));
  auto start = std::chrono::steady_clock::now();
  if (gpu_) {
    // The snapshot and the sample at the run's first step read the host arrays.
    bool first_sample = false;
    for (const Recording& r : recorder_.recordings())
      first_sample |= r.info->kind == GENNC_RECORD_VARIABLE && step_ % r.info->interval_steps == 0 &&
                      (r.sample_steps.empty() || r.sample_steps.back() != step_);
    if (!snapshot_valid_ || first_sample) GENNC_TRY(host_view());
  }
  if (!snapshot_valid_) take_snapshot();
  recorder_.sample(step_, arrays_);
  if (gpu_) {
    if (fresh_ == Fresh::Host) GENNC_TRY(gpu_->upload());
    fresh_ = Fresh::Device;
    GENNC_TRY(gpu_->run(steps));
    timings_.simulate += seconds_since(start);
    GENNC_TRY(check_faults());
    return within_recording_budget();
  }
  const GenncModel& m = model_;
  for (uint64_t s = 0; s < steps; ++s) {
    for (uint32_t p = 0; p < m.population_count; ++p)
      static_cast<uint32_t*>(arrays_[m.populations[p].spike_count_array].data())[0] = 0;
    GenncKernelEnv env{pointers_.data(), lengths_.data(), time(), m.dt, step_, seed_};
    for (uint32_t k = 0; k < m.step_schedule_length; ++k) run_kernel(m.step_schedule[k], env);
    ++step_;
    recorder_.record_spikes(step_, arrays_);
    recorder_.sample(step_, arrays_);
    // One scalar per checked population: cheap enough to stop at the very step.
    bool faulted = false;
    for (uint32_t a : fault_steps_) faulted |= static_cast<const double*>(arrays_[a].data())[0] != 0.0;
    if (faulted) {
      steps = s + 1;
      break;
    }
    if (Status budget = within_recording_budget(); !budget.ok()) {
      if (profiling_) profiled_steps_ += s + 1;
      timings_.simulate += seconds_since(start);
      return budget;
    }
  }
  if (profiling_) profiled_steps_ += steps;
  timings_.simulate += seconds_since(start);
  return check_faults();
}

void Simulation::set_recording_budget(uint64_t bytes) {
  recording_budget_ = bytes != 0 ? bytes : default_recording_budget_;
}

Status Simulation::within_recording_budget() const {
  uint64_t held = recorder_.bytes();
  if (held <= recording_budget_) return ok();
  return {GENNC_ERROR_LIMIT, "the recordings hold " + mebibytes(held) + " after step " + std::to_string(step_) +
                                 ", more than their budget of " + mebibytes(recording_budget_) +
                                 " (sim --recording-budget; gennc_set_recording_budget): the run stopped there"};
}

Status Simulation::set_step(uint64_t step) {
  // Recordings stay sorted by step: nothing may be recorded before what they hold.
  uint64_t held = 0;
  bool any = false;
  for (const Recording& r : recorder_.recordings()) {
    if (!r.spikes.empty()) held = std::max(held, r.spikes.back().first), any = true;
    if (!r.sample_steps.empty()) held = std::max(held, r.sample_steps.back()), any = true;
  }
  if (any && step < held)
    return argument_error("cannot set the step to " + std::to_string(step) + ": the recordings hold data up to step " +
                          std::to_string(held) + " (clear them first)");
  // The CUDA engine takes the step (and time) from here at the start of every run.
  step_ = step;
  return ok();
}

Status Simulation::reset() {
  GENNC_TRY(host_edit());
  if (snapshot_valid_)
    for (uint32_t a = 0; a < model_.array_count; ++a)
      if (snapshot_[a].length() == arrays_[a].length() && snapshot_[a].length() != 0)
        std::memcpy(arrays_[a].data(), snapshot_[a].data(), arrays_[a].bytes());
  // The next run takes a fresh snapshot, so values set between reset and run are kept.
  snapshot_valid_ = false;
  step_ = 0;
  recorder_.clear();
  return ok();
}

// ---- Arrays ------------------------------------------------------------------------

int64_t Simulation::find_array(const std::string& name) const {
  for (uint32_t a = 0; a < model_.array_count; ++a)
    if (name == model_.arrays[a].name) return a;
  return -1;
}

namespace {
Status no_array(const std::string& name) { return not_found("no array called '" + name + "'"); }
Status wrong_count(const std::string& name, uint64_t length, uint64_t count) {
  return argument_error("array '" + name + "' has " + std::to_string(length) + " elements, not " + std::to_string(count));
}
}  // namespace

Status Simulation::get_array(const std::string& name, void* out, uint64_t count) const {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  GENNC_TRY(host_view());
  const Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (array.bytes() != 0) {
    if (out == nullptr) return argument_error("no buffer given for array '" + name + "'");
    std::memcpy(out, array.data(), array.bytes());
  }
  return ok();
}

Status Simulation::get_array_f64(const std::string& name, double* out, uint64_t count) const {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  GENNC_TRY(host_view());
  const Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (count != 0 && out == nullptr) return argument_error("no buffer given for array '" + name + "'");
  for (uint64_t k = 0; k < count; ++k) out[k] = array.get(k);
  return ok();
}

Status Simulation::set_array(const std::string& name, const void* values, uint64_t count) {
  int64_t id = find_array(name);
  if (id < 0) return no_array(name);
  Buffer staged(arrays_[id].dtype(), arrays_[id].length());
  if (count != staged.length()) return wrong_count(name, staged.length(), count);
  if (staged.bytes() != 0) {
    if (values == nullptr) return argument_error("no values given for array '" + name + "'");
    std::memcpy(staged.data(), values, staged.bytes());
  }
  std::vector<double> as_double(count);
  for (uint64_t k = 0; k < count; ++k) as_double[k] = staged.get(k);
  return set_array_f64(name, as_double.data(), count);
}

Status Simulation::set_array_f64(const std::string& name, const double* values, uint64_t count) {
  int64_t found = find_array(name);
  if (found < 0) return no_array(name);
  auto id = static_cast<uint32_t>(found);
  GENNC_TRY(host_edit());
  Buffer& array = arrays_[id];
  if (count != array.length()) return wrong_count(name, array.length(), count);
  if (count != 0 && values == nullptr) return argument_error("no values given for array '" + name + "'");
  const GenncModel& m = model_;
  bool is_delay = false;
  uint32_t depth = 0;
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (m.projections[p].delay_array == id) {
      is_delay = true;
      depth = ring_depths_[m.projections[p].post.population];
    }
  if (is_delay) {
    // Ring buffers were sized for the delays at creation; longer delays would wrap.
    for (uint64_t k = 0; k < count; ++k)
      if (!(values[k] >= 1.0 && values[k] <= depth - 1.0 && values[k] == std::floor(values[k])))
        return argument_error("array '" + name + "': delay " + std::to_string(values[k]) +
                              " steps is not a whole number of steps in [1, " + std::to_string(depth - 1) +
                              "] (the ring depth - 1: the rings were sized at creation, for the longest delay then + 1 "
                              "rounded up to a power of two)");
  } else if (is_structural(id)) {
    return argument_error("array '" + name + "' holds connectivity and cannot be set");
  }
  for (uint64_t k = 0; k < count; ++k) array.set(k, values[k]);
  if (m.arrays[id].flags & GENNC_ARRAY_PARAMETER) return run_init_schedule();
  return ok();
}

}  // namespace gennc::runtime
