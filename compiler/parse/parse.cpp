#include "parse/parse.h"

#include <cctype>
#include <sstream>

#include "parse/antlr.h"

namespace gennc::parse {

using gennc_antlr::GdslLexer;
using gennc_antlr::GdslParser;

ByteStream::ByteStream(std::string_view bytes) {
  _data.clear();
  _data.reserve(bytes.size());
  for (unsigned char c : bytes) _data.push_back(c < 0x80 ? c : kNonAscii);
  p = 0;
}

std::size_t number_prefix(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  };
  digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits();
  }
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      i = j;
      digits();
    }
  }
  return i;
}

Lexer::Lexer(antlr4::CharStream* input) : GdslLexer(input) {}

// Reserved words by spelling, from the vocabulary; built once.
const std::unordered_map<std::string, std::size_t>& Lexer::keywords() const {
  static const std::unordered_map<std::string, std::size_t> words = [this] {
    std::unordered_map<std::string, std::size_t> out;
    const antlr4::dfa::Vocabulary& vocab = getVocabulary();
    for (std::size_t t = 1; t <= vocab.getMaxTokenType(); ++t) {
      std::string lit = vocab.getLiteralName(t);
      if (lit.size() > 2 && std::isalpha(static_cast<unsigned char>(lit[1]))) out[lit.substr(1, lit.size() - 2)] = t;
    }
    return out;
  }();
  return words;
}

std::unique_ptr<antlr4::Token> Lexer::nextToken() {
  if (pending_) return std::move(pending_);
  std::unique_ptr<antlr4::Token> t = GdslLexer::nextToken();
  if (t->getType() == UNTERMINATED_STRING) {
    unterminated_.emplace_back(t->getStartIndex(), t->getStopIndex() + 1);
    auto source = std::make_pair(static_cast<antlr4::TokenSource*>(this), _input);
    return _factory->create(source, STRING, t->getText(), antlr4::Token::DEFAULT_CHANNEL, t->getStartIndex(),
                            t->getStopIndex(), t->getLine(), t->getCharPositionInLine());
  }
  if (t->getType() != QUANTITY) return t;
  // QUANTITY tokens are ASCII, so getText() gives their bytes.
  std::size_t start = t->getStartIndex();
  std::string text = t->getText();
  std::size_t number_end = number_prefix(text);
  std::size_t unit_begin = text.find_first_not_of(" \t", number_end);
  auto keyword = keywords().find(text.substr(unit_begin));
  if (keyword == keywords().end()) return t;
  std::string number = text.substr(0, number_end);
  std::size_t number_type = number.find_first_of(".eE") == std::string::npos ? INT : NUMBER;
  auto source = std::make_pair(static_cast<antlr4::TokenSource*>(this), _input);
  pending_ = _factory->create(source, keyword->second, keyword->first, antlr4::Token::DEFAULT_CHANNEL,
                              start + unit_begin, t->getStopIndex(), t->getLine(),
                              t->getCharPositionInLine() + unit_begin);
  return _factory->create(source, number_type, number, antlr4::Token::DEFAULT_CHANNEL, start,
                          start + number_end - 1, t->getLine(), t->getCharPositionInLine());
}

