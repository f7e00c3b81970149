#include "passes/solve_precise_steps.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "ir/fold.h"
#include "ir/internal_error.h"
#include "passes/emit_propagator.h"
#include "passes/linear_system.h"
#include "passes/local_builder.h"
#include "passes/propagator.h"

namespace gennc::passes {

using namespace ir;

namespace {

constexpr const char* kPass = "solve_precise_steps";
// Halvings of the sub-interval that holds a threshold crossing: below 1e-12 ms at dt 0.1 ms.
constexpr int kBisections = 50;
// An offset later than any event's (offsets lie in [0, dt]).
constexpr double kNoOffset = 1e300;

ExprPtr f64(double v) { return fconst(Type::F64, v); }
ExprPtr u32(std::int64_t v) { return iconst(Type::U32, v); }

ExprPtr sum(ExprPtr a, ExprPtr b) {
  if (!a) return b;
  if (!b) return a;
  return binary(BinaryOp::Add, std::move(a), std::move(b));
}

// A copy of `e` with the locals of `map` read in their place.
ExprPtr substitute(const Expr& e, const std::map<LocalId, LocalId>& map) {
  Block holder;
  holder.push_back(let(0, clone(e)));
  for_each_expr_slot(holder, [&](ExprPtr& slot) {
    if (slot->kind != ExprKind::Local) return;
    auto it = map.find(slot->local);
    if (it != map.end()) slot = local(it->second, slot->type);
  });
  return std::move(holder[0]->value);
}

class PreciseStepper : private LocalBuilder {
 public:
  PreciseStepper(Module& m, Kernel& k, Stmt& s) : LocalBuilder(k, s.range), m_(m), s_(s) {
    for (const Equation& eq : s.equations) x_.push_back(eq.state);
  }

  Block run() {
    whole_step();
    system();
    prologue();
    events();
    advance(out_, input(Input::Dt));
    for (auto& st : s_.otherwise) out_.push_back(std::move(st));
    restore_held(out_);
    test_at_event(out_);
    for (const EventRing& ev : s_.events) out_.push_back(store(ev.count, clone(*s_.index), u32(0), r_));
    if (refractory_end_ != kNone)
      out_.push_back(store(refractory_end_, input(Input::Index),
                           binary(BinaryOp::Add, input(Input::Time), local(refractory_left_, Type::F64)), r_));
    return std::move(out_);
  }

 private:
  Type real() const { return m_.real; }
  std::size_t n() const { return x_.size(); }
  const std::string& name(std::size_t i) const { return k_.locals[x_[i]].name; }
  ExprPtr state(std::size_t i) const { return local(x_[i], k_.locals[x_[i]].type); }
  ExprPtr as_real(ExprPtr e) const { return e->type == real() ? std::move(e) : cast(real(), std::move(e)); }
  ExprPtr as_f64(ExprPtr e) const { return e->type == Type::F64 ? std::move(e) : cast(Type::F64, std::move(e)); }

  // The state a whole step on from its start, by the grid's exact solver (an Integrate
  // that solve_odes solves with the propagators of dt: compile-time constants, or derived
  // arrays computed once, not per neuron and step): an advance over the whole step, with
  // no event taken before it (most steps), takes it instead of the run-time series.
  void whole_step() {
    std::map<LocalId, LocalId> copies;
    for (std::size_t i = 0; i < n(); ++i) {
      whole_step_.push_back(declare(out_, name(i) + ".whole_step", state(i)));
      copies[x_[i]] = whole_step_.back();
    }
    auto integrate = std::make_unique<Stmt>();
    integrate->kind = StmtKind::Integrate;
    integrate->range = r_;
    integrate->solver = Solver::Exact;
    for (std::size_t i = 0; i < n(); ++i)
      integrate->equations.push_back({whole_step_[i], substitute(*s_.equations[i].rhs, copies), s_.equations[i].range});
    out_.push_back(std::move(integrate));
    event_taken_ = declare(out_, "event.taken", bconst(false));
  }

