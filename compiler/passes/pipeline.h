// The pass pipeline: the only place that knows the order of the passes. Each pass runs,
// is logged (--print-after, --dump-dir, --time-passes) and, with verify_each, the
// verifier checks its result; a verifier failure is an internal compiler error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "diag/diagnostics.h"
#include "ir/ir.h"
#include "passes/options.h"

namespace gennc::passes {

struct PipelineOptions {
  Options passes;
  std::string print_after;  // a pass name or "all": print the IR after it ("(unchanged)" if it did nothing)
  std::string dump_dir;     // write the IR after each pass to DIR/NN.<pass>.ir (00.lowered.ir first)
  bool time_passes = false; // print a table of pass times, slowest first
  bool verify_each = true;  // run the verifier after every pass
  std::ostream* log = nullptr;                 // where printing and timing go (null: nowhere)
  const diag::SourceManager* sources = nullptr; // for source locations in printed IR
};

// The passes' names, in the order they run (a name may repeat).
const std::vector<std::string>& pass_names();

// Runs every pass over `m`. Returns false when a pass reported an error to `diags` (the
// module must not be used then). Throws ir::InternalError on a verifier failure, after
// writing the IR that the failing pass received to a reproducer file.
bool run_pipeline(ir::Module& m, const PipelineOptions& options, diag::Diagnostics& diags);

}  // namespace gennc::passes
