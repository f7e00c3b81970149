// The GDSL abstract syntax tree. parse/ builds it from ANTLR's parse tree; sema/ reads it
// and records types, units and resolutions in side tables (it never mutates nodes).
// Every node carries the source range it was written at.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/source_manager.h"

namespace gennc::ast {

using diag::SourceRange;

// ---- Types ------------------------------------------------------------------------

// A unit written in a declaration, e.g. `nA/mV` or `ms^-1`, flattened into factors with
// signed exponents (`nA/mV` = {nA^1, mV^-1}). No factors means dimensionless (`1`).
struct UnitFactor {
  std::string name;
  int exponent = 1;
  SourceRange range;
};

struct UnitExpr {
  std::vector<UnitFactor> factors;
  SourceRange range;
};

enum class ScalarKind { Bool, Int, Real, Quantity };

struct TypeExpr {
  ScalarKind kind = ScalarKind::Real;
  UnitExpr unit;          // only for ScalarKind::Quantity
  bool is_array = false;  // `ms[]`: a per-element list parameter (spike times, step amplitudes)
  SourceRange range;
};

// ---- Expressions ------------------------------------------------------------------

enum class ExprKind {
  Number, Quantity, String, Bool, Name, List,
  Unary, Binary, Conditional, Call, Index, Slice, Member,
};

struct Expr {
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  SourceRange range;
};
using ExprPtr = std::unique_ptr<Expr>;

// Checked downcasts: `if (auto* call = dyn_cast<CallExpr>(e))`.
template <typename T> T* dyn_cast(Expr* e) { return e && e->kind == T::Kind ? static_cast<T*>(e) : nullptr; }
template <typename T> const T* dyn_cast(const Expr* e) { return e && e->kind == T::Kind ? static_cast<const T*>(e) : nullptr; }
template <typename T> bool isa(const Expr* e) { return e && e->kind == T::Kind; }

struct NumberLit : Expr {
  static constexpr ExprKind Kind = ExprKind::Number;
  NumberLit(SourceRange r, double v, bool integer) : Expr(Kind, r), value(v), is_integer(integer) {}
  double value;
  bool is_integer;  // written without '.' or exponent
};

// `20 ms`: the number and the unit name as written; sema resolves the unit.
struct QuantityLit : Expr {
  static constexpr ExprKind Kind = ExprKind::Quantity;
  QuantityLit(SourceRange r, double v, std::string u, SourceRange ur)
      : Expr(Kind, r), value(v), unit(std::move(u)), unit_range(ur) {}
  double value;
  std::string unit;
  SourceRange unit_range;
};

struct StringLit : Expr {
  static constexpr ExprKind Kind = ExprKind::String;
  StringLit(SourceRange r, std::string v) : Expr(Kind, r), value(std::move(v)) {}
  std::string value;  // escapes already resolved
};

struct BoolLit : Expr {
  static constexpr ExprKind Kind = ExprKind::Bool;
  BoolLit(SourceRange r, bool v) : Expr(Kind, r), value(v) {}
  bool value;
};

struct NameRef : Expr {
  static constexpr ExprKind Kind = ExprKind::Name;
  NameRef(SourceRange r, std::string n) : Expr(Kind, r), name(std::move(n)) {}
  std::string name;
};

struct ListLit : Expr {
  static constexpr ExprKind Kind = ExprKind::List;
  explicit ListLit(SourceRange r) : Expr(Kind, r) {}
  std::vector<ExprPtr> elements;
};

enum class UnaryOp { Neg, Plus, Not };

struct UnaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Unary;
  UnaryExpr(SourceRange r, UnaryOp o, ExprPtr e) : Expr(Kind, r), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp { Add, Sub, Mul, Div, Mod, Pow, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

struct BinaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Binary;
  BinaryExpr(SourceRange r, BinaryOp o, SourceRange opr, ExprPtr l, ExprPtr rr)
      : Expr(Kind, r), op(o), op_range(opr), lhs(std::move(l)), rhs(std::move(rr)) {}
  BinaryOp op;
  SourceRange op_range;  // the operator token, where unit-mismatch carets point
  ExprPtr lhs, rhs;
};

struct ConditionalExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Conditional;
  ConditionalExpr(SourceRange r, ExprPtr c, ExprPtr t, ExprPtr o)
      : Expr(Kind, r), cond(std::move(c)), then(std::move(t)), otherwise(std::move(o)) {}
  ExprPtr cond, then, otherwise;
};

// A call argument, positional (name empty) or named (`p = 0.02`).
struct Arg {
  std::string name;
  SourceRange name_range;
  ExprPtr value;
  SourceRange range;
};

struct CallExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Call;
  CallExpr(SourceRange r, ExprPtr c) : Expr(Kind, r), callee(std::move(c)) {}
  ExprPtr callee;  // a NameRef for every call the language has today
  std::vector<Arg> args;
};

