// `--emit=ast`: an indented tree, one node per line: kind, key fields, `<line:col-line:col>`
// (the end column is one past the last character). Model and network items are listed in
// source order. A literal or name that is a declaration's whole value is printed on the
// declaration's line; larger expressions follow as indented children. Golden tests pin
// this format.
#pragma once

#include <iosfwd>
#include <string>

#include "ast/ast.h"

namespace gennc::ast {

void print(std::ostream& out, const Module& module, const diag::SourceManager& sources);
std::string to_text(const Module& module, const diag::SourceManager& sources);

// One expression (and its children), starting at the given indentation depth.
std::string to_text(const Expr& expr, const diag::SourceManager& sources, int depth = 0);

// `nA/mV`, `1/ms`, `mV[]`, `real`: a type as the printer shows it.
std::string to_string(const TypeExpr& type);

}  // namespace gennc::ast
