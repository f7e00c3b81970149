#include "device_init.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "cuda_engine.h"
#include "gennc/connect_rows.h"
#include "load_module.h"

namespace gennc::runtime::cuda {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
// The set-up kernels are grid-stride, so any block size is correct; this one is no contract.
constexpr unsigned kBlock = 256;

bool whole_or_slice(const GenncSelection& s) { return s.kind == GENNC_SELECT_ALL || s.kind == GENNC_SELECT_SLICE; }

// A per-synapse array drawn from a distribution: keyed by each synapse's pair
// (docs/runtime.md), so the device draws it from its projection's columns.
bool drawn_per_synapse(const GenncArrayInfo& info) {
  return info.scope == GENNC_SCOPE_SYNAPSE && info.init.kind >= GENNC_INIT_UNIFORM &&
         info.init.kind <= GENNC_INIT_BINOMIAL;
}

Status backend_error(std::string message) { return {GENNC_ERROR_BACKEND, std::move(message)}; }

}  // namespace

#define GENNC_CU(call, what) GENNC_TRY(check(api_.call, what))

Status DeviceInit::check(CUresult result, const char* what) const {
  if (result == CUDA_SUCCESS) return ok();
  return backend_error(std::string("CUDA: ") + what + " failed: " + error_text(api_, result));
}

Status DeviceInit::open(const DriverApi& api, const GenncModel& model, uint64_t seed, CUstream stream,
                        unsigned max_blocks, int major, int minor, std::unique_ptr<DeviceInit>* out) {
  std::unique_ptr<DeviceInit> init(new DeviceInit(api, model, seed, stream, max_blocks));
  init->connects_.assign(model.projection_count, false);
  init->initialises_.assign(model.array_count, false);
  init->columns_.assign(model.array_count, false);
  if (kDeviceInitPtx[0] != '\0') {
    GENNC_TRY(load_module(api, {kDeviceInitPtx, kDeviceInitCubins, kDeviceInitCubinsCount}, major, minor,
                          "the runtime's initialisation kernels", &init->module_, &init->code_));
    struct {
      const char* name;
      CUfunction* function;
    } entries[] = {{"gennc_init_values", &init->init_values_},
                   {"gennc_max_delay", &init->max_delay_},
                   {"gennc_init_synapse_values", &init->init_synapse_values_},
                   {"gennc_max_synapse_delay", &init->max_synapse_delay_},
                   {"gennc_count_rows", &init->count_rows_},
                   {"gennc_fill_rows", &init->fill_rows_},
                   {"gennc_count_columns", &init->count_columns_},
                   {"gennc_scatter_columns", &init->scatter_columns_},
                   {"gennc_sort_rows", &init->sort_rows_},
                   {"gennc_fill_total_rows", &init->fill_total_rows_}};
    for (const auto& e : entries)
      GENNC_TRY(init->check(api.cuModuleGetFunction(e.function, init->module_, e.name), "cuModuleGetFunction"));
    init->decide();
  }
  *out = std::move(init);
  return ok();
}

DeviceInit::~DeviceInit() {
  if (module_ != nullptr) api_.cuModuleUnload(module_);
}

