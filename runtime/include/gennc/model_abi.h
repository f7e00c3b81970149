/* The contract between code that gennc generates and the runtime that executes it.
 *
 * A compiled network is an object file that defines one symbol, `gennc_model` (a
 * GenncModel), plus the kernels it points to. The compiler decides *what* is computed
 * (which arrays exist, what each kernel does, in which order kernels run); the runtime
 * decides *how memory is provided and work is spread*: it allocates every array the model
 * lists, initialises it, builds connectivity, calls the kernels of each time step over
 * ranges split across threads (or GPU blocks), records, and writes results.
 *
 * Everything here is plain C data, so the compiler can emit it as LLVM constants and the
 * runtime can read it without parsing. Units: times in ms, voltages in mV, currents in nA,
 * conductances in uS, capacitances in nF, lengths in um (the PyNN/NEST unit system). */
#ifndef GENNC_MODEL_ABI_H
#define GENNC_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GENNC_MODEL_ABI_VERSION 17

/* ---- Arrays ------------------------------------------------------------------------ */

typedef enum GenncDType {
  GENNC_F32 = 0,
  GENNC_F64 = 1,
  GENNC_I32 = 2,
  GENNC_U32 = 3,
  GENNC_U8 = 4,
} GenncDType;

/* How long an array is; the runtime computes the length when it allocates. */
typedef enum GenncArrayScope {
  GENNC_SCOPE_SCALAR = 0,      /* length 1 */
  GENNC_SCOPE_NEURON = 1,      /* length = size of population `owner` */
  GENNC_SCOPE_SYNAPSE = 2,     /* length = synapse count of projection `owner` (known after connectivity) */
  GENNC_SCOPE_RING = 3,        /* length = ring depth of population `owner` x its size (see below),
                                  x `length` where that is above 1 (a precise population's
                                  event rings: `length` events per slot and neuron) */
  GENNC_SCOPE_ROW_POINTER = 4, /* length = size of projection `owner`'s pre population + 1 */
  GENNC_SCOPE_COLUMN_POINTER = 5, /* length = size of projection `owner`'s post population + 1 */
  GENNC_SCOPE_LIST = 6,        /* length = `length` field (list parameters: spike times, ...) */
} GenncArrayScope;

/* Initial values. Distributions draw from the counter-based stream `stream` (see
 * gennc/random.h): element k of the array gets the draw with counter k, and a synapse of a
 * per-synapse array (GENNC_SCOPE_SYNAPSE) the draw keyed by its pair, (step = its
 * occurrence among the earlier synapses of the pair, index = pre neuron, draw = post
 * neuron), so the result is the same whatever the thread or device layout, and whatever
 * other synapses a process holds (docs/runtime.md). */
typedef enum GenncInitKind {
  GENNC_INIT_ZERO = 0,
  GENNC_INIT_CONSTANT = 1,        /* params[0] */
  GENNC_INIT_LIST = 2,            /* values[0..length) (a per-element list, or a list parameter) */
  GENNC_INIT_UNIFORM = 3,         /* params: low, high */
  GENNC_INIT_NORMAL = 4,          /* params: mu, sigma */
  GENNC_INIT_NORMAL_CLIPPED = 5,  /* params: mu, sigma, low, high (redraw outside) */
  GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY = 6, /* params: mu, sigma, low, high (clamp) */
  GENNC_INIT_EXPONENTIAL = 7,     /* params: beta (mean) */
  GENNC_INIT_GAMMA = 8,           /* params: k, theta */
  GENNC_INIT_LOGNORMAL = 9,       /* params: mu, sigma (of the log) */
  GENNC_INIT_UNIFORM_INT = 10,    /* params: low, high (inclusive) */
  GENNC_INIT_POISSON = 11,        /* params: lambda */
  GENNC_INIT_BINOMIAL = 12,       /* params: n, p */
  GENNC_INIT_SYNAPSE_KERNEL = 13, /* a generated per-synapse expression (of distance, indices):
                                     `kernel` is an index into GenncModel.synapse_init_kernels */
} GenncInitKind;

typedef struct GenncInit {
  GenncInitKind kind;
  double params[4];
  const double* values; /* GENNC_INIT_LIST */
  uint64_t length;      /* GENNC_INIT_LIST */
  uint32_t stream;      /* random stream id, unique per array */
  uint32_t kernel;      /* GENNC_INIT_SYNAPSE_KERNEL */
} GenncInit;

