// ANTLR plumbing shared by the files of parse/ (and only them): a byte-exact input
// stream and the tree-to-AST converter's entry point.
#pragma once

#include <antlr4-runtime.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "GdslLexer.h"
#include "GdslParser.h"
#include "ast/ast.h"
#include "diag/diagnostics.h"

namespace gennc::parse {

// ANTLR's own input stream decodes UTF-8 (and throws on invalid UTF-8); this one maps
// each byte to one symbol, so token indices are byte offsets and any input is accepted.
// Non-ASCII bytes only appear legitimately in strings and comments, and every lexer rule
// treats them alike (only negated sets and `.` match them), so each is given as one ASCII
// control character that no rule names either: ANTLR's lexer caches its decisions only
// for symbols up to 127 and simulates its ATN afresh for every symbol above. Token text
// is therefore read from the source by offset, never with getText(), wherever it may hold
// such bytes (strings, bad characters).
class ByteStream : public antlr4::ANTLRInputStream {
 public:
  explicit ByteStream(std::string_view bytes);
  static constexpr char32_t kNonAscii = 0x01;
};

// The lexer the front end uses: GDSL's generated lexer, with two changes.
// - A number followed by a reserved word is not a quantity (`threshold v > 0 reset {...}`
//   on one line): such a QUANTITY token is split into the number and the keyword.
// - An unterminated string is passed on as a STRING (running to the end of its line), so
//   that the parser recovers at once; its start is remembered for the error.
class Lexer : public gennc_antlr::GdslLexer {
 public:
  explicit Lexer(antlr4::CharStream* input);
  std::unique_ptr<antlr4::Token> nextToken() override;
  // Byte ranges [begin, end) of the unterminated strings seen so far.
  const std::vector<std::pair<std::size_t, std::size_t>>& unterminated_strings() const { return unterminated_; }

 private:
  const std::unordered_map<std::string, std::size_t>& keywords() const;  // spelling -> token type
  std::unique_ptr<antlr4::Token> pending_;
  std::vector<std::pair<std::size_t, std::size_t>> unterminated_;
};

// The length of the number at the start of a QUANTITY token's text (`1.5e3` of
// `1.5e3 mV`), read as NUMBER or INT would read it.
std::size_t number_prefix(std::string_view quantity);

// Converts a parse tree (read from `tokens`) to the AST. Subtrees that hold syntax errors
// (already reported) are left out; the result holds everything that parsed cleanly.
std::unique_ptr<ast::Module> build_ast(gennc_antlr::GdslParser::FileContext* tree, antlr4::TokenStream& tokens,
                                       diag::FileId file, diag::Diagnostics& diags);

}  // namespace gennc::parse