// `a[i]`
struct IndexExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Index;
  IndexExpr(SourceRange r, ExprPtr b, ExprPtr i) : Expr(Kind, r), base(std::move(b)), index(std::move(i)) {}
  ExprPtr base, index;
};

// `pop[start:stop:step]`, each bound optional (null).
struct SliceExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Slice;
  SliceExpr(SourceRange r, ExprPtr b) : Expr(Kind, r), base(std::move(b)) {}
  ExprPtr base, start, stop, step;
};

// `exc.spikes`, `pre.v`, `exc.excitatory.g`
struct MemberExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Member;
  MemberExpr(SourceRange r, ExprPtr b, std::string m, SourceRange mr)
      : Expr(Kind, r), base(std::move(b)), member(std::move(m)), member_range(mr) {}
  ExprPtr base;
  std::string member;
  SourceRange member_range;
};

// ---- Statements -------------------------------------------------------------------

enum class StmtKind { Let, Assign, If, Expr };
enum class AssignOp { Set, Add, Sub, Mul, Div };

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;

struct Block {
  std::vector<StmtPtr> statements;
  SourceRange range;
};

struct Stmt {
  explicit Stmt(StmtKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Stmt() = default;
  const StmtKind kind;
  SourceRange range;
};

template <typename T> T* dyn_cast(Stmt* s) { return s && s->kind == T::Kind ? static_cast<T*>(s) : nullptr; }
template <typename T> const T* dyn_cast(const Stmt* s) { return s && s->kind == T::Kind ? static_cast<const T*>(s) : nullptr; }

// `let x: mV = expr` (the type is optional)
struct LetStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Let;
  LetStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string name;
  SourceRange name_range;
  std::optional<TypeExpr> type;
  ExprPtr value;
};

// `v = v_reset`, `w += b`, `post.v += x` (target is a name, optionally `side.name`)
struct AssignStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Assign;
  AssignStmt(SourceRange r) : Stmt(Kind, r) {}
  std::string qualifier;  // empty, or e.g. "pre"/"post"
  std::string name;
  SourceRange target_range;
  AssignOp op = AssignOp::Set;
  ExprPtr value;
};

struct IfStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::If;
  IfStmt(SourceRange r) : Stmt(Kind, r) {}
  ExprPtr cond;
  Block then;
  std::optional<Block> otherwise;  // `else if` is an otherwise block holding one IfStmt
};

// A call used as a statement: `emit(weight)`, `potentiate(dw)`.
struct ExprStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Expr;
  ExprStmt(SourceRange r, ExprPtr e) : Stmt(Kind, r), expr(std::move(e)) {}
  ExprPtr expr;
};

// ---- Models -----------------------------------------------------------------------

enum class ModelKind {
  Neuron, Postsynaptic, Synapse, CurrentSource, SpikeSource, TimingDependence, WeightDependence,
};
const char* to_string(ModelKind kind);  // the keyword, e.g. "current_source"

struct VarDecl {
  std::string name;
  SourceRange name_range;
  TypeExpr type;
  ExprPtr init;  // default value / initial value / definition (derived); may be null
  SourceRange range;
};

struct Param {
  std::string name;
  SourceRange name_range;
  TypeExpr type;
  SourceRange range;
};

// `v' = rhs`
struct Equation {
  std::string var;
  SourceRange var_range;
  ExprPtr rhs;
  SourceRange range;
};

// `on spike(w: nA) { ... }`, `on pre { ... }`, `on post { ... }`
struct Handler {
  std::string event;
  SourceRange event_range;
  std::vector<Param> params;
  Block body;
  SourceRange range;
};

// `function potentiate(dw: real) { ... }` — a hook a weight dependence provides.
struct Function {
  std::string name;
  SourceRange name_range;
  std::vector<Param> params;
  Block body;
  SourceRange range;
};

// `output i_syn += expr`
struct Output {
  std::string target;
  SourceRange target_range;
  ExprPtr value;
  SourceRange range;
};

// `receptor excitatory: CurrExp(tau_syn = tau_syn_E)` — a default receptor of a neuron
// whose arguments may name the neuron's own parameters.
struct ReceptorDecl {
  std::string name;
  SourceRange name_range;
  std::string model;
  SourceRange model_range;
  std::vector<Arg> args;
  SourceRange range;
};

// `slot timing: timing_dependence` — a component chosen where the synapse is used.
struct SlotDecl {
  std::string name;
  SourceRange name_range;
  ModelKind kind;
  SourceRange range;
};

struct TraceBlock;

