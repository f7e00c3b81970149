#include "interpreter.h"

#include <cmath>
#include <stdexcept>

#include "ir/fold.h"

namespace gennc::testing {

using namespace ir;

namespace {

class Frame {
 public:
  Frame(Machine& m, const Kernel& k, std::uint32_t index) : m_(m), index_(index), locals_(k.locals.size(), 0.0) {}

  void block(const Block& b) {
    for (const StmtPtr& s : b) stmt(*s);
  }

 private:
  double eval(const Expr& e) {
    auto op = [&](std::size_t i) { return eval(*e.operands[i]); };
    double r = 0.0;
    switch (e.kind) {
      case ExprKind::Const: return const_value(e);
      case ExprKind::Input:
        switch (e.input) {
          case Input::Index: return index_;
          case Input::Time: return m_.t;
          case Input::Dt: return m_.module->dt;
          case Input::Step: return static_cast<double>(m_.step);
          case Input::Seed: return static_cast<double>(m_.module->seed);
          default: throw std::runtime_error("synapse function input in a kernel");
        }
      case ExprKind::Local: return locals_.at(e.local);
      case ExprKind::Load: return m_.arrays.at(e.array).at(static_cast<std::size_t>(op(0)));
      case ExprKind::Unary: r = e.unary == UnaryOp::Neg ? -op(0) : (op(0) != 0.0 ? 0.0 : 1.0); break;
      case ExprKind::Binary: {
        double a = op(0), b = op(1);
        switch (e.binary) {
          case BinaryOp::Add: r = a + b; break;
          case BinaryOp::Sub: r = a - b; break;
          case BinaryOp::Mul: r = a * b; break;
          case BinaryOp::Div: r = is_float(e.type) ? a / b : std::trunc(a / b); break;
          case BinaryOp::Rem: r = std::fmod(a, b); break;
          case BinaryOp::Lt: r = a < b; break;
          case BinaryOp::Le: r = a <= b; break;
          case BinaryOp::Gt: r = a > b; break;
          case BinaryOp::Ge: r = a >= b; break;
          case BinaryOp::Eq: r = a == b; break;
          case BinaryOp::Ne: r = a != b; break;
          case BinaryOp::And: r = (a != 0.0) && (b != 0.0); break;
          case BinaryOp::Or: r = (a != 0.0) || (b != 0.0); break;
          case BinaryOp::BitAnd: r = static_cast<double>(static_cast<std::uint64_t>(a) & static_cast<std::uint64_t>(b)); break;
        }
        break;
      }
      case ExprKind::Select: return op(0) != 0.0 ? op(1) : op(2);
      case ExprKind::Call: {
        std::vector<ExprPtr> args;
        for (std::size_t i = 0; i < e.operands.size(); ++i) args.push_back(fconst(Type::F64, op(i)));
        ExprPtr folded = fold(call(e.fn, std::move(args)));
        r = const_value(*folded);
        break;
      }
      case ExprKind::Cast: r = op(0); break;
      case ExprKind::Random: throw std::runtime_error("the test interpreter draws no random numbers");
    }
    return round_to(e.type, r);
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let:
      case StmtKind::Assign: locals_.at(s.local) = eval(*s.value); return;
      case StmtKind::Store:
        m_.arrays.at(s.array).at(static_cast<std::size_t>(eval(*s.index))) = eval(*s.value);
        return;
      case StmtKind::AtomicAdd: {
        double& slot = m_.arrays.at(s.array).at(static_cast<std::size_t>(eval(*s.index)));
        slot = round_to(value_type(m_.module->arrays[s.array].dtype), slot + eval(*s.value));
        return;
      }
      case StmtKind::If:
        if (eval(*s.cond) != 0.0) block(s.body);
        else block(s.otherwise);
        return;
      case StmtKind::While:
        while (eval(*s.cond) != 0.0) block(s.body);
        return;
      case StmtKind::For: {
        double end = eval(*s.end);
        for (locals_.at(s.local) = eval(*s.begin); locals_.at(s.local) < end; locals_.at(s.local) += 1) block(s.body);
        return;
      }
      case StmtKind::ForBits: {
        // The set bits of a u32 word, lowest first.
        auto word = static_cast<std::uint32_t>(eval(*s.value));
        for (std::uint32_t bit = 0; bit < 32; ++bit)
          if (word >> bit & 1u) {
            locals_.at(s.local) = bit;
            block(s.body);
          }
        return;
      }
      case StmtKind::ForRow: throw std::runtime_error("the test interpreter regenerates no procedural rows");
      case StmtKind::EmitSpike: {
        const Population& p = m_.module->populations[s.population];
        double& count = m_.arrays.at(p.spike_count_array).at(0);
        auto neuron = static_cast<std::uint32_t>(eval(*s.index));
        m_.arrays.at(p.spike_list_array).at(static_cast<std::size_t>(count)) = neuron;
        std::uint32_t times = 1;
        if (s.value) {
          times = static_cast<std::uint32_t>(eval(*s.value));
          m_.arrays.at(p.spike_multiplicity_array).at(static_cast<std::size_t>(count)) = times;
        }
        if (s.time) m_.arrays.at(p.spike_time_array).at(static_cast<std::size_t>(count)) = eval(*s.time);
        count += 1;
        for (std::uint32_t r = 0; r < times; ++r) m_.spikes.emplace_back(s.population, neuron);
        return;
      }
      case StmtKind::Integrate:
      case StmtKind::Threshold:
      case StmtKind::PreciseStep: throw std::runtime_error("high-level statement in the interpreter");
    }
  }

