// NetworkState::plan_host_memory: what a network built on the CPU will take, estimated from
// the model before anything large is allocated, against what the process may still use.
#include <algorithm>
#include <vector>

#include "memory.h"
#include "network_state.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

// The synapses a connector makes between n_pre and n_post neurons: exact or expected
// where the model says, 0 where only building tells (files, distance rules).
double expected_synapses(const GenncConnector& c, double n_pre, double n_post) {
  switch (c.kind) {
    case GENNC_CONNECT_ALL_TO_ALL: return n_pre * n_post;
    case GENNC_CONNECT_ONE_TO_ONE: return std::min(n_pre, n_post);
    case GENNC_CONNECT_FIXED_PROBABILITY: return c.params[0] * n_pre * n_post;
    case GENNC_CONNECT_FIXED_NUMBER_POST: return c.params[0] * n_pre;
    case GENNC_CONNECT_FIXED_NUMBER_PRE: return c.params[0] * n_post;
    case GENNC_CONNECT_FIXED_TOTAL_NUMBER: return c.params[0];
    case GENNC_CONNECT_FROM_LIST: return static_cast<double>(c.list_rows);
    default: return 0.0;
  }
}

// Building a stored projection holds, besides its arrays, each synapse's pre and post
// position as built, its place in CSR order and its pre and post neuron (connect.h,
// NetworkState::build_projection): five 32-bit numbers.
constexpr double kBuildBytesPerSynapse = 20.0;

}  // namespace

double NetworkState::expected_synapse_count(uint32_t p) const {
  const GenncProjectionInfo& proj = model_.projections[p];
  return expected_synapses(proj.connector, proj.pre.count, proj.post.count);
}

Status NetworkState::plan_host_memory() const {
  const GenncModel& m = model_;
  struct Part {
    std::string name;
    double bytes;
  };
  std::vector<Part> parts;
  std::vector<double> synapses(m.projection_count, 0.0);
  std::vector<double> build(m.projection_count, 0.0);
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    const double n_pre = proj.pre.count, n_post = proj.post.count;  // the selections' sizes
    synapses[p] = expected_synapses(proj.connector, n_pre, n_post);
    // A share (hold_posts) holds the synapses onto its post neurons, about their part.
    const uint32_t post_size = m.populations[proj.post.population].size;
    if (splits(p) && post_size > 0)
      synapses[p] *= double(posts_[proj.post.population].second - posts_[proj.post.population].first) / post_size;
    if (proj.column_array != kNone) build[p] = synapses[p] * kBuildBytesPerSynapse;
  }
  // The rings are at least as deep as the constant delays make them.
  std::vector<double> depth(m.population_count, 2.0);
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    uint32_t post = m.projections[p].post.population;
    if (post < m.population_count)
      depth[post] = std::max(depth[post], static_cast<double>(m.projections[p].constant_delay_steps) + 2.0);
  }
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    double length = 0;
    switch (info.scope) {
      case GENNC_SCOPE_SCALAR: length = 1; break;
      case GENNC_SCOPE_NEURON: length = m.populations[info.owner].size; break;
      case GENNC_SCOPE_LIST: length = static_cast<double>(info.length); break;
      case GENNC_SCOPE_ROW_POINTER: length = m.populations[m.projections[info.owner].pre.population].size + 1.0; break;
      case GENNC_SCOPE_COLUMN_POINTER: length = m.populations[m.projections[info.owner].post.population].size + 1.0; break;
      case GENNC_SCOPE_SYNAPSE: length = info.owner < m.projection_count ? synapses[info.owner] : 0; break;
      case GENNC_SCOPE_RING:
        length = depth[info.owner] * m.populations[info.owner].size * (info.length > 1 ? static_cast<double>(info.length) : 1.0);
        break;
    }
    parts.push_back({"array '" + std::string(info.name ? info.name : "?") + "'",
                     length * static_cast<double>(dtype_size(info.dtype))});
  }
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (build[p] > 0)
      parts.push_back({"building projection '" + std::string(m.projections[p].name ? m.projections[p].name : "?") + "'", build[p]});

  double needed = 0;
  for (const Part& part : parts) needed += part.bytes;
  MemoryLimit limit = available_memory();
  if (needed <= static_cast<double>(limit.bytes)) return ok();
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.bytes > b.bytes; });
  std::string largest;
  for (size_t k = 0; k < parts.size() && k < 3; ++k)
    largest += (k ? ", " : "") + parts[k].name + " " + mebibytes(static_cast<uint64_t>(parts[k].bytes));
  return model_error("the network needs about " + mebibytes(static_cast<uint64_t>(needed)) +
                     " of host memory but " + limit.source + " leaves " + mebibytes(limit.bytes) +
                     "; the largest parts: " + largest + " (nothing was allocated)");
}

}  // namespace gennc::runtime
