#include "ir/printer.h"

#include <fmt/format.h>

#include <map>

namespace gennc::ir {

namespace {

const char* scope_name(GenncArrayScope s) {
  switch (s) {
    case GENNC_SCOPE_SCALAR: return "scalar";
    case GENNC_SCOPE_NEURON: return "neuron";
    case GENNC_SCOPE_SYNAPSE: return "synapse";
    case GENNC_SCOPE_RING: return "ring";
    case GENNC_SCOPE_ROW_POINTER: return "row_pointer";
    case GENNC_SCOPE_COLUMN_POINTER: return "column_pointer";
    case GENNC_SCOPE_LIST: return "list";
  }
  return "?";
}

const char* dtype_name(GenncDType d) {
  switch (d) {
    case GENNC_F32: return "f32";
    case GENNC_F64: return "f64";
    case GENNC_I32: return "i32";
    case GENNC_U32: return "u32";
    case GENNC_U8: return "u8";
  }
  return "?";
}

const char* kernel_kind_name(GenncKernelKind k) {
  switch (k) {
    case GENNC_KERNEL_NEURON: return "neuron";
    case GENNC_KERNEL_DERIVED: return "derived";
    case GENNC_KERNEL_CURRENT_SOURCE: return "current_source";
    case GENNC_KERNEL_SYNAPSE_PRE: return "synapse_pre";
    case GENNC_KERNEL_SYNAPSE_POST: return "synapse_post";
    case GENNC_KERNEL_TRACE_PRE: return "trace_pre";
    case GENNC_KERNEL_TRACE_POST: return "trace_post";
    case GENNC_KERNEL_SYNAPSE_CONTINUOUS: return "synapse_continuous";
    default: break;
  }
  return static_cast<int>(k) == 8 ? "derived_synapse" : "?";
}

const char* init_kind_name(GenncInitKind k) {
  switch (k) {
    case GENNC_INIT_ZERO: return "zero";
    case GENNC_INIT_CONSTANT: return "constant";
    case GENNC_INIT_LIST: return "list";
    case GENNC_INIT_UNIFORM: return "uniform";
    case GENNC_INIT_NORMAL: return "normal";
    case GENNC_INIT_NORMAL_CLIPPED: return "normal_clipped";
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY: return "normal_clipped_to_boundary";
    case GENNC_INIT_EXPONENTIAL: return "exponential";
    case GENNC_INIT_GAMMA: return "gamma";
    case GENNC_INIT_LOGNORMAL: return "lognormal";
    case GENNC_INIT_UNIFORM_INT: return "uniform_int";
    case GENNC_INIT_POISSON: return "poisson";
    case GENNC_INIT_BINOMIAL: return "binomial";
    case GENNC_INIT_SYNAPSE_KERNEL: return "synapse_function";
  }
  return "?";
}

int init_param_count(GenncInitKind k) {
  switch (k) {
    case GENNC_INIT_CONSTANT: case GENNC_INIT_EXPONENTIAL: case GENNC_INIT_POISSON: return 1;
    case GENNC_INIT_UNIFORM: case GENNC_INIT_NORMAL: case GENNC_INIT_GAMMA: case GENNC_INIT_LOGNORMAL:
    case GENNC_INIT_UNIFORM_INT: case GENNC_INIT_BINOMIAL: return 2;
    case GENNC_INIT_NORMAL_CLIPPED: case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY: return 4;
    default: return 0;
  }
}

const char* connector_name(GenncConnectorKind k) {
  switch (k) {
    case GENNC_CONNECT_ALL_TO_ALL: return "all_to_all";
    case GENNC_CONNECT_ONE_TO_ONE: return "one_to_one";
    case GENNC_CONNECT_FIXED_PROBABILITY: return "fixed_probability";
    case GENNC_CONNECT_FIXED_NUMBER_PRE: return "fixed_number_pre";
    case GENNC_CONNECT_FIXED_NUMBER_POST: return "fixed_number_post";
    case GENNC_CONNECT_FIXED_TOTAL_NUMBER: return "fixed_total_number";
    case GENNC_CONNECT_DISTANCE_PROBABILITY: return "distance_dependent_probability";
    case GENNC_CONNECT_DISPLACEMENT_PROBABILITY: return "displacement_dependent_probability";
    case GENNC_CONNECT_INDEX_PROBABILITY: return "index_based_probability";
    case GENNC_CONNECT_SMALL_WORLD: return "small_world";
    case GENNC_CONNECT_FROM_LIST: return "from_list";
    case GENNC_CONNECT_FROM_FILE: return "from_file";
    case GENNC_CONNECT_FROM_HOST: return "from_host";
    case GENNC_CONNECT_ARRAY: return "array";
    case GENNC_CONNECT_CLONE: return "clone";
  }
  return "?";
}

int connector_param_count(GenncConnectorKind k) {
  switch (k) {
    case GENNC_CONNECT_FIXED_PROBABILITY: case GENNC_CONNECT_FIXED_NUMBER_PRE: case GENNC_CONNECT_FIXED_NUMBER_POST:
    case GENNC_CONNECT_FIXED_TOTAL_NUMBER: case GENNC_CONNECT_CLONE: return 1;
    case GENNC_CONNECT_SMALL_WORLD: return 2;
    default: return 0;
  }
}

const char* structure_name(GenncStructureKind k) {
  switch (k) {
    case GENNC_STRUCTURE_NONE: return "none";
    case GENNC_STRUCTURE_LINE: return "line";
    case GENNC_STRUCTURE_GRID2D: return "grid2d";
    case GENNC_STRUCTURE_GRID3D: return "grid3d";
    case GENNC_STRUCTURE_RANDOM_IN_BOX: return "random_in_box";
    case GENNC_STRUCTURE_RANDOM_IN_SPHERE: return "random_in_sphere";
  }
  return "?";
}

int structure_param_count(GenncStructureKind k) {
  switch (k) {
    case GENNC_STRUCTURE_LINE: return 4;
    case GENNC_STRUCTURE_GRID2D: return 7;
    case GENNC_STRUCTURE_GRID3D: return 9;
    case GENNC_STRUCTURE_RANDOM_IN_BOX: return 6;
    case GENNC_STRUCTURE_RANDOM_IN_SPHERE: return 4;
    default: return 0;
  }
}

std::string number(double v) { return fmt::format("{}", v); }

std::string flags_text(std::uint32_t flags) {
  static const std::pair<std::uint32_t, const char*> names[] = {
      {GENNC_ARRAY_STATE, "state"},       {GENNC_ARRAY_PARAMETER, "parameter"},
      {GENNC_ARRAY_DERIVED, "derived"},   {GENNC_ARRAY_INTERNAL, "internal"},
      {GENNC_ARRAY_DELAY_STEPS, "delay_steps"}};
  std::string out;
  for (const auto& [bit, name] : names) {
    if (!(flags & bit)) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

class Printer {
 public:
  Printer(const Module* m, const PrintOptions& options) : m_(m), options_(options) {}

  std::string module() {
    out_ += fmt::format("module {} dt={} duration={} seed={} real={} stage={}\n", m_->network_name,
                        number(m_->dt), number(m_->duration), m_->seed, to_string(m_->real),
                        m_->stage == Stage::Lowered ? "lowered" : "high_level");
    for (std::size_t i = 0; i < m_->arrays.size(); ++i) array(i);
    for (std::size_t i = 0; i < m_->populations.size(); ++i) population(i);
    for (std::size_t i = 0; i < m_->projections.size(); ++i) projection(i);
    for (std::size_t i = 0; i < m_->injections.size(); ++i) {
      const Injection& inj = m_->injections[i];
      out_ += fmt::format("injection {} \"{}\" {} into {}\n", i, inj.name, inj.model, selection(inj.target));
    }
    for (const Recording& r : m_->recordings) {
      out_ += fmt::format("record {} of {}{} from {} every {}{}\n", r.variable, selection(r.target),
                          r.injection == kNone ? "" : fmt::format(" targets of injection {}", r.injection),
                          array_ref(r.array), r.interval_steps,
                          r.unit.empty() ? "" : fmt::format(" unit \"{}\"", r.unit));
    }
    for (const SynapseRecording& r : m_->synapse_recordings)
      out_ += fmt::format("record {} of projection {} at the end from {}{}\n", r.name, r.projection,
                          array_ref(r.array), r.unit.empty() ? "" : fmt::format(" unit \"{}\"", r.unit));
    for (std::size_t i = 0; i < m_->synapse_functions.size(); ++i) {
      const SynapseFunction& f = m_->synapse_functions[i];
      out_ += fmt::format("synapse_function {} \"{}\" = {}\n", i, f.name, f.value ? expr(*f.value) : "<null>");
    }
    out_ += "init_schedule:" + schedule(m_->init_schedule) + "\n";
    out_ += "step_schedule:" + schedule(m_->step_schedule) + "\n";
    for (std::size_t s = 0; s < m_->step_stages.size(); ++s)
      out_ += fmt::format("stage {}:{}\n", s, schedule(m_->step_stages[s]));
    if (m_->stage_overlap) out_ += "stages overlap: the last of step n with the first of step n + 1\n";
    exchange();
    for (std::size_t i = 0; i < m_->kernels.size(); ++i) kernel(i);
    return std::move(out_);
  }

  std::string expr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Const:
        if (e.type == Type::Bool) return e.integer ? "true" : "false";
        if (is_float(e.type)) {
          // f32 constants print as the shortest text that reads back as the same float.
          std::string text = e.type == Type::F32 ? fmt::format("{}", static_cast<float>(e.number)) : number(e.number);
          return m_ && e.type == m_->real ? text : text + ":" + to_string(e.type);
        }
        if (e.type == Type::U64) return fmt::format("{}:u64", static_cast<std::uint64_t>(e.integer));
        return fmt::format("{}:{}", e.integer, to_string(e.type));
      case ExprKind::Input: return to_string(e.input);
      case ExprKind::Local: return local_name(e.local);
      case ExprKind::Load: return fmt::format("{}[{}]", array_ref(e.array), expr(*e.operands[0]));
      case ExprKind::Unary:
        return fmt::format("{}{}", e.unary == UnaryOp::Neg ? "-" : "!", operand(*e.operands[0]));
      case ExprKind::Binary:
        return fmt::format("({} {} {})", expr(*e.operands[0]), symbol(e.binary), expr(*e.operands[1]));
      case ExprKind::Select:
        return fmt::format("select({}, {}, {})", expr(*e.operands[0]), expr(*e.operands[1]), expr(*e.operands[2]));
      case ExprKind::Call: return fmt::format("{}({})", to_string(e.fn), list(e.operands, 0));
      case ExprKind::Cast: return fmt::format("{}({})", to_string(e.type), expr(*e.operands[0]));
      case ExprKind::Random:
        return fmt::format("{}<stream {}, step {}, index {}, draw {}>({})", to_string(e.dist), e.stream,
                           expr(*e.operands[0]), expr(*e.operands[1]), expr(*e.operands[2]), list(e.operands, 3));
    }
    return "?";
  }

  void set_kernel(const Kernel* k) {
    k_ = k;
    names_.clear();
    if (!k) return;
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < k->locals.size(); ++i) {
      const std::string& n = k->locals[i].name;
      int count = seen[n]++;
      names_.push_back(count == 0 ? "%" + n : fmt::format("%{}.{}", n, count));
    }
  }

