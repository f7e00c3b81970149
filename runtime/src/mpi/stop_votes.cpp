#include "stop_votes.h"

#include <algorithm>
#include <string>

#include "../stop_request.h"

namespace gennc::runtime::mpi {

StopVotes gather_stop_votes(const World& world, bool fault, bool past_budget) {
  // One word per rank: the stop request's reason above two bits for a fault and the budget.
  constexpr uint64_t kFault = 1, kBudget = 2, kFlags = 2;
  const uint64_t mine = static_cast<uint64_t>(stop_request()) << kFlags | (fault ? kFault : 0) | (past_budget ? kBudget : 0);
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

}  // namespace gennc::runtime::mpi