  // x' = A x + b; the pattern of A and of the propagators.
  void system() {
    std::vector<const Expr*> rhs;
    for (const Equation& eq : s_.equations) rhs.push_back(eq.rhs.get());
    auto sys = affine_system(x_, rhs);
    GENNC_IR_ASSERT(sys.has_value(), kPass, "a precise neuron's ODE system is not affine in its state");
    sys_ = std::move(*sys);
    nz_.assign(n(), std::vector<bool>(n(), false));
    for (std::size_t i = 0; i < n(); ++i)
      for (std::size_t j = 0; j < n(); ++j) nz_[i][j] = sys_.a[i][j] != nullptr;
    pattern_ = propagator_pattern(nz_);
  }

  // The coefficients (f64) and the constant terms (real), the propagator locals, the
  // position in the step and the time left in the refractory period.
  void prologue() {
    a_.assign(n(), std::vector<LocalId>(n(), kNone));
    e_ = a_;
    phi_ = a_;
    for (std::size_t i = 0; i < n(); ++i)
      for (std::size_t j = 0; j < n(); ++j) {
        if (nz_[i][j]) a_[i][j] = declare(out_, fmt::format("A.{}.{}", name(i), name(j)), as_f64(fold(std::move(sys_.a[i][j]))));
        if (pattern_[i][j]) {
          e_[i][j] = declare(out_, fmt::format("E.{}.{}", name(i), name(j)), f64(0.0));
          phi_[i][j] = declare(out_, fmt::format("Phi.{}.{}", name(i), name(j)), f64(0.0));
        }
      }
    ExprPtr norm;  // max_i sum_j |A_ij|
    for (std::size_t i = 0; i < n(); ++i) {
      ExprPtr row;
      for (std::size_t j = 0; j < n(); ++j) {
        if (a_[i][j] == kNone) continue;
        std::vector<ExprPtr> arg;
        arg.push_back(get(a_[i][j]));
        row = sum(std::move(row), call(MathFn::Fabs, std::move(arg)));
      }
      if (!row) continue;
      if (!norm) {
        norm = std::move(row);
        continue;
      }
      std::vector<ExprPtr> both;
      both.push_back(std::move(norm));
      both.push_back(std::move(row));
      norm = call(MathFn::Fmax, std::move(both));
    }
    a_norm_ = declare(out_, "A.norm", norm ? std::move(norm) : f64(0.0));
    b_.assign(n(), kNone);
    for (std::size_t j = 0; j < n(); ++j)
      if (sys_.b[j]) b_[j] = declare(out_, name(j) + ".b", as_real(std::move(sys_.b[j])));
    position_ = declare(out_, "step_position", f64(0.0));
    if (s_.refractory) {
      const Population& pop = m_.populations[s_.population];
      refractory_end_ = m_.add_internal_state(pop.name + ".refractory_end", "ms", GENNC_F64, s_.population);
      refractory_left_ = declare(out_, "refractory_left",
                                 binary(BinaryOp::Sub, load(refractory_end_, Type::F64, input(Input::Index)),
                                        input(Input::Time)));
      // The held variables' values while refractory: those the last reset left (a neuron
      // refractory at the step's start has held them since).
      for (LocalId h : s_.held) held_[h] = declare(out_, k_.locals[h].name + ".held", get(h));
    }
  }

  // While refractory, what a handler changed in the held variables is undone (NEST's
  // default: input to the membrane during the refractory period is lost).
  void restore_held(Block& out) {
    for (auto [h, saved] : held_) set(out, h, select(refractory_at(get(position_)), get(saved), get(h)));
  }

  // E(h) and Phi(h) into e_ and phi_ (docs/ir.md; emit_propagator.h), with as many
  // halvings of h as bring ||A h 2^-s|| (largest row sum) to 1/8 or below, where 12 terms
  // of the series leave less than 1e-21: a few, not the derived propagators' fixed 10,
  // which would cost most steps with an event as much again.
  void propagate(Block& out, LocalId h) {
    LocalId scale = declare(out, "propagator.scale", f64(1.0));
    LocalId halvings = declare(out, "propagator.halvings", u32(0));
    Block halve;
    set(halve, scale, binary(BinaryOp::Mul, get(scale), f64(0.5)));
    set(halve, halvings, binary(BinaryOp::Add, get(halvings), u32(1)));
    ExprPtr scaled_norm = binary(BinaryOp::Mul, binary(BinaryOp::Mul, get(a_norm_), get(h)), get(scale));
    out.push_back(while_(binary(BinaryOp::Gt, std::move(scaled_norm), f64(0.125)), std::move(halve), r_));
    LocalId hs = declare(out, "propagator.h", binary(BinaryOp::Mul, get(h), get(scale)));
    emit_propagator(k_, out, a_, hs, get(halvings), e_, phi_, r_);
  }

