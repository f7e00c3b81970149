// The gennc IR: what sema's checked program is lowered to, what the passes rewrite, and
// what codegen turns into LLVM IR. It has two halves:
//
//  - the *network plan* (arrays, populations, projections, injections, recordings,
//    schedules): C++ mirrors of runtime/include/gennc/model_abi.h, which codegen emits as
//    the `gennc_model` constant. The ABI's own enums are used for every field that goes
//    into it unchanged, so there is nothing to translate.
//  - *kernels*: one per GenncKernelInfo, each a structured body (statements and expression
//    trees, no CFG) executed once per element of the kernel's [begin, end) range. The
//    target strategy in codegen owns the loop over the range and thread indexing; the body
//    sees the current element as Input::Index.
//
// Expressions are trees owned through unique_ptr; a value used twice is bound to a local.
// Locals are mutable variables (Let declares and initialises, Assign changes), which
// codegen maps to allocas that mem2reg promotes. Every statement carries the source range
// it came from (for debug locations).
//
// Stages: lowering may leave `Integrate` statements (ODE systems) and `Threshold`
// statements with a refractory period; solve_odes and lower_refractoriness remove them.
// Module::stage records which high-level statements may still appear; the verifier checks
// it. Codegen accepts only Stage::Lowered (neither kind remains).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/source_manager.h"
#include "gennc/model_abi.h"

