#include "passes/fold_constants.h"

#include <map>
#include <set>

#include "ir/fold.h"

namespace gennc::passes {

using namespace ir;

namespace {

class Folder {
 public:
  explicit Folder(Kernel& k) : k_(k) {
    for_each_stmt(k.body, [&](const Stmt& s) {
      if (s.kind == StmtKind::Assign || s.kind == StmtKind::For || s.kind == StmtKind::ForRow ||
          s.kind == StmtKind::ForBits || (s.kind == StmtKind::AtomicAdd && s.local != kNone))
        assigned_.insert(s.local);
    });
  }

  bool run() {
    block(k_.body);
    return changed_;
  }

 private:
  ExprPtr expr(ExprPtr e) {
    Block holder;
    holder.push_back(let(0, std::move(e)));
    for_each_expr_slot(holder, [&](ExprPtr& slot) {
      if (slot->kind != ExprKind::Local) return;
      auto it = known_.find(slot->local);
      if (it == known_.end()) return;
      slot = clone(*it->second);
      changed_ = true;
    });
    ExprPtr before = clone(*holder[0]->value);
    ExprPtr after = fold(std::move(holder[0]->value));
    if (!equal(*before, *after)) changed_ = true;
    return after;
  }

  void block(Block& b) {
    Block out;
    for (StmtPtr& s : b) {
      for (ExprPtr* slot : {&s->cond, &s->index, &s->value, &s->begin, &s->end, &s->refractory})
        if (*slot) *slot = expr(std::move(*slot));
      for (Equation& eq : s->equations) eq.rhs = expr(std::move(eq.rhs));
      if (s->kind == StmtKind::Let && is_const(*s->value) && !assigned_.count(s->local))
        known_[s->local] = clone(*s->value);
      if (s->kind == StmtKind::If && is_const(*s->cond)) {
        Block& taken = s->cond->integer ? s->body : s->otherwise;
        block(taken);
        for (StmtPtr& t : taken) out.push_back(std::move(t));
        changed_ = true;
        continue;
      }
      block(s->body);
      block(s->otherwise);
      out.push_back(std::move(s));
    }
    b = std::move(out);
  }

  Kernel& k_;
  std::set<LocalId> assigned_;
  std::map<LocalId, ExprPtr> known_;
  bool changed_ = false;
};

}  // namespace

bool fold_constants(Module& m, const Options&, diag::Diagnostics&) {
  bool changed = false;
  for (Kernel& k : m.kernels) changed = Folder(k).run() || changed;
  for (SynapseFunction& f : m.synapse_functions) {
    ExprPtr before = clone(*f.value);
    f.value = fold(std::move(f.value));
    if (!equal(*before, *f.value)) changed = true;
  }
  return changed;
}

}  // namespace gennc::passes