bool DeviceInit::can_connect(uint32_t p) const {
  const GenncModel& m = model_;
  const GenncProjectionInfo& proj = m.projections[p];
  const GenncConnector& c = proj.connector;
  // fixed_number_pre and fixed_total_number only with replacement: without, Floyd's rule
  // would need each column's picks, or runs over all pairs at once.
  bool by_column = c.kind == GENNC_CONNECT_FIXED_NUMBER_PRE;
  bool total = c.kind == GENNC_CONNECT_FIXED_TOTAL_NUMBER;
  if (c.kind != GENNC_CONNECT_ALL_TO_ALL && c.kind != GENNC_CONNECT_ONE_TO_ONE &&
      c.kind != GENNC_CONNECT_FIXED_PROBABILITY && c.kind != GENNC_CONNECT_FIXED_NUMBER_POST &&
      !((by_column || total) && c.with_replacement))
    return false;
  // Procedural, dense and diagonal projections (no column array) store no rows, the host
  // counts them; a bitmask (a list-scope column array) is built by the host.
  if (proj.column_array == kNone || m.arrays[proj.column_array].scope != GENNC_SCOPE_SYNAPSE ||
      proj.column_pointer_array != kNone || !whole_or_slice(proj.pre) || !whole_or_slice(proj.post))
    return false;
  for (uint32_t q = 0; q < m.projection_count; ++q)
    if (m.projections[q].connector.kind == GENNC_CONNECT_CLONE && m.projections[q].connector.params[0] == p)
      return false;
  // A per-synapse array computed from each synapse's neurons (a SYNAPSE_KERNEL: distances,
  // indices) is the host's (can_initialise), and the host needs the columns for it.
  for (uint32_t a = 0; a < m.array_count; ++a)
    if (m.arrays[a].scope == GENNC_SCOPE_SYNAPSE && m.arrays[a].owner == p &&
        m.arrays[a].init.kind == GENNC_INIT_SYNAPSE_KERNEL)
      return false;
  // Invalid parameters and infeasible rows are the host's to report.
  RowParams r = row_params(p);
  if (total) {
    uint64_t pairs = uint64_t{r.n_pre} * r.n_post;
    if (r.exclude_self) pairs -= overlap(r);
    return r.param >= 0.0 && r.param <= 4294967295.0 && r.param == std::floor(r.param) && (pairs > 0 || r.param == 0.0);
  }
  GenncRowConnector rows;
  if (gennc_row_connector_init(&rows, by_column ? uint32_t{GENNC_CONNECT_FIXED_NUMBER_POST} : r.kind, r.seed, r.stream,
                               by_column ? r.n_pre : r.n_post, r.param, static_cast<int>(r.with_replacement)))
    return false;
  if (c.kind == GENNC_CONNECT_ONE_TO_ONE && r.n_pre != r.n_post) return false;
  return gennc_row_feasible(&rows, GENNC_ROW_NONE) && (!r.exclude_self || gennc_row_feasible(&rows, 0));
}

bool DeviceInit::can_initialise(uint32_t a) const {
  const GenncModel& m = model_;
  const GenncArrayInfo& info = m.arrays[a];
  if (info.init.kind == GENNC_INIT_LIST || info.init.kind == GENNC_INIT_SYNAPSE_KERNEL ||
      info.init.kind > GENNC_INIT_SYNAPSE_KERNEL)
    return false;
  switch (info.scope) {
    case GENNC_SCOPE_SCALAR:
      // The ring depths are set by the host.
      for (uint32_t p = 0; p < m.population_count; ++p)
        if (m.populations[p].ring_depth_array == a) return false;
      return true;
    case GENNC_SCOPE_NEURON:
    case GENNC_SCOPE_RING:
      return true;
    case GENNC_SCOPE_SYNAPSE: {
      // Draws keyed by each synapse's pre and post neurons (docs/runtime.md) read the
      // columns: only those the device generates (connects_, decided first).
      if (drawn_per_synapse(info) && !connects_[info.owner]) return false;
      const GenncProjectionInfo& proj = m.projections[info.owner];
      GenncConnectorKind kind = proj.connector.kind;
      return a != proj.column_array && a != proj.column_synapse_array && kind != GENNC_CONNECT_FROM_LIST &&
             kind != GENNC_CONNECT_FROM_FILE && kind != GENNC_CONNECT_FROM_HOST;
    }
    default:
      return false;
  }
}

void DeviceInit::decide() {
  for (uint32_t p = 0; p < model_.projection_count; ++p) {
    connects_[p] = can_connect(p);
    if (connects_[p]) columns_[model_.projections[p].column_array] = true;
  }
  for (uint32_t a = 0; a < model_.array_count; ++a) initialises_[a] = can_initialise(a);
}