namespace gennc::ir {

using diag::SourceRange;

// ---- Types --------------------------------------------------------------------------

// Value types. Real-valued model quantities use the module's `real` type (F32 or F64);
// Bool is stored in arrays as GENNC_U8.
enum class Type : std::uint8_t { Bool, I32, U32, U64, F32, F64 };

const char* to_string(Type t);  // "bool", "i32", "u32", "u64", "f32", "f64"
bool is_float(Type t);
bool is_integer(Type t);        // I32, U32, U64 (not Bool)
bool is_signed(Type t);         // I32 and the floats
// The array element type that stores a value of type t (Bool -> GENNC_U8; U64 has none).
std::optional<GenncDType> storage_type(Type t);
// The value type loaded from an array of element type d (GENNC_U8 -> Bool).
Type value_type(GenncDType d);

using ArrayId = std::uint32_t;
using LocalId = std::uint32_t;
inline constexpr std::uint32_t kNone = UINT32_MAX;  // "no array", "no kernel", ...

// ---- Expressions --------------------------------------------------------------------

enum class ExprKind : std::uint8_t {
  Const,   // `number` (floats) or `integer` (ints and bool), of `type`
  Input,   // a kernel input, `input`
  Local,   // the current value of local `local`
  Load,    // arrays[array][operands[0]]
  Unary,   // `unary` operands[0]
  Binary,  // operands[0] `binary` operands[1]
  Select,  // operands[0] ? operands[1] : operands[2] (both arms evaluated)
  Call,    // math intrinsic `fn` over operands (all of `type`)
  Cast,    // operands[0] converted to `type` (float->int truncates toward zero)
  Random,  // a draw from distribution `dist` on stream `stream` (see Distribution)
};

// What a kernel body (or a synapse init function) receives besides arrays.
enum class Input : std::uint8_t {
  Index,  // u32: the element of [begin, end) being computed
  Time,   // f64: t at the start of the step (ms)
  Dt,     // f64: the step (ms)
  Step,   // u64: the index of the step being computed
  Seed,   // u64: the network seed
  // Synapse init and connector probability functions (GenncSynapseInitFn) only:
  Pre,       // u32: presynaptic neuron index
  Post,      // u32: postsynaptic neuron index
  Distance,  // f64: Euclidean distance (um)
  Dx, Dy, Dz,  // f64: displacement post - pre (um)
};
const char* to_string(Input in);
Type input_type(Input in);

enum class UnaryOp : std::uint8_t { Neg, Not };
enum class BinaryOp : std::uint8_t {
  Add, Sub, Mul, Div,
  Rem,  // integers: remainder; floats: fmod
  Lt, Le, Gt, Ge, Eq, Ne,  // result Bool
  And, Or,                 // Bool operands
  BitAnd,                  // unsigned integers: bitwise and (ring slots by mask)
};
const char* to_string(UnaryOp op);
const char* to_string(BinaryOp op);  // "add", "sub", ... (the printer's spelling)
bool is_comparison(BinaryOp op);

// Math intrinsics on floats (codegen maps them to LLVM intrinsics or libm/libdevice).
enum class MathFn : std::uint8_t {
  Exp, Expm1, Log, Log1p, Log10, Sqrt, Pow, Sin, Cos, Tan, Sinh, Cosh, Tanh,
  Fabs, Fmin, Fmax, Floor, Ceil, Round,
};
const char* to_string(MathFn fn);
int arity(MathFn fn);

// Random draws, one function each in runtime/include/gennc/random.h
// (`gennc_rng_<name>(seed, stream, step, index, draw, params...)`, all returning double).
// A draw is a pure function of its address: the seed comes from the kernel environment,
// `stream` (16 bits) is unique per draw site in the module, and operands are
//   [0] step (u64), [1] index (u32), [2] draw (u32), [3..] the distribution's parameters
//   (f64, in the order listed).
// The result is f64 (integer distributions give whole numbers as doubles).
enum class Distribution : std::uint8_t {
  Uniform,                  // low, high
  Normal,                   // mu, sigma
  NormalSingle,             // mu, sigma: Box-Muller in single precision (--float32 kernels)
  NormalClipped,            // mu, sigma, low, high (redraw outside)
  NormalClippedToBoundary,  // mu, sigma, low, high (clamp)
  Exponential,              // beta (mean)
  Gamma,                    // k, theta
  Lognormal,                // mu, sigma (of the log)
  Poisson,                  // lambda
  Binomial,                 // n, p
  UniformInt,               // low, high (inclusive)
};
const char* to_string(Distribution d);  // the GDSL name: "uniform", "normal_clipped", ...
int parameter_count(Distribution d);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// One node; which fields mean something depends on `kind` (see ExprKind).
struct Expr {
  ExprKind kind = ExprKind::Const;
  Type type = Type::F64;
  double number = 0.0;          // Const of a float type
  std::int64_t integer = 0;     // Const of Bool/I32/U32/U64 (U64 stored bit-cast)
  Input input = Input::Index;   // Input
  LocalId local = kNone;        // Local
  ArrayId array = kNone;        // Load
  UnaryOp unary = UnaryOp::Neg;
  BinaryOp binary = BinaryOp::Add;
  MathFn fn = MathFn::Exp;
  Distribution dist = Distribution::Uniform;
  std::uint32_t stream = 0;     // Random
  std::vector<ExprPtr> operands;
};

// Builders. They set `type` from their operands (binary/select/call: the operands' type,
// which must agree; comparisons: Bool).
ExprPtr fconst(Type t, double v);
ExprPtr iconst(Type t, std::int64_t v);
ExprPtr bconst(bool v);
ExprPtr input(Input in);
ExprPtr local(LocalId id, Type t);
ExprPtr load(ArrayId array, Type t, ExprPtr index);
ExprPtr unary(UnaryOp op, ExprPtr x);
ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b);
ExprPtr select(ExprPtr cond, ExprPtr a, ExprPtr b);
ExprPtr call(MathFn fn, std::vector<ExprPtr> args);
ExprPtr cast(Type to, ExprPtr x);
ExprPtr random(Distribution d, std::uint32_t stream, ExprPtr step, ExprPtr index, ExprPtr draw,
               std::vector<ExprPtr> params);

ExprPtr clone(const Expr& e);
bool is_const(const Expr& e);
bool is_index(const Expr& e);  // the kernel's element index (Input::Index)
// The value of a constant as a double (integers and bools converted).
double const_value(const Expr& e);
bool equal(const Expr& a, const Expr& b);  // structural equality

// ---- Statements ---------------------------------------------------------------------

