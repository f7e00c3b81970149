#include "ast/printer.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <ostream>
#include <sstream>

namespace gennc::ast {

namespace {

std::string real(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: out += c;
    }
  }
  return out + "\"";
}

const char* op_text(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Pow: return "^";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::And: return "&&";
    case BinaryOp::Or: return "||";
  }
  return "?";
}

const char* op_text(AssignOp op) {
  switch (op) {
    case AssignOp::Set: return "=";
    case AssignOp::Add: return "+=";
    case AssignOp::Sub: return "-=";
    case AssignOp::Mul: return "*=";
    case AssignOp::Div: return "/=";
  }
  return "=";
}

// The one-line form of a leaf expression (literal or name); empty for anything larger.
std::string leaf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Number: {
      auto& n = static_cast<const NumberLit&>(e);
      return "Number " + (n.is_integer ? fmt::format("{}", n.value) : real(n.value));
    }
    case ExprKind::Quantity: {
      auto& q = static_cast<const QuantityLit&>(e);
      return fmt::format("Quantity {} {}", q.value, q.unit);
    }
    case ExprKind::String: return "String " + quoted(static_cast<const StringLit&>(e).value);
    case ExprKind::Bool: return static_cast<const BoolLit&>(e).value ? "Bool true" : "Bool false";
    case ExprKind::Name: return "Name " + static_cast<const NameRef&>(e).name;
    default: return {};
  }
}

class Printer {
 public:
  Printer(std::ostream& out, const diag::SourceManager& sources) : out_(out), sources_(sources) {}

  void module(const Module& m) {
    out_ << "Module " << (m.file ? sources_.path(m.file) : std::string("<none>")) << '\n';
    std::vector<Item> items;
    for (const auto& i : m.imports)
      items.push_back({i.range, [this, &i] {
                         line(fmt::format("Import {} {}", i.is_library ? "library" : "file",
                                          i.is_library ? i.target : quoted(i.target)),
                              i.range);
                       }});
    for (const auto& model : m.models) items.push_back({model->range, [this, &model] { model_decl(*model); }});
    for (const auto& net : m.networks) items.push_back({net->range, [this, &net] { network(*net); }});
    in_order(items);
  }

  void expr(const Expr& e) { labelled("", e); }
  void set_depth(int depth) { depth_ = depth; }

 private:
  struct Item {
    diag::SourceRange range;
    std::function<void()> print;
  };

  struct Indent {
    explicit Indent(Printer& p) : p(p) { ++p.depth_; }
    ~Indent() { --p.depth_; }
    Printer& p;
  };

