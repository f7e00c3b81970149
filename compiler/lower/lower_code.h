// Lowering of model code (expressions and statements written in GDSL models) into one
// kernel. What every name means in that kernel — a local, an array element, an inlined
// expression — is given by the caller as a template per sema Symbol, cloned at each use;
// the other files of lower/ set the bindings for neurons, receptors, synapses, traces and
// current sources. Internal to lower/.
#pragma once

#include <functional>
#include <unordered_map>

#include "ir/ir.h"
#include "sema/program.h"

namespace gennc::lower {

// Lowering builds IR throughout; its files name IR types and builders unqualified.
using namespace ir;

class CodeLowerer {
 public:
  CodeLowerer(const sema::Program& program, Module& module, Kernel& kernel);

  // Every use of `s` becomes a clone of `value`. A Local template makes `s` assignable as
  // a local; a Load template makes it assignable as an array element (stored in place).
  void bind(const sema::Symbol* s, ExprPtr value);
  bool is_bound(const sema::Symbol* s) const { return bindings_.count(s) != 0; }
  const Expr* binding(const sema::Symbol* s) const;

  // The element random draws are addressed by (u32): the neuron, synapse or target.
  void set_draw_index(ExprPtr index) { draw_index_ = std::move(index); }
  // The draw number (u32) of those draws; null: 0. A spike delivered several times in one
  // step draws afresh for each (the repetition is the draw number).
  void set_draw_number(ExprPtr number) { draw_number_ = std::move(number); }

  // `emit(x)` (synapses): appends the delivery of x to `out`.
  std::function<void(ExprPtr x, SourceRange where, Block& out)> on_emit;
  // `potentiate(dw)` / `depress(dw)` (timing dependences): appends the weight update.
  std::function<void(sema::Builtin which, ExprPtr dw, SourceRange where, Block& out)> on_weight_update;
  // Names without a binding (`pre.v`, `post.v`: sema makes one symbol per use site).
  std::function<ExprPtr(const sema::Symbol* s)> resolve;
  // `len(list)` and `list[i]` of a list parameter.
  std::function<ExprPtr(const sema::Symbol* list)> list_length;
  std::function<ExprPtr(const sema::Symbol* list, ExprPtr index)> list_element;

  // The IR type of a sema type: bool, i32 for int, the module's real type for reals.
  Type type_of(const sema::Type& t) const;
  ExprPtr expr(const ast::Expr* e);
  ExprPtr expr_as(const ast::Expr* e, Type t);  // converted to t
  void block(const ast::Block& b, Block& out);
  void statement(const ast::Stmt* s, Block& out);

  // Converts x to t (a cast unless it already has that type).
  static ExprPtr coerce(ExprPtr x, Type t);

  Kernel& kernel() { return kernel_; }

 private:
  ExprPtr name(const ast::Expr* e);
  ExprPtr binary(const ast::BinaryExpr* e);
  ExprPtr call(const ast::CallExpr* e);
  ExprPtr draw(sema::Builtin b, const ast::CallExpr* e);
  std::vector<const ast::Expr*> call_args(const ast::CallExpr* e, std::initializer_list<const char*> names);
  void assign(const sema::Symbol* target, ast::AssignOp op, ExprPtr value, SourceRange r, Block& out);
  Type sema_type(const ast::Expr* e) const;
  ExprPtr make_real(double v) const;  // a constant of the module's real type

  const sema::Program& program_;
  Module& module_;
  Kernel& kernel_;
  std::unordered_map<const sema::Symbol*, ExprPtr> bindings_;
  ExprPtr draw_index_;
  ExprPtr draw_number_;
};

}  // namespace gennc::lower
