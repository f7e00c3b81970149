// Neuron positions from a population's structure (PyNN's Line, Grid2D, Grid3D and
// RandomStructure with a Cuboid or Sphere boundary).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gennc/model_abi.h"
#include "status.h"

namespace gennc::runtime {

// Fills `xyz` with 3 x size coordinates (um), x y z per neuron. Random structures and the
// random fill order draw from (seed, structure.stream), neuron k at index k.
Status compute_positions(const GenncStructure& structure, uint32_t size, uint64_t seed,
                         const std::string& population, std::vector<double>* xyz);

}  // namespace gennc::runtime
