/* The device side of the network set-up on the GPU (runtime/src/cuda/device_init.cpp):
 * initial values of arrays and row connectivity, from the seed, with the same functions as
 * the host (gennc/random.h, gennc/connect_rows.h), so both build the same network.
 *
 * Built at build time by clang for nvptx64-nvidia-cuda (freestanding C, -ffp-contract=off:
 * no operation fuses, every one rounds as on the host), libdevice linked for the math that
 * random.h calls through __builtin_log/exp/sin/cos, then llc to sm_60 PTX (ISA 7.0); the
 * runtime embeds the PTX and loads it next to the model's.
 *
 * Every kernel is grid-stride over its elements, so any grid covers any range. */
#define GENNC_RANDOM_ALWAYS_INLINE

/* libdevice's versions; glibc's may differ in the last bit (docs/gpu.md). sqrt and floor
 * stay builtins: NVPTX has correctly rounded instructions for them. */
double __nv_log(double);
double __nv_exp(double);
double __nv_sin(double);
double __nv_cos(double);
#define __builtin_log __nv_log
#define __builtin_exp __nv_exp
#define __builtin_sin __nv_sin
#define __builtin_cos __nv_cos

#include "gennc/connect_rows.h"
#include "gennc/model_abi.h"
#include "gennc/random.h"
#include "kernel.h"

/* ---- Initial values (runtime/src/initialise.cpp) ------------------------------------- */

/* An initialiser's value at (seed, stream s, step, index, draw): initialise.cpp's
 * random_value, and p0 for a constant. */
static inline double drawn_value(uint32_t kind, double p0, double p1, double p2, double p3, uint32_t s,
                                 uint64_t seed, uint64_t step, uint32_t index, uint32_t draw) {
  switch (kind) {
    case GENNC_INIT_CONSTANT: return p0;
    case GENNC_INIT_UNIFORM: return gennc_rng_uniform(seed, s, step, index, draw, p0, p1);
    case GENNC_INIT_NORMAL: return gennc_rng_normal(seed, s, step, index, draw, p0, p1);
    case GENNC_INIT_NORMAL_CLIPPED: return gennc_rng_normal_clipped(seed, s, step, index, draw, p0, p1, p2, p3);
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY:
      return gennc_rng_normal_clipped_to_boundary(seed, s, step, index, draw, p0, p1, p2, p3);
    case GENNC_INIT_EXPONENTIAL: return gennc_rng_exponential(seed, s, step, index, draw, p0);
    case GENNC_INIT_GAMMA: return gennc_rng_gamma(seed, s, step, index, draw, p0, p1);
    case GENNC_INIT_LOGNORMAL: return gennc_rng_lognormal(seed, s, step, index, draw, p0, p1);
    case GENNC_INIT_UNIFORM_INT: return gennc_rng_uniform_int(seed, s, step, index, draw, p0, p1);
    case GENNC_INIT_POISSON: return gennc_rng_poisson(seed, s, step, index, draw, p0);
    case GENNC_INIT_BINOMIAL: return gennc_rng_binomial(seed, s, step, index, draw, p0, p1);
    default: return 0.0;
  }
}

/* Element k's value: draw k mod 2^32 of the stream, draw number k / 2^32. */
static inline double initial_value(uint32_t kind, double p0, double p1, double p2, double p3, uint32_t s,
                                   uint64_t seed, uint64_t k) {
  return drawn_value(kind, p0, p1, p2, p3, s, seed, 0, (uint32_t)k, (uint32_t)(k >> 32));
}

/* The row of synapse k in a CSR of `rows` rows: the last g with row_pointer[g] <= k (a
 * binary search; an empty row ends where the next begins, so it is never the one). */
static inline uint32_t synapse_row(const uint32_t* row_pointer, uint32_t rows, uint32_t k) {
  uint32_t low = 0, high = rows; /* row_pointer[low] <= k < row_pointer[high] */
  while (high - low > 1) {
    uint32_t middle = low + (high - low) / 2;
    if (row_pointer[middle] <= k) low = middle;
    else high = middle;
  }
  return low;
}

