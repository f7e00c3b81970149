// The first step of lowering: the storage form of each projection's synapses, decided on
// sema's network before any IR exists (docs/ir.md, Choosing the storage form).
#pragma once

#include <vector>

#include "sema/program.h"

namespace gennc::lower {

// Requires: `network` was checked without errors (each requested form is legal).
// Guarantees: one form per projection, in order, that the projection can take: procedural
// where sema recorded that request; sparse where a synapse variable is recorded; procedural
// where `procedural_where_possible` (`--procedural=all`)
// and nothing keeps the projection from it; else the requested form; else the smallest
// form proven to hold the same synapses: dense, diagonal, a bitmask where its bits take
// fewer bytes than the expected columns, else sparse rows.
std::vector<sema::Connectivity> choose_connectivity(const sema::Network& network, bool procedural_where_possible);

}  // namespace gennc::lower
