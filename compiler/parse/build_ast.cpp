// Parse tree -> AST. Every node gets the byte range of its tokens. Items (declarations,
// statements, network items) whose subtree holds a syntax error or a number out of range
// are left out: the error was reported already, and later stages see only complete nodes
// and no made-up values.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_set>

#include "parse/antlr.h"

namespace gennc::parse {

using gennc_antlr::GdslParser;
using diag::DiagId;
using diag::SourceRange;

namespace {

bool real_token(const antlr4::Token* t) {
  // Tokens the error strategy conjures up ("missing ';'") have no position in the text.
  return t && t->getStartIndex() != INVALID_INDEX && t->getTokenIndex() != INVALID_INDEX;
}

class Builder {
 public:
  Builder(antlr4::TokenStream& tokens, diag::FileId file, diag::Diagnostics& diags)
      : tokens_(tokens), file_(file), text_(diags.sources().contents(file)), diags_(diags) {
    // Implicit literal tokens have generated type numbers; look `;` up by its spelling.
    const auto& vocab = static_cast<antlr4::Lexer*>(tokens.getTokenSource())->getVocabulary();
    for (std::size_t t = 1; t <= vocab.getMaxTokenType(); ++t)
      if (vocab.getLiteralName(t) == "';'") semicolon_ = t;
  }

  std::unique_ptr<ast::Module> module(GdslParser::FileContext* tree) {
    auto m = std::make_unique<ast::Module>();
    m->file = file_;
    if (!tree) return m;
    mark_errors(tree);
    for (auto* item : tree->topItem()) {
      if (auto* imp = item->importDecl()) {
        if (clean(imp)) m->imports.push_back(import_decl(imp));
      } else if (auto* model = item->modelDecl()) {
        if (auto decl = model_decl(model)) m->models.push_back(std::move(decl));
      } else if (auto* net = item->networkDecl()) {
        if (auto decl = network_decl(net)) m->networks.push_back(std::move(decl));
      }
    }
    return m;
  }

 private:
  // ---- error bookkeeping ----------------------------------------------------------

  // Records every context that contains a syntax error (a recognition exception or an
  // error node anywhere below it). Iterative: a parse tree may be deep.
  void mark_errors(antlr4::ParserRuleContext* root) {
    std::vector<std::pair<antlr4::tree::ParseTree*, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [node, children_done] = stack.back();
      stack.pop_back();
      auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(node);
      if (!ctx) continue;
      if (!children_done) {
        stack.push_back({node, true});
        for (auto* child : ctx->children) stack.push_back({child, false});
        continue;
      }
      bool bad = ctx->exception != nullptr;
      for (auto* child : ctx->children) {
        if (dynamic_cast<antlr4::tree::ErrorNode*>(child) || bad_.count(child)) bad = true;
        if (auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child))
          if (!real_token(term->getSymbol())) bad = true;
      }
      if (bad) bad_.insert(node);
    }
  }
  bool clean(antlr4::tree::ParseTree* t) const { return t && !bad_.count(t); }

  // ---- ranges and text ------------------------------------------------------------