  // The state after the advance whose E and Phi were just computed: x + E x + Phi b.
  std::vector<LocalId> advanced(Block& out, const char* tag) {
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) {
      ExprPtr increment;
      for (std::size_t j = 0; j < n(); ++j) {
        if (e_[i][j] == kNone) continue;
        increment = sum(std::move(increment), binary(BinaryOp::Mul, as_real(get(e_[i][j])), state(j)));
        if (b_[j] != kNone)
          increment = sum(std::move(increment), binary(BinaryOp::Mul, as_real(get(phi_[i][j])), get(b_[j])));
      }
      next.push_back(declare(out, name(i) + "." + tag, increment ? binary(BinaryOp::Add, state(i), std::move(increment)) : state(i)));
    }
    return next;
  }

  ExprPtr threshold_at(const std::vector<LocalId>& values) const {
    std::map<LocalId, LocalId> map;
    for (std::size_t i = 0; i < n(); ++i) map[x_[i]] = values[i];
    return substitute(*s_.cond, map);
  }

  ExprPtr refractory_at(ExprPtr position) const {
    if (refractory_left_ == kNone) return bconst(false);
    return binary(BinaryOp::Gt, local(refractory_left_, Type::F64), std::move(position));
  }

  // The spike at `time` (offset in the step, f64), then `reset` and the refractory period.
  void spike(Block& out, LocalId time) {
    out.push_back(emit_spike(s_.population, input(Input::Index), r_, nullptr,
                             binary(BinaryOp::Add, input(Input::Time), local(time, Type::F64))));
    for (const StmtPtr& st : s_.body) out.push_back(clone(*st));
    if (refractory_left_ != kNone)
      set(out, refractory_left_, binary(BinaryOp::Add, local(time, Type::F64), clone(*s_.refractory)));
    for (auto [h, saved] : held_) set(out, saved, get(h));
  }

  // Advances the state exactly from the current position to `target` (f64, in the step):
  // in one piece, or two where the refractory period ends inside (held variables kept until
  // then); the threshold is tested at the end of each piece that starts free.
  void advance(Block& out, ExprPtr target_value) {
    LocalId target = declare(out, "advance.to", std::move(target_value));
    Block piece;
    LocalId refractory = declare(piece, "refractory", refractory_at(get(position_)));
    ExprPtr released_inside =
        refractory_left_ == kNone
            ? bconst(false)
            : binary(BinaryOp::And, local(refractory, Type::Bool),
                     binary(BinaryOp::Lt, local(refractory_left_, Type::F64), get(target)));
    LocalId end = declare(piece, "advance.end",
                          select(std::move(released_inside),
                                 refractory_left_ == kNone ? get(target) : local(refractory_left_, Type::F64),
                                 get(target)));
    LocalId h = declare(piece, "advance.h", binary(BinaryOp::Sub, get(end), get(position_)));
    std::vector<LocalId> next;
    for (std::size_t i = 0; i < n(); ++i) next.push_back(declare(piece, name(i) + ".next", state(i)));
    Block whole, part;
    for (std::size_t i = 0; i < n(); ++i) set(whole, next[i], get(whole_step_[i]));
    propagate(part, h);
    std::vector<LocalId> stepped = advanced(part, "stepped");
    for (std::size_t i = 0; i < n(); ++i) set(part, next[i], get(stepped[i]));
    ExprPtr is_whole = binary(BinaryOp::And, unary(UnaryOp::Not, get(event_taken_)),
                              binary(BinaryOp::Eq, get(h), input(Input::Dt)));
    piece.push_back(if_(std::move(is_whole), std::move(whole), std::move(part), r_));
    for (auto [h, saved] : held_)
      for (std::size_t i = 0; i < n(); ++i)
        if (x_[i] == h) set(piece, next[i], select(local(refractory, Type::Bool), get(saved), get(next[i])));
    Block crossed, free;
    // Bisection on [position, end] for the first point where the threshold holds.
    LocalId low = declare(crossed, "crossing.low", f64(0.0));
    LocalId high = declare(crossed, "crossing.high", get(h));
    LocalId halving = k_.add_local("halving", Type::U32);
    Block bisect;
    LocalId mid = declare(bisect, "crossing.mid", binary(BinaryOp::Mul, f64(0.5), binary(BinaryOp::Add, get(low), get(high))));
    propagate(bisect, mid);
    std::vector<LocalId> at_mid = advanced(bisect, "mid");
    Block above, below;
    set(above, high, get(mid));
    set(below, low, get(mid));
    bisect.push_back(if_(threshold_at(at_mid), std::move(above), std::move(below), r_));
    crossed.push_back(for_(halving, u32(0), u32(kBisections), std::move(bisect), r_));
    LocalId crossing = declare(crossed, "crossing", binary(BinaryOp::Add, get(position_), get(high)));
    for (std::size_t i = 0; i < n(); ++i) set(crossed, x_[i], get(next[i]));
    spike(crossed, crossing);
    for (std::size_t i = 0; i < n(); ++i) set(free, x_[i], get(next[i]));
    ExprPtr fires = binary(BinaryOp::And, unary(UnaryOp::Not, local(refractory, Type::Bool)), threshold_at(next));
    piece.push_back(if_(std::move(fires), std::move(crossed), std::move(free), r_));
    set(piece, position_, get(end));
    out.push_back(while_(binary(BinaryOp::Lt, get(position_), get(target)), std::move(piece), r_));
  }

