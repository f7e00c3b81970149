// Model checks: which items each kind of model may have, declarations and their units,
// defaults, equations, event handlers, receptors and slots. Models are declared first
// (all files), so that a neuron's receptors may name models from any imported file.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "sema/checker.h"
#include "sema/edit_distance.h"
#include "sema/evaluate.h"

namespace gennc::sema {

using diag::DiagId;
using ast::ModelKind;

namespace {

// The items of docs/language.md's table.
enum Item : unsigned {
  kParameters = 1u << 0, kState = 1u << 1, kDerived = 1u << 2, kInput = 1u << 3, kUses = 1u << 4,
  kEquations = 1u << 5, kThreshold = 1u << 6, kReset = 1u << 7, kRefractory = 1u << 8,
  kUpdate = 1u << 9, kHandlers = 1u << 10, kFunctions = 1u << 11, kOutput = 1u << 12,
  kReceptor = 1u << 13, kSlot = 1u << 14, kSolver = 1u << 15, kTraces = 1u << 16,
};

unsigned allowed_items(ModelKind kind) {
  switch (kind) {
    case ModelKind::Neuron:
      return kParameters | kState | kDerived | kInput | kEquations | kThreshold | kReset | kRefractory | kUpdate |
             kReceptor | kSolver;
    case ModelKind::Postsynaptic:
      return kParameters | kState | kDerived | kUses | kEquations | kHandlers | kOutput | kSolver;
    case ModelKind::Synapse:
      return kParameters | kState | kDerived | kUses | kEquations | kHandlers | kTraces | kSlot | kOutput | kSolver;
    case ModelKind::CurrentSource:
      return kParameters | kState | kDerived | kUpdate | kOutput;
    case ModelKind::SpikeSource:
      return kParameters | kState | kDerived | kThreshold | kReset | kUpdate;
    case ModelKind::TimingDependence:
      return kParameters | kUses | kTraces | kHandlers;
    case ModelKind::WeightDependence:
      return kParameters | kUses | kFunctions;
  }
  return 0;
}

// A trace block holds per-neuron state, its equations and its `on spike` code.
constexpr unsigned kTraceItems = kState | kEquations | kHandlers;

// The events each kind of model handles, and how many parameters the handler takes.
std::vector<std::string_view> events_of(ModelKind kind, bool in_trace) {
  if (in_trace) return {"spike"};
  switch (kind) {
    case ModelKind::Postsynaptic: return {"spike"};
    case ModelKind::Synapse:
    case ModelKind::TimingDependence: return {"pre", "post"};
    default: return {};
  }
}

std::string join_quoted(const std::vector<std::string_view>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += i + 1 == names.size() ? " or " : ", ";
    s += "'" + std::string(names[i]) + "'";
  }
  return s;
}

SymbolKind section_kind(int section) {
  static const SymbolKind kinds[] = {SymbolKind::Parameter, SymbolKind::State, SymbolKind::Derived,
                                     SymbolKind::Input, SymbolKind::Uses};
  return kinds[section];
}

class ModelChecker {
 public:
  ModelChecker(Context& ctx, Model& model, const Scope* outer) : ctx_(ctx), m_(model), scope_(outer) {}

  // Declares the model's variables (its own and its traces').
  void declare() {
    check_items(m_.decl->body, allowed_items(m_.kind), false);
    declare_body(m_.decl->body, nullptr);
    for (const auto& tr : m_.decl->body.traces) {
      check_items(tr.body, kTraceItems, true);
      declare_body(tr.body, &tr);
    }
    for (const auto& slot : m_.decl->body.slots) {
      if (slot.kind != ModelKind::TimingDependence && slot.kind != ModelKind::WeightDependence) {
        ctx_.diags.report(DiagId::bad_slot_kind, slot.range, slot.name, ast::to_string(slot.kind));
        continue;
      }
      if (declared(slot.name, slot.name_range)) continue;
      m_.slots.push_back({slot.name, slot.kind, &slot});
    }
    const std::string& solver = m_.decl->body.solver;
    if (!solver.empty()) {
      if (solver == "exact") m_.solver = Solver::Exact;
      else if (solver == "euler") m_.solver = Solver::Euler;
      else if (solver == "exponential_euler") m_.solver = Solver::ExponentialEuler;
      else if (solver == "rk4") m_.solver = Solver::RK4;
      else if (solver == "adaptive") m_.solver = Solver::Adaptive;
      else ctx_.diags.report(DiagId::unknown_solver, word_in(m_.decl->body.solver_range, solver), solver);
    }
    if (m_.kind == ModelKind::Postsynaptic) {
      for (const auto& h : m_.decl->body.handlers)
        if (h.event == "spike" && h.params.size() == 1) {
          double scale = 1.0;
          Type t = resolve_type(ctx_, h.params[0].type, &scale);
          if (!t.is_error() && t.kind == TypeKind::Real && !t.list) m_.spike_dim = t.dim;
        }
    }
  }

