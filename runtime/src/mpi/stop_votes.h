// What the ranks settle where they meet (docs/distributed.md, Results, checkpoints, profile
// and errors): whether to stop (each rank says whether it saw a numerical fault, is past
// its recording budget or was asked to stop, and every rank learns what all said), whose
// fault codes stand, and the profile of the slowest rank.
#pragma once

#include <cstdint>

#include <utility>
#include <vector>

#include "../engine.h"
#include "../network_state.h"
#include "../status.h"
#include "world.h"

namespace gennc::runtime::mpi {

struct StopVotes {
  bool fault = false;   // some rank saw a numerical fault
  bool budget = false;  // some rank is past its recording budget
  int reason = 0;       // the largest stop request given (a signal number; 0: none)
  bool stop() const { return fault || budget || reason != 0; }
};

// Collective: one gather of a word per rank. A rank without a stop request of its own then
// holds the largest one given (request_stop), so it reports the same signal.
StopVotes gather_stop_votes(const World& world, bool fault, bool past_budget);

// What a run that stops for `votes` at `step` returns: a stop request wins; then a fault
// (ok here: the caller reports it, before the budget); then this rank's budget error, or,
// for a rank within its own, that another rank's recordings outgrew theirs.
Status stop_status(const StopVotes& votes, const Status& budget, uint64_t step);

// Zeroes the failing-neuron codes (GENNC_ARRAY_FAULT per-neuron arrays) of `population`'s
// neurons `range` here: a rank whose fault came after the agreed step forgets its own, so
// every rank reports the first fault.
void forget_fault_codes(NetworkState& state, uint32_t population, std::pair<uint32_t, uint32_t> range);

// Collective: `rows` with each row's time the slowest rank's (unchanged where the ranks'
// rows differ in number).
std::vector<ProfileRow> slowest_rank_rows(const World& world, std::vector<ProfileRow> rows);

}  // namespace gennc::runtime::mpi