namespace {

// Deeper nesting than this is rejected before parsing: ANTLR's parser and every tree
// walk after it recurse once per level, and the stack must survive any input.
constexpr int kMaxNesting = 256;

diag::SourceRange token_range(diag::FileId file, const antlr4::Token* t) {
  diag::SourceRange r;
  r.begin = {file, static_cast<std::uint32_t>(t->getStartIndex())};
  // EOF has stop = start - 1: an empty range at the end of the text.
  std::size_t stop = t->getStopIndex() + 1;
  r.end = {file, static_cast<std::uint32_t>(stop < t->getStartIndex() ? t->getStartIndex() : stop)};
  return r;
}

std::string token_bytes(std::string_view text, const antlr4::Token* t) {
  std::size_t start = t->getStartIndex();
  std::size_t stop = t->getStopIndex() + 1;
  if (t->getType() == antlr4::Token::EOF || start >= text.size() || stop <= start) return {};
  return std::string(text.substr(start, stop - start));
}

// How a token is named in messages: `'x'`, or "end of file".
std::string describe(std::string_view text, const antlr4::Token* t) {
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  return "'" + token_bytes(text, t) + "'";
}

// How an expected token type is named: keywords and punctuation as written, token
// classes in words.
std::string expected_name(const antlr4::dfa::Vocabulary& vocab, std::size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case GdslParser::ID: return "a name";
    case GdslParser::INT: return "an integer";
    case GdslParser::NUMBER: return "a number";
    case GdslParser::QUANTITY: return "a quantity";
    case GdslParser::STRING: return "a string";
    default: return vocab.getLiteralName(type);
  }
}

// Whether the parser is inside a declared name. By rule index, not dynamic_cast: sync()
// asks at every loop of every rule, and a failed dynamic_cast walks the class hierarchy.
bool in_decl_name(antlr4::Parser* parser) {
  return parser->getContext() != nullptr && parser->getContext()->getRuleIndex() == GdslParser::RuleDeclName;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(diag::FileId file, std::string_view text, diag::Diagnostics& diags)
      : file_(file), text_(text), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, std::size_t, std::size_t,
                   const std::string& msg, std::exception_ptr error) override {
    // Only ever attached to the parser, which always names the offending token.
    auto* parser = static_cast<antlr4::Parser*>(recognizer);
    diag::SourceRange where = token_range(file_, offending);
    // A declared name also takes reserved words (reported later, by the AST builder), so
    // ANTLR's own list would name every keyword.
    if (in_decl_name(parser)) {
      diags_.report(diag::DiagId::expected_tokens, where, "a name");
      return;
    }
    // ANTLR says "mismatched input", "missing X at", "extraneous input" or "no viable
    // alternative"; the first three come with a meaningful set of expected tokens.
    bool has_expected = msg.rfind("mismatched input", 0) == 0 || msg.rfind("missing ", 0) == 0 ||
                        msg.rfind("extraneous input", 0) == 0;
    if (has_expected && msg.rfind("extraneous input", 0) != 0) {
      antlr4::misc::IntervalSet expected = parser->getExpectedTokens();
      if (error) {
        try {
          std::rethrow_exception(error);
        } catch (const antlr4::RecognitionException& e) {
          expected = e.getExpectedTokens();
        } catch (...) {
        }
      }
      if (auto list = expected_list(parser->getVocabulary(), expected)) {
        diags_.report(diag::DiagId::expected_tokens, where, *list);
        return;
      }
    }
    // At the end of the file the useful news is which bracket is still open.
    if (offending->getType() == antlr4::Token::EOF) {
      antlr4::misc::IntervalSet expected = parser->getExpectedTokens();
      const antlr4::dfa::Vocabulary& vocab = parser->getVocabulary();
      for (std::size_t type : expected.toList()) {
        std::string name = vocab.getLiteralName(type);
        if (name == "'}'" || name == "')'" || name == "']'") {
          diags_.report(diag::DiagId::expected_tokens, where, name);
          return;
        }
      }
    }
    diags_.report(diag::DiagId::unexpected_token, where, describe(text_, offending));
  }

 private:
  // "';' or '}'", "expression"; nothing when the set is too large to be helpful.
  static std::optional<std::string> expected_list(const antlr4::dfa::Vocabulary& vocab,
                                                  const antlr4::misc::IntervalSet& set) {
    if (set.contains(std::size_t{GdslParser::ID}) && set.contains(std::size_t{GdslParser::INT}) &&
        set.contains(std::size_t{GdslParser::QUANTITY}))
      return std::string("an expression");
    std::vector<std::string> names;
    for (std::size_t type : set.toList()) names.push_back(expected_name(vocab, type));
    if (names.empty() || names.size() > 4) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
      out += names[i];
    }
    return out;
  }

  diag::FileId file_;
  std::string_view text_;
  diag::Diagnostics& diags_;
};