enum GenncArrayFlags {
  GENNC_ARRAY_STATE = 1u << 0,      /* a model state variable: recordable, saved in checkpoints */
  GENNC_ARRAY_PARAMETER = 1u << 1,  /* a per-element parameter: settable; derived arrays follow it */
  GENNC_ARRAY_DERIVED = 1u << 2,    /* computed by the owner's derived kernel from parameters */
  GENNC_ARRAY_INTERNAL = 1u << 3,   /* runtime bookkeeping (spike lists, rings, connectivity) */
  GENNC_ARRAY_DELAY_STEPS = 1u << 4, /* values given in ms; the runtime stores round(v/dt) >= 1 */
  /* The numerical fault report of population `owner`, written by its update kernel only when
     a neuron fails, and only while no fault is recorded: the GENNC_F64 scalar holds 0, or
     1 + the first step in which a neuron failed (exact below 2^53); the GENNC_U32 per-neuron array, for the
     neurons that failed in that step, a fault code (GENNC_FAULT_*), else 0. */
  GENNC_ARRAY_FAULT = 1u << 5,
};

/* Fault codes (GENNC_ARRAY_FAULT): the low 30 bits are 1 + the id of the array concerned.
   GENNC_FAULT_SUBSTEPS set: the adaptive solver reached its bound on substeps in a step, and
   the array is the population's integration step; GENNC_FAULT_EVENTS set: more events
   arrived for the neuron in one step than its event ring holds, and the array is that
   ring's event count (GENNC_SCOPE_RING, `length` the capacity of its weight and offset
   rings); neither: the state array's new value is NaN or infinite. */
#define GENNC_FAULT_ARRAY_MASK 0x3fffffffu
#define GENNC_FAULT_EVENTS 0x40000000u
#define GENNC_FAULT_SUBSTEPS 0x80000000u

typedef struct GenncArrayInfo {
  const char* name;      /* "exc.v", "exc.excitatory.g", "ee.weight", "exc.spike_count" */
  const char* unit;      /* "mV", "nA", "" for dimensionless */
  GenncDType dtype;
  GenncArrayScope scope;
  uint32_t owner;        /* population or projection index, by scope */
  uint64_t length;       /* GENNC_SCOPE_LIST only */
  uint32_t flags;        /* GenncArrayFlags */
  GenncInit init;
} GenncArrayInfo;

/* ---- Kernels ----------------------------------------------------------------------- */

/* What a kernel's [begin, end) range counts, which decides how the runtime calls it. */
typedef enum GenncKernelKind {
  GENNC_KERNEL_NEURON = 0,       /* neurons of population `owner`: [0, size) */
  GENNC_KERNEL_DERIVED = 1,      /* neurons of population `owner` (or synapses of projection
                                    `owner`): recompute derived arrays; run after init and
                                    after any parameter is set */
  GENNC_KERNEL_CURRENT_SOURCE = 2, /* the target neurons of injection `owner`: [0, count) */
  GENNC_KERNEL_SYNAPSE_PRE = 3,  /* this step's spikes of projection `owner`'s pre population:
                                    [0, spike_count) */
  GENNC_KERNEL_SYNAPSE_POST = 4, /* this step's spikes of the post population */
  GENNC_KERNEL_TRACE_PRE = 5,    /* neurons of the pre population: advance pre traces */
  GENNC_KERNEL_TRACE_POST = 6,   /* neurons of the post population: advance post traces */
  GENNC_KERNEL_SYNAPSE_CONTINUOUS = 7, /* synapses of projection `owner`: [0, synapse count) */
  GENNC_KERNEL_DERIVED_SYNAPSE = 8, /* synapses of projection `owner`: [0, synapse count);
                                       recompute per-synapse derived arrays, like DERIVED
                                       (whose owner is then always a population) */
} GenncKernelKind;

/* What every kernel receives. `arrays[k]` is the storage of the model's array k (or null
 * for an array of length 0). Kernels may write arrays shared between ranges only with
 * atomics (ring buffers, spike lists). */
