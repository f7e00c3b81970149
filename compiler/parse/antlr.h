// ANTLR plumbing shared by the files of parse/ (and only them): a byte-exact input
// stream and the tree-to-AST converter's entry point.
#pragma once

#include <antlr4-runtime.h>

#include <memory>
#include <string_view>

#include "GdslLexer.h"
#include "GdslParser.h"
#include "ast/ast.h"
#include "diag/diagnostics.h"

namespace gennc::parse {

// ANTLR's own input stream decodes UTF-8 (and throws on invalid UTF-8); this one maps
// each byte to one symbol, so token indices are byte offsets and any input is accepted.
// Non-ASCII bytes only appear legitimately in strings and comments.
class ByteStream : public antlr4::ANTLRInputStream {
 public:
  explicit ByteStream(std::string_view bytes);
};

// Converts a parse tree (read from `tokens`) to the AST. Subtrees that hold syntax errors
// (already reported) are left out; the result holds everything that parsed cleanly.
std::unique_ptr<ast::Module> build_ast(gennc_antlr::GdslParser::FileContext* tree, antlr4::TokenStream& tokens,
                                       diag::FileId file, diag::Diagnostics& diags);

}  // namespace gennc::parse