// The contents of a model (or of a pre_trace/post_trace block). Sections that may appear
// several times (`parameters`, `state`, ...) are concatenated in source order; parse/
// reports a second `threshold`, `reset`, `refractory`, `update` or `solver`.
struct ModelBody {
  std::vector<VarDecl> parameters, state, derived, inputs, uses;
  SourceRange parameters_range, state_range, derived_range, inputs_range, uses_range;  // first occurrence
  std::vector<Equation> equations;
  ExprPtr threshold;
  SourceRange threshold_range;  // the whole `threshold ...` item
  ExprPtr spike_time;           // `threshold c at time`: a spike source's exact spike time
  std::optional<Block> reset;
  ExprPtr refractory;
  SourceRange refractory_range;
  std::optional<Block> update;
  std::vector<Handler> handlers;
  std::vector<Function> functions;
  std::vector<Output> outputs;
  std::vector<ReceptorDecl> receptors;
  std::vector<SlotDecl> slots;
  std::string solver;  // empty: the compiler chooses
  SourceRange solver_range;
  std::vector<TraceBlock> traces;
};

enum class TraceSide { Pre, Post };

// `pre_trace { state {...} equations {...} on spike {...} }`: per-neuron variables a
// synapse keeps on one side of the projection.
struct TraceBlock {
  TraceSide side;
  ModelBody body;
  SourceRange range;
};

struct ModelDecl {
  ModelKind kind;
  std::string name;
  SourceRange name_range;
  ModelBody body;
  SourceRange range;
};

// ---- Networks ---------------------------------------------------------------------

// `Name(args)` where a model, connector or structure is instantiated.
struct Call {
  std::string name;
  SourceRange name_range;
  std::vector<Arg> args;
  SourceRange range;
};

// `dt = 0.1 ms` (a simulation setting) or `let scale = 0.1` (a named constant usable in
// the network's later expressions); both share this node and live in separate lists.
struct Setting {
  std::string name;
  SourceRange name_range;
  ExprPtr value;
  SourceRange range;
};

struct ReceptorBinding {  // `excitatory: CondExp(tau_syn = 5 ms)`
  std::string name;
  SourceRange name_range;
  Call model;
  SourceRange range;
};

struct Override {  // `v = uniform(-60 mV, -50 mV)`
  std::string name;
  SourceRange name_range;
  ExprPtr value;
  SourceRange range;
};

struct PopulationDecl {
  std::string name;
  SourceRange name_range;
  std::string model;
  SourceRange model_range;
  ExprPtr size;
  std::vector<ReceptorBinding> receptors;
  std::optional<Call> structure;  // `at grid2d(dx = 10 um)`
  std::vector<Override> overrides;
  std::string precision;  // `as precise` or `as grid`; empty: the network's default
  SourceRange precision_range;
  SourceRange range;
};

struct ViewDecl {  // `view first = exc[0:100]`
  std::string name;
  SourceRange name_range;
  ExprPtr target;
  SourceRange range;
};

struct AssemblyDecl {  // `assembly all = exc + inh`
  std::string name;
  SourceRange name_range;
  ExprPtr members;  // a `+` chain of population/view expressions
  SourceRange range;
};

struct ProjectionDecl {
  std::string name;
  SourceRange name_range;
  ExprPtr pre, post;
  Call connector;
  std::optional<Call> synapse;  // absent: StaticSynapse with its defaults
  std::string receptor;         // empty: the post model's first receptor
  SourceRange receptor_range;
  std::string connectivity;     // `as procedural`; empty: chosen by the compiler
  SourceRange connectivity_range;
  SourceRange range;
};

// `inject DCSource(amplitude = 0.1 nA) into exc[0:100]`, or named so that its state can
// be recorded: `inject noise = NoisyCurrentSource(stdev = 0.1 nA) into exc`.
struct InjectDecl {
  std::string name;  // empty: unnamed
  SourceRange name_range;
  Call source;
  ExprPtr target;
  SourceRange range;
};

struct RecordDecl {  // `record exc.spikes, exc[0:10].v every 1 ms`
  std::vector<ExprPtr> targets;
  ExprPtr interval;  // may be null: every step
  SourceRange range;
};

struct NetworkDecl {
  std::string name;
  SourceRange name_range;
  std::vector<Setting> settings;
  std::vector<Setting> constants;
  std::vector<PopulationDecl> populations;
  std::vector<ViewDecl> views;
  std::vector<AssemblyDecl> assemblies;
  std::vector<ProjectionDecl> projections;
  std::vector<InjectDecl> injections;
  std::vector<RecordDecl> recordings;
  SourceRange range;
};

// ---- Files ------------------------------------------------------------------------

struct ImportDecl {
  bool is_library = false;  // `import pynn` (a stdlib module) vs `import "path.gdsl"`
  std::string target;       // library name or path as written (escapes resolved)
  SourceRange range;
};

struct Module {
  diag::FileId file = 0;
  std::vector<ImportDecl> imports;
  std::vector<std::unique_ptr<ModelDecl>> models;
  std::vector<std::unique_ptr<NetworkDecl>> networks;
};

}  // namespace gennc::ast
