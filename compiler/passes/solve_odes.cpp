#include "passes/solve_odes.h"

#include <fmt/format.h>

#include <cmath>
#include <algorithm>
#include <map>
#include <set>

#include "ir/fold.h"
#include "ir/internal_error.h"
#include "passes/emit_propagator.h"
#include "passes/linear_system.h"
#include "passes/propagator.h"
#include "passes/reciprocals.h"

namespace gennc::passes {

using namespace ir;

namespace {

// Replaces, in a copy of `e`, reads of the locals in `map` by other locals, and (when
// `time_offset` is given) the time t by t + time_offset.
ExprPtr substitute(const Expr& e, const std::map<LocalId, LocalId>& map, const Expr* time_offset) {
  Block holder;
  holder.push_back(let(0, clone(e)));
  for_each_expr_slot(holder, [&](ExprPtr& slot) {
    if (slot->kind == ExprKind::Local) {
      auto it = map.find(slot->local);
      if (it != map.end()) slot = local(it->second, slot->type);
    } else if (time_offset && slot->kind == ExprKind::Input && slot->input == Input::Time) {
      slot = binary(BinaryOp::Add, input(Input::Time), clone(*time_offset));
    }
  });
  return std::move(holder[0]->value);
}

ExprPtr sum(ExprPtr a, ExprPtr b) {
  if (!a) return b;
  if (!b) return a;
  return binary(BinaryOp::Add, std::move(a), std::move(b));
}

class Solver {
 public:
  Solver(Module& m, Kernel& k, Stmt& s, const Options& o, diag::Diagnostics& d, int& propagators)
      : m_(m), k_(k), s_(s), options_(o), diags_(d), propagator_count_(propagators) {
    for (const Equation& eq : s.equations) states_.push_back(eq.state);
  }

  Block run() {
    hoist_draws();
    ir::Solver choice = options_.solver ? *options_.solver : s_.solver;
    if (choice == ir::Solver::Auto || choice == ir::Solver::Exact) {
      if (exact()) return std::move(out_);
      if (choice == ir::Solver::Exact && !options_.solver)
        diags_.report(diag::DiagId::exact_solver_not_linear, s_.range,
                      k_.kind == GENNC_KERNEL_NEURON ? m_.populations[k_.owner].model : k_.name);
      choice = ir::Solver::RK4;
    }
    switch (choice) {
      case ir::Solver::Euler: euler(); break;
      case ir::Solver::ExponentialEuler: exponential_euler(); break;
      case ir::Solver::Adaptive: adaptive(); break;
      default: rk4(); break;
    }
    // Explicit schemes evaluate the right-hand sides every step (RK4 four times); the
    // exact propagators above keep their divisions, and with them their exact results.
    if (choice != ir::Solver::Adaptive) multiply_by_reciprocals(out_);
    return std::move(out_);
  }

 private:
  Type real() const { return m_.real; }
  std::size_t n() const { return states_.size(); }
  const std::string& name(std::size_t i) const { return k_.locals[states_[i]].name; }
  ExprPtr h() const { return make_const(real(), m_.dt); }
  ExprPtr state(std::size_t i) const { return local(states_[i], k_.locals[states_[i]].type); }

  LocalId bind(const std::string& local_name, ExprPtr value) {
    LocalId id = k_.add_local(local_name, value->type);
    out_.push_back(let(id, std::move(value), s_.range));
    return id;
  }

  // Every random draw in a right-hand side is taken once, before the scheme evaluates the
  // right-hand sides (possibly several times).
  void hoist_draws() {
    Block holder;
    for (Equation& eq : s_.equations) holder.push_back(let(0, std::move(eq.rhs)));
    for_each_expr_slot(holder, [&](ExprPtr& slot) {
      if (slot->kind != ExprKind::Random) return;
      Type t = slot->type;
      LocalId id = bind("draw", std::move(slot));
      slot = local(id, t);
    });
    for (std::size_t i = 0; i < n(); ++i) s_.equations[i].rhs = std::move(holder[i]->value);
  }