typedef struct GenncKernelEnv {
  void* const* arrays;
  const uint64_t* lengths; /* element count of each array, by id */
  double t;                /* time at the start of the step, ms */
  double dt;               /* ms */
  uint64_t step;           /* index of the step being computed, from 0 */
  uint64_t seed;           /* the network seed */
  /* The GPU's step without a finish launch (docs/gpu.md, "A step without a finish
   * launch"); zero elsewhere. spike_rows[p]: the address of row 0 of population p's spike
   * recording for this batch (0: not recorded there), of which the step records into row
   * `row` as it emits each spike (bits; a count per neuron with a multiplicity array).
   * counts_to_zero: `zero_count` spike counts that no kernel of this step, nor of the
   * step before it, reads or writes (those of step + 1 modulo 3: the spike arrays are kept
   * three times), zeroed by the step's stages for the next step. */
  const uint64_t* spike_rows;
  uint64_t row;
  uint32_t* const* counts_to_zero;
  uint32_t zero_count;
  /* Per projection p, post_ranges[2p] and post_ranges[2p + 1]: the positions [lo, hi) of
   * its post selection whose neurons this process delivers to, where a procedural row is
   * regenerated only (one rank of a distributed run, docs/distributed.md). Null: every
   * position (one process). Other projections do not read it. */
  const uint32_t* post_ranges;
} GenncKernelEnv;

typedef void (*GenncKernelFn)(const GenncKernelEnv* env, uint32_t begin, uint32_t end);

typedef struct GenncKernelInfo {
  const char* name;   /* "exc.update", "ee.pre", ... (for timing breakdowns) */
  GenncKernelKind kind;
  uint32_t owner;
  GenncKernelFn host; /* the host-compiled entry, null if the model was built for GPU only */
  const char* ptx_entry; /* name of the matching PTX entry, null if none: step kernels run
                            on the GPU inside their stage's entry (GenncModel.stage_entries)
                            and have none of their own */
  GenncKernelFn host_alone; /* the host entry for a range that one thread runs with no other
                               thread running any kernel (a pool of one): its atomic adds
                               are plain adds; null where it would be `host` */
  GenncKernelFn host_v4;       /* `host` and `host_alone` compiled for x86-64-v4 (AVX-512), */
  GenncKernelFn host_v4_alone; /* for a CPU that has it, with the same results; null if none */
} GenncKernelInfo;

/* ---- GPU stages -------------------------------------------------------------------- */

/* How a stage's member spreads its elements over a block of 256 threads. */
typedef enum GenncStageMode {
  GENNC_STAGE_THREAD = 0, /* a thread per element: a block takes 256 consecutive elements */
  GENNC_STAGE_BLOCK = 1,  /* a block per element, its threads sharing the element's row of
                             synapses (SYNAPSE_PRE kernels whose rows allow it); a mode m > 1
                             is block mode with m blocks per element, which share its row */
} GenncStageMode;

/* Stage launches: blocks of exactly GENNC_STAGE_THREADS threads (the stage entries deal
 * work in units of one block), at most GENNC_STAGE_MAX_MEMBERS kernels per stage (the entry
 * keeps its member table in shared memory, four rounds of one member per thread). */
#define GENNC_STAGE_THREADS 256u
#define GENNC_STAGE_MAX_MEMBERS (4u * GENNC_STAGE_THREADS)

/* The persistent step entry of the model's PTX, where gennc emitted it (docs/gpu.md, "One
 * launch per batch"; gennc --gpu-persistent-steps):
 * `void gennc_steps(const GenncKernelEnv* envs, u32 steps, u32 overlap, u32* barrier,
 *                   const GenncStageMember* members_0, u32 count_0, ...)`, a pair per stage.
 * Step k of the launch runs every stage as its entry would, with envs + k, a grid-wide
 * barrier after each stage; with `overlap` (only where GenncModel.stage_overlap allows it)
 * the last stage of step k - 1 runs beside the first of step k instead, before one
 * barrier, and the launch ends with the last stage of its last step. *barrier is zero at
 * the launch, and every block of the grid must be resident at once (a cooperative
 * launch); blocks of GENNC_STAGE_THREADS threads. */
#define GENNC_STEPS_ENTRY "gennc_steps"

/* One kernel of a stage launch, in the table the runtime passes to the stage's entry
 * `void entry(const GenncKernelEnv* env, const GenncStageMember* members, u32 member_count)`
 * (the table in device memory).
 * Each member's elements are [begin, end), end clipped to the u32 at arrays[count_array]
 * when count_array is not UINT32_MAX (read on the device: a spike count). A begin other
 * than 0 is a GPU rank's range of a neuron kernel (docs/distributed.md). */
typedef struct GenncStageMember {
  uint32_t slot;        /* which kernel: the position in the stage (stage_kernels[stage_starts[s] + slot]) */
  uint32_t mode;        /* GenncStageMode, or blocks per element (> 1); block mode only where
                           stage_modes allows it */
  uint32_t end;
  uint32_t count_array;
  uint32_t begin;
} GenncStageMember;

