#include "stop_votes.h"

#include <algorithm>
#include <string>

#include "../stop_request.h"

namespace gennc::runtime::mpi {

StopVotes gather_stop_votes(const World& world, bool fault, bool past_budget) {
  // One word per rank: the stop request's reason above two bits for a fault and the budget.
  constexpr uint64_t kFault = 1, kBudget = 2, kFlags = 2;
  const uint64_t mine =
      static_cast<uint64_t>(stop_request()) << kFlags | (fault ? kFault : 0) | (past_budget ? kBudget : 0);
  StopVotes votes;
  uint64_t reason = 0;
  for (uint64_t word : world.gather(mine)) {
    votes.fault = votes.fault || (word & kFault) != 0;
    votes.budget = votes.budget || (word & kBudget) != 0;
    reason = std::max(reason, word >> kFlags);
  }
  votes.reason = static_cast<int>(reason);
  if (votes.reason != 0) request_stop(votes.reason);
  return votes;
}

Status stop_status(const StopVotes& votes, const Status& budget, uint64_t step) {
  if (votes.reason != 0) return stop_for_request(step);
  if (votes.fault) return ok();
  if (!budget.ok()) return budget;
  return {GENNC_ERROR_LIMIT, "the recordings of another rank outgrew their budget after step " + std::to_string(step) +
                                 " (sim --recording-budget; gennc_set_recording_budget): the run stopped there"};
}

void forget_fault_codes(NetworkState& state, uint32_t population, std::pair<uint32_t, uint32_t> range) {
  const GenncModel& model = state.model();
  for (uint32_t codes = 0; codes < model.array_count; ++codes)
    if ((model.arrays[codes].flags & GENNC_ARRAY_FAULT) && model.arrays[codes].owner == population &&
        model.arrays[codes].scope == GENNC_SCOPE_NEURON) {
      auto* data = static_cast<uint32_t*>(state.array(codes).data());
      std::fill(data + range.first, data + range.second, 0u);
    }
}

std::vector<ProfileRow> slowest_rank_rows(const World& world, std::vector<ProfileRow> rows) {
  std::vector<double> mine;
  for (const ProfileRow& row : rows) mine.push_back(row.seconds_per_step);
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world.gather_bytes(mine.data(), mine.size() * sizeof(double), &bytes);
  if (std::any_of(bytes.begin(), bytes.end(), [&](uint64_t b) { return b != mine.size() * sizeof(double); }))
    return rows;
  const auto* seconds = reinterpret_cast<const double*>(all.data());
  for (uint32_t rank = 0; rank < world.size(); ++rank)
    for (size_t k = 0; k < rows.size(); ++k)
      rows[k].seconds_per_step = std::max(rows[k].seconds_per_step, seconds[rank * rows.size() + k]);
  return rows;
}

}  // namespace gennc::runtime::mpi