  // Assigns the new values (computed into `next` locals) to the states.
  void commit(const std::vector<LocalId>& next) {
    for (std::size_t i = 0; i < n(); ++i)
      out_.push_back(assign(states_[i], local(next[i], k_.locals[next[i]].type), s_.range));
  }

  // ---- exact integration -------------------------------------------------------------------

  bool exact() {
    for (LocalId s : states_)
      if (!is_float(k_.locals[s].type)) return false;
    std::vector<const Expr*> rhs;
    for (const Equation& eq : s_.equations) rhs.push_back(eq.rhs.get());
    auto sys = affine_system(states_, rhs);
    if (!sys) return false;
    bool constant = true;
    for (auto& row : sys->a) {
      for (auto& entry : row) {
        if (!entry) continue;
        entry = fold(std::move(entry));
        if (!is_step_invariant(*entry, m_)) return false;
        if (!is_const(*entry)) constant = false;
      }
    }
    if (constant) return exact_constant(*sys);
    bool uniform = true;
    for (const auto& row : sys->a)
      for (const auto& entry : row)
        if (entry && !is_uniform(*entry)) uniform = false;
    if (uniform) {
      exact_in_derived_kernel(*sys, true);
      return true;
    }
    if (k_.kind != GENNC_KERNEL_NEURON) return false;
    exact_in_derived_kernel(*sys, false);
    return true;
  }

  // Whether a (step-invariant) coefficient is one value for every element: constants and
  // scalar arrays only (settable parameters under --runtime-parameters).
  bool is_uniform(const Expr& e) const {
    if (e.kind == ExprKind::Input && e.input == Input::Index) return false;
    if (e.kind == ExprKind::Load) return m_.arrays[e.array].scope == GENNC_SCOPE_SCALAR;
    return std::all_of(e.operands.begin(), e.operands.end(), [&](const ExprPtr& op) { return is_uniform(*op); });
  }

  // x_i(t + dt) = x_i + sum_j E_ij x_j + sum_j Phi_ij b_j with E = P - I and Phi supplied
  // by `e` / `phi` (null: a structural or exact zero). Adding a small increment to x_i
  // rather than multiplying by P keeps f32 state within float rounding of the exact
  // solution: P's own rounding would bias the steady state by (1 - P)^-1 ulps.
  void apply(const std::function<ExprPtr(std::size_t, std::size_t)>& e,
             const std::function<ExprPtr(std::size_t, std::size_t)>& phi, AffineSystem& sys) {
    std::vector<LocalId> b(n(), kNone);
    for (std::size_t j = 0; j < n(); ++j)
      if (sys.b[j]) b[j] = bind(name(j) + ".b", as_real(std::move(sys.b[j])));
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) {
      ExprPtr increment;
      for (std::size_t j = 0; j < n(); ++j)
        if (ExprPtr c = e(i, j)) increment = sum(std::move(increment), binary(BinaryOp::Mul, std::move(c), state(j)));
      for (std::size_t j = 0; j < n(); ++j)
        if (b[j] != kNone)
          if (ExprPtr c = phi(i, j))
            increment = sum(std::move(increment), binary(BinaryOp::Mul, std::move(c), local(b[j], real())));
      ExprPtr value = increment ? binary(BinaryOp::Add, state(i), std::move(increment)) : state(i);
      next.push_back(bind(name(i) + ".next", std::move(value)));
    }
    commit(next);
  }

  ExprPtr as_real(ExprPtr e) const { return e->type == real() ? std::move(e) : cast(real(), std::move(e)); }

  bool exact_constant(AffineSystem& sys) {
    Matrix a(n(), std::vector<double>(n(), 0.0));
    for (std::size_t i = 0; i < n(); ++i)
      for (std::size_t j = 0; j < n(); ++j)
        if (sys.a[i][j]) a[i][j] = const_value(*sys.a[i][j]);
    Propagator prop = exact_propagator(a, m_.dt);
    for (const auto& row : prop.p)
      for (double v : row)
        if (!std::isfinite(v)) return false;
    auto constant = [&](const Matrix& mat) {
      return [&, mat](std::size_t i, std::size_t j) -> ExprPtr {
        return mat[i][j] == 0.0 ? nullptr : make_const(real(), mat[i][j]);
      };
    };
    apply(constant(prop.e), constant(prop.phi), sys);
    return true;
  }

