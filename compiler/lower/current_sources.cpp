// Current injections: one kernel per injection (per target set of an assembly) that runs
// the source's update and adds its output to the target neurons' input.
#include "lower/lowerer.h"

#include <fmt/format.h>

namespace gennc::lower {

void Lowerer::lower_injection(std::size_t ii, std::vector<std::uint32_t>& kernels) {
  const sema::Injection& inj = net_.injections[ii];
  for (std::size_t si = 0; si < inj.targets.size(); ++si) {
    const sema::IndexSet& set = inj.targets[si];
    auto index = static_cast<std::uint32_t>(m_->injections.size());
    // Unnamed: `<Model><index>`; named: the name, or `<name>.<set>` into an assembly.
    Injection out;
    out.name = inj.name.empty()           ? fmt::format("{}{}", inj.model->name, index)
               : inj.targets.size() == 1 ? inj.name
                                         : fmt::format("{}.{}", inj.name, si);
    out.model = inj.model->name;
    out.target = selection_of(set);
    m_->injections.push_back(out);

    Instance& cs = sources_list_.emplace_back();
    injection_parts_[ii].emplace_back(index, &cs);
    cs.model = inj.model;
    cs.values = &inj.values;
    cs.prefix = out.name + ".";
    cs.scope = GENNC_SCOPE_LIST;
    cs.count = out.target.count;
    declare_instance(cs);

    std::uint32_t ki = add_kernel(out.name + ".inject", GENNC_KERNEL_CURRENT_SOURCE, index, inj.decl ? inj.decl->range : SourceRange{});
    kernels.push_back(ki);
    Kernel& k = m_->kernels[ki];
    CodeLowerer cl(p_, *m_, k);
    cl.set_draw_index(input(Input::Index));
    LocalId target = k.add_local("target", Type::U32);
    k.body.push_back(let(target, target_of(out.target, out.name)));
    ExprPtr idx = input(Input::Index);
    bind_parameters(cl, cs, *idx);
    bind_derived_loads(cl, cs, *idx);
    Block stores;
    load_state(cl, cs, *idx, "", k.body, stores);
    const ast::ModelBody& body = inj.model->decl->body;
    if (body.update) cl.block(*body.update, k.body);
    ArrayId acc = pops_[set.population].injected.at(inj.target_input);
    for (const ast::Output& o : body.outputs)
      k.body.push_back(atomic_add(acc, local(target, Type::U32), cl.expr_as(o.value.get(), m_->real), o.range));
    for (auto& s : stores) k.body.push_back(std::move(s));
  }
}

// The population index of element `index` of a selection.
ExprPtr Lowerer::target_of(const Selection& s, const std::string& name) {
  switch (s.kind) {
    case GENNC_SELECT_ALL: return input(Input::Index);
    case GENNC_SELECT_SLICE:
      return binary(BinaryOp::Add, iconst(Type::U32, s.start),
                    binary(BinaryOp::Mul, input(Input::Index), iconst(Type::U32, s.step)));
    case GENNC_SELECT_LIST: {
      Init in;
      in.kind = GENNC_INIT_LIST;
      for (auto i : s.indices) in.values.push_back(i);
      ArrayId a = add_array(name + ".targets", "", Type::U32, GENNC_SCOPE_LIST, 0, GENNC_ARRAY_INTERNAL, std::move(in),
                            s.indices.size());
      return load(a, Type::U32, input(Input::Index));
    }
  }
  return input(Input::Index);
}

}  // namespace gennc::lower
