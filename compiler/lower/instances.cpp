// Model instances: the arrays of an instance's parameters, state and derived quantities,
// their initial values, and the bindings of the instance's names in model code.
#include "lower/lowerer.h"

#include "ir/fold.h"

namespace gennc::lower {

const sema::Value* Lowerer::value_of(const Instance& inst, const sema::Symbol* s) const {
  if (!inst.values) return nullptr;
  auto it = inst.values->find(s->name);
  return it == inst.values->end() ? nullptr : &it->second;
}

// The symbol's dimension with `weight` made concrete.
std::string Lowerer::unit_of(const Instance& inst, const sema::Symbol* s) const {
  return unit_text(s->type.dim.has_weight() ? s->type.dim.substitute_weight(inst.weight_dim) : s->type.dim);
}

// Declares the arrays of an instance's parameters, state and derived quantities.
void Lowerer::declare_instance(Instance& inst) {
  const sema::Model& model = *inst.model;
  for (const sema::Symbol* s : model.parameters) {
    const sema::Value* v = value_of(inst, s);
    sema::Value fallback;
    if (!v) {
      fallback.kind = sema::ValueKind::Constant;
      fallback.type = s->type;
      if (s->value) fallback.numbers = *s->value;
      v = &fallback;
    }
    if (s->type.list) {
      declare_list(inst, s, *v);
      continue;
    }
    if (v->kind == sema::ValueKind::Expression) {
      inst.aliases[s] = v->expr;
      continue;
    }
    inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                               GENNC_ARRAY_PARAMETER, init_of(*v), scope_length(inst));
  }
  for (const sema::Symbol* s : model.derived)
    inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                               GENNC_ARRAY_DERIVED, {}, scope_length(inst));
  for (const sema::Symbol* s : model.state) {
    if (s->trace) continue;  // trace state lives per neuron, declared with the projection
    inst.arrays[s] = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type), inst.scope, inst.owner,
                               GENNC_ARRAY_STATE, state_init(inst, s), scope_length(inst));
  }
}

void Lowerer::declare_list(Instance& inst, const sema::Symbol* s, const sema::Value& v) {
  ListArrays la;
  Init values;
  values.kind = GENNC_INIT_LIST;
  if (v.kind == sema::ValueKind::PerElement && !v.lists.empty()) {
    Init offsets;
    offsets.kind = GENNC_INIT_LIST;
    offsets.values.push_back(0);
    for (const auto& l : v.lists) {
      values.values.insert(values.values.end(), l.begin(), l.end());
      offsets.values.push_back(static_cast<double>(values.values.size()));
    }
    std::uint64_t n = offsets.values.size();
    la.offsets = add_array(inst.prefix + s->name + ".offsets", "", Type::U32, GENNC_SCOPE_LIST, 0,
                           GENNC_ARRAY_INTERNAL, std::move(offsets), n);
  } else {
    values.values = v.numbers;
    la.length = static_cast<std::uint32_t>(v.numbers.size());
  }
  std::uint64_t n = values.values.size();
  la.values = add_array(inst.prefix + s->name, unit_of(inst, s), type_of(s->type.element()), GENNC_SCOPE_LIST, 0,
                        GENNC_ARRAY_PARAMETER, std::move(values), n);
  inst.lists[s] = la;
}

// A state variable's initial value. An expression of parameters (`u: real = U`) is
// evaluated here from the parameters' values, per element where they differ.
Init Lowerer::state_init(Instance& inst, const sema::Symbol* s) {
  const sema::Value* v = value_of(inst, s);
  if (v && v->kind != sema::ValueKind::Expression) return init_of(*v);
  const ast::Expr* e = v ? v->expr : (s->decl ? s->decl->init.get() : nullptr);
  if (!e) {
    Init in;
    in.kind = GENNC_INIT_CONSTANT;
    if (s->value && !s->value->empty()) in.params[0] = s->value->front();
    return in;
  }
  // Lower the expression in a scratch kernel with parameters as loads, then evaluate.
  Kernel scratch;
  CodeLowerer cl(p_, *m_, scratch);
  ExprPtr idx = input(Input::Index);
  bind_parameters(cl, inst, *idx);
  ExprPtr value = cl.expr_as(e, type_of(s->type));
  std::vector<double> per_element;
  bool per_element_needed = false;
  bool ok = true;
  auto evaluate = [&](std::size_t element) -> std::optional<double> {
    ExprPtr copy = clone(*value);
    Block holder;
    holder.push_back(ir::let(0, std::move(copy)));
    for_each_expr_slot(holder, [&](ExprPtr& slot) {
      if (slot->kind != ExprKind::Load) return;
      const Init& in = m_->arrays[slot->array].init;
      if (in.kind == GENNC_INIT_CONSTANT) {
        slot = make_const(slot->type, in.params[0]);
      } else if (in.kind == GENNC_INIT_LIST && element < in.values.size()) {
        per_element_needed = true;
        slot = make_const(slot->type, in.values[element]);
      } else {
        ok = false;
      }
    });
    ExprPtr folded = fold(std::move(holder[0]->value));
    if (!is_const(*folded)) return std::nullopt;
    return const_value(*folded);
  };
  Init in;
  auto first = evaluate(0);
  // Sema rejects initial values that read a randomly drawn parameter (check_supported.cpp).
  GENNC_IR_ASSERT(ok && first, kWhere, "initial value that is not known at compile time");
  if (!per_element_needed) {
    in.kind = GENNC_INIT_CONSTANT;
    in.params[0] = *first;
    return in;
  }
  in.kind = GENNC_INIT_LIST;
  for (std::size_t i = 0; i < inst.count; ++i) in.values.push_back(evaluate(i).value_or(0.0));
  return in;
}