 private:
  static const char* symbol(BinaryOp op) {
    switch (op) {
      case BinaryOp::Add: return "+";
      case BinaryOp::Sub: return "-";
      case BinaryOp::Mul: return "*";
      case BinaryOp::Div: return "/";
      case BinaryOp::Rem: return "%";
      case BinaryOp::Lt: return "<";
      case BinaryOp::Le: return "<=";
      case BinaryOp::Gt: return ">";
      case BinaryOp::Ge: return ">=";
      case BinaryOp::Eq: return "==";
      case BinaryOp::Ne: return "!=";
      case BinaryOp::And: return "&&";
      case BinaryOp::Or: return "||";
      case BinaryOp::BitAnd: return "&";
    }
    return "?";
  }

  std::string operand(const Expr& e) {
    std::string s = expr(e);
    return e.kind == ExprKind::Const && s[0] == '-' ? "(" + s + ")" : s;
  }

  std::string list(const std::vector<ExprPtr>& ops, std::size_t from) {
    std::string s;
    for (std::size_t i = from; i < ops.size(); ++i) {
      if (i > from) s += ", ";
      s += expr(*ops[i]);
    }
    return s;
  }

  std::string local_name(LocalId id) const {
    return id < names_.size() ? names_[id] : fmt::format("%<bad local {}>", id);
  }