  // Checks defaults, code and receptors.
  void check() {
    const ast::ModelBody& body = m_.decl->body;
    // A component's `uses` names variables of its host synapse or of the component beside
    // it, like the names it uses without declaring them; each projection checks both.
    if (m_.kind == ModelKind::TimingDependence || m_.kind == ModelKind::WeightDependence)
      m_.externals.insert(m_.externals.end(), m_.uses.begin(), m_.uses.end());
    check_defaults();
    check_derived();
    check_body(body, nullptr);
    for (const auto& tr : body.traces) check_body(tr.body, &tr);
    for (const auto& r : body.receptors) check_receptor(r);
  }

 private:
  // The AST keeps no range for some keywords and names; these find them in the text.
  // The `word` that ends before `r` (`equations` before its first equation), else `r`.
  diag::SourceRange word_before(diag::SourceRange r, std::string_view word) {
    std::string_view text = ctx_.sources.contents(r.begin.file);
    std::size_t at = text.rfind(word, r.begin.offset);
    if (at == std::string_view::npos) return r;
    diag::SourceRange w = r;
    w.begin.offset = static_cast<std::uint32_t>(at);
    w.end.offset = static_cast<std::uint32_t>(at + word.size());
    return w;
  }
  // The last occurrence of `word` inside `r` (`midpoint` in `solver midpoint`), else `r`.
  diag::SourceRange word_in(diag::SourceRange r, std::string_view word) {
    std::string_view text = ctx_.sources.contents(r.begin.file).substr(r.begin.offset, r.end.offset - r.begin.offset);
    std::size_t at = text.rfind(word);
    if (at == std::string_view::npos || word.empty()) return r;
    diag::SourceRange w = r;
    w.begin.offset = static_cast<std::uint32_t>(r.begin.offset + at);
    w.end.offset = static_cast<std::uint32_t>(w.begin.offset + word.size());
    return w;
  }

  ExprChecker checker() {
    ExprChecker ec(ctx_, &m_);
    if (m_.kind == ModelKind::TimingDependence || m_.kind == ModelKind::WeightDependence) ec.externals = &m_.externals;
    return ec;
  }

  void check_items(const ast::ModelBody& b, unsigned allowed, bool in_trace) {
    const char* where = in_trace ? "a trace block of a" : nullptr;
    auto item = [&](unsigned bit, bool present, diag::SourceRange range, const char* name) {
      if (!present || (allowed & bit)) return;
      if (where)
        ctx_.diags.report(DiagId::item_not_allowed_in_trace, range, name);
      else
        ctx_.diags.report(DiagId::item_not_allowed, range, name, ast::to_string(m_.kind));
    };
    item(kParameters, b.parameters_range.valid(), b.parameters_range, "'parameters'");
    item(kState, b.state_range.valid(), b.state_range, "'state'");
    item(kDerived, b.derived_range.valid(), b.derived_range, "'derived'");
    item(kInput, b.inputs_range.valid(), b.inputs_range, "'input'");
    item(kUses, b.uses_range.valid(), b.uses_range, "'uses'");
    item(kEquations, !b.equations.empty(),
         b.equations.empty() ? diag::SourceRange{} : word_before(b.equations[0].range, "equations"), "'equations'");
    item(kThreshold, b.threshold != nullptr || b.threshold_range.valid(), b.threshold_range, "'threshold'");
    item(kReset, b.reset.has_value(), b.reset ? b.reset->range : diag::SourceRange{}, "'reset'");
    item(kRefractory, b.refractory != nullptr || b.refractory_range.valid(), b.refractory_range, "'refractory'");
    item(kUpdate, b.update.has_value(), b.update ? b.update->range : diag::SourceRange{}, "'update'");
    for (const auto& h : b.handlers) item(kHandlers, true, h.range, "event code ('on ...')");
    for (const auto& f : b.functions) item(kFunctions, true, f.range, "'function'");
    for (const auto& o : b.outputs) item(kOutput, true, o.range, "'output'");
    for (const auto& r : b.receptors) item(kReceptor, true, r.range, "'receptor'");
    for (const auto& s : b.slots) item(kSlot, true, s.range, "'slot'");
    item(kSolver, !b.solver.empty(), b.solver_range, "'solver'");
    for (const auto& t : b.traces)
      item(kTraces, true, t.range, t.side == ast::TraceSide::Pre ? "'pre_trace'" : "'post_trace'");
  }

