#include "ir/ir.h"

#include <cstring>

namespace gennc::ir {

const char* to_string(Type t) {
  switch (t) {
    case Type::Bool: return "bool";
    case Type::I32: return "i32";
    case Type::U32: return "u32";
    case Type::U64: return "u64";
    case Type::F32: return "f32";
    case Type::F64: return "f64";
  }
  return "?";
}

bool is_float(Type t) { return t == Type::F32 || t == Type::F64; }
bool is_integer(Type t) { return t == Type::I32 || t == Type::U32 || t == Type::U64; }
bool is_signed(Type t) { return t == Type::I32 || is_float(t); }

std::optional<GenncDType> storage_type(Type t) {
  switch (t) {
    case Type::Bool: return GENNC_U8;
    case Type::I32: return GENNC_I32;
    case Type::U32: return GENNC_U32;
    case Type::F32: return GENNC_F32;
    case Type::F64: return GENNC_F64;
    case Type::U64: return std::nullopt;
  }
  return std::nullopt;
}

Type value_type(GenncDType d) {
  switch (d) {
    case GENNC_F32: return Type::F32;
    case GENNC_F64: return Type::F64;
    case GENNC_I32: return Type::I32;
    case GENNC_U32: return Type::U32;
    case GENNC_U8: return Type::Bool;
  }
  return Type::F64;
}

const char* to_string(Input in) {
  switch (in) {
    case Input::Index: return "index";
    case Input::Time: return "t";
    case Input::Dt: return "dt";
    case Input::Step: return "step";
    case Input::Seed: return "seed";
    case Input::Pre: return "pre";
    case Input::Post: return "post";
    case Input::Distance: return "d";
    case Input::Dx: return "dx";
    case Input::Dy: return "dy";
    case Input::Dz: return "dz";
  }
  return "?";
}

Type input_type(Input in) {
  switch (in) {
    case Input::Index:
    case Input::Pre:
    case Input::Post: return Type::U32;
    case Input::Step:
    case Input::Seed: return Type::U64;
    default: return Type::F64;
  }
}

const char* to_string(UnaryOp op) { return op == UnaryOp::Neg ? "neg" : "not"; }

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Rem: return "rem";
    case BinaryOp::Lt: return "lt";
    case BinaryOp::Le: return "le";
    case BinaryOp::Gt: return "gt";
    case BinaryOp::Ge: return "ge";
    case BinaryOp::Eq: return "eq";
    case BinaryOp::Ne: return "ne";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
    case BinaryOp::BitAnd: return "bitand";
  }
  return "?";
}

bool is_comparison(BinaryOp op) {
  switch (op) {
    case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt: case BinaryOp::Ge:
    case BinaryOp::Eq: case BinaryOp::Ne: return true;
    default: return false;
  }
}

const char* to_string(MathFn fn) {
  switch (fn) {
    case MathFn::Exp: return "exp";
    case MathFn::Expm1: return "expm1";
    case MathFn::Log: return "log";
    case MathFn::Log1p: return "log1p";
    case MathFn::Log10: return "log10";
    case MathFn::Sqrt: return "sqrt";
    case MathFn::Pow: return "pow";
    case MathFn::Sin: return "sin";
    case MathFn::Cos: return "cos";
    case MathFn::Tan: return "tan";
    case MathFn::Sinh: return "sinh";
    case MathFn::Cosh: return "cosh";
    case MathFn::Tanh: return "tanh";
    case MathFn::Fabs: return "fabs";
    case MathFn::Fmin: return "fmin";
    case MathFn::Fmax: return "fmax";
    case MathFn::Floor: return "floor";
    case MathFn::Ceil: return "ceil";
    case MathFn::Round: return "round";
  }
  return "?";
}

int arity(MathFn fn) {
  switch (fn) {
    case MathFn::Pow: case MathFn::Fmin: case MathFn::Fmax: return 2;
    default: return 1;
  }
}

const char* to_string(Distribution d) {
  switch (d) {
    case Distribution::Uniform: return "uniform";
    case Distribution::Normal: return "normal";
    case Distribution::NormalSingle: return "normal_single";
    case Distribution::NormalClipped: return "normal_clipped";
    case Distribution::NormalClippedToBoundary: return "normal_clipped_to_boundary";
    case Distribution::Exponential: return "exponential";
    case Distribution::Gamma: return "gamma";
    case Distribution::Lognormal: return "lognormal";
    case Distribution::Poisson: return "poisson";
    case Distribution::Binomial: return "binomial";
    case Distribution::UniformInt: return "uniform_int";
  }
  return "?";
}

int parameter_count(Distribution d) {
  switch (d) {
    case Distribution::Exponential: case Distribution::Poisson: return 1;
    case Distribution::NormalClipped: case Distribution::NormalClippedToBoundary: return 4;
    default: return 2;
  }
}

