// The runtime's own GPU kernels (runtime/device/step_kernels.c), which every step of a
// captured batch runs after the model's stage launches: recording spikes, sampling
// recorded variables, advancing step and time in the device-side GenncKernelEnv and zeroing
// the spike counts for the next step — one launch per step (gennc_finish_step), plus one
// gennc_zero_counts per batch.
#pragma once

#include "gennc/model_abi.h"
#include "gennc/step_recording.h"

namespace gennc::runtime::cuda {

// The rows of gennc_finish_step's tables, laid out once in gennc/step_recording.h.
using FinishSpikes = GenncSpikeTable;
using FinishSamples = GenncSampleTable;

// PTX (ISA 7.0, sm_80; compiled from step_kernels.c at build time) defining these entries:
//   gennc_zero_counts(u32** counts, u32 n)
//       *counts[i] = 0 for i < n.
//   gennc_fill_envs(GenncKernelEnv* envs, u32 steps, u64* base, GenncKernelEnv* templates,
//                   u32 copies, f64 steps_per_ms)
//       envs[k] for k < steps: templates[s % copies] for step s = *base + k, with step s,
//       t = steps_per_ms > 0 ? s / steps_per_ms : s * dt and row k (a folded step's env,
//       docs/gpu.md).
//   gennc_finish_step(GenncKernelEnv* env, FinishSpikes* spikes, u32 nspikes,
//                     FinishSamples* samples, u32 nsamples, u32** counts, u32 npops,
//                     u64* base, u64 k, f64 steps_per_ms, f64 dt, u32 zero, u32* done)
//       ends step `k` of the batch that began after step *base (so the step count becomes
//       s = *base + k + 1). Launched with grid.y = nspikes + nsamples (at least 1): the
//       blocks of row y take spike recording y, or sample recording y - nspikes, so no
//       thread walks a chain of recordings one dependent load after another:
//       - each of a recording's spikes is recorded into row k of its buffer by
//         gennc_record_spikes (a bit per neuron, or a count with a multiplicity array),
//         or for a precise population (`times` set) by gennc_record_precise_spikes (the
//         number of entries, their neurons, and their times in row k of time_buffer);
//       - when s % interval == 0, row s / interval - *base / interval - 1 of `samples`
//         gets source[indices[i]] for i < count;
//       - env->step = s; env->t = steps_per_ms > 0 ? s / steps_per_ms : s * dt
//         (NetworkState::time_at, rounded the same way);
//       - when `zero` is set, the last block to finish (counted in *done, which it resets
//         to 0) zeroes *counts[i] for i < npops, after every block has read its counts. No
//         fence comes before a block counts itself: its threads have used the counts they
//         loaded (the block's barrier follows those loads), so no later store can reach
//         them, and nothing else the block wrote is read in this launch.
//       Nothing in it reads env->step or env->t, which thread 0 writes.
// A row's threads take the recording's elements in a grid-stride loop over grid.x.
// Its machine code, where ptxas was found at build time (runtime/CMakeLists.txt).
extern const char kStepKernelsPtx[];
extern const GenncCubin* const kStepKernelsCubins;
extern const uint32_t kStepKernelsCubinsCount;

}  // namespace gennc::runtime::cuda