  // Reports a second declaration of `name` in this model; returns true when it is one.
  bool declared(const std::string& name, diag::SourceRange where) {
    auto it = names_.find(name);
    if (it == names_.end()) {
      names_.emplace(name, where);
      return false;
    }
    ctx_.diags.report(DiagId::duplicate_declaration, where, name).note(DiagId::note_declared_here, it->second, name);
    return true;
  }

  void declare_body(const ast::ModelBody& b, const ast::TraceBlock* trace) {
    const std::vector<ast::VarDecl>* sections[] = {&b.parameters, &b.state, &b.derived, &b.inputs, &b.uses};
    std::vector<const Symbol*>* lists[] = {&m_.parameters, &m_.state, &m_.derived, &m_.inputs, &m_.uses};
    // In source order, so that a redeclaration is reported at the later one.
    std::vector<std::pair<int, const ast::VarDecl*>> decls;
    for (int i = 0; i < 5; ++i)
      for (const auto& v : *sections[i]) decls.emplace_back(i, &v);
    std::stable_sort(decls.begin(), decls.end(), [](const auto& x, const auto& y) {
      return x.second->name_range.begin.offset < y.second->name_range.begin.offset;
    });
    for (const auto& [i, vp] : decls) {
      const ast::VarDecl& v = *vp;
      double scale = 1.0;
      Type t = resolve_type(ctx_, v.type, &scale);
      if (!t.is_error() && t.dim.has_weight() && !is_synapse_side(m_.kind)) {
        ctx_.diags.report(DiagId::weight_outside_synapse, v.type.range);
        t = Type::error();
      }
      if (i == 3 || i == 4) {  // inputs and uses are quantities without defaults
        if (v.init) ctx_.diags.report(DiagId::unexpected_initializer, v.init->range, v.name);
      }
      if (declared(v.name, v.name_range)) continue;
      Symbol& s = ctx_.make_symbol(section_kind(i), v.name, t);
      s.unit_scale = scale;
      s.decl = &v;
      s.trace = trace;
      s.model = &m_;
      if (trace) s.side = trace->side == ast::TraceSide::Pre ? Side::Pre : Side::Post;
      lists[i]->push_back(&s);
      if (i == 4 && m_.kind == ModelKind::Synapse) {
        // `pre.v` and `post.v` name the two sides of one `uses` declaration.
        for (Side side : {Side::Pre, Side::Post}) {
          Symbol& sided = ctx_.make_symbol(SymbolKind::Uses, v.name, t);
          sided.unit_scale = scale;
          sided.decl = &v;
          sided.model = &m_;
          sided.side = side;
          (side == Side::Pre ? ctx_.pre_side : ctx_.post_side)[&s] = &sided;
        }
      } else {
        scope_.declare(&s);
      }
    }
  }

  // Model code has no named constants besides units (whose values come from the literal
  // table): a default naming a parameter follows the population's value of it, so it is
  // evaluated per population. `dt` is known only in a network; *uses_dt tells that a value
  // depends on it.
  static ConstLookup constants(bool* uses_dt) {
    return [uses_dt](const Symbol& s) -> std::optional<ConstValue> {
      if (s.kind == SymbolKind::Dt) *uses_dt = true;
      return std::nullopt;
    };
  }

