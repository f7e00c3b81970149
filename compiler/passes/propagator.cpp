#include "passes/propagator.h"

#include <cmath>

namespace gennc::passes {

namespace {

Matrix zeros(std::size_t n) { return Matrix(n, std::vector<double>(n, 0.0)); }

Matrix multiply(const Matrix& x, const Matrix& y) {
  std::size_t n = x.size();
  Matrix out = zeros(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k) {
      if (x[i][k] == 0.0) continue;
      for (std::size_t j = 0; j < n; ++j) out[i][j] += x[i][k] * y[k][j];
    }
  return out;
}

}  // namespace

Propagator exact_propagator(const Matrix& a, double h) {
  std::size_t n = a.size();
  // Scale so that |A h'| <= 1/8 (infinity norm); the series then converges to double
  // precision within 18 terms.
  double norm = 0.0;
  for (const auto& row : a) {
    double sum = 0.0;
    for (double v : row) sum += std::fabs(v);
    norm = std::fmax(norm, sum);
  }
  int squarings = 0;
  double hs = h;
  while (norm * std::fabs(hs) > 0.125) {
    hs /= 2;
    ++squarings;
  }
  Matrix m = zeros(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) m[i][j] = a[i][j] * hs;
  // Horner: S = I + M/2 (I + M/3 (... (I + M/(K+1)))).
  const int order = 18;
  Matrix s = zeros(n);
  for (std::size_t i = 0; i < n; ++i) s[i][i] = 1.0;
  for (int k = order; k >= 1; --k) {
    Matrix ms = multiply(m, s);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) s[i][j] = (i == j ? 1.0 : 0.0) + ms[i][j] / (k + 1);
  }
  Matrix e = multiply(m, s);
  Matrix phi = zeros(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) phi[i][j] = hs * s[i][j];
  for (int q = 0; q < squarings; ++q) {
    Matrix ephi = multiply(e, phi);
    Matrix ee = multiply(e, e);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        phi[i][j] = 2 * phi[i][j] + ephi[i][j];
        e[i][j] = 2 * e[i][j] + ee[i][j];
      }
  }
  Propagator out{e, e, phi};
  for (std::size_t i = 0; i < n; ++i) out.p[i][i] += 1.0;
  return out;
}

std::vector<std::vector<bool>> propagator_pattern(const std::vector<std::vector<bool>>& a_nonzero) {
  std::size_t n = a_nonzero.size();
  std::vector<std::vector<bool>> reach(n, std::vector<bool>(n, false));
  for (std::size_t i = 0; i < n; ++i) {
    reach[i][i] = true;
    for (std::size_t j = 0; j < n; ++j)
      if (a_nonzero[i][j]) reach[i][j] = true;
  }
  // Transitive closure (Warshall): i depends on j through k.
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < n; ++i)
      if (reach[i][k])
        for (std::size_t j = 0; j < n; ++j)
          if (reach[k][j]) reach[i][j] = true;
  return reach;
}

}  // namespace gennc::passes
