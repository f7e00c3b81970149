// Storage forms: what each form asks of a projection (form_obstacle, shared with lowering's
// choose_connectivity) and the check of a form the source or the command line asks for.
#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "sema/connectivity.h"
#include "sema/network_checker.h"

namespace gennc::sema {

namespace {

// Why a synapse model needs its synapses by postsynaptic neuron (column access), or null.
const char* post_access(const Model& m) {
  const char* why = nullptr;
  for (const ast::Handler& h : m.decl->body.handlers)
    if (h.event == "post") why = "runs code on postsynaptic spikes";
  for (const ast::TraceBlock& t : m.decl->body.traces)
    if (t.side == ast::TraceSide::Post) why = "keeps postsynaptic traces";
  if (!m.decl->body.outputs.empty()) why = "feeds its postsynaptic neurons continuously";
  return why;
}

// Where a synapse argument is written (the projection where it is not).
diag::SourceRange arg_range(const ast::ProjectionDecl& p, const std::string& name) {
  if (p.synapse)
    for (const auto& a : p.synapse->args)
      if (a.name == name) return a.value->range;
  return p.range;
}

// The obstacles to one form, checked in the order a reader would look for them: the
// connector, the neuron sets, the size, then the synapse models and values. Dense,
// diagonal and bitmask report "cannot be <form>: <why>" (one id each); procedural has an
// id per obstacle.
class FormCheck {
 public:
  FormCheck(const Projection& proj, Connectivity form, diag::Diagnostics* diags)
      : proj_(proj), p_(*proj.decl), c_(proj.connector), form_(form), diags_(diags) {}

  bool obstacle() {
    switch (form_) {
      case Connectivity::Sparse: return false;
      // Synapse k = i * n_post + j for every pair (i, j): only an all_to_all that keeps every
      // pair (no excluded self connections), without column access.
      case Connectivity::Dense:
        return connector(c_.kind == ConnectorKind::AllToAll, "does not connect every pair (all_to_all does)") ||
               single_sets() || self_connections() ||
               too_many(proj_.pre.front().size() * proj_.post.front().size(), "pairs") || models(false);
      // Synapse i connects position i of the pre selection to position i of the post one
      // (one_to_one checks the sizes are equal); no columns, hence no column access.
      case Connectivity::Diagonal:
        return connector(c_.kind == ConnectorKind::OneToOne,
                         "does not connect position i to position i only (one_to_one does)") ||
               single_sets() || models(false);
      // One bit per candidate pair, rows padded to whole 32-bit words; synapses have no
      // index of their own, so nothing may be stored or drawn per synapse.
      case Connectivity::Bitmask:
        return connector(each_pair_once(), "may connect a pair more than once or reads its synapses from data") ||
               single_sets() ||
               too_many(proj_.pre.front().size() * ((proj_.post.front().size() + 31) / 32) * 32, "candidate pairs") ||
               models(true) || values_vary() || delay_varies();
      // Rows regenerated from the seed on every spike: a connector whose rows are
      // independent, no per-synapse state or post-side access, no per-synapse value
      // computed from the connection, and delays with a known maximum.
      case Connectivity::Procedural:
        return connector(rows_independent(), nullptr) || index_lists() || models(true) || generated_values() ||
               repeated_pair_draws() || unbounded_delay();
    }
    return false;
  }

 private:
  template <typename... Args>
  bool fail_with(DiagId id, diag::SourceRange where, Args&&... args) {
    if (diags_) diags_->report(id, where, p_.name, std::forward<Args>(args)...);
    return true;
  }
  // Dense, diagonal, bitmask: "projection 'p' cannot be <form>: <why>".
  bool fail(diag::SourceRange where, const std::string& why) {
    DiagId id = form_ == Connectivity::Dense      ? DiagId::dense_not_applicable
                : form_ == Connectivity::Diagonal ? DiagId::diagonal_not_applicable
                                                  : DiagId::bitmask_not_applicable;
    return fail_with(id, where, why);
  }

  bool each_pair_once() const {
    switch (c_.kind) {
      case ConnectorKind::AllToAll:
      case ConnectorKind::OneToOne:
      case ConnectorKind::FixedProbability:
      case ConnectorKind::DistanceDependentProbability:
      case ConnectorKind::DisplacementDependentProbability:
      case ConnectorKind::IndexBasedProbability: return true;
      case ConnectorKind::FixedNumberPre:
      case ConnectorKind::FixedNumberPost:
      case ConnectorKind::FixedTotalNumber: return !c_.with_replacement;
      default: return false;
    }
  }

  bool rows_independent() const {
    return c_.kind == ConnectorKind::AllToAll || c_.kind == ConnectorKind::OneToOne ||
           c_.kind == ConnectorKind::FixedProbability || (c_.kind == ConnectorKind::FixedNumberPost && c_.with_replacement);
  }

  bool connector(bool ok, const char* why) {
    if (ok) return false;
    if (form_ == Connectivity::Procedural)
      return fail_with(DiagId::procedural_connector, p_.connector.range, to_string(c_.kind));
    return fail(p_.connector.range, fmt::format("connector '{}' {}", to_string(c_.kind), why));
  }

  // Pre and post as one population or slice each.
  bool single_sets() {
    for (const auto* set : {&proj_.pre, &proj_.post}) {
      const char* why = set->size() != 1 ? "neurons are an assembly of several sets"
                        : !set->front().is_slice ? "neurons are an index list (a population or a slice can be)"
                                                 : nullptr;
      if (why != nullptr)
        return fail(side_range(set), fmt::format("its {} {}", side_words(set), why));
    }
    return false;
  }