/* Synapse k's value drawn per synapse (initialise.cpp, docs/runtime.md): at step = its
 * occurrence among the earlier synapses of its pair, index = its pre neuron (its row),
 * draw = its post neuron (its column), population indices. A row is sorted by post
 * neuron, so a pair's repeats lie next to each other. */
static inline double synapse_value(uint32_t kind, double p0, double p1, double p2, double p3, uint32_t s,
                                   uint64_t seed, uint32_t rows, const uint32_t* row_pointer,
                                   const uint32_t* columns, uint32_t k) {
  uint32_t pre = synapse_row(row_pointer, rows, k), post = columns[k], first = row_pointer[pre], j = k;
  while (j > first && columns[j - 1] == post) --j;
  return drawn_value(kind, p0, p1, p2, p3, s, seed, k - j, pre, post);
}

/* delay_to_steps: round(ms / dt) with halves up, at least one step (NaN gives 1, as
 * std::max(1.0, NaN) does). */
static inline double to_steps(double ms, double dt) {
  double steps = __builtin_floor(ms / dt + 0.5 + 1e-9);
  return 1.0 < steps ? steps : 1.0;
}

/* arrays.cpp's to_integer: NaN is 0, else round half to even and saturate. */
static inline double saturate(double value, double low, double high) {
  double rounded;
  if (value != value) return 0.0;
  rounded = __builtin_rint(value);
  return rounded <= low ? low : (rounded >= high ? high : rounded);
}

/* The value an element of `dtype` holds after storing `value`, and the store itself. */
static inline double stored(uint32_t dtype, double value) {
  switch (dtype) {
    case GENNC_F32: return (double)(float)value;
    case GENNC_I32: return saturate(value, -2147483648.0, 2147483647.0);
    case GENNC_U32: return saturate(value, 0.0, 4294967295.0);
    case GENNC_U8: return saturate(value, 0.0, 255.0);
    default: return value;
  }
}

static inline void store(uint32_t dtype, void* data, uint64_t k, double value) {
  switch (dtype) {
    case GENNC_F32: ((float*)data)[k] = (float)value; return;
    case GENNC_F64: ((double*)data)[k] = value; return;
    case GENNC_I32: ((int32_t*)data)[k] = (int32_t)stored(dtype, value); return;
    case GENNC_U32: ((uint32_t*)data)[k] = (uint32_t)stored(dtype, value); return;
    case GENNC_U8: ((uint8_t*)data)[k] = (uint8_t)stored(dtype, value); return;
    default: return;
  }
}

/* Fills data[0, n) of `dtype` from an initialiser (any GenncInitKind but LIST and
 * SYNAPSE_KERNEL); `delays` != 0 converts ms to steps of dt. */
KERNEL void gennc_init_values(void* data, uint64_t n, uint32_t dtype, uint32_t kind, double p0, double p1,
                              double p2, double p3, uint32_t stream, uint64_t seed, double dt, uint32_t delays) {
  uint64_t k;
  for (k = first_element(); k < n; k += grid_stride()) {
    double value = initial_value(kind, p0, p1, p2, p3, stream, seed, k);
    store(dtype, data, k, delays ? to_steps(value, dt) : value);
  }
}

/* A thread's longest delay in whole steps (saturated to 2^32 - 1) and whether one is below
 * a step, then the grid's: out[0] by atomic max, out[1] = 1 if any thread saw one below. */
static inline void note_delay(double steps, uint32_t* longest, uint32_t* below) {
  uint32_t whole = steps >= 4294967295.0 ? 0xFFFFFFFFu : (steps >= 1.0 ? (uint32_t)steps : 0u);
  if (!(steps >= 1.0)) *below = 1;
  if (whole > *longest) *longest = whole;
}

static inline void report_delay(uint32_t longest, uint32_t below, uint32_t* out) {
  if (longest != 0) __nvvm_atom_max_gen_ui(out, longest);
  if (below) __nvvm_atom_max_gen_ui(out + 1, 1u);
}

/* The delays gennc_init_values would store (delays != 0), without storing them:
 * out[0] = the longest (atomic max, saturated to 2^32 - 1), out[1] = 1 if any is below one
 * step. The host sizes the ring buffers from it before allocating. */