  SourceRange range(const antlr4::Token* t) const {
    SourceRange r;
    r.begin = {file_, static_cast<std::uint32_t>(t->getStartIndex())};
    r.end = {file_, static_cast<std::uint32_t>(t->getStopIndex() + 1)};
    return r;
  }
  // A rule's range, without the optional `;` that ends declarations and statements.
  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    antlr4::Token* start = ctx->getStart();
    antlr4::Token* stop = ctx->getStop();
    if (stop && real_token(stop) && stop != start && stop->getType() == semicolon_) {
      std::size_t i = stop->getTokenIndex();
      while (i > start->getTokenIndex() && tokens_.get(i - 1)->getChannel() != antlr4::Token::DEFAULT_CHANNEL) --i;
      stop = tokens_.get(i - 1);
    }
    SourceRange r = range(start);
    // An empty rule has its stop before its start; ANTLR's stop index is inclusive.
    if (stop && real_token(stop) && stop->getStopIndex() + 1 > start->getStartIndex())
      r.end.offset = static_cast<std::uint32_t>(stop->getStopIndex() + 1);
    else
      r.end.offset = r.begin.offset;
    return r;
  }
  std::string text(const antlr4::Token* t) const {
    return std::string(text_.substr(t->getStartIndex(), t->getStopIndex() + 1 - t->getStartIndex()));
  }

  // ---- literals -------------------------------------------------------------------

  // The value of a number literal; nothing (after reporting) if a double cannot hold it.
  std::optional<double> number(std::string_view spelled, SourceRange where, bool integer) {
    std::string s(spelled);
    errno = 0;
    double v = std::strtod(s.c_str(), nullptr);
    bool out_of_range = std::isinf(v) || (errno == ERANGE && v == 0.0) ||
                        (integer && v > 9007199254740992.0);  // integers must be exact in a double
    if (out_of_range) {
      diags_.report(DiagId::number_out_of_range, where, s);
      return std::nullopt;
    }
    return v;
  }

  // `20 ms`, `1.5e3mV`: the longest number prefix (as NUMBER/INT would read it), optional
  // blanks, then the unit name.
  ast::ExprPtr quantity(const antlr4::Token* t) {
    std::string_view s = text_.substr(t->getStartIndex(), t->getStopIndex() + 1 - t->getStartIndex());
    std::size_t number_end = number_prefix(s);
    std::size_t i = number_end;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    SourceRange whole = range(t);
    SourceRange number_range{whole.begin, {file_, whole.begin.offset + static_cast<std::uint32_t>(number_end)}};
    SourceRange unit_range{{file_, whole.begin.offset + static_cast<std::uint32_t>(i)}, whole.end};
    auto v = number(s.substr(0, number_end), number_range, false);
    if (!v) return nullptr;
    return std::make_unique<ast::QuantityLit>(whole, *v, std::string(s.substr(i)), unit_range);
  }

  // The value of a STRING token, escapes resolved. An unterminated string (reported by
  // the lexer) has no closing quote; a lone backslash may end it.
  std::string string_value(const antlr4::Token* t) {
    std::string_view s = text_.substr(t->getStartIndex() + 1, t->getStopIndex() - t->getStartIndex());
    std::size_t backslashes = 0;
    while (backslashes + 1 < s.size() && s[s.size() - 2 - backslashes] == '\\') ++backslashes;
    if (!s.empty() && s.back() == '"' && backslashes % 2 == 0) s.remove_suffix(1);
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\' || i + 1 == s.size()) {
        out += s[i];
        continue;
      }
      char c = s[++i];
      switch (c) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        default: {
          auto at = static_cast<std::uint32_t>(t->getStartIndex() + 1 + i - 1);
          diags_.report(DiagId::bad_escape, SourceRange{{file_, at}, {file_, at + 2}}, std::string(1, c));
        }
      }
    }
    return out;
  }

  // ---- expressions ----------------------------------------------------------------

  static ast::BinaryOp binary_op(const std::string& op) {
    static const std::pair<const char*, ast::BinaryOp> ops[] = {
        {"+", ast::BinaryOp::Add}, {"-", ast::BinaryOp::Sub}, {"*", ast::BinaryOp::Mul},
        {"/", ast::BinaryOp::Div}, {"%", ast::BinaryOp::Mod}, {"^", ast::BinaryOp::Pow},
        {"<", ast::BinaryOp::Lt},  {"<=", ast::BinaryOp::Le}, {">", ast::BinaryOp::Gt},
        {">=", ast::BinaryOp::Ge}, {"==", ast::BinaryOp::Eq}, {"!=", ast::BinaryOp::Ne},
        {"&&", ast::BinaryOp::And}, {"||", ast::BinaryOp::Or}};
    for (const auto& [spelled, op_kind] : ops)
      if (op == spelled) return op_kind;
    return ast::BinaryOp::Add;  // the grammar admits no other operator
  }

  ast::ExprPtr binary(GdslParser::ExprContext* ctx, GdslParser::ExprContext* lhs, antlr4::Token* op,
                      GdslParser::ExprContext* rhs) {
    auto l = expr(lhs);
    auto r = expr(rhs);
    if (!l || !r || !real_token(op)) return nullptr;
    return std::make_unique<ast::BinaryExpr>(range(ctx), binary_op(op->getText()), range(op), std::move(l),
                                             std::move(r));
  }

  ast::ExprPtr index(antlr4::ParserRuleContext* ctx, ast::ExprPtr base, GdslParser::SliceOrIndexContext* index) {
    if (!base || !index) return nullptr;
    if (auto* s = dynamic_cast<GdslParser::SliceContext*>(index)) {
      auto slice = std::make_unique<ast::SliceExpr>(range(ctx), std::move(base));
      slice->start = expr(s->start);
      slice->stop = expr(s->stop);
      slice->step = expr(s->step);
      if ((s->start && !slice->start) || (s->stop && !slice->stop) || (s->step && !slice->step)) return nullptr;
      return slice;
    }
    auto* single = dynamic_cast<GdslParser::SingleIndexContext*>(index);
    auto i = single ? expr(single->expr()) : nullptr;
    if (!i) return nullptr;
    return std::make_unique<ast::IndexExpr>(range(ctx), std::move(base), std::move(i));
  }

  // The expression of an expression statement: the postfix forms of expr() below.
  ast::ExprPtr stmt_expr(GdslParser::StmtExprContext* ctx) {
    if (!ctx) return nullptr;
    if (auto* c = dynamic_cast<GdslParser::StmtNameContext*>(ctx))
      return real_token(c->ID()->getSymbol()) ? std::make_unique<ast::NameRef>(range(ctx), text(c->ID()->getSymbol()))
                                             : nullptr;
    if (auto* c = dynamic_cast<GdslParser::StmtCallContext*>(ctx)) {
      auto callee = stmt_expr(c->callee);
      if (!callee) return nullptr;
      auto call = std::make_unique<ast::CallExpr>(range(ctx), std::move(callee));
      if (!args(c->argList(), call->args)) return nullptr;
      return call;
    }
    if (auto* c = dynamic_cast<GdslParser::StmtIndexContext*>(ctx)) return index(ctx, stmt_expr(c->base), c->index);
    if (auto* c = dynamic_cast<GdslParser::StmtMemberContext*>(ctx)) {
      auto base = stmt_expr(c->base);
      if (!base || !real_token(c->member)) return nullptr;
      return std::make_unique<ast::MemberExpr>(range(ctx), std::move(base), text(c->member), range(c->member));
    }
    return nullptr;
  }

  ast::ExprPtr expr(GdslParser::ExprContext* ctx) {
    if (!ctx) return nullptr;
    if (auto* c = dynamic_cast<GdslParser::PrimaryExprContext*>(ctx)) return primary(c->primary());
    if (auto* c = dynamic_cast<GdslParser::CallExprContext*>(ctx)) {
      auto callee = expr(c->callee);
      if (!callee) return nullptr;
      auto call = std::make_unique<ast::CallExpr>(range(ctx), std::move(callee));
      if (!args(c->argList(), call->args)) return nullptr;
      return call;
    }
    if (auto* c = dynamic_cast<GdslParser::IndexExprContext*>(ctx)) return index(ctx, expr(c->base), c->index);
    if (auto* c = dynamic_cast<GdslParser::MemberExprContext*>(ctx)) {
      auto base = expr(c->base);
      if (!base || !real_token(c->member)) return nullptr;
      return std::make_unique<ast::MemberExpr>(range(ctx), std::move(base), text(c->member), range(c->member));
    }
    if (auto* c = dynamic_cast<GdslParser::UnaryExprContext*>(ctx)) {
      auto operand = expr(c->operand);
      if (!operand) return nullptr;
      std::string op = c->op->getText();
      ast::UnaryOp kind = op == "-" ? ast::UnaryOp::Neg : op == "+" ? ast::UnaryOp::Plus : ast::UnaryOp::Not;
      return std::make_unique<ast::UnaryExpr>(range(ctx), kind, std::move(operand));
    }
    if (auto* c = dynamic_cast<GdslParser::PowerExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::MulExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::AddExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::CompareExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::EqualityExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::AndExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::OrExprContext*>(ctx)) return binary(ctx, c->lhs, c->op, c->rhs);
    if (auto* c = dynamic_cast<GdslParser::ConditionalExprContext*>(ctx)) {
      auto cond = expr(c->cond);
      auto then = expr(c->then);
      auto otherwise = expr(c->otherwise);
      if (!cond || !then || !otherwise) return nullptr;
      return std::make_unique<ast::ConditionalExpr>(range(ctx), std::move(cond), std::move(then),
                                                    std::move(otherwise));
    }
    return nullptr;
  }

  ast::ExprPtr primary(GdslParser::PrimaryContext* ctx) {
    if (!ctx) return nullptr;
    if (auto* c = dynamic_cast<GdslParser::QuantityLiteralContext*>(ctx)) return quantity(c->QUANTITY()->getSymbol());
    if (auto* c = dynamic_cast<GdslParser::NumberLiteralContext*>(ctx)) {
      auto v = number(c->getText(), range(ctx), false);
      if (!v) return nullptr;
      return std::make_unique<ast::NumberLit>(range(ctx), *v, false);
    }
    if (auto* c = dynamic_cast<GdslParser::IntLiteralContext*>(ctx)) {
      auto v = number(c->getText(), range(ctx), true);
      if (!v) return nullptr;
      return std::make_unique<ast::NumberLit>(range(ctx), *v, true);
    }
    if (auto* c = dynamic_cast<GdslParser::StringLiteralContext*>(ctx))
      return std::make_unique<ast::StringLit>(range(ctx), string_value(c->STRING()->getSymbol()));
    if (dynamic_cast<GdslParser::BoolLiteralContext*>(ctx))
      return std::make_unique<ast::BoolLit>(range(ctx), ctx->getText() == "true");
    if (auto* c = dynamic_cast<GdslParser::NameRefContext*>(ctx))
      return std::make_unique<ast::NameRef>(range(ctx), text(c->ID()->getSymbol()));
    if (auto* c = dynamic_cast<GdslParser::ParenExprContext*>(ctx)) return expr(c->expr());
    if (auto* c = dynamic_cast<GdslParser::ListLiteralContext*>(ctx)) {
      auto list = std::make_unique<ast::ListLit>(range(ctx));
      for (auto* e : c->expr()) {
        auto element = expr(e);
        if (!element) return nullptr;
        list->elements.push_back(std::move(element));
      }
      return list;
    }
    return nullptr;
  }

  // Returns false if an argument's value could not be converted.
  bool args(GdslParser::ArgListContext* ctx, std::vector<ast::Arg>& out) {
    if (!ctx) return true;
    for (auto* a : ctx->arg()) {
      ast::Arg arg;
      if (a->name) {
        arg.name = text(a->name);
        arg.name_range = range(a->name);
      }
      arg.value = expr(a->value);
      arg.range = range(a);
      if (!arg.value) return false;
      out.push_back(std::move(arg));
    }
    return true;
  }

  std::optional<ast::Call> call(GdslParser::CallContext* ctx) {
    ast::Call c;
    c.name = text(ctx->name);
    c.name_range = range(ctx->name);
    if (!args(ctx->argList(), c.args)) return std::nullopt;
    c.range = range(ctx);
    return c;
  }

  // ---- types ----------------------------------------------------------------------

  void unit_factors(GdslParser::UnitExprContext* ctx, int sign, std::vector<ast::UnitFactor>& out) {
    auto factors = ctx->unitFactor();
    for (std::size_t i = 0; i < factors.size(); ++i) {
      int factor_sign = i > 0 && ctx->op[i - 1]->getText() == "/" ? -sign : sign;
      auto* f = factors[i];
      if (auto* named = dynamic_cast<GdslParser::NamedUnitContext*>(f)) {
        ast::UnitFactor u;
        u.name = text(named->name);
        u.range = range(named);
        int exponent = 1;
        if (named->exponent) {
          auto* digits = named->exponent->INT()->getSymbol();
          auto magnitude = number(text(digits), range(digits), true);
          if (magnitude && *magnitude > std::numeric_limits<int>::max()) {
            diags_.report(DiagId::number_out_of_range, range(digits), text(digits));
            magnitude.reset();
          }
          exponent = magnitude ? static_cast<int>(*magnitude) : 1;
          if (named->exponent->getStart()->getText() == "-") exponent = -exponent;
        }
        u.exponent = exponent * factor_sign;
        out.push_back(std::move(u));
      } else if (auto* one = dynamic_cast<GdslParser::UnitOneContext*>(f)) {
        if (text(one->one) != "1") diags_.report(DiagId::bad_unit_number, range(one->one), text(one->one));
      } else if (auto* paren = dynamic_cast<GdslParser::ParenUnitContext*>(f)) {
        unit_factors(paren->unitExpr(), factor_sign, out);
      }
    }
  }

  ast::TypeExpr type_expr(GdslParser::TypeExprContext* ctx) {
    ast::TypeExpr t;
    t.range = range(ctx);
    t.is_array = ctx->array != nullptr;
    auto* scalar = ctx->scalarType();
    if (dynamic_cast<GdslParser::BoolTypeContext*>(scalar)) {
      t.kind = ast::ScalarKind::Bool;
    } else if (dynamic_cast<GdslParser::IntTypeContext*>(scalar)) {
      t.kind = ast::ScalarKind::Int;
    } else if (dynamic_cast<GdslParser::RealTypeContext*>(scalar)) {
      t.kind = ast::ScalarKind::Real;
    } else if (auto* q = dynamic_cast<GdslParser::QuantityTypeContext*>(scalar)) {
      t.kind = ast::ScalarKind::Quantity;
      t.unit.range = range(q->unitExpr());
      unit_factors(q->unitExpr(), 1, t.unit.factors);
    }
    return t;
  }

  std::vector<ast::Param> params(GdslParser::ParamListContext* ctx) {
    std::vector<ast::Param> out;
    if (!ctx) return out;
    for (auto* p : ctx->param()) {
      ast::Param param;
      param.name = text(p->name);
      param.name_range = range(p->name);
      param.type = type_expr(p->type);
      param.range = range(p);
      out.push_back(std::move(param));
    }
    return out;
  }

  // ---- statements -----------------------------------------------------------------

  ast::Block block(GdslParser::BlockContext* ctx) {
    ast::Block b;
    b.range = range(ctx);
    for (auto* s : ctx->statement())
      if (clean(s))
        if (auto stmt = statement(s)) b.statements.push_back(std::move(stmt));
    return b;
  }

  ast::StmtPtr statement(GdslParser::StatementContext* ctx) {
    if (auto* c = dynamic_cast<GdslParser::LetStmtContext*>(ctx)) {
      auto let = std::make_unique<ast::LetStmt>(range(ctx));
      let->name = text(c->name);
      let->name_range = range(c->name);
      if (c->type) let->type = type_expr(c->type);
      let->value = expr(c->expr());
      return let->value ? std::move(let) : nullptr;
    }
    if (auto* c = dynamic_cast<GdslParser::AssignStmtContext*>(ctx)) {
      auto assign = std::make_unique<ast::AssignStmt>(range(ctx));
      auto ids = c->target->ID();
      if (ids.size() == 2) assign->qualifier = text(ids[0]->getSymbol());
      assign->name = text(ids.back()->getSymbol());
      assign->target_range = range(c->target);
      std::string op = c->op->getText();
      assign->op = op == "+=" ? ast::AssignOp::Add
                   : op == "-=" ? ast::AssignOp::Sub
                   : op == "*=" ? ast::AssignOp::Mul
                   : op == "/=" ? ast::AssignOp::Div
                                : ast::AssignOp::Set;
      assign->value = expr(c->expr());
      return assign->value ? std::move(assign) : nullptr;
    }
    if (auto* c = dynamic_cast<GdslParser::IfStmtContext*>(ctx)) {
      auto stmt = std::make_unique<ast::IfStmt>(range(ctx));
      stmt->cond = expr(c->cond);
      stmt->then = block(c->then);
      if (c->elseBlock) {
        stmt->otherwise = block(c->elseBlock);
      } else if (c->elseIf) {
        ast::Block b;
        b.range = range(c->elseIf);
        auto nested = statement(c->elseIf);
        if (!nested) return nullptr;
        b.statements.push_back(std::move(nested));
        stmt->otherwise = std::move(b);
      }
      return stmt->cond ? std::move(stmt) : nullptr;
    }
    if (auto* c = dynamic_cast<GdslParser::ExprStmtContext*>(ctx)) {
      auto e = stmt_expr(c->stmtExpr());
      if (!e) return nullptr;
      return std::make_unique<ast::ExprStmt>(range(ctx), std::move(e));
    }
    return nullptr;
  }

  // ---- models ---------------------------------------------------------------------

  static ast::ModelKind model_kind(const std::string& keyword) {
    static const std::pair<const char*, ast::ModelKind> kinds[] = {
        {"neuron", ast::ModelKind::Neuron},
        {"postsynaptic", ast::ModelKind::Postsynaptic},
        {"synapse", ast::ModelKind::Synapse},
        {"current_source", ast::ModelKind::CurrentSource},
        {"spike_source", ast::ModelKind::SpikeSource},
        {"timing_dependence", ast::ModelKind::TimingDependence},
        {"weight_dependence", ast::ModelKind::WeightDependence}};
    for (const auto& [spelled, kind] : kinds)
      if (keyword == spelled) return kind;
    return ast::ModelKind::Neuron;  // the grammar admits no other keyword
  }

  std::unique_ptr<ast::ModelDecl> model_decl(GdslParser::ModelDeclContext* ctx) {
    if (!ctx->kind || !clean(ctx->kind) || !real_token(ctx->name)) return nullptr;
    auto m = std::make_unique<ast::ModelDecl>();
    m->kind = model_kind(ctx->kind->getText());
    m->name = text(ctx->name);
    m->name_range = range(ctx->name);
    m->range = range(ctx);
    model_body(ctx->modelItem(), m->body, m->name);
    return m;
  }

  // Items allowed once per body: a second one is reported with a note at the first.
  void once(SourceRange& first, SourceRange here, const char* item, const std::string& owner) {
    if (first.valid()) {
      diags_.report(DiagId::duplicate_model_item, here, item, owner)
          .note(DiagId::previous_model_item, first, item);
      return;
    }
    first = here;
  }

  void var_decls(GdslParser::DeclSectionContext* ctx, std::vector<ast::VarDecl>& out, SourceRange& first) {
    if (!first.valid()) first = range(ctx);
    for (auto* v : ctx->varDecl()) {
      if (!clean(v)) continue;
      ast::VarDecl decl;
      decl.name = text(v->name);
      decl.name_range = range(v->name);
      decl.type = type_expr(v->type);
      decl.init = expr(v->init);
      decl.range = range(v);
      if (v->init && !decl.init) continue;
      out.push_back(std::move(decl));
    }
  }

  void model_body(const std::vector<GdslParser::ModelItemContext*>& items, ast::ModelBody& body,
                  const std::string& owner) {
    SourceRange reset_range, update_range;
    for (auto* item : items) {
      if (auto* c = dynamic_cast<GdslParser::DeclSectionContext*>(item)) {
        if (!real_token(c->section)) continue;
        std::string s = c->section->getText();
        if (s == "parameters") var_decls(c, body.parameters, body.parameters_range);
        else if (s == "state") var_decls(c, body.state, body.state_range);
        else if (s == "derived") var_decls(c, body.derived, body.derived_range);
        else if (s == "input") var_decls(c, body.inputs, body.inputs_range);
        else if (s == "uses") var_decls(c, body.uses, body.uses_range);
      } else if (auto* c = dynamic_cast<GdslParser::EquationsSectionContext*>(item)) {
        for (auto* e : c->equation()) {
          if (!clean(e)) continue;
          ast::Equation eq;
          eq.var = text(e->name);
          eq.var_range = range(e->name);
          eq.rhs = expr(e->expr());
          eq.range = range(e);
          if (eq.rhs) body.equations.push_back(std::move(eq));
        }
      } else if (auto* c = dynamic_cast<GdslParser::TraceItemContext*>(item)) {
        if (!real_token(c->side)) continue;
        ast::TraceBlock trace;
        trace.side = c->side->getText() == "pre_trace" ? ast::TraceSide::Pre : ast::TraceSide::Post;
        trace.range = range(c);
        model_body(c->modelItem(), trace.body, owner + "." + c->side->getText());
        body.traces.push_back(std::move(trace));
      } else if (!clean(item)) {
        continue;
      } else if (auto* c = dynamic_cast<GdslParser::ThresholdItemContext*>(item)) {
        auto e = expr(c->cond);
        if (!e) continue;
        ast::ExprPtr time = c->time ? expr(c->time) : nullptr;
        if (c->time && !time) continue;
        once(body.threshold_range, range(c), "threshold", owner);
        if (!body.threshold) {
          body.threshold = std::move(e);
          body.spike_time = std::move(time);
        }
      } else if (auto* c = dynamic_cast<GdslParser::ResetItemContext*>(item)) {
        once(reset_range, range(c), "reset", owner);
        if (!body.reset) body.reset = block(c->block());
      } else if (auto* c = dynamic_cast<GdslParser::RefractoryItemContext*>(item)) {
        auto e = expr(c->expr());
        if (!e) continue;
        once(body.refractory_range, range(c), "refractory", owner);
        if (!body.refractory) body.refractory = std::move(e);
      } else if (auto* c = dynamic_cast<GdslParser::UpdateItemContext*>(item)) {
        once(update_range, range(c), "update", owner);
        if (!body.update) body.update = block(c->block());
      } else if (auto* c = dynamic_cast<GdslParser::SolverItemContext*>(item)) {
        once(body.solver_range, range(c), "solver", owner);
        if (body.solver.empty()) body.solver = text(c->method);
      } else if (auto* c = dynamic_cast<GdslParser::HandlerItemContext*>(item)) {
        ast::Handler h;
        h.event = text(c->event);
        h.event_range = range(c->event);
        h.params = params(c->paramList());
        h.body = block(c->block());
        h.range = range(c);
        body.handlers.push_back(std::move(h));
      } else if (auto* c = dynamic_cast<GdslParser::FunctionItemContext*>(item)) {
        ast::Function f;
        f.name = text(c->name);
        f.name_range = range(c->name);
        f.params = params(c->paramList());
        f.body = block(c->block());
        f.range = range(c);
        body.functions.push_back(std::move(f));
      } else if (auto* c = dynamic_cast<GdslParser::OutputItemContext*>(item)) {
        ast::Output o;
        o.target = text(c->target);
        o.target_range = range(c->target);
        o.value = expr(c->expr());
        o.range = range(c);
        if (o.value) body.outputs.push_back(std::move(o));
      } else if (auto* c = dynamic_cast<GdslParser::ReceptorItemContext*>(item)) {
        ast::ReceptorDecl r;
        r.name = text(c->name);
        r.name_range = range(c->name);
        r.model = text(c->model);
        r.model_range = range(c->model);
        r.range = range(c);
        if (args(c->argList(), r.args)) body.receptors.push_back(std::move(r));
      } else if (auto* c = dynamic_cast<GdslParser::SlotItemContext*>(item)) {
        ast::SlotDecl s;
        s.name = text(c->name);
        s.name_range = range(c->name);
        s.kind = model_kind(c->kind->getText());
        s.range = range(c);
        body.slots.push_back(std::move(s));
      }
    }
  }

  ast::ImportDecl import_decl(GdslParser::ImportDeclContext* ctx) {
    ast::ImportDecl d;
    d.is_library = ctx->name != nullptr;
    d.target = ctx->name ? text(ctx->name) : string_value(ctx->path);
    d.range = range(ctx);
    return d;
  }

  // ---- networks -------------------------------------------------------------------

  std::unique_ptr<ast::NetworkDecl> network_decl(GdslParser::NetworkDeclContext* ctx) {
    if (!real_token(ctx->name)) return nullptr;
    auto n = std::make_unique<ast::NetworkDecl>();
    n->name = text(ctx->name);
    n->name_range = range(ctx->name);
    n->range = range(ctx);
    for (auto* item : ctx->netItem())
      if (clean(item)) net_item(item, *n);
    return n;
  }

  // The token of a declared name; a reserved word there is reported and still names the item.
  antlr4::Token* declared(GdslParser::DeclNameContext* ctx) {
    antlr4::Token* t = ctx->getStart();
    if (ctx->keyword()) diags_.report(DiagId::reserved_word_name, range(t), text(t));
    return t;
  }

  void net_item(GdslParser::NetItemContext* item, ast::NetworkDecl& net) {
    if (auto* c = dynamic_cast<GdslParser::SettingItemContext*>(item)) {
      ast::Setting s = setting(c, c->name, c->value);
      if (s.value) net.settings.push_back(std::move(s));
    } else if (auto* c = dynamic_cast<GdslParser::ConstantItemContext*>(item)) {
      ast::Setting s = setting(c, declared(c->name), c->value);
      if (s.value) net.constants.push_back(std::move(s));
    } else if (auto* c = dynamic_cast<GdslParser::PopulationItemContext*>(item)) {
      ast::PopulationDecl p;
      const antlr4::Token* name = declared(c->name);
      p.name = text(name);
      p.name_range = range(name);
      p.model = text(c->model);
      p.model_range = range(c->model);
      p.size = expr(c->size);
      if (auto* receptors = c->receptorBlock()) {
        for (auto* b : receptors->receptorBinding()) {
          ast::ReceptorBinding binding;
          binding.name = text(b->name);
          binding.name_range = range(b->name);
          auto model = call(b->model);
          if (!model) return;
          binding.model = std::move(*model);
          binding.range = range(b);
          p.receptors.push_back(std::move(binding));
        }
      }
      if (auto* s = c->structure()) {
        p.structure = call(s->call());
        if (!p.structure) return;
      }
      if (auto* overrides = c->overrideBlock()) {
        for (auto* o : overrides->override()) {
          ast::Override ov;
          ov.name = text(o->name);
          ov.name_range = range(o->name);
          ov.value = expr(o->value);
          ov.range = range(o);
          if (!ov.value) return;
          p.overrides.push_back(std::move(ov));
        }
      }
      if (c->precision) {
        p.precision = text(c->precision);
        p.precision_range = range(c->precision);
      }
      p.range = range(c);
      if (p.size) net.populations.push_back(std::move(p));
    } else if (auto* c = dynamic_cast<GdslParser::ViewItemContext*>(item)) {
      ast::ViewDecl v;
      const antlr4::Token* name = declared(c->name);
      v.name = text(name);
      v.name_range = range(name);
      v.target = expr(c->target);
      v.range = range(c);
      if (v.target) net.views.push_back(std::move(v));
    } else if (auto* c = dynamic_cast<GdslParser::AssemblyItemContext*>(item)) {
      ast::AssemblyDecl a;
      const antlr4::Token* name = declared(c->name);
      a.name = text(name);
      a.name_range = range(name);
      a.members = expr(c->members);
      a.range = range(c);
      if (a.members) net.assemblies.push_back(std::move(a));
    } else if (auto* c = dynamic_cast<GdslParser::ProjectionItemContext*>(item)) {
      ast::ProjectionDecl p;
      const antlr4::Token* name = declared(c->name);
      p.name = text(name);
      p.name_range = range(name);
      p.pre = expr(c->pre);
      p.post = expr(c->post);
      auto connector = call(c->connector);
      if (!connector) return;
      p.connector = std::move(*connector);
      if (c->synapse) {
        p.synapse = call(c->synapse);
        if (!p.synapse) return;
      }
      if (c->receptor) {
        p.receptor = text(c->receptor);
        p.receptor_range = range(c->receptor);
      }
      if (c->connectivity) {
        p.connectivity = text(c->connectivity);
        p.connectivity_range = range(c->connectivity);
      }
      p.range = range(c);
      if (p.pre && p.post) net.projections.push_back(std::move(p));
    } else if (auto* c = dynamic_cast<GdslParser::InjectItemContext*>(item)) {
      ast::InjectDecl i;
      if (c->name) {
        const antlr4::Token* name = declared(c->name);
        i.name = text(name);
        i.name_range = range(name);
      }
      auto source = call(c->source);
      if (!source) return;
      i.source = std::move(*source);
      i.target = expr(c->target);
      i.range = range(c);
      if (i.target) net.injections.push_back(std::move(i));
    } else if (auto* c = dynamic_cast<GdslParser::RecordItemContext*>(item)) {
      ast::RecordDecl r;
      for (auto* t : c->targets) {
        auto e = expr(t);
        if (!e) return;
        r.targets.push_back(std::move(e));
      }
      r.interval = expr(c->interval);
      r.range = range(c);
      if (c->interval && !r.interval) return;
      net.recordings.push_back(std::move(r));
    }
  }

  ast::Setting setting(antlr4::ParserRuleContext* ctx, antlr4::Token* name, GdslParser::ExprContext* value) {
    ast::Setting s;
    s.name = text(name);
    s.name_range = range(name);
    s.value = expr(value);
    s.range = range(ctx);
    return s;
  }

  antlr4::TokenStream& tokens_;
  diag::FileId file_;
  std::string_view text_;
  diag::Diagnostics& diags_;
  std::size_t semicolon_ = 0;
  std::unordered_set<antlr4::tree::ParseTree*> bad_;
};

}  // namespace

std::unique_ptr<ast::Module> build_ast(GdslParser::FileContext* tree, antlr4::TokenStream& tokens,
                                       diag::FileId file, diag::Diagnostics& diags) {
  return Builder(tokens, file, diags).module(tree);
}

}  // namespace gennc::parse
