// Projections: the synapse model and its receptor, slots and their components, synapse
// arguments and delays.
#include <algorithm>
#include <cmath>

#include "sema/network_checker.h"

namespace gennc::sema {

bool NetworkChecker::structured(const NeuronSet& set) const {
  for (const auto& s : set)
    if (!pop_of(s).structure) return false;
  return true;
}

void NetworkChecker::check_projection(const ast::ProjectionDecl& p) {
  Projection proj;
  proj.name = p.name;
  proj.decl = &p;
  auto pre = resolve_set(p.pre.get());
  auto post = resolve_set(p.post.get());
  bool ok = pre && post;
  if (pre) proj.pre = *pre;
  if (post) proj.post = *post;

  // The synapse model (StaticSynapse when none is given) and the receptor it feeds.
  const Model* syn = nullptr;
  if (p.synapse) {
    syn = model_of_kind(p.synapse->name, p.synapse->name_range, {ModelKind::Synapse}, "a projection's synapse",
                        "synapse");
  } else {
    syn = ctx_.program.find_model("StaticSynapse");
    if (!syn || syn->kind != ModelKind::Synapse) {
      ctx_.diags.report(DiagId::no_default_synapse, p.range);
      syn = nullptr;
    }
  }
  ok = ok && syn;
  proj.synapse.model = syn;
  std::optional<Dimension> weight_dim;
  double weight_scale = 1.0;
  std::string receptor_words;
  if (syn && post && ctx_.emitters.count(syn)) {
    proj.receptor = p.receptor;
    for (const auto& s : *post) {
      const Population& pop = pop_of(s);
      if (!pop.model) {
        ok = false;
        continue;
      }
      if (pop.receptors.empty()) {
        ctx_.diags.report(DiagId::no_receptors, p.post->range, pop.name, pop.model->name);
        ok = false;
        continue;
      }
      if (proj.receptor.empty()) proj.receptor = pop.receptors[0].name;
      auto index = pop.find_receptor(proj.receptor);
      if (!index) {
        std::vector<std::string> names;
        for (const auto& r : pop.receptors) names.push_back(r.name);
        std::vector<std::string_view> views(names.begin(), names.end());
        std::string best = closest_name(proj.receptor, views);
        auto where = p.receptor_range.valid() ? p.receptor_range : p.post->range;
        if (best.empty())
          ctx_.diags.report(DiagId::unknown_receptor, where, pop.name, proj.receptor, join_quoted(names));
        else
          ctx_.diags.report(DiagId::unknown_receptor_suggest, where, pop.name, proj.receptor, best);
        ok = false;
        continue;
      }
      proj.receptor_index.push_back(*index);
      const ReceptorInstance& r = pop.receptors[*index];
      if (!r.model->spike_dim) continue;
      if (!weight_dim) {
        weight_dim = *r.model->spike_dim;
        receptor_words = fmt::format("receptor '{}' of '{}'", r.name, pop.name);
        for (const auto& h : r.model->decl->body.handlers)
          if (h.event == "spike" && h.params.size() == 1) {
            double scale = 1.0;
            resolve_type(ctx_, h.params[0].type, &scale);
            weight_scale = scale;
          }
      } else if (*weight_dim != *r.model->spike_dim) {
        ctx_.diags.report(DiagId::receptor_units_differ, p.post->range, proj.receptor,
                          format_dimension(*weight_dim), format_dimension(*r.model->spike_dim));
        ok = false;
      }
    }
  } else if (!p.receptor.empty() && syn && post && !ctx_.emitters.count(syn)) {
    ctx_.diags.report(DiagId::receptor_without_emit, p.receptor_range, syn->name);
  }
  if (weight_dim) proj.synapse.weight_dim = *weight_dim;
  weight_unknown_ = syn && ctx_.emitters.count(syn) && !weight_dim;

  // The synapse's `uses` must exist on both sides; its outputs feed the post neurons.
  if (syn && pre && post) {
    for (const auto& s : *pre)
      if (pop_of(s).model) check_uses(*syn, *pop_of(s).model, p.pre->range, fmt::format("presynaptic '{}'", pop_of(s).name));
    for (const auto& s : *post)
      if (pop_of(s).model) {
        check_uses(*syn, *pop_of(s).model, p.post->range, fmt::format("postsynaptic '{}'", pop_of(s).name));
        check_outputs(*syn, *pop_of(s).model, p.post->range);
      }
  }

  if (pre && post) {
    connector_ = p.connector.name;
    check_connector(p, proj);
    connector_.clear();
  }
  if (syn) check_synapse_args(p, proj, weight_dim ? &*weight_dim : nullptr, weight_scale, receptor_words);
  if (syn && proj.connector.kind == ConnectorKind::FromHost && pre && post)
    check_host_columns(p, proj, weight_dim ? &*weight_dim : nullptr, weight_scale);

  if (!name_free(p.name, p.name_range)) return;
  if (!ok) {
    taken_[p.name] = p.name_range;
    return;
  }
  check_requested_connectivity(ctx_, p, proj);
  add_entity(p.name, p.name_range, TypeKind::Projection, net_.projections.size());
  net_.projections.push_back(std::move(proj));
}

void NetworkChecker::check_synapse_args(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
                                        double weight_scale, const std::string& receptor_words) {
  const Model& syn = *proj.synapse.model;
  static const std::vector<ast::Arg> no_args;
  const auto& args = p.synapse ? p.synapse->args : no_args;
  std::string instance = fmt::format("synapse '{}'", syn.name);
  std::map<std::string, const ast::Arg*> slot_args;
  std::set<std::string> given;
  bool structured_pair = structured(proj.pre) && structured(proj.post);
  for (const auto& a : args) {
    if (a.name.empty()) {
      ctx_.diags.report(DiagId::positional_model_arg, a.range, syn.name);
      continue;
    }
    if (!given.insert(a.name).second) {
      ctx_.diags.report(DiagId::duplicate_argument, a.name_range, a.name);
      continue;
    }
    auto slot = std::find_if(syn.slots.begin(), syn.slots.end(), [&](const SlotInfo& s) { return s.name == a.name; });
    if (slot != syn.slots.end()) {
      slot_args[a.name] = &a;
      continue;
    }
    const Symbol* var = syn.find(a.name);
    if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
      report_unknown_argument(ctx_, syn, a.name, a.name_range);
      continue;
    }
    auto v = value_for(a.value.get(), *var, -1, fmt::format("'{}' of {}", a.name, instance), weight_dim, weight_scale,
                       true, &receptor_words);
    if (!v) continue;
    if (v->kind == ValueKind::Expression && !structured_pair &&
        uses_any(ctx_.program, v->expr, {"d", "dx", "dy", "dz"}))
      ctx_.diags.report(DiagId::needs_structure, a.value->range, a.name);
    proj.synapse.values[a.name] = *v;
  }
  for (const auto* list : {&syn.parameters, &syn.state})
    for (const Symbol* var : *list)
      if (!proj.synapse.values.count(var->name)) proj.synapse.values[var->name] = default_value(*var, weight_dim);

