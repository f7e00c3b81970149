// The ranks agreeing whether to stop (docs/distributed.md, Results, checkpoints, profile
// and errors): at a meeting every rank says whether it saw a numerical fault, is past its
// recording budget or was asked to stop, and every rank learns what all said.
#pragma once

#include <cstdint>

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

}  // namespace gennc::runtime::mpi
