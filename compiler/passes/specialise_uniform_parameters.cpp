#include "passes/specialise_uniform_parameters.h"

#include <algorithm>
#include <map>
#include <set>

#include "ir/fold.h"

namespace gennc::passes {

using namespace ir;

namespace {

// A list parameter (spike times, GIF's time constants) read at a constant index.
bool is_list_parameter(const Array& a) {
  return (a.flags & GENNC_ARRAY_PARAMETER) && a.scope == GENNC_SCOPE_LIST && a.init.kind == GENNC_INIT_LIST;
}

// What substitute() replaces, and where.
struct Substitution {
  bool list_elements = true;  // constant-index loads of list parameters
  bool kernels = true;        // in kernel bodies
  bool functions = true;      // in synapse functions
};

// Replaces loads of the arrays in `values`, constant-index loads of list parameters, and
// Input::Dt, in the kernels and synapse functions `what` says.
bool substitute(Module& m, const std::map<ArrayId, double>& values, Substitution what = {}) {
  bool changed = false;
  auto visit = [&](ExprPtr& slot) {
    if (slot->kind == ExprKind::Input && slot->input == Input::Dt) {
      slot = fconst(Type::F64, m.dt);
      changed = true;
    } else if (slot->kind == ExprKind::Load) {
      const Array& a = m.arrays[slot->array];
      ExprPtr index = fold(clone(*slot->operands[0]));
      if (what.list_elements && is_list_parameter(a) && is_const(*index)) {
        auto i = static_cast<std::size_t>(const_value(*index));
        if (i < a.init.values.size()) {
          slot = make_const(slot->type, a.init.values[i]);
          changed = true;
        }
        return;
      }
      auto it = values.find(slot->array);
      if (it == values.end()) return;
      slot = make_const(slot->type, it->second);
      changed = true;
    }
  };
  if (what.kernels)
    for (Kernel& k : m.kernels) for_each_expr_slot(k.body, visit);
  if (!what.functions) return changed;
  for (SynapseFunction& f : m.synapse_functions) {
    Block holder;
    holder.push_back(let(0, std::move(f.value)));
    for_each_expr_slot(holder, visit);
    f.value = std::move(holder[0]->value);
  }
  return changed;
}

// Derived arrays whose single top-level store in a derived kernel is a constant once
// locals bound to constants are propagated.
std::map<ArrayId, double> constant_derived(Module& m) {
  std::map<ArrayId, double> out;
  std::map<ArrayId, int> stores;
  for (Kernel& k : m.kernels) {
    for_each_stmt(k.body, [&](const Stmt& s) {
      if (s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) ++stores[s.array];
    });
  }
  for (Kernel& k : m.kernels) {
    if (k.kind != GENNC_KERNEL_DERIVED) continue;
    std::map<LocalId, double> known;
    for (StmtPtr& s : k.body) {
      if (s->kind == StmtKind::Let || s->kind == StmtKind::Store) {
        Block holder;
        holder.push_back(let(0, clone(*s->value)));
        for_each_expr_slot(holder, [&](ExprPtr& slot) {
          if (slot->kind != ExprKind::Local) return;
          auto it = known.find(slot->local);
          if (it != known.end()) slot = make_const(slot->type, it->second);
        });
        ExprPtr v = fold(std::move(holder[0]->value));
        if (!is_const(*v)) continue;
        if (s->kind == StmtKind::Let) {
          known[s->local] = const_value(*v);
        } else if (m.arrays[s->array].flags & GENNC_ARRAY_DERIVED && stores[s->array] == 1 &&
                   s->index->kind == ExprKind::Input && s->index->input == Input::Index) {
          out[s->array] = const_value(*v);
        }
      }
    }
  }
  return out;
}

// ---- --runtime-parameters: uniform values become scalar arrays ---------------------------

// Parameter arrays `values` become one-element arrays holding their value: scalar scope,
// a constant initialiser, every load reading element 0. (Synapse functions, which the
// runtime calls without arrays, still take the constants.)
void make_scalars(Module& m, const std::map<ArrayId, double>& values) {
  for (const auto& [a, v] : values) {
    Array& arr = m.arrays[a];
    arr.scope = GENNC_SCOPE_SCALAR;
    arr.length = 0;
    arr.init = Init{};
    arr.init.kind = GENNC_INIT_CONSTANT;
    arr.init.params[0] = v;
  }
  for (Kernel& k : m.kernels)
    for_each_expr_slot(k.body, [&](ExprPtr& slot) {
      if (slot->kind == ExprKind::Load && values.count(slot->array)) slot->operands[0] = iconst(Type::U32, 0);
    });
}

// Whether `e` is the same for every element of a derived kernel: no Index (but as the
// index of a scalar's load), no draw, no other loads than of scalar parameter or derived
// arrays, no locals but `uniform` ones.
bool is_uniform(const Expr& e, const Module& m, const std::set<LocalId>& uniform) {
  switch (e.kind) {
    case ExprKind::Const: return true;
    case ExprKind::Input: return e.input == Input::Dt || e.input == Input::Seed;
    case ExprKind::Local: return uniform.count(e.local) != 0;
    case ExprKind::Load:
      return m.arrays[e.array].scope == GENNC_SCOPE_SCALAR &&
             (m.arrays[e.array].flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED));
    case ExprKind::Random: return false;
    default: break;
  }
  return std::all_of(e.operands.begin(), e.operands.end(),
                     [&](const ExprPtr& op) { return is_uniform(*op, m, uniform); });
}

// A derived array whose one store (at the element's index, at the top of a derived kernel)
// is uniform becomes a scalar derived array: the store, made only by element 0, is
// `if (index == 0) store @a[0]`, and every load reads element 0. The value's locals stay
// computed by every element, so later code of the kernel keeps reading them, not the array
// that element 0 may not have written yet.
bool make_derived_scalars(Module& m) {
  std::map<ArrayId, int> stores;
  for (Kernel& k : m.kernels)
    for_each_stmt(k.body, [&](const Stmt& s) {
      if (s.kind == StmtKind::Store || s.kind == StmtKind::AtomicAdd) ++stores[s.array];
    });
  std::set<ArrayId> scalars;
  for (Kernel& k : m.kernels) {
    if (k.kind != GENNC_KERNEL_DERIVED) continue;
    std::set<LocalId> assigned, uniform;
    for_each_stmt(k.body, [&](const Stmt& s) {
      if (s.kind == StmtKind::Assign) assigned.insert(s.local);
    });
    for (StmtPtr& s : k.body) {
      if (s->kind == StmtKind::Let && !assigned.count(s->local) && is_uniform(*s->value, m, uniform)) {
        uniform.insert(s->local);
      } else if (s->kind == StmtKind::Store && (m.arrays[s->array].flags & GENNC_ARRAY_DERIVED) &&
                 m.arrays[s->array].scope != GENNC_SCOPE_SCALAR && stores[s->array] == 1 &&
                 s->index->kind == ExprKind::Input && s->index->input == Input::Index &&
                 is_uniform(*s->value, m, uniform)) {
        scalars.insert(s->array);
        Block then;
        then.push_back(store(s->array, iconst(Type::U32, 0), std::move(s->value), s->range));
        s = if_(binary(BinaryOp::Eq, input(Input::Index), iconst(Type::U32, 0)), std::move(then), {}, s->range);
      }
    }
  }
  for (ArrayId a : scalars) {
    m.arrays[a].scope = GENNC_SCOPE_SCALAR;
    m.arrays[a].length = 0;
  }
  for (Kernel& k : m.kernels)
    for_each_expr_slot(k.body, [&](ExprPtr& slot) {
      if (slot->kind == ExprKind::Load && scalars.count(slot->array)) slot->operands[0] = iconst(Type::U32, 0);
    });
  return !scalars.empty();
}

// Removes the stores into arrays that became constants.
void drop_stores(Module& m, const std::map<ArrayId, double>& values) {
  for (Kernel& k : m.kernels) {
    Block kept;
    for (StmtPtr& s : k.body)
      if (!(s->kind == StmtKind::Store && values.count(s->array))) kept.push_back(std::move(s));
    k.body = std::move(kept);
  }
}

}  // namespace