// The position of row i's own neuron in the post selection when self connections are
// excluded (as device_init.c's excluded_position), else GENNC_ROW_NONE.
uint32_t DeviceInit::excluded(const RowParams& r, uint32_t i) {
  uint32_t neuron = r.pre_start + i * r.pre_step;
  if (!r.exclude_self || neuron < r.post_start) return GENNC_ROW_NONE;
  uint32_t offset = neuron - r.post_start;
  if (offset % r.post_step != 0 || offset / r.post_step >= r.n_post) return GENNC_ROW_NONE;
  return offset / r.post_step;
}

// Rows whose own neuron is among the post candidates.
uint64_t DeviceInit::overlap(const RowParams& r) {
  uint64_t count = 0;
  for (uint32_t i = 0; i < r.n_pre; ++i) count += excluded(r, i) != GENNC_ROW_NONE ? 1 : 0;
  return count;
}

DeviceInit::RowParams DeviceInit::row_params(uint32_t p) const {
  const GenncProjectionInfo& proj = model_.projections[p];
  auto side = [&](const GenncSelection& s, uint32_t* count, uint32_t* start, uint32_t* step) {
    if (s.kind == GENNC_SELECT_SLICE) {
      *count = s.count, *start = s.start, *step = s.step;
    } else {
      *count = model_.populations[s.population].size, *start = 0, *step = 1;
    }
  };
  RowParams r{};
  r.kind = proj.connector.kind;
  r.stream = proj.connector.stream;
  r.seed = seed_;
  r.param = proj.connector.params[0];
  r.with_replacement = proj.connector.with_replacement ? 1 : 0;
  side(proj.pre, &r.n_pre, &r.pre_start, &r.pre_step);
  side(proj.post, &r.n_post, &r.post_start, &r.post_step);
  r.exclude_self = proj.pre.population == proj.post.population && !proj.connector.allow_self_connections;
  return r;
}

Status DeviceInit::launch(CUfunction function, uint64_t elements, void** params) {
  if (elements == 0) return ok();
  auto blocks = static_cast<unsigned>(std::clamp<uint64_t>((elements + kBlock - 1) / kBlock, 1, max_blocks_));
  return check(api_.cuLaunchKernel(function, blocks, 1, 1, kBlock, 1, 1, 0, stream_, params, nullptr),
               "cuLaunchKernel (initialisation)");
}

Status DeviceInit::row_lengths(uint32_t p, std::vector<uint32_t>* lengths) {
  RowParams r = row_params(p);
  lengths->assign(r.n_pre, 0);
  if (r.n_pre == 0) return ok();
  if (r.kind == GENNC_CONNECT_FIXED_TOTAL_NUMBER) {
    // The rows' shares: one sequential binomial per row, cheap enough for the host.
    std::vector<uint32_t> m(r.n_pre);
    uint64_t pairs_left = 0;
    for (uint32_t i = 0; i < r.n_pre; ++i) {
      m[i] = r.n_post - (excluded(r, i) != GENNC_ROW_NONE ? 1 : 0);
      pairs_left += m[i];
    }
    auto left = static_cast<uint64_t>(r.param);
    for (uint32_t i = 0; i < r.n_pre && left > 0; ++i) {
      uint64_t k = gennc_total_number_share(r.seed, r.stream, r.pre_start + i * r.pre_step, left, m[i], pairs_left);
      if (k > UINT32_MAX) return {GENNC_ERROR_MODEL, "a fixed_total_number row has more than 2^32 - 1 synapses"};
      (*lengths)[i] = static_cast<uint32_t>(k);
      left -= k;
      pairs_left -= m[i];
    }
    return ok();
  }
  CUdeviceptr out = 0;
  GENNC_TRY(check(api_.cuMemAlloc(&out, uint64_t{r.n_pre} * 4), "cuMemAlloc"));
  Status status = ok();
  if (r.kind == GENNC_CONNECT_FIXED_NUMBER_PRE) {
    // Columns add their picks to the rows' counts.
    void* params[] = {&r.seed,      &r.stream, &r.param,     &r.n_post,   &r.post_start, &r.post_step,
                      &r.n_pre,     &r.pre_start, &r.pre_step, &r.exclude_self, &out};
    status = check(api_.cuMemsetD8Async(out, 0, uint64_t{r.n_pre} * 4, stream_), "cuMemsetD8Async");
    if (status.ok()) status = launch(count_columns_, r.n_post, params);
  } else {
    void* params[] = {&r.kind,  &r.seed,      &r.stream,    &r.param,  &r.with_replacement,
                      &r.n_pre, &r.pre_start, &r.pre_step,  &r.n_post, &r.post_start,
                      &r.post_step, &r.exclude_self, &out};
    status = launch(count_rows_, r.n_pre, params);
  }
  if (status.ok()) status = check(api_.cuStreamSynchronize(stream_), "counting synapses");
  if (status.ok()) status = check(api_.cuMemcpyDtoH(lengths->data(), out, uint64_t{r.n_pre} * 4), "cuMemcpyDtoH");
  api_.cuMemFree(out);
  return status;
}

