// Building the network state (NetworkState::build): arrays allocated and initialised,
// positions, connectivity in CSR form, column access, ring buffers sized for the longest
// delay; and the caller's FROM_HOST connections matched to their projections first.
#include <algorithm>
#include <cmath>
#include <string>

#include "gennc/connect_rows.h"
#include "initialise.h"
#include "network_state.h"
#include "positions.h"

namespace gennc::runtime {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

std::string name_of(const char* name) { return name ? name : "?"; }

// Ring depths are powers of two so that kernels find a slot with a mask, not a remainder.
constexpr uint64_t kLongestRing = uint64_t{1} << 31;

// Whether a per-synapse initialiser reads each synapse's neurons: a draw (keyed by them)
// or an expression of them.
bool reads_endpoints(const GenncInit& init) {
  return init.kind == GENNC_INIT_SYNAPSE_KERNEL || (init.kind >= GENNC_INIT_UNIFORM && init.kind <= GENNC_INIT_BINOMIAL);
}

uint64_t ring_depth_for(uint64_t longest_delay) {
  uint64_t depth = 1;
  while (depth < longest_delay + 1) depth <<= 1;
  return depth;
}

}  // namespace

// Each entry must name a FROM_HOST projection, once; each FROM_HOST projection needs one.
Status NetworkState::match_host_connections(const GenncConnections* connections, uint32_t count) {
  const GenncModel& m = model_;
  if (count > 0 && connections == nullptr)
    return argument_error("GenncOptions.connection_count is " + std::to_string(count) +
                          " but GenncOptions.connections is null");
  host_for_.assign(m.projection_count, nullptr);
  std::vector<uint32_t> entry_of(m.projection_count, 0);
  for (uint32_t e = 0; e < count; ++e) {
    const GenncConnections& c = connections[e];
    std::string what = "GenncOptions.connections[" + std::to_string(e) + "]";
    if (c.projection == nullptr) return argument_error(what + " names no projection");
    uint32_t p = 0;
    while (p < m.projection_count && name_of(m.projections[p].name) != c.projection) ++p;
    if (p == m.projection_count)
      return argument_error(what + " names projection '" + c.projection + "', which the model does not have");
    if (m.projections[p].connector.kind != GENNC_CONNECT_FROM_HOST)
      return argument_error(what + " names projection '" + c.projection +
                            "', whose connector is not from_host(): its synapses do not come from the host");
    if (host_for_[p] != nullptr)
      return argument_error(what + " names projection '" + c.projection + "' again (GenncOptions.connections[" +
                            std::to_string(entry_of[p]) + "] did already)");
    if (c.count > 0 && (c.pre == nullptr || c.post == nullptr))
      return argument_error(what + " (projection '" + c.projection + "') has " + std::to_string(c.count) +
                            " synapses but no pre or post indices");
    GENNC_TRY(check_host_columns(m.projections[p], c, what + " (projection '" + std::string(c.projection) + "')"));
    host_for_[p] = &c;
    entry_of[p] = e;
  }
  for (uint32_t p = 0; p < m.projection_count; ++p)
    if (m.projections[p].connector.kind == GENNC_CONNECT_FROM_HOST && host_for_[p] == nullptr)
      return argument_error("projection '" + name_of(m.projections[p].name) +
                            "' takes its synapses from the host (from_host()), but GenncOptions.connections has "
                            "no entry for it");
  return ok();
}

