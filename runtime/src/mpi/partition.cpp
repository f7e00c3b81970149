#include "partition.h"

#include <cmath>

namespace gennc::runtime::mpi {
namespace {

// Expected synaptic events per step of one incoming synapse, counted in neuron updates:
// a rate estimate of about 10 spikes/s at dt = 0.1 ms, and an event costing about as much
// as an update. One number for every neuron, so it only weighs events against updates.
constexpr double kEventsPerSynapse = 1e-3;

}  // namespace

Partition partition_network(const NetworkState& state, uint32_t ranks) {
  const GenncModel& model = state.model();
  // Each neuron's work: its update plus its population's mean incoming events.
  std::vector<double> synapses_in(model.population_count, 0.0);
  for (uint32_t p = 0; p < model.projection_count; ++p)
    synapses_in[model.projections[p].post.population] += static_cast<double>(state.synapse_count(p));
  std::vector<double> work(model.population_count);
  double total = 0.0;
  for (uint32_t q = 0; q < model.population_count; ++q) {
    const uint32_t size = model.populations[q].size;
    work[q] = 1.0 + (size ? kEventsPerSynapse * synapses_in[q] / size : 0.0);
    total += work[q] * size;
  }
  // Rank r takes the neurons whose cumulative work before them lies in [r, r + 1) x
  // total / ranks.
  Partition ranges(model.population_count, std::vector<std::pair<uint32_t, uint32_t>>(ranks));
  double before = 0.0;
  for (uint32_t q = 0; q < model.population_count; ++q) {
    const uint32_t size = model.populations[q].size;
    uint32_t begin = 0;
    for (uint32_t r = 0; r < ranks; ++r) {
      // The first neuron past rank r's share: cumulative work before it >= (r + 1) x share.
      const double bound = total * (r + 1) / ranks - before;
      double first = r + 1 == ranks ? size : std::ceil(bound / work[q]);
      const uint32_t end = first <= begin ? begin : first >= size ? size : static_cast<uint32_t>(first);
      ranges[q][r] = {begin, end};
      begin = end;
    }
    before += work[q] * size;
  }
  return ranges;
}

}  // namespace gennc::runtime::mpi