/* A generated per-synapse initial value: `pre`/`post` are population indices, `d` the
 * Euclidean distance and dx/dy/dz the displacement post - pre (um). */
typedef double (*GenncSynapseInitFn)(uint32_t pre, uint32_t post, double d, double dx,
                                     double dy, double dz, uint64_t seed);

/* ---- Network ----------------------------------------------------------------------- */

/* A subset of a population's neurons (a PyNN view): all, a slice, or an explicit list. */
typedef enum GenncSelectionKind { GENNC_SELECT_ALL = 0, GENNC_SELECT_SLICE = 1, GENNC_SELECT_LIST = 2 } GenncSelectionKind;

typedef struct GenncSelection {
  GenncSelectionKind kind;
  uint32_t population;
  uint32_t start, stop, step;  /* GENNC_SELECT_SLICE */
  const uint32_t* indices;     /* GENNC_SELECT_LIST */
  uint32_t count;              /* number of neurons selected (all kinds) */
} GenncSelection;

typedef enum GenncStructureKind {
  GENNC_STRUCTURE_NONE = 0, /* positions all zero */
  GENNC_STRUCTURE_LINE = 1, /* params: dx, x0, y, z */
  GENNC_STRUCTURE_GRID2D = 2, /* params: aspect_ratio, dx, dy, x0, y0, z, fill_order(0 sequential, 1 random) */
  GENNC_STRUCTURE_GRID3D = 3, /* params: aspect_ratioXY, aspect_ratioXZ, dx, dy, dz, x0, y0, z0, fill_order */
  GENNC_STRUCTURE_RANDOM_IN_BOX = 4, /* params: sx, sy, sz, cx, cy, cz (box size and centre) */
  GENNC_STRUCTURE_RANDOM_IN_SPHERE = 5, /* params: radius, cx, cy, cz */
} GenncStructureKind;

typedef struct GenncStructure {
  GenncStructureKind kind;
  double params[10];
  uint32_t stream;
} GenncStructure;

typedef struct GenncPopulationInfo {
  const char* name;
  const char* model;
  uint32_t size;
  GenncStructure structure;
  uint32_t spike_count_array; /* GENNC_U32 scalar: spikes emitted this step */
  uint32_t spike_list_array;  /* GENNC_U32 per neuron: indices of this step's spikes; a
                                 precise population's is a GENNC_SCOPE_LIST of its spike
                                 capacity (one entry per spike) */
  uint32_t ring_depth_array;  /* GENNC_U32 scalar set by the runtime: max incoming delay + 1,
                                 rounded up to a power of two (slots are found by mask) */
  /* GENNC_U32 per neuron: how many spikes the spike_list entry at the same position stands
     for this step (a spike source with an int threshold); UINT32_MAX when every entry is one
     spike. Only the first spike_count entries are meaningful. */
  uint32_t spike_multiplicity_array;
  /* GENNC_F64 list, as long as the spike list: each entry's exact time (ms, absolute) in a
     precise population (docs/language.md, Precise spike times); UINT32_MAX on the grid. */
  uint32_t spike_time_array;
} GenncPopulationInfo;

typedef enum GenncConnectorKind {
  GENNC_CONNECT_ALL_TO_ALL = 0,
  GENNC_CONNECT_ONE_TO_ONE = 1,
  GENNC_CONNECT_FIXED_PROBABILITY = 2, /* params[0] = p */
  GENNC_CONNECT_FIXED_NUMBER_PRE = 3,  /* params[0] = n (each post gets n pre) */
  GENNC_CONNECT_FIXED_NUMBER_POST = 4, /* params[0] = n (each pre gets n post) */
  GENNC_CONNECT_FIXED_TOTAL_NUMBER = 5, /* params[0] = n */
  GENNC_CONNECT_DISTANCE_PROBABILITY = 6, /* probability from `probability` (of d) */
  GENNC_CONNECT_DISPLACEMENT_PROBABILITY = 7, /* probability from `probability` (of dx, dy, dz) */
  GENNC_CONNECT_INDEX_PROBABILITY = 8, /* probability from `probability` (of pre, post) */
  GENNC_CONNECT_SMALL_WORLD = 9,       /* params: degree (um), rewiring probability */
  GENNC_CONNECT_FROM_LIST = 10,        /* `list`: rows of list_columns doubles: pre, post, [weight, delay] */
  GENNC_CONNECT_FROM_FILE = 11,        /* `path`: a PyNN connection file (read at init) */
  GENNC_CONNECT_ARRAY = 12,            /* `list`: a pre x post matrix of 0/1 */
  GENNC_CONNECT_CLONE = 13,            /* params[0] = index of the projection whose synapses to copy */
  GENNC_CONNECT_FROM_HOST = 14,        /* the synapses (pre, post, [weight], [delay]) come from the
                                          program that creates the simulation: the entry of
                                          GenncOptions.connections (gennc/runtime.h) named after
                                          the projection */
} GenncConnectorKind;

