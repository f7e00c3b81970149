#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Merges the rings of a population's receptors whose every spike adds its weight to the
// same variable into one ring: IF_curr_delta's excitatory and inhibitory receptors
// (`on spike(w: mV) { v += w }`), as NEST's iaf_psc_delta sums all its input in one
// buffer. A step of the update then loads and clears one ring cell instead of two, and the
// deliveries add into one ring (Brunel's benchmark networks: 8 of their update's ~48 bytes
// per neuron and step, and half the rings' memory).
//
// Rings A and B of population T merge when
//  - both are T's per-neuron rings (not a precise population's event rings), of one type,
//    unit and initial value, and neither is recorded or read by a synapse function;
//  - T's update reads them as six consecutive top-level statements:
//      let a = A[I]; store A[I] = 0; x = x + a; let b = B[I]; store B[I] = 0; x = x + b
//    with one index I and one local x, and touches them nowhere before those;
//  - every other access of A or B, in any kernel, is an atomic add into it, or a plain
//    add `store R[J] = R[J] + y` (a fused source's delivery into its own cell).
// Then the last three statements go, and every add into B adds into A instead: x gains
// a + b, summed in A's cell in the order the adds came (NEST's order), where it gained a,
// then b. So the values differ from separate rings in rounding only; the CPU and the GPU
// still agree as before (the GPU's adds into one cell were unordered already). Each
// projection onto B names A as its ring; B goes (remove_arrays).
//
// Off with --no-merge-rings. Runs after the fusions (whose plain adds it redirects), before
// localise_cleared_arrays and remove_dead_code.
// Requires: a lowered module whose stages are not planned yet.
// Guarantees: no population is left with two rings the conditions above hold for.
// Returns whether anything changed.
bool merge_receptor_rings(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
