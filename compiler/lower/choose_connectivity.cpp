// The automatic choice of storage forms; sema/check_connectivity.cpp says what each form
// asks of a projection.
#include "lower/choose_connectivity.h"

#include <algorithm>
#include <cmath>

#include "sema/connectivity.h"

namespace gennc::lower {

namespace {

using sema::Connectivity;

// Whether the bitmask (n_pre words of ceil(n_post / 32) each) takes fewer bytes than the
// columns the stored rows would take (4 bytes per expected synapse); the row pointers
// are kept either way. False where the synapse count is not known before the run.
bool bitmask_smaller(const sema::Projection& proj) {
  if (proj.pre.size() != 1 || proj.post.size() != 1) return false;
  const double n_pre = static_cast<double>(proj.pre.front().size());
  const double n_post = static_cast<double>(proj.post.front().size());
  const sema::Connector& c = proj.connector;
  double expected = c.kind == sema::ConnectorKind::AllToAll ? n_pre * n_post - std::min(n_pre, n_post)
                                                             : sema::expected_synapses(c, n_pre, n_post);
  if (expected == 0.0) return false;
  return n_pre * std::ceil(n_post / 32.0) < expected;
}

// A bitmask addresses a synapse by its candidate pair, not by a synapse index of its own:
// a model that draws random numbers would draw them at other addresses than stored rows
// do, so only models without draws take it unasked.
bool draws_random(const sema::Projection& proj) {
  if (proj.synapse.model->draws_random) return true;
  for (const sema::SlotBinding& b : proj.synapse.slots)
    if (b.component->draws_random) return true;
  return false;
}

Connectivity choose(const sema::Projection& proj, bool procedural_where_possible) {
  auto allows = [&](Connectivity form) { return !sema::form_obstacle(proj, form, nullptr); };
  if (proj.requested == Connectivity::Procedural) return Connectivity::Procedural;
  // A recorded synapse variable is written beside each synapse's neurons, which rows name.
  if (proj.state_recorded) return Connectivity::Sparse;
  if (procedural_where_possible && allows(Connectivity::Procedural)) return Connectivity::Procedural;
  if (proj.requested) return *proj.requested;
  if (allows(Connectivity::Dense)) return Connectivity::Dense;
  if (allows(Connectivity::Diagonal)) return Connectivity::Diagonal;
  if (!draws_random(proj) && bitmask_smaller(proj) && allows(Connectivity::Bitmask)) return Connectivity::Bitmask;
  return Connectivity::Sparse;
}

}  // namespace

std::vector<Connectivity> choose_connectivity(const sema::Network& network, bool procedural_where_possible) {
  std::vector<Connectivity> forms;
  for (const sema::Projection& proj : network.projections) forms.push_back(choose(proj, procedural_where_possible));
  return forms;
}

}  // namespace gennc::lower