  // The propagators are not compile-time constants: a derived kernel computes them (the
  // series and squarings of propagator.h, in double) into derived arrays. Per element
  // (`uniform` false: a neuron kernel whose coefficients differ per neuron), the
  // population's derived kernel computes each neuron's into per-neuron arrays. Uniform
  // (coefficients of scalar arrays, settable parameters): element 0 of the derived kernel
  // of the population the kernel runs over computes them once, inside `if (index == 0)`
  // after that kernel's own scalar stores, into scalar arrays. Coefficients are computed in
  // the real type, as the compiler folds constant ones, and the series in f64. Coefficients that read a
  // scalar derived array the derived kernel stores read the local it stores instead:
  // other elements must not read what element 0 may not have written yet.
  void exact_in_derived_kernel(AffineSystem& sys, bool uniform) {
    std::uint32_t pop = population_of_kernel();
    Kernel& dk = derived_kernel(pop);
    const std::map<ArrayId, LocalId> stored = stored_scalars(dk);
    auto coefficient = [&](const Expr& e) {
      Block holder;
      holder.push_back(let(0, clone(e)));
      for_each_expr_slot(holder, [&](ExprPtr& slot) {
        if (slot->kind != ExprKind::Load) return;
        auto it = stored.find(slot->array);
        if (it != stored.end()) slot = local(it->second, dk.locals[it->second].type);
      });
      return std::move(holder[0]->value);
    };
    Block scalar;  // uniform: the computation, run by element 0 only
    std::vector<std::vector<bool>> nz(n(), std::vector<bool>(n(), false));
    for (std::size_t i = 0; i < n(); ++i)
      for (std::size_t j = 0; j < n(); ++j) nz[i][j] = sys.a[i][j] != nullptr;
    auto pattern = propagator_pattern(nz);

    Block& d = uniform ? scalar : dk.body;
    auto dlet = [&](const std::string& nm, ExprPtr v) {
      LocalId id = dk.add_local(nm, Type::F64);
      d.push_back(let(id, std::move(v), s_.range));
      return id;
    };
    using LMatrix = std::vector<std::vector<LocalId>>;
    auto empty = [&] { return LMatrix(n(), std::vector<LocalId>(n(), kNone)); };
    auto get = [&](const LMatrix& mat, std::size_t i, std::size_t j) -> ExprPtr {
      return mat[i][j] == kNone ? nullptr : local(mat[i][j], Type::F64);
    };
    // A's entries in the real type, as the compiler folds a constant coefficient, then in
    // f64; the series and doublings as IR loops (emit_propagator.h).
    LMatrix a = empty(), e = empty(), phi = empty();
    for (std::size_t i = 0; i < n(); ++i)
      for (std::size_t j = 0; j < n(); ++j) {
        if (sys.a[i][j]) {
          ExprPtr c = coefficient(*sys.a[i][j]);
          a[i][j] = dlet(fmt::format("A.{}.{}", i, j), c->type == Type::F64 ? std::move(c) : cast(Type::F64, std::move(c)));
        }
        if (pattern[i][j]) {
          e[i][j] = dlet(fmt::format("E.{}.{}", i, j), fconst(Type::F64, 0.0));
          phi[i][j] = dlet(fmt::format("Phi.{}.{}", i, j), fconst(Type::F64, 0.0));
        }
      }
    LocalId hs = dlet("propagator.h", fconst(Type::F64, std::ldexp(m_.dt, -kSquarings)));
    emit_propagator(dk, d, a, hs, iconst(Type::U32, kSquarings), e, phi, s_.range);
    // Store E = P - I and Phi where they can be non-zero (E_ij: some A_iq with q reaching
    // j; Phi: the pattern); the update kernel reads them.
    std::string prefix = fmt::format("{}.propagator{}", owner_name(), propagator_count_++);
    auto at = [&]() { return uniform ? iconst(Type::U32, 0) : input(Input::Index); };
    auto e_nonzero = [&](std::size_t i, std::size_t j) {
      for (std::size_t q = 0; q < n(); ++q)
        if (a[i][q] != kNone && pattern[q][j]) return true;
      return false;
    };
    auto store_matrix = [&](const LMatrix& mat, const char* tag, bool is_e) {
      std::vector<std::vector<ArrayId>> ids(n(), std::vector<ArrayId>(n(), kNone));
      for (std::size_t i = 0; i < n(); ++i)
        for (std::size_t j = 0; j < n(); ++j) {
          if (!pattern[i][j] || (is_e && !e_nonzero(i, j))) continue;
          ExprPtr v = get(mat, i, j);
          Array arr;
          arr.name = fmt::format("{}.{}_{}_{}", prefix, tag, name(i), name(j));
          arr.dtype = *storage_type(real());
          arr.scope = uniform ? GENNC_SCOPE_SCALAR : GENNC_SCOPE_NEURON;
          arr.owner = pop;
          arr.flags = GENNC_ARRAY_DERIVED;
          ArrayId id = m_.add_array(arr);
          ids[i][j] = id;
          d.push_back(store(id, at(), real() == Type::F64 ? std::move(v) : cast(real(), std::move(v)), s_.range));
        }
      return ids;
    };
    auto e_ids = store_matrix(e, "E", true);
    auto phi_ids = store_matrix(phi, "Phi", false);
    if (uniform)
      dk.body.push_back(if_(binary(BinaryOp::Eq, input(Input::Index), iconst(Type::U32, 0)), std::move(scalar), {},
                            s_.range));
    auto reader = [&](const std::vector<std::vector<ArrayId>>& ids) {
      return [&, ids](std::size_t i, std::size_t j) -> ExprPtr {
        return ids[i][j] == kNone ? nullptr : load(ids[i][j], real(), at());
      };
    };
    apply(reader(e_ids), reader(phi_ids), sys);
  }

