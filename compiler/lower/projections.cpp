// Projections: one plan entry per (pre, post) population pair, with its row form, delays,
// synapse arrays, and the kernels the synapse model needs, in schedule order.
#include "lower/lowerer.h"

#include <fmt/format.h>

namespace gennc::lower {

void Lowerer::lower_projection(std::size_t pj, ProjectionKernels& kernels) {
  const sema::Projection& proj = net_.projections[pj];
  std::int64_t pre_offset = 0, post_total = 0;
  for (const sema::IndexSet& b : proj.post) post_total += b.size();
  for (std::size_t a = 0; a < proj.pre.size(); ++a) {
    std::int64_t post_offset = 0;
    for (std::size_t b = 0; b < proj.post.size(); ++b) {
      std::string name = proj.pre.size() * proj.post.size() == 1 ? proj.name : fmt::format("{}.{}_{}", proj.name, a, b);
      // A synapse with only an `output` (a gap junction) targets no receptor.
      std::size_t receptor = b < proj.receptor_index.size() ? proj.receptor_index[b] : SIZE_MAX;
      Part part{proj.pre[a], proj.post[b], pre_offset, post_offset, post_total};
      lower_projection_part(proj, forms_[pj], name, part, receptor, kernels);
      post_offset += proj.post[b].size();
    }
    pre_offset += proj.pre[a].size();
  }
}

// Synapses with an `output` feed a neuron input continuously (gap junctions): their
// accumulators must exist before the post populations' kernels are lowered.
void Lowerer::declare_synapse_outputs() {
  for (const sema::Projection& proj : net_.projections)
    for (const ast::Output& o : proj.synapse.model->decl->body.outputs)
      for (const sema::IndexSet& post : proj.post) declare_injected(post.population, o.target);
}

void Lowerer::lower_projection_part(const sema::Projection& proj, sema::Connectivity form, const std::string& name,
                                    const Part& part, std::size_t receptor, ProjectionKernels& kernels) {
  const sema::IndexSet& pre = part.pre;
  const sema::IndexSet& post = part.post;
  auto index = static_cast<std::uint32_t>(m_->projections.size());
  Projection out;
  out.name = name;
  out.pre = selection_of(pre);
  out.post = selection_of(post);
  out.connector = connector_of(proj.connector, name, part);
  const auto& rings = pops_[post.population].rings;
  out.receptor_ring_array = receptor < rings.size() ? rings[receptor] : kNone;
  out.row_pointer_array = add_array(name + ".row_pointer", "", Type::U32, GENNC_SCOPE_ROW_POINTER, index, GENNC_ARRAY_INTERNAL);
  const bool procedural = form == sema::Connectivity::Procedural;
  switch (form) {
    case sema::Connectivity::Sparse:
      out.column_array = add_array(name + ".column", "", Type::U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
      break;
    case sema::Connectivity::Procedural: out.form = RowForm::Procedural; break;
    case sema::Connectivity::Dense: out.form = RowForm::Dense; break;
    case sema::Connectivity::Diagonal: out.form = RowForm::Diagonal; break;
    case sema::Connectivity::Bitmask:
      // Filled by the runtime from the rows it builds (runtime/src/simulation.cpp).
      out.form = RowForm::Bitmask;
      out.column_array = add_array(name + ".bitmask", "", Type::U32, GENNC_SCOPE_LIST, index, GENNC_ARRAY_INTERNAL, {},
                                   std::uint64_t{out.pre.count} * bitmask_words(out));
      break;
  }
  if (procedural && proj.delay.kind == sema::ValueKind::Distribution) {
    // Drawn per synapse where delivered, with the stream the delay array would have had;
    // sema allows only distributions with an upper bound, which sets the ring depth.
    Init drawn = init_of(proj.delay);
    const bool clipped = drawn.kind == GENNC_INIT_NORMAL_CLIPPED;
    out.constant_delay_steps = delay_steps(clipped ? drawn.params[3] : drawn.params[1]);
    out.shortest_delay_steps = delay_steps(clipped ? drawn.params[2] : drawn.params[0]);
    procedural_delays_[index] = drawn;
  } else switch (proj.delay.kind) {
    case sema::ValueKind::Constant:
      // A list or file with a delay column gives each synapse its own: the constant is the
      // default the runtime overwrites (docs/runtime.md, Connectivity).
      if (carries_delays(out.connector)) {
        out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                    GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS, init_of(proj.delay));
        break;
      }
      out.constant_delay_steps = delay_steps(proj.delay.numbers.empty() ? m_->dt : proj.delay.numbers[0]);
      out.shortest_delay_steps = out.constant_delay_steps;
      break;
    case sema::ValueKind::Expression:
      out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                  GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS,
                                  synapse_function_init(proj.delay.expr, name + ".delay.init"));
      break;
    default:
      out.delay_array = add_array(name + ".delay", "ms", Type::U32, GENNC_SCOPE_SYNAPSE, index,
                                  GENNC_ARRAY_INTERNAL | GENNC_ARRAY_DELAY_STEPS, init_of(proj.delay));
      break;
  }
  m_->projections.push_back(out);