// An entry's columns: each names, once, a variable the projection declared in
// from_host(...), and has values when there are synapses (the values are checked as the
// synapses are copied, connect.cpp).
Status NetworkState::check_host_columns(const GenncProjectionInfo& proj, const GenncConnections& c,
                                      const std::string& what) const {
  if (c.column_count == 0) return ok();
  if (c.column_names == nullptr || c.columns == nullptr)
    return argument_error(what + " has " + std::to_string(c.column_count) +
                          " columns but no column names or no column values");
  std::string declared;
  for (uint32_t d = 0; d < proj.host_column_count; ++d)
    declared += std::string(declared.empty() ? "" : ", ") + "'" + name_of(proj.host_columns[d].name) + "'";
  for (uint32_t k = 0; k < c.column_count; ++k) {
    if (c.column_names[k] == nullptr) return argument_error(what + ": column " + std::to_string(k) + " has no name");
    std::string name = c.column_names[k];
    uint32_t d = 0;
    while (d < proj.host_column_count && name_of(proj.host_columns[d].name) != name) ++d;
    if (d == proj.host_column_count)
      return argument_error(what + ": column '" + name + "' is not one the projection takes from the host; " +
                            (declared.empty() ? std::string("its connector from_host() names none")
                                              : "its connector from_host(...) names " + declared) +
                            " (weight and delay have fields of their own)");
    for (uint32_t j = 0; j < k; ++j)
      if (c.column_names[j] != nullptr && name == c.column_names[j])
        return argument_error(what + ": column '" + name + "' is given twice (columns " + std::to_string(j) +
                              " and " + std::to_string(k) + ")");
    if (c.count > 0 && c.columns[k] == nullptr)
      return argument_error(what + ": column '" + name + "' has no values");
  }
  return ok();
}

// ---- Building ----------------------------------------------------------------------

Status NetworkState::build(ThreadPool& pool, DeviceBuilder* device) {
  const GenncModel& m = model_;
  arrays_.resize(m.array_count);
  structural_.assign(m.array_count, false);
  synapse_counts_.assign(m.projection_count, 0);
  ring_depths_.assign(m.population_count, 1);

  for (uint32_t p = 0; p < m.population_count; ++p)
    if (m.populations[p].ring_depth_array != kNone) structural_[m.populations[p].ring_depth_array] = true;
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    for (uint32_t id : {proj.row_pointer_array, proj.column_array, proj.column_pointer_array, proj.column_synapse_array,
                        proj.delay_array})
      if (id != kNone) structural_[id] = true;
  }

  // Arrays whose length the model fixes, initialised now.
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    uint64_t length = 0;
    switch (info.scope) {
      case GENNC_SCOPE_SCALAR: length = 1; break;
      case GENNC_SCOPE_NEURON: length = m.populations[info.owner].size; break;
      case GENNC_SCOPE_LIST: length = info.length; break;
      case GENNC_SCOPE_ROW_POINTER: length = m.populations[m.projections[info.owner].pre.population].size + 1ull; break;
      case GENNC_SCOPE_COLUMN_POINTER: length = m.populations[m.projections[info.owner].post.population].size + 1ull; break;
      default: continue;  // synapse and ring arrays wait for connectivity
    }
    arrays_[a] = Buffer(info.dtype, length);
    if (!structural_[a] && !(device && device->initialises(a)))
      GENNC_TRY(initialise_array(m, info, seed_, nullptr, &pool, &arrays_[a]));
  }

  positions_.resize(m.population_count);
  for (uint32_t p = 0; p < m.population_count; ++p)
    GENNC_TRY(compute_positions(m.populations[p].structure, m.populations[p].size, seed_, name_of(m.populations[p].name),
                                &positions_[p]));
  injection_counts_.resize(m.injection_count);
  for (uint32_t i = 0; i < m.injection_count; ++i) {
    Selection target;
    GENNC_TRY(Selection::make(m.injections[i].target, m.populations[m.injections[i].target.population].size,
                              "injection '" + name_of(m.injections[i].name) + "'", &target));
    injection_counts_[i] = target.size();
  }

  pre_.resize(m.projection_count);
  post_.resize(m.projection_count);
  connections_.resize(m.projection_count);
  synapse_pre_.resize(m.projection_count);
  synapse_post_.resize(m.projection_count);
  std::vector<int> state(m.projection_count, 0);  // 0 to do, 1 building, 2 built
  for (uint32_t p = 0; p < m.projection_count; ++p) GENNC_TRY(build_projection(pool, p, &state, device));
  for (uint32_t p = 0; p < m.projection_count; ++p) GENNC_TRY(fill_synapse_arrays(pool, p, device));
  GENNC_TRY(build_rings(pool, device));
  // The build-time synapse lists are no longer needed; the arrays hold connectivity now.
  connections_ = {};
  synapse_pre_ = {};
  synapse_post_ = {};
  holds_share_ = !posts_.empty();
  totals_ = synapse_counts_;  // this share's; the processes sum them (set_total_synapse_counts)
  std::vector<uint64_t> lengths(m.array_count);
  for (uint32_t a = 0; a < m.array_count; ++a) lengths[a] = arrays_[a].length();
  return recorder_.setup(m, lengths);
}

