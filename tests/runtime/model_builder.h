// Builds small GenncModels in tests: populations and projections with the arrays the
// runtime needs (spike lists, CSR), no kernels. The builder owns every string and table
// the model points to, so it must outlive the simulations made from it.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "gennc/model_abi.h"

namespace gennc::runtime::test {

class ModelBuilder {
 public:
  uint32_t population(const std::string& name, uint32_t size, GenncStructure structure = GenncStructure{});

  // A projection with row pointers, columns, column pointers and (when `delays_ms` is
  // nonzero) a per-synapse delay array initialised to that constant; list weights and
  // delays go to "<name>.weight" and "<name>.delay".
  uint32_t projection(const std::string& name, GenncSelection pre, GenncSelection post, GenncConnector connector,
                      bool with_delay_array = false, double delay_ms = 0.1);

  // A per-synapse float64 array of projection `p` with the given initialiser.
  uint32_t synapse_array(uint32_t p, const std::string& name, GenncInit init, uint32_t flags = GENNC_ARRAY_PARAMETER);
  uint32_t neuron_array(uint32_t pop, const std::string& name, GenncInit init, GenncDType dtype = GENNC_F64,
                        uint32_t flags = GENNC_ARRAY_STATE);

  GenncModel& model(uint64_t seed = 42);

  static GenncSelection all(uint32_t population, uint32_t size);
  static GenncSelection slice(uint32_t population, uint32_t start, uint32_t stop, uint32_t step = 1);
  GenncSelection list(uint32_t population, std::vector<uint32_t> indices);
  static GenncConnector connector(GenncConnectorKind kind, double p0 = 0, double p1 = 0, bool self = true,
                                  bool replacement = false, uint32_t stream = 7);

 private:
  const char* keep(const std::string& s);
  uint32_t add_array(const std::string& name, GenncDType dtype, GenncArrayScope scope, uint32_t owner,
                     uint32_t flags, GenncInit init = GenncInit{});

  std::deque<std::string> strings_;
  std::deque<std::vector<uint32_t>> index_lists_;
  std::vector<GenncArrayInfo> arrays_;
  std::vector<GenncPopulationInfo> populations_;
  std::vector<GenncProjectionInfo> projections_;
  GenncModel model_{};
};

}  // namespace gennc::runtime::test
