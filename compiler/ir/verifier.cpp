#include "ir/verifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace gennc::ir {

namespace {

// Kernels of these kinds run every step; the others (derived) after init and parameter changes.
bool is_step_kind(GenncKernelKind k) {
  switch (k) {
    case GENNC_KERNEL_NEURON: case GENNC_KERNEL_CURRENT_SOURCE: case GENNC_KERNEL_SYNAPSE_PRE:
    case GENNC_KERNEL_SYNAPSE_POST: case GENNC_KERNEL_TRACE_PRE: case GENNC_KERNEL_TRACE_POST:
    case GENNC_KERNEL_SYNAPSE_CONTINUOUS: return true;
    default: return false;
  }
}

class Verifier {
 public:
  explicit Verifier(const Module& m) : m_(m) {}

  std::vector<std::string> run() {
    if (m_.real != Type::F32 && m_.real != Type::F64) fail("module", "real type must be f32 or f64");
    for (std::size_t i = 0; i < m_.arrays.size(); ++i) check_array(i);
    for (const Population& p : m_.populations) check_population(p);
    for (const Projection& p : m_.projections) check_projection(p);
    for (const Injection& inj : m_.injections) check_selection(inj.name, inj.target);
    for (const Recording& r : m_.recordings) {
      if (r.array >= m_.arrays.size()) fail("record " + r.variable, "names no array");
      if (r.injection != kNone) {
        if (r.injection >= m_.injections.size()) fail("record " + r.variable, "names no injection");
        else if (r.kind != GENNC_RECORD_VARIABLE || r.target.population != m_.injections[r.injection].target.population ||
                 r.target.count != m_.injections[r.injection].target.count)
          fail("record " + r.variable, "a current source's recording must sample its injection's targets");
        else if (r.array < m_.arrays.size() && m_.arrays[r.array].scope != GENNC_SCOPE_LIST)
          fail("record " + r.variable, "a current source's state is not a per-target list array");
      }
      if (r.interval_steps == 0) fail("record " + r.variable, "interval of 0 steps");
      check_selection("record " + r.variable, r.target);
    }
    for (const SynapseRecording& r : m_.synapse_recordings) {
      if (r.projection >= m_.projections.size()) fail("record " + r.name, "names no projection");
      else if (m_.projections[r.projection].column_array == kNone ||
               m_.projections[r.projection].form != RowForm::Sparse)
        fail("record " + r.name, "its projection's synapses are not stored as rows");
      if (r.array >= m_.arrays.size()) fail("record " + r.name, "names no array");
      else if (m_.arrays[r.array].scope != GENNC_SCOPE_SYNAPSE || m_.arrays[r.array].owner != r.projection)
        fail("record " + r.name, "is not a per-synapse array of its projection");
    }
    for (std::uint32_t k : m_.init_schedule) {
      if (k >= m_.kernels.size()) fail("init_schedule", fmt::format("kernel {} does not exist", k));
      else if (is_step_kind(m_.kernels[k].kind)) fail("init_schedule", m_.kernels[k].name + " is not a derived kernel");
    }
    for (std::uint32_t k : m_.step_schedule) {
      if (k >= m_.kernels.size()) fail("step_schedule", fmt::format("kernel {} does not exist", k));
      else if (!is_step_kind(m_.kernels[k].kind)) fail("step_schedule", m_.kernels[k].name + " is a derived kernel");
    }
    if (!m_.step_stages.empty()) {
      // Every step kernel in exactly one stage, no stage empty.
      std::vector<std::uint32_t> staged;
      for (const std::vector<std::uint32_t>& stage : m_.step_stages) {
        if (stage.empty()) fail("step_stages", "an empty stage");
        staged.insert(staged.end(), stage.begin(), stage.end());
      }
      std::vector<std::uint32_t> scheduled = m_.step_schedule;
      std::sort(staged.begin(), staged.end());
      std::sort(scheduled.begin(), scheduled.end());
      if (staged != scheduled) fail("step_stages", "the stages do not hold the step schedule's kernels once each");
    }
    for (const SynapseFunction& f : m_.synapse_functions) {
      where_ = f.name;
      kernel_ = nullptr;
      if (!f.value) fail(f.name, "no value");
      else if (check_expr(*f.value) != Type::F64) fail(f.name, "value is not f64");
    }
    for (const Kernel& k : m_.kernels) check_kernel(k);
    return std::move(problems_);
  }