enum class StmtKind : std::uint8_t {
  Let,        // declare `local`, initialised with `value`
  Assign,     // local `local` = `value`
  Store,      // arrays[array][index] = value
  AtomicAdd,  // arrays[array][index] += value, atomically (shared between elements); with a
              // `local` (declared, of the array's value type) the value before the add goes
              // into it (push_event's slot: docs/ir.md, Precise steps)
  If,         // if (cond) body else otherwise
  For,        // for (local = begin; local < end; ++local) body   (u32; CSR rows/columns)
  While,      // while (cond) body; cond re-evaluated before each pass (adaptive ODE substeps)
  ForRow,     // for each synapse of one row of procedural projection `projection`,
              // regenerated from its connector (gennc/connect_rows.h) in generation order:
              // `local` (u32) = the post position (in the post selection) it connects to;
              // `index` = the row's position in the pre selection, `begin` = its draw index
              // (the pre neuron's population index), `end` = the post position the row
              // excludes (GENNC_ROW_NONE: none)
  ForBits,    // for each set bit of the u32 `value`, lowest first: `local` (u32) = the bit's
              // position (0..31); a bitmask projection's row, one word at a time
  EmitSpike,  // population `population` spikes for neuron `index`: atomically increments
              // its spike_count array and stores `index` into spike_list at the old count;
              // with a `value` (u32, > 0) the neuron spikes that many times this step, and
              // the count goes into spike_multiplicity at the same slot; with a `time`
              // (f64, ms) the spike's exact time goes into spike_time there (a precise
              // population), and a slot past the list's capacity stores nothing
  Integrate,  // advance `equations` from t to t + dt with `solver` (before solve_odes)
  Threshold,  // if (cond) { body } with a refractory period (before lower_refractoriness)
  PreciseStep,  // a precise neuron's step (before solve_precise_steps; docs/ir.md, Precise
                // steps): `equations`, threshold `cond`, reset `body`, `refractory` and
                // `held` as Integrate and Threshold have them; `events`: the receptors'
                // rings of timed events of the row `index` (slot * size + neuron);
                // `otherwise`: the input summed on the grid, taken at the step's end
};

// Which ODE integration scheme; `Auto` lets solve_odes choose (docs/ir.md). `Adaptive`:
// embedded Runge-Kutta-Fehlberg 4(5) with error control, substeps per element.
enum class Solver : std::uint8_t { Auto, Exact, RK4, Euler, ExponentialEuler, Adaptive };
const char* to_string(Solver s);  // "auto", "exact", "rk4", "euler", "exponential_euler", "adaptive"
// Parses the names GDSL's `solver` item and `--solver` accept (also "exponential_euler").
std::optional<Solver> parse_solver(const std::string& name);

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

// `local' = rhs`, all right-hand sides evaluated at the same state (a joint system).
struct Equation {
  LocalId state = kNone;
  ExprPtr rhs;
  SourceRange range;
};

// One receptor's ring of timed events for a PreciseStep: per (slot, neuron) row a count
// and up to `capacity` (the weight array's GENNC_SCOPE_RING `length`) weights and offsets
// (f64 ms from the start of the arrival step, in [0, dt]). `handler` is the receptor's `on
// spike`, reading the event's weight from `weight_local` (declared by the pass).
struct EventRing {
  ArrayId count = kNone, weight = kNone, offset = kNone;
  LocalId weight_local = kNone;
  Block handler;
};

struct Stmt {
  StmtKind kind = StmtKind::Let;
  SourceRange range;
  LocalId local = kNone;            // Let, Assign, For (the induction variable)
  ArrayId array = kNone;            // Store, AtomicAdd
  std::uint32_t population = kNone; // EmitSpike, Threshold
  std::uint32_t projection = kNone; // ForRow
  ExprPtr cond;                     // If, While, Threshold
  ExprPtr index;                    // Store, AtomicAdd, EmitSpike
  ExprPtr value;                    // Let, Assign, Store, AtomicAdd, EmitSpike (count; null: 1), ForBits
  ExprPtr begin, end;               // For
  ExprPtr time;                     // EmitSpike at (null: on the grid)
  Block body;                       // If (then), For, While, Threshold (reset; ends in EmitSpike)
  Block otherwise;                  // If
  // If without `otherwise`: the body changes nothing when `cond` is false, so a target may
  // run it whatever the condition (a branchless element loop vectorises). Set by
  // fuse_source_delivery; the GPU keeps the branch.
  bool unguarded = false;
  // Integrate
  std::vector<Equation> equations;
  Solver solver = Solver::Auto;
  // Threshold: the refractory period in ms (f64; null: none) and the locals held at
  // their start-of-step value while refractory (the neuron's threshold variables).
  ExprPtr refractory;
  std::vector<LocalId> held;
  // PreciseStep
  std::vector<EventRing> events;
};