  // Parameter defaults must be constants; initial values may name parameters.
  void check_defaults() {
    for (auto* list : {&m_.parameters, &m_.state}) {
      for (const Symbol* sym : *list) {
        const ast::VarDecl& v = *sym->decl;
        if (!v.init || sym->type.is_error()) continue;
        bool param = sym->kind == SymbolKind::Parameter;
        ExprChecker ec = checker();
        ec.restrict = param ? Restrict::Constant : Restrict::Parameters;
        ec.restrict_what = fmt::format("the {} of '{}'", param ? "default" : "initial value", v.name);
        Type t = ec.check_as(v.init.get(), scope_, sym->type, ec.restrict_what, true);
        if (t.is_error()) continue;
        bool uses_dt = false;
        auto value = evaluate(v.init.get(), ctx_.program, constants(&uses_dt));
        if (!value) {
          if (param && !uses_dt) ctx_.diags.report(DiagId::not_constant, v.init->range, ec.restrict_what);
          continue;
        }
        // A bare number is in the declared unit (`cm: pF = 250` is 0.25 nF).
        double scale = t.dim.dimensionless() && !sym->type.dim.dimensionless() ? sym->unit_scale : 1.0;
        std::vector<double> numbers;
        if (value->kind == ConstValue::Kind::List) {
          if (!value->rows.empty()) {
            ctx_.diags.report(DiagId::wrong_type, v.init->range, ec.restrict_what, to_string(sym->type), "a list of lists");
            continue;
          }
          for (double x : value->list) numbers.push_back(x * scale);
        } else {
          numbers.push_back(value->number * scale);
        }
        if (!std::all_of(numbers.begin(), numbers.end(), [](double x) { return std::isfinite(x); })) {
          ctx_.diags.report(DiagId::not_finite, v.init->range, ec.restrict_what);
          continue;
        }
        const_cast<Symbol*>(sym)->value = std::move(numbers);
      }
    }
  }

  // Derived quantities: from parameters and dt (and earlier derived ones), never cyclic.
  void check_derived() {
    for (const Symbol* sym : m_.derived) {
      const ast::VarDecl& v = *sym->decl;
      if (!v.init) {
        ctx_.diags.report(DiagId::derived_needs_definition, v.name_range, v.name);
        continue;
      }
      ExprChecker ec = checker();
      ec.restrict = Restrict::Parameters;
      ec.restrict_what = fmt::format("derived '{}'", v.name);
      ec.check_as(v.init.get(), scope_, sym->type, fmt::format("the definition of '{}'", v.name), false);
    }
    // Cycles: a derived quantity that depends on itself.
    std::map<const Symbol*, int> state;  // 1 visiting, 2 done
    std::function<bool(const Symbol*)> visit = [&](const Symbol* s) -> bool {
      if (state[s] == 2) return false;
      if (state[s] == 1) return true;
      state[s] = 1;
      bool cycle = false;
      walk_expr(s->decl->init.get(), [&](const ast::Expr* e) {
        auto it = ctx_.program.symbols.find(e);
        if (!cycle && it != ctx_.program.symbols.end() && it->second->kind == SymbolKind::Derived &&
            it->second->model == &m_)
          cycle = visit(it->second);
      });
      state[s] = 2;
      return cycle;
    };
    for (const Symbol* s : m_.derived) {
      if (!s->decl->init || state[s] == 2) continue;
      if (visit(s)) ctx_.diags.report(DiagId::derived_cycle, s->decl->name_range, s->name);
    }
  }