// A delay array drawn per synapse needs its projection's columns, which exist nowhere
// yet (the rings, sized from the longest delay, are planned with everything else): they
// are generated into scratch memory from the host's row pointers, the delays drawn from
// them and reduced, and the scratch freed before the engine plans and allocates. fill()
// generates them again, the same, into the network's own array.
Status DeviceInit::longest_delay(uint32_t a, const uint32_t* row_pointer, uint64_t length, uint64_t* longest,
                                 bool* below_one) {
  const GenncArrayInfo& info = model_.arrays[a];
  *longest = 0;
  *below_one = false;
  if (length == 0) return ok();
  const bool by_pair = drawn_per_synapse(info);
  const GenncProjectionInfo& proj = model_.projections[info.owner];
  uint32_t rows = model_.populations[proj.pre.population].size;
  // out, then for a draw by pair the row pointers and the columns.
  CUdeviceptr out = 0, rows_at = 0, columns = 0;
  GENNC_TRY(check(api_.cuMemAlloc(&out, 8), "cuMemAlloc"));
  Status status = ok();
  if (by_pair) {
    status = check(api_.cuMemAlloc(&rows_at, (uint64_t{rows} + 1) * 4), "cuMemAlloc");
    if (status.ok()) status = check(api_.cuMemAlloc(&columns, length * 4), "cuMemAlloc (columns to draw delays from)");
    if (status.ok()) status = check(api_.cuMemcpyHtoD(rows_at, row_pointer, (uint64_t{rows} + 1) * 4), "cuMemcpyHtoD");
    // A copy back on the default stream returns only once the copy up has landed, which
    // the kernels on the non-blocking stream do not wait for (as in set_up_on_device).
    uint32_t fence = 0;
    if (status.ok()) status = check(api_.cuMemcpyDtoH(&fence, rows_at, 4), "cuMemcpyDtoH");
    if (status.ok()) status = generate_columns(info.owner, rows, rows_at, columns);
  }
  uint32_t result[2] = {0, 0};
  uint32_t dtype = info.dtype, kind = info.init.kind, stream = info.init.stream;
  double p0 = info.init.params[0], p1 = info.init.params[1], p2 = info.init.params[2], p3 = info.init.params[3];
  double dt = model_.dt;
  void* params[] = {&length, &dtype, &kind, &p0, &p1, &p2, &p3, &stream, &seed_, &dt, &out};
  void* pair_params[] = {&length, &dtype, &kind, &p0, &p1, &p2, &p3, &stream, &seed_, &dt, &rows, &rows_at, &columns, &out};
  if (status.ok()) status = check(api_.cuMemsetD8Async(out, 0, 8, stream_), "cuMemsetD8Async");
  if (status.ok()) status = by_pair ? launch(max_synapse_delay_, length, pair_params) : launch(max_delay_, length, params);
  if (status.ok()) status = check(api_.cuStreamSynchronize(stream_), "drawing delays");
  if (status.ok()) status = check(api_.cuMemcpyDtoH(result, out, 8), "cuMemcpyDtoH");
  for (CUdeviceptr scratch : {out, rows_at, columns})
    if (scratch != 0) api_.cuMemFree(scratch);
  *longest = result[0];
  *below_one = result[1] != 0;
  return status;
}

