// Lowering of one checked network (sema) to the IR: the network plan and one kernel per
// thing that runs — a fused update kernel per population (receptors, inputs, ODEs,
// threshold), a derived kernel per population with derived quantities, one kernel per
// current injection, and per projection a presynaptic kernel (plus trace and
// postsynaptic kernels for plastic synapses). docs/ir.md describes the step they make up.
#pragma once

#include <memory>

#include "diag/diagnostics.h"
#include "ir/ir.h"
#include "sema/program.h"

namespace gennc::ir {

struct LowerOptions {
  Type real = Type::F32;  // the type of real-valued state and parameters (f32 or f64)
};

// Requires: `network` is one of `program`'s networks and sema reported no errors.
// Guarantees: a module at Stage::HighLevel that passes verify(), or, when the network uses
// something the IR cannot express (reported to `diags`), a partial module that must not
// be used (diags.has_errors()).
std::unique_ptr<Module> lower_program(const sema::Program& program, const sema::Network& network,
                                      const diag::SourceManager& sources, diag::Diagnostics& diags,
                                      const LowerOptions& options);

}  // namespace gennc::ir