KERNEL void gennc_max_delay(uint64_t n, uint32_t dtype, uint32_t kind, double p0, double p1, double p2, double p3,
                            uint32_t stream, uint64_t seed, double dt, uint32_t* out) {
  uint32_t longest = 0, below = 0;
  uint64_t k;
  for (k = first_element(); k < n; k += grid_stride())
    note_delay(stored(dtype, to_steps(initial_value(kind, p0, p1, p2, p3, stream, seed, k), dt)), &longest, &below);
  report_delay(longest, below, out);
}

/* ---- Values drawn per synapse, keyed by its pair: over a projection's CSR ------------ */

/* Fills data[0, n) of `dtype`, one element per synapse of the CSR (row_pointer: rows + 1
 * entries by pre neuron; columns: post neurons), with synapse_value; `delays` as for
 * gennc_init_values. Any GenncInitKind but LIST and SYNAPSE_KERNEL. */
KERNEL void gennc_init_synapse_values(void* data, uint64_t n, uint32_t dtype, uint32_t kind, double p0, double p1,
                                      double p2, double p3, uint32_t stream, uint64_t seed, double dt,
                                      uint32_t delays, uint32_t rows, const uint32_t* row_pointer,
                                      const uint32_t* columns) {
  uint64_t k;
  for (k = first_element(); k < n; k += grid_stride()) {
    double value = synapse_value(kind, p0, p1, p2, p3, stream, seed, rows, row_pointer, columns, (uint32_t)k);
    store(dtype, data, k, delays ? to_steps(value, dt) : value);
  }
}

/* The delays gennc_init_synapse_values would store (delays != 0), without storing them:
 * out as for gennc_max_delay. The columns must be generated first. */
KERNEL void gennc_max_synapse_delay(uint64_t n, uint32_t dtype, uint32_t kind, double p0, double p1, double p2,
                                    double p3, uint32_t stream, uint64_t seed, double dt, uint32_t rows,
                                    const uint32_t* row_pointer, const uint32_t* columns, uint32_t* out) {
  uint32_t longest = 0, below = 0;
  uint64_t k;
  for (k = first_element(); k < n; k += grid_stride()) {
    double value = synapse_value(kind, p0, p1, p2, p3, stream, seed, rows, row_pointer, columns, (uint32_t)k);
    note_delay(stored(dtype, to_steps(value, dt)), &longest, &below);
  }
  report_delay(longest, below, out);
}

/* ---- Row connectivity (runtime/src/connect.cpp through gennc/connect_rows.h) ----------- */

/* A projection's rows: the connector and its pre and post selections, each all of a
 * population or a slice (start, step; all is 0, 1). */
typedef struct Rows {
  GenncRowConnector connector;
  uint32_t n_pre, pre_start, pre_step;
  uint32_t post_start, post_step;
  uint32_t exclude_self; /* same population, self connections not allowed */
} Rows;

static inline Rows make_rows(uint32_t kind, uint64_t seed, uint32_t stream, double param, uint32_t with_replacement,
                             uint32_t n_pre, uint32_t pre_start, uint32_t pre_step, uint32_t n_post,
                             uint32_t post_start, uint32_t post_step, uint32_t exclude_self) {
  Rows r;
  gennc_row_connector_init(&r.connector, kind, seed, stream, n_post, param, (int)with_replacement);
  r.n_pre = n_pre;
  r.pre_start = pre_start;
  r.pre_step = pre_step;
  r.post_start = post_start;
  r.post_step = post_step;
  r.exclude_self = exclude_self;
  return r;
}

/* The pre neuron of row i (population index), and where it sits in the post selection
 * when self connections are excluded. */
static inline uint32_t row_neuron(const Rows* r, uint32_t i) { return r->pre_start + i * r->pre_step; }
static inline uint32_t excluded_position(const Rows* r, uint32_t neuron) {
  uint32_t offset;
  if (!r->exclude_self || neuron < r->post_start) return GENNC_ROW_NONE;
  offset = neuron - r->post_start;
  if (offset % r->post_step != 0 || offset / r->post_step >= r->connector.n_post) return GENNC_ROW_NONE;
  return offset / r->post_step;
}