  // The population whose elements the kernel being solved runs over (or, for synapse and
  // current-source kernels, whose derived kernel computes their scalar propagators).
  std::uint32_t population_of_kernel() const {
    switch (k_.kind) {
      case GENNC_KERNEL_NEURON:
      case GENNC_KERNEL_DERIVED: return k_.owner;
      case GENNC_KERNEL_CURRENT_SOURCE: return m_.injections[k_.owner].target.population;
      case GENNC_KERNEL_SYNAPSE_PRE:
      case GENNC_KERNEL_TRACE_PRE: return m_.projections[k_.owner].pre.population;
      case GENNC_KERNEL_SYNAPSE_POST:
      case GENNC_KERNEL_TRACE_POST:
      case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
      case GENNC_KERNEL_DERIVED_SYNAPSE: return m_.projections[k_.owner].post.population;
    }
    return k_.owner;
  }

  // What the propagator arrays are named after: the kernel's population, projection or
  // injection.
  const std::string& owner_name() const {
    switch (k_.kind) {
      case GENNC_KERNEL_NEURON:
      case GENNC_KERNEL_DERIVED: return m_.populations[k_.owner].name;
      case GENNC_KERNEL_CURRENT_SOURCE: return m_.injections[k_.owner].name;
      default: return m_.projections[k_.owner].name;
    }
  }

  // The scalar derived arrays a derived kernel stores from a local of its top level,
  // `let %x = ...; if (index == 0) { store @a[0] = %x }` (specialise_uniform_parameters),
  // by array.
  std::map<ArrayId, LocalId> stored_scalars(const Kernel& dk) const {
    std::map<ArrayId, LocalId> out;
    std::set<LocalId> top;
    for (const StmtPtr& s : dk.body) {
      if (s->kind == StmtKind::Let) top.insert(s->local);
      if (s->kind != StmtKind::If) continue;
      for (const StmtPtr& t : s->body)
        if (t->kind == StmtKind::Store && m_.arrays[t->array].scope == GENNC_SCOPE_SCALAR &&
            t->value->kind == ExprKind::Local && top.count(t->value->local))
          out[t->array] = t->value->local;
    }
    return out;
  }