  void in_order(std::vector<Item>& items) {
    Indent indent(*this);
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.range.begin.offset < b.range.begin.offset; });
    for (auto& item : items) item.print();
  }

  std::string where(diag::SourceRange r) const {
    if (!r.valid()) return "<invalid>";
    diag::LineCol b = sources_.line_col(r.begin);
    diag::LineCol e = sources_.line_col(r.end);
    return fmt::format("<{}:{}-{}:{}>", b.line, b.column, e.line, e.column);
  }

  void line(const std::string& text, diag::SourceRange r) {
    out_ << std::string(2 * depth_, ' ') << text << ' ' << where(r) << '\n';
  }

  // `head = <leaf>` on one line, or `head` followed by the expression as a child.
  void with_value(const std::string& head, const char* op, const Expr* value, diag::SourceRange r) {
    if (!value) {
      line(head, r);
      return;
    }
    std::string l = leaf(*value);
    std::string joint = *op ? fmt::format(" {} ", op) : " ";
    if (!l.empty()) {
      line(head + joint + l, r);
      return;
    }
    line(*op ? fmt::format("{} {}", head, op) : head, r);
    Indent indent(*this);
    expr(*value);
  }

  // An expression line, prefixed with `label: ` where a parent names its children.
  void labelled(const std::string& label, const Expr& e) {
    std::string prefix = label.empty() ? "" : label + ": ";
    std::string l = leaf(e);
    if (!l.empty()) {
      line(prefix + l, e.range);
      return;
    }
    switch (e.kind) {
      case ExprKind::List: {
        auto& list = static_cast<const ListLit&>(e);
        line(fmt::format("{}List ({} elements)", prefix, list.elements.size()), e.range);
        Indent indent(*this);
        for (const auto& el : list.elements) expr(*el);
        break;
      }
      case ExprKind::Unary: {
        auto& u = static_cast<const UnaryExpr&>(e);
        const char* op = u.op == UnaryOp::Neg ? "-" : u.op == UnaryOp::Plus ? "+" : "!";
        line(fmt::format("{}Unary {}", prefix, op), e.range);
        Indent indent(*this);
        expr(*u.operand);
        break;
      }
      case ExprKind::Binary: {
        auto& b = static_cast<const BinaryExpr&>(e);
        line(fmt::format("{}Binary {}", prefix, op_text(b.op)), e.range);
        Indent indent(*this);
        expr(*b.lhs);
        expr(*b.rhs);
        break;
      }
      case ExprKind::Conditional: {
        auto& c = static_cast<const ConditionalExpr&>(e);
        line(prefix + "Conditional", e.range);
        Indent indent(*this);
        labelled("if", *c.cond);
        labelled("then", *c.then);
        labelled("else", *c.otherwise);
        break;
      }
      case ExprKind::Call: {
        auto& c = static_cast<const CallExpr&>(e);
        if (auto* name = dyn_cast<NameRef>(c.callee.get())) {
          line(fmt::format("{}Call {}", prefix, name->name), e.range);
          Indent indent(*this);
          args(c.args);
        } else {
          line(prefix + "Call", e.range);
          Indent indent(*this);
          labelled("callee", *c.callee);
          args(c.args);
        }
        break;
      }
      case ExprKind::Index: {
        auto& i = static_cast<const IndexExpr&>(e);
        line(prefix + "Index", e.range);
        Indent indent(*this);
        expr(*i.base);
        labelled("index", *i.index);
        break;
      }
      case ExprKind::Slice: {
        auto& s = static_cast<const SliceExpr&>(e);
        line(prefix + "Slice", e.range);
        Indent indent(*this);
        expr(*s.base);
        if (s.start) labelled("start", *s.start);
        if (s.stop) labelled("stop", *s.stop);
        if (s.step) labelled("step", *s.step);
        break;
      }
      case ExprKind::Member: {
        auto& m = static_cast<const MemberExpr&>(e);
        line(fmt::format("{}Member .{}", prefix, m.member), e.range);
        Indent indent(*this);
        expr(*m.base);
        break;
      }
      default:
        break;
    }
  }

  void args(const std::vector<Arg>& list) {
    for (const auto& a : list) {
      if (a.name.empty())
        labelled("", *a.value);
      else
        with_value("Arg " + a.name, "=", a.value.get(), a.range);
    }
  }

  void call(const char* kind, const Call& c) {
    line(fmt::format("{} {}", kind, c.name), c.range);
    Indent indent(*this);
    args(c.args);
  }

  static std::string params(const std::vector<Param>& ps) {
    std::string out = "(";
    for (std::size_t i = 0; i < ps.size(); ++i) {
      if (i) out += ", ";
      out += ps[i].name + ": " + to_string(ps[i].type);
    }
    return out + ")";
  }

  // ---- statements ----

  void block(const Block& b) {
    Indent indent(*this);
    for (const auto& s : b.statements) stmt(*s);
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::Let: {
        auto& l = static_cast<const LetStmt&>(s);
        std::string head = "Let " + l.name;
        if (l.type) head += ": " + to_string(*l.type);
        with_value(head, "=", l.value.get(), s.range);
        break;
      }
      case StmtKind::Assign: {
        auto& a = static_cast<const AssignStmt&>(s);
        std::string target = a.qualifier.empty() ? a.name : a.qualifier + "." + a.name;
        with_value("Assign " + target, op_text(a.op), a.value.get(), s.range);
        break;
      }
      case StmtKind::If: {
        auto& i = static_cast<const IfStmt&>(s);
        line("If", s.range);
        Indent indent(*this);
        labelled("cond", *i.cond);
        line("Then", i.then.range);
        block(i.then);
        if (i.otherwise) {
          line("Else", i.otherwise->range);
          block(*i.otherwise);
        }
        break;
      }
      case StmtKind::Expr: {
        auto& e = static_cast<const ExprStmt&>(s);
        line("ExprStmt", s.range);
        Indent indent(*this);
        expr(*e.expr);
        break;
      }
    }
  }

  // ---- models ----

  static const char* kind_name(ModelKind k) {
    switch (k) {
      case ModelKind::Neuron: return "Neuron";
      case ModelKind::Postsynaptic: return "Postsynaptic";
      case ModelKind::Synapse: return "Synapse";
      case ModelKind::CurrentSource: return "CurrentSource";
      case ModelKind::SpikeSource: return "SpikeSource";
      case ModelKind::TimingDependence: return "TimingDependence";
      case ModelKind::WeightDependence: return "WeightDependence";
    }
    return "Model";
  }

  void model_decl(const ModelDecl& m) {
    line(fmt::format("{} {}", kind_name(m.kind), m.name), m.range);
    body(m.body);
  }

  void vars(std::vector<Item>& items, const char* kind, const std::vector<VarDecl>& decls) {
    for (const auto& v : decls)
      items.push_back({v.range, [this, kind, &v] {
                         with_value(fmt::format("{} {}: {}", kind, v.name, to_string(v.type)), "=", v.init.get(),
                                    v.range);
                       }});
  }

  void body(const ModelBody& b) {
    std::vector<Item> items;
    vars(items, "Parameter", b.parameters);
    vars(items, "State", b.state);
    vars(items, "Derived", b.derived);
    vars(items, "Input", b.inputs);
    vars(items, "Uses", b.uses);
    for (const auto& eq : b.equations)
      items.push_back({eq.range, [this, &eq] { with_value("Equation " + eq.var + "'", "=", eq.rhs.get(), eq.range); }});
    if (b.threshold)
      items.push_back({b.threshold_range, [this, &b] {
                         with_value("Threshold", "", b.threshold.get(), b.threshold_range);
                         if (b.spike_time) {
                           Indent indent(*this);
                           with_value("At", "", b.spike_time.get(), b.spike_time->range);
                         }
                       }});
    if (b.reset)
      items.push_back({b.reset->range, [this, &b] {
                         line("Reset", b.reset->range);
                         block(*b.reset);
                       }});
    if (b.refractory)
      items.push_back(
          {b.refractory_range, [this, &b] { with_value("Refractory", "", b.refractory.get(), b.refractory_range); }});
    if (b.update)
      items.push_back({b.update->range, [this, &b] {
                         line("Update", b.update->range);
                         block(*b.update);
                       }});
    for (const auto& h : b.handlers)
      items.push_back({h.range, [this, &h] {
                         line("On " + h.event + (h.params.empty() ? "" : params(h.params)), h.range);
                         block(h.body);
                       }});
    for (const auto& f : b.functions)
      items.push_back({f.range, [this, &f] {
                         line("Function " + f.name + params(f.params), f.range);
                         block(f.body);
                       }});
    for (const auto& o : b.outputs)
      items.push_back({o.range, [this, &o] { with_value("Output " + o.target, "+=", o.value.get(), o.range); }});
    for (const auto& r : b.receptors)
      items.push_back({r.range, [this, &r] {
                         line(fmt::format("Receptor {}: {}", r.name, r.model), r.range);
                         Indent indent(*this);
                         args(r.args);
                       }});
    for (const auto& s : b.slots)
      items.push_back({s.range, [this, &s] { line(fmt::format("Slot {}: {}", s.name, to_string(s.kind)), s.range); }});
    if (!b.solver.empty())
      items.push_back({b.solver_range, [this, &b] { line("Solver " + b.solver, b.solver_range); }});
    for (const auto& t : b.traces)
      items.push_back({t.range, [this, &t] {
                         line(t.side == TraceSide::Pre ? "PreTrace" : "PostTrace", t.range);
                         body(t.body);
                       }});
    in_order(items);
  }

  // ---- networks ----

  void network(const NetworkDecl& n) {
    line("Network " + n.name, n.range);
    std::vector<Item> items;
    for (const auto& s : n.settings)
      items.push_back({s.range, [this, &s] { with_value("Setting " + s.name, "=", s.value.get(), s.range); }});
    for (const auto& s : n.constants)
      items.push_back({s.range, [this, &s] { with_value("Let " + s.name, "=", s.value.get(), s.range); }});
    for (const auto& p : n.populations) items.push_back({p.range, [this, &p] { population(p); }});
    for (const auto& v : n.views)
      items.push_back({v.range, [this, &v] { with_value("View " + v.name, "=", v.target.get(), v.range); }});
    for (const auto& a : n.assemblies)
      items.push_back({a.range, [this, &a] { with_value("Assembly " + a.name, "=", a.members.get(), a.range); }});
    for (const auto& p : n.projections)
      items.push_back({p.range, [this, &p] {
                         line("Projection " + p.name + (p.receptor.empty() ? "" : " onto " + p.receptor) +
                                  (p.connectivity.empty() ? "" : " as " + p.connectivity),
                              p.range);
                         Indent indent(*this);
                         labelled("pre", *p.pre);
                         labelled("post", *p.post);
                         call("Connector", p.connector);
                         if (p.synapse) call("Synapse", *p.synapse);
                       }});
    for (const auto& i : n.injections)
      items.push_back({i.range, [this, &i] {
                         line(i.name.empty() ? std::string("Inject") : "Inject " + i.name, i.range);
                         Indent indent(*this);
                         call("Source", i.source);
                         labelled("into", *i.target);
                       }});
    for (const auto& r : n.recordings)
      items.push_back({r.range, [this, &r] {
                         line("Record", r.range);
                         Indent indent(*this);
                         for (const auto& t : r.targets) expr(*t);
                         if (r.interval) labelled("every", *r.interval);
                       }});
    in_order(items);
  }

  void population(const PopulationDecl& p) {
    line(fmt::format("Population {} = {}", p.name, p.model), p.range);
    Indent indent(*this);
    labelled("size", *p.size);
    for (const auto& r : p.receptors) {
      line(fmt::format("Receptor {}: {}", r.name, r.model.name), r.range);
      Indent inner(*this);
      args(r.model.args);
    }
    if (p.structure) call("Structure", *p.structure);
    for (const auto& o : p.overrides) with_value("Override " + o.name, "=", o.value.get(), o.range);
    if (!p.precision.empty()) line("Precision " + p.precision, p.precision_range);
  }

  std::ostream& out_;
  const diag::SourceManager& sources_;
  int depth_ = 0;
};

}  // namespace