 private:
  void fail(const std::string& where, const std::string& what) { problems_.push_back(where + ": " + what); }
  void fail(const std::string& what) { fail(where_, what); }

  bool array_ok(ArrayId id) const { return id < m_.arrays.size(); }

  void check_array(std::size_t i) {
    const Array& a = m_.arrays[i];
    std::string where = fmt::format("array {} {}", i, a.name);
    if (!names_.insert(a.name).second) fail(where, "duplicate array name");
    switch (a.scope) {
      case GENNC_SCOPE_NEURON:
      case GENNC_SCOPE_RING:
        if (a.owner >= m_.populations.size()) fail(where, "owner is not a population");
        break;
      case GENNC_SCOPE_SYNAPSE:
      case GENNC_SCOPE_ROW_POINTER:
      case GENNC_SCOPE_COLUMN_POINTER:
        if (a.owner >= m_.projections.size()) fail(where, "owner is not a projection");
        break;
      default: break;
    }
    if (a.init.kind == GENNC_INIT_LIST && a.scope == GENNC_SCOPE_LIST && a.init.values.size() != a.length)
      fail(where, "list init length differs from the array length");
    if (a.init.kind == GENNC_INIT_SYNAPSE_KERNEL && a.init.kernel >= m_.synapse_functions.size())
      fail(where, "init names no synapse function");
  }

  void check_selection(const std::string& where, const Selection& s) {
    if (s.population >= m_.populations.size()) {
      fail(where, "selection names no population");
      return;
    }
    if (s.kind == GENNC_SELECT_LIST && s.indices.size() != s.count) fail(where, "selection count differs from its list");
    std::uint32_t size = m_.populations[s.population].size;
    for (std::uint32_t i : s.indices)
      if (i >= size) fail(where, fmt::format("selected neuron {} is outside the population", i));
  }

  void check_population(const Population& p) {
    for (ArrayId a : {p.spike_count_array, p.spike_list_array, p.ring_depth_array})
      if (!array_ok(a)) fail("population " + p.name, "spike or ring array missing");
    if (p.spike_multiplicity_array != kNone && !array_ok(p.spike_multiplicity_array))
      fail("population " + p.name, "spike multiplicity array missing");
    if (p.spike_time_array != kNone && !array_ok(p.spike_time_array))
      fail("population " + p.name, "spike time array missing");
  }

  void check_projection(const Projection& p) {
    std::string where = "projection " + p.name;
    check_selection(where, p.pre);
    check_selection(where, p.post);
    if (!array_ok(p.row_pointer_array)) fail(where, "connectivity array missing");
    const auto index = static_cast<std::uint32_t>(&p - m_.projections.data());
    // Procedural and bitmask projections keep nothing per synapse; dense and diagonal ones
    // only values; none of the four has column access.
    const bool values = p.form == RowForm::Dense || p.form == RowForm::Diagonal;
    if (p.form != RowForm::Sparse) {
      for (const Array& a : m_.arrays)
        if (a.scope == GENNC_SCOPE_SYNAPSE && a.owner == index && !values)
          fail(where, "procedural or bitmask projection with per-synapse array " + a.name);
      if (p.column_pointer_array != kNone) fail(where, "unstored rows with column pointers");
    }
    if (p.form == RowForm::Diagonal && p.pre.count != p.post.count)
      fail(where, "diagonal projection between selections of different sizes");
    if (p.form == RowForm::Procedural || values) {
      if (p.column_array != kNone) fail(where, "procedural, dense or diagonal projection with a column array");
    } else if (!array_ok(p.column_array)) {
      fail(where, "connectivity array missing");
    } else if (p.form == RowForm::Bitmask) {
      const Array& bits = m_.arrays[p.column_array];
      std::uint64_t words = (std::uint64_t{p.post.count} + 31) / 32;
      if (bits.scope != GENNC_SCOPE_LIST || bits.dtype != GENNC_U32 || bits.length != std::uint64_t{p.pre.count} * words)
        fail(where, "bitmask is not a u32 list of n_pre rows of ceil(n_post / 32) words");
    }
    for (ArrayId a : {p.receptor_ring_array, p.column_pointer_array, p.column_synapse_array, p.delay_array,
                      p.weight_from_list})
      if (a != kNone && !array_ok(a)) fail(where, "optional array id out of range");
    if ((p.column_pointer_array == kNone) != (p.column_synapse_array == kNone))
      fail(where, "column pointers and column synapses must come together");
    if (p.delay_array == kNone && p.constant_delay_steps == 0) fail(where, "constant delay of 0 steps");
    if (p.connector.probability != kNone && p.connector.probability >= m_.synapse_functions.size())
      fail(where, "probability names no synapse function");
    if (!p.host_columns.empty() && p.connector.kind != GENNC_CONNECT_FROM_HOST)
      fail(where, "host columns without a from_host connector");
    for (const HostColumn& h : p.host_columns) {
      const auto self = static_cast<std::uint32_t>(&p - m_.projections.data());
      if (!array_ok(h.array) || m_.arrays[h.array].scope != GENNC_SCOPE_SYNAPSE || m_.arrays[h.array].owner != self)
        fail(where, "host column " + h.name + " is not a per-synapse array of the projection");
    }
  }