  Kernel& derived_kernel(std::uint32_t pop) {
    for (std::uint32_t i : m_.init_schedule)
      if (m_.kernels[i].kind == GENNC_KERNEL_DERIVED && m_.kernels[i].owner == pop) return m_.kernels[i];
    // Adding a kernel may move the vector: the kernel being rewritten is found again by
    // its index afterwards (see solve_odes below).
    Kernel k;
    k.name = m_.populations[pop].name + ".derived";
    k.kind = GENNC_KERNEL_DERIVED;
    k.owner = pop;
    k.range = k_.range;
    m_.kernels.push_back(std::move(k));
    m_.init_schedule.push_back(static_cast<std::uint32_t>(m_.kernels.size() - 1));
    return m_.kernels.back();
  }

  // ---- explicit schemes ------------------------------------------------------------------

  void rk4() {
    // Stage values x + c k, time t + c dt; then x += dt/6 (k1 + 2 k2 + 2 k3 + k4).
    std::vector<std::vector<LocalId>> k(4);
    std::map<LocalId, LocalId> at;
    const double offsets[4] = {0.0, 0.5, 0.5, 1.0};
    for (int stage = 0; stage < 4; ++stage) {
      ExprPtr dt_offset = offsets[stage] == 0.0 ? nullptr : fconst(Type::F64, offsets[stage] * m_.dt);
      for (std::size_t i = 0; i < n(); ++i)
        k[stage].push_back(bind(fmt::format("{}.k{}", name(i), stage + 1),
                                substitute(*s_.equations[i].rhs, at, dt_offset.get())));
      if (stage == 3) break;
      at.clear();
      for (std::size_t i = 0; i < n(); ++i) {
        ExprPtr step = binary(BinaryOp::Mul, make_const(real(), offsets[stage + 1] * m_.dt), local(k[stage][i], real()));
        at[states_[i]] = bind(fmt::format("{}.x{}", name(i), stage + 2), binary(BinaryOp::Add, state(i), std::move(step)));
      }
    }
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) {
      ExprPtr two = make_const(real(), 2.0);
      ExprPtr weighted = binary(
          BinaryOp::Add,
          binary(BinaryOp::Add, local(k[0][i], real()), binary(BinaryOp::Mul, clone(*two), local(k[1][i], real()))),
          binary(BinaryOp::Add, binary(BinaryOp::Mul, clone(*two), local(k[2][i], real())), local(k[3][i], real())));
      ExprPtr increment = binary(BinaryOp::Mul, make_const(real(), m_.dt / 6.0), std::move(weighted));
      next.push_back(bind(name(i) + ".next", binary(BinaryOp::Add, state(i), std::move(increment))));
    }
    commit(next);
  }