StmtPtr let(LocalId id, ExprPtr value, SourceRange r = {});
StmtPtr assign(LocalId id, ExprPtr value, SourceRange r = {});
StmtPtr store(ArrayId array, ExprPtr index, ExprPtr value, SourceRange r = {});
StmtPtr atomic_add(ArrayId array, ExprPtr index, ExprPtr value, SourceRange r = {}, LocalId old = kNone);
StmtPtr if_(ExprPtr cond, Block then, Block otherwise = {}, SourceRange r = {});
StmtPtr for_(LocalId var, ExprPtr begin, ExprPtr end, Block body, SourceRange r = {});
StmtPtr while_(ExprPtr cond, Block body, SourceRange r = {});
StmtPtr for_row(std::uint32_t projection, LocalId post, ExprPtr local_pre, ExprPtr row_index, ExprPtr excluded,
                Block body, SourceRange r = {});
StmtPtr for_bits(LocalId bit, ExprPtr word, Block body, SourceRange r = {});
StmtPtr emit_spike(std::uint32_t population, ExprPtr index, SourceRange r = {}, ExprPtr count = nullptr,
                   ExprPtr time = nullptr);

StmtPtr clone(const Stmt& s);
Block clone(const Block& b);

// ---- Kernels ------------------------------------------------------------------------

struct LocalInfo {
  std::string name;  // for the printer and debug info: "v", "exc.i_syn", "k1.v"
  Type type = Type::F64;
};

struct Kernel {
  std::string name;  // "exc.update", "ee.pre", "exc.derived"
  GenncKernelKind kind = GENNC_KERNEL_NEURON;
  std::uint32_t owner = 0;  // population, projection or injection index, by kind
  std::vector<LocalInfo> locals;
  Block body;
  SourceRange range;  // the model (or network item) it implements
  // SynapsePre: the variable of the loop over a spike's row (sparse and dense: the synapse,
  // bitmask: the word), which a block's threads may share (codegen::row_parallel); kNone
  // where the row is no loop (diagonal) or is regenerated (procedural).
  LocalId row_local = kNone;

  LocalId add_local(std::string local_name, Type t) {
    locals.push_back({std::move(local_name), t});
    return static_cast<LocalId>(locals.size() - 1);
  }
};

// A GenncSynapseInitFn: one f64 expression of Pre, Post, Distance, Dx, Dy, Dz and Seed.
// Used for per-synapse initial values and connector probabilities.
struct SynapseFunction {
  std::string name;  // "ee.weight.init", "ee.probability"
  ExprPtr value;
  SourceRange range;
};

// ---- The network plan -----------------------------------------------------------------

struct Init {
  GenncInitKind kind = GENNC_INIT_ZERO;
  double params[4] = {0, 0, 0, 0};
  std::vector<double> values;      // GENNC_INIT_LIST
  std::uint32_t stream = 0;        // distributions
  std::uint32_t kernel = kNone;    // GENNC_INIT_SYNAPSE_KERNEL: index into synapse_functions
};

struct Array {
  std::string name;  // "exc.v", "exc.excitatory.ring", "ee.weight"
  std::string unit;  // "mV", "" for dimensionless
  GenncDType dtype = GENNC_F32;
  GenncArrayScope scope = GENNC_SCOPE_NEURON;
  std::uint32_t owner = 0;
  std::uint64_t length = 0;  // GENNC_SCOPE_LIST only
  std::uint32_t flags = 0;   // GenncArrayFlags
  Init init;
};

