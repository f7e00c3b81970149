// Exact propagators of a linear system x' = A x + b with A and b constant over a step:
//   x(t + h) = P x(t) + Phi b,   P = exp(A h),   Phi = integral_0^h exp(A s) ds.
// Both come from one series in M = A h' (h' = h / 2^s), kept in the form E = P - I so that
// squaring loses no precision to cancellation when h is small against the time constants:
//   S = sum_k M^k / (k+1)!,  E(h') = M S,  Phi(h') = h' S,
//   E(2h) = 2E + E E,        Phi(2h) = 2 Phi + E Phi     (s times).
// solve_odes evaluates it here, in double, when A is known at compile time, and emits the
// same steps as IR into the derived kernel when A differs per neuron.
#pragma once

#include <vector>

namespace gennc::passes {

using Matrix = std::vector<std::vector<double>>;

struct Propagator {
  Matrix p;    // exp(A h)
  Matrix e;    // exp(A h) - I, computed as such (no cancellation for small A h)
  Matrix phi;  // integral_0^h exp(A s) ds
};

Propagator exact_propagator(const Matrix& a, double h);

// Which entries of exp(A h) (and of Phi) can be non-zero: (i, j) when state j influences
// state i through a chain of non-zero entries of A, or i == j.
std::vector<std::vector<bool>> propagator_pattern(const std::vector<std::vector<bool>>& a_nonzero);

// The series order and number of squarings the emitted (per-element) form uses: accurate
// to double rounding for |A| h up to about 1000.
inline constexpr int kSeriesOrder = 12;
inline constexpr int kSquarings = 10;

}  // namespace gennc::passes
