#include "passes/lower_refractoriness.h"

#include "ir/internal_error.h"

namespace gennc::passes {

using namespace ir;

namespace {

// The top-level Let that declares `id`, or end.
Block::iterator find_let(Block& body, LocalId id) {
  for (auto it = body.begin(); it != body.end(); ++it)
    if ((*it)->kind == StmtKind::Let && (*it)->local == id) return it;
  return body.end();
}

void lower(Module& m, Kernel& k, Block::iterator at) {
  StmtPtr th = std::move(*at);
  at = k.body.erase(at);
  Block replacement;
  ExprPtr cond = std::move(th->cond);
  Block body = std::move(th->body);

  if (th->refractory) {
    const Population& pop = m.populations[th->population];
    ArrayId array = m.add_internal_state(pop.name + ".refractory_countdown", "", GENNC_I32, th->population);

    LocalId count = k.add_local("refractory_countdown", Type::I32);
    LocalId refractory = k.add_local("refractory", Type::Bool);
    // At the start of the step: is the neuron refractory, and the held values.
    Block prologue;
    prologue.push_back(let(count, load(array, Type::I32, input(Input::Index)), th->range));
    prologue.push_back(let(refractory, binary(BinaryOp::Gt, local(count, Type::I32), iconst(Type::I32, 0)), th->range));
    std::ptrdiff_t offset = at - k.body.begin();
    k.body.insert(k.body.begin(), std::make_move_iterator(prologue.begin()), std::make_move_iterator(prologue.end()));
    offset += static_cast<std::ptrdiff_t>(prologue.size());
    std::vector<std::pair<LocalId, LocalId>> held;
    for (LocalId h : th->held) {
      auto decl = find_let(k.body, h);
      GENNC_IR_ASSERT(decl != k.body.end(), "lower_refractoriness", "held local is not declared at the top level");
      LocalId saved = k.add_local(k.locals[h].name + ".held", k.locals[h].type);
      std::ptrdiff_t pos = decl - k.body.begin();
      k.body.insert(k.body.begin() + pos + 1, let(saved, local(h, k.locals[h].type), th->range));
      if (pos < offset) ++offset;
      held.emplace_back(h, saved);
    }
    at = k.body.begin() + offset;

    for (auto [h, saved] : held) {
      Type t = k.locals[h].type;
      replacement.push_back(
          assign(h, select(local(refractory, Type::Bool), local(saved, t), local(h, t)), th->range));
    }
    replacement.push_back(assign(count,
                                 select(local(refractory, Type::Bool),
                                        binary(BinaryOp::Sub, local(count, Type::I32), iconst(Type::I32, 1)),
                                        local(count, Type::I32)),
                                 th->range));
    // NEST's RefractoryCounts: the period in whole steps, rounded to the nearest.
    std::vector<ExprPtr> period;
    period.push_back(binary(BinaryOp::Div, std::move(th->refractory), input(Input::Dt)));
    ExprPtr steps = cast(Type::I32, call(MathFn::Round, std::move(period)));
    body.push_back(assign(count, std::move(steps), th->range));
    cond = binary(BinaryOp::And, unary(UnaryOp::Not, local(refractory, Type::Bool)), std::move(cond));
    replacement.push_back(if_(std::move(cond), std::move(body), {}, th->range));
    replacement.push_back(store(array, input(Input::Index), local(count, Type::I32), th->range));
  } else {
    replacement.push_back(if_(std::move(cond), std::move(body), {}, th->range));
  }
  k.body.insert(at, std::make_move_iterator(replacement.begin()), std::make_move_iterator(replacement.end()));
}

}  // namespace

bool lower_refractoriness(Module& m, const Options&, diag::Diagnostics&) {
  bool changed = false;
  for (Kernel& k : m.kernels) {
    for (;;) {
      auto it = k.body.begin();
      while (it != k.body.end() && (*it)->kind != StmtKind::Threshold) ++it;
      if (it == k.body.end()) break;
      lower(m, k, it);
      changed = true;
    }
  }
  return changed;
}

}  // namespace gennc::passes