const char* to_string(Solver s) {
  switch (s) {
    case Solver::Auto: return "auto";
    case Solver::Exact: return "exact";
    case Solver::RK4: return "rk4";
    case Solver::Euler: return "euler";
    case Solver::ExponentialEuler: return "exponential_euler";
    case Solver::Adaptive: return "adaptive";
  }
  return "?";
}

std::optional<Solver> parse_solver(const std::string& name) {
  if (name == "auto") return Solver::Auto;
  if (name == "exact") return Solver::Exact;
  if (name == "rk4") return Solver::RK4;
  if (name == "euler") return Solver::Euler;
  if (name == "exponential_euler") return Solver::ExponentialEuler;
  if (name == "adaptive") return Solver::Adaptive;
  return std::nullopt;
}

// ---- Builders -------------------------------------------------------------------------

namespace {
ExprPtr node(ExprKind k, Type t) {
  auto e = std::make_unique<Expr>();
  e->kind = k;
  e->type = t;
  return e;
}
}  // namespace

ExprPtr fconst(Type t, double v) {
  auto e = node(ExprKind::Const, t);
  e->number = v;
  return e;
}

ExprPtr iconst(Type t, std::int64_t v) {
  auto e = node(ExprKind::Const, t);
  e->integer = v;
  return e;
}

ExprPtr bconst(bool v) { return iconst(Type::Bool, v ? 1 : 0); }

ExprPtr input(Input in) {
  auto e = node(ExprKind::Input, input_type(in));
  e->input = in;
  return e;
}

ExprPtr local(LocalId id, Type t) {
  auto e = node(ExprKind::Local, t);
  e->local = id;
  return e;
}

ExprPtr load(ArrayId array, Type t, ExprPtr index) {
  auto e = node(ExprKind::Load, t);
  e->array = array;
  e->operands.push_back(std::move(index));
  return e;
}

ExprPtr unary(UnaryOp op, ExprPtr x) {
  auto e = node(ExprKind::Unary, op == UnaryOp::Not ? Type::Bool : x->type);
  e->unary = op;
  e->operands.push_back(std::move(x));
  return e;
}

ExprPtr binary(BinaryOp op, ExprPtr a, ExprPtr b) {
  Type t = is_comparison(op) || op == BinaryOp::And || op == BinaryOp::Or ? Type::Bool : a->type;
  auto e = node(ExprKind::Binary, t);
  e->binary = op;
  e->operands.push_back(std::move(a));
  e->operands.push_back(std::move(b));
  return e;
}

ExprPtr select(ExprPtr cond, ExprPtr a, ExprPtr b) {
  auto e = node(ExprKind::Select, a->type);
  e->operands.push_back(std::move(cond));
  e->operands.push_back(std::move(a));
  e->operands.push_back(std::move(b));
  return e;
}

ExprPtr call(MathFn fn, std::vector<ExprPtr> args) {
  auto e = node(ExprKind::Call, args.empty() ? Type::F64 : args.front()->type);
  e->fn = fn;
  e->operands = std::move(args);
  return e;
}

ExprPtr cast(Type to, ExprPtr x) {
  auto e = node(ExprKind::Cast, to);
  e->operands.push_back(std::move(x));
  return e;
}

ExprPtr random(Distribution d, std::uint32_t stream, ExprPtr step, ExprPtr index, ExprPtr draw,
               std::vector<ExprPtr> params) {
  auto e = node(ExprKind::Random, Type::F64);
  e->dist = d;
  e->stream = stream;
  e->operands.push_back(std::move(step));
  e->operands.push_back(std::move(index));
  e->operands.push_back(std::move(draw));
  for (auto& p : params) e->operands.push_back(std::move(p));
  return e;
}

ExprPtr clone(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->kind = e.kind;
  c->type = e.type;
  c->number = e.number;
  c->integer = e.integer;
  c->input = e.input;
  c->local = e.local;
  c->array = e.array;
  c->unary = e.unary;
  c->binary = e.binary;
  c->fn = e.fn;
  c->dist = e.dist;
  c->stream = e.stream;
  c->operands.reserve(e.operands.size());
  for (const auto& op : e.operands) c->operands.push_back(clone(*op));
  return c;
}

bool is_const(const Expr& e) { return e.kind == ExprKind::Const; }

bool is_index(const Expr& e) { return e.kind == ExprKind::Input && e.input == Input::Index; }

double const_value(const Expr& e) {
  if (is_float(e.type)) return e.number;
  if (e.type == Type::U64) return static_cast<double>(static_cast<std::uint64_t>(e.integer));
  return static_cast<double>(e.integer);
}