  std::string array_ref(ArrayId id) const {
    if (!m_ || id >= m_->arrays.size()) return fmt::format("@<array {}>", id);
    return "@" + m_->arrays[id].name;
  }

  std::string population_name(std::uint32_t id) const {
    return m_ && id < m_->populations.size() ? m_->populations[id].name : fmt::format("<population {}>", id);
  }

  std::string selection(const Selection& s) const {
    std::string pop = population_name(s.population);
    switch (s.kind) {
      case GENNC_SELECT_ALL: return fmt::format("{}[all {}]", pop, s.count);
      case GENNC_SELECT_SLICE: return fmt::format("{}[{}:{}:{} {}]", pop, s.start, s.stop, s.step, s.count);
      case GENNC_SELECT_LIST: return fmt::format("{}[{} {}]", pop, fmt::join(s.indices, ","), s.count);
    }
    return "?";
  }

  std::string schedule(const std::vector<std::uint32_t>& sched) const {
    std::string s;
    for (std::uint32_t k : sched)
      s += " " + (m_ && k < m_->kernels.size() ? m_->kernels[k].name : fmt::format("<kernel {}>", k));
    return s;
  }

  void array(std::size_t i) {
    const Array& a = m_->arrays[i];
    std::string owner = a.scope == GENNC_SCOPE_SCALAR ? std::string()
                        : a.scope == GENNC_SCOPE_LIST ? fmt::format("({})", a.length)
                                                      : fmt::format("({})", a.owner);
    out_ += fmt::format("array {} {} {} {}{}", i, a.name, dtype_name(a.dtype), scope_name(a.scope), owner);
    if (!a.unit.empty()) out_ += fmt::format(" \"{}\"", a.unit);
    if (a.flags) out_ += " [" + flags_text(a.flags) + "]";
    out_ += " = " + init(a.init) + "\n";
  }

