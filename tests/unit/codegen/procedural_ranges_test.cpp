// Procedural rows limited to a post range (GenncKernelEnv::post_ranges; docs/distributed.md,
// What a rank holds): a delivery kernel given the post positions [lo, hi) of its projection
// adds into the rings of those positions' neurons exactly what it adds with no range, and
// into no other neuron's ring, for fixed_probability onto a post population of several
// 1024-position blocks, fixed_number_post onto a strided view, all_to_all and one_to_one.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../passes/compile_ir.h"
#include "jit.h"

using namespace gennc;

namespace {

const char* const kNetwork = R"gdsl(
import pynn
network ranges {
  dt = 0.1 ms
  population a = IF_curr_exp(10)
  population b = IF_curr_exp(3000)
  projection prob = a -> b via fixed_probability(0.2)
    synapse StaticSynapse(weight = uniform(0.1 nA, 0.2 nA), delay = uniform(0.1 ms, 0.5 ms)) onto excitatory as procedural
  projection picks = a -> b[100:2900:2] via fixed_number_post(n = 300, with_replacement = true)
    synapse StaticSynapse(weight = 0.1 nA, delay = 0.2 ms) onto inhibitory as procedural
  projection all = a -> b via all_to_all()
    synapse StaticSynapse(weight = 0.1 nA, delay = 0.3 ms) onto excitatory as procedural
  projection one = a -> b[0:10] via one_to_one()
    synapse StaticSynapse(weight = 0.1 nA, delay = 0.3 ms) onto inhibitory as procedural
}
)gdsl";

constexpr std::uint32_t kRingDepth = 8;

// Zeroed storage for every array of the model: synapse arrays empty (procedural rows store
// none), rings kRingDepth slots deep.
std::vector<std::vector<std::uint64_t>> storage(const GenncModel& m) {
  std::vector<std::vector<std::uint64_t>> arrays(m.array_count);
  for (std::uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    std::uint64_t n = 0;
    switch (info.scope) {
      case GENNC_SCOPE_SCALAR: n = 1; break;
      case GENNC_SCOPE_NEURON: n = m.populations[info.owner].size; break;
      case GENNC_SCOPE_SYNAPSE: n = 0; break;
      case GENNC_SCOPE_RING: n = std::uint64_t{kRingDepth} * m.populations[info.owner].size * std::max<std::uint64_t>(info.length, 1); break;
      case GENNC_SCOPE_ROW_POINTER: n = m.populations[m.projections[info.owner].pre.population].size + 1; break;
      case GENNC_SCOPE_COLUMN_POINTER: n = m.populations[m.projections[info.owner].post.population].size + 1; break;
      case GENNC_SCOPE_LIST: n = info.length; break;
    }
    arrays[a].assign(n + 1, 0);  // 8 bytes an element, whatever the dtype
  }
  for (std::uint32_t q = 0; q < m.population_count; ++q)
    std::memcpy(arrays[m.populations[q].ring_depth_array].data(), &kRingDepth, 4);
  return arrays;
}

// The ring of projection p after pre neuron 3 spiked and the projection delivered with
// `ranges` (null: every position), as floats.
std::vector<float> delivered(const codegen::testing::JitModel& jit, std::uint32_t p, const std::uint32_t* ranges) {
  const GenncModel& m = jit.model();
  const GenncProjectionInfo& proj = m.projections[p];
  std::vector<std::vector<std::uint64_t>> arrays = storage(m);
  const GenncPopulationInfo& pre = m.populations[proj.pre.population];
  const std::uint32_t one = 1, neuron = 3;
  std::memcpy(arrays[pre.spike_count_array].data(), &one, 4);
  std::memcpy(arrays[pre.spike_list_array].data(), &neuron, 4);
  std::vector<void*> pointers;
  for (auto& a : arrays) pointers.push_back(a.data());
  std::uint32_t kernel = m.kernel_count;
  for (std::uint32_t k = 0; k < m.kernel_count; ++k)
    if (m.kernels[k].kind == GENNC_KERNEL_SYNAPSE_PRE && m.kernels[k].owner == p) kernel = k;
  REQUIRE(kernel < m.kernel_count);
  jit.run(kernel, pointers, 0, 1, 5, 1234, ranges);
  REQUIRE(m.arrays[proj.receptor_ring_array].dtype == GENNC_F32);
  const std::uint64_t cells = std::uint64_t{kRingDepth} * m.populations[proj.post.population].size;
  std::vector<float> ring(cells);
  std::memcpy(ring.data(), arrays[proj.receptor_ring_array].data(), cells * 4);
  return ring;
}

}  // namespace

TEST_CASE("a procedural delivery adds into the rings of its post range only", "[codegen][procedural]") {
  auto compiled = testing::compile_ir(kNetwork);
  INFO(compiled->messages.str());
  REQUIRE(compiled->module);
  const codegen::testing::JitModel jit(*compiled->module);
  const GenncModel& m = jit.model();
  for (std::uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    INFO("projection " << proj.name);
    const std::uint32_t size = m.populations[proj.post.population].size;
    const std::uint32_t step = proj.post.kind == GENNC_SELECT_SLICE ? proj.post.step : 1;
    const std::uint32_t start = proj.post.kind == GENNC_SELECT_SLICE ? proj.post.start : 0;
    const std::vector<float> whole = delivered(jit, p, nullptr);
    std::vector<std::uint32_t> whole_range(2 * m.projection_count, 0);
    whole_range[2 * p + 1] = proj.post.count;
    CHECK(delivered(jit, p, whole_range.data()) == whole);
    // Ranges cutting blocks inside, at their edges, empty, and the first position alone.
    const std::uint32_t n = proj.post.count;
    for (auto [lo, hi] : {std::pair{0u, n / 3}, {n / 3, 2 * n / 3 + 1}, {1024u, 2048u}, {1023u, 1025u}, {n / 2, n / 2},
                          {0u, 1u}, {2 * n / 3 + 1, n}}) {
      INFO("range [" << lo << ", " << hi << ")");
      std::vector<std::uint32_t> ranges(2 * m.projection_count, 0);
      ranges[2 * p] = std::min(lo, n);
      ranges[2 * p + 1] = std::min(hi, n);
      const std::vector<float> part = delivered(jit, p, ranges.data());
      std::uint64_t inside = 0, outside = 0;
      for (std::uint64_t cell = 0; cell < whole.size(); ++cell) {
        const std::uint32_t neuron = static_cast<std::uint32_t>(cell % size);
        const bool selected = neuron >= start && (neuron - start) % step == 0 && (neuron - start) / step < n;
        const std::uint32_t position = (neuron - start) / step;
        const bool in_range = selected && position >= ranges[2 * p] && position < ranges[2 * p + 1];
        if (in_range) {
          CHECK(part[cell] == whole[cell]);
          inside += whole[cell] != 0.0f;
        } else {
          CHECK(part[cell] == 0.0f);
          outside += whole[cell] != 0.0f;
        }
      }
      // The range has synapses of the whole row on both sides, so both checks can fail.
      if (ranges[2 * p + 1] - ranges[2 * p] >= 1000) CHECK(inside > 0);
      if (ranges[2 * p + 1] - ranges[2 * p] + 1000 <= n) CHECK(outside > 0);
    }
  }
}
