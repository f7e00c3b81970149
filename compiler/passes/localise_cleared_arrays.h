#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Turns an internal per-neuron array that holds a value only within one kernel's element
// into a local of that kernel: a population's injected input once every current source
// into it has fused into its update (fuse_current_injection), which adds the source's
// current into A[index], reads A[index] and clears it, all in one thread.
//
// Array A moves into kernel U when
//  - A is internal, not state, per neuron, starts at zero, and is not recorded;
//  - U, the update of A's population, is the only kernel (init, derived, step or
//    sampling) that touches A, no synapse function loads it, and U touches it at [index]
//    only, by loads and plain stores (no atomic add: that would mean other elements share
//    it), outside any precise step's event handlers;
//  - the last top-level statement of U that touches A is `store A[index] = +0`, which
//    every element of U then runs.
// Then A[index] is zero whenever U starts on an element: it starts at zero, nothing else
// writes it, and U leaves it zero. So U's loads of A[index] read what its own stores left
// since it started, from zero: a local `<A>.cell`, declared `= 0` first in U, whose
// assignments are U's stores, holds exactly those values (the same adds in the same
// order, each rounded as the store rounded it). Results stay bitwise the same, and the
// array, with its per-neuron load and store a step, goes (remove_arrays).
//
// Runs after the fusions, before remove_dead_code (which drops the final clear, now a dead
// assignment).
// Requires: a lowered module whose stages are not planned yet.
// Guarantees: no array is left that the conditions above hold for.
// Returns whether anything changed.
bool localise_cleared_arrays(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
