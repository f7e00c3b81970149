// NetworkState::check_model: the model's tables (arrays, populations, projections,
// injections, kernels, schedules) refer to one another consistently, before anything is
// built from them.
#include <cmath>
#include <string>
#include <unordered_map>

#include "network_state.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

std::string name_of(const char* name) { return name ? name : "?"; }

}  // namespace

Status NetworkState::check_model() const {
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
    if (!array_ok(pop.spike_time_array, true))
      return model_error(what + ": its spike time array does not exist");
    if (pop.spike_time_array == kNone) {
      if (!array_ok(pop.spike_list_array, false) || !u32_array(pop.spike_list_array, GENNC_SCOPE_NEURON, p, true))
        return model_error(what + ": its spike list must be a uint32 per-neuron array of the population");
    } else {
      // A precise population: one entry per spike, as many as the list's capacity.
      const GenncArrayInfo& times = m.arrays[pop.spike_time_array];
      if (!array_ok(pop.spike_list_array, false) || !u32_array(pop.spike_list_array, GENNC_SCOPE_LIST, p, false) ||
          times.dtype != GENNC_F64 || times.scope != GENNC_SCOPE_LIST ||
          times.length != m.arrays[pop.spike_list_array].length || times.length < pop.size ||
          pop.spike_multiplicity_array != kNone)
        return model_error(what + ": a precise population's spike list and times must be a uint32 and a float64 "
                           "list of one capacity, at least its size, without multiplicities");
    }
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
  if (m.synapse_recording_count > 0 && m.synapse_recordings == nullptr)
    return model_error("the model counts synapse recordings it does not list");
  for (uint32_t r = 0; r < m.synapse_recording_count; ++r) {
    const GenncSynapseRecordingInfo& rec = m.synapse_recordings[r];
    std::string what = "synapse recording '" + name_of(rec.name) + "'";
    if (rec.projection >= m.projection_count) return model_error(what + " names a projection that does not exist");
    const GenncProjectionInfo& proj = m.projections[rec.projection];
    if (proj.column_array == kNone || m.arrays[proj.column_array].scope != GENNC_SCOPE_SYNAPSE)
      return model_error(what + ": its projection's synapses are not stored as rows");
    if (!array_ok(rec.array, false) || m.arrays[rec.array].scope != GENNC_SCOPE_SYNAPSE ||
        m.arrays[rec.array].owner != rec.projection ||
        (m.arrays[rec.array].dtype != GENNC_F32 && m.arrays[rec.array].dtype != GENNC_F64))
      return model_error(what + " is not a real-valued per-synapse array of its projection");
  }
  // Machine code is only ever an alternative to the PTX, which the engine falls back to.
  if (m.cubin_count > 0 && (m.cubins == nullptr || m.ptx == nullptr))
    return model_error("the model counts cubins it does not list, or has them without PTX");
  for (uint32_t k = 0; k < m.cubin_count; ++k)
    if (m.cubins[k].bytes == nullptr || m.cubins[k].size == 0 || m.cubins[k].arch < 10)
      return model_error("cubin " + std::to_string(k) + " of the model is empty or names no architecture");
  return ok();
}


}  // namespace gennc::runtime
