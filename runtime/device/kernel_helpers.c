/* The helpers generated kernels call: out-of-line entry points over gennc/random.h and
 * gennc/connect_rows.h. The compiler builds this file to LLVM bitcode for the host and for
 * nvptx64 (compiler/codegen, cmake/EmbedDeviceCode.cmake) and links it into each kernel
 * module, where the always_inline bodies disappear into the callers; the runtime library
 * also compiles it for the host, so host-compiled kernels resolve the same symbols.
 * Freestanding for nvptx64, so <stdint.h> is clang's own and no host headers are read. */
#define GENNC_RANDOM_ALWAYS_INLINE
#include "gennc/random.h"
#include "gennc/connect_rows.h"

double gennc_rand_uniform(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                          uint32_t draw, double low, double high) {
  return gennc_rng_uniform(seed, stream, step, index, draw, low, high);
}

double gennc_rand_normal(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                         uint32_t draw, double mu, double sigma) {
  return gennc_rng_normal(seed, stream, step, index, draw, mu, sigma);
}

double gennc_rand_normal_single(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                                uint32_t draw, double mu, double sigma) {
  return gennc_rng_normal_single(seed, stream, step, index, draw, (float)mu, (float)sigma);
}

double gennc_rand_normal_clipped(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                                 uint32_t draw, double mu, double sigma, double low, double high) {
  return gennc_rng_normal_clipped(seed, stream, step, index, draw, mu, sigma, low, high);
}

double gennc_rand_normal_clipped_to_boundary(uint64_t seed, uint32_t stream, uint64_t step,
                                             uint32_t index, uint32_t draw, double mu,
                                             double sigma, double low, double high) {
  return gennc_rng_normal_clipped_to_boundary(seed, stream, step, index, draw, mu, sigma, low,
                                              high);
}

double gennc_rand_exponential(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                              uint32_t draw, double beta) {
  return gennc_rng_exponential(seed, stream, step, index, draw, beta);
}

double gennc_rand_gamma(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                        uint32_t draw, double k, double theta) {
  return gennc_rng_gamma(seed, stream, step, index, draw, k, theta);
}

double gennc_rand_lognormal(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                            uint32_t draw, double mu, double sigma) {
  return gennc_rng_lognormal(seed, stream, step, index, draw, mu, sigma);
}

double gennc_rand_uniform_int(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                              uint32_t draw, double low, double high) {
  return gennc_rng_uniform_int(seed, stream, step, index, draw, low, high);
}

double gennc_rand_poisson(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                          uint32_t draw, double lambda) {
  return gennc_rng_poisson(seed, stream, step, index, draw, lambda);
}

/* A host kernel's Poisson draws for a block of its range (compiler/codegen: HostTarget). */
void gennc_rand_poisson_block(uint64_t seed, uint32_t stream, uint64_t step, uint32_t first, uint32_t n,
                              uint32_t draw, double lambda, double* u, double* out) {
  gennc_rng_poisson_block(seed, stream, step, first, n, draw, lambda, u, out);
}

double gennc_rand_binomial(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                           uint32_t draw, double n, double p) {
  return gennc_rng_binomial(seed, stream, step, index, draw, n, p);
}

/* Procedural connectivity (gennc/connect_rows.h): a delivery kernel regenerates a spike's
 * row through these two entries. The kernel provides the state as a stack slot of
 * GENNC_ROW_STATE_BYTES bytes, 8-aligned (compiler/codegen/emit_kernels.cpp); once the
 * calls are inlined it lives in registers. They are named gennc_rand_* like the draws
 * because that prefix is what the code generators link from this library and inline into
 * the kernels (compiler/codegen): under another name a kernel without draws would keep an
 * unresolved call (PTX that does not load) and the state would stay in local memory. */
typedef struct GenncRowState {
  GenncRowConnector connector;
  GenncRowCursor cursor;
} GenncRowState;

#define GENNC_ROW_STATE_BYTES 128
_Static_assert(sizeof(GenncRowState) <= GENNC_ROW_STATE_BYTES, "the kernels' row state slot is too small");

/* The row's post positions [lo, hi) only: those whose neurons this process delivers to
 * (GenncKernelEnv.post_ranges; docs/distributed.md). */
void gennc_rand_row_start(GenncRowState* state, uint32_t kind, uint64_t seed, uint32_t stream, uint32_t n_post,
                          double param, uint32_t with_replacement, uint32_t local_pre, uint32_t row_index,
                          uint32_t excluded, uint32_t lo, uint32_t hi) {
  /* The parameters were checked when the row pointers were counted at initialisation. */
  gennc_row_connector_init(&state->connector, kind, seed, stream, n_post, param, (int)with_replacement);
  gennc_row_begin(&state->connector, local_pre, row_index, excluded, &state->cursor);
  gennc_row_limit(&state->connector, &state->cursor, lo, hi);
}

/* The next post position of the row (in its range), or GENNC_ROW_END. */
uint32_t gennc_rand_row_following(GenncRowState* state) {
  return gennc_row_next(&state->connector, &state->cursor, 0);
}