bool specialise_uniform_parameters(Module& m, const Options& options, diag::Diagnostics&) {
  std::map<ArrayId, double> values;
  // Weights that a connection list or file fills per synapse, and the columns the host
  // may give, stay arrays, whatever their default.
  std::set<ArrayId> from_data;
  for (const Projection& p : m.projections) {
    if (p.weight_from_list != kNone) from_data.insert(p.weight_from_list);
    for (const HostColumn& h : p.host_columns) from_data.insert(h.array);
  }
  for (ArrayId a = 0; a < m.arrays.size(); ++a) {
    const Array& arr = m.arrays[a];
    if (from_data.count(a)) continue;
    // (List parameters, such as spike times, are always initialised from a list.)
    if ((arr.flags & GENNC_ARRAY_PARAMETER) && arr.init.kind == GENNC_INIT_CONSTANT) values[a] = arr.init.params[0];
    // A per-element list that happens to hold one value throughout is uniform too.
    if ((arr.flags & GENNC_ARRAY_PARAMETER) && arr.scope != GENNC_SCOPE_LIST && arr.init.kind == GENNC_INIT_LIST &&
        !arr.init.values.empty() &&
        std::all_of(arr.init.values.begin(), arr.init.values.end(), [&](double v) { return v == arr.init.values[0]; }))
      values[a] = arr.init.values[0];
  }
  bool changed = false;
  if (options.runtime_parameters) {
    // Settable: the uniform parameters become scalar arrays, list parameters stay read
    // from their arrays; synapse functions (no arrays at run time) take the constants.
    Substitution in_functions;
    in_functions.kernels = false;
    changed = substitute(m, values, in_functions);
    make_scalars(m, values);
    Substitution dt_in_kernels;
    dt_in_kernels.list_elements = false;
    dt_in_kernels.functions = false;
    changed = substitute(m, {}, dt_in_kernels) || !values.empty() || changed;
  } else {
    changed = substitute(m, values);
  }
  for (;;) {
    std::map<ArrayId, double> derived = constant_derived(m);
    if (derived.empty()) break;
    drop_stores(m, derived);
    substitute(m, derived);
    changed = true;
  }
  // Derived quantities of scalar parameters are scalars too (and so on, in kernel order).
  if (options.runtime_parameters) changed = make_derived_scalars(m) || changed;
  return changed;
}

}  // namespace gennc::passes
