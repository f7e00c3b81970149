#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// How the ranks of a distributed run may exchange spikes (docs/distributed.md, Exchange),
// decided from the model: deliveries may wait for spikes gathered every E steps only where
// nothing else in the step reads spike lists or neuron state at delivery (a plastic
// projection's handlers and traces, continuous synapses, a delivery reading `pre.`/`post.`
// state, a source fused into its target's update, a derived kernel in the step); E is then
// at most the shortest constant delay of a delivering projection (a procedural one's
// shortest drawn delay). Projections that store their delays bound E too, once built: the
// runtime reads them (runtime/src/exchange_plan.cpp). Sets Module::exchange; `--emit=ir`
// prints it.
// Requires: the step schedule final. Returns whether anything changed.
bool plan_exchange(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
