#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Moves a spike source's update and its one-to-one delivery into its target's update
// (PyNN's SpikeSourcePoisson + OneToOneConnector, one source neuron per target neuron).
//
// A source population P and a projection Q fuse into Q's post population T when
//  - P is on the grid (a precise P's spike times are kept);
//  - P's step kernel stores nothing (no store, atomic add or state) and emits P's spikes
//    at one site, for its own element `index` (with or without a count);
//  - Q is P's only projection (none ends at P, no injection or recording names P), its
//    rows are diagonal from all of P onto all of T with |P| = |T|, its one step kernel is
//    the presynaptic one, which stores nothing but atomic adds into T's receptor ring and
//    reads P's spikes only as `spike_list[index]` and `spike_multiplicity[index]`; no
//    other kernel reads P's spike arrays;
//  - no step kernel writes an array that P's or Q's kernel reads (besides P's spikes);
//  - in the step schedule T's update comes before Q's delivery, P's update before Q's
//    delivery, and no kernel between T's update and Q's delivery reads, writes or adds to
//    T's receptor ring.
// Then P's update body is appended to the end of T's update body, its emit_spike replaced
// by Q's body for that element (pre = index; the multiplicity = the emitted count, or 1),
// with P's and Q's locals added to T's kernel; P's update and Q's delivery leave the
// kernels and the schedules. The repetition loop of a counted spike stays as it was, so
// the same atomic adds of the same values happen; every random draw keeps its address
// (stream, step, index, draw), so it draws the same number.
//
// Why results stay bitwise the same (CPU: the step schedule's kernels run in order):
// P reads nothing that a step kernel writes, so running its body at T's update instead of
// at its own place computes the same counts. T's update of element j reads and zeroes
// its ring at slot (step & mask, j) at the start of its body; the fused adds go to slot
// ((step + d + 1) & mask, j) at its end: after the read and zero, also when d + 1 equals
// the depth and the slots coincide, which is where Q's delivery (after T's update) put
// them. No other element of T's update touches element j of the ring, and no kernel
// between T's update and Q's delivery touched the ring, so the ring receives the same
// adds in the same order, each float sum rounded as before. Several sources fused into
// one T are appended in their deliveries' schedule order, so their adds keep that order.
// (On the GPU the adds of one stage were unordered anyway; the fused ones now come first.)
//
// P stays a population and Q a projection: the runtime needs P's spike count and list
// arrays (zeroed each step, never filled now) and sizes T's ring from Q's delay. Both
// stay in the arrays table (remove_unused_arrays keeps internal arrays).
// Requires: a lowered module whose stages are not planned yet (plan_stages runs after).
// Guarantees: no fused source or delivery has a kernel left; the schedules are renumbered.
// Returns whether anything fused.
bool fuse_source_delivery(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