// ANTLR repairs a missing token by deleting the offending one when the token after it
// fits; `population = A(10)` would then lose the '=' and report a second error at '('.
// Conjuring the missing token first (when that works) reports the one real mistake.
// Otherwise it is ANTLR's own recovery, less its second try at insertion, which cannot
// succeed where the first failed and costs a walk of the grammar's ATN.
class RecoveryStrategy : public antlr4::DefaultErrorStrategy {
 public:
  antlr4::Token* recoverInline(antlr4::Parser* recognizer) override {
    if (singleTokenInsertion(recognizer)) return getMissingSymbol(recognizer);
    if (antlr4::Token* matched = singleTokenDeletion(recognizer)) {
      recognizer->consume();
      return matched;
    }
    throw antlr4::InputMismatchException(recognizer);
  }
  // The same for a declared name, which is a rule (a name or a reserved word): sync
  // would delete the '=' of `population = A(10)` whenever a name follows it. Without it
  // the rule fails on the '=' at once, and recovery resumes there.
  void sync(antlr4::Parser* recognizer) override {
    if (in_decl_name(recognizer)) return;
    DefaultErrorStrategy::sync(recognizer);
  }
};

// Whether `s` is well-formed UTF-8 without control characters, and so safe to show.
bool printable_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 4;
    if (extra == 4 || c < 0x20 || c == 0x7f || i + extra >= s.size() + (extra ? 0 : 1)) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

// Reports the malformed-input tokens the lexer puts on the hidden channel. A run of
// adjacent bad bytes (one UTF-8 character, say) is reported once.
void report_lexical_errors(const Lexer& lexer, antlr4::CommonTokenStream& tokens, diag::FileId file,
                           std::string_view text, diag::Diagnostics& diags) {
  for (auto [begin, end] : lexer.unterminated_strings()) {
    auto b = static_cast<std::uint32_t>(begin), e = static_cast<std::uint32_t>(end);
    diags.report(diag::DiagId::unterminated_string, {{file, b}, {file, e}});
  }
  const auto& all = tokens.getTokens();
  for (std::size_t i = 0; i < all.size(); ++i) {
    antlr4::Token* t = all[i];
    switch (t->getType()) {
      case GdslLexer::UNTERMINATED_COMMENT:
        diags.report(diag::DiagId::unterminated_comment, token_range(file, t));
        break;
      case GdslLexer::BAD_CHARACTER: {
        diag::SourceRange r = token_range(file, t);
        while (i + 1 < all.size() && all[i + 1]->getType() == GdslLexer::BAD_CHARACTER &&
               all[i + 1]->getStartIndex() == r.end.offset) {
          r.end.offset = static_cast<std::uint32_t>(all[++i]->getStopIndex() + 1);
        }
        std::string_view bytes = text.substr(r.begin.offset, r.end.offset - r.begin.offset);
        std::string shown;
        if (printable_utf8(bytes)) {
          shown = std::string(bytes);
        } else {
          for (std::uint32_t o = r.begin.offset; o < r.end.offset; ++o)
            shown += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[o]));
        }
        diags.report(diag::DiagId::bad_character, r, shown);
        break;
      }
      default:
        break;
    }
  }
}