  std::string init(const Init& in) const {
    std::string s = init_kind_name(in.kind);
    int n = init_param_count(in.kind);
    if (in.kind == GENNC_INIT_CONSTANT) return number(in.params[0]);
    if (in.kind == GENNC_INIT_LIST) {
      std::vector<std::string> vals;
      for (double v : in.values) vals.push_back(number(v));
      return fmt::format("[{}]", fmt::join(vals, ", "));
    }
    if (in.kind == GENNC_INIT_SYNAPSE_KERNEL) return fmt::format("synapse_function {}", in.kernel);
    if (n > 0) {
      std::vector<std::string> ps;
      for (int k = 0; k < n; ++k) ps.push_back(number(in.params[k]));
      s += fmt::format("({}) stream {}", fmt::join(ps, ", "), in.stream);
    }
    return s;
  }

  void population(std::size_t i) {
    const Population& p = m_->populations[i];
    out_ += fmt::format("population {} {} = {}({}) spikes {} {} ring_depth {}", i, p.name, p.model, p.size,
                        array_ref(p.spike_count_array), array_ref(p.spike_list_array),
                        array_ref(p.ring_depth_array));
    if (p.spike_multiplicity_array != kNone) out_ += fmt::format(" multiplicity {}", array_ref(p.spike_multiplicity_array));
    if (p.spike_time_array != kNone) out_ += fmt::format(" precise {}", array_ref(p.spike_time_array));
    if (p.structure.kind != GENNC_STRUCTURE_NONE) {
      std::vector<std::string> ps;
      for (int k = 0; k < structure_param_count(p.structure.kind); ++k) ps.push_back(number(p.structure.params[k]));
      out_ += fmt::format(" at {}({}) stream {}", structure_name(p.structure.kind), fmt::join(ps, ", "),
                          p.structure.stream);
    }
    out_ += "\n";
  }

