/* The runtime's own GPU kernels, which every step of a captured batch runs after the
 * model's stage launches (runtime/src/cuda/cuda_engine.cpp): recording spikes, sampling
 * recorded variables, advancing step and time in the device-side GenncKernelEnv and zeroing
 * the spike counts for the next step — one gennc_finish_step per step, plus one
 * gennc_zero_counts per batch. runtime/src/cuda/step_kernels.h gives their contracts.
 *
 * Built at build time by clang for nvptx64-nvidia-cuda (freestanding C, no libdevice: no
 * math here, so they are built wherever the runtime is), then llc to sm_80 PTX (ISA 7.0),
 * embedded into the runtime. */
#include "gennc/model_abi.h"
#include "gennc/step_recording.h"
#include "kernel.h"

/* *counts[i] = 0 for the thread's i < n (one element per thread). */
KERNEL void gennc_zero_counts(uint32_t* const* counts, uint32_t n) {
  uint64_t i = first_element();
  if (i < n) *counts[i] = 0;
}

/* The envs of a batch's folded steps (docs/gpu.md, "A step without a finish launch"):
 * step k (k < steps) of the batch that began after step *base computes step s = *base + k,
 * at time s / steps_per_ms (or s * dt), from templates[s % copies] (the pointer table
 * naming that copy of the spike arrays, and the next copy's counts to zero), and records
 * into row k. One element per thread. */
KERNEL void gennc_fill_envs(GenncKernelEnv* envs, uint32_t steps, const uint64_t* base,
                            const GenncKernelEnv* templates, uint32_t copies, double steps_per_ms) {
  const uint64_t k = first_element();
  uint64_t s;
  GenncKernelEnv env;
  if (k >= steps) return;
  s = *base + k;
  env = templates[s % copies];
  env.step = s;
  env.t = steps_per_ms > 0.0 ? (double)s / steps_per_ms : (double)s * env.dt;
  env.row = k;
  envs[k] = env;
}

/* Row s / interval - first_step / interval - 1 of the samples gets source[indices[i]], when
 * a sample is due after step s. */
static inline void sample(const GenncSampleTable* table, uint64_t s, uint64_t first_step, uint32_t first,
                          uint32_t stride) {
  /* Read once: the stores could alias the table, as far as the compiler knows. */
  const uint32_t* indices = (const uint32_t*)(uintptr_t)table->indices;
  const uint64_t interval = table->interval, source = table->source;
  const uint32_t count = table->count;
  uint64_t row;
  uint32_t i;
  if (s % interval != 0) return;
  row = (s / interval - first_step / interval - 1) * count;
  if (table->bytes == 8) {
    uint64_t* samples = (uint64_t*)(uintptr_t)table->samples + row;
    for (i = first; i < count; i += stride) samples[i] = ((const uint64_t*)(uintptr_t)source)[indices[i]];
  } else {
    uint32_t* samples = (uint32_t*)(uintptr_t)table->samples + row;
    for (i = first; i < count; i += stride) samples[i] = ((const uint32_t*)(uintptr_t)source)[indices[i]];
  }
}

/* Set by the block that counts itself last, for its own threads. */
static __attribute__((address_space(3))) uint32_t last_block;

KERNEL void gennc_finish_step(GenncKernelEnv* env, const GenncSpikeTable* spikes, uint32_t nspikes,
                              const GenncSampleTable* samples, uint32_t nsamples, uint32_t* const* counts,
                              uint32_t npops, const uint64_t* base, uint64_t k, double steps_per_ms, double dt,
                              uint32_t zero, uint32_t* done) {
  const uint32_t first = (uint32_t)first_element(), stride = (uint32_t)grid_stride();
  const uint32_t row = __nvvm_read_ptx_sreg_ctaid_y(), thread = __nvvm_read_ptx_sreg_tid_x();
  const uint64_t first_step = *base, s = first_step + k + 1;
  uint32_t i;
  if (row < nspikes && spikes[row].times != 0)
    gennc_record_precise_spikes(&spikes[row], k, first, stride);
  else if (row < nspikes)
    gennc_record_spikes(&spikes[row], k, first, stride);
  else if (row - nspikes < nsamples)
    sample(&samples[row - nspikes], s, first_step, first, stride);

  if ((first | row) == 0) {
    env->step = s;
    env->t = steps_per_ms > 0.0 ? (double)s / steps_per_ms : (double)s * dt;
  }

  if (!zero) return;
  __syncthreads();
  if (thread == 0) {
    const uint32_t blocks = __nvvm_read_ptx_sreg_nctaid_x() * __nvvm_read_ptx_sreg_nctaid_y();
    last_block = __atomic_fetch_add(done, 1u, __ATOMIC_RELAXED) == blocks - 1;
  }
  __syncthreads();
  if (!last_block) return;
  for (i = thread; i < npops; i += __nvvm_read_ptx_sreg_ntid_x()) *counts[i] = 0;
  if (thread == 0) *done = 0;
}