typedef struct GenncConnector {
  GenncConnectorKind kind;
  double params[4];
  int allow_self_connections; /* applies when pre and post are the same population */
  int with_replacement;       /* fixed_number_*, fixed_total_number */
  const double* list;         /* FROM_LIST / ARRAY */
  uint64_t list_rows;
  uint32_t list_columns;
  const char* path;           /* FROM_FILE */
  GenncSynapseInitFn probability; /* *_PROBABILITY kinds */
  uint32_t stream;            /* random stream for this connector */
} GenncConnector;

/* A synapse parameter or state variable of a FROM_HOST projection whose per-synapse
 * values the host may give (GenncConnections.columns, gennc/runtime.h), declared in the
 * network as `from_host(name, ...)`. */
typedef struct GenncHostColumn {
  const char* name;  /* the synapse model's variable, as the host names its column: "U" */
  uint32_t array;    /* the per-synapse (GENNC_SCOPE_SYNAPSE) array the column fills */
  double scale;      /* internal unit per unit of the variable's declaration: a column in Hz
                        (declared `rate: Hz`) is multiplied by 0.001 into 1/ms */
} GenncHostColumn;

typedef struct GenncProjectionInfo {
  const char* name;
  GenncSelection pre, post;
  GenncConnector connector;
  uint32_t receptor_ring_array; /* the post population's ring for the target receptor */
  uint32_t row_pointer_array;   /* GENNC_U32, SCOPE_ROW_POINTER, indexed by pre neuron */
  uint32_t column_array;        /* GENNC_U32 synapse -> post neuron */
  uint32_t column_pointer_array; /* GENNC_U32 SCOPE_COLUMN_POINTER, or UINT32_MAX when no kernel
                                    needs post-side (column) access */
  uint32_t column_synapse_array; /* GENNC_U32: synapse ids in column order, or UINT32_MAX */
  uint32_t delay_array;         /* per-synapse delay in steps, or UINT32_MAX when constant */
  uint32_t constant_delay_steps; /* used when delay_array is UINT32_MAX */
  uint32_t weight_from_list;    /* array filled from a FROM_LIST/FROM_FILE/FROM_HOST weight column, or UINT32_MAX */
  const GenncHostColumn* host_columns; /* FROM_HOST: the other columns the host may give */
  uint32_t host_column_count;
  uint32_t draws_by_synapse;    /* 1 when a kernel of the projection draws random numbers addressed
                                   by the synapse's index (stochastic synapses), which only the
                                   whole network's synapse order gives: a distributed run then
                                   builds the projection whole on every rank (docs/distributed.md) */
} GenncProjectionInfo;

/* A current source injected into a view; its kernel runs over [0, target.count). Its
 * parameter and state arrays are GENNC_SCOPE_LIST arrays of target.count elements (or one,
 * for a uniform parameter), element k for the k-th neuron of the target, named
 * "<name>.<variable>". A source injected into a whole population may have no kernel: the
 * compiler then computes it in the population's update, element k in neuron k's. */
typedef struct GenncInjectionInfo {
  const char* name;        /* the name given in the network, or "<Model><index>" */
  const char* model;
  GenncSelection target;
} GenncInjectionInfo;

typedef enum GenncRecordKind { GENNC_RECORD_SPIKES = 0, GENNC_RECORD_VARIABLE = 1 } GenncRecordKind;

/* A VARIABLE recording samples `array` at the neurons of `target`: element i of the
 * array for neuron i of its population, or, for a state variable of a current source
 * (`injection` not UINT32_MAX), element k of the injection's per-target array for the
 * k-th neuron of its target, which `target` then equals. */
typedef struct GenncRecordingInfo {
  GenncRecordKind kind;
  const char* variable;    /* "spikes" or the array's name, e.g. "exc.v", "noise.amplitude" */
  uint32_t array;          /* the variable's array (VARIABLE), its population's spike list (SPIKES) */
  GenncSelection target;   /* which neurons */
  uint32_t interval_steps; /* VARIABLE: sample every this many steps (>= 1) */
  const char* unit;
  uint32_t injection;      /* VARIABLE of a current source: the injection's index; else UINT32_MAX */
} GenncRecordingInfo;