// Binds an instance's parameters (arrays read at `idx`, list parameters, aliases) in cl.
void Lowerer::bind_parameters(CodeLowerer& cl, Instance& inst, const Expr& idx) {
  for (const sema::Symbol* s : inst.model->parameters) {
    auto it = inst.arrays.find(s);
    if (it != inst.arrays.end()) cl.bind(s, load(it->second, type_of(s->type), clone(idx)));
  }
  for (auto& [s, la] : inst.lists) lists_[s] = {la, clone(idx)};
  cl.list_length = [this](const sema::Symbol* s) -> ExprPtr {
    auto& [la, index] = lists_.at(s);
    if (la.offsets == kNone) return iconst(Type::I32, la.length);
    ExprPtr next = binary(BinaryOp::Add, clone(*index), iconst(Type::U32, 1));
    return cast(Type::I32, binary(BinaryOp::Sub, load(la.offsets, Type::U32, std::move(next)),
                                  load(la.offsets, Type::U32, clone(*index))));
  };
  cl.list_element = [this](const sema::Symbol* s, ExprPtr i) -> ExprPtr {
    auto& [la, index] = lists_.at(s);
    Type t = value_type(m_->arrays[la.values].dtype);
    if (la.offsets == kNone) return load(la.values, t, std::move(i));
    return load(la.values, t, binary(BinaryOp::Add, load(la.offsets, Type::U32, clone(*index)), std::move(i)));
  };
  // Aliases are expressions in the host's symbols, bound before this call.
  for (auto& [s, e] : inst.aliases) cl.bind(s, cl.expr_as(e, type_of(s->type)));
}

void Lowerer::bind_derived_loads(CodeLowerer& cl, Instance& inst, const Expr& idx) {
  for (const sema::Symbol* s : inst.model->derived) cl.bind(s, load(inst.arrays.at(s), type_of(s->type), clone(idx)));
}

// Loads an instance's state into locals; `stores` collects the write-backs.
void Lowerer::load_state(CodeLowerer& cl, Instance& inst, const Expr& idx, const std::string& local_prefix,
                         Block& out, Block& stores) {
  for (const sema::Symbol* s : inst.model->state) {
    auto it = inst.arrays.find(s);
    if (it == inst.arrays.end()) continue;
    Type t = type_of(s->type);
    LocalId id = cl.kernel().add_local(local_prefix + s->name, t);
    out.push_back(let(id, load(it->second, t, clone(idx)), s->decl ? s->decl->range : SourceRange{}));
    stores.push_back(store(it->second, clone(idx), local(id, t)));
    cl.bind(s, local(id, t));
  }
}

void Lowerer::bind_state_arrays(CodeLowerer& cl, Instance& inst, const Expr& idx) {
  for (const sema::Symbol* s : inst.model->state) {
    auto it = inst.arrays.find(s);
    if (it != inst.arrays.end()) cl.bind(s, load(it->second, type_of(s->type), clone(idx)));
  }
}

// Emits the derived kernel's computation of an instance's derived quantities.
void Lowerer::compute_derived(CodeLowerer& cl, Instance& inst, const Expr& idx, Block& out) {
  for (const sema::Symbol* s : inst.model->derived) {
    Type t = type_of(s->type);
    ExprPtr value = cl.expr_as(s->decl->init.get(), t);
    LocalId id = cl.kernel().add_local(inst.prefix + s->name, t);
    out.push_back(let(id, std::move(value), s->decl->range));
    out.push_back(store(inst.arrays.at(s), clone(idx), local(id, t), s->decl->range));
    cl.bind(s, local(id, t));
  }
}

}  // namespace gennc::lower
