#include "exchange_plan.h"

#include <algorithm>

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

std::string quoted(const char* name) { return std::string("'") + (name ? name : "?") + "'"; }

}  // namespace

namespace {

// Projection p's stored delays, in steps.
std::pair<const uint32_t*, const uint32_t*> stored_delays(const NetworkState& state, uint32_t p) {
  const GenncProjectionInfo& proj = state.model().projections[p];
  const Buffer& delays = state.array(proj.delay_array);
  const uint64_t count = std::min<uint64_t>(state.synapse_count(p), delays.length());
  const auto* steps = static_cast<const uint32_t*>(delays.data());
  return {steps, steps + count};
}

}  // namespace

uint64_t shortest_stored_delay(const NetworkState& state, uint32_t p) {
  const auto [begin, end] = stored_delays(state, p);
  return begin == end ? 0 : *std::min_element(begin, end);
}

uint64_t longest_stored_delay(const NetworkState& state, uint32_t p) {
  const auto [begin, end] = stored_delays(state, p);
  return begin == end ? 0 : *std::max_element(begin, end);
}

std::vector<uint64_t> shortest_stored_delays(const NetworkState& state) {
  const GenncModel& m = state.model();
  std::vector<uint64_t> shortest(m.projection_count, 0);
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (m.projections[p].delay_array != kNone) shortest[p] = shortest_stored_delay(state, p);
  return shortest;
}

ExchangePlan plan_exchange(const NetworkState& state, const std::vector<uint64_t>& shortest_built, uint32_t at_most) {
  // The compiler decided whether deliveries may wait and E's bound from constant delays
  // (gennc's plan_exchange); the built delays of projections that store theirs lower it.
  const GenncModel& m = state.model();
  ExchangePlan plan;
  plan.bound = m.exchange_bound != nullptr ? m.exchange_bound : "";
  if (!m.exchange_deferred) return plan;
  plan.deferred = true;
  uint64_t shortest = m.exchange_steps;
  for (uint32_t k = 0; k < m.step_schedule_length; ++k) {
    const GenncKernelInfo& kernel = m.kernels[m.step_schedule[k]];
    if (kernel.kind != GENNC_KERNEL_SYNAPSE_PRE || m.projections[kernel.owner].delay_array == kNone) continue;
    const uint64_t delay = shortest_built[kernel.owner];
    if (delay == 0 || (shortest != 0 && delay >= shortest)) continue;
    shortest = delay;
    plan.bound = "shortest delay: projection " + quoted(m.projections[kernel.owner].name);
  }
  if (shortest == 0) {
    plan.bound = "no projection delivers spikes";
    shortest = 1;
  }
  plan.steps = static_cast<uint32_t>(std::min<uint64_t>(shortest, UINT32_MAX));
  if (at_most != 0 && at_most < plan.steps) {
    plan.steps = at_most;
    plan.bound = "GENNC_EXCHANGE_INTERVAL";
  }
  return plan;
}

}  // namespace gennc::runtime