  Machine& m_;
  double index_;
  std::vector<double> locals_;
};

}  // namespace

Machine::Machine(const Module& m, std::uint32_t ring_depth, std::uint32_t synapses) : module(&m) {
  for (const Array& a : m.arrays) {
    std::size_t n = 1;
    switch (a.scope) {
      case GENNC_SCOPE_SCALAR: n = 1; break;
      case GENNC_SCOPE_NEURON: n = m.populations[a.owner].size; break;
      case GENNC_SCOPE_RING: n = static_cast<std::size_t>(ring_depth) * m.populations[a.owner].size; break;
      case GENNC_SCOPE_LIST: n = a.length; break;
      case GENNC_SCOPE_SYNAPSE: n = synapses; break;
      case GENNC_SCOPE_ROW_POINTER: n = m.populations[m.projections[a.owner].pre.population].size + 1; break;
      case GENNC_SCOPE_COLUMN_POINTER: n = m.populations[m.projections[a.owner].post.population].size + 1; break;
    }
    std::vector<double> v(n, 0.0);
    if (a.init.kind == GENNC_INIT_CONSTANT) v.assign(n, a.init.params[0]);
    if (a.init.kind == GENNC_INIT_LIST)
      for (std::size_t i = 0; i < n && i < a.init.values.size(); ++i) v[i] = a.init.values[i];
    Type t = value_type(a.dtype);
    for (double& x : v) x = round_to(t, x);
    arrays.push_back(std::move(v));
  }
  for (const Population& p : m.populations) arrays.at(p.ring_depth_array).at(0) = ring_depth;
}

void Machine::run(const Kernel& k, std::uint32_t begin, std::uint32_t end) {
  for (std::uint32_t i = begin; i < end; ++i) Frame(*this, k, i).block(k.body);
}

void Machine::run(const std::string& kernel_name) {
  for (const Kernel& k : module->kernels)
    if (k.name == kernel_name) {
      run(k, 0, module->populations.at(k.owner).size);
      return;
    }
  throw std::runtime_error("no kernel " + kernel_name);
}

void Machine::step_once() {
  for (const Population& p : module->populations) arrays.at(p.spike_count_array).at(0) = 0;
  for (std::uint32_t ki : module->step_schedule) {
    const Kernel& k = module->kernels[ki];
    std::uint32_t n = 0;
    switch (k.kind) {
      case GENNC_KERNEL_NEURON: n = module->populations[k.owner].size; break;
      case GENNC_KERNEL_CURRENT_SOURCE: n = module->injections[k.owner].target.count; break;
      case GENNC_KERNEL_SYNAPSE_PRE:
      case GENNC_KERNEL_SYNAPSE_POST: {
        const Projection& p = module->projections[k.owner];
        const Population& side = module->populations[k.kind == GENNC_KERNEL_SYNAPSE_PRE ? p.pre.population : p.post.population];
        n = static_cast<std::uint32_t>(arrays.at(side.spike_count_array).at(0));
        break;
      }
      case GENNC_KERNEL_TRACE_PRE:
      case GENNC_KERNEL_TRACE_POST: {
        const Projection& p = module->projections[k.owner];
        n = module->populations[k.kind == GENNC_KERNEL_TRACE_PRE ? p.pre.population : p.post.population].size;
        break;
      }
      case GENNC_KERNEL_SYNAPSE_CONTINUOUS:
        n = static_cast<std::uint32_t>(arrays.at(module->projections[k.owner].column_array).size());
        break;
      default: throw std::runtime_error("kernel kind not interpreted");
    }
    run(k, 0, n);
  }
  ++step;
  t = static_cast<double>(step) * module->dt;
}

std::vector<double>& Machine::array(const std::string& name) {
  for (std::size_t i = 0; i < module->arrays.size(); ++i)
    if (module->arrays[i].name == name) return arrays[i];
  throw std::runtime_error("no array " + name);
}

}  // namespace gennc::testing
