// The checked program: what sema guarantees to the IR lowering. It owns the ASTs of every
// file that was read (the side tables point into them), the checked models, and each
// checked network with its values evaluated.
//
// Units: every number here is in gennc's internal unit system (ms, mV, nA, um; hence nF,
// uS, MOhm, pC, 1/ms) unless a comment says otherwise. A value whose dimension contains
// the symbolic `weight` (see units.h) is, inside a projection, in the internal unit of
// the receptor's `on spike` parameter (nA or uS).
//
// Expressions are not copied: model code stays in the AST, and the tables below give each
// node its type, what each name means and each literal's value. Nothing in a Program is
// mutated after check() returns.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ast/ast.h"
#include "diag/diagnostics.h"
#include "diag/source_manager.h"
#include "sema/types.h"
#include "sema/units.h"

namespace gennc::sema {

struct Model;

// ---- Symbols: what a name in model code (or a network expression) stands for --------

enum class SymbolKind {
  Parameter,        // `parameters { }` of a model (or of a slot component)
  State,            // `state { }`, also the state of a pre_trace/post_trace block
  Derived,          // `derived { }`: computed from parameters and dt before the run
  Input,            // `input { }` of a neuron: summed receptor/current-source outputs
  Uses,             // `uses { }`: a variable of the neuron (receptor), of either side
                    // (synapse, with `side`), or of the host synapse (slot component)
  Local,            // `let` inside a block
  Argument,         // a handler parameter (`w` of `on spike(w: nA)`) or function parameter
  Time,             // the built-in `t`: time at the start of the step (ms)
  Dt,               // the built-in `dt`: the network's time step (ms)
  Unit,             // a unit name used as a value (`mV` alone is 1 mV); see `value`
  NetworkConstant,  // a network `let`; see `value`
  Connection,       // `d dx dy dz` (um) and `i j` (indices) in connector and synapse
                    // expressions, evaluated per connection by the lowering
};

// Which neuron a synapse-side name belongs to.
enum class Side {
  None,  // the model's own variable
  Pre,   // `pre.v`, or a `pre_trace` variable: one per presynaptic neuron
  Post,  // `post.v`, or a `post_trace` variable: one per postsynaptic neuron
};

struct Symbol {
  SymbolKind kind = SymbolKind::Local;
  std::string name;
  Type type;                       // dimension may contain `weight` in synapse-side models
  // The scale of the unit it was declared in (`cm: pF` -> 0.001): a bare number given for
  // it is in that unit (`cm = 250` is 250 pF = 0.25 nF). 1 for undeclared symbols.
  double unit_scale = 1.0;
  Side side = Side::None;
  const Model* model = nullptr;    // the model that declares it (null for built-ins, units,
                                   // network constants and connection variables)
  // Where it was declared (at most one is set; none for built-ins and units).
  const ast::VarDecl* decl = nullptr;       // section variables
  const ast::TraceBlock* trace = nullptr;   // set for trace state (with `decl`)
  const ast::Param* param = nullptr;        // Argument
  const ast::LetStmt* let = nullptr;        // Local
  const ast::Setting* setting = nullptr;    // NetworkConstant
  // Parameter/State: the default (initial) value when it is a constant; a list variable
  // has its whole list here, a scalar exactly one number, a bool 0 or 1. Unit and
  // NetworkConstant: their value (scalar or list constants only). Empty when the
  // initialiser names parameters (`v: mV = v_rest`: evaluated per element from
  // `decl->init`), depends on dt (`delay: ms = dt`: the network evaluates it), or is
  // missing. Network values (Population::values, ...) always carry the resolved value.
  std::optional<std::vector<double>> value;
  // Parameter: a time that the model divides by (`v' = -v / tau`, `exp(-dt / tau)`), or that
  // it passes to such a parameter of a receptor (`CurrExp(tau_syn = tau_syn_E)`): a time
  // constant, which every value must give positive (check_models.cpp).
  bool time_constant = false;
};

// ---- Calls ------------------------------------------------------------------------

enum class Builtin {
  // math (arguments dimensionless except abs/min/max/clip/floor/ceil, which keep theirs,
  // sqrt, which halves even exponents, and pow, whose exponent is a constant)
  Exp, Log, Log10, Sqrt, Pow, Sin, Cos, Tan, Sinh, Cosh, Tanh, Abs, Min, Max, Clip, Floor, Ceil,
  Len,
  // the simulation step, in model code even where a model's own `dt` hides the name
  Resolution,
  // random draws, one per call and element per step, from the network seed's streams;
  // in network values they become a Distribution instead
  Uniform, Normal, NormalClipped, Exponential, Gamma, Lognormal, Poisson, Binomial, UniformInt,
  // synapse: deliver the argument (dimension `weight`) to the receptor's `on spike`
  Emit,
  // timing dependence: call the `function` of the same name of the weight dependence
  // plugged into the same synapse (known only when a projection binds the slots)
  Potentiate, Depress,
};
const char* to_string(Builtin b);

// What a CallExpr in model code calls.
struct Callee {
  Builtin builtin;
};

// ---- Models -----------------------------------------------------------------------

enum class Solver { Auto, Exact, Euler, ExponentialEuler, RK4, Adaptive };

// `receptor excitatory: CurrExp(tau_syn = tau_syn_E)` in a neuron.
struct ReceptorDefault {
  std::string name;
  const Model* model = nullptr;   // a postsynaptic model
  const ast::ReceptorDecl* decl = nullptr;
  // Arguments by the receptor model's parameter name, as written (checked against the
  // receptor's dimensions); names in them resolve to the neuron's symbols.
  std::map<std::string, const ast::Expr*> args;
};

struct SlotInfo {
  std::string name;
  ast::ModelKind kind;  // TimingDependence or WeightDependence
  const ast::SlotDecl* decl = nullptr;
};

struct Model {
  const ast::ModelDecl* decl = nullptr;
  ast::ModelKind kind = ast::ModelKind::Neuron;
  std::string name;
  diag::FileId file = 0;
  // Section variables in declaration order (trace state follows the model's own).
  std::vector<const Symbol*> parameters, state, derived, inputs, uses;
  std::vector<ReceptorDefault> receptors;  // neuron: default receptors, in order
  std::vector<SlotInfo> slots;             // synapse: its slots, in order
  // postsynaptic: the dimension of the `on spike` parameter (what `weight` becomes).
  std::optional<Dimension> spike_dim;
  Solver solver = Solver::Auto;
  // timing_dependence/weight_dependence: the variables of other models its code names —
  // of the synapse it is plugged into (`weight`) or of the component beside it (`w_max`).
  // Declared in its `uses` (Uses symbols of this model), or, undeclared, resolved in the
  // side tables to the first synapse/component declaring the name. Each projection checks
  // that its own synapse and components have them with the same type; the lowering binds
  // them by name through the projection's SlotBindings.
  std::vector<const Symbol*> externals;
  // Its code draws random numbers (per element and step).
  bool draws_random = false;

