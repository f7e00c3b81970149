// gennc/random.h: Philox known-answer vectors, addressing, and the statistics of every
// distribution. Samples are drawn at fixed addresses, so each check is deterministic;
// bounds are 5 standard errors of the estimated quantity (KS: the 0.1 % critical value).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "gennc/random.h"

namespace {

constexpr uint64_t kSeed = 0x1234567890ABCDEFull;
constexpr int kSamples = 200000;

std::vector<double> draw(const std::function<double(uint32_t)>& f, int n = kSamples) {
  std::vector<double> x(n);
  for (int k = 0; k < n; ++k) x[k] = f(static_cast<uint32_t>(k));
  return x;
}

// Checks the sample mean and variance against theory, with 5 standard errors: the mean's
// is sqrt(var / n); the variance's sqrt((mu4 - var^2) / n) = var sqrt((kurtosis_excess + 2) / n).
void check_moments(const std::vector<double>& x, double mean, double var, double kurtosis_excess) {
  double n = x.size(), m = 0, v = 0;
  for (double a : x) m += a;
  m /= n;
  for (double a : x) v += (a - m) * (a - m);
  v /= n - 1;
  INFO("mean " << m << " (expected " << mean << "), variance " << v << " (expected " << var << ")");
  CHECK(std::fabs(m - mean) < 5 * std::sqrt(var / n));
  CHECK(std::fabs(v - var) < 5 * var * std::sqrt((kurtosis_excess + 2) / n));
}

// Kolmogorov-Smirnov statistic sqrt(n) D against a continuous CDF; below 1.95 passes at
// the 0.1 % level.
double ks(std::vector<double> x, const std::function<double(double)>& cdf) {
  std::sort(x.begin(), x.end());
  double n = x.size(), d = 0;
  for (size_t k = 0; k < x.size(); ++k) {
    double f = cdf(x[k]);
    d = std::max({d, f - k / n, (k + 1) / n - f});
  }
  return std::sqrt(n) * d;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors", "[random]") {
  struct Kat {
    GenncRandBlock ctr;
    uint32_t key0, key1;
    GenncRandBlock expected;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, 0, 0, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, 0xffffffff, 0xffffffff,
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, 0xa4093822, 0x299f31d0,
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  for (const Kat& kat : kats) {
    GenncRandBlock out = gennc_rng_philox4x32_10(kat.ctr, kat.key0, kat.key1);
    for (int w = 0; w < 4; ++w) CHECK(out.v[w] == kat.expected.v[w]);
  }
}

TEST_CASE("a draw is a function of its address; each address field matters", "[random]") {
  double base = gennc_rng_uniform01(kSeed, 3, 17, 5, 2);
  CHECK(gennc_rng_uniform01(kSeed, 3, 17, 5, 2) == base);
  CHECK(gennc_rng_uniform01(kSeed + 1, 3, 17, 5, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed ^ (1ull << 40), 3, 17, 5, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed, 4, 17, 5, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed, 3, 18, 5, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed, 3, 17 + (1ull << 32), 5, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed, 3, 17, 6, 2) != base);
  CHECK(gennc_rng_uniform01(kSeed, 3, 17, 5, 3) != base);
  // The out-of-line entry points give the same numbers as the inline functions.
  CHECK(gennc_rand_uniform(kSeed, 3, 17, 5, 2, 0.0, 1.0) == base);
  CHECK(gennc_rand_normal(kSeed, 1, 2, 3, 4, 0.0, 1.0) == gennc_rng_normal(kSeed, 1, 2, 3, 4, 0.0, 1.0));
  CHECK(gennc_rand_poisson(kSeed, 1, 2, 3, 4, 50.0) == gennc_rng_poisson(kSeed, 1, 2, 3, 4, 50.0));
}

TEST_CASE("sub-counters of one draw never produce the next draw's blocks", "[random]") {
  // Counter word 1 carries the draw number and the sub-counter sits in word 3, so block
  // (draw n, sub s) differs from (draw n + 1, sub 0) in the counter itself.
  for (uint32_t sub = 1; sub < GENNC_RNG_MAX_SUB; ++sub) {
    GenncRandBlock a = gennc_rng_block(kSeed, 9, 0, 0, 7, sub);
    GenncRandBlock b = gennc_rng_block(kSeed, 9, 0, 0, 8, 0);
    CHECK((a.v[0] != b.v[0] || a.v[1] != b.v[1]));
  }
}

TEST_CASE("uniforms lie in the open interval (0, 1)", "[random]") {
  CHECK(gennc_rng_open01(0, 0) > 0.0);
  CHECK(gennc_rng_open01(0xffffffff, 0xffffffff) < 1.0);
  auto x = draw([](uint32_t k) { return gennc_rng_uniform(kSeed, 1, 0, k, 0, 2.0, 5.0); });
  for (double a : x) REQUIRE((a > 2.0 && a < 5.0));
  check_moments(x, 3.5, 0.75, -1.2);
  CHECK(ks(x, [](double a) { return (a - 2.0) / 3.0; }) < 1.95);
}

TEST_CASE("normal: moments and KS", "[random]") {
  auto x = draw([](uint32_t k) { return gennc_rng_normal(kSeed, 2, 0, k, 0, 1.5, 2.0); });
  check_moments(x, 1.5, 4.0, 0.0);
  CHECK(ks(x, [](double a) { return normal_cdf((a - 1.5) / 2.0); }) < 1.95);
}

// Distance in units in the last place between two floats of one sign.
int64_t ulps(float a, float b) {
  return std::llabs(static_cast<int64_t>(gennc_rng_float_to_bits(a)) - static_cast<int64_t>(gennc_rng_float_to_bits(b)));
}

TEST_CASE("single precision: log and cos(2 pi u) within 2 ulp of the double functions", "[random]") {
  int64_t worst_log = 0, worst_cos = 0;
  // Every argument the normal draw can pass: (k + 0.5) 2^-32 and k 2^-32 for 32-bit k,
  // sampled at a stride, with the ends and the folding points included.
  std::vector<uint32_t> ks;
  for (uint64_t k = 0; k <= 0xFFFFFFFFull; k += 4099) ks.push_back(static_cast<uint32_t>(k));
  for (uint32_t k : {0u, 1u, 2u, 0x20000000u, 0x40000000u, 0x80000000u, 0xC0000000u, 0xFFFFFFFFu}) ks.push_back(k);
  for (uint32_t k : ks) {
    const float u = (static_cast<float>(k) + 0.5f) * 2.32830644e-10f;
    const float log_single = gennc_rng_logf(u), log_double = static_cast<float>(std::log(static_cast<double>(u)));
    if (log_double != 0.0f) worst_log = std::max(worst_log, ulps(log_single, log_double));
    const float a = static_cast<float>(k) * 2.32830644e-10f;
    const double c = std::cos(6.283185307179586 * static_cast<double>(a));
    // Near its zeros cos(2 pi a) is steep: compare with the error of a's rounding to float
    // (half an ulp of a, times the slope) allowed, in absolute terms.
    const double allowed = 2.0 * std::ldexp(1.0, -24) + 6.3 * std::ldexp(std::fabs(a), -24);
    INFO("u " << u << " a " << a);
    REQUIRE(std::fabs(gennc_rng_cos_2pif(a) - c) <= allowed);
    if (std::fabs(c) > 0.25) worst_cos = std::max(worst_cos, ulps(std::fabs(gennc_rng_cos_2pif(a)), static_cast<float>(std::fabs(c))));
  }
  INFO("worst log " << worst_log << " ulp, worst cos " << worst_cos << " ulp");
  CHECK(worst_log <= 2);
  CHECK(worst_cos <= 2);
  CHECK(gennc_rng_logf(1.0f) == 0.0f);
  CHECK(gennc_rng_cos_2pif(0.0f) == 1.0f);
  CHECK(gennc_rng_cos_2pif(0.5f) == -1.0f);
  CHECK(gennc_rng_cos_2pif(1.0f) == 1.0f);
}

TEST_CASE("normal_single: moments and KS; close to the double draw at the same address", "[random]") {
  auto x = draw([](uint32_t k) { return gennc_rng_normal_single(kSeed, 2, 0, k, 0, 1.5f, 2.0f); });
  check_moments(x, 1.5, 4.0, 0.0);
  CHECK(ks(x, [](double a) { return normal_cdf((a - 1.5) / 2.0); }) < 1.95);
  // The same block's bits as the double draw: they differ by single-precision rounding and
  // by the radius's 32 bits (the double's take 52), which matter most where u is smallest;
  // over these draws, by less than 1e-4 standard deviations.
  double worst = 0;
  for (uint32_t k = 0; k < kSamples; ++k)
    worst = std::max(worst, std::fabs(gennc_rng_normal_single(kSeed, 2, 0, k, 0, 0.0f, 1.0f) -
                                      gennc_rng_normal(kSeed, 2, 0, k, 0, 0.0, 1.0)));
  INFO("worst difference " << worst);
  CHECK(worst < 1e-4);
}

TEST_CASE("normal_clipped redraws inside the interval; to_boundary clamps", "[random]") {
  const double mu = 0.0, sigma = 1.0, low = -0.5, high = 2.0;
  auto x = draw([&](uint32_t k) { return gennc_rng_normal_clipped(kSeed, 3, 0, k, 0, mu, sigma, low, high); });
  for (double a : x) REQUIRE((a >= low && a <= high));
  // Truncated normal: CDF (Phi(x) - Phi(low)) / (Phi(high) - Phi(low)).
  double z = normal_cdf(high) - normal_cdf(low);
  CHECK(ks(x, [&](double a) { return (normal_cdf(a) - normal_cdf(low)) / z; }) < 1.95);

  auto y = draw([&](uint32_t k) { return gennc_rng_normal_clipped_to_boundary(kSeed, 3, 0, k, 0, mu, sigma, low, high); });
  double at_low = std::count(y.begin(), y.end(), low), at_high = std::count(y.begin(), y.end(), high);
  double p_low = normal_cdf(low), p_high = 1 - normal_cdf(high), n = y.size();
  CHECK(std::fabs(at_low - n * p_low) < 5 * std::sqrt(n * p_low * (1 - p_low)));
  CHECK(std::fabs(at_high - n * p_high) < 5 * std::sqrt(n * p_high * (1 - p_high)));
}

TEST_CASE("exponential: moments and KS", "[random]") {
  auto x = draw([](uint32_t k) { return gennc_rng_exponential(kSeed, 4, 0, k, 0, 3.0); });
  check_moments(x, 3.0, 9.0, 6.0);
  CHECK(ks(x, [](double a) { return 1 - std::exp(-a / 3.0); }) < 1.95);
}

TEST_CASE("gamma: moments for shape above and below one", "[random]") {
  for (double k : {0.3, 1.0, 2.5, 30.0}) {
    const double theta = 2.0;
    auto x = draw([&](uint32_t i) { return gennc_rng_gamma(kSeed, 5, 0, i, 0, k, theta); });
    for (double a : x) REQUIRE(a > 0.0);
    INFO("shape " << k);
    check_moments(x, k * theta, k * theta * theta, 6.0 / k);
  }
  // Shape 1 is the exponential distribution: KS against its CDF.
  auto e = draw([](uint32_t i) { return gennc_rng_gamma(kSeed, 6, 0, i, 0, 1.0, 2.0); });
  CHECK(ks(e, [](double a) { return 1 - std::exp(-a / 2.0); }) < 1.95);
}

TEST_CASE("lognormal: the log is normal", "[random]") {
  auto x = draw([](uint32_t k) { return std::log(gennc_rng_lognormal(kSeed, 7, 0, k, 0, 0.5, 0.8)); });
  CHECK(ks(x, [](double a) { return normal_cdf((a - 0.5) / 0.8); }) < 1.95);
}

TEST_CASE("uniform_int covers [low, high] inclusive with equal frequencies", "[random]") {
  auto x = draw([](uint32_t k) { return gennc_rng_uniform_int(kSeed, 8, 0, k, 0, -3.0, 6.0); });
  std::map<double, double> counts;
  for (double a : x) ++counts[a];
  REQUIRE(counts.size() == 10);
  CHECK(counts.begin()->first == -3.0);
  CHECK(counts.rbegin()->first == 6.0);
  double p = 0.1, n = x.size();
  for (auto [value, count] : counts) CHECK(std::fabs(count - n * p) < 5 * std::sqrt(n * p * (1 - p)));
}

TEST_CASE("poisson: inversion below 10, PTRS above; moments and frequencies", "[random]") {
  for (double lambda : {0.5, 3.0, 9.9, 10.0, 50.0, 1000.0}) {
    INFO("lambda " << lambda);
    auto x = draw([&](uint32_t k) { return gennc_rng_poisson(kSeed, 9, 0, k, 0, lambda); });
    for (double a : x) REQUIRE((a >= 0 && a == std::floor(a)));
    check_moments(x, lambda, lambda, 1.0 / lambda);
    // The frequency of the mode's neighbourhood matches the pmf (5 sigma).
    double k0 = std::floor(lambda), n = x.size();
    double pmf = std::exp(k0 * std::log(lambda) - lambda - std::lgamma(k0 + 1));
    double hits = std::count(x.begin(), x.end(), k0);
    CHECK(std::fabs(hits - n * pmf) < 5 * std::sqrt(n * pmf * (1 - pmf)));
  }
  CHECK(gennc_rng_poisson(kSeed, 9, 0, 0, 0, 0.0) == 0.0);
}

TEST_CASE("poisson_block: each draw bitwise the single draw at its index", "[random]") {
  // Means across the inversion's range and past it (PTRS), tiny, zero, negative and NaN;
  // blocks of one, of a few and of a full kernel block, at indices and steps far from 0.
  const double nan = std::nan("");
  for (double lambda : {1e-300, 1e-3, 0.168, 2.0, 7.3, 9.999999, 10.0, 37.5, 0.0, -1.0, nan}) {
    for (uint32_t n : {1u, 7u, 256u}) {
      for (uint64_t step : {0ull, 12345ull, (1ull << 39) + 5}) {
        INFO("lambda " << lambda << ", n " << n << ", step " << step);
        const uint32_t first = 4000000000u;
        std::vector<double> u(n), out(n, -1.0);
        gennc_rng_poisson_block(kSeed, 11, step, first, n, 3, lambda, u.data(), out.data());
        for (uint32_t j = 0; j < n; ++j)
          REQUIRE(out[j] == gennc_rng_poisson(kSeed, 11, step, first + j, 3, lambda));
      }
    }
  }
  // Many blocks at a mean where the search goes far: every count agrees.
  std::vector<double> u(256), out(256);
  for (uint32_t block = 0; block < 400; ++block) {
    gennc_rng_poisson_block(kSeed, 12, block, block * 256, 256, 0, 9.5, u.data(), out.data());
    for (uint32_t j = 0; j < 256; ++j) REQUIRE(out[j] == gennc_rng_poisson(kSeed, 12, block, block * 256 + j, 0, 9.5));
  }
}

TEST_CASE("binomial: inversion and BTRS; moments and frequencies", "[random]") {
  struct Case { double n, p; };
  for (Case c : {Case{20, 0.3}, Case{1, 0.3}, Case{1000, 0.4}, Case{200, 0.93}, Case{100000, 0.01}}) {
    INFO("n " << c.n << " p " << c.p);
    auto x = draw([&](uint32_t k) { return gennc_rng_binomial(kSeed, 10, 0, k, 0, c.n, c.p); });
    for (double a : x) REQUIRE((a >= 0 && a <= c.n && a == std::floor(a)));
    double q = 1 - c.p, var = c.n * c.p * q;
    check_moments(x, c.n * c.p, var, (1 - 6 * c.p * q) / var);
    double k0 = std::floor((c.n + 1) * c.p), n = x.size();
    double pmf = std::exp(std::lgamma(c.n + 1) - std::lgamma(k0 + 1) - std::lgamma(c.n - k0 + 1) +
                          k0 * std::log(c.p) + (c.n - k0) * std::log(q));
    double hits = std::count(x.begin(), x.end(), k0);
    CHECK(std::fabs(hits - n * pmf) < 5 * std::sqrt(n * pmf * (1 - pmf)));
  }
  CHECK(gennc_rng_binomial(kSeed, 10, 0, 0, 0, 10, 0.0) == 0.0);
  CHECK(gennc_rng_binomial(kSeed, 10, 0, 0, 0, 10, 1.0) == 10.0);
}

TEST_CASE("log-factorial: table and Stirling series agree with lgamma", "[random]") {
  for (double k = 0; k < 200; ++k) CHECK(gennc_rng_log_factorial(k) == Approx(std::lgamma(k + 1)).epsilon(1e-12).margin(1e-12));
}