  SynapseParts parts;
  parts.pre_pop = pre.population;
  parts.post_pop = post.population;
  Instance& syn = synapses_.emplace_back();
  syn.model = proj.synapse.model;
  syn.values = &proj.synapse.values;
  syn.prefix = name + ".";
  syn.scope = GENNC_SCOPE_SYNAPSE;
  syn.owner = index;
  syn.weight_dim = proj.synapse.weight_dim;
  syn.host_columns = &proj.connector.host_columns;
  declare_synapse(syn, m_->projections.back());
  parts.synapse = &syn;
  synapse_parts_[&proj].emplace_back(index, &syn);
  for (const sema::SlotBinding& b : proj.synapse.slots) {
    Instance& comp = synapses_.emplace_back();
    comp.model = b.component;
    comp.values = &b.values;
    comp.prefix = name + "." + b.slot + ".";
    comp.scope = GENNC_SCOPE_SCALAR;
    comp.owner = index;
    comp.weight_dim = proj.synapse.weight_dim;
    declare_synapse(comp, m_->projections.back());
    parts.components.push_back(&comp);
    parts.bindings.push_back(&b);
  }
  declare_traces(parts, name);

  bool post_side = !post_handlers(parts).empty() || !trace_handlers(parts, sema::Side::Post).empty();
  if (post_side) {
    Projection& plan = m_->projections.back();
    plan.column_pointer_array =
        add_array(name + ".column_pointer", "", Type::U32, GENNC_SCOPE_COLUMN_POINTER, index, GENNC_ARRAY_INTERNAL);
    plan.column_synapse_array =
        add_array(name + ".column_synapse", "", Type::U32, GENNC_SCOPE_SYNAPSE, index, GENNC_ARRAY_INTERNAL);
  }

  SourceRange range = proj.decl ? proj.decl->range : SourceRange{};
  for (sema::Side side : {sema::Side::Pre, sema::Side::Post})
    if (has_trace_equations(parts, side))
      kernels.traces.push_back(lower_trace_kernel(parts, name, index, side, range));
  if (post_side) {
    if (!post_handlers(parts).empty()) declare_pending(parts, name);
    declare_post_rings(parts, name);
  }
  if (!pre_handlers(parts).empty() || !trace_handlers(parts, sema::Side::Pre).empty())
    kernels.pre.push_back(lower_pre_kernel(parts, name, index, range));
  if (post_side) {
    kernels.post_spikes.push_back(lower_post_spike_kernel(parts, name, index, range));
    if (!parts.post_history.empty()) kernels.post_spikes.push_back(lower_post_history_kernel(parts, name, index, range));
    if (!post_handlers(parts).empty()) kernels.post.push_back(lower_post_kernel(parts, name, index, range));
    kernels.post_traces.push_back(lower_post_trace_kernel(parts, name, index, range));
  }
  if (!syn.model->decl->body.outputs.empty()) kernels.continuous.push_back(lower_continuous_kernel(parts, name, index, range));
}

}  // namespace gennc::lower
