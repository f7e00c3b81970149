// A request to stop runs early (gennc_request_stop), made by the program that runs them,
// typically from a signal handler. Engines look at it after each step; the run that ends
// because of it consumes it (Simulation::run returns GENNC_STOPPED).
#pragma once

#include <cstdint>

#include "status.h"

namespace gennc::runtime {

// Async-signal-safe. `reason` is positive (sim passes the signal's number).
void request_stop(int reason);
// The pending request's reason, 0 when none.
int stop_request();
// The pending request's reason, then none is pending; last_stop_reason() keeps it.
int take_stop_request();
int last_stop_reason();
// An engine's answer when it stopped after step `step` for the pending request, which it
// consumes: GENNC_STOPPED, saying so.
Status stop_for_request(uint64_t step);

}  // namespace gennc::runtime
