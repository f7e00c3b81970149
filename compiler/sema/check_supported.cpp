// What a network may say in GDSL but the simulator cannot do: `on spike` handlers not
// linear in their weight, from_file between assemblies, a dendritic delay fraction that
// varies or is below one half, and initial values computed from randomly drawn
// parameters. Lowering relies on these checks and reports nothing itself.
#include <fmt/format.h>

#include <functional>
#include <set>

#include "sema/network_checker.h"

namespace gennc::sema {

namespace {

// How an expression depends on the handler's weight argument.
enum class Dep { Free, Linear, Bad };

class LinearityCheck {
 public:
  LinearityCheck(const Program& p, const Symbol* w) : p_(p) { linear_.insert(w); }

  bool block_ok(const ast::Block& b) {
    collect_assigned(b);
    return statements_ok(b);
  }

 private:
  void collect_assigned(const ast::Block& b) {
    for (const auto& s : b.statements) {
      if (auto* a = ast::dyn_cast<ast::AssignStmt>(s.get())) {
        auto it = p_.assign_targets.find(a);
        if (it != p_.assign_targets.end()) assigned_.insert(it->second);
      } else if (auto* i = ast::dyn_cast<ast::IfStmt>(s.get())) {
        collect_assigned(i->then);
        if (i->otherwise) collect_assigned(*i->otherwise);
      }
    }
  }

  bool statements_ok(const ast::Block& b) {
    for (const auto& s : b.statements) {
      if (auto* let = ast::dyn_cast<ast::LetStmt>(s.get())) {
        Dep d = dep(let->value.get());
        if (d == Dep::Bad) return false;
        auto it = p_.lets.find(let);
        if (d == Dep::Linear && it != p_.lets.end()) linear_.insert(it->second);
      } else if (auto* a = ast::dyn_cast<ast::AssignStmt>(s.get())) {
        Dep d = dep(a->value.get());
        bool accumulate = a->op == ast::AssignOp::Add || a->op == ast::AssignOp::Sub;
        // Accumulating a weight-free amount counts spikes, which a summed weight cannot do.
        if (d == Dep::Bad || (accumulate && d == Dep::Free) || (!accumulate && d == Dep::Linear)) return false;
      } else if (auto* i = ast::dyn_cast<ast::IfStmt>(s.get())) {
        if (dep(i->cond.get()) != Dep::Free) return false;
        if (!statements_ok(i->then)) return false;
        if (i->otherwise && !statements_ok(*i->otherwise)) return false;
      } else if (auto* e = ast::dyn_cast<ast::ExprStmt>(s.get())) {
        if (dep(e->expr.get()) != Dep::Free) return false;
      }
    }
    return true;
  }

  bool reads_assigned(const ast::Expr* e) {
    bool found = false;
    walk(e, [&](const ast::Expr* x) {
      const Symbol* s = p_.symbol_of(x);
      if (s && assigned_.count(s)) found = true;
    });
    return found;
  }

  static void walk(const ast::Expr* e, const std::function<void(const ast::Expr*)>& f) {
    if (!e) return;
    f(e);
    using ast::ExprKind;
    switch (e->kind) {
      case ExprKind::Unary: walk(static_cast<const ast::UnaryExpr*>(e)->operand.get(), f); break;
      case ExprKind::Binary: {
        auto* b = static_cast<const ast::BinaryExpr*>(e);
        walk(b->lhs.get(), f);
        walk(b->rhs.get(), f);
        break;
      }
      case ExprKind::Conditional: {
        auto* c = static_cast<const ast::ConditionalExpr*>(e);
        walk(c->cond.get(), f);
        walk(c->then.get(), f);
        walk(c->otherwise.get(), f);
        break;
      }
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(e)->args) walk(a.value.get(), f);
        break;
      case ExprKind::Index: {
        auto* ix = static_cast<const ast::IndexExpr*>(e);
        walk(ix->base.get(), f);
        walk(ix->index.get(), f);
        break;
      }
      default: break;
    }
  }