  void check_body(const ast::ModelBody& b, const ast::TraceBlock* trace) {
    ExprChecker ec = checker();
    // Equations: one per state variable of this model (or of this trace block).
    std::map<const Symbol*, const ast::Equation*> seen;
    for (const auto& eq : b.equations) {
      const Symbol* target = scope_.lookup(eq.var);
      Type rhs = ec.check(eq.rhs.get(), scope_);
      if (!target) {
        std::vector<std::string_view> names;
        for (const Symbol* s : m_.state) names.push_back(s->name);
        ctx_.unknown_name(eq.var, eq.var_range, names);
        continue;
      }
      ctx_.program.equation_targets[&eq] = target;
      if (target->kind != SymbolKind::State || target->model != &m_ || target->trace != trace) {
        auto d = ctx_.diags.report(DiagId::ode_not_state, eq.var_range, eq.var,
                                   target->trace != trace && target->kind == SymbolKind::State
                                       ? "a state variable of another block"
                                       : describe(target->kind));
        if (target->decl) d.note(DiagId::note_declared_here, target->decl->name_range, target->name);
        continue;
      }
      if (auto [it, fresh] = seen.emplace(target, &eq); !fresh) {
        ctx_.diags.report(DiagId::duplicate_equation, eq.var_range, eq.var)
            .note(DiagId::note_first_equation, it->second->var_range, eq.var);
        continue;
      }
      if (rhs.is_error() || target->type.is_error()) continue;
      Dimension want = target->type.dim / Dimension::time();
      if (!rhs.is_numeric() || rhs.dim != want)
        ctx_.diags.report(DiagId::ode_dimension, eq.rhs->range, eq.var, format_dimension(want), to_string(rhs))
            .note(DiagId::note_declared_here, target->decl->name_range, target->name);
    }
    if (b.threshold) {
      Type t = ec.check(b.threshold.get(), scope_);
      // A spike source may emit several spikes in one step: an int threshold is their count.
      const bool counted = m_.kind == ModelKind::SpikeSource && t.kind == TypeKind::Int && !t.list && t.dim.dimensionless();
      if (!t.is_error() && !counted && (t.kind != TypeKind::Bool || t.list))
        ctx_.diags.report(DiagId::type_mismatch, b.threshold->range, "the threshold",
                          m_.kind == ModelKind::SpikeSource ? "bool or a dimensionless int" : "bool", to_string(t));
      if (b.spike_time) check_spike_time(ec, b, counted);
    }
    if (b.reset) ec.check_block(*b.reset, scope_, BlockKind::Reset);
    if (b.refractory) {
      Type t = ec.check(b.refractory.get(), scope_);
      if (!t.is_error() && !(t.is_numeric() && t.dim == Dimension::time()))
        ctx_.diags.report(DiagId::type_mismatch, b.refractory->range, "the refractory period", "a time ('ms')",
                          to_string(t));
    }
    if (b.update) ec.check_block(*b.update, scope_, BlockKind::Update);
    std::set<std::string> handled;
    for (const auto& h : b.handlers) check_handler(h, trace, handled);
    for (const auto& f : b.functions) check_function(f);
    for (const auto& o : b.outputs) {
      Type t = ec.check(o.value.get(), scope_);
      if (!t.is_error() && !t.is_numeric())
        ctx_.diags.report(DiagId::type_mismatch, o.value->range, "an output", "a number", to_string(t));
    }
  }

  // `threshold c at time`: an event-time source fires while `c` holds, one spike per
  // pass, at `time` (docs/language.md). A neuron's crossing time is found by the compiler,
  // and a counted threshold has no single time to give.
  void check_spike_time(ExprChecker& ec, const ast::ModelBody& b, bool counted) {
    if (m_.kind != ModelKind::SpikeSource || counted) {
      ctx_.diags.report(DiagId::spike_time_not_event_source, b.spike_time->range,
                        counted ? "a counted threshold (an int) has no single time"
                                : "a neuron's spike times follow from its threshold");
      return;
    }
    Type t = ec.check(b.spike_time.get(), scope_);
    if (!t.is_error() && !(t.is_numeric() && !t.list && t.dim == Dimension::time()))
      ctx_.diags.report(DiagId::type_mismatch, b.spike_time->range, "a spike time", "a time ('ms')", to_string(t));
  }

  Scope declare_params(const std::vector<ast::Param>& params) {
    Scope s(&scope_);
    for (const auto& p : params) {
      double scale = 1.0;
      Type t = resolve_type(ctx_, p.type, &scale);
      Symbol& sym = ctx_.make_symbol(SymbolKind::Argument, p.name, t);
      sym.param = &p;
      sym.model = &m_;
      sym.unit_scale = scale;
      ctx_.program.params[&p] = &sym;
      s.declare(&sym);
    }
    return s;
  }

