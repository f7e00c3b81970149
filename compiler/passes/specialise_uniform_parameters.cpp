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

// Replaces loads of the arrays in `values`, constant-index loads of list parameters, and
// Input::Dt everywhere.
bool substitute(Module& m, const std::map<ArrayId, double>& values) {
  bool changed = false;
  auto visit = [&](ExprPtr& slot) {
    if (slot->kind == ExprKind::Input && slot->input == Input::Dt) {
      slot = fconst(Type::F64, m.dt);
      changed = true;
    } else if (slot->kind == ExprKind::Load) {
      const Array& a = m.arrays[slot->array];
      ExprPtr index = fold(clone(*slot->operands[0]));
      if (is_list_parameter(a) && is_const(*index)) {
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
  for (Kernel& k : m.kernels) for_each_expr_slot(k.body, visit);
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

bool specialise_uniform_parameters(Module& m, const Options&, diag::Diagnostics&) {
  std::map<ArrayId, double> values;
  // Weights that a connection list or file fills per synapse stay arrays, whatever their
  // default.
  std::set<ArrayId> from_data;
  for (const Projection& p : m.projections)
    if (p.weight_from_list != kNone) from_data.insert(p.weight_from_list);
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
  bool changed = substitute(m, values);
  for (;;) {
    std::map<ArrayId, double> derived = constant_derived(m);
    if (derived.empty()) break;
    drop_stores(m, derived);
    substitute(m, derived);
    changed = true;
  }
  return changed;
}

}  // namespace gennc::passes
