/* Counter-based random numbers (Philox4x32-10), shared by the runtime and generated code.
 *
 * A draw is addressed, not generated from a running state: the number for
 * (seed, stream, step, index, draw) is a pure function of those five values, so every
 * thread, block or device that computes the same address gets the same number, and
 * elements can be initialised or connected in any order or in parallel.
 *
 *   seed    the network seed (64 bits): the Philox key
 *   stream  what is being drawn (an array's initialiser, a connector, a call site in a
 *           kernel); unique per use, 16 bits
 *   step    the time step (0 at initialisation), 40 bits
 *   index   the element: neuron, synapse, or connectivity row
 *   draw    the draw number within (stream, step, index)
 *
 * The 128-bit Philox counter is laid out as
 *   ctr[0] = index, ctr[1] = draw, ctr[2] = step bits 0..31,
 *   ctr[3] = stream << 16 | sub << 8 | step bits 32..39
 * where `sub` (8 bits) is a sub-counter private to one draw: samplers that need a
 * variable number of blocks (rejection loops) take them from sub = 0, 1, 2, ... of the
 * same draw, so draw n never consumes numbers that belong to draw n + 1.
 *
 * The header is written once for both targets: plain C99 (and C++), <stdint.h> only, and
 * math through __builtin_exp/log/sqrt/sin/cos/floor, which the host resolves to libm and
 * the GPU code generator maps to its device math library. Defining
 * GENNC_RANDOM_ALWAYS_INLINE before inclusion (the C of runtime/device does, compiled to
 * LLVM bitcode) marks every function always_inline so no call survives in kernels. */
#ifndef GENNC_RANDOM_H
#define GENNC_RANDOM_H

/* Steps a stream addresses: a run may have at most 2^GENNC_RANDOM_STEP_BITS steps (the
 * compiler refuses a longer duration, the runtime a longer run). */
#define GENNC_RANDOM_STEP_BITS 40

#include <stdint.h>

#ifdef GENNC_RANDOM_ALWAYS_INLINE
#define GENNC_RNG_FN static inline __attribute__((always_inline))
#else
#define GENNC_RNG_FN static inline
#endif
/* The rejection samplers of large means stay functions of their own: where the mean is only
 * known at run time (a settable rate), inlining them into every kernel that draws would
 * hold their many double-precision temporaries alongside the kernel's own, which on a GPU
 * cost a whole stage its occupancy (the microcircuit's step took 1.8x as long). */
#define GENNC_RNG_COLD static __attribute__((noinline))

