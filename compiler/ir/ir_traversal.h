// Template definitions of ir.h's traversal helpers (included at its end).
#pragma once

namespace gennc::ir {

namespace detail {

template <typename F> void visit_slot(ExprPtr& slot, F& f) {
  if (!slot) return;
  Expr* before = slot.get();
  f(slot);
  // A replaced node is new: its children were built by f and need no visit.
  if (slot.get() != before || !slot) return;
  for (ExprPtr& op : slot->operands) visit_slot(op, f);
}

template <typename F> void visit_node(const Expr* e, F& f) {
  if (!e) return;
  f(*e);
  for (const ExprPtr& op : e->operands) visit_node(op.get(), f);
}

}  // namespace detail

template <typename F> void for_each_expr_slot(Block& block, F&& f) {
  for (StmtPtr& s : block) {
    detail::visit_slot(s->cond, f);
    detail::visit_slot(s->index, f);
    detail::visit_slot(s->value, f);
    detail::visit_slot(s->begin, f);
    detail::visit_slot(s->end, f);
    detail::visit_slot(s->time, f);
    detail::visit_slot(s->refractory, f);
    for (Equation& eq : s->equations) detail::visit_slot(eq.rhs, f);
    for_each_expr_slot(s->body, f);
    for_each_expr_slot(s->otherwise, f);
    for (EventRing& ev : s->events) for_each_expr_slot(ev.handler, f);
  }
}

template <typename F> void for_each_expr(const Block& block, F&& f) {
  for (const StmtPtr& s : block) {
    detail::visit_node(s->cond.get(), f);
    detail::visit_node(s->index.get(), f);
    detail::visit_node(s->value.get(), f);
    detail::visit_node(s->begin.get(), f);
    detail::visit_node(s->end.get(), f);
    detail::visit_node(s->time.get(), f);
    detail::visit_node(s->refractory.get(), f);
    for (const Equation& eq : s->equations) detail::visit_node(eq.rhs.get(), f);
    for_each_expr(s->body, f);
    for_each_expr(s->otherwise, f);
    for (const EventRing& ev : s->events) for_each_expr(ev.handler, f);
  }
}

template <typename F> void for_each_stmt(const Block& block, F&& f) {
  for (const StmtPtr& s : block) {
    f(*s);
    for_each_stmt(s->body, f);
    for_each_stmt(s->otherwise, f);
    for (const EventRing& ev : s->events) for_each_stmt(ev.handler, f);
  }
}

}  // namespace gennc::ir
