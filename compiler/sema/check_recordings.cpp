// Injections (current sources into neuron sets) and recordings (spikes and variables of
// neurons, receptors and current sources).
#include <algorithm>
#include <cmath>

#include "sema/network_checker.h"

namespace gennc::sema {

void NetworkChecker::check_injection(const ast::InjectDecl& inj) {
  Injection in;
  in.name = inj.name;
  in.decl = &inj;
  in.model = model_of_kind(inj.source.name, inj.source.name_range, {ModelKind::CurrentSource}, "inject",
                           "current_source");
  bool named = !inj.name.empty() && name_free(inj.name, inj.name_range) && injection_name_ok(inj);
  auto set = resolve_set(inj.target.get());
  if (set) in.targets = *set;
  if (in.model) {
    std::int64_t n = set ? total(*set) : -1;
    in.values = model_values(*in.model, inj.source.args, n, fmt::format("'{}'", in.model->name));
    if (!in.model->decl->body.outputs.empty()) in.target_input = in.model->decl->body.outputs[0].target;
    if (set)
      for (const auto& s : *set)
        if (pop_of(s).model) check_outputs(*in.model, *pop_of(s).model, inj.target->range);
  }
  if (!(in.model && set)) {
    if (named) taken_[inj.name] = inj.name_range;
    return;
  }
  if (named) add_entity(inj.name, inj.name_range, TypeKind::Injection, net_.injections.size());
  net_.injections.push_back(std::move(in));
}

// Unnamed injections are named `<Model><k>` (k counting every injection of the network,
// docs/ir.md): a given name of that form could take an unnamed one's arrays.
bool NetworkChecker::injection_name_ok(const ast::InjectDecl& inj) {
  for (const auto& m : ctx_.program.models) {
    if (m->kind != ModelKind::CurrentSource) continue;
    const std::string& n = inj.name;
    if (n.size() > m->name.size() && n.compare(0, m->name.size(), m->name) == 0 &&
        std::all_of(n.begin() + static_cast<std::ptrdiff_t>(m->name.size()), n.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      ctx_.diags.report(DiagId::injection_name_reserved, inj.name_range, n, m->name);
      return false;
    }
  }
  return true;
}

// Whether `e` names neurons (a population, view or assembly, possibly sliced).
bool NetworkChecker::names_set(const ast::Expr* e) const {
  if (auto* n = ast::dyn_cast<ast::NameRef>(e)) {
    auto it = entities_.find(n->name);
    return it == entities_.end() || it->second.kind != TypeKind::Projection;
  }
  if (auto* s = ast::dyn_cast<ast::SliceExpr>(e)) return names_set(s->base.get());
  if (auto* i = ast::dyn_cast<ast::IndexExpr>(e)) return names_set(i->base.get());
  return false;
}

void NetworkChecker::check_recording(const ast::RecordDecl& r) {
  std::int64_t steps = 1;
  if (r.interval) {
    auto v = time_constant(r.interval.get(), "the recording interval");
    if (v) {
      const double dt = net_.settings.dt;
      double k = std::round(*v / dt);
      if (*v <= 0 || k < 1 || std::abs(k * dt - *v) > 1e-9 * std::max(1.0, *v))
        ctx_.diags.report(DiagId::bad_interval, r.interval->range, format_number(*v), format_number(dt));
      else
        steps = to_int(k);
    }
  }
  for (const auto& target : r.targets) check_record_target(target.get(), steps, r.interval.get());
}

void NetworkChecker::check_record_target(const ast::Expr* e, std::int64_t steps, const ast::Expr* interval) {
  auto* member = ast::dyn_cast<ast::MemberExpr>(e);
  if (!member) {
    if (e) ctx_.diags.report(DiagId::bad_record_target, e->range);
    return;
  }
  Recording rec;
  rec.expr = e;
  rec.interval_steps = steps;
  const ast::Expr* base = member->base.get();
  if (auto* name = ast::dyn_cast<ast::NameRef>(base)) {
    auto it = entities_.find(name->name);
    if (it != entities_.end() && it->second.kind == TypeKind::Injection) {
      check_source_record(*member, it->second.index, std::move(rec));
      return;
    }
    if (it != entities_.end() && it->second.kind == TypeKind::Projection) {
      check_synapse_record(*member, it->second.index, interval, std::move(rec));
      return;
    }
  }
  auto* receptor = ast::dyn_cast<ast::MemberExpr>(base);
  if (receptor && names_set(receptor->base.get()) && !names_set(base)) {
    rec.receptor = receptor->member;
    base = receptor->base.get();
  }
  if (!names_set(base)) {
    ctx_.diags.report(DiagId::bad_record_target, e->range);
    return;
  }
  auto set = resolve_set(base);
  if (!set) return;
  rec.targets = *set;
  // The runtime names a recording `<population>.spikes` or after its array
  // (`<population>[.<receptor>].<variable>`), and its files after the recording.
  const std::string tail = member->member == "spikes" && rec.receptor.empty() ? std::string("spikes")
                           : rec.receptor.empty() ? member->member
                                                  : rec.receptor + "." + member->member;
  for (const auto& s : rec.targets)
    if (!recording_name_fits(pop_of(s).name + "." + tail, e)) return;
  if (member->member == "spikes" && rec.receptor.empty()) {
    rec.spikes = true;
    net_.recordings.push_back(std::move(rec));
    return;
  }
  rec.variable = member->member;
  bool ok = true, first = true;
  for (const auto& s : rec.targets) {
    const Population& pop = pop_of(s);
    if (!pop.model) return;
    const Model* owner = pop.model;
    if (!rec.receptor.empty()) {
      auto index = pop.find_receptor(rec.receptor);
      if (!index) {
        std::vector<std::string> names;
        for (const auto& ri : pop.receptors) names.push_back(ri.name);
        ctx_.diags.report(DiagId::unknown_receptor, receptor->member_range, pop.name, rec.receptor,
                          names.empty() ? "none" : join_quoted(names));
        return;
      }
      owner = pop.receptors[*index].model;
    }
    const Symbol* var = owner->find(rec.variable);
    if (!var || var->kind != SymbolKind::State) {
      std::vector<std::string> names;
      std::vector<std::string_view> views;
      for (const Symbol* st : owner->state)
        if (!st->trace) {
          names.push_back(st->name);
          views.push_back(st->name);
        }
      if (rec.receptor.empty())
        for (const auto& ri : pop.receptors) names.push_back(ri.name + ".<variable>");
      std::string best = closest_name(rec.variable, views);
      if (!best.empty())
        ctx_.diags.report(DiagId::unknown_record_variable_suggest, member->member_range, owner->name, rec.variable,
                          best);
      else
        ctx_.diags.report(DiagId::unknown_record_variable, member->member_range, owner->name, rec.variable,
                          names.empty() ? "none" : join_quoted(names));
      return;
    }
    if (first) {
      rec.dim = var->type.dim;
      first = false;
    } else if (rec.dim != var->type.dim) {
      ok = false;
    }
  }
  if (!ok) {
    ctx_.diags.report(DiagId::record_units_differ, member->member_range, rec.variable);
    return;
  }
  net_.recordings.push_back(std::move(rec));
}

// `record noise.amplitude`: a state variable of a named injection's current source, one
// value per target neuron.
// Whether a recording's name leaves room for its file names; false after reporting it.
bool NetworkChecker::recording_name_fits(const std::string& name, const ast::Expr* e) {
  if (name.size() <= kLongestRecordingName) return true;
  ctx_.diags.report(DiagId::recording_name_too_long, e->range,
                    name.size() > 60 ? name.substr(0, 40) + "..." + name.substr(name.size() - 12) : name,
                    name.size(), kLongestRecordingName);
  return false;
}

void NetworkChecker::check_source_record(const ast::MemberExpr& member, std::size_t index, Recording rec) {
  const Injection& inj = net_.injections[index];
  ctx_.set_type(member.base.get(), Type::of(TypeKind::Injection));
  const Symbol* var = inj.model->find(member.member);
  if (!var || var->kind != SymbolKind::State) {
    std::vector<std::string> names;
    std::vector<std::string_view> views;
    for (const Symbol* st : inj.model->state) {
      names.push_back(st->name);
      views.push_back(st->name);
    }
    std::string best = closest_name(member.member, views);
    if (!best.empty())
      ctx_.diags.report(DiagId::unknown_record_variable_suggest, member.member_range, inj.model->name, member.member,
                        best);
    else
      ctx_.diags.report(DiagId::unknown_record_variable, member.member_range, inj.model->name, member.member,
                        names.empty() ? "none" : join_quoted(names));
    return;
  }
  // Named after the injection's array: `<injection>.<variable>`, or `<injection>.<k>.
  // <variable>` for the k-th set of an assembly.
  std::string part = inj.targets.size() > 1 ? "." + std::to_string(inj.targets.size() - 1) : "";
  if (!recording_name_fits(inj.name + part + "." + member.member, &member)) return;
  rec.injection = index;
  rec.targets = inj.targets;
  rec.variable = member.member;
  rec.dim = var->type.dim;
  net_.recordings.push_back(std::move(rec));
}

// `record stdp.w`: a state variable of a projection's synapses, written with its values at
// the end of the run beside each synapse's pre and post neuron.
void NetworkChecker::check_synapse_record(const ast::MemberExpr& member, std::size_t index, const ast::Expr* interval,
                                          Recording rec) {
  Projection& proj = net_.projections[index];
  ctx_.set_type(member.base.get(), Type::of(TypeKind::Projection));
  const Model& model = *proj.synapse.model;
  const Symbol* var = model.find(member.member);
  if (!var || var->kind != SymbolKind::State) {
    std::vector<std::string> names;
    std::vector<std::string_view> views;
    for (const Symbol* st : model.state) {
      names.push_back(st->name);
      views.push_back(st->name);
    }
    std::string best = closest_name(member.member, views);
    if (!best.empty())
      ctx_.diags.report(DiagId::unknown_record_variable_suggest, member.member_range, model.name, member.member, best);
    else
      ctx_.diags.report(DiagId::unknown_record_variable, member.member_range, model.name, member.member,
                        names.empty() ? "none" : join_quoted(names));
    return;
  }
  const std::string name = proj.name + "." + member.member;
  if (interval != nullptr) {
    ctx_.diags.report(DiagId::synapse_record_every, interval->range, name);
    return;
  }
  if (proj.requested && *proj.requested != Connectivity::Sparse) {
    // Asked for in the network (`as dense`), or procedural by `gennc --procedural`.
    const bool declared = proj.decl != nullptr && !proj.decl->connectivity.empty();
    ctx_.diags.report(DiagId::synapse_record_not_rows, member.range, name, proj.name,
                      declared ? proj.decl->connectivity : std::string("procedural"));
    return;
  }
  if (!recording_name_fits(name, &member)) return;
  proj.state_recorded = true;
  rec.projection = index;
  rec.variable = member.member;
  rec.dim = var->type.dim;
  net_.recordings.push_back(std::move(rec));
}

}  // namespace gennc::sema
