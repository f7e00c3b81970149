#include "partition.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace gennc::runtime::mpi {
namespace {

// Expected synaptic events per step of one incoming synapse, counted in neuron updates:
// a rate estimate of about 10 spikes/s at dt = 0.1 ms, and an event costing about as much
// as an update. One number for every neuron, so it only weighs events against updates.
constexpr double kEventsPerSynapse = 1e-3;

}  // namespace

bool injection_fused(const GenncModel& model, uint32_t injection) {
  if (model.injections[injection].target.kind != GENNC_SELECT_ALL) return false;
  for (uint32_t k = 0; k < model.step_schedule_length; ++k) {
    const GenncKernelInfo& kernel = model.kernels[model.step_schedule[k]];
    if (kernel.kind == GENNC_KERNEL_CURRENT_SOURCE && kernel.owner == injection) return false;
  }
  return true;
}

Status partition_shares(uint32_t ranks, std::vector<double>* shares) {
  shares->assign(ranks, 1.0);
  const char* text = std::getenv("GENNC_PARTITION");
  if (text == nullptr || *text == '\0') return ok();
  std::vector<double> given;
  double sum = 0.0;
  for (const char* at = text;;) {
    char* end = nullptr;
    const double share = std::strtod(at, &end);
    if (end == at || !std::isfinite(share) || share < 0.0 || (*end != ',' && *end != '\0'))
      return argument_error(std::string("GENNC_PARTITION (sim --partition) '") + text +
                            "': give one non-negative number per rank, separated by commas");
    given.push_back(share);
    sum += share;
    if (*end == '\0') break;
    at = end + 1;
  }
  if (given.size() != ranks || sum <= 0.0)
    return argument_error(std::string("GENNC_PARTITION (sim --partition) '") + text + "' gives " +
                          std::to_string(given.size()) + " shares" + (sum <= 0.0 ? ", all zero," : "") + " for " +
                          std::to_string(ranks) + " ranks");
  *shares = std::move(given);
  return ok();
}

Partition partition_network(const NetworkState& state, const std::vector<double>& shares) {
  const auto ranks = static_cast<uint32_t>(shares.size());
  const GenncModel& model = state.model();
  // Each neuron's work: its update plus its population's mean incoming events.
  std::vector<double> synapses_in(model.population_count, 0.0);
  for (uint32_t p = 0; p < model.projection_count; ++p)
    synapses_in[model.projections[p].post.population] += state.expected_synapse_count(p);
  std::vector<double> work(model.population_count);
  double total = 0.0;
  for (uint32_t q = 0; q < model.population_count; ++q) {
    const uint32_t size = model.populations[q].size;
    work[q] = 1.0 + (size ? kEventsPerSynapse * synapses_in[q] / size : 0.0);
    total += work[q] * size;
  }
  // Rank r takes the neurons whose cumulative work before them lies in the r-th piece of
  // the total cut in the shares' proportions.
  double all_shares = 0.0;
  for (double share : shares) all_shares += share;
  std::vector<double> upto(ranks);  // the shares of ranks 0..r, over all of them
  double running = 0.0;
  for (uint32_t r = 0; r < ranks; ++r) upto[r] = (running += shares[r]) / all_shares;
  Partition ranges(model.population_count, std::vector<std::pair<uint32_t, uint32_t>>(ranks));
  double before = 0.0;
  for (uint32_t q = 0; q < model.population_count; ++q) {
    const uint32_t size = model.populations[q].size;
    uint32_t begin = 0;
    for (uint32_t r = 0; r < ranks; ++r) {
      // The first neuron past rank r's piece: cumulative work before it >= its end.
      const double bound = total * upto[r] - before;
      double first = r + 1 == ranks ? size : std::ceil(bound / work[q]);
      const uint32_t end = first <= begin ? begin : first >= size ? size : static_cast<uint32_t>(first);
      ranges[q][r] = {begin, end};
      begin = end;
    }
    before += work[q] * size;
  }
  return ranges;
}

uint32_t owner_of(const std::vector<std::pair<uint32_t, uint32_t>>& ranks, uint32_t neuron) {
  auto after = std::upper_bound(ranks.begin(), ranks.end(), neuron,
                                [](uint32_t n, const std::pair<uint32_t, uint32_t>& range) { return n < range.second; });
  return static_cast<uint32_t>(after - ranks.begin());
}

}  // namespace gennc::runtime::mpi