Status NetworkState::build_projection(ThreadPool& pool, uint32_t p, std::vector<int>* state, DeviceBuilder* device) {
  if ((*state)[p] == 2) return ok();
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  if ((*state)[p] == 1) return model_error(what + " is part of a cycle of clones");
  (*state)[p] = 1;
  GENNC_TRY(Selection::make(proj.pre, m.populations[proj.pre.population].size, what + " (pre)", &pre_[p]));
  GENNC_TRY(Selection::make(proj.post, m.populations[proj.post.population].size, what + " (post)", &post_[p]));
  uint32_t pre_size = m.populations[proj.pre.population].size;
  if (proj.column_array == kNone) {
    GENNC_TRY(count_generated_rows(pool, p, device));
    (*state)[p] = 2;
    return ok();
  }

  const bool bitmask = m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST;
  if (device != nullptr && device->connects(p) && !bitmask) {
    // The device generates the columns; the host needs the row pointers (from the rows'
    // lengths) and the synapse count.
    std::vector<uint32_t> lengths;
    GENNC_TRY(device->row_lengths(p, &lengths));
    std::vector<uint64_t> row_start(pre_size + 1, 0);
    for (uint32_t i = 0; i < pre_[p].size(); ++i) row_start[pre_[p].global(i) + 1] = lengths[i];
    GENNC_TRY(store_row_pointers(p, &row_start));
    (*state)[p] = 2;
    return ok();
  }

  ConnectRequest request;
  request.projection = &proj;
  request.seed = seed_;
  request.dt = m.dt;
  request.pre = &pre_[p];
  request.post = &post_[p];
  request.pre_xyz = &positions_[proj.pre.population];
  request.post_xyz = &positions_[proj.post.population];
  request.pool = &pool;
  request.host = p < host_for_.size() ? host_for_[p] : nullptr;
  // A share is built as such, but a projection that others clone is built whole: the
  // clones keep the synapses onto their own post neurons, which may be others.
  bool cloned = false;
  for (uint32_t q = 0; q < m.projection_count; ++q)
    cloned = cloned || (m.projections[q].connector.kind == GENNC_CONNECT_CLONE && m.projections[q].connector.params[0] == p);
  if (splits(p) && !cloned) request.owned = &posts_[proj.post.population];
  if (proj.connector.kind == GENNC_CONNECT_CLONE) {
    auto source = static_cast<uint32_t>(proj.connector.params[0]);
    GENNC_TRY(build_projection(pool, source, state, device));
    request.clone_of = &connections_[source];
    request.clone_pre = &pre_[source];
    request.clone_post = &post_[source];
  }
  Connections& whole = connections_[p];
  GENNC_TRY(connect(request, &whole));
  // A share of a projection built whole: its pairs stay whole for the clones, its columns
  // (weights, delays) follow the share.
  Connections share;
  if (splits(p) && request.owned == nullptr) {
    share = whole;
    keep_owned_posts(post_[p], posts_[proj.post.population], &share);
  }
  Connections& c = splits(p) && request.owned == nullptr ? share : whole;

  // CSR over population indices: synapses grouped by pre neuron (a counting sort keeps
  // build order), then each row sorted by post neuron (build order among repeats).
  uint64_t n = c.pre.size();
  if (n > UINT32_MAX) return model_error(what + " has more than 2^32 - 1 synapses");
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  std::vector<uint32_t> row_start(pre_size + 1, 0);
  for (uint64_t k = 0; k < n; ++k) ++row_start[pre.global(c.pre[k]) + 1];
  for (uint32_t r = 0; r < pre_size; ++r) row_start[r + 1] += row_start[r];
  std::vector<uint32_t> order(n);
  bool grouped = true;  // row-wise connectors build rows in order already
  for (uint64_t k = 1; k < n && grouped; ++k) grouped = pre.global(c.pre[k - 1]) <= pre.global(c.pre[k]);
  if (grouped) {
    for (uint64_t k = 0; k < n; ++k) order[k] = static_cast<uint32_t>(k);
  } else {
    std::vector<uint32_t> next(row_start.begin(), row_start.end() - 1);
    for (uint64_t k = 0; k < n; ++k) order[next[pre.global(c.pre[k])]++] = static_cast<uint32_t>(k);
  }
  pool.parallel_for(pre_size, 64, [&](uint32_t begin, uint32_t end) {
    std::vector<uint64_t> keys;  // post neuron << 32 | build position: sorting these is stable
    for (uint32_t r = begin; r < end; ++r) {
      keys.clear();
      for (uint32_t k = row_start[r]; k < row_start[r + 1]; ++k)
        keys.push_back(uint64_t{post.global(c.post[order[k]])} << 32 | order[k]);
      if (std::is_sorted(keys.begin(), keys.end())) continue;
      std::sort(keys.begin(), keys.end());
      for (size_t k = 0; k < keys.size(); ++k) order[row_start[r] + k] = static_cast<uint32_t>(keys[k]);
    }
  });
  std::vector<uint32_t>& spre = synapse_pre_[p];
  std::vector<uint32_t>& spost = synapse_post_[p];
  spre.resize(n);
  spost.resize(n);
  pool.parallel_for(static_cast<uint32_t>(n), 65536, [&](uint32_t begin, uint32_t end) {
    for (uint32_t k = begin; k < end; ++k) {
      spre[k] = pre.global(c.pre[order[k]]);
      spost[k] = post.global(c.post[order[k]]);
    }
  });
  auto permute = [&](std::vector<double>* column) {
    if (column->empty()) return;
    std::vector<double> sorted(n);
    for (uint64_t k = 0; k < n; ++k) sorted[k] = (*column)[order[k]];
    *column = std::move(sorted);
  };
  // The list columns follow the synapses into CSR order; the pairs stay in build order for clones.
  permute(&c.weight);
  permute(&c.delay);
  for (HostColumn& column : c.columns) permute(&column.values);
  if (&c != &whole) {
    whole.weight = std::move(c.weight);
    whole.delay = std::move(c.delay);
    whole.columns = std::move(c.columns);
  }
  synapse_counts_[p] = n;

  std::copy(row_start.begin(), row_start.end(), static_cast<uint32_t*>(arrays_[proj.row_pointer_array].data()));
  (*state)[p] = 2;
  return ok();
}