struct Selection {
  GenncSelectionKind kind = GENNC_SELECT_ALL;
  std::uint32_t population = 0;
  std::uint32_t start = 0, stop = 0, step = 1;  // GENNC_SELECT_SLICE
  std::vector<std::uint32_t> indices;           // GENNC_SELECT_LIST
  std::uint32_t count = 0;
};

struct Structure {
  GenncStructureKind kind = GENNC_STRUCTURE_NONE;
  double params[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::uint32_t stream = 0;
};

struct Population {
  std::string name;
  std::string model;
  std::uint32_t size = 0;
  Structure structure;
  ArrayId spike_count_array = kNone;
  ArrayId spike_list_array = kNone;
  ArrayId ring_depth_array = kNone;
  // Per spike-list entry: how many spikes it stands for; kNone when every entry is one
  // (a population whose threshold is a bool).
  ArrayId spike_multiplicity_array = kNone;
  // A precise population: per spike-list entry its exact time (f64, ms); its spike list
  // and this array are lists of spike_capacity entries, one spike each. kNone on the grid.
  ArrayId spike_time_array = kNone;
};

struct Connector {
  GenncConnectorKind kind = GENNC_CONNECT_ALL_TO_ALL;
  double params[4] = {0, 0, 0, 0};
  bool allow_self_connections = true;
  bool with_replacement = false;
  std::vector<double> list;  // FROM_LIST / ARRAY, row-major
  std::uint64_t list_rows = 0;
  std::uint32_t list_columns = 0;
  std::string path;                     // FROM_FILE
  std::uint32_t probability = kNone;    // *_PROBABILITY: index into synapse_functions
  std::uint32_t stream = 0;
};

// How a projection's rows are held (sema::Connectivity; docs/gpu.md, Storage forms).
enum class RowForm : std::uint8_t {
  Sparse,      // CSR: row pointers and a column per synapse
  Procedural,  // regenerated from the connector on every spike (StmtKind::ForRow)
  Dense,       // every pair (i, j) of the selections is synapse i * n_post + j
  Bitmask,     // one bit per pair, rows padded to whole u32 words (StmtKind::ForBits)
  Diagonal,    // one_to_one of equal selections: synapse i joins position i of pre and of post
};

// A per-synapse array of a from_host projection that the host may fill (GenncHostColumn).
struct HostColumn {
  std::string name;      // the synapse model's variable
  ArrayId array = kNone;
  double scale = 1.0;    // internal unit per unit of the variable's declaration
};

struct Projection {
  std::string name;
  Selection pre, post;
  Connector connector;
  RowForm form = RowForm::Sparse;
  ArrayId receptor_ring_array = kNone;   // kNone for a synapse that emits nothing (gap junctions)
  // Always present (the runtime counts them for procedural and dense rows): synapse indices
  // for per-synapse arrays and draws.
  ArrayId row_pointer_array = kNone;
  // Sparse: the post neuron of each synapse (GENNC_SCOPE_SYNAPSE). Procedural, dense and
  // diagonal: kNone (nothing stored per synapse but values, whose index is known from the row).
  // Bitmask: a GENNC_SCOPE_LIST u32 array of n_pre rows of ceil(n_post / 32) words, bit j of
  // row i set when position i of the pre selection connects to position j of the post one.
  ArrayId column_array = kNone;
  ArrayId column_pointer_array = kNone;  // kNone when no kernel needs column access
  ArrayId column_synapse_array = kNone;
  ArrayId delay_array = kNone;           // kNone when the delay is constant
  std::uint32_t constant_delay_steps = 1;
  // Without a delay array: the shortest delay a synapse can have (a procedural projection's
  // drawn delays are at least this; constant_delay_steps is their longest).
  std::uint32_t shortest_delay_steps = 1;
  ArrayId weight_from_list = kNone;
  std::vector<HostColumn> host_columns;  // from_host: the other columns the host may give
};

struct Injection {
  std::string name;
  std::string model;
  Selection target;
};

struct Recording {
  GenncRecordKind kind = GENNC_RECORD_SPIKES;
  std::string variable;  // "spikes" or an array name
  ArrayId array = kNone;
  // A current source's state: the injection whose per-target array `array` is (`target`
  // is then the injection's target); kNone for a population's array.
  std::uint32_t injection = kNone;
  Selection target;
  std::uint32_t interval_steps = 1;
  std::string unit;
};

// A synapse state variable written into the results folder at the end of the run: the
// per-synapse array `array` of projection `projection`, whose synapses are stored as rows.
struct SynapseRecording {
  std::string name;  // the array's name
  std::uint32_t projection = kNone;
  ArrayId array = kNone;
  std::string unit;
};

// Which high-level statements may still appear (see the header comment).
enum class Stage : std::uint8_t {
  HighLevel,  // Integrate and Threshold allowed
  Lowered,    // neither: ready for codegen
};

struct Module {
  std::string network_name;
  std::string source_path;
  double dt = 0.1;
  double duration = 0.0;
  std::uint64_t seed = 0;
  Type real = Type::F32;  // GenncModel.float_bits: 32 or 64
  Stage stage = Stage::HighLevel;