/* lengths[i] = the number of synapses of row i (pre selection position). */
KERNEL void gennc_count_rows(uint32_t kind, uint64_t seed, uint32_t stream, double param, uint32_t with_replacement,
                             uint32_t n_pre, uint32_t pre_start, uint32_t pre_step, uint32_t n_post,
                             uint32_t post_start, uint32_t post_step, uint32_t exclude_self, uint32_t* lengths) {
  Rows r = make_rows(kind, seed, stream, param, with_replacement, n_pre, pre_start, pre_step, n_post, post_start,
                     post_step, exclude_self);
  uint64_t i;
  for (i = first_element(); i < r.n_pre; i += grid_stride()) {
    uint32_t neuron = row_neuron(&r, (uint32_t)i);
    lengths[i] = gennc_row_length(&r.connector, (uint32_t)i, neuron, excluded_position(&r, neuron));
  }
}

/* Sorts a row (post population indices) in place: heapsort, no extra memory. */
static inline void sift_down(uint32_t* a, uint32_t root, uint32_t end) {
  for (;;) {
    uint32_t child = 2 * root + 1, top = root, swap;
    if (child < end && a[child] > a[top]) top = child;
    if (child + 1 < end && a[child + 1] > a[top]) top = child + 1;
    if (top == root) return;
    swap = a[root];
    a[root] = a[top];
    a[top] = swap;
    root = top;
  }
}