  void check_handler(const ast::Handler& h, const ast::TraceBlock* trace, std::set<std::string>& handled) {
    auto events = events_of(m_.kind, trace != nullptr);
    bool known = std::find(events.begin(), events.end(), h.event) != events.end();
    if (!known && !events.empty()) {
      ctx_.diags.report(DiagId::unknown_event, h.event_range,
                        trace ? std::string("trace blocks") : fmt::format("{} models", ast::to_string(m_.kind)),
                        h.event, join_quoted(events));
    } else if (known) {
      if (!handled.insert(h.event).second)
        ctx_.diags.report(DiagId::duplicate_handler, h.event_range, h.event);
      std::size_t want = (m_.kind == ModelKind::Postsynaptic && !trace) ? 1 : 0;
      if (h.params.size() != want)
        ctx_.diags.report(DiagId::handler_params, h.range, h.event,
                          want == 1 ? "one parameter, the weight with its unit (`on spike(w: nA)`)" : "no parameters");
      else if (want == 1) {
        double scale = 1.0;
        Type t = resolve_type(ctx_, h.params[0].type, &scale);
        if (!t.is_error() && (t.kind != TypeKind::Real || t.list || t.dim.dimensionless()))
          ctx_.diags.report(DiagId::type_mismatch, h.params[0].type.range, "the spike weight", "a quantity",
                            to_string(t));
      }
    }
    Scope params = declare_params(h.params);
    ExprChecker ec = checker();
    ec.check_block(h.body, params, BlockKind::Handler);
  }

  void check_function(const ast::Function& f) {
    static const std::vector<std::string_view> hooks = {"potentiate", "depress"};
    if (std::find(hooks.begin(), hooks.end(), f.name) == hooks.end())
      ctx_.diags.report(DiagId::unknown_hook, f.name_range, f.name);
    if (f.params.size() != 1)
      ctx_.diags.report(DiagId::handler_params, f.range, f.name, "one parameter, the dimensionless change (`dw: real`)");
    Scope params = declare_params(f.params);
    ExprChecker ec = checker();
    ec.check_block(f.body, params, BlockKind::Function);
  }

  void check_receptor(const ast::ReceptorDecl& r) {
    if (declared(r.name, r.name_range)) return;
    const Model* target = ctx_.program.find_model(r.model);
    ReceptorDefault rd;
    rd.name = r.name;
    rd.decl = &r;
    if (!target) {
      report_unknown_model(ctx_, r.model, r.model_range);
    } else if (target->kind != ModelKind::Postsynaptic) {
      ctx_.diags.report(DiagId::wrong_model_kind, r.model_range, r.model, ast::to_string(target->kind),
                        "a receptor", "postsynaptic")
          .note(DiagId::note_declared_here, target->decl->name_range, target->name);
      target = nullptr;
    }
    rd.model = target;
    ExprChecker ec = checker();
    ec.restrict = Restrict::Parameters;
    std::set<std::string> given;
    for (const auto& a : r.args) {
      if (a.name.empty()) {
        ctx_.diags.report(DiagId::positional_model_arg, a.range, r.model);
        ec.check(a.value.get(), scope_);
        continue;
      }
      if (!given.insert(a.name).second) ctx_.diags.report(DiagId::duplicate_argument, a.name_range, a.name);
      ec.restrict_what = fmt::format("receptor argument '{}'", a.name);
      const Symbol* p = target ? target->find(a.name) : nullptr;
      if (target && (!p || (p->kind != SymbolKind::Parameter && p->kind != SymbolKind::State))) {
        report_unknown_argument(ctx_, *target, a.name, a.name_range);
        p = nullptr;
      }
      if (p)
        ec.check_as(a.value.get(), scope_, p->type, fmt::format("argument '{}'", a.name), true);
      else
        ec.check(a.value.get(), scope_);
      rd.args[a.name] = a.value.get();
    }
    m_.receptors.push_back(std::move(rd));
  }

  Context& ctx_;
  Model& m_;
  Scope scope_;
  std::map<std::string, diag::SourceRange> names_;
};

// Time constants (Symbol::time_constant): the time parameters the checkers found divided
// by and not tested in a condition, and those a neuron passes to one of its receptors' (`CurrExp(tau_syn = tau_syn_E)`),
// through any number of such hops; then each one's default must be positive. Values given
// in networks are checked where they are given (check_network.cpp).
void check_time_constants(Context& ctx) {
  for (const Symbol* s : ctx.divided_by)
    if (!ctx.tested.count(s)) const_cast<Symbol*>(s)->time_constant = true;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& m : ctx.program.models)
      for (const ReceptorDefault& r : m->receptors) {
        if (!r.model) continue;
        for (const auto& [name, expr] : r.args) {
          const Symbol* target = r.model->find(name);
          const Symbol* given = ctx.program.symbol_of(expr);
          if (target && target->time_constant && given && given->kind == SymbolKind::Parameter &&
              given->model == m.get() && !given->time_constant && !given->type.list) {
            const_cast<Symbol*>(given)->time_constant = true;
            changed = true;
          }
        }
      }
  }
  for (const auto& m : ctx.program.models)
    for (const Symbol* p : m->parameters) {
      if (!p->time_constant || !p->value || !p->decl || !p->decl->init) continue;
      for (double x : *p->value)
        if (!(x > 0)) {
          ctx.diags.report(DiagId::time_constant_not_positive, p->decl->init->range,
                           fmt::format("the default of '{}'", p->name), format_number(x) + " ms", m->name);
          break;
        }
    }
}

}  // namespace

