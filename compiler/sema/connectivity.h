// The storage forms a projection's synapses can take (docs/language.md, Connectivity).
// Sema checks a form the source or `gennc --procedural=NAME` asks for; lowering's
// choose_connectivity picks one where none was asked, among the forms allowed here.
#pragma once

#include "diag/diagnostics.h"
#include "sema/program.h"

namespace gennc::sema {

// Whether something keeps `proj` from holding its synapses in `form`: false when nothing
// does; else true, after reporting the first obstacle to `report_to` unless it is null.
// Requires: `proj` was checked without errors (its decl, connector and values are set).
bool form_obstacle(const Projection& proj, Connectivity form, diag::Diagnostics* report_to);

// The synapses a generated connector makes between n_pre and n_post neurons (0 where the
// count is not known before the run).
double expected_synapses(const Connector& c, double n_pre, double n_post);

}  // namespace gennc::sema
