// Internal to sema: the NetworkChecker, which checks one network declaration into a
// sema::Network. Its members are defined by topic: check_network.cpp (names, constants,
// settings), network_values.cpp (the values of model variables), check_populations.cpp
// (populations, receptors, structures, neuron sets, views, assemblies),
// check_projections.cpp (synapses, slots, receptors, delays), check_connectors.cpp and
// check_recordings.cpp (injections and recordings); check_connectivity.cpp checks a
// requested storage form.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sema/checker.h"
#include "sema/edit_distance.h"
#include "sema/evaluate.h"

namespace gennc::sema {

using diag::DiagId;
using ast::ModelKind;

// How a connector or structure argument is checked.
enum class ArgKind {
  Bool,          // allow_self_connections, with_replacement
  Probability,   // a real in [0, 1]
  Count,         // a non-negative integer
  Real,          // any dimensionless number
  Length,        // um
  DistanceExpr,  // an expression of d (um)
  DisplacementExpr,  // an expression of dx, dy, dz (um)
  IndexExpr,     // an expression of i, j
  ConnectionList,    // [[i, j], ...] or [[i, j, weight, delay], ...]
  Path,          // a string naming a file
  Matrix,        // [[0, 1, ...], ...]
  ProjectionRef, // the name of a projection
  FillOrder,     // "sequential" or "random"
};

struct ArgSpec {
  std::string_view name;
  ArgKind kind;
  bool required;
  double fallback;  // the default, in internal units (Bool: 0/1)
};

struct ConnectorSpec {
  std::string_view name;
  ConnectorKind kind;
  std::vector<ArgSpec> args;
};

struct StructureSpec {
  std::string_view name;
  StructureKind kind;
  std::vector<ArgSpec> args;
};

// The runtime numbers neurons and a projection's synapses with 32-bit indices
// (GenncPopulationInfo::size, the row pointers); larger counts would wrap.
inline constexpr double kLargestCount = 4294967295.0;
// A file name has at most 255 bytes (NAME_MAX of Linux file systems); a recording's files
// add up to 16 to its name: '.neurons.npy' and '.N' (up to 999) for a repeated name.
inline constexpr std::size_t kLongestRecordingName = 255 - 12 - 4;
// Events of one Poisson draw per step and neuron: the count fits the 32-bit spike
// multiplicity (2^31 - 1) with room for any draw's spread, and since every event is
// recorded as its own spike, a million already costs 16 MB of recording per neuron-step.
inline constexpr double kMaxPoissonEvents = 1e6;

// The built-in connectors and structures, with their arguments.
const std::vector<ConnectorSpec>& connectors();
const std::vector<StructureSpec>& structures();

// Matches call arguments to a parameter list: positional ones in order, then named ones.
// Returns, per parameter, the argument given for it (or null); reports unknown names,
// duplicates and missing required ones.
std::vector<const ast::Arg*> match_args(Context& ctx, std::string_view callee, diag::SourceRange where,
                                        const std::vector<ast::Arg>& args, const std::vector<ArgSpec>& specs);

// Positions of a structure are needed by connectors of d and dx/dy/dz and by expressions
// of them in weights and delays.
bool uses_any(const Program& p, const ast::Expr* e, const std::set<std::string>& names);

// A count or index from a double, saturated to +-2^53 (NaN is 0), so that absurd values
// are reported as out of range rather than overflowing.
std::int64_t to_int(double x);

// 'a', 'b', 'c'
std::string join_quoted(const std::vector<std::string>& names);

// `as sparse|procedural|dense|bitmask|diagonal`, or `gennc --procedural=NAME`: reports a
// form the projection cannot take, and records a legal one as proj.requested
// (check_connectivity.cpp).
void check_requested_connectivity(Context& ctx, const ast::ProjectionDecl& p, Projection& proj);

// Reports what `net` says that the simulator cannot do (check_supported.cpp).
void check_supported(Context& ctx, const Network& net);

class NetworkChecker {
 public:
  NetworkChecker(Context& ctx, const ast::NetworkDecl& decl, Network& net)
      : ctx_(ctx), d_(decl), net_(net), scope_(nullptr), connection_scope_(&scope_) {}
  void run();

 private:
  // ---- names and constants ----------------------------------------------------------

  struct Entity {
    TypeKind kind;
    std::size_t index;
    diag::SourceRange where;
  };

  bool name_free(const std::string& name, diag::SourceRange where);
  void add_entity(const std::string& name, diag::SourceRange where, TypeKind kind, std::size_t index);
  void make_connection_symbols();
  ConstLookup lookup();
  ExprChecker checker(Restrict r, std::string what);
  std::optional<ConstValue> constant(const ast::Expr* e, const std::string& what, std::optional<Type> want,
                                     double bare_scale = 1.0);
  static bool finite(const ConstValue& v);
  std::optional<double> time_constant(const ast::Expr* e, const std::string& what);
  void check_settings();
  void check_constant(const ast::Setting& c);

  // ---- values of model variables ----------------------------------------------------
  std::optional<Value> value_for(const ast::Expr* e, const Symbol& var, std::int64_t n, const std::string& what,
                                 const Dimension* weight_dim = nullptr, double weight_scale = 1.0,
                                 bool connection = false, const std::string* receptor_note = nullptr);
  bool positive_if_time_constant(double x, const Symbol& var, const ast::Expr* e, const std::string& what);
  static bool positive_support(const Distribution& d);
  std::optional<double> element_value(const ast::Expr* e, const Type& want, double scale, const std::string& what);
  static const char* invalid_distribution(const Distribution& d);
  static void scale_distribution(Distribution& d, double k);
  Value default_value(const Symbol& var, const Dimension* weight_dim = nullptr);
  bool type_dimensionless(const ast::Expr* e) const;
  std::map<std::string, Value> model_values(const Model& model, const std::vector<ast::Arg>& args, std::int64_t n,
                                            const std::string& instance, const Dimension* weight_dim = nullptr,
                                            double weight_scale = 1.0);