  // A section variable (parameter, state, derived, input, uses) by name, or null.
  const Symbol* find(std::string_view name) const;
  const ReceptorDefault* find_receptor(std::string_view name) const;
};

// ---- Network values ---------------------------------------------------------------

// A random distribution in a network value. `args` in the distribution's own order, in
// internal units: uniform(low, high), normal(mu, sigma), normal_clipped(mu, sigma, low,
// high), exponential(beta), gamma(k, theta), lognormal(mu, sigma), poisson(lambda),
// binomial(n, p), uniform_int(low, high).
struct Distribution {
  Builtin kind = Builtin::Uniform;
  std::vector<double> args;
};

enum class ValueKind {
  Constant,      // one value for every element (stays one number: never an array)
  PerElement,    // one value per element of the population (or per connection, from_list)
  Distribution,  // drawn per element from the network seed
  Expression,    // evaluated per element/connection by the lowering: a model default that
                 // names parameters (`v = v_rest`), a receptor argument naming a neuron
                 // parameter, or a weight/delay/probability in `d dx dy dz i j`
};

struct Value {
  ValueKind kind = ValueKind::Constant;
  Type type;   // the element's type (Real with its dimension, Int, Bool; `list` for list vars)
  // Constant: one number (for a list-typed variable, the whole list).
  // PerElement: one number per element (scalar variables only).
  std::vector<double> numbers;
  // PerElement of a list-typed variable: one list per element.
  std::vector<std::vector<double>> lists;
  Distribution distribution;             // Distribution
  const ast::Expr* expr = nullptr;       // Expression (its names are in Program::symbols)
};

// A set of neurons of one population: a slice [start, stop) by step, or explicit indices.
struct IndexSet {
  std::size_t population = 0;   // index into Network::populations
  bool is_slice = true;
  std::int64_t start = 0, stop = 0, step = 1;   // slice; stop is exclusive and in bounds
  std::vector<std::int64_t> indices;            // explicit list, in the order written
  std::int64_t size() const;
};
// A population (one whole IndexSet), a view (one IndexSet) or an assembly (several).
using NeuronSet = std::vector<IndexSet>;

struct Settings {
  double dt = 0.1;                 // ms
  double duration = 0.0;           // ms
  std::uint64_t seed = 0;          // 0 when not given
  double min_delay = 0.0;          // ms; dt when not given
  double max_delay = 0.0;          // ms; 0 when not given (no limit)
  bool precise = false;            // every population that can be precise is, unless `as grid`
};

enum class StructureKind { Line, Grid2D, Grid3D, RandomInBox, RandomInSphere };

// `at grid2d(dx = 10 um)`: PyNN's structure with every argument (defaults filled in; um
// for lengths, plain numbers otherwise). `fill_order` for grids: "sequential"/"random".
struct Structure {
  StructureKind kind = StructureKind::Line;
  std::map<std::string, double> args;
  std::string fill_order;
};

struct ReceptorInstance {
  std::string name;
  const Model* model = nullptr;             // a postsynaptic model
  // Every parameter and state variable of the receptor model: its default, the neuron's
  // receptor argument (an Expression in the neuron's symbols when it names a neuron
  // parameter) or the `with receptors` argument.
  std::map<std::string, Value> values;
};

struct Population {
  std::string name;
  const ast::PopulationDecl* decl = nullptr;
  const Model* model = nullptr;             // a neuron or spike_source
  std::int64_t size = 0;
  std::vector<ReceptorInstance> receptors;  // the model's defaults, replaced or extended
                                            // by `with receptors`, in that order
  // Every parameter and state variable of the model: override or default.
  std::map<std::string, Value> values;
  std::optional<Structure> structure;
  bool precise = false;  // spikes carry their exact times (docs/language.md, Precise spike times)
  std::optional<std::size_t> find_receptor(std::string_view name) const;
};

struct View {
  std::string name;
  const ast::ViewDecl* decl = nullptr;
  IndexSet set;
};

struct Assembly {
  std::string name;
  const ast::AssemblyDecl* decl = nullptr;
  NeuronSet members;
};

enum class ConnectorKind {
  AllToAll, OneToOne, FixedProbability, FixedNumberPre, FixedNumberPost, FixedTotalNumber,
  DistanceDependentProbability, DisplacementDependentProbability, IndexBasedProbability,
  SmallWorld, FromList, FromFile, Array, Clone, FromHost,
};
const char* to_string(ConnectorKind k);  // the GDSL name, e.g. "fixed_probability"

// One row of from_list: indices are relative to the projection's pre/post sets.
struct ListConnection {
  std::int64_t pre = 0, post = 0;
  std::optional<double> weight;   // receptor's unit
  std::optional<double> delay;    // ms
};

// A variable named in `from_host(U, p)`: the host gives its value per synapse, in the unit
// the variable was declared in (`scale` converts to the internal unit, as for a bare
// number written for it).
struct HostColumn {
  std::string name;
  double scale = 1.0;
};

struct Connector {
  ConnectorKind kind = ConnectorKind::AllToAll;
  bool allow_self_connections = true;
  bool with_replacement = false;      // fixed_number_*, fixed_total_number
  double p = 0.0;                     // fixed_probability: probability; small_world: rewiring
  std::int64_t n = 0;                 // fixed_number_pre/post, fixed_total_number
  double degree = 0.0;                // small_world: degree (um)
  // distance/displacement/index_based_probability: a dimensionless expression of
  // `d dx dy dz` (um) or `i j`, checked, evaluated per candidate connection.
  const ast::Expr* probability = nullptr;
  std::vector<ListConnection> list;   // from_list
  std::string file;                   // from_file: absolute path, resolved against the .gdsl file
  // array: a pre-by-post 0/1 matrix, row-major.
  std::vector<std::uint8_t> matrix;
  std::size_t clone_of = 0;           // clone: index into Network::projections
  // from_host: the synapse model's parameters and state variables (besides weight and
  // delay) whose per-synapse values the host may give, in the order written.
  std::vector<HostColumn> host_columns;
};

struct SlotBinding {
  std::string slot;
  const Model* component = nullptr;       // a timing_dependence or weight_dependence
  std::map<std::string, Value> values;    // every parameter of the component
};

struct SynapseInstance {
  const Model* model = nullptr;           // a synapse model
  // Every parameter and state variable of the model (defaults filled in), `weight`
  // included; dimensions with `weight` substituted by `weight_dim`.
  std::map<std::string, Value> values;
  std::vector<SlotBinding> slots;         // one per slot of the model, in its order
  Dimension weight_dim;                   // what `weight` stands for (receptor's unit)
};

// How a projection's synapses are held at run time (docs/language.md, Connectivity):
// stored as CSR rows, regenerated from the connector's seed on every spike, every pair
// of an all_to_all connected without a column array (dense), or one bit per candidate
// pair (bitmask).
enum class Connectivity { Sparse, Procedural, Dense, Bitmask, Diagonal };

struct Projection {
  std::string name;
  const ast::ProjectionDecl* decl = nullptr;
  NeuronSet pre, post;
  Connector connector;
  SynapseInstance synapse;
  std::string receptor;                       // the receptor's name
  std::vector<std::size_t> receptor_index;    // per `post` set: index into its
                                              // population's receptors
  Value delay;                                // ms; a multiple of dt, >= dt
  // The form asked for (`as ...`, `gennc --procedural=NAME`), checked to be legal; none:
  // lowering's choose_connectivity picks one.
  std::optional<Connectivity> requested;
  // A synapse state variable is recorded: the synapses are stored as rows, which name
  // each synapse's neurons in the results folder.
  bool state_recorded = false;
};

struct Injection {
  std::string name;                           // the name given (`inject noise = ...`), or empty
  const ast::InjectDecl* decl = nullptr;
  const Model* model = nullptr;               // a current_source model
  std::map<std::string, Value> values;        // every parameter and state of the model
  NeuronSet targets;
  std::string target_input;                   // the neuron input its `output` feeds
};

struct Recording {
  const ast::Expr* expr = nullptr;            // the record target as written
  // A state variable of a named injection (`record noise.amplitude`): its index in
  // Network::injections; `targets` are then the injection's targets.
  std::optional<std::size_t> injection;
  // A synapse state variable (`record stdp.w`): its projection's index in
  // Network::projections; written once, with its values at the end of the run.
  std::optional<std::size_t> projection;
  NeuronSet targets;
  bool spikes = false;                        // `.spikes`; else a variable
  std::string receptor;                       // non-empty: a receptor's variable
  std::string variable;                       // the state variable's name
  Dimension dim;                              // the variable's dimension
  std::int64_t interval_steps = 1;            // record every this many steps
};

struct Network {
  std::string name;
  const ast::NetworkDecl* decl = nullptr;
  Settings settings;
  std::vector<Population> populations;
  std::vector<View> views;
  std::vector<Assembly> assemblies;
  std::vector<Projection> projections;
  std::vector<Injection> injections;
  std::vector<Recording> recordings;
};

// ---- The program ------------------------------------------------------------------

struct Program {
  // Every file read: the root first, then imports in the order they were first met.
  // Shared and read-only: files of the embedded standard library are parsed once per
  // process and shared by every program that imports them (load_imports.cpp).
  std::vector<std::shared_ptr<const ast::Module>> modules;
  // Every model of every file (names are unique): the files last imported first, each
  // file's models in source order.
  std::vector<std::unique_ptr<Model>> models;
  // The networks of the root file, in order (imported files contribute models only).
  std::vector<std::unique_ptr<Network>> networks;