// An upper bound on how deeply the parser will recurse: one level per open bracket, plus
// the operators, postfix brackets and `else`s of the current expression or statement at
// each bracket level (prefix operators, `^`, `?:` and else-if chains recurse once per
// operator, and left-deep chains make deep trees). Returns the token at which the bound
// first exceeds kMaxNesting, or null.
antlr4::Token* too_deep(antlr4::CommonTokenStream& tokens, const antlr4::dfa::Vocabulary& vocab) {
  std::vector<int> frames{0};  // operators since the last separator, per bracket level
  int depth = 0;               // levels + operators over all frames
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL || t->getType() == antlr4::Token::EOF) continue;
    std::string lit = vocab.getLiteralName(t->getType());
    if (lit == "'('" || lit == "'['" || lit == "'{'") {
      frames.push_back(0);
      ++depth;
    } else if (lit == "')'" || lit == "']'" || lit == "'}'") {
      if (frames.size() > 1) {
        depth -= frames.back() + 1;
        frames.pop_back();
      }
      // A closed call or index may continue a postfix chain: `f(a)(b)`, `x[1][2]`.
      if (lit != "'}'") {
        ++frames.back();
        ++depth;
      }
    } else if (lit == "','" || lit == "';'" || lit == "'='" || lit == "'+='" || lit == "'-='" ||
               lit == "'*='" || lit == "'/='" ||
               (lit.size() > 2 && std::isalpha(static_cast<unsigned char>(lit[1])) && lit != "'else'" &&
                lit != "'if'" && lit != "'true'" && lit != "'false'")) {
      // A separator or a keyword starts a new expression or item (`if` continues an
      // else-if chain, which recurses once per link).
      depth -= frames.back();
      frames.back() = 0;
    } else if (!lit.empty() && lit != "'''" && lit != "':'") {
      // An operator (or `else`, `.`, `->`).
      ++frames.back();
      ++depth;
    }
    if (depth > kMaxNesting) return t;
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<ast::Module> parse_module(diag::FileId file, diag::Diagnostics& diags) {
  std::string_view text = diags.sources().contents(file);
  ByteStream input(text);
  Lexer lexer(&input);
  lexer.removeErrorListeners();  // cannot fail: malformed input becomes hidden error tokens
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  report_lexical_errors(lexer, tokens, file, text, diags);

  GdslParser parser(&tokens);
  parser.removeErrorListeners();
  if (antlr4::Token* deep = too_deep(tokens, parser.getVocabulary())) {
    diags.report(diag::DiagId::nesting_too_deep, token_range(file, deep), kMaxNesting);
    auto module = std::make_unique<ast::Module>();
    module->file = file;
    return module;
  }

  // Two-stage parse: the fast SLL mode is exact for almost every input; only if it fails
  // is the input parsed again in full LL mode, which also reports the syntax errors.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  GdslParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<RecoveryStrategy>());
    ErrorListener listener(file, text, diags);
    parser.addErrorListener(&listener);
    tree = parser.file();
    parser.removeErrorListeners();
  }
  return build_ast(tree, tokens, file, diags);
}

std::string dump_tokens(diag::FileId file, diag::Diagnostics& diags) {
  std::string_view text = diags.sources().contents(file);
  ByteStream input(text);
  Lexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  report_lexical_errors(lexer, tokens, file, text, diags);

  const antlr4::dfa::Vocabulary& vocab = lexer.getVocabulary();
  std::ostringstream out;
  for (antlr4::Token* t : tokens.getTokens()) {
    diag::LineCol lc = diags.sources().line_col({file, static_cast<std::uint32_t>(t->getStartIndex())});
    std::string kind = vocab.getSymbolicName(t->getType());
    if (t->getType() == antlr4::Token::EOF) kind = "EOF";
    if (kind.empty()) {
      std::string lit = vocab.getLiteralName(t->getType());
      kind = lit.size() > 2 && std::isalpha(static_cast<unsigned char>(lit[1])) ? "KEYWORD" : "PUNCT";
    }
    out << lc.line << ':' << lc.column << ' ' << kind;
    if (t->getType() != antlr4::Token::EOF) out << " '" << token_bytes(text, t) << "'";
    out << '\n';
  }
  return out.str();
}

}  // namespace gennc::parse
