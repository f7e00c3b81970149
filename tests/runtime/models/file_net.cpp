// A hand-written compiled network whose one projection reads a connection file that does
// not exist ("missing-connections.txt", relative to the working directory): `sim` built
// from it must fail at set-up with a clear message (tests/runtime/test_cli.cpp).
#include "models.h"

namespace {

enum Array : uint32_t { kCount, kList, kDepth, kRows, kColumn, kWeight, kArrayCount };

GenncArrayInfo array(const char* name, GenncDType dtype, GenncArrayScope scope) {
  GenncArrayInfo a{};
  a.name = name;
  a.unit = "";
  a.dtype = dtype;
  a.scope = scope;
  a.flags = GENNC_ARRAY_INTERNAL;
  return a;
}

const GenncArrayInfo kArrays[kArrayCount] = {
    array("p.spike_count", GENNC_U32, GENNC_SCOPE_SCALAR),    array("p.spike_list", GENNC_U32, GENNC_SCOPE_NEURON),
    array("p.ring_depth", GENNC_U32, GENNC_SCOPE_SCALAR),     array("pp.row_pointer", GENNC_U32, GENNC_SCOPE_ROW_POINTER),
    array("pp.column", GENNC_U32, GENNC_SCOPE_SYNAPSE),        array("pp.weight", GENNC_F64, GENNC_SCOPE_SYNAPSE),
};

GenncPopulationInfo population() {
  GenncPopulationInfo p{};
  p.name = "p";
  p.model = "IF_curr_exp";
  p.size = 4;
  p.spike_count_array = kCount;
  p.spike_list_array = kList;
  p.ring_depth_array = kDepth;
  p.spike_multiplicity_array = UINT32_MAX;
  p.spike_time_array = UINT32_MAX;
  return p;
}

GenncProjectionInfo projection() {
  GenncProjectionInfo p{};
  p.name = "pp";
  p.pre.kind = p.post.kind = GENNC_SELECT_ALL;
  p.pre.count = p.post.count = 4;
  p.connector.kind = GENNC_CONNECT_FROM_FILE;
  p.connector.path = "missing-connections.txt";
  p.receptor_ring_array = UINT32_MAX;
  p.row_pointer_array = kRows;
  p.column_array = kColumn;
  p.column_pointer_array = UINT32_MAX;
  p.column_synapse_array = UINT32_MAX;
  p.delay_array = UINT32_MAX;
  p.constant_delay_steps = 1;
  p.weight_from_list = kWeight;
  return p;
}

const GenncPopulationInfo kPopulation = population();
const GenncProjectionInfo kProjection = projection();

GenncModel make_model() {
  GenncModel m{};
  m.abi_version = GENNC_MODEL_ABI_VERSION;
  m.network_name = "file_net";
  m.dt = 0.1;
  m.duration = 10.0;
  m.seed = 1;
  m.float_bits = 64;
  m.arrays = kArrays;
  m.array_count = kArrayCount;
  m.populations = &kPopulation;
  m.population_count = 1;
  m.projections = &kProjection;
  m.projection_count = 1;
  return m;
}

}  // namespace

extern "C" const GenncModel gennc_model = make_model();