  // After an event's handler (or the step's input): a threshold that holds at this instant
  // fires here (a jump across it).
  void test_at_event(Block& out) {
    Block fire;
    LocalId now = declare(fire, "event.time", get(position_));
    spike(fire, now);
    ExprPtr fires = binary(BinaryOp::And, unary(UnaryOp::Not, refractory_at(get(position_))), clone(*s_.cond));
    out.push_back(if_(std::move(fires), std::move(fire), {}, r_));
  }

  // The events of the neuron's ring row, earliest first: each pass finds the next (offset,
  // position) after the last one taken, advances to it and runs its receptor's handler.
  void events() {
    if (s_.events.empty()) return;
    const std::uint32_t capacity = static_cast<std::uint32_t>(m_.arrays[s_.events[0].weight].length);
    std::vector<LocalId> counts;
    for (const EventRing& ev : s_.events) {
      ExprPtr c = load(ev.count, Type::U32, clone(*s_.index));
      LocalId raw = declare(out_, k_.locals[ev.weight_local].name + ".count", std::move(c));
      counts.push_back(declare(out_, k_.locals[ev.weight_local].name + ".taken",
                               select(binary(BinaryOp::Lt, get(raw), u32(capacity)), get(raw), u32(capacity))));
    }
    LocalId base = declare(out_, "event.base", binary(BinaryOp::Mul, clone(*s_.index), u32(capacity)));
    LocalId last_offset = declare(out_, "event.last_offset", f64(-1.0));
    LocalId last_position = declare(out_, "event.last_position", u32(0));
    LocalId more = declare(out_, "event.more", bconst(true));
    // Events at one instant are taken together, as NEST sums them: the threshold is tested
    // once their handlers have all run (a delta jump and an equal-time inhibitory one
    // cancel rather than fire), when the next event is later or none is left.
    LocalId untested = declare(out_, "event.untested", bconst(false));
    Block pass;
    LocalId best_offset = declare(pass, "event.offset", f64(kNoOffset));
    LocalId best_position = declare(pass, "event.position", u32(kNone));
    for (std::size_t r = 0; r < s_.events.size(); ++r) {
      LocalId kk = k_.add_local("event.k", Type::U32);
      Block scan;
      LocalId off = declare(scan, "event.candidate", load(s_.events[r].offset, Type::F64,
                                                          binary(BinaryOp::Add, get(base), local(kk, Type::U32))));
      LocalId pos = declare(scan, "event.candidate_position",
                            binary(BinaryOp::Add, u32(static_cast<std::int64_t>(r) * capacity), local(kk, Type::U32)));
      ExprPtr later = binary(BinaryOp::Or, binary(BinaryOp::Gt, get(off), get(last_offset)),
                             binary(BinaryOp::And, binary(BinaryOp::Eq, get(off), get(last_offset)),
                                    binary(BinaryOp::Gt, get(pos), get(last_position))));
      ExprPtr better = binary(BinaryOp::And, std::move(later), binary(BinaryOp::Lt, get(off), get(best_offset)));
      Block take;
      set(take, best_offset, get(off));
      set(take, best_position, get(pos));
      scan.push_back(if_(std::move(better), std::move(take), {}, r_));
      pass.push_back(for_(kk, u32(0), get(counts[r]), std::move(scan), r_));
    }
    set(pass, more, binary(BinaryOp::Ne, get(best_position), u32(kNone)));
    Block test;
    test_at_event(test);
    set(test, untested, bconst(false));
    ExprPtr instant_over = binary(BinaryOp::Or, unary(UnaryOp::Not, get(more)),
                                  binary(BinaryOp::Gt, get(best_offset), get(last_offset)));
    pass.push_back(if_(binary(BinaryOp::And, get(untested), std::move(instant_over)), std::move(test), {}, r_));
    Block found;
    advance(found, get(best_offset));
    for (std::size_t r = 0; r < s_.events.size(); ++r) {
      EventRing& ev = s_.events[r];
      const std::int64_t first = static_cast<std::int64_t>(r) * capacity;
      ExprPtr mine = binary(BinaryOp::And, binary(BinaryOp::Ge, get(best_position), u32(first)),
                            binary(BinaryOp::Lt, get(best_position), u32(first + capacity)));
      Block handler;
      ExprPtr at = binary(BinaryOp::Add, get(base), binary(BinaryOp::Sub, get(best_position), u32(first)));
      handler.push_back(let(ev.weight_local, load(ev.weight, real(), std::move(at)), r_));
      for (auto& st : ev.handler) handler.push_back(std::move(st));
      found.push_back(if_(std::move(mine), std::move(handler), {}, r_));
    }
    restore_held(found);
    set(found, event_taken_, bconst(true));
    set(found, untested, bconst(true));
    set(found, last_offset, get(best_offset));
    set(found, last_position, get(best_position));
    pass.push_back(if_(get(more), std::move(found), {}, r_));
    out_.push_back(while_(get(more), std::move(pass), r_));
  }

