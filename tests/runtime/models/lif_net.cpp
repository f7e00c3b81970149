// A hand-written compiled network for the runtime's end-to-end tests, in the shape the
// compiler emits: a GenncModel whose kernels are plain functions.
//
//   stim  (10)  spike source: neuron i fires once, at step 5 (i + 1)
//   noise (50)  Poisson source: fires with probability rate dt per step (rate: a parameter,
//               p: its derived value)
//   exc   (100) leaky integrate-and-fire with delta synapses (a voltage jump per spike)
//   stim_exc  stim -> exc[0:10]   one_to_one, weight 100 mV, delays 0.1 .. 1.0 ms
//   noise_exc noise -> exc[10:100] fixed_probability(0.1), weight normal(0.5, 0.1) mV, 1.5 ms
//   exc_exc   exc -> exc[10:100]   fixed_number_post(5), weight 0.2 mV, delays uniform(0.1, 2) ms
//
// exc[0:10] hear only stim, so each fires exactly when its stim spike arrives.
#include <cmath>

#include "gennc/random.h"
#include "models.h"

namespace {

enum Array : uint32_t {
  kStimCount, kStimList, kStimDepth, kStimFireStep,
  kNoiseCount, kNoiseList, kNoiseDepth, kNoiseRate, kNoiseP,
  kExcCount, kExcList, kExcDepth, kExcV, kExcRefrac, kExcInput,
  kStimExcRows, kStimExcColumn, kStimExcWeight, kStimExcDelay,
  kNoiseExcRows, kNoiseExcColumn, kNoiseExcWeight,
  kExcExcRows, kExcExcColumn, kExcExcWeight, kExcExcDelay, kExcExcColumnPointer, kExcExcColumnSynapse,
  kArrayCount
};

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint32_t kExcSize = 100;
constexpr uint32_t kNoiseExcDelaySteps = 15;
constexpr uint32_t kNoiseStream = 100;

template <typename T>
T* at(const GenncKernelEnv* env, uint32_t id) {
  return static_cast<T*>(env->arrays[id]);
}

void emit(const GenncKernelEnv* env, uint32_t count_id, uint32_t list_id, uint32_t neuron) {
  uint32_t slot = __atomic_fetch_add(at<uint32_t>(env, count_id), 1u, __ATOMIC_RELAXED);
  at<uint32_t>(env, list_id)[slot] = neuron;
}

void atomic_add(double* target, double value) {
  double seen;
  __atomic_load(target, &seen, __ATOMIC_RELAXED);
  double wanted;
  do {
    wanted = seen + value;
  } while (!__atomic_compare_exchange(target, &seen, &wanted, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

void stim_update(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  const uint32_t* fire = at<uint32_t>(env, kStimFireStep);
  for (uint32_t i = begin; i < end; ++i)
    if (fire[i] == env->step) emit(env, kStimCount, kStimList, i);
}

void noise_derived(const GenncKernelEnv* env, uint32_t begin, uint32_t) {
  if (begin == 0) *at<double>(env, kNoiseP) = *at<double>(env, kNoiseRate) * env->dt / 1000.0;
}

void noise_update(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  double p = *at<double>(env, kNoiseP);
  for (uint32_t i = begin; i < end; ++i)
    if (gennc_rng_uniform01(env->seed, kNoiseStream, env->step, i, 0) < p) emit(env, kNoiseCount, kNoiseList, i);
}

void exc_update(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  const double v_rest = -65.0, v_reset = -65.0, v_thresh = -50.0, tau_m = 20.0;
  const int32_t refractory_steps = 20;
  double* v = at<double>(env, kExcV);
  int32_t* refrac = at<int32_t>(env, kExcRefrac);
  double* input = at<double>(env, kExcInput);
  uint32_t depth = *at<uint32_t>(env, kExcDepth);
  double* slot = input + (env->step % depth) * kExcSize;
  double decay = std::exp(-env->dt / tau_m);
  for (uint32_t i = begin; i < end; ++i) {
    double in = slot[i];
    slot[i] = 0.0;
    if (refrac[i] > 0) {
      --refrac[i];
      continue;
    }
    v[i] = v_rest + (v[i] - v_rest) * decay + in;
    if (v[i] >= v_thresh) {
      v[i] = v_reset;
      refrac[i] = refractory_steps;
      emit(env, kExcCount, kExcList, i);
    }
  }
}

// Delivers this step's spikes of the pre population along the CSR rows into the exc ring.
void deliver(const GenncKernelEnv* env, uint32_t begin, uint32_t end, uint32_t spike_list, uint32_t rows,
             uint32_t columns, uint32_t weights, uint32_t delays, GenncDType delay_dtype) {
  const uint32_t* list = at<uint32_t>(env, spike_list);
  const uint32_t* row = at<uint32_t>(env, rows);
  const uint32_t* column = at<uint32_t>(env, columns);
  const double* weight = at<double>(env, weights);
  double* ring = at<double>(env, kExcInput);
  uint32_t depth = *at<uint32_t>(env, kExcDepth);
  for (uint32_t k = begin; k < end; ++k) {
    uint32_t pre = list[k];
    for (uint32_t s = row[pre]; s < row[pre + 1]; ++s) {
      uint64_t d = kNoiseExcDelaySteps;
      if (delays != kNone)
        d = delay_dtype == GENNC_F32 ? static_cast<uint64_t>(at<float>(env, delays)[s]) : at<uint32_t>(env, delays)[s];
      atomic_add(&ring[((env->step + d) % depth) * kExcSize + column[s]], weight[s]);
    }
  }
}

void stim_exc_pre(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  deliver(env, begin, end, kStimList, kStimExcRows, kStimExcColumn, kStimExcWeight, kStimExcDelay, GENNC_U32);
}
void noise_exc_pre(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  deliver(env, begin, end, kNoiseList, kNoiseExcRows, kNoiseExcColumn, kNoiseExcWeight, kNone, GENNC_U32);
}
void exc_exc_pre(const GenncKernelEnv* env, uint32_t begin, uint32_t end) {
  deliver(env, begin, end, kExcList, kExcExcRows, kExcExcColumn, kExcExcWeight, kExcExcDelay, GENNC_F32);
}

GenncInit init(GenncInitKind kind, double a = 0, double b = 0, uint32_t stream = 0) {
  GenncInit i{};
  i.kind = kind;
  i.params[0] = a;
  i.params[1] = b;
  i.stream = stream;
  return i;
}

GenncInit list(const double* values, uint64_t length) {
  GenncInit i{};
  i.kind = GENNC_INIT_LIST;
  i.values = values;
  i.length = length;
  return i;
}

GenncArrayInfo array(const char* name, const char* unit, GenncDType dtype, GenncArrayScope scope, uint32_t owner,
                     uint32_t flags, GenncInit initial = GenncInit{}) {
  GenncArrayInfo a{};
  a.name = name;
  a.unit = unit;
  a.dtype = dtype;
  a.scope = scope;
  a.owner = owner;
  a.flags = flags;
  a.init = initial;
  return a;
}

GenncSelection all(uint32_t population, uint32_t size) {
  GenncSelection s{};
  s.kind = GENNC_SELECT_ALL;
  s.population = population;
  s.count = size;
  return s;
}

GenncSelection slice(uint32_t population, uint32_t start, uint32_t stop, uint32_t step = 1) {
  GenncSelection s{};
  s.kind = GENNC_SELECT_SLICE;
  s.population = population;
  s.start = start;
  s.stop = stop;
  s.step = step;
  s.count = (stop - start + step - 1) / step;
  return s;
}

const double kFireSteps[10] = {5, 10, 15, 20, 25, 30, 35, 40, 45, 50};
const double kStimDelays[10] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
const uint32_t kSampled[3] = {3, 50, 99};

constexpr uint32_t I = GENNC_ARRAY_INTERNAL, S = GENNC_ARRAY_STATE, P = GENNC_ARRAY_PARAMETER,
                   D = GENNC_ARRAY_DERIVED, DS = GENNC_ARRAY_DELAY_STEPS;

const GenncArrayInfo kArrays[kArrayCount] = {
    array("stim.spike_count", "", GENNC_U32, GENNC_SCOPE_SCALAR, 0, I),
    array("stim.spike_list", "", GENNC_U32, GENNC_SCOPE_NEURON, 0, I),
    array("stim.ring_depth", "", GENNC_U32, GENNC_SCOPE_SCALAR, 0, I),
    array("stim.fire_step", "", GENNC_U32, GENNC_SCOPE_NEURON, 0, P, list(kFireSteps, 10)),
    array("noise.spike_count", "", GENNC_U32, GENNC_SCOPE_SCALAR, 1, I),
    array("noise.spike_list", "", GENNC_U32, GENNC_SCOPE_NEURON, 1, I),
    array("noise.ring_depth", "", GENNC_U32, GENNC_SCOPE_SCALAR, 1, I),
    array("noise.rate", "Hz", GENNC_F64, GENNC_SCOPE_SCALAR, 1, P, init(GENNC_INIT_CONSTANT, 200.0)),
    array("noise.p", "", GENNC_F64, GENNC_SCOPE_SCALAR, 1, D),
    array("exc.spike_count", "", GENNC_U32, GENNC_SCOPE_SCALAR, 2, I),
    array("exc.spike_list", "", GENNC_U32, GENNC_SCOPE_NEURON, 2, I),
    array("exc.ring_depth", "", GENNC_U32, GENNC_SCOPE_SCALAR, 2, I),
    array("exc.v", "mV", GENNC_F64, GENNC_SCOPE_NEURON, 2, S, init(GENNC_INIT_UNIFORM, -65.0, -55.0, 1)),
    array("exc.refrac", "", GENNC_I32, GENNC_SCOPE_NEURON, 2, S),
    array("exc.input", "mV", GENNC_F64, GENNC_SCOPE_RING, 2, I),
    array("stim_exc.row_pointer", "", GENNC_U32, GENNC_SCOPE_ROW_POINTER, 0, I),
    array("stim_exc.column", "", GENNC_U32, GENNC_SCOPE_SYNAPSE, 0, I),
    array("stim_exc.weight", "mV", GENNC_F64, GENNC_SCOPE_SYNAPSE, 0, P, init(GENNC_INIT_CONSTANT, 100.0)),
    array("stim_exc.delay", "ms", GENNC_U32, GENNC_SCOPE_SYNAPSE, 0, I | DS, list(kStimDelays, 10)),
    array("noise_exc.row_pointer", "", GENNC_U32, GENNC_SCOPE_ROW_POINTER, 1, I),
    array("noise_exc.column", "", GENNC_U32, GENNC_SCOPE_SYNAPSE, 1, I),
    array("noise_exc.weight", "mV", GENNC_F64, GENNC_SCOPE_SYNAPSE, 1, P, init(GENNC_INIT_NORMAL, 0.5, 0.1, 2)),
    array("exc_exc.row_pointer", "", GENNC_U32, GENNC_SCOPE_ROW_POINTER, 2, I),
    array("exc_exc.column", "", GENNC_U32, GENNC_SCOPE_SYNAPSE, 2, I),
    array("exc_exc.weight", "mV", GENNC_F64, GENNC_SCOPE_SYNAPSE, 2, P, init(GENNC_INIT_CONSTANT, 0.2)),
    array("exc_exc.delay", "ms", GENNC_F32, GENNC_SCOPE_SYNAPSE, 2, I | DS, init(GENNC_INIT_UNIFORM, 0.1, 2.0, 3)),
    array("exc_exc.column_pointer", "", GENNC_U32, GENNC_SCOPE_COLUMN_POINTER, 2, I),
    array("exc_exc.column_synapse", "", GENNC_U32, GENNC_SCOPE_SYNAPSE, 2, I),
};

GenncPopulationInfo population(const char* name, const char* model, uint32_t size, uint32_t count, uint32_t list,
                               uint32_t depth) {
  GenncPopulationInfo p{};
  p.name = name;
  p.model = model;
  p.size = size;
  p.structure.kind = GENNC_STRUCTURE_NONE;
  p.spike_count_array = count;
  p.spike_list_array = list;
  p.ring_depth_array = depth;
  p.spike_multiplicity_array = UINT32_MAX;
  p.spike_time_array = UINT32_MAX;
  return p;
}

const GenncPopulationInfo kPopulations[3] = {
    population("stim", "SpikeSourceArray", 10, kStimCount, kStimList, kStimDepth),
    population("noise", "SpikeSourcePoisson", 50, kNoiseCount, kNoiseList, kNoiseDepth),
    population("exc", "IF_delta", kExcSize, kExcCount, kExcList, kExcDepth),
};

GenncProjectionInfo projection(const char* name, GenncSelection pre, GenncSelection post, GenncConnectorKind kind,
                               double param, uint32_t stream, uint32_t rows, uint32_t column, uint32_t delay) {
  GenncProjectionInfo p{};
  p.name = name;
  p.pre = pre;
  p.post = post;
  p.connector.kind = kind;
  p.connector.params[0] = param;
  p.connector.stream = stream;
  p.receptor_ring_array = kExcInput;
  p.row_pointer_array = rows;
  p.column_array = column;
  p.column_pointer_array = kNone;
  p.column_synapse_array = kNone;
  p.delay_array = delay;
  p.constant_delay_steps = delay == kNone ? kNoiseExcDelaySteps : 0;
  p.weight_from_list = kNone;
  return p;
}

GenncProjectionInfo exc_exc() {
  GenncProjectionInfo p = projection("exc_exc", all(2, kExcSize), slice(2, 10, kExcSize),
                                     GENNC_CONNECT_FIXED_NUMBER_POST, 5, 12, kExcExcRows, kExcExcColumn, kExcExcDelay);
  p.column_pointer_array = kExcExcColumnPointer;
  p.column_synapse_array = kExcExcColumnSynapse;
  return p;
}

const GenncProjectionInfo kProjections[3] = {
    projection("stim_exc", all(0, 10), slice(2, 0, 10), GENNC_CONNECT_ONE_TO_ONE, 0, 10, kStimExcRows, kStimExcColumn,
               kStimExcDelay),
    projection("noise_exc", all(1, 50), slice(2, 10, kExcSize), GENNC_CONNECT_FIXED_PROBABILITY, 0.1, 11,
               kNoiseExcRows, kNoiseExcColumn, kNone),
    exc_exc(),
};

GenncRecordingInfo recording(GenncRecordKind kind, const char* variable, uint32_t array, GenncSelection target,
                             uint32_t interval, const char* unit) {
  GenncRecordingInfo r{};
  r.kind = kind;
  r.variable = variable;
  r.array = array;
  r.target = target;
  r.interval_steps = interval;
  r.unit = unit;
  r.injection = kNone;  // a population's array
  return r;
}

GenncSelection sampled() {
  GenncSelection s{};
  s.kind = GENNC_SELECT_LIST;
  s.population = 2;
  s.indices = kSampled;
  s.count = 3;
  return s;
}

const GenncRecordingInfo kRecordings[5] = {
    recording(GENNC_RECORD_SPIKES, "spikes", kStimList, all(0, 10), 1, "ms"),
    recording(GENNC_RECORD_SPIKES, "spikes", kExcList, all(2, kExcSize), 1, "ms"),
    recording(GENNC_RECORD_VARIABLE, "exc.v", kExcV, slice(2, 0, 10), 1, "mV"),
    recording(GENNC_RECORD_VARIABLE, "exc.v", kExcV, sampled(), 10, "mV"),
    recording(GENNC_RECORD_SPIKES, "spikes", kNoiseList, all(1, 50), 1, "ms"),
};

const GenncKernelInfo kKernels[7] = {
    {"stim.update", GENNC_KERNEL_NEURON, 0, stim_update, nullptr},
    {"noise.update", GENNC_KERNEL_NEURON, 1, noise_update, nullptr},
    {"exc.update", GENNC_KERNEL_NEURON, 2, exc_update, nullptr},
    {"stim_exc.pre", GENNC_KERNEL_SYNAPSE_PRE, 0, stim_exc_pre, nullptr},
    {"noise_exc.pre", GENNC_KERNEL_SYNAPSE_PRE, 1, noise_exc_pre, nullptr},
    {"exc_exc.pre", GENNC_KERNEL_SYNAPSE_PRE, 2, exc_exc_pre, nullptr},
    {"noise.derived", GENNC_KERNEL_DERIVED, 1, noise_derived, nullptr},
};
const uint32_t kInitSchedule[1] = {6};
const uint32_t kStepSchedule[6] = {0, 1, 2, 3, 4, 5};

GenncModel make_model() {
  GenncModel m{};
  m.abi_version = GENNC_MODEL_ABI_VERSION;
  m.network_name = "lif_net";
  m.source_path = "tests/runtime/models/lif_net.cpp";
  m.compiler_version = "hand-written";
  m.dt = 0.1;
  m.duration = 100.0;
  m.seed = 1234;
  m.float_bits = 64;
  m.arrays = kArrays;
  m.array_count = kArrayCount;
  m.populations = kPopulations;
  m.population_count = 3;
  m.projections = kProjections;
  m.projection_count = 3;
  m.recordings = kRecordings;
  m.recording_count = 5;
  m.kernels = kKernels;
  m.kernel_count = 7;
  m.init_schedule = kInitSchedule;
  m.init_schedule_length = 1;
  m.step_schedule = kStepSchedule;
  m.step_schedule_length = 6;
  m.build_seconds = 0.25;
  return m;
}

}  // namespace

extern "C" const GenncModel GENNC_TEST_MODEL_SYMBOL = make_model();
