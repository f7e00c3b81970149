#include "passes/plan_exchange.h"

#include <vector>

namespace gennc::passes {

using namespace ir;

namespace {

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// Whether projection `p`'s delivery loads a neuron's or a population's state (not the
// runtime's spike lists and counts, nor parameters, which no step changes): such a read
// must happen in its own step.
bool delivery_reads_neurons(const Module& m, std::uint32_t p) {
  bool reads = false;
  for (const Kernel& k : m.kernels) {
    if (k.kind != GENNC_KERNEL_SYNAPSE_PRE || k.owner != p) continue;
    for_each_expr(k.body, [&](const Expr& e) {
      if (e.kind != ExprKind::Load) return;
      const Array& a = m.arrays[e.array];
      reads |= (a.scope == GENNC_SCOPE_NEURON || a.scope == GENNC_SCOPE_SCALAR) &&
               !(a.flags & (GENNC_ARRAY_INTERNAL | GENNC_ARRAY_PARAMETER));
    });
  }
  return reads;
}

// Why deliveries cannot wait for the exchange; empty where they can.
std::string undeferrable(const Module& m, const std::vector<bool>& delivers, const std::vector<bool>& updates) {
  for (std::uint32_t k : m.step_schedule) {
    const Kernel& kernel = m.kernels[k];
    switch (kernel.kind) {
      case GENNC_KERNEL_SYNAPSE_POST:
      case GENNC_KERNEL_TRACE_PRE:
      case GENNC_KERNEL_TRACE_POST:
        // A plastic projection's weights change at pre and post spikes and with traces, in
        // the order of the step.
        return "plastic projection " + quoted(m.projections[kernel.owner].name);
      case GENNC_KERNEL_SYNAPSE_CONTINUOUS: return "continuous synapses of " + quoted(m.projections[kernel.owner].name);
      case GENNC_KERNEL_DERIVED:
      case GENNC_KERNEL_DERIVED_SYNAPSE: return "kernel " + quoted(kernel.name) + " in the step";
      default: break;
    }
  }
  for (std::uint32_t p = 0; p < m.projections.size(); ++p) {
    if (delivers[p] && delivery_reads_neurons(m, p))
      return "delivery of " + quoted(m.projections[p].name) + " reads neuron state";
    // A projection without a delivery whose source has no update of its own was fused into
    // its target's update (fuse_source_delivery): its adds happen in the step, and could not
    // keep one process's order beside waiting deliveries into the same ring.
    const std::uint32_t source = m.projections[p].pre.population;
    if (!delivers[p] && !updates[source])
      return "source " + quoted(m.populations[source].name) + " delivering inside the update of " +
             quoted(m.populations[m.projections[p].post.population].name);
  }
  return {};
}

}  // namespace

bool plan_exchange(Module& m, const Options&, diag::Diagnostics&) {
  std::vector<bool> delivers(m.projections.size(), false), updates(m.populations.size(), false);
  for (std::uint32_t k : m.step_schedule) {
    const Kernel& kernel = m.kernels[k];
    if (kernel.kind == GENNC_KERNEL_NEURON) updates[kernel.owner] = true;
    if (kernel.kind == GENNC_KERNEL_SYNAPSE_PRE) delivers[kernel.owner] = true;
  }
  Module::ExchangePlan plan;
  plan.bound = undeferrable(m, delivers, updates);
  if (plan.bound.empty()) {
    plan.deferred = true;
    plan.steps = 0;
    for (std::uint32_t p = 0; p < m.projections.size(); ++p) {
      if (!delivers[p]) continue;
      const Projection& q = m.projections[p];
      if (q.delay_array != kNone) {
        plan.stored_delays.push_back(p);
        continue;
      }
      if (plan.steps == 0 || q.shortest_delay_steps < plan.steps) {
        plan.steps = q.shortest_delay_steps;
        plan.bound = "shortest delay: projection " + quoted(q.name);
      }
    }
    if (plan.steps == 0 && plan.stored_delays.empty()) {
      plan.steps = 1;
      plan.bound = "no projection delivers spikes";
    }
  }
  m.exchange = std::move(plan);
  return true;
}

}  // namespace gennc::passes
