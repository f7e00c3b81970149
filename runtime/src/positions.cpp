#include "positions.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "gennc/random.h"

namespace gennc::runtime {
namespace {

// PyNN's fill_order="random": the grid's positions permuted by sorting on one uniform
// draw per neuron.
void shuffle_positions(std::vector<double>* xyz, uint32_t size, uint64_t seed, uint32_t stream) {
  std::vector<double> keys(size);
  for (uint32_t k = 0; k < size; ++k) keys[k] = gennc_rng_uniform01(seed, stream, 0, k, 0);
  std::vector<uint32_t> order(size);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
  std::vector<double> shuffled(xyz->size());
  for (uint32_t k = 0; k < size; ++k)
    for (int c = 0; c < 3; ++c) shuffled[3 * k + c] = (*xyz)[3 * order[k] + c];
  *xyz = std::move(shuffled);
}

bool near_integer(double value) { return std::fabs(value - std::round(value)) < 1e-9 * std::max(1.0, value); }

}  // namespace

Status compute_positions(const GenncStructure& structure, uint32_t size, uint64_t seed,
                         const std::string& population, std::vector<double>* xyz) {
  const double* p = structure.params;
  xyz->assign(3 * static_cast<size_t>(size), 0.0);
  auto at = [&](uint32_t k, double x, double y, double z) {
    (*xyz)[3 * k] = x;
    (*xyz)[3 * k + 1] = y;
    (*xyz)[3 * k + 2] = z;
  };
  switch (structure.kind) {
    case GENNC_STRUCTURE_NONE:
      return ok();
    case GENNC_STRUCTURE_LINE:
      for (uint32_t k = 0; k < size; ++k) at(k, p[1] + p[0] * k, p[2], p[3]);
      return ok();
    case GENNC_STRUCTURE_GRID2D: {
      // As PyNN: nx = sqrt(n * aspect_ratio) columns must divide n; x varies slowest.
      double nx = std::sqrt(static_cast<double>(size) * p[0]);
      if (size == 0) return ok();
      if (!near_integer(nx) || std::round(nx) < 1 || size % static_cast<uint32_t>(std::round(nx)) != 0)
        return model_error("population '" + population + "': a grid2d with aspect ratio " +
                           std::to_string(p[0]) + " cannot hold " + std::to_string(size) + " neurons");
      uint32_t ny = size / static_cast<uint32_t>(std::round(nx));
      for (uint32_t k = 0; k < size; ++k) at(k, p[3] + p[1] * (k / ny), p[4] + p[2] * (k % ny), p[5]);
      if (p[6] != 0.0) shuffle_positions(xyz, size, seed, structure.stream);
      return ok();
    }
    case GENNC_STRUCTURE_GRID3D: {
      if (size == 0) return ok();
      double a = p[0], b = p[1];
      long nx = std::lround(std::cbrt(static_cast<double>(size) * a * b));
      long ny = nx > 0 ? std::lround(nx / a) : 0, nz = nx > 0 ? std::lround(nx / b) : 0;
      if (nx * ny * nz != static_cast<long>(size))
        return model_error("population '" + population + "': a grid3d with aspect ratios " +
                           std::to_string(a) + ", " + std::to_string(b) + " cannot hold " +
                           std::to_string(size) + " neurons");
      for (uint32_t k = 0; k < size; ++k)
        at(k, p[5] + p[2] * (k / (ny * nz)), p[6] + p[3] * ((k / nz) % ny), p[7] + p[4] * (k % nz));
      if (p[8] != 0.0) shuffle_positions(xyz, size, seed, structure.stream);
      return ok();
    }
    case GENNC_STRUCTURE_RANDOM_IN_BOX:
      for (uint32_t k = 0; k < size; ++k) {
        double u[3];
        for (uint32_t c = 0; c < 3; ++c) u[c] = gennc_rng_uniform01(seed, structure.stream, 0, k, c) - 0.5;
        at(k, p[3] + p[0] * u[0], p[4] + p[1] * u[1], p[5] + p[2] * u[2]);
      }
      return ok();
    case GENNC_STRUCTURE_RANDOM_IN_SPHERE:
      // Uniform in the ball: an isotropic direction (three normals) at radius R * U^(1/3).
      for (uint32_t k = 0; k < size; ++k) {
        double n[3], norm = 0.0;
        for (uint32_t c = 0; c < 3; ++c) {
          n[c] = gennc_rng_normal(seed, structure.stream, 0, k, c, 0.0, 1.0);
          norm += n[c] * n[c];
        }
        norm = std::sqrt(norm);
        double r = p[0] * std::cbrt(gennc_rng_uniform01(seed, structure.stream, 0, k, 3));
        at(k, p[1] + r * n[0] / norm, p[2] + r * n[1] / norm, p[3] + r * n[2] / norm);
      }
      return ok();
  }
  return model_error("population '" + population + "': unknown structure kind " +
                     std::to_string(static_cast<int>(structure.kind)));
}

}  // namespace gennc::runtime
