/* The runtime's public C ABI: create a simulation from a compiled model (gennc/model_abi.h),
 * run it, read and write its arrays, pull recordings, reset, checkpoint, write results.
 * The `sim` program and the Python backend (through ctypes) both use only this header.
 *
 * Conventions for every function below:
 * - A GenncStatus is returned; on anything but GENNC_OK, gennc_last_error() describes the
 *   failure and the simulation is unchanged unless the function says otherwise. No C++
 *   exception crosses this interface.
 * - A GenncSim is used by one thread at a time (the runtime's own worker threads are
 *   internal). Different handles are independent.
 * - Pointers passed in are borrowed for the duration of the call only, unless stated.
 *   Strings returned point into the handle or the model and live as long as the handle.
 * - Times are in ms; arrays are named as in the model ("exc.v", "ee.weight"). */
#ifndef GENNC_RUNTIME_H
#define GENNC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "gennc/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GENNC_ABI_VERSION 3

typedef enum GenncStatus {
  GENNC_OK = 0,
  GENNC_ERROR_ARGUMENT = 1,  /* a bad argument: null handle, wrong length, negative duration */
  GENNC_ERROR_NOT_FOUND = 2, /* no array or recording of that name or index */
  GENNC_ERROR_MODEL = 3,     /* the compiled model is inconsistent or its input files are bad */
  GENNC_ERROR_IO = 4,        /* a file or folder could not be read or written */
  GENNC_ERROR_BACKEND = 5,   /* the requested back end is not available */
  GENNC_ERROR_INTERNAL = 6,  /* out of memory or a bug in the runtime */
  GENNC_ERROR_LIMIT = 7,     /* a run reached the recording budget (gennc_set_recording_budget):
                                it stopped after a whole step, and the recordings so far can be
                                written */
  GENNC_ERROR_NUMERICAL = 8, /* a neuron's state became NaN or infinite, or its adaptive
                                solver ran out of substeps: the run stopped (see gennc_run) */
  GENNC_ERROR_CAPACITY = 9,  /* more spikes arrived at a neuron of a precise population in one
                                step than its event ring holds: the run stopped, as for
                                GENNC_ERROR_NUMERICAL */
  GENNC_STOPPED = 10,        /* a run stopped early at gennc_request_stop, after a whole step;
                                not a failure: the recordings so far can be written */
} GenncStatus;

/* An opaque simulation: the model's arrays, connectivity, recordings and worker threads. */
typedef struct GenncSim GenncSim;

/* The synapses of one projection whose connector is from_host() (GENNC_CONNECT_FROM_HOST),
 * given by the program that creates the simulation. Synapse k joins position pre[k] of the
 * projection's pre view to position post[k] of its post view (as from_list numbers them);
 * the runtime sorts them into CSR order (by pre neuron, then post neuron; synapses of one
 * pair keep their order here) and copies what it needs, so every pointer is borrowed for
 * the gennc_create call only. A pair may appear more than once.
 *
 * Columns give other per-synapse values: columns[c][k] is synapse k's value of the synapse
 * model's variable column_names[c], which the network must name in the projection's
 * connector (`from_host(U, p)`; GenncProjectionInfo.host_columns). Values are in the unit
 * the variable is declared in (as PyNN gives them: Hz for a `rate: Hz`, converted to the
 * internal 1/ms as a bare number written in the network would be) and follow the synapses
 * into CSR order. A declared variable without a column keeps the value the network gives
 * it; weight and delay are never columns (above). */
typedef struct GenncConnections {
  const char* projection;   /* the projection's name in the model */
  uint64_t count;           /* synapses */
  const uint32_t* pre;      /* positions within the projection's pre view (as from_list) */
  const uint32_t* post;     /* positions within the post view */
  const double* weight;     /* count values in the receptor's unit, or null: the synapse model's weight */
  const double* delay;      /* count values in ms, or null: the synapse model's delay */
  uint32_t column_count;            /* 0: no other columns (column_names, columns may be null) */
  const char* const* column_names;  /* column_count variable names, each at most once */
  const double* const* columns;     /* column_count arrays of count values each */
} GenncConnections;