  void euler() {
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i)
      next.push_back(bind(name(i) + ".next",
                          binary(BinaryOp::Add, state(i), binary(BinaryOp::Mul, h(), clone(*s_.equations[i].rhs)))));
    commit(next);
  }

  // x += g(a dt) f(x) with a = d f / d x when f is affine in x (g = expm1(a dt) / a, dt
  // when a = 0): exact for x' = a x + b with the other states frozen over the step;
  // forward Euler for a variable whose equation is not affine in it.
  void exponential_euler() {
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) {
      const Expr& rhs = *s_.equations[i].rhs;
      bool depends = false;
      auto a = coefficient_of(states_[i], rhs, &depends);
      LocalId f = bind(name(i) + ".f", clone(rhs));
      ExprPtr gain;
      if (a && *a) {
        LocalId coeff = bind(name(i) + ".a", fold(std::move(*a)));
        std::vector<ExprPtr> arg;
        arg.push_back(binary(BinaryOp::Mul, local(coeff, real()), h()));
        ExprPtr ratio = binary(BinaryOp::Div, call(MathFn::Expm1, std::move(arg)), local(coeff, real()));
        gain = select(binary(BinaryOp::Ne, local(coeff, real()), make_const(real(), 0.0)), std::move(ratio), h());
      } else {
        gain = h();
      }
      next.push_back(bind(name(i) + ".next",
                          binary(BinaryOp::Add, state(i), binary(BinaryOp::Mul, std::move(gain), local(f, real())))));
    }
    commit(next);
  }

  // ---- adaptive Runge-Kutta-Fehlberg 4(5) -------------------------------------------------

  // `e` with the states read from the f64 working copies in `at`, t read from `time`, and
  // every f32 operation done in f64: the error control needs more digits than f32 has
  // (a tolerance of 1e-6 mV is below f32's spacing near -65 mV).
  ExprPtr in_f64(const Expr& e, const std::map<LocalId, LocalId>& at, LocalId time) const {
    if (e.kind == ExprKind::Local) {
      auto it = at.find(e.local);
      if (it != at.end()) return local(it->second, Type::F64);
    }
    if (e.kind == ExprKind::Input && e.input == Input::Time) return local(time, Type::F64);
    if (e.kind == ExprKind::Const && e.type == Type::F32) return fconst(Type::F64, e.number);
    if (e.kind == ExprKind::Local || e.kind == ExprKind::Load || e.kind == ExprKind::Input ||
        e.kind == ExprKind::Random || e.kind == ExprKind::Const)
      return e.type == Type::F32 ? cast(Type::F64, clone(e)) : clone(e);
    ExprPtr out = clone(e);
    for (std::size_t i = 0; i < e.operands.size(); ++i) out->operands[i] = in_f64(*e.operands[i], at, time);
    if (e.kind == ExprKind::Cast && e.type == Type::F32)
      return out->operands[0]->type == Type::F64 ? std::move(out->operands[0]) : cast(Type::F64, std::move(out->operands[0]));
    if (out->type == Type::F32) out->type = Type::F64;
    return out;
  }

  // As GSL's gsl_odeiv_step_rkf45 driven by gsl_odeiv_evolve_apply with the control
  // gsl_odeiv_control_y_new(tolerance, 0), which NEST's aeif_* and hh_* models use
  // (nest-simulator models/aeif_cond_exp.cpp, update()): each element advances t -> t + dt
  // in substeps of its own size h, carried from step to step in `<pop>.integration_step`
  // (NEST's IntegrationStep_). A substep of h' = min(h, dt - elapsed) takes the fifth-order
  // solution and estimates its error by the embedded fourth-order one; with
  // r = max_i |err_i| / tolerance, r > 1.1 rejects it and retries with
  // h' max(0.2, 0.9 r^-1/5), else it is kept and h = h' min(5, max(1, 0.9 r^-1/6)) when
  // r < 0.5, h' otherwise. At most kMaxSubsteps tries per step: an element that needs more
  // stops short of t + dt and stores NaN as its step size, which check_finite_states
  // reports as GENNC_FAULT_SUBSTEPS (a stiff or exploding system is an error, not a hang).
  void adaptive() {
    static constexpr std::uint32_t kMaxSubsteps = 10000;
    // Butcher tableau (Fehlberg 1969; GSL rkf45.c): stage times, stage weights, the fifth-
    // order weights and the fifth- minus fourth-order weights (the error estimate).
    static const double c[6] = {0.0, 1.0 / 4, 3.0 / 8, 12.0 / 13, 1.0, 1.0 / 2};
    static const std::vector<std::vector<double>> a = {
        {},
        {1.0 / 4},
        {3.0 / 32, 9.0 / 32},
        {1932.0 / 2197, -7200.0 / 2197, 7296.0 / 2197},
        {439.0 / 216, -8.0, 3680.0 / 513, -845.0 / 4104},
        {-8.0 / 27, 2.0, -3544.0 / 2565, 1859.0 / 4104, -11.0 / 40}};
    static const double b5[6] = {16.0 / 135, 0.0, 6656.0 / 12825, 28561.0 / 56430, -9.0 / 50, 2.0 / 55};
    static const double error_weights[6] = {1.0 / 360, 0.0, -128.0 / 4275, -2197.0 / 75240, 1.0 / 50, 2.0 / 55};
    const Type f64 = Type::F64;
    auto f = [&](double v) { return fconst(f64, v); };
    auto var = [&](LocalId id) { return local(id, k_.locals[id].type); };
    auto fn = [&](MathFn which, ExprPtr x, ExprPtr y) {
      std::vector<ExprPtr> args;
      args.push_back(std::move(x));
      args.push_back(std::move(y));
      return call(which, std::move(args));
    };
    auto define = [&](Block& into, const std::string& nm, ExprPtr value) {
      LocalId id = k_.add_local(nm, value->type);
      into.push_back(let(id, std::move(value), s_.range));
      return id;
    };
    auto set = [&](Block& into, LocalId id, ExprPtr value) { into.push_back(assign(id, std::move(value), s_.range)); };

    // Per neuron, the last substep size: 0 (as initialised) means none yet, start from dt.
    ArrayId step_array = kNone;
    if (k_.kind == GENNC_KERNEL_NEURON) {
      step_array = m_.add_internal_state(integration_step_name(m_.populations[k_.owner].name), "ms", GENNC_F64,
                                         k_.owner);
    }
    std::vector<LocalId> y;
    for (std::size_t i = 0; i < n(); ++i)
      y.push_back(define(out_, name(i) + ".y", state(i)->type == f64 ? state(i) : cast(f64, state(i))));
    ExprPtr start = f(m_.dt);
    if (step_array != kNone) {
      LocalId stored = define(out_, "integration_step", load(step_array, f64, input(Input::Index)));
      start = select(binary(BinaryOp::Gt, var(stored), f(0.0)), var(stored), std::move(start));
    }
    LocalId step = define(out_, "substep", std::move(start));
    LocalId elapsed = define(out_, "elapsed", f(0.0));
    LocalId tries = define(out_, "substeps", iconst(Type::U32, 0));

    Block loop;
    // A substep that would leave less than 1e-12 dt is the last: rounding of the elapsed
    // time must not leave a sliver, whose size would become the next step's start.
    LocalId last = define(loop, "last_substep", binary(BinaryOp::Ge, binary(BinaryOp::Add, var(step), f(1e-12 * m_.dt)),
                                                       binary(BinaryOp::Sub, f(m_.dt), var(elapsed))));
    LocalId hh = define(loop, "h", select(var(last), binary(BinaryOp::Sub, f(m_.dt), var(elapsed)), var(step)));
    std::vector<std::vector<LocalId>> k(6);
    for (int stage = 0; stage < 6; ++stage) {
      std::map<LocalId, LocalId> at;
      for (std::size_t i = 0; i < n(); ++i) {
        ExprPtr x = var(y[i]);
        ExprPtr sum_k;
        for (std::size_t j = 0; j < a[stage].size(); ++j)
          if (a[stage][j] != 0.0) sum_k = sum(std::move(sum_k), binary(BinaryOp::Mul, f(a[stage][j]), var(k[j][i])));
        if (sum_k) x = binary(BinaryOp::Add, std::move(x), binary(BinaryOp::Mul, var(hh), std::move(sum_k)));
        at[states_[i]] = stage == 0 ? y[i] : define(loop, fmt::format("{}.x{}", name(i), stage + 1), std::move(x));
      }
      ExprPtr offset = var(elapsed);
      if (c[stage] != 0.0) offset = binary(BinaryOp::Add, std::move(offset), binary(BinaryOp::Mul, f(c[stage]), var(hh)));
      LocalId time = define(loop, fmt::format("t{}", stage + 1), binary(BinaryOp::Add, input(Input::Time), std::move(offset)));
      for (std::size_t i = 0; i < n(); ++i)
        k[stage].push_back(define(loop, fmt::format("{}.k{}", name(i), stage + 1), in_f64(*s_.equations[i].rhs, at, time)));
    }
    auto weighted = [&](const double* w, std::size_t i) {
      ExprPtr total;
      for (int stage = 0; stage < 6; ++stage)
        if (w[stage] != 0.0) total = sum(std::move(total), binary(BinaryOp::Mul, f(w[stage]), var(k[stage][i])));
      return binary(BinaryOp::Mul, var(hh), std::move(total));
    };
    ExprPtr worst;
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) {
      next.push_back(define(loop, name(i) + ".next", binary(BinaryOp::Add, var(y[i]), weighted(b5, i))));
      std::vector<ExprPtr> arg;
      arg.push_back(weighted(error_weights, i));
      ExprPtr error = call(MathFn::Fabs, std::move(arg));
      worst = worst ? fn(MathFn::Fmax, std::move(worst), std::move(error)) : std::move(error);
    }
    LocalId ratio = define(loop, "error_ratio", binary(BinaryOp::Div, std::move(worst), f(options_.solver_tolerance)));
    // 0.9 r^(-1/order) (GSL's safety factor S), for the order of the decrease or increase.
    auto scale = [&](double order) {
      return binary(BinaryOp::Mul, f(0.9), fn(MathFn::Pow, var(ratio), f(-1.0 / order)));
    };
    Block reject, accept;
    set(reject, step, binary(BinaryOp::Mul, var(hh), fn(MathFn::Fmax, f(0.2), scale(5.0))));
    for (std::size_t i = 0; i < n(); ++i) set(accept, y[i], var(next[i]));
    set(accept, elapsed, select(var(last), f(m_.dt), binary(BinaryOp::Add, var(elapsed), var(hh))));
    ExprPtr grow = fn(MathFn::Fmin, f(5.0), fn(MathFn::Fmax, f(1.0), scale(6.0)));
    set(accept, step, select(binary(BinaryOp::Lt, var(ratio), f(0.5)), binary(BinaryOp::Mul, var(hh), std::move(grow)), var(hh)));
    loop.push_back(if_(binary(BinaryOp::Gt, var(ratio), f(1.1)), std::move(reject), std::move(accept), s_.range));
    set(loop, tries, binary(BinaryOp::Add, var(tries), iconst(Type::U32, 1)));
    ExprPtr more = binary(BinaryOp::And, binary(BinaryOp::Lt, var(elapsed), f(m_.dt)),
                          binary(BinaryOp::Lt, var(tries), iconst(Type::U32, kMaxSubsteps)));
    out_.push_back(while_(std::move(more), std::move(loop), s_.range));

    if (step_array != kNone) {
      // NaN marks a neuron that could not finish its step (check_finite_states reports it).
      ExprPtr unfinished = binary(BinaryOp::Lt, var(elapsed), f(m_.dt));
      LocalId kept = define(out_, "integration_step.next", select(std::move(unfinished), f(std::nan("")), var(step)));
      out_.push_back(store(step_array, input(Input::Index), var(kept), s_.range));
    }
    for (std::size_t i = 0; i < n(); ++i)
      out_.push_back(assign(states_[i], real() == f64 ? var(y[i]) : cast(real(), var(y[i])), s_.range));
  }

  Module& m_;
  Kernel& k_;
  Stmt& s_;
  const Options& options_;
  diag::Diagnostics& diags_;
  std::vector<LocalId> states_;
  Block out_;
  int& propagator_count_;  // per module: names the propagator arrays
};

}  // namespace