// Writes the columns of device-connected projection p (row_pointer: the pre population's
// `rows` + 1 row pointers) at `columns`, on the stream; scatter_columns synchronises.
Status DeviceInit::generate_columns(uint32_t p, uint32_t rows, CUdeviceptr row_pointer, CUdeviceptr columns) {
  RowParams r = row_params(p);
  if (r.kind == GENNC_CONNECT_FIXED_NUMBER_PRE) return scatter_columns(r, rows, row_pointer, columns);
  if (r.kind == GENNC_CONNECT_FIXED_TOTAL_NUMBER) {
    void* params[] = {&r.seed,     &r.stream,   &r.n_pre,       &r.pre_start,  &r.pre_step, &r.n_post,
                      &r.post_start, &r.post_step, &r.exclude_self, &row_pointer, &columns};
    return launch(fill_total_rows_, r.n_pre, params);
  }
  void* params[] = {&r.kind,      &r.seed,         &r.stream,    &r.param,   &r.with_replacement,
                    &r.n_pre,     &r.pre_start,    &r.pre_step,  &r.n_post,  &r.post_start,
                    &r.post_step, &r.exclude_self, &row_pointer, &columns};
  return launch(fill_rows_, r.n_pre, params);
}

Status DeviceInit::fill(const std::vector<CUdeviceptr>& arrays, const std::vector<uint64_t>& lengths) {
  const GenncModel& m = model_;
  // Columns first: the values drawn per synapse read them (launches on one stream run in order).
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    const GenncProjectionInfo& proj = m.projections[p];
    if (!connects_[p] || arrays[proj.column_array] == 0) continue;
    auto rows = static_cast<uint32_t>(lengths[proj.row_pointer_array] - 1);
    GENNC_TRY(generate_columns(p, rows, arrays[proj.row_pointer_array], arrays[proj.column_array]));
  }
  for (uint32_t a = 0; a < m.array_count; ++a) {
    if (!initialises_[a] || arrays[a] == 0) continue;
    const GenncArrayInfo& info = m.arrays[a];
    CUdeviceptr data = arrays[a];
    uint64_t n = lengths[a];
    uint32_t dtype = info.dtype, kind = info.init.kind, stream = info.init.stream;
    double p0 = info.init.params[0], p1 = info.init.params[1], p2 = info.init.params[2], p3 = info.init.params[3];
    double dt = m.dt;
    uint32_t delays = (info.flags & GENNC_ARRAY_DELAY_STEPS) ? 1 : 0;
    if (drawn_per_synapse(info)) {
      const GenncProjectionInfo& proj = m.projections[info.owner];
      auto rows = static_cast<uint32_t>(lengths[proj.row_pointer_array] - 1);
      CUdeviceptr row_pointer = arrays[proj.row_pointer_array], columns = arrays[proj.column_array];
      void* params[] = {&data, &n,      &dtype,  &kind,  &p0,    &p1,          &p2,     &p3,
                        &stream, &seed_, &dt,    &delays, &rows, &row_pointer, &columns};
      GENNC_TRY(launch(init_synapse_values_, n, params));
      continue;
    }
    void* params[] = {&data, &n, &dtype, &kind, &p0, &p1, &p2, &p3, &stream, &seed_, &dt, &delays};
    GENNC_TRY(launch(init_values_, n, params));
  }
  return check(api_.cuStreamSynchronize(stream_), "initialising the network on the device");
}

