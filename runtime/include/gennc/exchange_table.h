/* The table that gennc_unpack_spikes (runtime/device/spike_exchange_kernels.c) reads, laid
 * out once for the host (runtime/src/cuda/spike_exchange.cpp) and the device: plain C,
 * fixed-width fields only. */
#ifndef GENNC_EXCHANGE_TABLE_H
#define GENNC_EXCHANGE_TABLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One population of an exchange. Every rank sends, at `offset` words into its chunk of the
 * gathered buffer, the population's spike count, then `capacity` neuron ids, then (where
 * `multiplicity` is set) `capacity` multiplicities, then (where `times` is set) `capacity`
 * pairs of words (an f64 time each): its whole spike list as it stood after the update. */
typedef struct GenncExchangeSlot {
  uint64_t count;        /* u32*: the population's spike count, zeroed before the unpack */
  uint64_t list;         /* u32*: its spike list, `capacity` entries */
  uint64_t multiplicity; /* u32* or 0 */
  uint64_t times;        /* u32 pairs or 0 */
  uint32_t offset;
  uint32_t capacity;
} GenncExchangeSlot;

#ifdef __cplusplus
}
#endif

#endif /* GENNC_EXCHANGE_TABLE_H */
