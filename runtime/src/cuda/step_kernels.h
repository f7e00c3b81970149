// The runtime's own GPU kernels, which every step of a captured batch runs after the
// model's stage launches: recording spikes, sampling recorded variables, advancing step
// and time in the device-side GenncKernelEnv and zeroing the spike counts for the next
// step — one launch per step (gennc_finish_step), plus one gennc_zero_counts per batch.
#pragma once

namespace gennc::runtime::cuda {

// One spike recording in gennc_finish_step's table (40 bytes, as the PTX reads it).
struct FinishSpikes {
  unsigned long long count, list, multiplicity, buffer;  // device pointers; multiplicity 0: none
  unsigned size;   // neurons
  unsigned words;  // u32 words per step: (size + 31) / 32 bits, or size counts with multiplicity
};
// One variable recording in gennc_finish_step's table (40 bytes).
struct FinishSamples {
  unsigned long long source, indices, samples, interval;
  unsigned count;  // selected neurons
  unsigned bytes;  // element size, 4 or 8
};
static_assert(sizeof(FinishSpikes) == 40 && sizeof(FinishSamples) == 40, "the PTX's table layout");

// PTX (ISA 7.0, sm_80) defining these entries:
//   gennc_zero_counts(u32** counts, u32 n)
//       *counts[i] = 0 for i < n.
//   gennc_finish_step(GenncKernelEnv* env, FinishSpikes* spikes, u32 nspikes,
//                     FinishSamples* samples, u32 nsamples, u32** counts, u32 npops,
//                     u64* base, u64 k, f64 steps_per_ms, f64 dt, u32 zero, u32* done)
//       ends step `k` of the batch that began after step *base (so the step count becomes
//       s = *base + k + 1). Launched with grid.y = nspikes + nsamples (at least 1): the
//       blocks of row y take spike recording y, or sample recording y - nspikes, so no
//       thread walks a chain of recordings one dependent load after another:
//       - each of a recording's min(*count, size) spikes n < size sets bit n of row k of its
//         bit buffer (buffer[k * words + n / 32]), or, with a multiplicity array, adds the
//         entry's multiplicity to buffer[k * words + n];
//       - when s % interval == 0, row s / interval - *base / interval - 1 of `samples`
//         gets source[indices[i]] for i < count;
//       - env->step = s; env->t = steps_per_ms > 0 ? s / steps_per_ms : s * dt
//         (Simulation::time_at, rounded the same way);
//       - when `zero` is set, the last block to finish (counted in *done, which it resets
//         to 0) zeroes *counts[i] for i < npops, after every block has read its counts. No
//         fence comes before a block counts itself: its threads have used the counts they
//         loaded (the block's barrier follows those loads), so no later store can reach
//         them, and nothing else the block wrote is read in this launch.
//       Nothing in it reads env->step or env->t, which thread 0 writes.
// A row's threads take the recording's elements in a grid-stride loop over grid.x.
extern const char* const kStepKernelsPtx;

}  // namespace gennc::runtime::cuda