/* A synapse state variable written into the results folder with the values it has at the
 * end of the run (`record stdp.w`): `array` is projection `projection`'s per-synapse
 * (GENNC_SCOPE_SYNAPSE) array, and the projection's synapses are stored as rows
 * (row_pointer_array and column_array name each synapse's pre and post neuron). */
typedef struct GenncSynapseRecordingInfo {
  const char* name; /* the array's name, "<projection>.<variable>" */
  uint32_t projection;
  uint32_t array;
  const char* unit;
} GenncSynapseRecordingInfo;

/* Machine code of the model's PTX for one GPU architecture (gennc --gpu-sass): a cubin,
 * the ELF image that ptxas makes and cuModuleLoadDataEx takes as it takes PTX. The CUDA back
 * end loads the cubin of the device's major architecture with the highest minor one not
 * above the device's, and the PTX where none fits (docs/gpu.md, "Machine code"). */
typedef struct GenncCubin {
  uint32_t arch;        /* compute capability, major x 10 + minor: 90 for sm_90, 120 for sm_120 */
  const uint8_t* bytes; /* the ELF image, 64-byte aligned */
  uint64_t size;        /* its length in bytes */
} GenncCubin;

/* One step is: each kernel of `step_schedule`, in order, each over its full range. */
typedef struct GenncModel {
  uint32_t abi_version; /* GENNC_MODEL_ABI_VERSION */
  const char* network_name;
  const char* source_path;
  const char* compiler_version;
  double dt;
  double duration;
  uint64_t seed;
  uint32_t float_bits; /* 32 or 64: the type of real-valued state */

  const GenncArrayInfo* arrays;           uint32_t array_count;
  const GenncPopulationInfo* populations; uint32_t population_count;
  const GenncProjectionInfo* projections; uint32_t projection_count;
  const GenncInjectionInfo* injections;   uint32_t injection_count;
  const GenncRecordingInfo* recordings;   uint32_t recording_count;
  const GenncKernelInfo* kernels;         uint32_t kernel_count;
  const uint32_t* init_schedule;          uint32_t init_schedule_length; /* DERIVED kernels */
  const uint32_t* step_schedule;          uint32_t step_schedule_length;
  /* The step schedule in stages, for the GPU (the CPU runs step_schedule): the kernels of
     stage s are stage_kernels[stage_starts[s] .. stage_starts[s + 1]), in schedule order;
     they touch no array in a conflicting way, so one launch of the PTX entry
     stage_entries[s] runs them together, and the stages run in order. stage_modes[k] is
     the set of GenncStageModes (1 << mode) stage_kernels[k] supports. stage_entries is
     null when the model has no PTX. */
  const uint32_t* stage_kernels;
  const uint32_t* stage_modes;
  const uint32_t* stage_starts;           uint32_t stage_count;
  const char* const* stage_entries;
  const GenncSynapseInitFn* synapse_init_kernels; uint32_t synapse_init_kernel_count;
  const char* ptx;     /* PTX module text for the GPU back end, or null */
  double build_seconds; /* time the compiler took to build this model; <= 0 when unknown */
  const GenncSynapseRecordingInfo* synapse_recordings; uint32_t synapse_recording_count;
  /* How the ranks of a distributed run may exchange spikes, as the compiler planned it
     (docs/distributed.md, Exchange): 1 when the deliveries may wait for spikes gathered
     every E steps; E at most exchange_steps (0: no constant delay bounds it), lowered by
     the built delays of delivering projections that store theirs (delay_array); and what
     bounds it, for the profile ("shortest delay: projection 'e2e'"). */
  uint32_t exchange_deferred;
  uint32_t exchange_steps;
  const char* exchange_bound;
  /* 1 when the last stage of step n may run beside the first stage of step n + 1 (they
     touch no array in a conflicting way but the spike arrays, which the GPU keeps per
     step, and ring slots that constant and drawn delays keep apart): the persistent step
     then overlaps them where the delays that projections store allow it too (docs/gpu.md,
     "Steps overlapped"). */
  uint32_t stage_overlap;
  /* The PTX assembled for the GPU architectures gennc --gpu-sass named, or null and 0. */
  const GenncCubin* cubins; uint32_t cubin_count;
} GenncModel;

/* Defined by every compiled network. */
extern const GenncModel gennc_model;

#ifdef __cplusplus
}
#endif

#endif /* GENNC_MODEL_ABI_H */