  // Procedural: populations and slices (of one set or several).
  bool index_lists() {
    for (const auto* set : {&proj_.pre, &proj_.post})
      for (const IndexSet& s : *set)
        if (!s.is_slice) return fail_with(DiagId::procedural_index_list, side_range(set), side_words(set));
    return false;
  }

  bool self_connections() {
    if (proj_.pre.front().population != proj_.post.front().population || c_.allow_self_connections) return false;
    return fail(p_.connector.range, "it excludes self connections, so not every pair is connected");
  }

  bool too_many(std::int64_t count, const char* what) {
    if (count <= std::int64_t{UINT32_MAX}) return false;
    return fail(p_.range, fmt::format("it has more than 2^32 - 1 {}", what));
  }

  // The synapse and its components: per-synapse state (when the form keeps none) and
  // access by postsynaptic neuron.
  bool models(bool no_state) {
    diag::SourceRange where = p_.synapse ? p_.synapse->range : p_.range;
    std::vector<const Model*> all{proj_.synapse.model};
    for (const SlotBinding& b : proj_.synapse.slots) all.push_back(b.component);
    for (const Model* m : all) {
      for (const Symbol* s : m->state) {
        if (!no_state || s->trace) continue;  // traces live per neuron
        if (form_ == Connectivity::Procedural) return fail_with(DiagId::procedural_plastic, where, m->name, s->name);
        return fail(where, fmt::format("'{}' keeps per-synapse state '{}'", m->name, s->name));
      }
      if (const char* why = post_access(*m)) {
        if (form_ == Connectivity::Procedural) return fail_with(DiagId::procedural_post_access, where, m->name, why);
        return fail(where, fmt::format("'{}' {}, which needs the synapses by postsynaptic neuron", m->name, why));
      }
    }
    return false;
  }

  bool values_vary() {
    for (const auto& [name, v] : proj_.synapse.values)
      if (v.kind != ValueKind::Constant)
        return fail(arg_range(p_, name), fmt::format("'{}' differs between synapses, and a bitmask keeps no values", name));
    return false;
  }

  bool delay_varies() {
    if (proj_.delay.kind == ValueKind::Constant) return false;
    return fail(arg_range(p_, "delay"), "its delay differs between synapses, and a bitmask keeps no values");
  }

  bool generated_values() {
    for (const auto& [name, v] : proj_.synapse.values)
      if (v.kind == ValueKind::Expression) return fail_with(DiagId::procedural_generated_value, v.expr->range, name);
    return false;
  }

  // A value drawn per synapse is keyed by the synapse's pair and its occurrence among the
  // pair's earlier synapses (docs/runtime.md); a regenerated row that may repeat a pair
  // (fixed_number_post with replacement) does not keep its earlier picks to count them.
  bool repeated_pair_draws() {
    if (!(c_.kind == ConnectorKind::FixedNumberPost && c_.with_replacement)) return false;
    for (const auto& [name, v] : proj_.synapse.values)
      if (v.kind == ValueKind::Distribution)
        return fail_with(DiagId::procedural_repeated_pair_draw, arg_range(p_, name), name);
    if (proj_.delay.kind == ValueKind::Distribution)
      return fail_with(DiagId::procedural_repeated_pair_draw, arg_range(p_, "delay"), "delay");
    return false;
  }

  bool unbounded_delay() {
    const Value& d = proj_.delay;
    bool bounded = d.kind != ValueKind::Distribution || d.distribution.kind == Builtin::Uniform ||
                   d.distribution.kind == Builtin::NormalClipped || d.distribution.kind == Builtin::UniformInt;
    if (bounded) return false;
    return fail_with(DiagId::procedural_unbounded_delay, arg_range(p_, "delay"), to_string(d.distribution.kind));
  }

  diag::SourceRange side_range(const NeuronSet* set) const { return set == &proj_.pre ? p_.pre->range : p_.post->range; }
  const char* side_words(const NeuronSet* set) const { return set == &proj_.pre ? "presynaptic" : "postsynaptic"; }

  const Projection& proj_;
  const ast::ProjectionDecl& p_;
  const Connector& c_;
  Connectivity form_;
  diag::Diagnostics* diags_;
};

}  // namespace

bool form_obstacle(const Projection& proj, Connectivity form, diag::Diagnostics* report_to) {
  return FormCheck(proj, form, report_to).obstacle();
}

void check_requested_connectivity(Context& ctx, const ast::ProjectionDecl& p, Projection& proj) {
  static const std::map<std::string, Connectivity> kForms = {{"sparse", Connectivity::Sparse},
                                                            {"procedural", Connectivity::Procedural},
                                                            {"dense", Connectivity::Dense},
                                                            {"bitmask", Connectivity::Bitmask},
                                                            {"diagonal", Connectivity::Diagonal}};
  std::optional<Connectivity> asked;
  if (!p.connectivity.empty()) {
    auto it = kForms.find(p.connectivity);
    if (it == kForms.end()) {
      ctx.diags.report(DiagId::unknown_connectivity, p.connectivity_range, p.connectivity);
      return;
    }
    asked = it->second;
  }
  // `gennc --procedural=NAME` overrides the attribute.
  const auto& named = ctx.options.procedural;
  if (std::find(named.begin(), named.end(), p.name) != named.end()) asked = Connectivity::Procedural;
  if (asked && !form_obstacle(proj, *asked, &ctx.diags)) proj.requested = asked;
}

}  // namespace gennc::sema