  void check_kernel(const Kernel& k) {
    kernel_ = &k;
    where_ = "kernel " + k.name;
    declared_.assign(k.locals.size(), false);
    if (k.row_local != kNone && (k.kind != GENNC_KERNEL_SYNAPSE_PRE || k.row_local >= k.locals.size()))
      fail("row loop variable out of range or outside a presynaptic kernel");
    block(k.body);
  }

  void block(const Block& b) {
    for (const StmtPtr& s : b) {
      if (!s) {
        fail("null statement");
        continue;
      }
      stmt(*s);
    }
  }

  bool local_ok(LocalId id) {
    if (id >= kernel_->locals.size()) {
      fail(fmt::format("local {} does not exist", id));
      return false;
    }
    return true;
  }

  void expect(const ExprPtr& e, Type t, const char* what) {
    if (!e) {
      fail(fmt::format("{} missing", what));
      return;
    }
    Type got = check_expr(*e);
    if (got != t) fail(fmt::format("{} has type {}, expected {}", what, to_string(got), to_string(t)));
  }

  Type array_value_type(ArrayId id) { return value_type(m_.arrays[id].dtype); }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
        if (!local_ok(s.local)) return;
        if (declared_[s.local]) fail("local " + kernel_->locals[s.local].name + " declared twice");
        expect(s.value, kernel_->locals[s.local].type, "let value");
        declared_[s.local] = true;
        return;
      case StmtKind::Assign:
        if (!local_ok(s.local)) return;
        if (!declared_[s.local]) fail("assignment to undeclared local " + kernel_->locals[s.local].name);
        expect(s.value, kernel_->locals[s.local].type, "assigned value");
        return;
      case StmtKind::Store:
      case StmtKind::AtomicAdd:
        if (!array_ok(s.array)) {
          fail(fmt::format("store to missing array {}", s.array));
          return;
        }
        expect(s.index, Type::U32, "store index");
        expect(s.value, array_value_type(s.array), "stored value");
        if (s.kind == StmtKind::AtomicAdd && !is_float(array_value_type(s.array)) &&
            array_value_type(s.array) != Type::I32 && array_value_type(s.array) != Type::U32)
          fail("atomic add into a bool array");
        if (s.kind == StmtKind::AtomicAdd && s.local != kNone && local_ok(s.local)) {
          if (!declared_[s.local]) fail("atomic add into undeclared local " + kernel_->locals[s.local].name);
          if (kernel_->locals[s.local].type != array_value_type(s.array)) fail("atomic add's old value has the wrong type");
        }
        if (s.kind == StmtKind::Store && s.local != kNone) fail("store with a result local");
        return;
      case StmtKind::If:
        expect(s.cond, Type::Bool, "if condition");
        if (s.unguarded && !s.otherwise.empty()) fail("unguarded if with an else");
        scoped(s.body);
        scoped(s.otherwise);
        return;
      case StmtKind::For:
        if (!local_ok(s.local)) return;
        if (kernel_->locals[s.local].type != Type::U32) fail("for variable is not u32");
        expect(s.begin, Type::U32, "for begin");
        expect(s.end, Type::U32, "for end");
        if (declared_[s.local]) fail("for variable " + kernel_->locals[s.local].name + " declared twice");
        declared_[s.local] = true;
        scoped(s.body);
        declared_[s.local] = false;
        return;
      case StmtKind::While:
        expect(s.cond, Type::Bool, "while condition");
        scoped(s.body);
        return;
      case StmtKind::ForRow:
        if (!local_ok(s.local)) return;
        if (s.projection >= m_.projections.size()) fail("row loop names no projection");
        else if (m_.projections[s.projection].form != RowForm::Procedural) fail("row loop over a stored projection");
        if (kernel_->locals[s.local].type != Type::U32) fail("row loop variable is not u32");
        expect(s.index, Type::U32, "row position");
        expect(s.begin, Type::U32, "row draw index");
        expect(s.end, Type::U32, "excluded post position");
        if (declared_[s.local]) fail("row loop variable " + kernel_->locals[s.local].name + " declared twice");
        declared_[s.local] = true;
        scoped(s.body);
        declared_[s.local] = false;
        return;
      case StmtKind::ForBits:
        if (!local_ok(s.local)) return;
        if (kernel_->locals[s.local].type != Type::U32) fail("bit loop variable is not u32");
        expect(s.value, Type::U32, "bit loop word");
        if (declared_[s.local]) fail("bit loop variable " + kernel_->locals[s.local].name + " declared twice");
        declared_[s.local] = true;
        scoped(s.body);
        declared_[s.local] = false;
        return;
      case StmtKind::EmitSpike:
        if (s.population >= m_.populations.size()) fail("emit_spike names no population");
        expect(s.index, Type::U32, "spiking neuron index");
        if (s.value) {
          expect(s.value, Type::U32, "spike count");
          if (m_.populations[s.population].spike_multiplicity_array == kNone)
            fail("counted emit_spike for a population without a multiplicity array");
        }
        if (s.time) {
          expect(s.time, Type::F64, "spike time");
          if (m_.populations[s.population].spike_time_array == kNone)
            fail("emit_spike at a time for a population without a spike time array");
        }
        return;
      case StmtKind::Integrate:
        if (m_.stage == Stage::Lowered) fail("integrate statement after solve_odes");
        for (const Equation& eq : s.equations) {
          if (!local_ok(eq.state)) continue;
          if (!declared_[eq.state]) fail("ODE state " + kernel_->locals[eq.state].name + " not declared");
          expect(eq.rhs, kernel_->locals[eq.state].type, "ODE right-hand side");
        }
        return;
      case StmtKind::Threshold:
        if (m_.stage == Stage::Lowered) fail("threshold statement after lower_refractoriness");
        if (s.population >= m_.populations.size()) fail("threshold names no population");
        expect(s.cond, Type::Bool, "threshold condition");
        if (s.refractory) expect(s.refractory, Type::F64, "refractory period");
        for (LocalId id : s.held) local_ok(id);
        scoped(s.body);
        return;
      case StmtKind::PreciseStep:
        if (m_.stage == Stage::Lowered) fail("precise_step statement after solve_precise_steps");
        if (s.population >= m_.populations.size()) fail("precise_step names no population");
        else if (m_.populations[s.population].spike_time_array == kNone) fail("precise_step of a grid population");
        expect(s.cond, Type::Bool, "threshold condition");
        expect(s.index, Type::U32, "event row");
        if (s.refractory) expect(s.refractory, Type::F64, "refractory period");
        for (LocalId id : s.held) local_ok(id);
        for (const Equation& eq : s.equations) {
          if (!local_ok(eq.state)) continue;
          if (!declared_[eq.state]) fail("ODE state " + kernel_->locals[eq.state].name + " not declared");
          expect(eq.rhs, kernel_->locals[eq.state].type, "ODE right-hand side");
        }
        scoped(s.body);
        for (const EventRing& ev : s.events) {
          if (!array_ok(ev.count) || !array_ok(ev.weight) || !array_ok(ev.offset)) {
            fail("precise_step names a missing event array");
            continue;
          }
          if (!local_ok(ev.weight_local)) continue;
          std::vector<bool> saved = declared_;
          declared_[ev.weight_local] = true;
          block(ev.handler);
          declared_ = std::move(saved);
        }
        scoped(s.otherwise);
        return;
    }
  }

  // Locals declared inside a nested block go out of scope at its end.
  void scoped(const Block& b) {
    std::vector<bool> saved = declared_;
    block(b);
    declared_ = std::move(saved);
  }

  Type check_expr(const Expr& e) {
    auto n = e.operands.size();
    auto want = [&](std::size_t count) {
      if (n != count) fail(fmt::format("{} operands where {} expected", n, count));
      return n == count;
    };
    switch (e.kind) {
      case ExprKind::Const:
        want(0);
        break;
      case ExprKind::Input:
        if (e.type != input_type(e.input)) fail(fmt::format("input {} has the wrong type", to_string(e.input)));
        if (kernel_ && e.input >= Input::Pre) fail("synapse function input used in a kernel");
        if (!kernel_ && (e.input == Input::Index || e.input == Input::Time || e.input == Input::Dt || e.input == Input::Step))
          fail("kernel input used in a synapse function");
        break;
      case ExprKind::Local:
        if (!kernel_) {
          fail("local in a synapse function");
          break;
        }
        if (!local_ok(e.local)) break;
        if (!declared_[e.local]) fail("use of undeclared local " + kernel_->locals[e.local].name);
        if (kernel_->locals[e.local].type != e.type) fail("local " + kernel_->locals[e.local].name + " used at the wrong type");
        break;
      case ExprKind::Load:
        if (!want(1)) break;
        if (!array_ok(e.array)) {
          fail(fmt::format("load from missing array {}", e.array));
          break;
        }
        if (check_expr(*e.operands[0]) != Type::U32) fail("load index is not u32");
        if (array_value_type(e.array) != e.type) fail("load from " + m_.arrays[e.array].name + " at the wrong type");
        break;
      case ExprKind::Unary: {
        if (!want(1)) break;
        Type t = check_expr(*e.operands[0]);
        if (e.unary == UnaryOp::Not ? t != Type::Bool : (t != e.type || t == Type::Bool))
          fail(fmt::format("bad operand type {} for {}", to_string(t), to_string(e.unary)));
        break;
      }
      case ExprKind::Binary: {
        if (!want(2)) break;
        Type a = check_expr(*e.operands[0]);
        Type b = check_expr(*e.operands[1]);
        if (a != b) fail(fmt::format("operands of {} disagree: {} and {}", to_string(e.binary), to_string(a), to_string(b)));
        bool logic = e.binary == BinaryOp::And || e.binary == BinaryOp::Or;
        if (logic && a != Type::Bool) fail("logic operator on non-bool operands");
        if (!logic && !is_comparison(e.binary) && a == Type::Bool) fail("arithmetic on bool");
        if (e.binary == BinaryOp::BitAnd && (is_float(a) || is_signed(a))) fail("bitwise and on a float or signed operand");
        Type result = logic || is_comparison(e.binary) ? Type::Bool : a;
        if (e.type != result) fail(fmt::format("{} has type {}, expected {}", to_string(e.binary), to_string(e.type), to_string(result)));
        break;
      }
      case ExprKind::Select: {
        if (!want(3)) break;
        if (check_expr(*e.operands[0]) != Type::Bool) fail("select condition is not bool");
        Type a = check_expr(*e.operands[1]);
        Type b = check_expr(*e.operands[2]);
        if (a != b || a != e.type) fail("select arms disagree");
        break;
      }
      case ExprKind::Call:
        if (!want(static_cast<std::size_t>(arity(e.fn)))) break;
        if (!is_float(e.type)) fail(fmt::format("{} of non-float type", to_string(e.fn)));
        for (const ExprPtr& op : e.operands)
          if (check_expr(*op) != e.type) fail(fmt::format("argument of {} has the wrong type", to_string(e.fn)));
        break;
      case ExprKind::Cast:
        if (!want(1)) break;
        check_expr(*e.operands[0]);
        break;
      case ExprKind::Random: {
        if (!want(static_cast<std::size_t>(parameter_count(e.dist)) + 3)) break;
        if (check_expr(*e.operands[0]) != Type::U64) fail("random step is not u64");
        if (check_expr(*e.operands[1]) != Type::U32) fail("random index is not u32");
        if (check_expr(*e.operands[2]) != Type::U32) fail("random draw number is not u32");
        if (e.type != Type::F64) fail(fmt::format("{} draw is not f64", to_string(e.dist)));
        for (std::size_t i = 3; i < n; ++i)
          if (check_expr(*e.operands[i]) != Type::F64) fail("random parameter is not f64");
        if (e.stream > 0xFFFFu) fail(fmt::format("random stream {} does not fit 16 bits", e.stream));
        if (!streams_.insert(e.stream).second) fail(fmt::format("random stream {} used at two draw sites", e.stream));
        if (e.stream >= m_.next_stream) fail(fmt::format("random stream {} was never allocated", e.stream));
        break;
      }
    }
    return e.type;
  }

  const Module& m_;
  const Kernel* kernel_ = nullptr;
  std::string where_;
  std::vector<bool> declared_;
  std::set<std::string> names_;
  std::set<std::uint32_t> streams_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> verify(const Module& m) { return Verifier(m).run(); }

}  // namespace gennc::ir