  void projection(std::size_t i) {
    const Projection& p = m_->projections[i];
    const Connector& c = p.connector;
    std::vector<std::string> ps;
    for (int k = 0; k < connector_param_count(c.kind); ++k) ps.push_back(number(c.params[k]));
    out_ += fmt::format("projection {} {} = {} -> {} via {}({}) self={} replacement={} stream {}", i, p.name,
                        selection(p.pre), selection(p.post), connector_name(c.kind), fmt::join(ps, ", "),
                        c.allow_self_connections ? 1 : 0, c.with_replacement ? 1 : 0, c.stream);
    if (c.probability != kNone) out_ += fmt::format(" probability synapse_function {}", c.probability);
    if (c.list_rows) out_ += fmt::format(" list {}x{}", c.list_rows, c.list_columns);
    if (!c.path.empty()) out_ += fmt::format(" path \"{}\"", c.path);
    out_ += "\n";
    out_ += fmt::format("  ring {} rows {} columns {}", array_ref(p.receptor_ring_array),
                        array_ref(p.row_pointer_array),
                        p.form == RowForm::Procedural ? std::string("procedural")
                        : p.form == RowForm::Dense    ? std::string("dense")
                        : p.form == RowForm::Diagonal ? std::string("diagonal")
                        : p.form == RowForm::Bitmask  ? "bitmask " + array_ref(p.column_array)
                                                      : array_ref(p.column_array));
    if (p.column_pointer_array != kNone)
      out_ += fmt::format(" column_pointers {} column_synapses {}", array_ref(p.column_pointer_array),
                          array_ref(p.column_synapse_array));
    if (p.delay_array != kNone)
      out_ += fmt::format(" delay {}", array_ref(p.delay_array));
    else
      out_ += fmt::format(" delay {} steps", p.constant_delay_steps);
    if (p.weight_from_list != kNone) out_ += fmt::format(" weight_from_list {}", array_ref(p.weight_from_list));
    for (const HostColumn& h : p.host_columns)
      out_ += fmt::format(" host_column {} {} scale {}", h.name, array_ref(h.array), number(h.scale));
    out_ += "\n";
  }

  // "exchange: every 15 steps (shortest delay: projection 'e2e')", and the projections
  // whose built delays may shorten that.
  void exchange() {
    const Module::ExchangePlan& x = m_->exchange;
    if (x.bound.empty()) return;
    std::string stored;
    for (std::uint32_t p : x.stored_delays) stored += fmt::format(" '{}'", m_->projections[p].name);
    if (!x.deferred)
      out_ += fmt::format("exchange: every step ({})\n", x.bound);
    else if (x.steps == 0)
      out_ += fmt::format("exchange: every shortest built delay of projections{}\n", stored);
    else
      out_ += fmt::format("exchange: every {} ({}){}\n", x.steps == 1 ? "step" : fmt::format("{} steps", x.steps),
                          x.bound, stored.empty() ? "" : ", or the shortest built delay of projections" + stored);
  }

  void kernel(std::size_t i) {
    const Kernel& k = m_->kernels[i];
    set_kernel(&k);
    out_ += fmt::format("\nkernel {} {} {}({}) {{\n", i, k.name, kernel_kind_name(k.kind), k.owner);
    block(k.body, 1);
    out_ += "}\n";
    set_kernel(nullptr);
  }

  void line(int depth, const std::string& text, SourceRange r) {
    out_.append(static_cast<std::size_t>(depth) * 2, ' ');
    out_ += text;
    if (options_.sources && r.valid()) {
      diag::LineCol lc = options_.sources->line_col(r.begin);
      std::string path = options_.sources->path(r.begin.file);
      auto slash = path.find_last_of('/');
      if (slash != std::string::npos) path = path.substr(slash + 1);
      out_ += fmt::format("  // {}:{}", path, lc.line);
    }
    out_ += "\n";
  }

  void block(const Block& b, int depth) {
    for (const StmtPtr& s : b) stmt(*s, depth);
  }

  std::string typed_local(LocalId id) const {
    Type t = k_ && id < k_->locals.size() ? k_->locals[id].type : Type::F64;
    return fmt::format("{}: {}", local_name(id), to_string(t));
  }

