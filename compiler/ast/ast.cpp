#include "ast/ast.h"

namespace gennc::ast {

const char* to_string(ModelKind kind) {
  switch (kind) {
    case ModelKind::Neuron: return "neuron";
    case ModelKind::Postsynaptic: return "postsynaptic";
    case ModelKind::Synapse: return "synapse";
    case ModelKind::CurrentSource: return "current_source";
    case ModelKind::SpikeSource: return "spike_source";
    case ModelKind::TimingDependence: return "timing_dependence";
    case ModelKind::WeightDependence: return "weight_dependence";
  }
  return "neuron";
}

}  // namespace gennc::ast
