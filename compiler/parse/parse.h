// The front end's first stage: GDSL text -> AST. The only place that sees ANTLR types.
#pragma once

#include <memory>
#include <string>

#include "ast/ast.h"
#include "diag/diagnostics.h"

namespace gennc::parse {

// Parses one registered file. Syntax errors are reported to `diags` (several per file
// where the parser can recover); the returned module holds whatever parsed cleanly and is
// never null.
std::unique_ptr<ast::Module> parse_module(diag::FileId file, diag::Diagnostics& diags);

// `--emit=tokens`: one token per line, `line:col KIND 'text'`.
std::string dump_tokens(diag::FileId file, diag::Diagnostics& diags);

}  // namespace gennc::parse