  std::vector<Array> arrays;
  std::vector<Population> populations;
  std::vector<Projection> projections;
  std::vector<Injection> injections;
  std::vector<Recording> recordings;
  std::vector<SynapseRecording> synapse_recordings;
  std::vector<Kernel> kernels;
  std::vector<std::uint32_t> init_schedule;  // DERIVED kernels, by index into `kernels`
  std::vector<std::uint32_t> step_schedule;
  // The step schedule grouped into stages for the GPU (plan_stages): the kernels of one
  // stage touch no array in a conflicting way, so one launch may run them together; each
  // stage keeps schedule order. Empty until planned.
  std::vector<std::vector<std::uint32_t>> step_stages;
  // Whether the last stage of step n may run beside the first of step n + 1, where the
  // runtime finds the stored delays allow it (plan_stages: stages_overlap).
  bool stage_overlap = false;
  // How the ranks of a distributed run exchange spikes (docs/distributed.md, Exchange), as
  // far as the model decides it (plan_exchange): whether the deliveries may wait for the
  // exchange, the most steps between exchanges its constant delays allow (0: none bounds
  // it; the runtime takes the built delays of projections that store theirs), and what
  // bounds it. Empty `bound` until planned.
  struct ExchangePlan {
    bool deferred = false;
    std::uint32_t steps = 1;
    std::string bound;
    std::vector<std::uint32_t> stored_delays;  // delivering projections that store delays
  } exchange;
  std::vector<SynapseFunction> synapse_functions;
  std::uint32_t next_stream = 1;  // the next unused random stream id (0 is never used)

  ArrayId add_array(Array a) {
    arrays.push_back(std::move(a));
    return static_cast<ArrayId>(arrays.size() - 1);
  }
  // A per-neuron state array of population `population` that a pass adds for its own
  // bookkeeping (refractory counts, integration steps): kept in checkpoints, not the user's.
  ArrayId add_internal_state(std::string name, std::string unit, GenncDType dtype, std::uint32_t population) {
    Array a;
    a.name = std::move(name);
    a.unit = std::move(unit);
    a.dtype = dtype;
    a.scope = GENNC_SCOPE_NEURON;
    a.owner = population;
    a.flags = GENNC_ARRAY_STATE | GENNC_ARRAY_INTERNAL;
    return add_array(std::move(a));
  }
  std::uint32_t new_stream() { return next_stream++; }
};

// ---- Traversal ----------------------------------------------------------------------

// Calls f on every expression slot (ExprPtr&) of a statement tree, outermost first, so f
// may replace a node; children of a replaced node are not visited. Nested blocks
// included; Integrate right-hand sides and Threshold refractory periods included.
template <typename F> void for_each_expr_slot(Block& block, F&& f);
template <typename F> void for_each_expr(const Block& block, F&& f);  // every node, pre-order
template <typename F> void for_each_stmt(const Block& block, F&& f);  // every statement, pre-order

}  // namespace gennc::ir

#include "ir/ir_traversal.h"