  static bool is_zero(const ast::Expr* e) {
    if (auto* n = ast::dyn_cast<ast::NumberLit>(e)) return n->value == 0;
    if (auto* q = ast::dyn_cast<ast::QuantityLit>(e)) return q->value == 0;
    return false;
  }

  Dep dep(const ast::Expr* e) {
    using ast::ExprKind;
    switch (e->kind) {
      case ExprKind::Name: {
        const Symbol* s = p_.symbol_of(e);
        return s && linear_.count(s) ? Dep::Linear : Dep::Free;
      }
      case ExprKind::Unary: {
        auto* u = static_cast<const ast::UnaryExpr*>(e);
        Dep d = dep(u->operand.get());
        return u->op == ast::UnaryOp::Not && d != Dep::Free ? Dep::Bad : d;
      }
      case ExprKind::Binary: {
        auto* b = static_cast<const ast::BinaryExpr*>(e);
        Dep l = dep(b->lhs.get()), r = dep(b->rhs.get());
        if (l == Dep::Bad || r == Dep::Bad) return Dep::Bad;
        if (l == Dep::Free && r == Dep::Free) return Dep::Free;
        switch (b->op) {
          case ast::BinaryOp::Add:
          case ast::BinaryOp::Sub:
            if ((l == Dep::Linear || is_zero(b->lhs.get())) && (r == Dep::Linear || is_zero(b->rhs.get())))
              return Dep::Linear;
            return Dep::Bad;
          case ast::BinaryOp::Mul:
            if (l == Dep::Linear && r == Dep::Linear) return Dep::Bad;
            return reads_assigned(l == Dep::Free ? b->lhs.get() : b->rhs.get()) ? Dep::Bad : Dep::Linear;
          case ast::BinaryOp::Div:
            return r == Dep::Free && !reads_assigned(b->rhs.get()) ? Dep::Linear : Dep::Bad;
          default: return Dep::Bad;
        }
      }
      case ExprKind::Conditional: {
        auto* c = static_cast<const ast::ConditionalExpr*>(e);
        if (dep(c->cond.get()) != Dep::Free) return Dep::Bad;
        Dep a = dep(c->then.get()), b = dep(c->otherwise.get());
        if (a == Dep::Bad || b == Dep::Bad) return Dep::Bad;
        if (a == b) return a;
        if ((a == Dep::Linear && is_zero(c->otherwise.get())) || (b == Dep::Linear && is_zero(c->then.get())))
          return Dep::Linear;
        return Dep::Bad;
      }
      case ExprKind::Call:
        for (const auto& a : static_cast<const ast::CallExpr*>(e)->args)
          if (dep(a.value.get()) != Dep::Free) return Dep::Bad;
        return Dep::Free;
      default: return Dep::Free;
    }
  }