  Module& m_;
  Stmt& s_;
  std::vector<LocalId> x_;
  AffineSystem sys_;
  std::vector<std::vector<bool>> nz_, pattern_;
  std::vector<std::vector<LocalId>> a_, e_, phi_;
  std::vector<LocalId> b_;
  LocalId position_ = kNone;
  LocalId a_norm_ = kNone;  // f64: the largest row sum of |A|
  std::vector<LocalId> whole_step_;  // the state a whole step on (whole_step)
  LocalId event_taken_ = kNone;      // bool: an event was taken this step
  ArrayId refractory_end_ = kNone;
  LocalId refractory_left_ = kNone;
  std::map<LocalId, LocalId> held_;  // held variable -> its value while refractory
  Block out_;
};

bool solve(Module& m, Kernel& k, Block& b) {
  bool changed = false;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i]->kind != StmtKind::PreciseStep) continue;
    StmtPtr s = std::move(b[i]);
    Block code = PreciseStepper(m, k, *s).run();
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(i));
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(code.begin()),
             std::make_move_iterator(code.end()));
    i += code.size() - 1;
    changed = true;
  }
  return changed;
}

}  // namespace

bool solve_precise_steps(Module& m, const Options&, diag::Diagnostics&) {
  bool changed = false;
  for (std::size_t ki = 0; ki < m.kernels.size(); ++ki)
    if (m.kernels[ki].kind == GENNC_KERNEL_NEURON) changed = solve(m, m.kernels[ki], m.kernels[ki].body) || changed;
  return changed;
}

}  // namespace gennc::passes