// A procedural or dense projection stores no columns: each row's length, counted with the
// generator its delivery kernel follows (gennc/connect_rows.h), gives every synapse the index
// its stored twin would have, which addresses its (dense) values. A dense or diagonal
// projection whose values are drawn per synapse (keyed by the synapse's neurons) or
// computed from its endpoints (distance expressions) also gets the build-time synapse
// list those initialisers read.
Status NetworkState::generated_row_lengths(uint32_t p, uint64_t seed, std::vector<uint64_t>* row_start,
                                           ThreadPool* pool, DeviceBuilder* device) const {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  GenncRowConnector connector;
  if (gennc_row_connector_init(&connector, proj.connector.kind, seed, proj.connector.stream, post.size(),
                               proj.connector.params[0], proj.connector.with_replacement))
    return model_error(what + ": its connector cannot be procedural or has an invalid parameter");
  bool self_excluded = proj.connector.allow_self_connections == 0 && proj.pre.population == proj.post.population;
  auto skip_of = [&](uint32_t i) {
    int64_t excluded = self_excluded ? post.local(pre.global(i)) : -1;
    return excluded >= 0 ? static_cast<uint32_t>(excluded) : GENNC_ROW_NONE;
  };
  for (uint32_t i = 0; i < pre.size(); ++i)
    if (!gennc_row_feasible(&connector, skip_of(i))) return model_error(what + ": a row has no candidate to connect to");
  row_start->assign(m.populations[proj.pre.population].size + uint64_t{1}, 0);
  // Counting walks every synapse of the row (fixed_probability's gaps one by one): the
  // multi-area model's 24e9 took an hour on one thread. The device counts with the same
  // generator (gennc/connect_rows.h), so the lengths are the host's.
  if (device != nullptr) {
    std::vector<uint32_t> lengths;
    GENNC_TRY(device->row_lengths(p, &lengths));
    for (uint32_t i = 0; i < pre.size(); ++i) (*row_start)[pre.global(i) + 1] = lengths[i];
    return ok();
  }
  auto count = [&](uint32_t begin, uint32_t end) {
    for (uint32_t i = begin; i < end; ++i)
      (*row_start)[pre.global(i) + 1] = gennc_row_length(&connector, i, pre.global(i), skip_of(i));
  };
  if (pool != nullptr) pool->parallel_for(pre.size(), 64, count);
  else count(0, pre.size());
  return ok();
}