  const Program& p_;
  std::set<const Symbol*> linear_;
  std::set<const Symbol*> assigned_;
};

// Reports `on spike` handlers of the network's receptors that are not linear in their
// weight: the spikes of one step reach a receptor summed, and go through it once.
void check_spike_linearity(Context& ctx, const Network& net) {
  for (const Population& pop : net.populations)
    for (const ReceptorInstance& r : pop.receptors) {
      if (!r.model) continue;
      for (const ast::Handler& h : r.model->decl->body.handlers) {
        if (h.event != "spike" || h.params.empty()) continue;
        auto w = ctx.program.params.find(&h.params[0]);
        if (w == ctx.program.params.end()) continue;
        if (!LinearityCheck(ctx.program, w->second).block_ok(h.body))
          ctx.diags.report(DiagId::nonlinear_spike_handler, h.range, r.model->name, w->second->name);
      }
    }
}

// Whether the synapse or a component of it runs code on post spikes (`on post`, or post
// traces' `on spike`): then its learning rule sees post spikes through the dendritic delay.
bool sees_post_spikes(const SynapseInstance& syn) {
  std::vector<const Model*> models{syn.model};
  for (const SlotBinding& b : syn.slots) models.push_back(b.component);
  for (const Model* m : models) {
    if (!m) continue;
    for (const ast::Handler& h : m->decl->body.handlers)
      if (h.event == "post") return true;
    for (const ast::TraceBlock& tb : m->decl->body.traces)
      if (tb.side == ast::TraceSide::Post)
        for (const ast::Handler& h : tb.body.handlers)
          if (h.event == "spike") return true;
  }
  return false;
}

void check_projection_limits(Context& ctx, const Projection& proj) {
  diag::SourceRange range = proj.decl ? proj.decl->range : diag::SourceRange{};
  if (proj.pre.size() * proj.post.size() > 1 && proj.connector.kind == ConnectorKind::FromFile)
    // The file is read when the simulation starts, by each part's own connector.
    ctx.diags.report(DiagId::file_between_assemblies, range, proj.name);
  if (!proj.synapse.model || !sees_post_spikes(proj.synapse)) return;
  // The rule sees a post spike f*D after it was fired and a pre spike (1-f)*D after, and
  // gennc handles pre spikes when they are fired (lower/plasticity.cpp).
  double fraction = 1.0;
  if (const Symbol* s = proj.synapse.model->find("dendritic_delay_fraction")) {
    auto v = proj.synapse.values.find(s->name);
    if (v != proj.synapse.values.end() && (v->second.kind != ValueKind::Constant || v->second.numbers.size() != 1)) {
      ctx.diags.report(DiagId::dendritic_fraction_not_uniform, range, proj.name);
      return;
    }
    if (v != proj.synapse.values.end())
      fraction = v->second.numbers[0];
    else if (s->value && !s->value->empty())
      fraction = s->value->front();
  }
  if (fraction < 0.5)
    // The rule would see a pre spike after the weight it carries had left.
    ctx.diags.report(DiagId::dendritic_fraction_below_half, range, proj.name, fraction);
}

// Whether `e` names `name`.
bool mentions(const ast::Expr* e, const std::string& name) {
  bool found = false;
  walk_expr(e, [&](const ast::Expr* x) {
    if (const auto* n = ast::dyn_cast<ast::NameRef>(x)) found = found || n->name == name;
  });
  return found;
}

bool mentions(const ast::Block& block, const std::string& name) {
  for (const ast::StmtPtr& s : block.statements) {
    if (const auto* let = ast::dyn_cast<ast::LetStmt>(s.get())) {
      if (mentions(let->value.get(), name)) return true;
    } else if (const auto* assign = ast::dyn_cast<ast::AssignStmt>(s.get())) {
      if (mentions(assign->value.get(), name)) return true;
    } else if (const auto* branch = ast::dyn_cast<ast::IfStmt>(s.get())) {
      if (mentions(branch->cond.get(), name) || mentions(branch->then, name) ||
          (branch->otherwise && mentions(*branch->otherwise, name)))
        return true;
    } else if (const auto* call = ast::dyn_cast<ast::ExprStmt>(s.get())) {
      if (mentions(call->expr.get(), name)) return true;
    }
  }
  return false;
}

// Whether `eq` reads `x' = -x / e` with `e` free of x: a trace that decays exponentially.
bool decays_exponentially(const ast::Equation& eq) {
  const auto* div = ast::dyn_cast<ast::BinaryExpr>(eq.rhs.get());
  if (!div || div->op != ast::BinaryOp::Div || mentions(div->rhs.get(), eq.var)) return false;
  const auto* neg = ast::dyn_cast<ast::UnaryExpr>(div->lhs.get());
  const auto* x = neg && neg->op == ast::UnaryOp::Neg ? ast::dyn_cast<ast::NameRef>(neg->operand.get()) : nullptr;
  return x && x->name == eq.var;
}

// Onto a precise population the learning rule sees each post spike at its exact time, as
// NEST's synapses do (and a pre spike at its step's end): lowering moves the traces by the
// spike's offset inside its step (lower/plasticity.cpp), which needs every trace to decay
// as `x' = -x / tau`, and `on post` code that reads no post trace (it would count its own
// spike, which the trace then already holds).
void check_precise_plasticity(Context& ctx, const Network& net, const Projection& proj) {
  bool precise = false;
  for (const IndexSet& set : proj.post) precise = precise || net.populations[set.population].precise;
  if (!precise || !proj.synapse.model || !sees_post_spikes(proj.synapse)) return;
  std::vector<const Model*> models{proj.synapse.model};
  for (const SlotBinding& b : proj.synapse.slots) models.push_back(b.component);
  std::vector<std::string> post_traces;
  for (const Model* m : models) {
    if (!m) continue;
    for (const ast::TraceBlock& tb : m->decl->body.traces) {
      for (const ast::Equation& eq : tb.body.equations)
        if (!decays_exponentially(eq))
          ctx.diags.report(DiagId::precise_trace_form, eq.range, proj.name, eq.var, m->name);
      if (tb.side == ast::TraceSide::Post)
        for (const ast::VarDecl& v : tb.body.state) post_traces.push_back(v.name);
    }
  }
  for (const Model* m : models) {
    if (!m) continue;
    for (const ast::Handler& h : m->decl->body.handlers)
      if (h.event == "post")
        for (const std::string& trace : post_traces)
          if (mentions(h.body, trace)) ctx.diags.report(DiagId::precise_post_reads_post_trace, h.range, proj.name, trace);
  }
}

// Initial values are fixed when the model is built: an expression of parameters is
// evaluated then, per element, which a parameter drawn at initialisation does not allow.
void check_initial_values(Context& ctx, const Model* model, const std::map<std::string, Value>& values,
                          const std::string& prefix) {
  if (!model) return;
  auto drawn = [&](const Symbol* s) {
    if (s->kind != SymbolKind::Parameter || s->model != model) return false;
    auto v = values.find(s->name);
    return v != values.end() && v->second.kind == ValueKind::Distribution;
  };
  for (const Symbol* s : model->state) {
    if (s->trace) continue;
    auto v = values.find(s->name);
    const ast::Expr* e = v != values.end() ? (v->second.kind == ValueKind::Expression ? v->second.expr : nullptr)
                                           : (s->decl ? s->decl->init.get() : nullptr);
    if (!e) continue;
    bool reads_drawn = false;
    walk_expr(e, [&](const ast::Expr* x) {
      const Symbol* named = ctx.program.symbol_of(x);
      if (named && drawn(named)) reads_drawn = true;
    });
    if (reads_drawn) ctx.diags.report(DiagId::unsupported_initial_value, e->range, prefix + s->name);
  }
}

}  // namespace

