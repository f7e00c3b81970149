/* Out-of-line entry points over gennc/random.h for generated kernels. The compiler builds
 * this file to LLVM bitcode (for the NVPTX target) and links it into each kernel module,
 * where the always_inline bodies disappear into the callers; the runtime library also
 * compiles it for the host, so host-compiled kernels resolve the same symbols.
 * For NVPTX: clang -x c -ffreestanding --target=nvptx64-nvidia-cuda -emit-llvm -c
 * (freestanding, so <stdint.h> is clang's own and no host headers are read). */
#define GENNC_RANDOM_ALWAYS_INLINE
#include "gennc/random.h"

double gennc_rand_uniform(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                          uint32_t draw, double low, double high) {
  return gennc_rng_uniform(seed, stream, step, index, draw, low, high);
}

double gennc_rand_normal(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                         uint32_t draw, double mu, double sigma) {
  return gennc_rng_normal(seed, stream, step, index, draw, mu, sigma);
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

double gennc_rand_binomial(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                           uint32_t draw, double n, double p) {
  return gennc_rng_binomial(seed, stream, step, index, draw, n, p);
}
