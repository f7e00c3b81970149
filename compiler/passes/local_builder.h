// Statements that declare and assign one kernel's locals, all at one source range: what
// the passes that write IR code of their own (solve_precise_steps, emit_propagator) share.
#pragma once

#include <string>
#include <utility>

#include "ir/ir.h"

namespace gennc::passes {

class LocalBuilder {
 public:
  LocalBuilder(ir::Kernel& k, ir::SourceRange r) : k_(k), r_(r) {}

  ir::ExprPtr get(ir::LocalId id) const { return ir::local(id, k_.locals[id].type); }

  // A new local of `value`'s type, initialised to it at the end of `out`.
  ir::LocalId declare(ir::Block& out, const std::string& name, ir::ExprPtr value) {
    ir::LocalId id = k_.add_local(name, value->type);
    out.push_back(ir::let(id, std::move(value), r_));
    return id;
  }

  void set(ir::Block& out, ir::LocalId id, ir::ExprPtr value) const {
    out.push_back(ir::assign(id, std::move(value), r_));
  }

 protected:
  ir::Kernel& k_;
  ir::SourceRange r_;
};

}  // namespace gennc::passes