static inline void sort_row(uint32_t* a, uint32_t n) {
  uint32_t i, swap;
  for (i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (i = n; i-- > 1;) {
    swap = a[0];
    a[0] = a[i];
    a[i] = swap;
    sift_down(a, 0, i);
  }
}

/* Writes each row's columns (post population indices) at columns[row_pointer[pre neuron]
 * ...], in the CSR order the host builds: by post neuron. Generated rows come out sorted
 * except fixed_number_post's picks, which are sorted here (repeats are equal, so their
 * order does not show). */
KERNEL void gennc_fill_rows(uint32_t kind, uint64_t seed, uint32_t stream, double param, uint32_t with_replacement,
                            uint32_t n_pre, uint32_t pre_start, uint32_t pre_step, uint32_t n_post,
                            uint32_t post_start, uint32_t post_step, uint32_t exclude_self,
                            const uint32_t* row_pointer, uint32_t* columns) {
  Rows r = make_rows(kind, seed, stream, param, with_replacement, n_pre, pre_start, pre_step, n_post, post_start,
                     post_step, exclude_self);
  uint64_t i;
  for (i = first_element(); i < r.n_pre; i += grid_stride()) {
    uint32_t neuron = row_neuron(&r, (uint32_t)i);
    uint32_t* row = columns + row_pointer[neuron];
    uint32_t length = row_pointer[neuron + 1] - row_pointer[neuron];
    uint32_t j, e;
    GenncRowCursor cursor;
    gennc_row_begin(&r.connector, (uint32_t)i, neuron, excluded_position(&r, neuron), &cursor);
    /* Positions first: Floyd's rule scans the row's earlier positions. */
    while (cursor.emitted < length && (j = gennc_row_next(&r.connector, &cursor, row)) != GENNC_ROW_END)
      row[cursor.emitted - 1] = j;
    for (e = 0; e < length; ++e) row[e] = r.post_start + row[e] * r.post_step;
    if (r.connector.kind == GENNC_CONNECT_FIXED_NUMBER_POST) sort_row(row, length);
  }
}

/* ---- fixed_number_pre with replacement: columns of picks, scattered into rows --------- */

/* Column j (post selection position) of fixed_number_pre with replacement: the
 * fixed_number_post generator with the sides swapped (connect.cpp), n picks among the pre
 * selection drawn at the post neuron's index. `r` is made with the sides swapped: its
 * rows are the post selection and its candidates the pre selection. */
static inline void column_begin(const Rows* r, uint32_t j, GenncRowCursor* cursor) {
  uint32_t neuron = row_neuron(r, j);
  gennc_row_begin(&r->connector, j, neuron, excluded_position(r, neuron), cursor);
}

/* counts[b] += the synapses of pre selection position b (atomically, over all columns). */
KERNEL void gennc_count_columns(uint64_t seed, uint32_t stream, double n, uint32_t n_post, uint32_t post_start,
                                uint32_t post_step, uint32_t n_pre, uint32_t pre_start, uint32_t pre_step,
                                uint32_t exclude_self, uint32_t* counts) {
  Rows r = make_rows(GENNC_CONNECT_FIXED_NUMBER_POST, seed, stream, n, 1, n_post, post_start, post_step, n_pre,
                     pre_start, pre_step, exclude_self);
  uint64_t j;
  for (j = first_element(); j < r.n_pre; j += grid_stride()) {
    GenncRowCursor cursor;
    uint32_t b;
    column_begin(&r, (uint32_t)j, &cursor);
    while ((b = gennc_row_next(&r.connector, &cursor, 0)) != GENNC_ROW_END) __nvvm_atom_add_gen_i((int*)&counts[b], 1);
  }
}

/* Each column's synapses written into their pre neurons' rows, as post population indices:
 * row g's k-th arrival at row_pointer[g] + k, k counted atomically in filled[g] (zeroed
 * first). The order within a row depends on the threads until gennc_sort_rows sorts it. */
KERNEL void gennc_scatter_columns(uint64_t seed, uint32_t stream, double n, uint32_t n_post, uint32_t post_start,
                                  uint32_t post_step, uint32_t n_pre, uint32_t pre_start, uint32_t pre_step,
                                  uint32_t exclude_self, const uint32_t* row_pointer, uint32_t* filled,
                                  uint32_t* columns) {
  Rows r = make_rows(GENNC_CONNECT_FIXED_NUMBER_POST, seed, stream, n, 1, n_post, post_start, post_step, n_pre,
                     pre_start, pre_step, exclude_self);
  uint64_t j;
  for (j = first_element(); j < r.n_pre; j += grid_stride()) {
    GenncRowCursor cursor;
    uint32_t b, post = row_neuron(&r, (uint32_t)j);
    column_begin(&r, (uint32_t)j, &cursor);
    while ((b = gennc_row_next(&r.connector, &cursor, 0)) != GENNC_ROW_END) {
      uint32_t g = r.post_start + b * r.post_step;
      columns[row_pointer[g] + (uint32_t)__nvvm_atom_add_gen_i((int*)&filled[g], 1)] = post;
    }
  }
}

/* Sorts rows [0, rows) by post neuron: the host's CSR order (repeats are equal). */
KERNEL void gennc_sort_rows(uint32_t rows, const uint32_t* row_pointer, uint32_t* columns) {
  uint64_t i;
  for (i = first_element(); i < rows; i += grid_stride())
    sort_row(columns + row_pointer[i], row_pointer[i + 1] - row_pointer[i]);
}

/* ---- fixed_total_number with replacement: rows of the lengths the host drew ----------- */

/* Row i's picks (gennc_total_number_pick), as many as its row pointers leave room for
 * (the host drew each row's share), then sorted into CSR order. */
KERNEL void gennc_fill_total_rows(uint64_t seed, uint32_t stream, uint32_t n_pre, uint32_t pre_start,
                                  uint32_t pre_step, uint32_t n_post, uint32_t post_start, uint32_t post_step,
                                  uint32_t exclude_self, const uint32_t* row_pointer, uint32_t* columns) {
  Rows r = make_rows(GENNC_CONNECT_ALL_TO_ALL, seed, stream, 0.0, 1, n_pre, pre_start, pre_step, n_post, post_start,
                     post_step, exclude_self);
  uint64_t i;
  for (i = first_element(); i < r.n_pre; i += grid_stride()) {
    uint32_t neuron = row_neuron(&r, (uint32_t)i);
    uint32_t excluded = excluded_position(&r, neuron);
    uint32_t m = gennc_row_candidates(&r.connector, excluded);
    uint32_t* row = columns + row_pointer[neuron];
    uint32_t length = row_pointer[neuron + 1] - row_pointer[neuron];
    uint32_t t;
    for (t = 0; t < length; ++t)
      row[t] = r.post_start + gennc_total_number_pick(seed, stream, neuron, t, m, excluded) * r.post_step;
    sort_row(row, length);
  }
}
