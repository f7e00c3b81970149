#pragma once

#include "diag/diagnostics.h"
#include "passes/options.h"

namespace gennc::passes {

// Moves a current source's step kernel into its target's update (PyNN's NoisyCurrentSource,
// DCSource, ... injected into a whole population): the source's `<S>.inject` kernel
// computes a current per target and adds it into the target population's injected array,
// which the population's update then reads and clears; fused, the update computes the
// current itself, for its own neuron, first.
//
// The inject kernel K of injection S fuses into the update U of population T when
//  - S targets all of T (`GENNC_SELECT_ALL`, |S| = |T|: element k is neuron k; a slice, an
//    index list or an assembly stays apart), and T has one update U after K in the step
//    schedule;
//  - K writes nothing but its own arrays, stored at [index], and atomic adds, without a
//    result, into per-neuron arrays of T (its injected arrays, "A") at [index], through
//    `index` or a local bound to it and never assigned; it loads no A, and the arrays it
//    stores it loads at [index] only; it has no statement but let, assignment, if, for,
//    while, store and atomic add;
//  - K's own arrays (all that it loads or stores) are touched by no other step kernel
//    (recordings sample them after the step, when the fused update has stored them);
//  - U touches A at [index] only, and no kernel between K and U in the step schedule
//    touches A: K is the last kernel to add into A before U. Only that one fuses, at most
//    one source per population: an earlier source still adds from its own kernel, before.
// Then K's body, its locals added to U under "<S>.<name>", goes to the start of U's body,
// and K leaves the kernels and the schedules. The injection and its arrays stay (the
// runtime sizes and records them; remove_unused_arrays keeps arrays that code reads).
//
// Why results stay bitwise the same (CPU: the step schedule's kernels run in order): K
// reads only its own arrays, which nothing else changes, and `t`, `dt`, `step`, `seed`
// and `index` (element k = neuron k) mean the same in U as in K, so the body computes the
// same values; every random draw keeps its address (stream, step, index, draw). Element i
// of U adds K's values into A[i] before U's own code reads and clears A[i]: after the
// earlier sources' adds, as K's did, since nothing between K and U touched A and no other
// element of U touches A[i]. So A[i] receives the same adds in the same order, each float
// sum rounded as before, and K's arrays hold the same values at the end of the step.
//
// The adds become plain read-add-writes of A[index]: within U only element i touches
// A[i], and no kernel that U's stage may run beside it touches A (plan_stages, after
// this pass, puts every kernel that adds into A, which U reads, in another stage, and the
// stages of two steps overlap only without such a conflict), so no other thread adds
// there meanwhile; a plain add rounds as the atomic one does. The host's update loop then
// has no compare-exchange loop, and the GPU's update no atomic.
//
// `--no-fuse` (Options::fuse) turns the pass off.
// Requires: a lowered module whose stages are not planned yet (plan_stages runs after).
// Guarantees: no fused injection has a kernel left; the schedules are renumbered.
// Returns whether anything fused.
bool fuse_current_injection(ir::Module& m, const Options& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