std::string to_string(const TypeExpr& type) {
  std::string s;
  switch (type.kind) {
    case ScalarKind::Bool: s = "bool"; break;
    case ScalarKind::Int: s = "int"; break;
    case ScalarKind::Real: s = "real"; break;
    case ScalarKind::Quantity: {
      for (const auto& f : type.unit.factors) {
        if (f.exponent <= 0) continue;
        if (!s.empty()) s += '*';
        s += f.name;
        if (f.exponent != 1) s += fmt::format("^{}", f.exponent);
      }
      if (s.empty()) s = "1";
      for (const auto& f : type.unit.factors) {
        if (f.exponent >= 0) continue;
        s += '/' + f.name;
        if (f.exponent != -1) s += fmt::format("^{}", -f.exponent);
      }
      break;
    }
  }
  if (type.is_array) s += "[]";
  return s;
}

void print(std::ostream& out, const Module& module, const diag::SourceManager& sources) {
  Printer(out, sources).module(module);
}

std::string to_text(const Module& module, const diag::SourceManager& sources) {
  std::ostringstream out;
  print(out, module, sources);
  return out.str();
}

std::string to_text(const Expr& expr, const diag::SourceManager& sources, int depth) {
  std::ostringstream out;
  Printer p(out, sources);
  p.set_depth(depth);
  p.expr(expr);
  return out.str();
}

}  // namespace gennc::ast