#ifdef __cplusplus
extern "C" {
#endif

/* Proposals a rejection sampler may use for one draw: the sub-counter has 8 bits. */
#define GENNC_RNG_MAX_SUB 256u

typedef struct GenncRandBlock {
  uint32_t v[4];
} GenncRandBlock;

/* On the GPU the halves come from 32-bit multiplies: from the 64-bit product, LLVM's
 * combiner widens the round's xors and adds to 64 bits, which the PTX assembler then
 * emulates with twice the integer instructions (the same bits either way). */
GENNC_RNG_FN uint32_t gennc_rng_mulhilo(uint32_t a, uint32_t b, uint32_t* hi) {
#ifdef __NVPTX__
  *hi = __nvvm_mulhi_ui(a, b);
  return a * b;
#else
  uint64_t product = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(product >> 32);
  return (uint32_t)product;
#endif
}

/* The Philox4x32 bijection with 10 rounds (Salmon et al., SC'11). */
GENNC_RNG_FN GenncRandBlock gennc_rng_philox4x32_10(GenncRandBlock ctr, uint32_t key0,
                                                   uint32_t key1) {
  int round;
  for (round = 0; round < 10; ++round) {
    uint32_t hi0, hi1;
    uint32_t lo0 = gennc_rng_mulhilo(0xD2511F53u, ctr.v[0], &hi0);
    uint32_t lo1 = gennc_rng_mulhilo(0xCD9E8D57u, ctr.v[2], &hi1);
    GenncRandBlock next;
    next.v[0] = hi1 ^ ctr.v[1] ^ key0;
    next.v[1] = lo1;
    next.v[2] = hi0 ^ ctr.v[3] ^ key1;
    next.v[3] = lo0;
    ctr = next;
    key0 += 0x9E3779B9u;
    key1 += 0xBB67AE85u;
  }
  return ctr;
}

/* 128 random bits for one address and sub-counter. */
GENNC_RNG_FN GenncRandBlock gennc_rng_block(uint64_t seed, uint32_t stream, uint64_t step,
                                           uint32_t index, uint32_t draw, uint32_t sub) {
  GenncRandBlock ctr;
  ctr.v[0] = index;
  ctr.v[1] = draw;
  ctr.v[2] = (uint32_t)step;
  ctr.v[3] = ((stream & 0xFFFFu) << 16) | ((sub & 0xFFu) << 8) | ((uint32_t)(step >> 32) & 0xFFu);
  return gennc_rng_philox4x32_10(ctr, (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* A double in the open interval (0, 1) from 64 random bits: (k + 0.5) / 2^52 with k of
 * 52 bits, so neither 0 nor 1 is ever returned (log and 1/u stay finite); the largest
 * value, 1 - 2^-53, is exactly representable. */
GENNC_RNG_FN double gennc_rng_open01(uint32_t hi, uint32_t lo) {
  uint64_t k = (((uint64_t)hi << 32) | lo) >> 12;
  return ((double)k + 0.5) * (1.0 / 4503599627370496.0);
}

/* The two uniforms (0, 1) a block provides. */
GENNC_RNG_FN double gennc_rng_first(GenncRandBlock b) { return gennc_rng_open01(b.v[0], b.v[1]); }
GENNC_RNG_FN double gennc_rng_second(GenncRandBlock b) { return gennc_rng_open01(b.v[2], b.v[3]); }

/* Box-Muller on a block's two uniforms; `which` 0 gives the cosine branch, 1 the sine. */
GENNC_RNG_FN double gennc_rng_box_muller(GenncRandBlock b, int which) {
  double radius = __builtin_sqrt(-2.0 * __builtin_log(gennc_rng_first(b)));
  double angle = 6.283185307179586476925 * gennc_rng_second(b);
  return radius * (which ? __builtin_sin(angle) : __builtin_cos(angle));
}

/* ---- Single precision: the normal draws of a --float32 build's step kernels. ----------
 * Box-Muller in float with gennc's own log and cosine: IEEE single-precision adds,
 * multiplies, divides and square roots only, never fused (both back ends compile without
 * contraction), so the CPU and the GPU give the same bits, where libm's and libdevice's
 * functions need not agree. The double path costs a GPU thread several hundred
 * instructions (libdevice's double log and cosine) and does not vectorise on the CPU.
 * Each is within 2 ulp of the double functions (tests/runtime/test_random.cpp). */

GENNC_RNG_FN float gennc_rng_bits_to_float(uint32_t bits) {
  union { uint32_t u; float f; } v;
  v.u = bits;
  return v.f;
}

GENNC_RNG_FN uint32_t gennc_rng_float_to_bits(float f) {
  union { uint32_t u; float f; } v;
  v.f = f;
  return v.u;
}

/* log(x) for a normal positive finite x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), and
 * log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, from its odd series. */
GENNC_RNG_FN float gennc_rng_logf(float x) {
  uint32_t bits = gennc_rng_float_to_bits(x);
  int e = (int)(bits >> 23) - 127;
  float m = gennc_rng_bits_to_float((bits & 0x007FFFFFu) | 0x3F800000u);
  float f, s, z, r, half_f2;
  if (m > 1.41421356f) {
    m = m * 0.5f;
    e += 1;
  }
  f = m - 1.0f; /* exact: m within a factor 2 of 1 */
  s = f / (2.0f + f);
  z = s * s;
  r = z * (0.666666667f + z * (0.4f + z * (0.285714286f + z * 0.222222222f)));
  half_f2 = 0.5f * f * f;
  /* log(2) in two parts: e * 0.693145751953125 is exact for |e| < 2^9. */
  return (float)e * 0.693145751953125f + ((f - (half_f2 - s * (half_f2 + r))) + (float)e * 1.42860677e-06f);
}

/* cos(x) and sin(x) for |x| <= pi / 4, from their Taylor series (the first term left out
 * is below 2e-9). */
GENNC_RNG_FN float gennc_rng_cos_kernelf(float x) {
  float z = x * x;
  return 1.0f + z * (-0.5f + z * (4.16666667e-02f + z * (-1.38888889e-03f + z * (2.48015873e-05f + z * -2.75573192e-07f))));
}
GENNC_RNG_FN float gennc_rng_sin_kernelf(float x) {
  float z = x * x;
  return x + x * z * (-0.166666667f + z * (8.33333333e-03f + z * (-1.98412698e-04f + z * 2.75573192e-06f)));
}

/* cos(2 pi u) for u in [0, 1]: folded onto [0, 1/8] by steps that are exact in float. */
GENNC_RNG_FN float gennc_rng_cos_2pif(float u) {
  float sign = 1.0f;
  if (u > 0.5f) u = 1.0f - u;
  if (u > 0.25f) {
    u = 0.5f - u;
    sign = -1.0f;
  }
  return sign * (u <= 0.125f ? gennc_rng_cos_kernelf(6.28318531f * u)
                             : gennc_rng_sin_kernelf(6.28318531f * (0.25f - u)));
}

/* Normal (mu, sigma) in single precision: the radius from 32 bits of the block (u in
 * (0, 1], exact near 0, so the tails reach 6.8 sigma), the angle from 32 more. */
GENNC_RNG_FN float gennc_rng_normal_single(uint64_t seed, uint32_t stream, uint64_t step,
                                           uint32_t index, uint32_t draw, float mu, float sigma) {
  GenncRandBlock b = gennc_rng_block(seed, stream, step, index, draw, 0);
  float u = ((float)b.v[0] + 0.5f) * 2.32830644e-10f; /* 2^-32 */
  float angle = (float)b.v[2] * 2.32830644e-10f;
  return mu + sigma * (__builtin_sqrtf(-2.0f * gennc_rng_logf(u)) * gennc_rng_cos_2pif(angle));
}

/* ---- Distributions: each consumes exactly one draw number. --------------------------- */

GENNC_RNG_FN double gennc_rng_uniform01(uint64_t seed, uint32_t stream, uint64_t step,
                                        uint32_t index, uint32_t draw) {
  return gennc_rng_first(gennc_rng_block(seed, stream, step, index, draw, 0));
}

/* Uniform on (low, high). */
GENNC_RNG_FN double gennc_rng_uniform(uint64_t seed, uint32_t stream, uint64_t step,
                                      uint32_t index, uint32_t draw, double low, double high) {
  return low + (high - low) * gennc_rng_uniform01(seed, stream, step, index, draw);
}

GENNC_RNG_FN double gennc_rng_normal(uint64_t seed, uint32_t stream, uint64_t step,
                                     uint32_t index, uint32_t draw, double mu, double sigma) {
  return mu + sigma * gennc_rng_box_muller(gennc_rng_block(seed, stream, step, index, draw, 0), 0);
}

/* Normal restricted to [low, high] by redrawing. Each sub-counter block gives two
 * candidates (both Box-Muller branches), 512 in all; the interval should hold at least a
 * few percent of the mass. Should every candidate fall outside (probability below 1e-11
 * for 5 % mass), the last one is clamped to the interval. */
GENNC_RNG_FN double gennc_rng_normal_clipped(uint64_t seed, uint32_t stream, uint64_t step,
                                             uint32_t index, uint32_t draw, double mu,
                                             double sigma, double low, double high) {
  double x = mu;
  uint32_t sub;
  for (sub = 0; sub < GENNC_RNG_MAX_SUB; ++sub) {
    GenncRandBlock b = gennc_rng_block(seed, stream, step, index, draw, sub);
    int which;
    for (which = 0; which < 2; ++which) {
      x = mu + sigma * gennc_rng_box_muller(b, which);
      if (x >= low && x <= high) return x;
    }
  }
  return x < low ? low : (x > high ? high : x);
}

/* Normal with values outside [low, high] moved onto the nearer boundary. */
GENNC_RNG_FN double gennc_rng_normal_clipped_to_boundary(uint64_t seed, uint32_t stream,
                                                         uint64_t step, uint32_t index,
                                                         uint32_t draw, double mu, double sigma,
                                                         double low, double high) {
  double x = gennc_rng_normal(seed, stream, step, index, draw, mu, sigma);
  return x < low ? low : (x > high ? high : x);
}

/* Exponential with mean `beta`. */
GENNC_RNG_FN double gennc_rng_exponential(uint64_t seed, uint32_t stream, uint64_t step,
                                          uint32_t index, uint32_t draw, double beta) {
  return -beta * __builtin_log(gennc_rng_uniform01(seed, stream, step, index, draw));
}

/* Gamma with shape k and scale theta: Marsaglia and Tsang (2000). Proposal n takes its
 * normal from the block at sub-counter 2n and its acceptance uniform from block 2n + 1;
 * acceptance is above 95 %, so the 127 proposals of a draw are never exhausted in practice
 * (if they were, the mode d * theta would be returned). For k < 1 the draw is
 * Gamma(k + 1) * U^(1/k) with U from the last sub-counter, which proposals never reach. */
GENNC_RNG_FN double gennc_rng_gamma(uint64_t seed, uint32_t stream, uint64_t step,
                                    uint32_t index, uint32_t draw, double k, double theta) {
  double boost = 1.0;
  double d, c, result;
  uint32_t sub;
  if (!(k > 0.0)) return 0.0;
  if (k < 1.0) {
    double u = gennc_rng_first(gennc_rng_block(seed, stream, step, index, draw, GENNC_RNG_MAX_SUB - 1));
    boost = __builtin_exp(__builtin_log(u) / k);
    k += 1.0;
  }
  d = k - 1.0 / 3.0;
  c = 1.0 / __builtin_sqrt(9.0 * d);
  result = d;
  for (sub = 0; sub + 1 < GENNC_RNG_MAX_SUB - 1; sub += 2) {
    double x = gennc_rng_box_muller(gennc_rng_block(seed, stream, step, index, draw, sub), 0);
    double v = 1.0 + c * x;
    double u;
    if (v <= 0.0) continue;
    v = v * v * v;
    u = gennc_rng_first(gennc_rng_block(seed, stream, step, index, draw, sub + 1));
    if (__builtin_log(u) < 0.5 * x * x + d - d * v + d * __builtin_log(v)) {
      result = d * v;
      break;
    }
  }
  return result * boost * theta;
}

/* Log-normal: exp of a normal with mean mu and standard deviation sigma. */
GENNC_RNG_FN double gennc_rng_lognormal(uint64_t seed, uint32_t stream, uint64_t step,
                                        uint32_t index, uint32_t draw, double mu, double sigma) {
  return __builtin_exp(gennc_rng_normal(seed, stream, step, index, draw, mu, sigma));
}

/* An integer uniform on [low, high], both inclusive (returned as a double). */
GENNC_RNG_FN double gennc_rng_uniform_int(uint64_t seed, uint32_t stream, uint64_t step,
                                          uint32_t index, uint32_t draw, double low, double high) {
  double span = __builtin_floor(high) - __builtin_floor(low) + 1.0;
  double k = __builtin_floor(gennc_rng_uniform01(seed, stream, step, index, draw) * span);
  if (k >= span) k = span - 1.0;
  return __builtin_floor(low) + k;
}

/* log(k!) exactly from a table below 10, else Stirling's series (error below 1e-12). */
GENNC_RNG_FN double gennc_rng_log_factorial(double k) {
  if (k < 10.0) {
    static const double table[10] = {0.0,
                                     0.0,
                                     0.69314718055994530942,
                                     1.79175946922805500081,
                                     3.17805383034794561964,
                                     4.78749174278204599425,
                                     6.57925121201010099506,
                                     8.52516136106541430017,
                                     10.60460290274525022842,
                                     12.80182748008146961121};
    return table[(int)k];
  }
  {
    double n = k + 1.0;
    double inv = 1.0 / n, inv2 = inv * inv;
    return (n - 0.5) * __builtin_log(n) - n + 0.91893853320467274178 +
           inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
  }
}

/* Hormann's PTRS for gennc_rng_poisson, lambda >= 10. */
GENNC_RNG_COLD double gennc_rng_poisson_ptrs(uint64_t seed, uint32_t stream, uint64_t step,
                                             uint32_t index, uint32_t draw, double lambda) {
  double slam = __builtin_sqrt(lambda);
  double loglam = __builtin_log(lambda);
  double b = 0.931 + 2.53 * slam;
  double a = -0.059 + 0.02483 * b;
  double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  double vr = 0.9277 - 3.6224 / (b - 2.0);
  uint32_t sub;
  for (sub = 0; sub < GENNC_RNG_MAX_SUB; ++sub) {
    GenncRandBlock blk = gennc_rng_block(seed, stream, step, index, draw, sub);
    double U = gennc_rng_first(blk) - 0.5;
    double V = gennc_rng_second(blk);
    double us = 0.5 - (U < 0.0 ? -U : U);
    double k = __builtin_floor((2.0 * a / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0.0 || (us < 0.013 && V > us)) continue;
    if (__builtin_log(V) + __builtin_log(inv_alpha) - __builtin_log(a / (us * us) + b) <=
        -lambda + k * loglam - gennc_rng_log_factorial(k))
      return k;
  }
  return __builtin_floor(lambda + 0.5);
}

/* Poisson with mean lambda. Below 10: inversion of the uniform's complement 1 - u
 * (sequential search of the CDF), so the draw is positive exactly when u < 1 - exp(-lambda):
 * a spike source counting poisson(rate dt) events spikes in the same steps as a test
 * uniform(0, 1) < 1 - exp(-rate dt) on the same draw, and keeps its realisations. From 10: Hormann's PTRS transformed rejection (1993), one block per proposal;
 * acceptance is above 90 %, so the 256 proposals of a draw are never exhausted in practice
 * (if they were, the rounded mean would be returned). */
GENNC_RNG_FN double gennc_rng_poisson(uint64_t seed, uint32_t stream, uint64_t step,
                                      uint32_t index, uint32_t draw, double lambda) {
  if (!(lambda > 0.0)) return 0.0;
  if (lambda < 10.0) {
    double u = 1.0 - gennc_rng_uniform01(seed, stream, step, index, draw);
    double p = __builtin_exp(-lambda);
    double cdf = p;
    double k = 0.0;
    while (u > cdf && k < 1000.0) {
      k += 1.0;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  return gennc_rng_poisson_ptrs(seed, stream, step, index, draw, lambda);
}

/* A loop vectorised but not interleaved (where clang compiles it: the kernels' device
 * library): the Philox rounds fill the vector units, and interleaved copies of them only
 * lengthen the compile. */
#if defined(__clang__)
#define GENNC_RNG_NOT_INTERLEAVED _Pragma("clang loop interleave_count(1)")
#else
#define GENNC_RNG_NOT_INTERLEAVED
#endif

/* gennc_rng_poisson for the n indices first, first + 1, ... of one (stream, step, draw)
 * and one mean, into out[0..n); u is scratch of n doubles. Each result is bitwise the
 * single draw's: below a mean of 10 the uniforms come first, then the CDF is walked once
 * for all of them, by the same recurrence, each draw counting the terms it exceeds (the
 * CDF never decreases, so these are the terms the sequential search passes). Without a
 * per-draw loop of its own length the loops vectorise, which a host kernel drawing for
 * every element of a range wants (compiler/codegen: Poisson sources and backgrounds). */
GENNC_RNG_FN void gennc_rng_poisson_block(uint64_t seed, uint32_t stream, uint64_t step,
                                          uint32_t first, uint32_t n, uint32_t draw,
                                          double lambda, double* u, double* out) {
  uint32_t j;
  if (!(lambda > 0.0 && lambda < 10.0)) {
    for (j = 0; j < n; ++j) out[j] = gennc_rng_poisson(seed, stream, step, first + j, draw, lambda);
    return;
  }
  GENNC_RNG_NOT_INTERLEAVED
  for (j = 0; j < n; ++j) {
    u[j] = 1.0 - gennc_rng_uniform01(seed, stream, step, first + j, draw);
    out[j] = 0.0;
  }
  double p = __builtin_exp(-lambda);
  double cdf = p;
  double k = 0.0;
  while (k < 1000.0) {
    int any = 0;
    GENNC_RNG_NOT_INTERLEAVED
    for (j = 0; j < n; ++j) {
      int above = u[j] > cdf;
      out[j] += (double)above;
      any |= above;
    }
    if (!any) break;
    k += 1.0;
    p *= lambda / k;
    cdf += p;
  }
}

/* Binomial(n, p). With p > 1/2 the draw is n - Binomial(n, 1 - p). Below a mean of 10:
 * inversion with one uniform; from 10: Hormann's BTRS transformed rejection (1993), one
 * block per proposal (fallback as for poisson). */
GENNC_RNG_FN double gennc_rng_binomial(uint64_t seed, uint32_t stream, uint64_t step,
                                       uint32_t index, uint32_t draw, double n, double p) {
  int flip = 0;
  double q;
  n = __builtin_floor(n);
  if (!(n > 0.0) || !(p > 0.0)) return 0.0;
  if (p >= 1.0) return n;
  if (p > 0.5) {
    p = 1.0 - p;
    flip = 1;
  }
  q = 1.0 - p;
  if (n * p < 10.0) {
    double u = gennc_rng_uniform01(seed, stream, step, index, draw);
    double s = p / q;
    double a = (n + 1.0) * s;
    double r = __builtin_exp(n * __builtin_log(q));
    double k = 0.0;
    while (u > r && k < n) {
      u -= r;
      k += 1.0;
      r *= a / k - s;
    }
    return flip ? n - k : k;
  }
  {
    double spq = __builtin_sqrt(n * p * q);
    double b = 1.15 + 2.53 * spq;
    double a = -0.0873 + 0.0248 * b + 0.01 * p;
    double c = n * p + 0.5;
    double vr = 0.92 - 4.2 / b;
    double alpha = (2.83 + 5.1 / b) * spq;
    double lpq = __builtin_log(p / q);
    double m = __builtin_floor((n + 1.0) * p);
    double h = gennc_rng_log_factorial(m) + gennc_rng_log_factorial(n - m);
    double result = __builtin_floor(n * p + 0.5);
    uint32_t sub;
    for (sub = 0; sub < GENNC_RNG_MAX_SUB; ++sub) {
      GenncRandBlock blk = gennc_rng_block(seed, stream, step, index, draw, sub);
      double U = gennc_rng_first(blk) - 0.5;
      double V = gennc_rng_second(blk);
      double us = 0.5 - (U < 0.0 ? -U : U);
      double k = __builtin_floor((2.0 * a / us + b) * U + c);
      if (k < 0.0 || k > n) continue;
      if (us >= 0.07 && V <= vr) {
        result = k;
        break;
      }
      if (__builtin_log(V * alpha / (a / (us * us) + b)) <=
          h - gennc_rng_log_factorial(k) - gennc_rng_log_factorial(n - k) + (k - m) * lpq) {
        result = k;
        break;
      }
    }
    return flip ? n - result : result;
  }
}

/* ---- Out-of-line entry points (runtime/device/kernel_helpers.c) for generated code: the
 * functions above under the names kernels call, with the same arguments. -------------- */
double gennc_rand_uniform(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                          uint32_t draw, double low, double high);
double gennc_rand_normal(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                         uint32_t draw, double mu, double sigma);
/* The single-precision normal (above), for --float32 builds' kernels. */
double gennc_rand_normal_single(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                                uint32_t draw, double mu, double sigma);
double gennc_rand_normal_clipped(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                                 uint32_t draw, double mu, double sigma, double low, double high);
double gennc_rand_normal_clipped_to_boundary(uint64_t seed, uint32_t stream, uint64_t step,
                                             uint32_t index, uint32_t draw, double mu,
                                             double sigma, double low, double high);
double gennc_rand_exponential(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                              uint32_t draw, double beta);
double gennc_rand_gamma(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                        uint32_t draw, double k, double theta);
double gennc_rand_lognormal(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                            uint32_t draw, double mu, double sigma);
double gennc_rand_uniform_int(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                              uint32_t draw, double low, double high);
double gennc_rand_poisson(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                          uint32_t draw, double lambda);
double gennc_rand_binomial(uint64_t seed, uint32_t stream, uint64_t step, uint32_t index,
                           uint32_t draw, double n, double p);

#ifdef __cplusplus
}
#endif

#endif /* GENNC_RANDOM_H */
