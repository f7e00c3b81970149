/* The GPU kernel of a distributed run's spike exchange (spike_exchange.h): after NCCL's
 * all-gather has put every rank's spike lists side by side (each rank's neurons only: its
 * neuron kernels run over its range), every rank's entries are appended to the
 * population's spike list, as a neuron kernel appends its spikes (an atomic count, so in no
 * fixed order: the order of a GPU spike list varies between runs anyway, docs/gpu.md).
 *
 * Built like step_kernels.c (freestanding C for nvptx64, sm_80 PTX, embedded). */
#include "gennc/exchange_table.h"
#include "kernel.h"

/* grid.y: the slot; grid.x: a grid-stride loop over every rank's `capacity` entries. */
KERNEL void gennc_unpack_spikes(const GenncExchangeSlot* slots, const uint32_t* gathered, uint32_t chunk_words,
                                uint32_t ranks) {
  const GenncExchangeSlot* slot = &slots[__nvvm_read_ptx_sreg_ctaid_y()];
  const uint32_t capacity = slot->capacity;
  uint32_t* count = (uint32_t*)(uintptr_t)slot->count;
  uint32_t* list = (uint32_t*)(uintptr_t)slot->list;
  uint32_t* multiplicity = (uint32_t*)(uintptr_t)slot->multiplicity;
  uint32_t* times = (uint32_t*)(uintptr_t)slot->times;
  const uint64_t entries = (uint64_t)ranks * capacity, stride = grid_stride();
  uint64_t e;
  for (e = first_element(); e < entries; e += stride) {
    const uint32_t rank = (uint32_t)(e / capacity), j = (uint32_t)(e % capacity);
    const uint32_t* block = gathered + (uint64_t)rank * chunk_words + slot->offset;
    const uint32_t sent = block[0] < capacity ? block[0] : capacity;
    const uint32_t* next = block + 1 + capacity;
    uint32_t neuron, at;
    if (j >= sent) continue;
    neuron = block[1 + j];
    at = __atomic_fetch_add(count, 1u, __ATOMIC_RELAXED);
    if (at >= capacity) continue; /* as a neuron kernel drops what its list cannot hold */
    list[at] = neuron;
    if (multiplicity) {
      multiplicity[at] = next[j];
      next += capacity;
    }
    if (times) {
      times[2 * (uint64_t)at] = next[2 * (uint64_t)j];
      times[2 * (uint64_t)at + 1] = next[2 * (uint64_t)j + 1];
    }
  }
}