Status NetworkState::count_generated_rows(ThreadPool& pool, uint32_t p, DeviceBuilder* device) {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  const Selection& pre = pre_[p];
  const Selection& post = post_[p];
  std::vector<uint64_t> row_start;
  GENNC_TRY(generated_row_lengths(p, seed_, &row_start, &pool, device));
  GENNC_TRY(store_row_pointers(p, &row_start));
  GenncRowConnector connector;
  gennc_row_connector_init(&connector, proj.connector.kind, seed_, proj.connector.stream, post.size(),
                           proj.connector.params[0], proj.connector.with_replacement);
  bool self_excluded = proj.connector.allow_self_connections == 0 && proj.pre.population == proj.post.population;
  bool endpoints = false;
  for (uint32_t a = 0; a < m.array_count; ++a)
    endpoints = endpoints || (m.arrays[a].scope == GENNC_SCOPE_SYNAPSE && m.arrays[a].owner == p &&
                              reads_endpoints(m.arrays[a].init));
  if (endpoints) {
    synapse_pre_[p].reserve(row_start.back());
    synapse_post_[p].reserve(row_start.back());
    for (uint32_t i = 0; i < pre.size(); ++i) {
      int64_t excluded = self_excluded ? post.local(pre.global(i)) : -1;
      GenncRowCursor cursor;
      gennc_row_begin(&connector, i, pre.global(i), excluded >= 0 ? static_cast<uint32_t>(excluded) : GENNC_ROW_NONE,
                      &cursor);
      for (uint32_t j; (j = gennc_row_next(&connector, &cursor, nullptr)) != GENNC_ROW_END;) {
        synapse_pre_[p].push_back(pre.global(i));
        synapse_post_[p].push_back(post.global(j));
      }
    }
  }
  return ok();
}

// Row pointers and the synapse count of projection p from its rows' lengths, which
// row_start holds at [pre neuron + 1] and turns into their running sum.
Status NetworkState::store_row_pointers(uint32_t p, std::vector<uint64_t>* row_start) {
  const GenncProjectionInfo& proj = model_.projections[p];
  std::vector<uint64_t>& start = *row_start;
  for (size_t r = 0; r + 1 < start.size(); ++r) start[r + 1] += start[r];
  if (start.back() > UINT32_MAX)
    return model_error("projection '" + name_of(proj.name) + "' has more than 2^32 - 1 synapses");
  auto* row_pointer = static_cast<uint32_t*>(arrays_[proj.row_pointer_array].data());
  for (size_t r = 0; r < start.size(); ++r) row_pointer[r] = static_cast<uint32_t>(start[r]);
  synapse_counts_[p] = start.back();
  return ok();
}