void report_unknown_model(Context& ctx, const std::string& name, diag::SourceRange where) {
  std::vector<std::string_view> names;
  for (const auto& m : ctx.program.models) names.push_back(m->name);
  std::string best = closest_name(name, names);
  if (best.empty())
    ctx.diags.report(DiagId::unknown_model, where, name);
  else
    ctx.diags.report(DiagId::unknown_model_suggest, where, name, best);
}

void report_unknown_argument(Context& ctx, const Model& model, const std::string& name, diag::SourceRange where) {
  std::vector<std::string_view> names;
  for (const Symbol* s : model.parameters) names.push_back(s->name);
  for (const Symbol* s : model.state) names.push_back(s->name);
  std::string best = closest_name(name, names);
  auto d = best.empty() ? ctx.diags.report(DiagId::unknown_argument, where, model.name, name)
                        : ctx.diags.report(DiagId::unknown_argument_suggest, where, model.name, name, best);
  d.note(DiagId::note_declared_here, model.decl->name_range, model.name);
}

void check_models(Context& ctx) {
  // Declare every model of every file: names are global.
  std::map<std::string, const Model*> by_name;
  Scope timing_env(&ctx.builtins), weight_env(&ctx.builtins);
  std::vector<std::unique_ptr<ModelChecker>> checkers;
  // Imported files first: a model that redefines one it imports is reported where the
  // importing file redefines it.
  for (auto it = ctx.program.modules.rbegin(); it != ctx.program.modules.rend(); ++it) {
    const auto& module = *it;
    for (const auto& decl : module->models) {
      if (auto prev = by_name.find(decl->name); prev != by_name.end()) {
        ctx.diags.report(DiagId::duplicate_model, decl->name_range, decl->name)
            .note(DiagId::note_declared_here, prev->second->decl->name_range, decl->name);
        continue;
      }
      auto model = std::make_unique<Model>();
      model->decl = decl.get();
      model->kind = decl->kind;
      model->name = decl->name;
      model->file = module->file;
      by_name.emplace(decl->name, model.get());
      ctx.program.models.push_back(std::move(model));
      const Scope* outer = decl->kind == ModelKind::TimingDependence  ? &timing_env
                           : decl->kind == ModelKind::WeightDependence ? &weight_env
                                                                       : &ctx.builtins;
      checkers.push_back(std::make_unique<ModelChecker>(ctx, *ctx.program.models.back(), outer));
    }
  }
  for (auto& c : checkers) c->declare();
  // Component code may name the variables of the synapse it is plugged into and of the
  // component beside it; those are found in an outer scope of candidates.
  for (const auto& m : ctx.program.models) {
    auto kind = m->kind;
    if (kind == ModelKind::Synapse) {
      for (const auto& slot : m->slots) {
        Scope& env = slot.kind == ModelKind::TimingDependence ? timing_env : weight_env;
        for (const Symbol* s : m->parameters) env.declare(s);
        for (const Symbol* s : m->state)
          if (!s->trace) env.declare(s);
      }
    } else if (kind == ModelKind::TimingDependence || kind == ModelKind::WeightDependence) {
      Scope& sibling_env = kind == ModelKind::TimingDependence ? weight_env : timing_env;
      for (const Symbol* s : m->parameters) sibling_env.declare(s);
    }
  }
  for (auto& c : checkers) c->check();
  for (auto& m : ctx.program.models) m->draws_random = ctx.random_drawers.count(m.get()) != 0;
  check_time_constants(ctx);
}

}  // namespace gennc::sema