typedef struct GenncOptions {
  uint32_t threads;          /* worker threads for the CPU back end; 0 = one per hardware thread
                                (of the process's CPU affinity); at most 4 x that, or 8 */
  const char* backend;       /* "cpu", "cuda" or "auto" (null = "auto"): "auto" runs on the GPU when
                                libcuda.so.1 loads, a device exists and the model has PTX */
  int override_seed;         /* nonzero: use `seed` instead of the model's seed */
  uint64_t seed;
  const char* output_folder; /* default folder for gennc_write_results (null = "results") */
  /* One entry per from_host() projection of the model, each naming its projection (no
   * other entries, none twice); null and 0 when the model has none. Borrowed for the
   * gennc_create call only. */
  const GenncConnections* connections;
  uint32_t connection_count;
} GenncOptions;

/* The message of the last failed call on this thread ("" if none). The string stays valid
 * until the next runtime call on this thread. */
const char* gennc_last_error(void);

/* This process's rank in a distributed run and the rank count (docs/distributed.md): 0 and
 * 1 for a process started alone; under mpirun, MPI is loaded and initialised by the first
 * call of this or gennc_create (a launcher without a loadable MPI: GENNC_ERROR_INTERNAL,
 * and 0 of 1). Either pointer may be null. Programs print and write only on rank 0. */
GenncStatus gennc_process_rank(uint32_t* rank, uint32_t* count);

/* GENNC_ABI_VERSION of the library the caller is linked with. */
uint32_t gennc_abi_version(void);

/* Fills `options` with the defaults: all hardware threads, "auto", model seed, "results",
 * no host connections. */
void gennc_default_options(GenncOptions* options);

/* Builds a simulation: checks the model, allocates every array, computes positions,
 * builds connectivity (reading FROM_FILE connectors' files, taking FROM_HOST projections'
 * synapses from options->connections), initialises arrays, runs the init schedule, and
 * leaves time at 0. `model` must outlive the handle (it is normally the static
 * `gennc_model`); `options` may be null for the defaults. On success *out owns a new
 * handle to be released with gennc_destroy; on failure *out is null.
 *
 * Host connections are checked as connection files are: an index outside its view, a
 * weight that is not a finite number or a delay that is negative or not finite is an
 * error naming the projection and the entry's index (from 0); so is a from_host
 * projection without an entry, an entry naming no from_host projection, an entry given
 * twice, and a weight or delay column for a projection whose model has no array for it.
 * Weights fill the array a from_file weight column fills; delays (ms) are rounded to
 * steps as a file's are (halves up, at least one step) and size the rings. A column whose
 * name the projection did not declare in `from_host(...)`, a name given twice, a null
 * name or column, and a value that is not a finite number are errors naming the
 * projection and the column (and the synapse).
 * More threads than the limit (GenncOptions.threads) is GENNC_ERROR_ARGUMENT; workers the
 * system cannot start are GENNC_ERROR_INTERNAL (those started are stopped again). */
GenncStatus gennc_create(const GenncModel* model, const GenncOptions* options, GenncSim** out);

/* Releases a handle and its threads. Null is allowed. */
void gennc_destroy(GenncSim* sim);

/* Advances the simulation by `steps` time steps (see docs/runtime.md for what one step
 * does). Recordings accumulate across calls. When a neuron's state becomes NaN or infinite
 * (or its adaptive solver runs out of substeps), returns GENNC_ERROR_NUMERICAL with a
 * message naming the population, the neuron, the variable and the step's time; the CPU
 * stops after that step, the GPU at the end of the call. What was recorded up to there is
 * kept (gennc_write_results still writes it); running on reports the same fault again.
 * An event ring of a precise population that overflows stops the run in the same way with
 * GENNC_ERROR_CAPACITY, naming the population, the neuron, the receptor and the step. */
GenncStatus gennc_run(GenncSim* sim, uint64_t steps);

/* Asks the runs of this process to stop early, for `reason` (positive; `sim` passes the
 * signal's number). Safe to call from a signal handler. A gennc_run in progress, or the
 * next one, returns GENNC_STOPPED after a whole step (on the CPU, the step in progress; on
 * the GPU, the call's last step), which consumes the request. Over MPI ranks the ranks
 * agree after every step, so every rank stops after the same step, the first at whose end
 * any rank had a request; each returns GENNC_STOPPED. */
void gennc_request_stop(int reason);

/* The reason of the request that ended the last run with GENNC_STOPPED (over MPI ranks,
 * the largest of the ranks' reasons); 0 when no run stopped so. */
int gennc_stop_reason(void);

/* Advances by round(duration / dt) steps; a negative or non-finite duration is an error. */
GenncStatus gennc_run_for(GenncSim* sim, double duration_ms);