bool equal(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.type != b.type || a.operands.size() != b.operands.size()) return false;
  switch (a.kind) {
    case ExprKind::Const:
      if (is_float(a.type)) {
        if (std::memcmp(&a.number, &b.number, sizeof(double)) != 0) return false;
      } else if (a.integer != b.integer) {
        return false;
      }
      break;
    case ExprKind::Input: if (a.input != b.input) return false; break;
    case ExprKind::Local: if (a.local != b.local) return false; break;
    case ExprKind::Load: if (a.array != b.array) return false; break;
    case ExprKind::Unary: if (a.unary != b.unary) return false; break;
    case ExprKind::Binary: if (a.binary != b.binary) return false; break;
    case ExprKind::Call: if (a.fn != b.fn) return false; break;
    case ExprKind::Random: if (a.dist != b.dist || a.stream != b.stream) return false; break;
    case ExprKind::Select:
    case ExprKind::Cast: break;
  }
  for (std::size_t i = 0; i < a.operands.size(); ++i)
    if (!equal(*a.operands[i], *b.operands[i])) return false;
  return true;
}

// ---- Statements -----------------------------------------------------------------------

namespace {
StmtPtr stmt(StmtKind k, SourceRange r) {
  auto s = std::make_unique<Stmt>();
  s->kind = k;
  s->range = r;
  return s;
}
ExprPtr clone_opt(const ExprPtr& e) { return e ? clone(*e) : nullptr; }
}  // namespace

StmtPtr let(LocalId id, ExprPtr value, SourceRange r) {
  auto s = stmt(StmtKind::Let, r);
  s->local = id;
  s->value = std::move(value);
  return s;
}

StmtPtr assign(LocalId id, ExprPtr value, SourceRange r) {
  auto s = stmt(StmtKind::Assign, r);
  s->local = id;
  s->value = std::move(value);
  return s;
}

StmtPtr store(ArrayId array, ExprPtr index, ExprPtr value, SourceRange r) {
  auto s = stmt(StmtKind::Store, r);
  s->array = array;
  s->index = std::move(index);
  s->value = std::move(value);
  return s;
}

StmtPtr atomic_add(ArrayId array, ExprPtr index, ExprPtr value, SourceRange r, LocalId old) {
  auto s = stmt(StmtKind::AtomicAdd, r);
  s->local = old;
  s->array = array;
  s->index = std::move(index);
  s->value = std::move(value);
  return s;
}

StmtPtr if_(ExprPtr cond, Block then, Block otherwise, SourceRange r) {
  auto s = stmt(StmtKind::If, r);
  s->cond = std::move(cond);
  s->body = std::move(then);
  s->otherwise = std::move(otherwise);
  return s;
}

StmtPtr for_(LocalId var, ExprPtr begin, ExprPtr end, Block body, SourceRange r) {
  auto s = stmt(StmtKind::For, r);
  s->local = var;
  s->begin = std::move(begin);
  s->end = std::move(end);
  s->body = std::move(body);
  return s;
}

StmtPtr while_(ExprPtr cond, Block body, SourceRange r) {
  auto s = stmt(StmtKind::While, r);
  s->cond = std::move(cond);
  s->body = std::move(body);
  return s;
}

StmtPtr for_row(std::uint32_t projection, LocalId post, ExprPtr local_pre, ExprPtr row_index, ExprPtr excluded,
                Block body, SourceRange r) {
  auto s = stmt(StmtKind::ForRow, r);
  s->projection = projection;
  s->local = post;
  s->index = std::move(local_pre);
  s->begin = std::move(row_index);
  s->end = std::move(excluded);
  s->body = std::move(body);
  return s;
}

StmtPtr for_bits(LocalId bit, ExprPtr word, Block body, SourceRange r) {
  auto s = stmt(StmtKind::ForBits, r);
  s->local = bit;
  s->value = std::move(word);
  s->body = std::move(body);
  return s;
}

StmtPtr emit_spike(std::uint32_t population, ExprPtr index, SourceRange r, ExprPtr count, ExprPtr time) {
  auto s = stmt(StmtKind::EmitSpike, r);
  s->population = population;
  s->index = std::move(index);
  s->value = std::move(count);
  s->time = std::move(time);
  return s;
}

StmtPtr clone(const Stmt& s) {
  auto c = std::make_unique<Stmt>();
  c->kind = s.kind;
  c->range = s.range;
  c->local = s.local;
  c->array = s.array;
  c->population = s.population;
  c->projection = s.projection;
  c->cond = clone_opt(s.cond);
  c->index = clone_opt(s.index);
  c->value = clone_opt(s.value);
  c->begin = clone_opt(s.begin);
  c->time = clone_opt(s.time);
  c->end = clone_opt(s.end);
  c->body = clone(s.body);
  c->otherwise = clone(s.otherwise);
  c->unguarded = s.unguarded;
  for (const Equation& eq : s.equations) c->equations.push_back({eq.state, clone(*eq.rhs), eq.range});
  c->solver = s.solver;
  c->refractory = clone_opt(s.refractory);
  c->held = s.held;
  for (const EventRing& ev : s.events)
    c->events.push_back({ev.count, ev.weight, ev.offset, ev.weight_local, clone(ev.handler)});
  return c;
}

Block clone(const Block& b) {
  Block out;
  out.reserve(b.size());
  for (const auto& s : b) out.push_back(clone(*s));
  return out;
}

}  // namespace gennc::ir