  // Slots: each filled by a component of its kind, whose external names must exist.
  for (const auto& slot : syn.slots) {
    SlotBinding b;
    b.slot = slot.name;
    auto it = slot_args.find(slot.name);
    if (it == slot_args.end()) {
      ctx_.diags.report(DiagId::slot_unfilled, p.synapse ? p.synapse->range : p.range, slot.name, syn.name)
          .note(DiagId::note_declared_here, slot.decl->name_range, slot.name);
      continue;
    }
    auto* call = ast::dyn_cast<ast::CallExpr>(it->second->value.get());
    auto* callee = call ? ast::dyn_cast<ast::NameRef>(call->callee.get()) : nullptr;
    const char* kind_word = ast::to_string(slot.kind);
    if (!callee) {
      ctx_.diags.report(DiagId::slot_needs_component, it->second->value->range, slot.name, kind_word);
      continue;
    }
    b.component = model_of_kind(callee->name, callee->range, {slot.kind}, "this slot", kind_word);
    if (!b.component) continue;
    b.values = model_values(*b.component, call->args, -1, fmt::format("'{}'", b.component->name), weight_dim,
                            weight_scale);
    proj.synapse.slots.push_back(std::move(b));
  }
  // Names a component takes from the others are checked once every slot is filled.
  for (const auto& b : proj.synapse.slots) {
    if (proj.synapse.slots.size() != syn.slots.size()) break;
    for (const Symbol* ext : b.component->externals) {
      const Symbol* found = syn.find(ext->name);
      for (const auto& other : proj.synapse.slots)
        if (!found && &other != &b) found = other.component->find(ext->name);
      if (!found) {
        ctx_.diags.report(DiagId::component_name_missing, slot_args[b.slot]->value->range, b.component->name,
                          ext->name, syn.name);
      } else if (!found->type.is_error() && !ext->type.is_error() && !found->type.same_as(ext->type)) {
        ctx_.diags.report(DiagId::uses_dimension, slot_args[b.slot]->value->range, b.component->name, ext->name,
                          to_string(ext->type), found->model ? found->model->name : syn.name, to_string(found->type));
      }
    }
  }

  // The delay: a whole number of steps, at least one.
  auto delay = proj.synapse.values.find("delay");
  if (delay != proj.synapse.values.end()) {
    proj.delay = delay->second;
    const ast::Expr* where = nullptr;
    for (const auto& a : args)
      if (a.name == "delay") where = a.value.get();
    check_delay(proj.delay, where ? where->range : p.range);
    delay->second = proj.delay;
  } else {
    proj.delay.type = Type::quantity(Dimension::time());
    proj.delay.numbers = {net_.settings.dt};
  }
}

void NetworkChecker::check_delay(Value& delay, diag::SourceRange where) {
  if (delay.kind != ValueKind::Constant || delay.numbers.size() != 1) return;
  const double dt = net_.settings.dt;
  double d = delay.numbers[0];
  if (d < dt * (1 - 1e-9)) {
    ctx_.diags.report(DiagId::delay_too_small, where, format_number(d), format_number(dt));
    return;
  }
  // Whole steps, halves up, as the runtime rounds per-synapse delays: the 1e-9 absorbs
  // representation error, so 0.35 ms at dt = 0.1 ms is 4 steps in both.
  double steps = std::floor(d / dt + 0.5 + 1e-9);
  if (std::abs(steps * dt - d) > 1e-9 * std::max(1.0, d)) {
    ctx_.diags.report(DiagId::delay_rounded, where, format_number(d), format_number(dt), format_number(steps * dt));
    delay.numbers[0] = steps * dt;
  }
}

}  // namespace gennc::sema