std::string integration_step_name(const std::string& population) { return population + ".integration_step"; }

bool solve_odes(Module& m, const Options& options, diag::Diagnostics& diags) {
  bool changed = false;
  int propagators = 0;
  // Kernels may be added (derived kernels for per-neuron propagators): index, not iterate.
  for (std::size_t ki = 0; ki < m.kernels.size(); ++ki) {
    for (std::size_t si = 0; si < m.kernels[ki].body.size(); ++si) {
      if (m.kernels[ki].body[si]->kind != StmtKind::Integrate) continue;
      m.kernels.reserve(m.kernels.size() + 1);  // derived_kernel() may add one: no reallocation below
      StmtPtr integrate = std::move(m.kernels[ki].body[si]);
      Block code = Solver(m, m.kernels[ki], *integrate, options, diags, propagators).run();
      Block& body = m.kernels[ki].body;
      body.erase(body.begin() + static_cast<std::ptrdiff_t>(si));
      body.insert(body.begin() + static_cast<std::ptrdiff_t>(si), std::make_move_iterator(code.begin()),
                  std::make_move_iterator(code.end()));
      si += code.empty() ? 0 : code.size() - 1;
      changed = true;
    }
  }
  m.stage = Stage::Lowered;
  return changed;
}

}  // namespace gennc::passes
