// The IR's text form (`gennc --emit=ir`, --print-after, golden tests). Stable: arrays,
// kernels and statements print in module order, numbers with the shortest decimal form
// that reads back exactly, so a dump changes only when the IR does.
#pragma once

#include <string>

#include "diag/source_manager.h"
#include "ir/ir.h"

namespace gennc::ir {

struct PrintOptions {
  // Append `  // file.gdsl:12` to statements that carry a source range (needs sources).
  const diag::SourceManager* sources = nullptr;
};

std::string print(const Module& m, const PrintOptions& options = {});
std::string print(const Expr& e, const Kernel* k = nullptr);  // one expression (tests, messages)

}  // namespace gennc::ir