// fixed_number_pre: each column's picks go to the end of their rows so far (counted in a
// zeroed table of the pre population's rows), then every row is sorted into CSR order.
Status DeviceInit::scatter_columns(RowParams& r, uint32_t rows, CUdeviceptr row_pointer, CUdeviceptr columns) {
  CUdeviceptr filled = 0;
  GENNC_TRY(check(api_.cuMemAlloc(&filled, uint64_t{rows} * 4 + 4), "cuMemAlloc"));
  void* scatter[] = {&r.seed,     &r.stream,    &r.param,    &r.n_post,       &r.post_start,  &r.post_step, &r.n_pre,
                     &r.pre_start, &r.pre_step, &r.exclude_self, &row_pointer, &filled, &columns};
  void* sort[] = {&rows, &row_pointer, &columns};
  Status status = check(api_.cuMemsetD8Async(filled, 0, uint64_t{rows} * 4 + 4, stream_), "cuMemsetD8Async");
  if (status.ok()) status = launch(scatter_columns_, r.n_post, scatter);
  if (status.ok()) status = launch(sort_rows_, rows, sort);
  if (status.ok()) status = check(api_.cuStreamSynchronize(stream_), "connecting fixed_number_pre");
  api_.cuMemFree(filled);
  return status;
}

// The engine's half of the set-up (Engine::create with Setup::Build): host-built arrays
// copied up, the device-built ones filled, then the model's init schedule (derived
// values) run on the device, whose arrays are then the current ones.
Status Engine::set_up_on_device(DeviceInit& init) {
  const GenncModel& m = state_.model();
  GENNC_CU(cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  std::vector<uint64_t> lengths(m.array_count);
  for (uint32_t a = 0; a < m.array_count; ++a) {
    lengths[a] = state_.array(a).length();
    if (arrays_[a] != 0 && !init.builds(a))
      GENNC_CU(cuMemcpyHtoD(arrays_[a], state_.array(a).data(), state_.array(a).bytes()), "cuMemcpyHtoD");
  }
  // A copy back on the default stream completes only after the copies up have: the
  // kernels below run on a non-blocking stream and must see them.
  uint64_t fence = 0;
  GENNC_CU(cuMemcpyDtoH(&fence, env_, sizeof fence), "cuMemcpyDtoH");
  GENNC_TRY(init.fill(arrays_, lengths));

  GenncKernelEnv env{reinterpret_cast<void* const*>(pointer_table_), reinterpret_cast<const uint64_t*>(length_table_),
                     state_.time(), m.dt, state_.step(), state_.seed(), nullptr, 0, nullptr, 0, nullptr};
  GENNC_CU(cuMemcpyHtoD(env_, &env, sizeof env), "cuMemcpyHtoD");
  GENNC_CU(cuMemcpyDtoH(&fence, env_, sizeof fence), "cuMemcpyDtoH");
  for (uint32_t k = 0; k < m.init_schedule_length; ++k) {
    const GenncKernelInfo& kernel = m.kernels[m.init_schedule[k]];
    CUfunction function = nullptr;
    GENNC_CU(cuModuleGetFunction(&function, model_module_, kernel.ptx_entry), "cuModuleGetFunction");
    uint64_t elements = state_.kernel_range(kernel);
    if (elements == 0) continue;
    if (elements > UINT32_MAX) return backend_error(std::string("kernel '") + kernel.name + "' has over 2^32 elements");
    uint32_t begin = 0, end = static_cast<uint32_t>(elements);
    CUdeviceptr count = 0;
    void* params[] = {&env_, &begin, &end, &count};
    GENNC_TRY(launch(function, blocks_for(elements), params));
  }
  GENNC_CU(cuStreamSynchronize(stream_), "running the init schedule on the device");
  return ok();
}

}  // namespace gennc::runtime::cuda