  // ---- populations ------------------------------------------------------------------
  const Model* model_of_kind(const std::string& name, diag::SourceRange where, std::vector<ModelKind> kinds,
                             const char* role, const char* kind_words);
  void check_population(const ast::PopulationDecl& p);
  bool check_precision(const ast::PopulationDecl& p, const Population& pop);
  std::string why_not_precise(const Model& model, const std::vector<ReceptorInstance>& receptors) const;
  void check_poisson_rate(const Population& pop, diag::SourceRange where, const std::string& what);
  void check_receptors(const ast::PopulationDecl& p, Population& pop);
  void check_uses(const Model& user, const Model& owner, diag::SourceRange where, const std::string& owner_words);
  void check_outputs(const Model& source, const Model& neuron, diag::SourceRange where);

  // The entry of a built-in table (connectors, structures) that `call` names, or null
  // after reporting an unknown name (with the closest known one, if any).
  template <typename Spec>
  const Spec* find_spec(const std::vector<Spec>& table, const ast::Call& call, DiagId unknown,
                        DiagId unknown_suggest);
  std::optional<Structure> check_structure(const ast::Call& call);

  // ---- neuron sets ------------------------------------------------------------------
  static IndexSet whole(std::size_t pop, std::int64_t size);
  std::optional<NeuronSet> resolve_set(const ast::Expr* e);
  std::string describe_set(const ast::Expr* e);
  std::optional<IndexSet> single_set(const ast::Expr* e);
  static std::int64_t element(const IndexSet& s, std::int64_t i);
  static IndexSet compose(const IndexSet& base, std::int64_t start, std::int64_t stop, std::int64_t step);
  static std::int64_t total(const NeuronSet& set);
  void check_view(const ast::ViewDecl& v);
  void collect_members(const ast::Expr* e, NeuronSet& out, bool& ok);
  void check_assembly(const ast::AssemblyDecl& a);

  // ---- projections ------------------------------------------------------------------
  const Population& pop_of(const IndexSet& s) const { return net_.populations[s.population]; }
  bool structured(const NeuronSet& set) const;
  void check_projection(const ast::ProjectionDecl& p);
  void check_synapse_args(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
                          double weight_scale, const std::string& receptor_words);
  void check_delay(Value& delay, diag::SourceRange where);
  void check_connector(const ast::ProjectionDecl& p, Projection& proj);
  void check_host_columns(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
                          double weight_scale);
  void report_unknown_host_column(const Model& syn, const Projection& proj, const std::string& name,
                                  diag::SourceRange where);
  void check_probability_expr(const ast::Expr* e, ArgKind kind, const std::string& what, Projection& proj);
  void report_connection_var_in(const ast::Expr* e, const char* name, const std::string& connector);
  static bool within(diag::SourceRange inner, diag::SourceRange outer);
  void check_connection_list(const ast::Expr* e, Projection& proj, std::int64_t n_pre, std::int64_t n_post,
                             const std::string& pre_name, const std::string& post_name);
  void check_matrix(const ast::Expr* e, Connector& c, std::int64_t n_pre, std::int64_t n_post);

  // ---- injections and recordings ----------------------------------------------------
  void check_injection(const ast::InjectDecl& inj);
  bool injection_name_ok(const ast::InjectDecl& inj);
  bool names_set(const ast::Expr* e) const;
  void check_recording(const ast::RecordDecl& r);
  void check_record_target(const ast::Expr* e, std::int64_t steps, const ast::Expr* interval);
  bool recording_name_fits(const std::string& name, const ast::Expr* e);
  void check_source_record(const ast::MemberExpr& member, std::size_t index, Recording rec);
  void check_synapse_record(const ast::MemberExpr& member, std::size_t index, const ast::Expr* interval,
                            Recording rec);
  Context& ctx_;
  const ast::NetworkDecl& d_;
  Network& net_;
  Scope scope_;             // network constants and dt (units are found without a scope)
  Scope connection_scope_;  // scope_ plus d, dx, dy, dz, i, j
  std::map<std::string, Entity> entities_;
  // Names whose declaration failed: taken, but not usable (no second report).
  std::map<std::string, diag::SourceRange> taken_;
  std::map<const Symbol*, ConstValue> constants_;
  // The projection being checked emits into a receptor that was not found.
  bool weight_unknown_ = false;
  // The connector whose arguments are being checked (for messages about `d` and `i`).
  std::string connector_;
};

template <typename Spec>
const Spec* NetworkChecker::find_spec(const std::vector<Spec>& table, const ast::Call& call, DiagId unknown,
                                      DiagId unknown_suggest) {
  std::vector<std::string_view> names;
  for (const Spec& spec : table) {
    if (spec.name == call.name) return &spec;
    names.push_back(spec.name);
  }
  std::string best = closest_name(call.name, names);
  if (best.empty())
    ctx_.diags.report(unknown, call.name_range, call.name);
  else
    ctx_.diags.report(unknown_suggest, call.name_range, call.name, best);
  return nullptr;
}

}  // namespace gennc::sema