Status NetworkState::fill_synapse_arrays(ThreadPool& pool, uint32_t p, DeviceBuilder* device) {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  std::string what = "projection '" + name_of(proj.name) + "'";
  uint64_t n = synapse_counts_[p];
  SynapseEndpoints endpoints{&synapse_pre_[p], &synapse_post_[p], &positions_[proj.pre.population],
                             &positions_[proj.post.population]};
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    if (info.scope != GENNC_SCOPE_SYNAPSE || info.owner != p) continue;
    arrays_[a] = Buffer(info.dtype, n);
    if (device && (device->initialises(a) || (a == proj.column_array && device->connects(p)))) untouched_.push_back(a);
    if (a == proj.column_array || a == proj.column_synapse_array || (device && device->initialises(a))) continue;
    GENNC_TRY(initialise_array(m, info, seed_, &endpoints, &pool, &arrays_[a]));
  }
  if (proj.column_array == kNone) return ok();  // procedural or dense: no columns
  if (m.arrays[proj.column_array].scope == GENNC_SCOPE_LIST) {
    // A bitmask: bit j of row i for position i of the pre selection and j of the post one.
    Buffer& bits = arrays_[proj.column_array];
    const Selection& pre = pre_[p];
    const Selection& post = post_[p];
    const uint64_t words = (uint64_t{post.size()} + 31) / 32;
    if (bits.length() != uint64_t{pre.size()} * words)
      return model_error(what + ": its bitmask must have " + std::to_string(uint64_t{pre.size()} * words) + " words");
    auto* word = static_cast<uint32_t*>(bits.data());
    std::fill(word, word + bits.length(), 0u);
    for (uint64_t k = 0; k < n; ++k) {
      const auto j = static_cast<uint64_t>(post.local(synapse_post_[p][k]));
      uint32_t& w = word[static_cast<uint64_t>(pre.local(synapse_pre_[p][k])) * words + j / 32];
      const uint32_t bit = 1u << (j % 32);
      if ((w & bit) != 0) return model_error(what + " connects a pair twice, which a bitmask cannot hold");
      w |= bit;
    }
    return ok();
  }
  if (!(device && device->connects(p))) {
    auto* column = static_cast<uint32_t*>(arrays_[proj.column_array].data());
    for (uint64_t k = 0; k < n; ++k) column[k] = synapse_post_[p][k];
  }

  const Connections& c = connections_[p];
  if (!c.weight.empty()) {
    if (proj.weight_from_list == kNone)
      return model_error(what + ": its connections carry weights but the model has no array for them");
    for (uint64_t k = 0; k < n; ++k) arrays_[proj.weight_from_list].set(k, c.weight[k]);
  }
  if (!c.delay.empty()) {
    if (proj.delay_array == kNone)
      return model_error(what + ": its connections carry delays but the model gives it one constant delay");
    for (uint64_t k = 0; k < n; ++k) arrays_[proj.delay_array].set(k, delay_to_steps(c.delay[k], m.dt));
  }
  for (const HostColumn& column : c.columns)  // already in internal units (connect.cpp)
    for (uint64_t k = 0; k < n; ++k) arrays_[column.array].set(k, column.values[k]);

  index_columns(p);
  return ok();
}

