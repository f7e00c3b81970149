#include "model_builder.h"

namespace gennc::runtime::test {

const char* ModelBuilder::keep(const std::string& s) {
  strings_.push_back(s);
  return strings_.back().c_str();
}

uint32_t ModelBuilder::add_array(const std::string& name, GenncDType dtype, GenncArrayScope scope, uint32_t owner,
                                 uint32_t flags, GenncInit init) {
  GenncArrayInfo a{};
  a.name = keep(name);
  a.unit = "";
  a.dtype = dtype;
  a.scope = scope;
  a.owner = owner;
  a.flags = flags;
  a.init = init;
  arrays_.push_back(a);
  return static_cast<uint32_t>(arrays_.size() - 1);
}

uint32_t ModelBuilder::population(const std::string& name, uint32_t size, GenncStructure structure) {
  auto index = static_cast<uint32_t>(populations_.size());
  GenncPopulationInfo p{};
  p.name = keep(name);
  p.model = "test";
  p.size = size;
  p.structure = structure;
  p.spike_count_array = add_array(name + ".spike_count", GENNC_U32, GENNC_SCOPE_SCALAR, index, GENNC_ARRAY_INTERNAL);
  p.spike_list_array = add_array(name + ".spike_list", GENNC_U32, GENNC_SCOPE_NEURON, index, GENNC_ARRAY_INTERNAL);
  p.ring_depth_array = add_array(name + ".ring_depth", GENNC_U32, GENNC_SCOPE_SCALAR, index, GENNC_ARRAY_INTERNAL);
  p.spike_multiplicity_array = UINT32_MAX;
  p.spike_time_array = UINT32_MAX;
  populations_.push_back(p);
  return index;
}

uint32_t ModelBuilder::projection(const std::string& name, GenncSelection pre, GenncSelection post,
                                  GenncConnector connector, bool with_delay_array, double delay_ms) {
  auto index = static_cast<uint32_t>(projections_.size());
  GenncProjectionInfo p{};
  p.name = keep(name);
  p.pre = pre;
  p.post = post;
  p.connector = connector;
  p.receptor_ring_array = UINT32_MAX;
  p.row_pointer_array = add_array(name + ".row_pointer", GENNC_U32, GENNC_SCOPE_ROW_POINTER, index, GENNC_ARRAY_INTERNAL);
  p.column_array = add_array(name + ".column", GENNC_U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
  p.column_pointer_array =
      add_array(name + ".column_pointer", GENNC_U32, GENNC_SCOPE_COLUMN_POINTER, index, GENNC_ARRAY_INTERNAL);
  p.column_synapse_array = add_array(name + ".column_synapse", GENNC_U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
  GenncInit delay{};
  delay.kind = GENNC_INIT_CONSTANT;
  delay.params[0] = delay_ms;
  p.delay_array = with_delay_array ? add_array(name + ".delay", GENNC_U32, GENNC_SCOPE_SYNAPSE, index,
                                               GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS, delay)
                                   : UINT32_MAX;
  p.constant_delay_steps = 1;
  p.weight_from_list = add_array(name + ".weight", GENNC_F64, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_PARAMETER);
  projections_.push_back(p);
  return index;
}

uint32_t ModelBuilder::synapse_array(uint32_t p, const std::string& name, GenncInit init, uint32_t flags) {
  return add_array(name, GENNC_F64, GENNC_SCOPE_SYNAPSE, p, flags, init);
}

uint32_t ModelBuilder::neuron_array(uint32_t pop, const std::string& name, GenncInit init, GenncDType dtype,
                                    uint32_t flags) {
  return add_array(name, dtype, GENNC_SCOPE_NEURON, pop, flags, init);
}

GenncModel& ModelBuilder::model(uint64_t seed) {
  model_ = GenncModel{};
  model_.abi_version = GENNC_MODEL_ABI_VERSION;
  model_.network_name = "test";
  model_.dt = 0.1;
  model_.duration = 10.0;
  model_.seed = seed;
  model_.float_bits = 64;
  model_.arrays = arrays_.data();
  model_.array_count = static_cast<uint32_t>(arrays_.size());
  model_.populations = populations_.data();
  model_.population_count = static_cast<uint32_t>(populations_.size());
  model_.projections = projections_.data();
  model_.projection_count = static_cast<uint32_t>(projections_.size());
  return model_;
}

GenncSelection ModelBuilder::all(uint32_t population, uint32_t size) {
  GenncSelection s{};
  s.kind = GENNC_SELECT_ALL;
  s.population = population;
  s.count = size;
  return s;
}

GenncSelection ModelBuilder::slice(uint32_t population, uint32_t start, uint32_t stop, uint32_t step) {
  GenncSelection s{};
  s.kind = GENNC_SELECT_SLICE;
  s.population = population;
  s.start = start;
  s.stop = stop;
  s.step = step;
  s.count = (stop - start + step - 1) / step;
  return s;
}

GenncSelection ModelBuilder::list(uint32_t population, std::vector<uint32_t> indices) {
  index_lists_.push_back(std::move(indices));
  GenncSelection s{};
  s.kind = GENNC_SELECT_LIST;
  s.population = population;
  s.indices = index_lists_.back().data();
  s.count = static_cast<uint32_t>(index_lists_.back().size());
  return s;
}

GenncConnector ModelBuilder::connector(GenncConnectorKind kind, double p0, double p1, bool self, bool replacement,
                                       uint32_t stream) {
  GenncConnector c{};
  c.kind = kind;
  c.params[0] = p0;
  c.params[1] = p1;
  c.allow_self_connections = self ? 1 : 0;
  c.with_replacement = replacement ? 1 : 0;
  c.stream = stream;
  return c;
}

}  // namespace gennc::runtime::test
