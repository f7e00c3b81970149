// Internal to sema: the state one check() run shares between its stages, scopes, and the
// expression/statement checker used by both model and network checks.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sema/program.h"

namespace gennc::sema {

// Names visible at a point; scopes chain to their parent.
class Scope {
 public:
  explicit Scope(const Scope* parent = nullptr) : parent_(parent) {}
  void declare(const Symbol* s) { symbols_.push_back(s); }
  const Symbol* lookup_here(std::string_view name) const;
  const Symbol* lookup(std::string_view name) const;
  // Every name visible here (for suggestions).
  void collect(std::vector<std::string_view>& out) const;

 private:
  const Scope* parent_;
  std::vector<const Symbol*> symbols_;
};

struct Context {
  Program& program;
  diag::SourceManager& sources;
  diag::Diagnostics& diags;
  const CheckOptions& options;
  // One symbol per unit name used as a value, and per `pre.x`/`post.x` of each synapse.
  std::unordered_map<std::string, const Symbol*> unit_symbols;
  std::unordered_map<const Symbol*, const Symbol*> pre_side, post_side;
  // The built-ins `t` and `dt`, the outermost scope of model code.
  Scope builtins;
  // Synapse models whose code calls emit(): they need a receptor.
  std::set<const Model*> emitters;
  // Models whose code draws random numbers (Model::draws_random once every model is checked).
  std::set<const Model*> random_drawers;
  // Time parameters model code divides by, and parameters it tests in a condition (`?:`,
  // `if`): the first, less the second, are time constants (Symbol::time_constant).
  std::set<const Symbol*> divided_by, tested;

  Symbol& make_symbol(SymbolKind kind, std::string name, Type type);
  // With CheckOptions::restrict_paths: reports `path` (read for `what`, at `where`) when it
  // resolves outside the root file's folder, and returns false.
  bool path_allowed(const std::string& what, const std::string& path, diag::SourceRange where);
  // Records a type for `e` and returns it.
  Type set_type(const ast::Expr* e, Type t);
  // Reports an unknown name with a suggestion from `candidates` when one is close.
  void unknown_name(std::string_view name, diag::SourceRange where, const std::vector<std::string_view>& candidates);
};

// Calls `f` on `e` and every expression inside it.
void walk_expr(const ast::Expr* e, const std::function<void(const ast::Expr*)>& f);

// A unit written in a declaration; reports unknown factors.
std::optional<ResolvedUnit> resolve_type_unit(Context& ctx, const ast::UnitExpr& unit);
// The type a declaration names (`mV`, `int`, `ms[]`), with its unit's scale.
Type resolve_type(Context& ctx, const ast::TypeExpr& t, double* scale);

// What names an expression may use.
enum class Restrict {
  None,        // anything in scope
  Constant,    // literals, units, network constants and dt (parameter defaults, settings)
  Parameters,  // also parameters, derived quantities and dt (derived, initial values)
};

// Which statements a block may hold, and what it may assign.
enum class BlockKind {
  Reset,     // assignments to state only
  Update,    // assignments to state
  Handler,   // event code: state, uses, trace variables
  Function,  // weight-dependence hook
};

// Checks expressions and statements of one model (or of a network when `model` is null),
// filling Program's side tables.
class ExprChecker {
 public:
  ExprChecker(Context& ctx, const Model* model) : ctx_(ctx), model_(model) {}

  Restrict restrict = Restrict::None;
  std::string restrict_what;  // `derived 'x'`, for messages
  // In networks, calls of random draws are distributions (values), not per-step draws.
  bool network = false;
  // Component models: collects names that resolve to another model's variables.
  std::vector<const Symbol*>* externals = nullptr;
  // Called for a name found nowhere; returns true when it reported the problem itself
  // (the network uses it to explain where `d` and `i` exist).
  std::function<bool(std::string_view, diag::SourceRange)> unknown_hook;

  Type check(const ast::Expr* e, const Scope& scope);
  // Checks `e` where a value of type `want` is expected (bare numbers take the unit when
  // `bare_in_unit`); reports `what needs 'U', not 'V'` on a mismatch.
  Type check_as(const ast::Expr* e, const Scope& scope, const Type& want, std::string_view what,
                bool bare_in_unit);
  void check_block(const ast::Block& block, const Scope& parent, BlockKind kind);

  // True when `t` can be given where `want` is expected: same type (int promotes to real),
  // or a dimensionless number for a quantity when `bare_in_unit`, or an empty list.
  static bool assignable(const Type& t, const Type& want, bool bare_in_unit, const ast::Expr* e);

 private:
  Type check_name(const ast::NameRef* e, const Scope& scope);
  Type check_binary(const ast::BinaryExpr* e, const Scope& scope);
  void note_tested(const ast::Expr* cond);
  Type check_call(const ast::CallExpr* e, const Scope& scope);
  Type check_member(const ast::MemberExpr* e, const Scope& scope);
  Type check_quantity(const ast::QuantityLit* e, const Scope& scope);
  std::optional<int> constant_int_exponent(const ast::Expr* e);
  bool allowed(const Symbol& s, const ast::Expr* where);
  bool weight_allowed() const;
  void note_external(const Symbol* s);
  void check_statement(const ast::Stmt* s, Scope& scope, BlockKind kind);
  void check_assign(const ast::AssignStmt* s, Scope& scope, BlockKind kind);

  Context& ctx_;
  const Model* model_;
};

// The built-in function named `name`, if any.
std::optional<Builtin> find_builtin(std::string_view name);
// Every built-in function name (for suggestions).
const std::vector<std::string_view>& builtin_names();

// Synapse, timing_dependence and weight_dependence: models in which `weight` means the
// receptor's unit.
bool is_synapse_side(ast::ModelKind kind);

// "unknown model 'X'" (with a suggestion from the declared models).
void report_unknown_model(Context& ctx, const std::string& name, diag::SourceRange where);
// "'Model' has no parameter 'x'" (with a suggestion from its parameters and state).
void report_unknown_argument(Context& ctx, const Model& model, const std::string& name, diag::SourceRange where);

// Human name of a symbol kind: "parameter", "state variable", ...
const char* describe(SymbolKind kind);

// Formats a number for messages without trailing zeros (0.1, 3200, 1e-06).
std::string format_number(double v);

// ---- stages -------------------------------------------------------------------------

// Reads every file `root` imports (transitively; each once) into program.modules.
void load_imports(Context& ctx, std::unique_ptr<ast::Module> root);
// Declares every model, then checks each one's body.
void check_models(Context& ctx);
// Checks each network of the root file into program.networks.
void check_networks(Context& ctx);

}  // namespace gennc::sema
