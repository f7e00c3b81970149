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

// The draw of a random initialiser at (seed, init.stream, step, index, draw).
double random_value(const GenncInit& init, uint64_t seed, uint64_t step, uint32_t index, uint32_t draw) {
  const double* p = init.params;
  uint32_t s = init.stream;
  switch (init.kind) {
    case GENNC_INIT_UNIFORM: return gennc_rng_uniform(seed, s, step, index, draw, p[0], p[1]);
    case GENNC_INIT_NORMAL: return gennc_rng_normal(seed, s, step, index, draw, p[0], p[1]);
    case GENNC_INIT_NORMAL_CLIPPED:
      return gennc_rng_normal_clipped(seed, s, step, index, draw, p[0], p[1], p[2], p[3]);
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY:
      return gennc_rng_normal_clipped_to_boundary(seed, s, step, index, draw, p[0], p[1], p[2], p[3]);
    case GENNC_INIT_EXPONENTIAL: return gennc_rng_exponential(seed, s, step, index, draw, p[0]);
    case GENNC_INIT_GAMMA: return gennc_rng_gamma(seed, s, step, index, draw, p[0], p[1]);
    case GENNC_INIT_LOGNORMAL: return gennc_rng_lognormal(seed, s, step, index, draw, p[0], p[1]);
    case GENNC_INIT_UNIFORM_INT: return gennc_rng_uniform_int(seed, s, step, index, draw, p[0], p[1]);
    case GENNC_INIT_POISSON: return gennc_rng_poisson(seed, s, step, index, draw, p[0]);
    case GENNC_INIT_BINOMIAL: return gennc_rng_binomial(seed, s, step, index, draw, p[0], p[1]);
    default: return 0.0;
  }
}

// How many synapses before synapse k (in the array's order) join the same pair: a pair's
// repeats lie next to each other, so this looks back over them only.
uint32_t occurrence(const SynapseEndpoints& synapses, uint64_t k) {
  const std::vector<uint32_t>& pre = *synapses.pre;
  const std::vector<uint32_t>& post = *synapses.post;
  uint64_t first = k;
  while (first > 0 && pre[first - 1] == pre[k] && post[first - 1] == post[k]) --first;
  return static_cast<uint32_t>(k - first);
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
      if (array.scope == GENNC_SCOPE_SYNAPSE) {
        if (synapses == nullptr || synapses->pre == nullptr || synapses->pre->size() != n || synapses->post->size() != n)
          return internal_error("array '" + name + "' is drawn per synapse but its synapses' neurons are not known");
        each([&](uint64_t k) {
          return random_value(init, seed, occurrence(*synapses, k), (*synapses->pre)[k], (*synapses->post)[k]);
        });
        return ok();
      }
      each([&](uint64_t k) {
        return random_value(init, seed, 0, static_cast<uint32_t>(k), static_cast<uint32_t>(k >> 32));
      });
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
