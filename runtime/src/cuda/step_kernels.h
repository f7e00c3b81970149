// The runtime's own GPU kernels, which every step of a captured batch runs around the
// model's kernels: zeroing the spike counts, recording spikes into bit buffers, advancing
// step and time in the device-side GenncKernelEnv, and sampling recorded variables.
#pragma once

namespace gennc::runtime::cuda {

// PTX (ISA 7.0, sm_80) defining these entries:
//   gennc_zero_counts(u32** counts, u32 n)
//       *counts[i] = 0 for i < n.
//   gennc_record_spikes(GenncKernelEnv* env, u32* count, u32* list, u32 size, u32* bits,
//                       u32 words, u64* base)
//       for each of the step's min(*count, size) spikes n < size:
//       bits[(env->step - *base) * words + n / 32] |= 1 << n % 32.
//   gennc_advance(GenncKernelEnv* env, f64 steps_per_ms, f64 dt)
//       env->step += 1; env->t = steps_per_ms > 0 ? step / steps_per_ms : step * dt
//       (Simulation::time_at, rounded the same way).
//   gennc_sample(GenncKernelEnv* env, void* source, u32* indices, u32 n, void* samples,
//                u64 interval, u64* base, u32 bytes)
//       when env->step % interval == 0, row r = env->step / interval - *base / interval - 1
//       of `samples` gets source[indices[i]] for i < n (elements of `bytes` 4 or 8).
// One thread does gennc_advance; the others take their elements in a grid-stride loop.
extern const char* const kStepKernelsPtx;

}  // namespace gennc::runtime::cuda
