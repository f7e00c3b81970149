/* Recording at the end of a step, written once for both engines: the tables that the GPU's
 * gennc_finish_step reads (runtime/device/step_kernels.c), laid out here for the C++ side
 * that fills them (runtime/src/cuda) and the device C that reads them, and the one
 * function that records a step's spikes, which the CPU engine (runtime/src/recorder.cpp)
 * and that kernel both call.
 *
 * Plain C99 (and C++), <stdint.h> only, so it compiles for the host and for nvptx64.
 * Addresses are 64-bit integers rather than pointers: the host writes device addresses it
 * cannot dereference, and the layout is the same on both sides without casts. */
#ifndef GENNC_STEP_RECORDING_H
#define GENNC_STEP_RECORDING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One population's spike recording. A step's spikes go to one row of `buffer`: `words`
 * u32 words, bit n for neuron n, or, with a multiplicity array, a count per neuron. A
 * precise population's row instead holds its step's spike list as it stands — the number
 * of entries, then their neurons — and the same row of `time_buffer` their exact times:
 * the GPU appends a step's spikes in any order, and the host orders them as the CPU's
 * recorder does (take_precise_spikes, runtime/src/recorder.h). */
typedef struct GenncSpikeTable {
  uint64_t count;        /* const uint32_t*: the population's spike count this step */
  uint64_t list;         /* const uint32_t*: its spike list (neurons) */
  uint64_t multiplicity; /* const uint32_t*: spikes each list entry stands for; 0: one each */
  uint64_t buffer;       /* uint32_t*: the rows, zeroed before they are recorded into */
  uint32_t size;         /* neurons */
  uint32_t words;        /* per row: (size + 31) / 32, size with a multiplicity array, or
                            1 + the list's length (its spike capacity) for a precise population */
  uint64_t times;        /* const double*: a precise population's spike times (beside its
                            list); 0 on the grid */
  uint64_t time_buffer;  /* double*: with `times`, rows of words - 1 spike times */
} GenncSpikeTable;

/* One variable recording: a row of `count` elements every `interval` steps. */
typedef struct GenncSampleTable {
  uint64_t source;   /* the recorded array (elements of `bytes` bytes) */
  uint64_t indices;  /* const uint32_t*: the elements sampled, in column order */
  uint64_t samples;  /* the rows */
  uint64_t interval; /* steps */
  uint32_t count;    /* elements per row */
  uint32_t bytes;    /* element size: 4 or 8 */
} GenncSampleTable;

/* Records spike list entries first, first + stride, ... of the step into row `row` of
 * `table->buffer`: of the min(count, size) entries, each neuron below `size` sets its bit,
 * or adds its entry's multiplicity to its count (as NEST records a spike with
 * multiplicity). Relaxed atomics, so the GPU's threads may share a row; a single caller
 * passes first 0 and stride 1. */
static inline void gennc_record_spikes(const GenncSpikeTable* table, uint64_t row, uint32_t first, uint32_t stride) {
  /* Read once: the atomics' stores could alias the table, as far as the compiler knows. */
  const uint32_t* list = (const uint32_t*)(uintptr_t)table->list;
  const uint32_t* multiplicity = (const uint32_t*)(uintptr_t)table->multiplicity;
  uint32_t* words = (uint32_t*)(uintptr_t)table->buffer + row * table->words;
  const uint32_t size = table->size, count = *(const uint32_t*)(uintptr_t)table->count;
  const uint32_t spikes = count < size ? count : size;
  uint32_t k;
  for (k = first; k < spikes; k += stride) {
    uint32_t neuron = list[k];
    if (neuron >= size) continue;
    if (multiplicity)
      __atomic_fetch_add(&words[neuron], multiplicity[k], __ATOMIC_RELAXED);
    else
      __atomic_fetch_or(&words[neuron >> 5], 1u << (neuron & 31u), __ATOMIC_RELAXED);
  }
}

/* Copies a precise population's spike list entries first, first + stride, ... of the
 * step, and their times, into row `row` of `table->buffer` and `table->time_buffer`; the
 * caller with first 0 also stores the number of entries (the count, at most the list's
 * length: spikes past it were never stored) in the row's first word. */
static inline void gennc_record_precise_spikes(const GenncSpikeTable* table, uint64_t row, uint32_t first,
                                               uint32_t stride) {
  const uint32_t capacity = table->words - 1;
  const uint32_t* list = (const uint32_t*)(uintptr_t)table->list;
  const double* times = (const double*)(uintptr_t)table->times;
  uint32_t* words = (uint32_t*)(uintptr_t)table->buffer + row * table->words;
  double* row_times = (double*)(uintptr_t)table->time_buffer + row * capacity;
  const uint32_t count = *(const uint32_t*)(uintptr_t)table->count;
  const uint32_t spikes = count < capacity ? count : capacity;
  uint32_t k;
  if (first == 0) words[0] = spikes;
  for (k = first; k < spikes; k += stride) {
    words[1 + k] = list[k];
    row_times[k] = times[k];
  }
}

#ifdef __cplusplus
}
#endif

#endif /* GENNC_STEP_RECORDING_H */