  // Side tables over the AST, for every value expression sema checked (not for the
  // parts of network syntax that name things: callees, record targets, from_list rows).
  std::unordered_map<const ast::Expr*, Type> types;
  // NameRef (and `pre.v`-style MemberExpr) -> what it names.
  std::unordered_map<const ast::Expr*, const Symbol*> symbols;
  // QuantityLit and unit-name NameRef -> value in internal units (`20 s` -> 20000).
  std::unordered_map<const ast::Expr*, double> literal_values;
  // CallExpr -> the built-in it calls (model code, and network expressions: in these a
  // random draw is a Distribution, never drawn per step).
  std::unordered_map<const ast::Expr*, Callee> callees;
  // Declarations -> the symbol they introduce or assign.
  std::unordered_map<const ast::LetStmt*, const Symbol*> lets;
  std::unordered_map<const ast::AssignStmt*, const Symbol*> assign_targets;
  std::unordered_map<const ast::Equation*, const Symbol*> equation_targets;
  std::unordered_map<const ast::Param*, const Symbol*> params;

  // Owns every Symbol (a deque keeps their addresses stable).
  std::deque<Symbol> symbol_storage;

  const Model* find_model(std::string_view name) const;
  const Type* type_of(const ast::Expr* e) const;
  const Symbol* symbol_of(const ast::Expr* e) const;
};

struct CheckOptions {
  // A folder to read `import pynn` from instead of the embedded stdlib (empty: embedded).
  std::string stdlib_dir;
  // Projections made procedural whatever their source says (`gennc --procedural`): names,
  // checked to allow it, or "all", which lowering applies to every projection that allows
  // it (lower::LowerOptions).
  std::vector<std::string> procedural;
  // Imports and connection files must lie in the root file's folder or below it, symbolic
  // links resolved (`gennc --restrict-paths`), for models from sources not trusted.
  bool restrict_paths = false;
};

// Checks a parsed root file and everything it imports (sema parses the imports).
// Requires: `root` was parsed from a file registered in `sources`.
// Guarantees: every problem is reported to `diags`; the result is never null. When
// `diags` has no errors, the tables above cover every value expression of every model and
// network, and every network value is evaluated; with errors it is partial (lowering
// must not run).
std::unique_ptr<Program> check(std::unique_ptr<ast::Module> root, diag::SourceManager& sources,
                               diag::Diagnostics& diags, const CheckOptions& options);

}  // namespace gennc::sema
