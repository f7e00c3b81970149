#include "initialise.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "gennc/random.h"

namespace gennc::runtime {

// Halves round up; the 1e-9 absorbs representation error, so 0.35 ms at dt = 0.1 ms
// (3.4999999999999996 steps in binary) is 4 steps, as written.
double delay_to_steps(double ms, double dt) { return std::max(1.0, std::floor(ms / dt + 0.5 + 1e-9)); }

namespace {

double random_value(const GenncInit& init, uint64_t seed, uint64_t k) {
  const double* p = init.params;
  uint32_t index = static_cast<uint32_t>(k), draw = static_cast<uint32_t>(k >> 32);
  uint32_t s = init.stream;
  switch (init.kind) {
    case GENNC_INIT_UNIFORM: return gennc_rng_uniform(seed, s, 0, index, draw, p[0], p[1]);
    case GENNC_INIT_NORMAL: return gennc_rng_normal(seed, s, 0, index, draw, p[0], p[1]);
    case GENNC_INIT_NORMAL_CLIPPED:
      return gennc_rng_normal_clipped(seed, s, 0, index, draw, p[0], p[1], p[2], p[3]);
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY:
      return gennc_rng_normal_clipped_to_boundary(seed, s, 0, index, draw, p[0], p[1], p[2], p[3]);
    case GENNC_INIT_EXPONENTIAL: return gennc_rng_exponential(seed, s, 0, index, draw, p[0]);
    case GENNC_INIT_GAMMA: return gennc_rng_gamma(seed, s, 0, index, draw, p[0], p[1]);
    case GENNC_INIT_LOGNORMAL: return gennc_rng_lognormal(seed, s, 0, index, draw, p[0], p[1]);
    case GENNC_INIT_UNIFORM_INT: return gennc_rng_uniform_int(seed, s, 0, index, draw, p[0], p[1]);
    case GENNC_INIT_POISSON: return gennc_rng_poisson(seed, s, 0, index, draw, p[0]);
    case GENNC_INIT_BINOMIAL: return gennc_rng_binomial(seed, s, 0, index, draw, p[0], p[1]);
    default: return 0.0;
  }
}

}  // namespace

Status initialise_array(const GenncModel& model, const GenncArrayInfo& array, uint64_t seed,
                        const SynapseEndpoints* synapses, ThreadPool* pool, Buffer* buffer) {
  const GenncInit& init = array.init;
  const std::string name = array.name ? array.name : "?";
  const uint64_t n = buffer->length();
  // Initialisers give delays in ms; the array holds steps.
  const bool delays = (array.flags & GENNC_ARRAY_DELAY_STEPS) != 0;
  auto store = [&](uint64_t k, double value) {
    buffer->set(k, delays ? delay_to_steps(value, model.dt) : value);
  };
  auto each = [&](auto&& value_of) {
    if (n > UINT32_MAX) {
      for (uint64_t k = 0; k < n; ++k) store(k, value_of(k));
      return;
    }
    pool->parallel_for(static_cast<uint32_t>(n), 16384, [&](uint32_t begin, uint32_t end) {
      for (uint32_t k = begin; k < end; ++k) store(k, value_of(k));
    });
  };
  switch (init.kind) {
    case GENNC_INIT_ZERO:
      if (delays) each([](uint64_t) { return 0.0; });
      else buffer->zero();
      return ok();
    case GENNC_INIT_CONSTANT:
      each([&](uint64_t) { return init.params[0]; });
      return ok();
    case GENNC_INIT_LIST:
      if (init.length != n || (n != 0 && init.values == nullptr))
        return model_error("array '" + name + "' has " + std::to_string(n) +
                           " elements but its initial list has " + std::to_string(init.length));
      each([&](uint64_t k) { return init.values[k]; });
      return ok();
    case GENNC_INIT_UNIFORM:
    case GENNC_INIT_NORMAL:
    case GENNC_INIT_NORMAL_CLIPPED:
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY:
    case GENNC_INIT_EXPONENTIAL:
    case GENNC_INIT_GAMMA:
    case GENNC_INIT_LOGNORMAL:
    case GENNC_INIT_UNIFORM_INT:
    case GENNC_INIT_POISSON:
    case GENNC_INIT_BINOMIAL:
      each([&](uint64_t k) { return random_value(init, seed, k); });
      return ok();
    case GENNC_INIT_SYNAPSE_KERNEL: {
      if (synapses == nullptr)
        return model_error("array '" + name + "' uses a per-synapse initialiser but is not per synapse");
      if (init.kernel >= model.synapse_init_kernel_count || model.synapse_init_kernels[init.kernel] == nullptr)
        return model_error("array '" + name + "' names synapse initialiser " + std::to_string(init.kernel) +
                           ", which the model does not have");
      GenncSynapseInitFn fn = model.synapse_init_kernels[init.kernel];
      each([&](uint64_t k) {
        uint32_t i = (*synapses->pre)[k], j = (*synapses->post)[k];
        double dx = (*synapses->post_xyz)[3 * j] - (*synapses->pre_xyz)[3 * i];
        double dy = (*synapses->post_xyz)[3 * j + 1] - (*synapses->pre_xyz)[3 * i + 1];
        double dz = (*synapses->post_xyz)[3 * j + 2] - (*synapses->pre_xyz)[3 * i + 2];
        return fn(i, j, std::sqrt(dx * dx + dy * dy + dz * dz), dx, dy, dz, seed);
      });
      return ok();
    }
  }
  return model_error("array '" + name + "' has unknown initialiser kind " +
                     std::to_string(static_cast<int>(init.kind)));
}

}  // namespace gennc::runtime
