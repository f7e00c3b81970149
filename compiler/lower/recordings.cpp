// Recordings: one plan entry per recorded set, pointing at the array sampled.
#include "lower/lowerer.h"

#include <algorithm>

namespace gennc::lower {

void Lowerer::lower_recording(const sema::Recording& r) {
  if (r.projection) {
    // A synapse variable: one entry per IR projection (one per population pair), written
    // at the end of the run from its per-synapse array.
    const sema::Projection& proj = net_.projections[*r.projection];
    const sema::Symbol* var = proj.synapse.model->find(r.variable);
    for (const auto& [index, syn] : synapse_parts_.at(&proj)) {
      auto it = syn->arrays.find(var);
      GENNC_IR_ASSERT(it != syn->arrays.end(), kWhere, "recorded synapse variable has no array");
      SynapseRecording out;
      out.name = m_->arrays[it->second].name;
      out.projection = index;
      out.array = it->second;
      out.unit = m_->arrays[it->second].unit;  // `weight` made the receptor's unit
      m_->synapse_recordings.push_back(std::move(out));
    }
    return;
  }
  if (r.injection) {
    // A current source's state: one recording per IR injection (one per set of an
    // assembly), sampling its per-target array for every target.
    const sema::Model& model = *net_.injections[*r.injection].model;
    const sema::Symbol* var = model.find(r.variable);
    for (const auto& [index, cs] : injection_parts_.at(*r.injection)) {
      Recording out;
      out.kind = GENNC_RECORD_VARIABLE;
      out.injection = index;
      out.target = m_->injections[index].target;
      out.interval_steps = static_cast<std::uint32_t>(std::max<std::int64_t>(1, r.interval_steps));
      auto it = cs->arrays.find(var);
      GENNC_IR_ASSERT(it != cs->arrays.end(), kWhere, "recorded current-source variable has no array");
      out.array = it->second;
      out.variable = m_->arrays[it->second].name;
      out.unit = unit_text(r.dim);
      m_->recordings.push_back(std::move(out));
    }
    return;
  }
  for (const sema::IndexSet& set : r.targets) {
    Recording out;
    out.target = selection_of(set);
    out.interval_steps = static_cast<std::uint32_t>(std::max<std::int64_t>(1, r.interval_steps));
    if (r.spikes) {
      out.kind = GENNC_RECORD_SPIKES;
      out.variable = "spikes";
      out.array = m_->populations[set.population].spike_list_array;
    } else {
      out.kind = GENNC_RECORD_VARIABLE;
      std::string key = r.receptor.empty() ? r.variable : r.receptor + "." + r.variable;
      auto it = pops_[set.population].recordable.find(key);
      GENNC_IR_ASSERT(it != pops_[set.population].recordable.end(), kWhere, "recorded variable has no array");
      out.array = it->second;
      out.variable = m_->arrays[it->second].name;
      out.unit = unit_text(r.dim);
    }
    m_->recordings.push_back(std::move(out));
  }
}

}  // namespace gennc::lower
