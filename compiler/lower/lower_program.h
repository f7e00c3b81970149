// Lowering of one checked network (sema) to the IR: the network plan and one kernel per
// thing that runs — a fused update kernel per population (receptors, inputs, ODEs,
// threshold), a derived kernel per population with derived quantities, one kernel per
// current injection, and per projection a presynaptic kernel (plus trace and
// postsynaptic kernels for plastic synapses). docs/ir.md describes the step they make up.
#pragma once

#include <memory>

#include "diag/source_manager.h"
#include "ir/ir.h"
#include "sema/program.h"

namespace gennc::lower {

struct LowerOptions {
  ir::Type real = ir::Type::F32;  // the type of real-valued state and parameters (f32 or f64)
  // `--procedural=all`: every projection whose rows can be regenerated is made procedural
  // (choose_connectivity); projections named by `--procedural=NAME` are sema's business.
  bool procedural_where_possible = false;
};

// Requires: `network` is one of `program`'s networks and sema reported no errors (sema
// rejects everything the IR cannot express).
// Guarantees: a module at Stage::HighLevel that passes verify(). Lowering reports no user
// diagnostics: a network it cannot lower is an internal error.
std::unique_ptr<ir::Module> lower_program(const sema::Program& program, const sema::Network& network,
                                          const diag::SourceManager& sources, const LowerOptions& options);

}  // namespace gennc::lower