  void stmt(const Stmt& s, int depth) {
    switch (s.kind) {
      case StmtKind::Let:
        line(depth, fmt::format("let {} = {}", typed_local(s.local), expr(*s.value)), s.range);
        return;
      case StmtKind::Assign:
        line(depth, fmt::format("{} = {}", local_name(s.local), expr(*s.value)), s.range);
        return;
      case StmtKind::Store:
        line(depth, fmt::format("store {}[{}] = {}", array_ref(s.array), expr(*s.index), expr(*s.value)), s.range);
        return;
      case StmtKind::AtomicAdd:
        line(depth,
             fmt::format("{}atomic_add {}[{}] += {}", s.local == kNone ? "" : local_name(s.local) + " = ",
                         array_ref(s.array), expr(*s.index), expr(*s.value)),
             s.range);
        return;
      case StmtKind::If:
        line(depth, fmt::format("if {}{} {{", s.unguarded ? "unguarded " : "", expr(*s.cond)), s.range);
        block(s.body, depth + 1);
        if (!s.otherwise.empty()) {
          line(depth, "} else {", {});
          block(s.otherwise, depth + 1);
        }
        line(depth, "}", {});
        return;
      case StmtKind::For:
        line(depth, fmt::format("for {} in [{}, {}) {{", typed_local(s.local), expr(*s.begin), expr(*s.end)), s.range);
        block(s.body, depth + 1);
        line(depth, "}", {});
        return;
      case StmtKind::While:
        line(depth, fmt::format("while {} {{", expr(*s.cond)), s.range);
        block(s.body, depth + 1);
        line(depth, "}", {});
        return;
      case StmtKind::ForRow:
        line(depth,
             fmt::format("for {} in row {} of {} (draws at {}, excluding {}) {{", typed_local(s.local), expr(*s.index),
                         m_ && s.projection < m_->projections.size() ? m_->projections[s.projection].name : "?",
                         expr(*s.begin), expr(*s.end)),
             s.range);
        block(s.body, depth + 1);
        line(depth, "}", {});
        return;
      case StmtKind::ForBits:
        line(depth, fmt::format("for {} in bits of {} {{", typed_local(s.local), expr(*s.value)), s.range);
        block(s.body, depth + 1);
        line(depth, "}", {});
        return;
      case StmtKind::EmitSpike:
        line(depth,
             fmt::format("emit_spike {}[{}]{}{}", population_name(s.population), expr(*s.index),
                         s.value ? fmt::format(" times {}", expr(*s.value)) : std::string(),
                         s.time ? fmt::format(" at {}", expr(*s.time)) : std::string()),
             s.range);
        return;
      case StmtKind::Integrate:
        line(depth, fmt::format("integrate solver={} {{", to_string(s.solver)), s.range);
        for (const Equation& eq : s.equations)
          line(depth + 1, fmt::format("{}' = {}", local_name(eq.state), expr(*eq.rhs)), eq.range);
        line(depth, "}", {});
        return;
      case StmtKind::Threshold: {
        std::string text = fmt::format("threshold {} if {}", population_name(s.population), expr(*s.cond));
        if (s.refractory) {
          std::vector<std::string> held;
          for (LocalId id : s.held) held.push_back(local_name(id));
          text += fmt::format(" refractory {} holding ({})", expr(*s.refractory), fmt::join(held, ", "));
        }
        line(depth, text + " {", s.range);
        block(s.body, depth + 1);
        line(depth, "}", {});
        return;
      }
      case StmtKind::PreciseStep: {
        std::string text = fmt::format("precise_step {} events of row {} threshold {}", population_name(s.population),
                                       expr(*s.index), expr(*s.cond));
        if (s.refractory) {
          std::vector<std::string> held;
          for (LocalId id : s.held) held.push_back(local_name(id));
          text += fmt::format(" refractory {} holding ({})", expr(*s.refractory), fmt::join(held, ", "));
        }
        line(depth, text + " {", s.range);
        for (const Equation& eq : s.equations)
          line(depth + 1, fmt::format("{}' = {}", local_name(eq.state), expr(*eq.rhs)), eq.range);
        line(depth, "} reset {", {});
        block(s.body, depth + 1);
        for (const EventRing& ev : s.events) {
          line(depth, fmt::format("}} on event of {} ({}, {}) {} = weight {{", array_ref(ev.count), array_ref(ev.weight),
                                  array_ref(ev.offset), local_name(ev.weight_local)),
               {});
          block(ev.handler, depth + 1);
        }
        line(depth, "} at the end {", {});
        block(s.otherwise, depth + 1);
        line(depth, "}", {});
        return;
      }
    }
  }

  const Module* m_;
  PrintOptions options_;
  const Kernel* k_ = nullptr;
  std::vector<std::string> names_;
  std::string out_;
};

}  // namespace

std::string print(const Module& m, const PrintOptions& options) { return Printer(&m, options).module(); }

std::string print(const Expr& e, const Kernel* k) {
  Printer p(nullptr, {});
  p.set_kernel(k);
  return p.expr(e);
}

}  // namespace gennc::ir