void check_supported(Context& ctx, const Network& net) {
  check_spike_linearity(ctx, net);
  for (const Population& pop : net.populations) {
    check_initial_values(ctx, pop.model, pop.values, pop.name + ".");
    for (const ReceptorInstance& r : pop.receptors)
      check_initial_values(ctx, r.model, r.values, pop.name + "." + r.name + ".");
  }
  // Current sources are named as in the plan: `<Model><index>` when unnamed, else the name,
  // or `<name>.<set>` for each set of an assembly.
  std::size_t index = 0;
  for (const Injection& inj : net.injections) {
    for (std::size_t set = 0; set < inj.targets.size(); ++set, ++index) {
      if (!inj.model) continue;
      std::string name = inj.name.empty()           ? fmt::format("{}{}", inj.model->name, index)
                         : inj.targets.size() == 1 ? inj.name
                                                   : fmt::format("{}.{}", inj.name, set);
      check_initial_values(ctx, inj.model, inj.values, name + ".");
    }
  }
  for (const Projection& proj : net.projections) {
    check_projection_limits(ctx, proj);
    check_precise_plasticity(ctx, net, proj);
    check_initial_values(ctx, proj.synapse.model, proj.synapse.values, proj.name + ".");
  }
}

}  // namespace gennc::sema