void NetworkState::index_columns(uint32_t p) {
  const GenncProjectionInfo& proj = model_.projections[p];
  if (proj.column_pointer_array == kNone || proj.column_array == kNone) return;
  // Synapse ids grouped by post neuron (a counting sort keeps pre order within a column).
  const uint64_t n = synapse_counts_[p];
  const auto* post = static_cast<const uint32_t*>(arrays_[proj.column_array].data());
  Buffer& cols = arrays_[proj.column_pointer_array];
  auto* column_pointer = static_cast<uint32_t*>(cols.data());
  auto* column_synapse = static_cast<uint32_t*>(arrays_[proj.column_synapse_array].data());
  std::fill(column_pointer, column_pointer + cols.length(), 0u);
  for (uint64_t k = 0; k < n; ++k) ++column_pointer[post[k] + 1];
  for (uint64_t r = 1; r < cols.length(); ++r) column_pointer[r] += column_pointer[r - 1];
  std::vector<uint32_t> next(column_pointer, column_pointer + cols.length() - 1);
  for (uint64_t k = 0; k < n; ++k) column_synapse[next[post[k]]++] = static_cast<uint32_t>(k);
}

Status NetworkState::build_rings(ThreadPool& pool, DeviceBuilder* device) {
  const GenncModel& m = model_;
  std::vector<uint64_t> max_delay(m.population_count, 0);
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    uint64_t longest = proj.constant_delay_steps;
    if (proj.delay_array != kNone && device && device->initialises(proj.delay_array)) {
      bool below_one = false;
      const uint32_t* row_pointer = proj.row_pointer_array == kNone
                                        ? nullptr
                                        : static_cast<const uint32_t*>(arrays_[proj.row_pointer_array].data());
      GENNC_TRY(device->longest_delay(proj.delay_array, row_pointer, arrays_[proj.delay_array].length(), &longest,
                                      &below_one));
      if (below_one) return model_error("projection '" + name_of(proj.name) + "': a synapse has a delay below one step");
    } else if (proj.delay_array != kNone) {
      longest = 0;
      const Buffer& delays = arrays_[proj.delay_array];
      for (uint64_t k = 0; k < delays.length(); ++k) {
        double d = delays.get(k);
        if (!(d >= 1.0))
          return model_error("projection '" + name_of(proj.name) + "': synapse " + std::to_string(k) +
                             " has a delay below one step");
        longest = std::max<uint64_t>(longest, static_cast<uint64_t>(d));
      }
    }
    max_delay[proj.post.population] = std::max(max_delay[proj.post.population], longest);
  }
  for (uint32_t p = 0; p < m.population_count; ++p) {
    if (max_delay[p] + 1 > kLongestRing)
      return model_error("population '" + name_of(m.populations[p].name) + "': an incoming delay of " +
                         std::to_string(max_delay[p]) + " steps needs a ring buffer deeper than 2^31 steps");
    // A precise population may receive a spike timed up to half a tic past its step's end,
    // one step further ahead (docs/ir.md, Precise steps).
    const uint64_t ahead = m.populations[p].spike_time_array != kNone ? 1 : 0;
    ring_depths_[p] = static_cast<uint32_t>(ring_depth_for(max_delay[p] + ahead));
    if (m.populations[p].ring_depth_array != kNone) arrays_[m.populations[p].ring_depth_array].set(0, ring_depths_[p]);
  }
  for (uint32_t q = 0; q < m.population_count; ++q) GENNC_TRY(allocate_rings(pool, q, device));
  return ok();
}

Status NetworkState::allocate_rings(ThreadPool& pool, uint32_t q, DeviceBuilder* device) {
  const GenncModel& m = model_;
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const GenncArrayInfo& info = m.arrays[a];
    if (info.scope != GENNC_SCOPE_RING || info.owner != q) continue;
    const uint64_t per_entry = info.length > 1 ? info.length : 1;  // a precise population's event ring
    arrays_[a] = Buffer(info.dtype, uint64_t{ring_depths_[q]} * m.populations[q].size * per_entry);
    if (!(device && device->initialises(a))) GENNC_TRY(initialise_array(m, info, seed_, nullptr, &pool, &arrays_[a]));
  }
  return ok();
}

}  // namespace gennc::runtime