/* Sets the step count: the next step computed is step `step`, at time step x dt (computed
 * as gennc_time computes it), with the random draws and ring slots of that step. For a
 * simulation that continues another one (the PyNN backend after a change of structure:
 * a new model, its arrays set from the old simulation's arrays of the same name and
 * length, then this). Arrays are not touched, nor is the reset snapshot (see gennc_reset).
 * Recordings are kept and go on from the new step: spikes are stamped with their steps,
 * and variables are sampled where the step count is a multiple of their interval (the
 * multiples from time 0, not from the new step). A step before what the recordings hold
 * (a spike stamp or a sample) is refused: clear them first. */
GenncStatus gennc_set_step(GenncSim* sim, uint64_t step);

/* Time at the start of the next step (steps done x dt), the steps done, dt, and the seed
 * in use (the override, if one was given). A null handle gives 0. */
double gennc_time(const GenncSim* sim);
uint64_t gennc_step(const GenncSim* sim);
double gennc_dt(const GenncSim* sim);
uint64_t gennc_seed(const GenncSim* sim);

/* Where the steps run: "cpu", or "cuda (<device name> (sm_XY))". Valid until the next call
 * of this function on the same thread; "" for a null handle. */
const char* gennc_backend(const GenncSim* sim);

/* ---- Arrays ---------------------------------------------------------------------- */

typedef struct GenncArrayDesc {
  uint32_t id;       /* index in the model's array table */
  GenncDType dtype;
  uint64_t length;   /* element count now (synapse arrays: the projection's synapse count) */
  const char* unit;
  uint32_t flags;    /* GenncArrayFlags */
  uint32_t scope;    /* GenncArrayScope */
  uint32_t owner;
} GenncArrayDesc;

/* Describes the array called `name`. */
GenncStatus gennc_array_info(const GenncSim* sim, const char* name, GenncArrayDesc* out);

/* Copies the array's `length` elements, in its own dtype, to/from caller memory of
 * `count` elements; count must equal the array's length. Setting a GENNC_ARRAY_PARAMETER
 * array re-runs the init schedule (the derived kernels) so derived arrays follow. Delay
 * arrays hold steps; setting one checks every delay lies in [1, ring depth - 1]. */
GenncStatus gennc_get_array(const GenncSim* sim, const char* name, void* out, uint64_t count);
GenncStatus gennc_set_array(GenncSim* sim, const char* name, const void* values, uint64_t count);

/* As above, converting to and from double (for callers that hold float64 arrays). */
GenncStatus gennc_get_array_f64(const GenncSim* sim, const char* name, double* out, uint64_t count);
GenncStatus gennc_set_array_f64(GenncSim* sim, const char* name, const double* values,
                                uint64_t count);

/* The positions (um) of population `population`'s neurons: x, y, z per neuron, so `out`
 * holds 3 x size doubles and `count` must be 3 x size. */
GenncStatus gennc_positions(const GenncSim* sim, uint32_t population, double* out, uint64_t count);

/* ---- Recordings ------------------------------------------------------------------ */

/* A recording of a current source's state (`record noise.amplitude` of a named injection)
 * is a VARIABLE recording of the injection's per-target array: `population` is the
 * target population, the neurons (gennc_get_samples) are the targets in the injection's
 * order, and a sample at time T holds what the source computed for the step [T - dt, T). */
typedef struct GenncRecordingDesc {
  GenncRecordKind kind;
  const char* name;        /* file stem in results: "exc.spikes", "exc.v", "noise.amplitude" */
  const char* population;  /* the recorded neurons' population */
  const char* variable;    /* "spikes" or the array name */
  const char* unit;        /* "ms" for spikes, else the variable's unit */
  uint32_t neuron_count;   /* neurons selected */
  uint64_t spike_count;    /* SPIKES: spikes held now */
  uint64_t sample_count;   /* VARIABLE: samples held now */
  double interval;         /* VARIABLE: sampling interval, ms */
} GenncRecordingDesc;

/* Recordings are numbered as in the model's recording table (0 for a null handle). */
uint32_t gennc_recording_count(const GenncSim* sim);
GenncStatus gennc_recording_info(const GenncSim* sim, uint32_t recording, GenncRecordingDesc* out);

/* The spikes held by a SPIKES recording, sorted by time then neuron: neuron indices within
 * the population and spike times (ms). Both buffers hold `count` = spike_count elements. */
GenncStatus gennc_get_spikes(const GenncSim* sim, uint32_t recording, uint32_t* neurons,
                             double* times, uint64_t count);

/* The samples held by a VARIABLE recording: `values` is samples x neurons (row-major),
 * `times` one per sample (ms), `neurons` the population indices of the columns. Each
 * buffer must hold exactly its size; `times` and `neurons` may be null. */
GenncStatus gennc_get_samples(const GenncSim* sim, uint32_t recording, double* values,
                              uint64_t value_count, double* times, uint32_t* neurons);

/* Discards everything recorded so far (PyNN's get_data(clear=True)). */
GenncStatus gennc_clear_recordings(GenncSim* sim);

/* ---- Reset, checkpoints, results -------------------------------------------------- */

/* PyNN's reset(): time back to 0; state (and the runtime's spike lists and ring buffers)
 * back to the values they had when the first run after creation or the last reset began,
 * so values set before that run (PyNN's initialize()) are kept; parameters, derived
 * values, connectivity and delays are left as they are; recordings are cleared. That
 * snapshot is taken when a run begins and none is held (after creation, a reset, or
 * loading a checkpoint saved before any run), at whatever step: after gennc_set_step on
 * a simulation that has not run yet, it is the state the first run starts from (the
 * carried-over state), which reset restores, at time 0; gennc_set_step on one that has
 * run keeps the snapshot of its first run. */
GenncStatus gennc_reset(GenncSim* sim);

/* Writes every array, the step, the seed and the reset snapshot to `path` (atomically:
 * a temporary file renamed over it). Recordings are not saved. */
GenncStatus gennc_save_checkpoint(const GenncSim* sim, const char* path);

/* Restores a checkpoint written for the same model (checked by network name and array
 * table). Continuing then produces exactly the spikes the saved run produced after the
 * checkpoint (with the same thread count). Recordings are cleared. On failure the
 * simulation is unchanged. */
GenncStatus gennc_load_checkpoint(GenncSim* sim, const char* path);

/* Writes the results folder (manifest.json and one .npy per recording; docs/runtime.md)
 * to `folder` (null = the options' output folder). The folder is assembled beside its
 * destination, then put in place once complete. An existing folder is replaced only if it
 * is empty or a gennc results folder (its manifest.json says "format": "gennc-results"),
 * and then only the files its manifest lists are removed: other entries stay, and the new
 * files are moved in beside them one by one. Anything else is refused (GENNC_ERROR_IO). */
GenncStatus gennc_write_results(GenncSim* sim, const char* folder);

/* Checks, before a run, that gennc_write_results could write to `folder` (null = the
 * options' output folder, which needs `sim`), as it will check: the path is absent, an
 * empty folder or a gennc results folder; its parent exists or can be created; both can be
 * written. With a `sim` (may be null), also that the results' file names fit the file
 * system and are not entries the folder keeps. Changes nothing there, except that stale
 * temporary folders of earlier runs beside it (`folder.tmp-PID` of processes that no
 * longer exist) are removed. */
GenncStatus gennc_check_results_folder(const GenncSim* sim, const char* folder);

typedef struct GenncTimings {
  double build;    /* compile time recorded in the model, s (negative: unknown) */
  double init;     /* gennc_create, s */
  double simulate; /* all gennc_run calls, s */
  double write;    /* the last gennc_write_results, s */
} GenncTimings;

GenncStatus gennc_timings(const GenncSim* sim, GenncTimings* out);

/* The most memory the recordings may hold, in bytes (0: the default, a quarter of the
 * memory the process could still use when the simulation was created). A gennc_run whose
 * recordings grow past it stops after the step (CPU) or batch (GPU) that did so with
 * GENNC_ERROR_LIMIT; gennc_write_results then writes what they hold. */
GenncStatus gennc_set_recording_budget(GenncSim* sim, uint64_t bytes);

/* Profiling: from the next gennc_run on (enabled nonzero) the runtime times the step's
 * parts — on the CPU each kernel of the step schedule, on the GPU each stage launch and
 * the runtime's own kernels (with CUDA events; steps then run one by one instead of in
 * captured graphs, so throughput drops). */
GenncStatus gennc_set_profiling(GenncSim* sim, int enabled);

/* The profile as a table, one line per part in order of execution: name, mean
 * microseconds per profiled step, share of their sum, and a GPU stage's kernels; "" before
 * a profiled run. The text stays valid until the next call on this handle. */
const char* gennc_profile(GenncSim* sim);

#ifdef __cplusplus
}
#endif

#endif /* GENNC_RUNTIME_H */
