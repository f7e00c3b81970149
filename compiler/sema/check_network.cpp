// Network checks: settings, constants, populations and their receptors, views and
// assemblies, projections (connectors, synapses, slots, receptors, weights, delays),
// injections and recordings. Every value is evaluated into internal units here.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>

#include "gennc/random.h"
#include "sema/checker.h"
#include "sema/edit_distance.h"
#include "sema/evaluate.h"

namespace gennc::sema {

using diag::DiagId;
using ast::ModelKind;

namespace {

std::string join_quoted(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += ", ";
    s += "'" + names[i] + "'";
  }
  return s;
}

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

const std::vector<ConnectorSpec>& connectors() {
  static const ArgSpec self{"allow_self_connections", ArgKind::Bool, false, 1};
  static const std::vector<ConnectorSpec> specs = {
      {"all_to_all", ConnectorKind::AllToAll, {self}},
      {"one_to_one", ConnectorKind::OneToOne, {}},
      {"fixed_probability", ConnectorKind::FixedProbability, {{"p", ArgKind::Probability, true, 0}, self}},
      {"fixed_number_pre", ConnectorKind::FixedNumberPre,
       {{"n", ArgKind::Count, true, 0}, self, {"with_replacement", ArgKind::Bool, false, 0}}},
      {"fixed_number_post", ConnectorKind::FixedNumberPost,
       {{"n", ArgKind::Count, true, 0}, self, {"with_replacement", ArgKind::Bool, false, 0}}},
      {"fixed_total_number", ConnectorKind::FixedTotalNumber,
       {{"n", ArgKind::Count, true, 0}, self, {"with_replacement", ArgKind::Bool, false, 1}}},
      {"distance_dependent_probability", ConnectorKind::DistanceDependentProbability,
       {{"d_expression", ArgKind::DistanceExpr, true, 0}, self}},
      {"displacement_dependent_probability", ConnectorKind::DisplacementDependentProbability,
       {{"disp_function", ArgKind::DisplacementExpr, true, 0}, self}},
      {"index_based_probability", ConnectorKind::IndexBasedProbability,
       {{"index_expression", ArgKind::IndexExpr, true, 0}, self}},
      {"small_world", ConnectorKind::SmallWorld,
       {{"degree", ArgKind::Length, true, 0}, {"rewiring", ArgKind::Probability, true, 0}, self}},
      {"from_list", ConnectorKind::FromList, {{"conn_list", ArgKind::ConnectionList, true, 0}}},
      {"from_file", ConnectorKind::FromFile, {{"file", ArgKind::Path, true, 0}}},
      {"array", ConnectorKind::Array, {{"array", ArgKind::Matrix, true, 0}}},
      {"clone", ConnectorKind::Clone, {{"reference_projection", ArgKind::ProjectionRef, true, 0}}},
      // The synapses come from the program that creates the simulation (GenncOptions.connections).
      {"from_host", ConnectorKind::FromHost, {}},
  };
  return specs;
}

struct StructureSpec {
  std::string_view name;
  StructureKind kind;
  std::vector<ArgSpec> args;
};

const std::vector<StructureSpec>& structures() {
  static const std::vector<StructureSpec> specs = {
      {"line", StructureKind::Line,
       {{"dx", ArgKind::Length, false, 1}, {"x0", ArgKind::Length, false, 0}, {"y", ArgKind::Length, false, 0},
        {"z", ArgKind::Length, false, 0}}},
      {"grid2d", StructureKind::Grid2D,
       {{"aspect_ratio", ArgKind::Real, false, 1}, {"dx", ArgKind::Length, false, 1},
        {"dy", ArgKind::Length, false, 1}, {"x0", ArgKind::Length, false, 0}, {"y0", ArgKind::Length, false, 0},
        {"z", ArgKind::Length, false, 0}, {"fill_order", ArgKind::FillOrder, false, 0}}},
      {"grid3d", StructureKind::Grid3D,
       {{"aspect_ratioXY", ArgKind::Real, false, 1}, {"aspect_ratioXZ", ArgKind::Real, false, 1},
        {"dx", ArgKind::Length, false, 1}, {"dy", ArgKind::Length, false, 1}, {"dz", ArgKind::Length, false, 1},
        {"x0", ArgKind::Length, false, 0}, {"y0", ArgKind::Length, false, 0}, {"z0", ArgKind::Length, false, 0},
        {"fill_order", ArgKind::FillOrder, false, 0}}},
      {"random_in_box", StructureKind::RandomInBox,
       {{"width", ArgKind::Length, false, 1}, {"height", ArgKind::Length, false, 1},
        {"depth", ArgKind::Length, false, 1}, {"x0", ArgKind::Length, false, 0}, {"y0", ArgKind::Length, false, 0},
        {"z0", ArgKind::Length, false, 0}}},
      {"random_in_sphere", StructureKind::RandomInSphere,
       {{"radius", ArgKind::Length, false, 1}, {"x0", ArgKind::Length, false, 0}, {"y0", ArgKind::Length, false, 0},
        {"z0", ArgKind::Length, false, 0}}},
  };
  return specs;
}

// Matches call arguments to a parameter list: positional ones in order, then named ones.
// Returns, per parameter, the argument given for it (or null); reports unknown names,
// duplicates and missing required ones.
std::vector<const ast::Arg*> match_args(Context& ctx, std::string_view callee, diag::SourceRange where,
                                        const std::vector<ast::Arg>& args, const std::vector<ArgSpec>& specs) {
  std::vector<const ast::Arg*> out(specs.size(), nullptr);
  std::size_t next = 0;
  for (const auto& a : args) {
    std::size_t index = specs.size();
    if (a.name.empty()) {
      if (next >= specs.size()) {
        ctx.diags.report(DiagId::too_many_arguments, a.range, callee, specs.size());
        continue;
      }
      index = next++;
    } else {
      for (std::size_t i = 0; i < specs.size(); ++i)
        if (specs[i].name == a.name) index = i;
      if (index == specs.size()) {
        std::vector<std::string_view> names;
        for (const auto& s : specs) names.push_back(s.name);
        std::string best = closest_name(a.name, names);
        if (best.empty())
          ctx.diags.report(DiagId::unknown_parameter, a.name_range, callee, a.name);
        else
          ctx.diags.report(DiagId::unknown_parameter_suggest, a.name_range, callee, a.name, best);
        continue;
      }
    }
    if (out[index]) {
      ctx.diags.report(DiagId::duplicate_argument, a.name.empty() ? a.range : a.name_range, specs[index].name);
      continue;
    }
    out[index] = &a;
  }
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (!out[i] && specs[i].required) ctx.diags.report(DiagId::missing_argument, where, callee, specs[i].name);
  return out;
}

// Positions of a structure are needed by connectors of d and dx/dy/dz and by expressions
// of them in weights and delays.
bool uses_any(const Program& p, const ast::Expr* e, const std::set<std::string>& names);

// The runtime numbers neurons and a projection's synapses with 32-bit indices
// (GenncPopulationInfo::size, the row pointers); larger counts would wrap.
constexpr double kLargestCount = 4294967295.0;
// A file name has at most 255 bytes (NAME_MAX of Linux file systems); a recording's files
// add up to 16 to its name: '.neurons.npy' and '.N' (up to 999) for a repeated name.
constexpr std::size_t kLongestRecordingName = 255 - 12 - 4;
// Events of one Poisson draw per step and neuron: the count fits the 32-bit spike
// multiplicity (2^31 - 1) with room for any draw's spread, and since every event is
// recorded as its own spike, a million already costs 16 MB of recording per neuron-step.
constexpr double kMaxPoissonEvents = 1e6;

// A count or index from a double, saturated to +-2^53 (NaN is 0), so that absurd values
// are reported as out of range rather than overflowing.
std::int64_t to_int(double x) {
  constexpr double kLimit = 9007199254740992.0;
  if (std::isnan(x)) return 0;
  return static_cast<std::int64_t>(std::max(-kLimit, std::min(kLimit, x)));
}

}  // namespace

namespace {

class NetworkChecker {
 public:
  NetworkChecker(Context& ctx, const ast::NetworkDecl& decl, Network& net)
      : ctx_(ctx), d_(decl), net_(net), scope_(nullptr), connection_scope_(&scope_) {}

  void run() {
    net_.name = d_.name;
    net_.decl = &d_;
    make_connection_symbols();
    // Settings first (dt is needed everywhere), then every other item in source order: a
    // name is usable after its declaration.
    check_settings();
    std::vector<std::pair<std::uint32_t, std::function<void()>>> items;
    for (const auto& c : d_.constants) items.emplace_back(c.range.begin.offset, [&] { check_constant(c); });
    for (const auto& p : d_.populations) items.emplace_back(p.range.begin.offset, [&] { check_population(p); });
    for (const auto& v : d_.views) items.emplace_back(v.range.begin.offset, [&] { check_view(v); });
    for (const auto& a : d_.assemblies) items.emplace_back(a.range.begin.offset, [&] { check_assembly(a); });
    for (const auto& p : d_.projections) items.emplace_back(p.range.begin.offset, [&] { check_projection(p); });
    for (const auto& i : d_.injections) items.emplace_back(i.range.begin.offset, [&] { check_injection(i); });
    for (const auto& r : d_.recordings) items.emplace_back(r.range.begin.offset, [&] { check_recording(r); });
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& item : items) item.second();
  }

 private:
  // ---- names and constants ----------------------------------------------------------

  struct Entity {
    TypeKind kind;
    std::size_t index;
    diag::SourceRange where;
  };

  // Reports `name` when a population, view, assembly, projection or constant has it.
  bool name_free(const std::string& name, diag::SourceRange where) {
    diag::SourceRange prev;
    if (auto it = entities_.find(name); it != entities_.end())
      prev = it->second.where;
    else if (const Symbol* c = scope_.lookup_here(name); c && c->setting)
      prev = c->setting->name_range;
    else if (taken_.count(name))
      prev = taken_[name];
    else
      return true;
    ctx_.diags.report(DiagId::duplicate_declaration, where, name).note(DiagId::note_declared_here, prev, name);
    return false;
  }

  void add_entity(const std::string& name, diag::SourceRange where, TypeKind kind, std::size_t index) {
    entities_.emplace(name, Entity{kind, index, where});
  }

  void make_connection_symbols() {
    Type um = Type::quantity(Dimension::length());
    for (const char* n : {"d", "dx", "dy", "dz"}) connection_scope_.declare(&ctx_.make_symbol(SymbolKind::Connection, n, um));
    for (const char* n : {"i", "j"}) connection_scope_.declare(&ctx_.make_symbol(SymbolKind::Connection, n, Type::integer()));
    scope_.declare(&ctx_.make_symbol(SymbolKind::Dt, "dt", Type::quantity(Dimension::time())));
  }

  ConstLookup lookup() {
    return [this](const Symbol& s) -> std::optional<ConstValue> {
      if (s.kind == SymbolKind::Dt) {
        ConstValue v;
        v.number = net_.settings.dt;
        return v;
      }
      if (auto it = constants_.find(&s); it != constants_.end()) return it->second;
      return std::nullopt;
    };
  }

  ExprChecker checker(Restrict r, std::string what) {
    ExprChecker ec(ctx_, nullptr);
    ec.network = true;
    ec.restrict = r;
    ec.restrict_what = std::move(what);
    ec.unknown_hook = [this](std::string_view name, diag::SourceRange where) {
      if (connection_scope_.lookup_here(name)) {
        if (connector_.empty())
          ctx_.diags.report(DiagId::connection_variable, where, name);
        else
          ctx_.diags.report(DiagId::connection_variable_here, where, name, connector_);
        return true;
      }
      if (entities_.count(std::string(name))) {
        ctx_.diags.report(DiagId::entity_as_value, where, name);
        return true;
      }
      return false;
    };
    return ec;
  }

  // Checks and evaluates a constant. `want` (optional) is the expected type; a bare
  // number given for a quantity is in `bare_scale` units.
  std::optional<ConstValue> constant(const ast::Expr* e, const std::string& what, std::optional<Type> want,
                                     double bare_scale = 1.0) {
    if (!e) return std::nullopt;
    ExprChecker ec = checker(Restrict::Constant, what);
    Type t = want ? ec.check_as(e, scope_, *want, what, true) : ec.check(e, scope_);
    if (t.is_error()) return std::nullopt;
    if (t.kind == TypeKind::Distribution) {
      ctx_.diags.report(DiagId::distribution_not_allowed, e->range, what);
      return std::nullopt;
    }
    auto v = evaluate(e, ctx_.program, lookup());
    if (!v) {
      ctx_.diags.report(DiagId::not_constant, e->range, what);
      return std::nullopt;
    }
    if (!finite(*v)) {
      ctx_.diags.report(DiagId::not_finite, e->range, what);
      return std::nullopt;
    }
    if (want && want->kind == TypeKind::Real && !want->dim.dimensionless() && t.dim.dimensionless()) {
      v->number *= bare_scale;
      for (double& x : v->list) x *= bare_scale;
    }
    return v;
  }

  static bool finite(const ConstValue& v) {
    auto ok = [](double x) { return std::isfinite(x); };
    return ok(v.number) && std::all_of(v.list.begin(), v.list.end(), ok) &&
           std::all_of(v.distribution.args.begin(), v.distribution.args.end(), ok);
  }

  std::optional<double> time_constant(const ast::Expr* e, const std::string& what) {
    auto v = constant(e, what, Type::quantity(Dimension::time()));
    if (!v) return std::nullopt;
    return v->number;
  }

  void check_settings() {
    std::map<std::string, const ast::Setting*> seen;
    for (const auto& s : d_.settings) {
      if (auto [it, fresh] = seen.emplace(s.name, &s); !fresh) {
        ctx_.diags.report(DiagId::duplicate_declaration, s.name_range, s.name)
            .note(DiagId::note_declared_here, it->second->name_range, s.name);
        continue;
      }
      std::string what = fmt::format("setting '{}'", s.name);
      if (s.name == "dt") {
        auto v = time_constant(s.value.get(), what);
        if (v && *v <= 0)
          ctx_.diags.report(DiagId::bad_setting, s.value->range, "dt", "positive");
        else if (v)
          net_.settings.dt = *v;
      } else if (s.name == "duration") {
        auto v = time_constant(s.value.get(), what);
        if (v && *v < 0)
          ctx_.diags.report(DiagId::bad_setting, s.value->range, "duration", "zero or positive");
        else if (v)
          net_.settings.duration = *v;
      } else if (s.name == "seed") {
        auto v = constant(s.value.get(), what, Type::integer());
        if (v && (v->number < 0 || v->number != std::floor(v->number)))
          ctx_.diags.report(DiagId::bad_setting, s.value->range, "seed", "a non-negative integer");
        else if (v)
          net_.settings.seed = static_cast<std::uint64_t>(v->number);
      } else if (s.name == "min_delay" || s.name == "max_delay") {
        auto v = time_constant(s.value.get(), what);
        if (v && *v < 0)
          ctx_.diags.report(DiagId::bad_setting, s.value->range, s.name, "zero or positive");
        else if (v)
          (s.name == "min_delay" ? net_.settings.min_delay : net_.settings.max_delay) = *v;
      } else {
        std::vector<std::string_view> names = {"dt", "duration", "seed", "min_delay", "max_delay"};
        std::string best = closest_name(s.name, names);
        if (best.empty())
          ctx_.diags.report(DiagId::unknown_setting, s.name_range, s.name);
        else
          ctx_.diags.report(DiagId::unknown_setting_suggest, s.name_range, s.name, best);
      }
    }
    const double dt = net_.settings.dt;
    // Every step draws from the random streams at its own address, of GENNC_RANDOM_STEP_BITS.
    const double steps = std::round(net_.settings.duration / dt);
    if (steps > std::ldexp(1.0, GENNC_RANDOM_STEP_BITS)) {
      auto it = seen.find("duration");
      if (it == seen.end()) it = seen.find("dt");
      ctx_.diags.report(DiagId::too_many_steps, it->second->value->range, format_number(net_.settings.duration),
                        format_number(steps), format_number(dt), GENNC_RANDOM_STEP_BITS);
      net_.settings.duration = 0.0;
    }
    if (net_.settings.min_delay == 0.0) net_.settings.min_delay = dt;
    if (auto it = seen.find("min_delay"); it != seen.end() && net_.settings.min_delay < dt)
      ctx_.diags.report(DiagId::delay_too_small, it->second->value->range, format_number(net_.settings.min_delay),
                        format_number(dt));
  }

  void check_constant(const ast::Setting& c) {
    if (!name_free(c.name, c.name_range)) return;
    ExprChecker ec = checker(Restrict::Constant, fmt::format("constant '{}'", c.name));
    Type t = ec.check(c.value.get(), scope_);
    Symbol& s = ctx_.make_symbol(SymbolKind::NetworkConstant, c.name, t);
    s.setting = &c;
    scope_.declare(&s);
    if (t.is_error()) return;
    auto v = evaluate(c.value.get(), ctx_.program, lookup());
    if (!v) {
      ctx_.diags.report(DiagId::not_constant, c.value->range, fmt::format("constant '{}'", c.name));
      s.type = Type::error();
      return;
    }
    if (v->kind == ConstValue::Kind::Number || v->kind == ConstValue::Kind::Bool) s.value = std::vector<double>{v->number};
    if (v->kind == ConstValue::Kind::List && v->rows.empty()) s.value = v->list;
    constants_[&s] = *v;
  }

  // ---- values of model variables ----------------------------------------------------

  // The value given for variable `var` (of a population of `n` elements, or per connection
  // when n < 0). `weight_dim` substitutes the symbolic weight; bare numbers are in the
  // variable's declared unit (`weight_scale` for weights). `connection`: the expression
  // may use d, dx, dy, dz, i, j.
  std::optional<Value> value_for(const ast::Expr* e, const Symbol& var, std::int64_t n, const std::string& what,
                                 const Dimension* weight_dim = nullptr, double weight_scale = 1.0,
                                 bool connection = false, const std::string* receptor_note = nullptr) {
    if (!e) return std::nullopt;
    Type want = var.type;
    double scale = var.unit_scale;
    const Scope& scope = connection ? connection_scope_ : scope_;
    ExprChecker ec = checker(connection ? Restrict::None : Restrict::Constant, what);
    if (want.dim.has_weight()) {
      if (weight_dim) {
        want.dim = want.dim.substitute_weight(*weight_dim);
        scale = weight_scale;
      } else if (weight_unknown_) {
        ec.check(e, scope);  // the receptor was not found (reported): its unit is unknown
        return std::nullopt;
      }
    }
    // A list for a scalar variable: one value per element.
    auto* list = ast::dyn_cast<ast::ListLit>(e);
    if (list && !want.list) {
      if (n < 0) {
        ctx_.diags.report(DiagId::per_element_list, e->range, what);
        return std::nullopt;
      }
      Value v;
      v.kind = ValueKind::PerElement;
      v.type = want;
      ctx_.set_type(e, want.as_list());
      for (const auto& el : list->elements) {
        auto x = element_value(el.get(), want, scale, what);
        if (!x) return std::nullopt;
        v.numbers.push_back(*x);
      }
      if (static_cast<std::int64_t>(v.numbers.size()) != n) {
        ctx_.diags.report(DiagId::list_length, e->range, v.numbers.size(), what, n);
        return std::nullopt;
      }
      for (std::size_t k = 0; k < v.numbers.size(); ++k)
        if (!positive_if_time_constant(v.numbers[k], var, list->elements[k].get(), what)) return std::nullopt;
      return v;
    }
    // A list of lists for a list variable: one list per element.
    if (list && want.list && !list->elements.empty() && ast::isa<ast::ListLit>(list->elements[0].get())) {
      if (n < 0) {
        ctx_.diags.report(DiagId::per_element_list, e->range, what);
        return std::nullopt;
      }
      Value v;
      v.kind = ValueKind::PerElement;
      v.type = want;
      ctx_.set_type(e, want);
      for (const auto& row : list->elements) {
        auto* inner = ast::dyn_cast<ast::ListLit>(row.get());
        if (!inner) {
          ctx_.diags.report(DiagId::wrong_type, row->range, what, to_string(want), "a number");
          return std::nullopt;
        }
        ctx_.set_type(inner, want);
        std::vector<double> numbers;
        for (const auto& el : inner->elements) {
          auto x = element_value(el.get(), want.element(), scale, what);
          if (!x) return std::nullopt;
          numbers.push_back(*x);
        }
        v.lists.push_back(std::move(numbers));
      }
      if (static_cast<std::int64_t>(v.lists.size()) != n) {
        ctx_.diags.report(DiagId::list_length, e->range, v.lists.size(), what, n);
        return std::nullopt;
      }
      return v;
    }
    Type t = ec.check(e, scope);
    if (t.is_error()) return std::nullopt;
    Type value_type = t.kind == TypeKind::Distribution ? Type::quantity(t.dim) : t;
    if (!ExprChecker::assignable(value_type, want, true, e)) {
      if (receptor_note && var.type.dim.has_weight())
        ctx_.diags.report(DiagId::weight_dimension, e->range, to_string(t), *receptor_note, format_dimension(want.dim));
      else
        ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), to_string(t));
      return std::nullopt;
    }
    bool bare = value_type.dim.dimensionless() && !want.dim.dimensionless() && want.kind == TypeKind::Real;
    Value v;
    v.type = want;
    if (t.kind == TypeKind::Distribution) {
      if (want.list) {
        ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), to_string(t));
        return std::nullopt;
      }
      auto c = evaluate(e, ctx_.program, lookup());
      if (!c || c->kind != ConstValue::Kind::Distribution) {
        ctx_.diags.report(DiagId::not_constant, e->range, what);
        return std::nullopt;
      }
      if (!finite(*c)) {
        ctx_.diags.report(DiagId::not_finite, e->range, what);
        return std::nullopt;
      }
      if (auto why = invalid_distribution(c->distribution)) {
        ctx_.diags.report(DiagId::bad_distribution, e->range, to_string(c->distribution.kind), why);
        return std::nullopt;
      }
      v.kind = ValueKind::Distribution;
      v.distribution = c->distribution;
      if (bare) scale_distribution(v.distribution, scale);
      if (var.time_constant && !positive_support(v.distribution)) {
        ctx_.diags.report(DiagId::time_constant_distribution, e->range, what, to_string(v.distribution.kind),
                          var.model ? var.model->name : "?");
        return std::nullopt;
      }
      return v;
    }
    auto c = evaluate(e, ctx_.program, lookup());
    if (!c) {
      if (connection) {
        v.kind = ValueKind::Expression;
        v.expr = e;
        return v;
      }
      ctx_.diags.report(DiagId::not_constant, e->range, what);
      return std::nullopt;
    }
    if (!finite(*c)) {
      ctx_.diags.report(DiagId::not_finite, e->range, what);
      return std::nullopt;
    }
    double k = bare ? scale : 1.0;
    v.kind = ValueKind::Constant;
    if (c->kind == ConstValue::Kind::List) {
      if (!c->rows.empty()) {
        ctx_.diags.report(DiagId::wrong_type, e->range, what, to_string(want), "a list of lists");
        return std::nullopt;
      }
      for (double x : c->list) v.numbers.push_back(x * k);
    } else {
      v.numbers.push_back(c->number * k);
    }
    for (double x : v.numbers)
      if (!positive_if_time_constant(x, var, e, what)) return std::nullopt;
    return v;
  }

  // A value of a time constant (Symbol::time_constant) must be positive; false after
  // reporting one that is not.
  bool positive_if_time_constant(double x, const Symbol& var, const ast::Expr* e, const std::string& what) {
    if (!var.time_constant || var.type.list || x > 0) return true;
    ctx_.diags.report(DiagId::time_constant_not_positive, e->range, what, format_number(x) + " ms",
                      var.model ? var.model->name : "?");
    return false;
  }

  // Whether every draw of `d` is positive.
  static bool positive_support(const Distribution& d) {
    const auto& a = d.args;
    switch (d.kind) {
      case Builtin::Uniform: return a[0] > 0;
      case Builtin::UniformInt: return a[0] >= 1;
      case Builtin::NormalClipped: return a[2] > 0;
      case Builtin::Exponential: case Builtin::Gamma: case Builtin::Lognormal: return true;
      default: return false;  // normal (unbounded), poisson and binomial (may give 0)
    }
  }

  std::optional<double> element_value(const ast::Expr* e, const Type& want, double scale, const std::string& what) {
    ExprChecker ec = checker(Restrict::Constant, what);
    Type t = ec.check_as(e, scope_, want, what, true);
    if (t.is_error()) return std::nullopt;
    if (t.kind == TypeKind::Distribution) {
      ctx_.diags.report(DiagId::distribution_not_allowed, e->range, what);
      return std::nullopt;
    }
    auto c = evaluate(e, ctx_.program, lookup());
    if (!c || (c->kind != ConstValue::Kind::Number && c->kind != ConstValue::Kind::Bool)) {
      ctx_.diags.report(DiagId::not_constant, e->range, what);
      return std::nullopt;
    }
    if (!finite(*c)) {
      ctx_.diags.report(DiagId::not_finite, e->range, what);
      return std::nullopt;
    }
    bool bare = t.dim.dimensionless() && !want.dim.dimensionless() && want.kind == TypeKind::Real;
    return c->number * (bare ? scale : 1.0);
  }

  // Why a distribution's arguments describe no distribution, or null when they do.
  static const char* invalid_distribution(const Distribution& d) {
    const auto& a = d.args;
    switch (d.kind) {
      case Builtin::Uniform: case Builtin::UniformInt:
        return a[0] <= a[1] ? nullptr : "the low bound exceeds the high one";
      case Builtin::Normal: case Builtin::Lognormal:
        return a[1] >= 0 ? nullptr : "sigma is negative";
      case Builtin::NormalClipped:
        return a[1] < 0 ? "sigma is negative" : a[2] > a[3] ? "the low bound exceeds the high one" : nullptr;
      case Builtin::Exponential:
        return a[0] > 0 ? nullptr : "beta is not positive";
      case Builtin::Gamma:
        return a[0] > 0 && a[1] > 0 ? nullptr : "k and theta must be positive";
      case Builtin::Poisson:
        return a[0] >= 0 ? nullptr : "lambda is negative";
      case Builtin::Binomial:
        return a[0] >= 0 && a[1] >= 0 && a[1] <= 1 ? nullptr : "n must be non-negative and p in [0, 1]";
      default:
        return nullptr;
    }
  }

  // Scales the arguments of a distribution written with bare numbers into a unit.
  static void scale_distribution(Distribution& d, double k) {
    switch (d.kind) {
      case Builtin::Uniform: case Builtin::Normal: case Builtin::NormalClipped: case Builtin::Exponential:
        for (double& x : d.args) x *= k;
        break;
      case Builtin::Gamma:
        d.args[1] *= k;  // theta carries the unit; k is a shape
        break;
      default:
        break;  // lognormal, poisson, binomial, uniform_int: dimensionless
    }
  }

  // The default of a model variable, for a population or instance that does not set it.
  Value default_value(const Symbol& var, const Dimension* weight_dim = nullptr) {
    Value v;
    v.type = var.type;
    if (weight_dim && v.type.dim.has_weight()) v.type.dim = v.type.dim.substitute_weight(*weight_dim);
    if (var.value) {
      v.numbers = *var.value;
      return v;
    }
    const ast::Expr* init = var.decl ? var.decl->init.get() : nullptr;
    if (!init) {
      if (!var.type.list) v.numbers.push_back(0.0);
      return v;
    }
    // A default in dt (`delay: ms = dt`) is a constant once dt is known.
    if (auto c = evaluate(init, ctx_.program, lookup()); c && c->kind != ConstValue::Kind::Distribution) {
      if (c->kind == ConstValue::Kind::List)
        v.numbers = c->list;
      else
        v.numbers.push_back(c->number * (!var.type.dim.dimensionless() && type_dimensionless(init) ? var.unit_scale : 1.0));
      return v;
    }
    v.kind = ValueKind::Expression;
    v.expr = init;
    return v;
  }

  bool type_dimensionless(const ast::Expr* e) const {
    const Type* t = ctx_.program.type_of(e);
    return t && t->dim.dimensionless();
  }

  // Named arguments of a model instance: every parameter and state variable gets a value.
  std::map<std::string, Value> model_values(const Model& model, const std::vector<ast::Arg>& args,
                                            std::int64_t n, const std::string& instance,
                                            const Dimension* weight_dim = nullptr, double weight_scale = 1.0) {
    std::map<std::string, Value> values;
    std::set<std::string> given;
    for (const auto& a : args) {
      if (a.name.empty()) {
        ctx_.diags.report(DiagId::positional_model_arg, a.range, model.name);
        continue;
      }
      if (!given.insert(a.name).second) {
        ctx_.diags.report(DiagId::duplicate_argument, a.name_range, a.name);
        continue;
      }
      const Symbol* var = model.find(a.name);
      if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
        report_unknown_argument(ctx_, model, a.name, a.name_range);
        continue;
      }
      if (auto v = value_for(a.value.get(), *var, n, fmt::format("'{}' of {}", a.name, instance), weight_dim,
                             weight_scale))
        values[a.name] = *v;
    }
    for (const auto* list : {&model.parameters, &model.state})
      for (const Symbol* var : *list)
        if (!values.count(var->name)) values[var->name] = default_value(*var, weight_dim);
    return values;
  }

  // ---- populations ------------------------------------------------------------------

  const Model* model_of_kind(const std::string& name, diag::SourceRange where, std::vector<ModelKind> kinds,
                             const char* role, const char* kind_words) {
    const Model* m = ctx_.program.find_model(name);
    if (!m) {
      report_unknown_model(ctx_, name, where);
      return nullptr;
    }
    if (std::find(kinds.begin(), kinds.end(), m->kind) == kinds.end()) {
      ctx_.diags.report(DiagId::wrong_model_kind, where, name, ast::to_string(m->kind), role, kind_words)
          .note(DiagId::note_declared_here, m->decl->name_range, name);
      return nullptr;
    }
    return m;
  }

  void check_population(const ast::PopulationDecl& p) {
    Population pop;
    pop.name = p.name;
    pop.decl = &p;
    pop.model = model_of_kind(p.model, p.model_range, {ModelKind::Neuron, ModelKind::SpikeSource}, "a population",
                              "neuron or spike_source");
    if (auto size = constant(p.size.get(), "a population size", Type::real())) {
      double rounded = std::round(size->number);
      if (!(rounded >= 1))
        ctx_.diags.report(DiagId::bad_size, p.size->range, format_number(size->number));
      else if (rounded > kLargestCount)
        ctx_.diags.report(DiagId::population_too_large, p.size->range, format_number(rounded));
      else
        pop.size = to_int(rounded);
    }
    if (p.structure) pop.structure = check_structure(*p.structure);
    bool fresh = name_free(p.name, p.name_range);
    if (pop.model) {
      check_receptors(p, pop);
      std::set<std::string> given;
      for (const auto& o : p.overrides) {
        if (!given.insert(o.name).second) {
          ctx_.diags.report(DiagId::duplicate_argument, o.name_range, o.name);
          continue;
        }
        const Symbol* var = pop.model->find(o.name);
        if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
          report_unknown_argument(ctx_, *pop.model, o.name, o.name_range);
          continue;
        }
        if (auto v = value_for(o.value.get(), *var, pop.size, fmt::format("'{}' of population '{}'", o.name, p.name)))
          pop.values[o.name] = *v;
      }
      for (const auto* list : {&pop.model->parameters, &pop.model->state})
        for (const Symbol* var : *list)
          if (!pop.values.count(var->name)) pop.values[var->name] = default_value(*var);
      for (const auto& o : p.overrides)
        if (o.name == "rate" && pop.model->name == "SpikeSourcePoisson" && pop.values.count("rate"))
          check_poisson_rate(pop, o.value->range, fmt::format("'rate' of population '{}'", p.name));
    }
    if (!fresh) return;
    add_entity(p.name, p.name_range, TypeKind::Population, net_.populations.size());
    net_.populations.push_back(std::move(pop));
  }

  // SpikeSourcePoisson counts poisson(rate dt) events per step, each one recorded as a
  // spike (as NEST does): a constant rate must keep that in [0, kMaxPoissonEvents]. Rates
  // set after compiling are saturated by the draw's conversion instead (see codegen).
  void check_poisson_rate(const Population& pop, diag::SourceRange where, const std::string& what) {
    const Value& v = pop.values.at("rate");
    if (v.kind != ValueKind::Constant && v.kind != ValueKind::PerElement) return;
    const double dt = net_.settings.dt;
    for (double rate : v.numbers) {  // kHz, so rate * dt (ms) is events per step
      if (rate >= 0 && rate * dt <= kMaxPoissonEvents) continue;
      ctx_.diags.report(DiagId::poisson_rate_out_of_range, where, what, format_number(rate * 1e3) + " Hz",
                        format_number(rate * dt), pop.model->name, format_number(kMaxPoissonEvents));
      return;
    }
  }

  void check_receptors(const ast::PopulationDecl& p, Population& pop) {
    for (const auto& r : pop.model->receptors) {
      if (!r.model) continue;
      ReceptorInstance ri;
      ri.name = r.name;
      ri.model = r.model;
      for (const auto* list : {&r.model->parameters, &r.model->state})
        for (const Symbol* var : *list) {
          auto arg = r.args.find(var->name);
          if (arg == r.args.end()) {
            ri.values[var->name] = default_value(*var);
            continue;
          }
          Value v;
          v.type = var->type;
          bool bare = type_dimensionless(arg->second) && !var->type.dim.dimensionless();
          if (auto c = evaluate(arg->second, ctx_.program, lookup()); c && c->kind == ConstValue::Kind::Number) {
            v.numbers.push_back(c->number * (bare ? var->unit_scale : 1.0));
          } else {
            v.kind = ValueKind::Expression;  // names the neuron's parameters
            v.expr = arg->second;
          }
          ri.values[var->name] = v;
        }
      pop.receptors.push_back(std::move(ri));
    }
    std::set<std::string> bound;
    for (const auto& b : p.receptors) {
      if (!bound.insert(b.name).second) {
        ctx_.diags.report(DiagId::duplicate_argument, b.name_range, b.name);
        continue;
      }
      const Model* m = model_of_kind(b.model.name, b.model.name_range, {ModelKind::Postsynaptic}, "a receptor",
                                     "postsynaptic");
      if (!m) continue;
      ReceptorInstance ri;
      ri.name = b.name;
      ri.model = m;
      ri.values = model_values(*m, b.model.args, pop.size, fmt::format("receptor '{}'", b.name));
      if (auto i = pop.find_receptor(b.name))
        pop.receptors[*i] = std::move(ri);
      else
        pop.receptors.push_back(std::move(ri));
    }
    // Each receptor reads neuron variables (`uses`) and writes a neuron input (`output`).
    for (const auto& ri : pop.receptors) {
      check_uses(*ri.model, *pop.model, p.model_range, fmt::format("neuron '{}'", pop.model->name));
      check_outputs(*ri.model, *pop.model, p.model_range);
    }
  }

  // Every `uses` variable of `user` must be a variable of `owner` with the same unit.
  void check_uses(const Model& user, const Model& owner, diag::SourceRange where, const std::string& owner_words) {
    for (const Symbol* u : user.uses) {
      const Symbol* v = owner.find(u->name);
      if (!v || v->kind == SymbolKind::Uses) {
        ctx_.diags.report(DiagId::uses_missing, where, user.name, u->name, owner_words)
            .note(DiagId::note_declared_here, u->decl->name_range, u->name);
        continue;
      }
      if (!u->type.is_error() && !v->type.is_error() && !u->type.same_as(v->type))
        ctx_.diags.report(DiagId::uses_dimension, where, user.name, u->name, to_string(u->type), owner.name,
                          to_string(v->type))
            .note(DiagId::note_declared_here, v->decl->name_range, v->name);
    }
  }

  // Every `output x += e` of `source` must target an input of `neuron` of e's unit.
  void check_outputs(const Model& source, const Model& neuron, diag::SourceRange where) {
    for (const auto& o : source.decl->body.outputs) {
      const Symbol* input = neuron.find(o.target);
      if (!input || input->kind != SymbolKind::Input) {
        std::vector<std::string> inputs;
        for (const Symbol* s : neuron.inputs) inputs.push_back(s->name);
        ctx_.diags.report(DiagId::no_such_input, where, source.name, o.target, neuron.name,
                          inputs.empty() ? "none" : join_quoted(inputs))
            .note(DiagId::note_declared_here, o.target_range, o.target);
        continue;
      }
      const Type* t = ctx_.program.type_of(o.value.get());
      if (t && !t->is_error() && !input->type.is_error() && t->dim != input->type.dim)
        ctx_.diags.report(DiagId::output_dimension, where, source.name, o.target, to_string(*t), neuron.name,
                          to_string(input->type))
            .note(DiagId::note_declared_here, o.range, o.target);
    }
  }

  // The entry of a built-in table (connectors, structures) that `call` names, or null
  // after reporting an unknown name (with the closest known one, if any).
  template <typename Spec>
  const Spec* find_spec(const std::vector<Spec>& table, const ast::Call& call, DiagId unknown,
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

  std::optional<Structure> check_structure(const ast::Call& call) {
    const StructureSpec* spec =
        find_spec(structures(), call, DiagId::unknown_structure, DiagId::unknown_structure_suggest);
    if (!spec) return std::nullopt;
    Structure s;
    s.kind = spec->kind;
    auto args = match_args(ctx_, call.name, call.range, call.args, spec->args);
    for (std::size_t i = 0; i < spec->args.size(); ++i) {
      const ArgSpec& a = spec->args[i];
      std::string what = fmt::format("'{}' of '{}'", a.name, call.name);
      if (a.kind == ArgKind::FillOrder) {
        s.fill_order = "sequential";
        if (!args[i]) continue;
        auto v = constant(args[i]->value.get(), what, Type::string());
        if (v && v->text != "sequential" && v->text != "random")
          ctx_.diags.report(DiagId::bad_argument, args[i]->value->range, what, "\"sequential\" or \"random\"");
        else if (v)
          s.fill_order = v->text;
        continue;
      }
      s.args[std::string(a.name)] = a.fallback;
      if (!args[i]) continue;
      Type want = a.kind == ArgKind::Length ? Type::quantity(Dimension::length()) : Type::real();
      if (auto v = constant(args[i]->value.get(), what, want)) s.args[std::string(a.name)] = v->number;
    }
    return s;
  }

  // ---- neuron sets ------------------------------------------------------------------

  static IndexSet whole(std::size_t pop, std::int64_t size) {
    IndexSet s;
    s.population = pop;
    s.stop = size;
    return s;
  }

  // The index set `e` names: a population, view or assembly, sliced or indexed.
  std::optional<NeuronSet> resolve_set(const ast::Expr* e) {
    if (!e) return std::nullopt;
    if (auto* name = ast::dyn_cast<ast::NameRef>(e)) {
      auto it = entities_.find(name->name);
      if (it == entities_.end() && taken_.count(name->name)) return std::nullopt;
      if (it == entities_.end()) {
        std::vector<std::string_view> names;
        for (const auto& [n, ent] : entities_)
          if (ent.kind != TypeKind::Projection && ent.kind != TypeKind::Injection) names.push_back(n);
        ctx_.unknown_name(name->name, e->range, names);
        return std::nullopt;
      }
      const Entity& ent = it->second;
      ctx_.set_type(e, Type::of(ent.kind));
      switch (ent.kind) {
        case TypeKind::Population: return NeuronSet{whole(ent.index, net_.populations[ent.index].size)};
        case TypeKind::View: return NeuronSet{net_.views[ent.index].set};
        case TypeKind::Assembly: return net_.assemblies[ent.index].members;
        default:
          ctx_.diags.report(DiagId::not_a_population, e->range, name->name, to_string(Type::of(ent.kind)));
          return std::nullopt;
      }
    }
    if (auto* slice = ast::dyn_cast<ast::SliceExpr>(e)) {
      auto base = single_set(slice->base.get());
      if (!base) return std::nullopt;
      std::int64_t size = base->size();
      auto bound = [&](const ast::Expr* b, std::int64_t fallback) -> std::optional<std::int64_t> {
        if (!b) return fallback;
        auto v = constant(b, "a slice bound", Type::integer());
        if (!v) return std::nullopt;
        return to_int(v->number);
      };
      auto start = bound(slice->start.get(), 0);
      auto stop = bound(slice->stop.get(), size);
      auto step = bound(slice->step.get(), 1);
      if (!start || !stop || !step) return std::nullopt;
      if (*step <= 0) {
        ctx_.diags.report(DiagId::bad_slice_step, slice->step->range, *step);
        return std::nullopt;
      }
      for (auto [value, expr] : {std::pair{*start, slice->start.get()}, std::pair{*stop, slice->stop.get()}})
        if (expr && (value < 0 || value > size)) {
          ctx_.diags.report(DiagId::index_out_of_range, expr->range, value, describe_set(slice->base.get()), size);
          return std::nullopt;
        }
      if (*start > *stop) {
        ctx_.diags.report(DiagId::reversed_slice, slice->start ? slice->start->range : e->range, *start, *stop);
        return std::nullopt;
      }
      ctx_.set_type(e, Type::of(TypeKind::View));
      return NeuronSet{compose(*base, *start, std::max(*start, *stop), *step)};
    }
    if (auto* index = ast::dyn_cast<ast::IndexExpr>(e)) {
      auto base = single_set(index->base.get());
      if (!base) return std::nullopt;
      std::int64_t size = base->size();
      std::vector<std::int64_t> picks;
      std::vector<const ast::Expr*> exprs;
      if (auto* list = ast::dyn_cast<ast::ListLit>(index->index.get())) {
        for (const auto& el : list->elements) exprs.push_back(el.get());
        ctx_.set_type(list, Type::integer().as_list());
      } else {
        exprs.push_back(index->index.get());
      }
      for (const ast::Expr* x : exprs) {
        auto v = constant(x, "an index", Type::integer());
        if (!v) return std::nullopt;
        auto i = to_int(v->number);
        if (i < 0 || i >= size) {
          ctx_.diags.report(DiagId::index_out_of_range, x->range, i, describe_set(index->base.get()), size);
          return std::nullopt;
        }
        picks.push_back(i);
      }
      ctx_.set_type(e, Type::of(TypeKind::View));
      IndexSet s;
      s.population = base->population;
      s.is_slice = false;
      for (std::int64_t i : picks) s.indices.push_back(element(*base, i));
      return NeuronSet{s};
    }
    ctx_.diags.report(DiagId::not_a_population, e->range, "this expression", "a value");
    return std::nullopt;
  }

  std::string describe_set(const ast::Expr* e) {
    if (auto* n = ast::dyn_cast<ast::NameRef>(e)) return n->name;
    return "the view";
  }

  // A population or view (one population), for slicing and indexing.
  std::optional<IndexSet> single_set(const ast::Expr* e) {
    auto set = resolve_set(e);
    if (!set) return std::nullopt;
    if (set->size() != 1) {
      ctx_.diags.report(DiagId::assembly_not_sliceable, e->range);
      return std::nullopt;
    }
    return (*set)[0];
  }

  // Neuron number i of `s`, as an index into its population.
  static std::int64_t element(const IndexSet& s, std::int64_t i) {
    return s.is_slice ? s.start + i * s.step : s.indices[static_cast<std::size_t>(i)];
  }

  // Elements [start, stop) by step of `base`, as one set of its population.
  static IndexSet compose(const IndexSet& base, std::int64_t start, std::int64_t stop, std::int64_t step) {
    IndexSet s;
    s.population = base.population;
    if (base.is_slice) {
      s.start = base.start + start * base.step;
      s.step = base.step * step;
      std::int64_t count = stop > start ? (stop - start + step - 1) / step : 0;
      s.stop = count > 0 ? s.start + (count - 1) * s.step + 1 : s.start;  // last element + 1
      return s;
    }
    s.is_slice = false;
    for (std::int64_t i = start; i < stop; i += step) s.indices.push_back(base.indices[static_cast<std::size_t>(i)]);
    return s;
  }

  static std::int64_t total(const NeuronSet& set) {
    std::int64_t n = 0;
    for (const auto& s : set) n += s.size();
    return n;
  }

  void check_view(const ast::ViewDecl& v) {
    bool fresh = name_free(v.name, v.name_range);
    auto set = resolve_set(v.target.get());
    if (set && set->size() != 1) {
      ctx_.diags.report(DiagId::assembly_not_sliceable, v.target->range);
      set.reset();
    }
    if (!fresh) return;
    if (!set) {
      taken_[v.name] = v.name_range;  // later uses are not reported as unknown
      return;
    }
    add_entity(v.name, v.name_range, TypeKind::View, net_.views.size());
    net_.views.push_back({v.name, &v, (*set)[0]});
  }

  void collect_members(const ast::Expr* e, NeuronSet& out, bool& ok) {
    if (auto* b = ast::dyn_cast<ast::BinaryExpr>(e); b && b->op == ast::BinaryOp::Add) {
      collect_members(b->lhs.get(), out, ok);
      collect_members(b->rhs.get(), out, ok);
      ctx_.set_type(e, Type::of(TypeKind::Assembly));
      return;
    }
    auto set = resolve_set(e);
    if (!set) {
      ok = false;
      return;
    }
    out.insert(out.end(), set->begin(), set->end());
  }

  void check_assembly(const ast::AssemblyDecl& a) {
    bool fresh = name_free(a.name, a.name_range);
    NeuronSet members;
    bool ok = a.members != nullptr;
    if (a.members) collect_members(a.members.get(), members, ok);
    if (!fresh) return;
    if (!ok) {
      taken_[a.name] = a.name_range;
      return;
    }
    add_entity(a.name, a.name_range, TypeKind::Assembly, net_.assemblies.size());
    net_.assemblies.push_back({a.name, &a, std::move(members)});
  }

  // ---- projections ------------------------------------------------------------------

  const Population& pop_of(const IndexSet& s) const { return net_.populations[s.population]; }

  bool structured(const NeuronSet& set) const {
    for (const auto& s : set)
      if (!pop_of(s).structure) return false;
    return true;
  }

  void check_projection(const ast::ProjectionDecl& p) {
    Projection proj;
    proj.name = p.name;
    proj.decl = &p;
    auto pre = resolve_set(p.pre.get());
    auto post = resolve_set(p.post.get());
    bool ok = pre && post;
    if (pre) proj.pre = *pre;
    if (post) proj.post = *post;

    // The synapse model (StaticSynapse when none is given) and the receptor it feeds.
    const Model* syn = nullptr;
    if (p.synapse) {
      syn = model_of_kind(p.synapse->name, p.synapse->name_range, {ModelKind::Synapse}, "a projection's synapse",
                          "synapse");
    } else {
      syn = ctx_.program.find_model("StaticSynapse");
      if (!syn || syn->kind != ModelKind::Synapse) {
        ctx_.diags.report(DiagId::no_default_synapse, p.range);
        syn = nullptr;
      }
    }
    ok = ok && syn;
    proj.synapse.model = syn;
    std::optional<Dimension> weight_dim;
    double weight_scale = 1.0;
    std::string receptor_words;
    if (syn && post && ctx_.emitters.count(syn)) {
      proj.receptor = p.receptor;
      for (const auto& s : *post) {
        const Population& pop = pop_of(s);
        if (!pop.model) {
          ok = false;
          continue;
        }
        if (pop.receptors.empty()) {
          ctx_.diags.report(DiagId::no_receptors, p.post->range, pop.name, pop.model->name);
          ok = false;
          continue;
        }
        if (proj.receptor.empty()) proj.receptor = pop.receptors[0].name;
        auto index = pop.find_receptor(proj.receptor);
        if (!index) {
          std::vector<std::string> names;
          for (const auto& r : pop.receptors) names.push_back(r.name);
          std::vector<std::string_view> views(names.begin(), names.end());
          std::string best = closest_name(proj.receptor, views);
          auto where = p.receptor_range.valid() ? p.receptor_range : p.post->range;
          if (best.empty())
            ctx_.diags.report(DiagId::unknown_receptor, where, pop.name, proj.receptor, join_quoted(names));
          else
            ctx_.diags.report(DiagId::unknown_receptor_suggest, where, pop.name, proj.receptor, best);
          ok = false;
          continue;
        }
        proj.receptor_index.push_back(*index);
        const ReceptorInstance& r = pop.receptors[*index];
        if (!r.model->spike_dim) continue;
        if (!weight_dim) {
          weight_dim = *r.model->spike_dim;
          receptor_words = fmt::format("receptor '{}' of '{}'", r.name, pop.name);
          for (const auto& h : r.model->decl->body.handlers)
            if (h.event == "spike" && h.params.size() == 1) {
              double scale = 1.0;
              resolve_type(ctx_, h.params[0].type, &scale);
              weight_scale = scale;
            }
        } else if (*weight_dim != *r.model->spike_dim) {
          ctx_.diags.report(DiagId::receptor_units_differ, p.post->range, proj.receptor,
                            format_dimension(*weight_dim), format_dimension(*r.model->spike_dim));
          ok = false;
        }
      }
    } else if (!p.receptor.empty() && syn && post && !ctx_.emitters.count(syn)) {
      ctx_.diags.report(DiagId::receptor_without_emit, p.receptor_range, syn->name);
    }
    if (weight_dim) proj.synapse.weight_dim = *weight_dim;
    weight_unknown_ = syn && ctx_.emitters.count(syn) && !weight_dim;

    // The synapse's `uses` must exist on both sides; its outputs feed the post neurons.
    if (syn && pre && post) {
      for (const auto& s : *pre)
        if (pop_of(s).model) check_uses(*syn, *pop_of(s).model, p.pre->range, fmt::format("presynaptic '{}'", pop_of(s).name));
      for (const auto& s : *post)
        if (pop_of(s).model) {
          check_uses(*syn, *pop_of(s).model, p.post->range, fmt::format("postsynaptic '{}'", pop_of(s).name));
          check_outputs(*syn, *pop_of(s).model, p.post->range);
        }
    }

    if (pre && post) {
      connector_ = p.connector.name;
      check_connector(p, proj);
      connector_.clear();
    }
    if (syn) check_synapse_args(p, proj, weight_dim ? &*weight_dim : nullptr, weight_scale, receptor_words);
    if (syn && proj.connector.kind == ConnectorKind::FromHost && pre && post)
      check_host_columns(p, proj, weight_dim ? &*weight_dim : nullptr, weight_scale);

    if (!name_free(p.name, p.name_range)) return;
    if (!ok) {
      taken_[p.name] = p.name_range;
      return;
    }
    choose_connectivity(p, proj);
    add_entity(p.name, p.name_range, TypeKind::Projection, net_.projections.size());
    net_.projections.push_back(std::move(proj));
  }

  // `as sparse|procedural|dense|bitmask|diagonal`; `gennc --procedural` overrides the
  // attribute. A projection asked for by name (in the source or the option) that cannot take
  // the form is an error saying why; `--procedural=all` takes only the projections that can
  // be. Without an attribute the compiler picks the smallest form it can prove identical
  // (docs/gpu.md, Storage forms): dense where every pair is connected, diagonal for a
  // one_to_one, else a bitmask where its bits take fewer bytes than the expected columns,
  // else sparse rows.
  void choose_connectivity(const ast::ProjectionDecl& p, Projection& proj) {
    const std::string& asked = p.connectivity;
    if (!asked.empty() && asked != "sparse" && asked != "procedural" && asked != "dense" && asked != "bitmask" &&
        asked != "diagonal") {
      ctx_.diags.report(DiagId::unknown_connectivity, p.connectivity_range, p.connectivity);
      return;
    }
    const auto& forced = ctx_.options.procedural;
    bool by_option = std::find(forced.begin(), forced.end(), p.name) != forced.end();
    bool all = std::find(forced.begin(), forced.end(), "all") != forced.end();
    if (asked == "procedural" || by_option || all) {
      bool named = asked == "procedural" || by_option;
      if (!procedural_obstacle(p, proj, named)) {
        proj.connectivity = Connectivity::Procedural;
        return;
      }
      if (named) return;
    }
    if (asked == "dense") {
      if (!dense_obstacle(p, proj, true)) proj.connectivity = Connectivity::Dense;
    } else if (asked == "bitmask") {
      if (!bitmask_obstacle(p, proj, true)) proj.connectivity = Connectivity::Bitmask;
    } else if (asked == "diagonal") {
      if (!diagonal_obstacle(p, proj, true)) proj.connectivity = Connectivity::Diagonal;
    } else if (asked.empty()) {
      if (!dense_obstacle(p, proj, false)) {
        proj.connectivity = Connectivity::Dense;
      } else if (!diagonal_obstacle(p, proj, false)) {
        proj.connectivity = Connectivity::Diagonal;
      } else if (proj.synapse.model == ctx_.program.find_model("StaticSynapse") && bitmask_smaller(proj) &&
                 !bitmask_obstacle(p, proj, false)) {
        // Only for the static synapse: other models may draw random numbers per synapse,
        // which a bitmask addresses by candidate pair instead of by synapse.
        proj.connectivity = Connectivity::Bitmask;
      }
    }
  }

  // Pre and post as one population or slice each, with their sizes; false for assemblies
  // and index lists (reported as `form`'s obstacle when `report`).
  bool single_sets(const ast::ProjectionDecl& p, const Projection& proj, DiagId id, bool report) {
    for (const auto* set : {&proj.pre, &proj.post}) {
      const char* side = set == &proj.pre ? "presynaptic" : "postsynaptic";
      const char* why = set->size() != 1 ? "neurons are an assembly of several sets"
                        : !set->front().is_slice ? "neurons are an index list (a population or a slice can be)"
                                                 : nullptr;
      if (why == nullptr) continue;
      if (report)
        ctx_.diags.report(id, set == &proj.pre ? p.pre->range : p.post->range, p.name,
                          fmt::format("its {} {}", side, why));
      return false;
    }
    return true;
  }

  // Why the synapse needs its synapses by postsynaptic neuron (column access), or null.
  static const char* post_access(const Model& m) {
    const char* why = nullptr;
    for (const ast::Handler& h : m.decl->body.handlers)
      if (h.event == "post") why = "runs code on postsynaptic spikes";
    for (const ast::TraceBlock& t : m.decl->body.traces)
      if (t.side == ast::TraceSide::Post) why = "keeps postsynaptic traces";
    if (!m.decl->body.outputs.empty()) why = "feeds its postsynaptic neurons continuously";
    return why;
  }

  std::vector<const Model*> synapse_models(const Projection& proj) {
    std::vector<const Model*> models{proj.synapse.model};
    for (const SlotBinding& b : proj.synapse.slots) models.push_back(b.component);
    return models;
  }

  // Dense: synapse k = i * n_post + j for every pair (i, j), so only an all_to_all that
  // keeps every pair (no excluded self connections), without column access.
  bool dense_obstacle(const ast::ProjectionDecl& p, const Projection& proj, bool report) {
    auto fail = [&](diag::SourceRange where, const std::string& why) {
      if (report) ctx_.diags.report(DiagId::dense_not_applicable, where, p.name, why);
      return true;
    };
    const Connector& c = proj.connector;
    if (c.kind != ConnectorKind::AllToAll)
      return fail(p.connector.range, fmt::format("connector '{}' does not connect every pair (all_to_all does)",
                                                 to_string(c.kind)));
    if (!single_sets(p, proj, DiagId::dense_not_applicable, report)) return true;
    if (proj.pre.front().population == proj.post.front().population && !c.allow_self_connections)
      return fail(p.connector.range, "it excludes self connections, so not every pair is connected");
    if (proj.pre.front().size() * proj.post.front().size() > std::int64_t{UINT32_MAX})
      return fail(p.range, "it has more than 2^32 - 1 pairs");
    for (const Model* m : synapse_models(proj))
      if (const char* why = post_access(*m))
        return fail(p.synapse ? p.synapse->range : p.range,
                    fmt::format("'{}' {}, which needs the synapses by postsynaptic neuron", m->name, why));
    return false;
  }

  // Diagonal: a one_to_one between a population or slice and another (of the same size: the
  // connector's check, one_to_one_sizes), so synapse i connects position i of the pre
  // selection to position i of the post one; no columns, hence no column access.
  bool diagonal_obstacle(const ast::ProjectionDecl& p, const Projection& proj, bool report) {
    auto fail = [&](diag::SourceRange where, const std::string& why) {
      if (report) ctx_.diags.report(DiagId::diagonal_not_applicable, where, p.name, why);
      return true;
    };
    const Connector& c = proj.connector;
    if (c.kind != ConnectorKind::OneToOne)
      return fail(p.connector.range, fmt::format("connector '{}' does not connect position i to position i only "
                                                 "(one_to_one does)",
                                                 to_string(c.kind)));
    if (!single_sets(p, proj, DiagId::diagonal_not_applicable, report)) return true;
    for (const Model* m : synapse_models(proj))
      if (const char* why = post_access(*m))
        return fail(p.synapse ? p.synapse->range : p.range,
                    fmt::format("'{}' {}, which needs the synapses by postsynaptic neuron", m->name, why));
    return false;
  }

  // Bitmask: one bit per candidate pair, rows padded to whole 32-bit words; synapses have
  // no index of their own, so nothing may be stored or drawn per synapse.
  bool bitmask_obstacle(const ast::ProjectionDecl& p, const Projection& proj, bool report) {
    auto fail = [&](diag::SourceRange where, const std::string& why) {
      if (report) ctx_.diags.report(DiagId::bitmask_not_applicable, where, p.name, why);
      return true;
    };
    const Connector& c = proj.connector;
    bool simple = c.kind == ConnectorKind::AllToAll || c.kind == ConnectorKind::OneToOne ||
                  c.kind == ConnectorKind::FixedProbability || c.kind == ConnectorKind::DistanceDependentProbability ||
                  c.kind == ConnectorKind::DisplacementDependentProbability ||
                  c.kind == ConnectorKind::IndexBasedProbability ||
                  ((c.kind == ConnectorKind::FixedNumberPre || c.kind == ConnectorKind::FixedNumberPost ||
                    c.kind == ConnectorKind::FixedTotalNumber) &&
                   !c.with_replacement);
    if (!simple)
      return fail(p.connector.range,
                  fmt::format("connector '{}' may connect a pair more than once or reads its synapses from data",
                              to_string(c.kind)));
    if (!single_sets(p, proj, DiagId::bitmask_not_applicable, report)) return true;
    std::int64_t words = (proj.post.front().size() + 31) / 32;
    if (proj.pre.front().size() * words * 32 > std::int64_t{UINT32_MAX})
      return fail(p.range, "it has more than 2^32 - 1 candidate pairs");
    diag::SourceRange where = p.synapse ? p.synapse->range : p.range;
    for (const Model* m : synapse_models(proj)) {
      for (const Symbol* s : m->state)
        if (!s->trace) return fail(where, fmt::format("'{}' keeps per-synapse state '{}'", m->name, s->name));
      if (const char* why = post_access(*m))
        return fail(where, fmt::format("'{}' {}, which needs the synapses by postsynaptic neuron", m->name, why));
    }
    for (const auto& [name, v] : proj.synapse.values)
      if (v.kind != ValueKind::Constant)
        return fail(arg_range(p, name), fmt::format("'{}' differs between synapses, and a bitmask keeps no values", name));
    if (proj.delay.kind != ValueKind::Constant)
      return fail(arg_range(p, "delay"), "its delay differs between synapses, and a bitmask keeps no values");
    return false;
  }

  // Whether the bitmask (n_pre words of ceil(n_post / 32) each) takes fewer bytes than the
  // columns the stored rows would take (4 bytes per expected synapse); the row pointers
  // are kept either way. False where the synapse count is not known before the run.
  static bool bitmask_smaller(const Projection& proj) {
    if (proj.pre.size() != 1 || proj.post.size() != 1) return false;
    const double n_pre = static_cast<double>(proj.pre.front().size());
    const double n_post = static_cast<double>(proj.post.front().size());
    const Connector& c = proj.connector;
    double expected = c.kind == ConnectorKind::AllToAll ? n_pre * n_post - std::min(n_pre, n_post)
                                                         : expected_synapses(c, n_pre, n_post);
    if (expected == 0.0) return false;
    return n_pre * std::ceil(n_post / 32.0) < expected;
  }

  // Whether something keeps `proj` from regenerating its rows on every spike: a connector
  // whose rows are not independent, per-synapse state or post-side access, a per-synapse
  // value computed from the connection, or delays without a known maximum. Reports the
  // first obstacle when `report`.
  bool procedural_obstacle(const ast::ProjectionDecl& p, const Projection& proj, bool report) {
    const Connector& c = proj.connector;
    bool row_wise = c.kind == ConnectorKind::AllToAll || c.kind == ConnectorKind::OneToOne ||
                    c.kind == ConnectorKind::FixedProbability ||
                    (c.kind == ConnectorKind::FixedNumberPost && c.with_replacement);
    if (!row_wise) {
      if (report) ctx_.diags.report(DiagId::procedural_connector, p.connector.range, p.name, to_string(c.kind));
      return true;
    }
    for (const auto* set : {&proj.pre, &proj.post})
      for (const IndexSet& s : *set)
        if (!s.is_slice) {
          if (report) ctx_.diags.report(DiagId::procedural_index_list, set == &proj.pre ? p.pre->range : p.post->range,
                                        p.name, set == &proj.pre ? "presynaptic" : "postsynaptic");
          return true;
        }
    diag::SourceRange where = p.synapse ? p.synapse->range : p.range;
    for (const Model* m : synapse_models(proj)) {
      for (const Symbol* s : m->state) {
        if (s->trace) continue;  // traces live per neuron
        if (report) ctx_.diags.report(DiagId::procedural_plastic, where, p.name, m->name, s->name);
        return true;
      }
      if (const char* why = post_access(*m)) {
        if (report) ctx_.diags.report(DiagId::procedural_post_access, where, p.name, m->name, why);
        return true;
      }
    }
    for (const auto& [name, v] : proj.synapse.values) {
      if (v.kind != ValueKind::Expression) continue;
      if (report) ctx_.diags.report(DiagId::procedural_generated_value, v.expr->range, p.name, name);
      return true;
    }
    const Value& d = proj.delay;
    bool bounded = d.kind != ValueKind::Distribution || d.distribution.kind == Builtin::Uniform ||
                   d.distribution.kind == Builtin::NormalClipped || d.distribution.kind == Builtin::UniformInt;
    if (!bounded) {
      if (report) ctx_.diags.report(DiagId::procedural_unbounded_delay, arg_range(p, "delay"), p.name,
                                    to_string(d.distribution.kind));
      return true;
    }
    return false;
  }

  static diag::SourceRange arg_range(const ast::ProjectionDecl& p, const std::string& name) {
    if (p.synapse)
      for (const auto& a : p.synapse->args)
        if (a.name == name) return a.value->range;
    return p.range;
  }

  void check_synapse_args(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
                          double weight_scale, const std::string& receptor_words) {
    const Model& syn = *proj.synapse.model;
    static const std::vector<ast::Arg> no_args;
    const auto& args = p.synapse ? p.synapse->args : no_args;
    std::string instance = fmt::format("synapse '{}'", syn.name);
    std::map<std::string, const ast::Arg*> slot_args;
    std::set<std::string> given;
    bool structured_pair = structured(proj.pre) && structured(proj.post);
    for (const auto& a : args) {
      if (a.name.empty()) {
        ctx_.diags.report(DiagId::positional_model_arg, a.range, syn.name);
        continue;
      }
      if (!given.insert(a.name).second) {
        ctx_.diags.report(DiagId::duplicate_argument, a.name_range, a.name);
        continue;
      }
      auto slot = std::find_if(syn.slots.begin(), syn.slots.end(), [&](const SlotInfo& s) { return s.name == a.name; });
      if (slot != syn.slots.end()) {
        slot_args[a.name] = &a;
        continue;
      }
      const Symbol* var = syn.find(a.name);
      if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
        report_unknown_argument(ctx_, syn, a.name, a.name_range);
        continue;
      }
      auto v = value_for(a.value.get(), *var, -1, fmt::format("'{}' of {}", a.name, instance), weight_dim, weight_scale,
                         true, &receptor_words);
      if (!v) continue;
      if (v->kind == ValueKind::Expression && !structured_pair &&
          uses_any(ctx_.program, v->expr, {"d", "dx", "dy", "dz"}))
        ctx_.diags.report(DiagId::needs_structure, a.value->range, a.name);
      proj.synapse.values[a.name] = *v;
    }
    for (const auto* list : {&syn.parameters, &syn.state})
      for (const Symbol* var : *list)
        if (!proj.synapse.values.count(var->name)) proj.synapse.values[var->name] = default_value(*var, weight_dim);

    // Slots: each filled by a component of its kind, whose external names must exist.
    for (const auto& slot : syn.slots) {
      SlotBinding b;
      b.slot = slot.name;
      auto it = slot_args.find(slot.name);
      if (it == slot_args.end()) {
        ctx_.diags.report(DiagId::slot_unfilled, p.synapse ? p.synapse->range : p.range, slot.name, syn.name)
            .note(DiagId::note_declared_here, slot.decl->name_range, slot.name);
        continue;
      }
      auto* call = ast::dyn_cast<ast::CallExpr>(it->second->value.get());
      auto* callee = call ? ast::dyn_cast<ast::NameRef>(call->callee.get()) : nullptr;
      const char* kind_word = ast::to_string(slot.kind);
      if (!callee) {
        ctx_.diags.report(DiagId::slot_needs_component, it->second->value->range, slot.name, kind_word);
        continue;
      }
      b.component = model_of_kind(callee->name, callee->range, {slot.kind}, "this slot", kind_word);
      if (!b.component) continue;
      b.values = model_values(*b.component, call->args, -1, fmt::format("'{}'", b.component->name), weight_dim,
                              weight_scale);
      proj.synapse.slots.push_back(std::move(b));
    }
    // Names a component takes from the others are checked once every slot is filled.
    for (const auto& b : proj.synapse.slots) {
      if (proj.synapse.slots.size() != syn.slots.size()) break;
      for (const Symbol* ext : b.component->externals) {
        const Symbol* found = syn.find(ext->name);
        for (const auto& other : proj.synapse.slots)
          if (!found && &other != &b) found = other.component->find(ext->name);
        if (!found) {
          ctx_.diags.report(DiagId::component_name_missing, slot_args[b.slot]->value->range, b.component->name,
                            ext->name, syn.name);
        } else if (!found->type.is_error() && !ext->type.is_error() && !found->type.same_as(ext->type)) {
          ctx_.diags.report(DiagId::uses_dimension, slot_args[b.slot]->value->range, b.component->name, ext->name,
                            to_string(ext->type), found->model ? found->model->name : syn.name, to_string(found->type));
        }
      }
    }

    // The delay: a whole number of steps, at least one.
    auto delay = proj.synapse.values.find("delay");
    if (delay != proj.synapse.values.end()) {
      proj.delay = delay->second;
      const ast::Expr* where = nullptr;
      for (const auto& a : args)
        if (a.name == "delay") where = a.value.get();
      check_delay(proj.delay, where ? where->range : p.range);
      delay->second = proj.delay;
    } else {
      proj.delay.type = Type::quantity(Dimension::time());
      proj.delay.numbers = {net_.settings.dt};
    }
  }

  void check_delay(Value& delay, diag::SourceRange where) {
    if (delay.kind != ValueKind::Constant || delay.numbers.size() != 1) return;
    const double dt = net_.settings.dt;
    double d = delay.numbers[0];
    if (d < dt * (1 - 1e-9)) {
      ctx_.diags.report(DiagId::delay_too_small, where, format_number(d), format_number(dt));
      return;
    }
    // Whole steps, halves up, as the runtime rounds per-synapse delays: the 1e-9 absorbs
    // representation error, so 0.35 ms at dt = 0.1 ms is 4 steps in both.
    double steps = std::floor(d / dt + 0.5 + 1e-9);
    if (std::abs(steps * dt - d) > 1e-9 * std::max(1.0, d)) {
      ctx_.diags.report(DiagId::delay_rounded, where, format_number(d), format_number(dt), format_number(steps * dt));
      delay.numbers[0] = steps * dt;
    }
  }

  void check_connector(const ast::ProjectionDecl& p, Projection& proj) {
    const ast::Call& call = p.connector;
    const ConnectorSpec* spec =
        find_spec(connectors(), call, DiagId::unknown_connector, DiagId::unknown_connector_suggest);
    if (!spec) return;
    Connector& c = proj.connector;
    c.kind = spec->kind;
    std::int64_t n_pre = total(proj.pre), n_post = total(proj.post);
    // The host numbers its synapses by positions within one set per side; an assembly is
    // lowered as one projection per pair of its sets, which the host could not address.
    // Its arguments name synapse variables (check_host_columns, once the synapse is known).
    if (spec->kind == ConnectorKind::FromHost) {
      for (const auto* set : {&proj.pre, &proj.post})
        if (set->size() > 1)
          ctx_.diags.report(DiagId::from_host_assembly, set == &proj.pre ? p.pre->range : p.post->range,
                            set == &proj.pre ? "presynaptic" : "postsynaptic", set->size());
      return;
    }
    auto args = match_args(ctx_, call.name, call.range, call.args, spec->args);
    const ast::Expr* count_expr = nullptr;
    for (std::size_t i = 0; i < spec->args.size(); ++i) {
      const ArgSpec& a = spec->args[i];
      const ast::Expr* e = args[i] ? args[i]->value.get() : nullptr;
      std::string what = fmt::format("'{}' of '{}'", a.name, call.name);
      switch (a.kind) {
        case ArgKind::Bool: {
          bool value = a.fallback != 0;
          if (e)
            if (auto v = constant(e, what, Type::boolean())) value = v->number != 0;
          if (a.name == "allow_self_connections") c.allow_self_connections = value;
          else c.with_replacement = value;
          break;
        }
        case ArgKind::Probability:
          if (auto v = e ? constant(e, what, Type::real()) : std::nullopt) {
            if (v->number < 0 || v->number > 1)
              ctx_.diags.report(DiagId::bad_probability, e->range, format_number(v->number));
            else
              c.p = v->number;
          }
          break;
        case ArgKind::Count:
          if (auto v = e ? constant(e, what, Type::real()) : std::nullopt) {
            double n = std::round(v->number);
            if (n < 0) {
              ctx_.diags.report(DiagId::bad_count, e->range, a.name, format_number(v->number));
              break;
            }
            c.n = to_int(n);
            count_expr = e;
          }
          break;
        case ArgKind::Real:
          break;
        case ArgKind::Length:
          if (auto v = e ? constant(e, what, Type::quantity(Dimension::length())) : std::nullopt) c.degree = v->number;
          break;
        case ArgKind::DistanceExpr:
        case ArgKind::DisplacementExpr:
        case ArgKind::IndexExpr:
          if (e) check_probability_expr(e, a.kind, what, proj);
          break;
        case ArgKind::ConnectionList:
          if (e) check_connection_list(e, proj, n_pre, n_post, describe_set(p.pre.get()), describe_set(p.post.get()));
          break;
        case ArgKind::Path:
          if (auto v = e ? constant(e, what, Type::string()) : std::nullopt) {
            // `sim` opens the file at run time from any working folder: the model keeps its
            // absolute path (docs/runtime.md, "Connection files").
            std::filesystem::path path = v->text;
            if (path.is_relative())
              path = std::filesystem::path(ctx_.sources.path(e->range.begin.file)).parent_path() / path;
            std::error_code ec;
            const std::string shown = path.lexically_normal().string();
            c.file = std::filesystem::absolute(path, ec).lexically_normal().string();
            auto status = std::filesystem::status(c.file, ec);
            if (!std::filesystem::exists(status))
              ctx_.diags.report(DiagId::connection_file_missing, e->range, shown);
            else if (!std::filesystem::is_regular_file(status))
              ctx_.diags.report(DiagId::connection_file_not_regular, e->range, shown);
            else
              ctx_.path_allowed("connection file", c.file, e->range);
          }
          break;
        case ArgKind::Matrix:
          if (e) check_matrix(e, c, n_pre, n_post);
          break;
        case ArgKind::ProjectionRef: {
          auto* name = ast::dyn_cast<ast::NameRef>(e);
          if (!e) break;
          if (!name) {
            ctx_.diags.report(DiagId::unknown_projection, e->range, "this expression");
            break;
          }
          auto it = entities_.find(name->name);
          if (it == entities_.end() || it->second.kind != TypeKind::Projection) {
            if (!taken_.count(name->name)) {
              std::vector<std::string_view> names;
              for (const auto& pr : net_.projections) names.push_back(pr.name);
              std::string best = closest_name(name->name, names);
              if (best.empty())
                ctx_.diags.report(DiagId::unknown_projection, e->range, name->name);
              else
                ctx_.diags.report(DiagId::unknown_projection_suggest, e->range, name->name, best);
            }
            break;
          }
          ctx_.set_type(e, Type::of(TypeKind::Projection));
          c.clone_of = it->second.index;
          const Projection& other = net_.projections[c.clone_of];
          if (total(other.pre) != n_pre || total(other.post) != n_post)
            ctx_.diags.report(DiagId::clone_sizes, e->range, name->name, total(other.pre), total(other.post), n_pre,
                              n_post);
          break;
        }
        case ArgKind::FillOrder:
          break;
      }
    }
    // Without replacement, a count cannot exceed the candidates there are.
    if (count_expr && !c.with_replacement) {
      std::int64_t available = spec->kind == ConnectorKind::FixedNumberPre    ? n_pre
                               : spec->kind == ConnectorKind::FixedNumberPost ? n_post
                                                                               : n_pre * n_post;
      if (c.n > available) ctx_.diags.report(DiagId::count_too_large, count_expr->range, "n", c.n, available);
    }
    if (spec->kind == ConnectorKind::OneToOne && n_pre != n_post)
      ctx_.diags.report(DiagId::one_to_one_sizes, call.range, n_pre, n_post);
    // Each pair of a pre and a post set is one runtime projection: the largest pair counts.
    double largest_pre = 0, largest_post = 0;
    for (const auto& set : proj.pre) largest_pre = std::max(largest_pre, static_cast<double>(set.size()));
    for (const auto& set : proj.post) largest_post = std::max(largest_post, static_cast<double>(set.size()));
    if (double synapses = expected_synapses(c, largest_pre, largest_post); synapses > kLargestCount)
      ctx_.diags.report(DiagId::too_many_synapses, call.range, p.name, fmt::format("{:.0f}", synapses),
                        format_number(largest_pre), format_number(largest_post));
  }

  // The synapses a generated connector makes between n_pre and n_post neurons (their
  // expected number where random), or 0 where that is not known before the run.
  static double expected_synapses(const Connector& c, double n_pre, double n_post) {
    switch (c.kind) {
      case ConnectorKind::AllToAll: return n_pre * n_post;
      case ConnectorKind::FixedProbability: return c.p * n_pre * n_post;
      case ConnectorKind::FixedNumberPost: return static_cast<double>(c.n) * n_pre;
      case ConnectorKind::FixedNumberPre: return static_cast<double>(c.n) * n_post;
      case ConnectorKind::FixedTotalNumber: return static_cast<double>(c.n);
      default: return 0.0;
    }
  }

  // `from_host(U, p)`: each argument names a real-valued parameter or (per-synapse) state
  // variable of the projection's synapse model, other than weight and delay (which the
  // host may always give); components' parameters stay one value per projection.
  void check_host_columns(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
                          double weight_scale) {
    const Model& syn = *proj.synapse.model;
    std::set<std::string> seen;
    for (const ast::Arg& a : p.connector.args) {
      auto* name = ast::dyn_cast<ast::NameRef>(a.value.get());
      if (!a.name.empty() || !name) {
        ctx_.diags.report(DiagId::from_host_column_not_name, a.range);
        continue;
      }
      if (name->name == "weight" || name->name == "delay") {
        ctx_.diags.report(DiagId::from_host_weight_delay, a.range, name->name);
        continue;
      }
      if (!seen.insert(name->name).second) {
        ctx_.diags.report(DiagId::duplicate_argument, a.range, name->name);
        continue;
      }
      const Symbol* var = syn.find(name->name);
      if (!var || (var->kind != SymbolKind::Parameter && var->kind != SymbolKind::State)) {
        report_unknown_host_column(syn, proj, name->name, a.range);
        continue;
      }
      std::string why;
      if (var->trace) {
        const char* side = var->trace->side == ast::TraceSide::Pre ? "presynaptic" : "postsynaptic";
        why = fmt::format("it is trace state, kept per {} neuron", side);
      } else if (var->type.list || var->type.kind != TypeKind::Real) {
        why = fmt::format("it is of type '{}', and the host gives real numbers", to_string(var->type));
      }
      if (!why.empty()) {
        ctx_.diags.report(DiagId::from_host_bad_column, a.range, name->name, why);
        continue;
      }
      // The declared unit, as for a bare number written for the variable (value_for).
      double scale = var->type.dim.has_weight() && weight_dim ? weight_scale : var->unit_scale;
      proj.connector.host_columns.push_back({name->name, scale});
    }
  }

  void report_unknown_host_column(const Model& syn, const Projection& proj, const std::string& name,
                                  diag::SourceRange where) {
    for (const SlotBinding& b : proj.synapse.slots)
      if (b.component && b.component->find(name)) {
        ctx_.diags.report(DiagId::from_host_bad_column, where, name,
                          fmt::format("it belongs to the '{}' component ('{}'), which keeps one value per projection",
                                      b.slot, b.component->name));
        return;
      }
    std::vector<std::string> names;
    for (const auto* list : {&syn.parameters, &syn.state})
      for (const Symbol* s : *list)
        if (s->name != "weight" && s->name != "delay" && !s->trace && !s->type.list && s->type.kind == TypeKind::Real)
          names.push_back(s->name);
    ctx_.diags.report(DiagId::from_host_unknown_column, where, syn.name, name,
                      names.empty() ? std::string("none") : join_quoted(names));
  }

  void check_probability_expr(const ast::Expr* e, ArgKind kind, const std::string& what, Projection& proj) {
    ExprChecker ec = checker(Restrict::None, what);
    Type t = ec.check_as(e, connection_scope_, Type::real(), what, false);
    if (t.is_error()) return;
    if (t.kind == TypeKind::Distribution) {
      ctx_.diags.report(DiagId::distribution_not_allowed, e->range, what);
      return;
    }
    std::set<std::string> allowed = kind == ArgKind::DistanceExpr       ? std::set<std::string>{"d"}
                                    : kind == ArgKind::DisplacementExpr ? std::set<std::string>{"dx", "dy", "dz"}
                                                                        : std::set<std::string>{"i", "j"};
    for (const char* n : {"d", "dx", "dy", "dz", "i", "j"})
      if (!allowed.count(n) && uses_any(ctx_.program, e, {n}))
        report_connection_var_in(e, n, proj.decl->connector.name);
    if (kind != ArgKind::IndexExpr && !(structured(proj.pre) && structured(proj.post)))
      ctx_.diags.report(DiagId::needs_structure, e->range, proj.decl->connector.name);
    proj.connector.probability = e;
  }

  void report_connection_var_in(const ast::Expr* e, const char* name, const std::string& connector) {
    for (const auto& [expr, sym] : ctx_.program.symbols)
      if (sym->kind == SymbolKind::Connection && sym->name == name && within(expr->range, e->range)) {
        ctx_.diags.report(DiagId::connection_variable_here, expr->range, name, connector);
        return;
      }
  }

  static bool within(diag::SourceRange inner, diag::SourceRange outer) {
    return inner.begin.file == outer.begin.file && inner.begin.offset >= outer.begin.offset &&
           inner.end.offset <= outer.end.offset;
  }

  void check_connection_list(const ast::Expr* e, Projection& proj, std::int64_t n_pre, std::int64_t n_post,
                             const std::string& pre_name, const std::string& post_name) {
    auto* list = ast::dyn_cast<ast::ListLit>(e);
    if (!list) {
      ctx_.diags.report(DiagId::bad_argument, e->range, "'conn_list' of 'from_list'", "a list of [i, j] or [i, j, weight, delay] rows");
      return;
    }
    const Model* syn = proj.synapse.model;
    const Symbol* weight = syn ? syn->find("weight") : nullptr;
    for (const auto& row_expr : list->elements) {
      auto* row = ast::dyn_cast<ast::ListLit>(row_expr.get());
      if (!row || (row->elements.size() != 2 && row->elements.size() != 4)) {
        ctx_.diags.report(DiagId::bad_argument, row_expr->range, "a row of 'from_list'", "[i, j] or [i, j, weight, delay]");
        continue;
      }
      ListConnection conn;
      auto pre = element_value(row->elements[0].get(), Type::integer(), 1.0, "a presynaptic index");
      auto post = element_value(row->elements[1].get(), Type::integer(), 1.0, "a postsynaptic index");
      if (pre && (*pre < 0 || *pre >= static_cast<double>(n_pre)))
        ctx_.diags.report(DiagId::index_out_of_range, row->elements[0]->range, to_int(*pre),
                          pre_name, n_pre);
      if (post && (*post < 0 || *post >= static_cast<double>(n_post)))
        ctx_.diags.report(DiagId::index_out_of_range, row->elements[1]->range, to_int(*post),
                          post_name, n_post);
      if (pre) conn.pre = to_int(*pre);
      if (post) conn.post = to_int(*post);
      if (row->elements.size() == 4) {
        Type wt = weight ? weight->type : Type::quantity(Dimension::weight());
        if (wt.dim.has_weight()) wt.dim = wt.dim.substitute_weight(proj.synapse.weight_dim);
        conn.weight = element_value(row->elements[2].get(), wt, 1.0, "a weight");
        auto d = element_value(row->elements[3].get(), Type::quantity(Dimension::time()), 1.0, "a delay");
        if (d) {
          Value v;
          v.numbers = {*d};
          check_delay(v, row->elements[3]->range);
          conn.delay = v.numbers[0];
        }
      }
      proj.connector.list.push_back(conn);
    }
  }

  void check_matrix(const ast::Expr* e, Connector& c, std::int64_t n_pre, std::int64_t n_post) {
    auto* rows = ast::dyn_cast<ast::ListLit>(e);
    if (!rows || static_cast<std::int64_t>(rows->elements.size()) != n_pre) {
      ctx_.diags.report(DiagId::bad_matrix, e->range, n_pre, n_post);
      return;
    }
    for (const auto& row_expr : rows->elements) {
      auto* row = ast::dyn_cast<ast::ListLit>(row_expr.get());
      if (!row || static_cast<std::int64_t>(row->elements.size()) != n_post) {
        ctx_.diags.report(DiagId::bad_matrix, row_expr->range, n_pre, n_post);
        return;
      }
      for (const auto& x : row->elements) {
        ExprChecker ec = checker(Restrict::Constant, "an array element");
        Type t = ec.check(x.get(), scope_);
        auto v = t.is_error() ? std::nullopt : evaluate(x.get(), ctx_.program, lookup());
        if (!v || (v->number != 0 && v->number != 1) || !(t.kind == TypeKind::Bool || t.kind == TypeKind::Int)) {
          if (!t.is_error()) ctx_.diags.report(DiagId::bad_argument, x->range, "an array element", "0, 1, true or false");
          return;
        }
        c.matrix.push_back(static_cast<std::uint8_t>(v->number));
      }
    }
  }

  // ---- injections and recordings ----------------------------------------------------

  void check_injection(const ast::InjectDecl& inj) {
    Injection in;
    in.name = inj.name;
    in.decl = &inj;
    in.model = model_of_kind(inj.source.name, inj.source.name_range, {ModelKind::CurrentSource}, "inject",
                             "current_source");
    bool named = !inj.name.empty() && name_free(inj.name, inj.name_range) && injection_name_ok(inj);
    auto set = resolve_set(inj.target.get());
    if (set) in.targets = *set;
    if (in.model) {
      std::int64_t n = set ? total(*set) : -1;
      in.values = model_values(*in.model, inj.source.args, n, fmt::format("'{}'", in.model->name));
      if (!in.model->decl->body.outputs.empty()) in.target_input = in.model->decl->body.outputs[0].target;
      if (set)
        for (const auto& s : *set)
          if (pop_of(s).model) check_outputs(*in.model, *pop_of(s).model, inj.target->range);
    }
    if (!(in.model && set)) {
      if (named) taken_[inj.name] = inj.name_range;
      return;
    }
    if (named) add_entity(inj.name, inj.name_range, TypeKind::Injection, net_.injections.size());
    net_.injections.push_back(std::move(in));
  }

  // Unnamed injections are named `<Model><k>` (k counting every injection of the network,
  // docs/ir.md): a given name of that form could take an unnamed one's arrays.
  bool injection_name_ok(const ast::InjectDecl& inj) {
    for (const auto& m : ctx_.program.models) {
      if (m->kind != ModelKind::CurrentSource) continue;
      const std::string& n = inj.name;
      if (n.size() > m->name.size() && n.compare(0, m->name.size(), m->name) == 0 &&
          std::all_of(n.begin() + static_cast<std::ptrdiff_t>(m->name.size()), n.end(),
                      [](char c) { return c >= '0' && c <= '9'; })) {
        ctx_.diags.report(DiagId::injection_name_reserved, inj.name_range, n, m->name);
        return false;
      }
    }
    return true;
  }

  // Whether `e` names neurons (a population, view or assembly, possibly sliced).
  bool names_set(const ast::Expr* e) const {
    if (auto* n = ast::dyn_cast<ast::NameRef>(e)) {
      auto it = entities_.find(n->name);
      return it == entities_.end() || it->second.kind != TypeKind::Projection;
    }
    if (auto* s = ast::dyn_cast<ast::SliceExpr>(e)) return names_set(s->base.get());
    if (auto* i = ast::dyn_cast<ast::IndexExpr>(e)) return names_set(i->base.get());
    return false;
  }

  void check_recording(const ast::RecordDecl& r) {
    std::int64_t steps = 1;
    if (r.interval) {
      auto v = time_constant(r.interval.get(), "the recording interval");
      if (v) {
        const double dt = net_.settings.dt;
        double k = std::round(*v / dt);
        if (*v <= 0 || k < 1 || std::abs(k * dt - *v) > 1e-9 * std::max(1.0, *v))
          ctx_.diags.report(DiagId::bad_interval, r.interval->range, format_number(*v), format_number(dt));
        else
          steps = to_int(k);
      }
    }
    for (const auto& target : r.targets) check_record_target(target.get(), steps);
  }

  void check_record_target(const ast::Expr* e, std::int64_t steps) {
    auto* member = ast::dyn_cast<ast::MemberExpr>(e);
    if (!member) {
      if (e) ctx_.diags.report(DiagId::bad_record_target, e->range);
      return;
    }
    Recording rec;
    rec.expr = e;
    rec.interval_steps = steps;
    const ast::Expr* base = member->base.get();
    if (auto* name = ast::dyn_cast<ast::NameRef>(base)) {
      auto it = entities_.find(name->name);
      if (it != entities_.end() && it->second.kind == TypeKind::Injection) {
        check_source_record(*member, it->second.index, std::move(rec));
        return;
      }
    }
    auto* receptor = ast::dyn_cast<ast::MemberExpr>(base);
    if (receptor && names_set(receptor->base.get()) && !names_set(base)) {
      rec.receptor = receptor->member;
      base = receptor->base.get();
    }
    if (!names_set(base)) {
      ctx_.diags.report(DiagId::bad_record_target, e->range);
      return;
    }
    auto set = resolve_set(base);
    if (!set) return;
    rec.targets = *set;
    // The runtime names a recording `<population>.spikes` or after its array
    // (`<population>[.<receptor>].<variable>`), and its files after the recording.
    const std::string tail = member->member == "spikes" && rec.receptor.empty() ? std::string("spikes")
                             : rec.receptor.empty() ? member->member
                                                    : rec.receptor + "." + member->member;
    for (const auto& s : rec.targets)
      if (!recording_name_fits(pop_of(s).name + "." + tail, e)) return;
    if (member->member == "spikes" && rec.receptor.empty()) {
      rec.spikes = true;
      net_.recordings.push_back(std::move(rec));
      return;
    }
    rec.variable = member->member;
    bool ok = true, first = true;
    for (const auto& s : rec.targets) {
      const Population& pop = pop_of(s);
      if (!pop.model) return;
      const Model* owner = pop.model;
      if (!rec.receptor.empty()) {
        auto index = pop.find_receptor(rec.receptor);
        if (!index) {
          std::vector<std::string> names;
          for (const auto& ri : pop.receptors) names.push_back(ri.name);
          ctx_.diags.report(DiagId::unknown_receptor, receptor->member_range, pop.name, rec.receptor,
                            names.empty() ? "none" : join_quoted(names));
          return;
        }
        owner = pop.receptors[*index].model;
      }
      const Symbol* var = owner->find(rec.variable);
      if (!var || var->kind != SymbolKind::State) {
        std::vector<std::string> names;
        std::vector<std::string_view> views;
        for (const Symbol* st : owner->state)
          if (!st->trace) {
            names.push_back(st->name);
            views.push_back(st->name);
          }
        if (rec.receptor.empty())
          for (const auto& ri : pop.receptors) names.push_back(ri.name + ".<variable>");
        std::string best = closest_name(rec.variable, views);
        if (!best.empty())
          ctx_.diags.report(DiagId::unknown_record_variable_suggest, member->member_range, owner->name, rec.variable,
                            best);
        else
          ctx_.diags.report(DiagId::unknown_record_variable, member->member_range, owner->name, rec.variable,
                            names.empty() ? "none" : join_quoted(names));
        return;
      }
      if (first) {
        rec.dim = var->type.dim;
        first = false;
      } else if (rec.dim != var->type.dim) {
        ok = false;
      }
    }
    if (!ok) {
      ctx_.diags.report(DiagId::record_units_differ, member->member_range, rec.variable);
      return;
    }
    net_.recordings.push_back(std::move(rec));
  }

  // `record noise.amplitude`: a state variable of a named injection's current source, one
  // value per target neuron.
  // Whether a recording's name leaves room for its file names; false after reporting it.
  bool recording_name_fits(const std::string& name, const ast::Expr* e) {
    if (name.size() <= kLongestRecordingName) return true;
    ctx_.diags.report(DiagId::recording_name_too_long, e->range,
                      name.size() > 60 ? name.substr(0, 40) + "..." + name.substr(name.size() - 12) : name,
                      name.size(), kLongestRecordingName);
    return false;
  }

  void check_source_record(const ast::MemberExpr& member, std::size_t index, Recording rec) {
    const Injection& inj = net_.injections[index];
    ctx_.set_type(member.base.get(), Type::of(TypeKind::Injection));
    const Symbol* var = inj.model->find(member.member);
    if (!var || var->kind != SymbolKind::State) {
      std::vector<std::string> names;
      std::vector<std::string_view> views;
      for (const Symbol* st : inj.model->state) {
        names.push_back(st->name);
        views.push_back(st->name);
      }
      std::string best = closest_name(member.member, views);
      if (!best.empty())
        ctx_.diags.report(DiagId::unknown_record_variable_suggest, member.member_range, inj.model->name, member.member,
                          best);
      else
        ctx_.diags.report(DiagId::unknown_record_variable, member.member_range, inj.model->name, member.member,
                          names.empty() ? "none" : join_quoted(names));
      return;
    }
    // Named after the injection's array: `<injection>.<variable>`, or `<injection>.<k>.
    // <variable>` for the k-th set of an assembly.
    std::string part = inj.targets.size() > 1 ? "." + std::to_string(inj.targets.size() - 1) : "";
    if (!recording_name_fits(inj.name + part + "." + member.member, &member)) return;
    rec.injection = index;
    rec.targets = inj.targets;
    rec.variable = member.member;
    rec.dim = var->type.dim;
    net_.recordings.push_back(std::move(rec));
  }

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

bool uses_any(const Program& p, const ast::Expr* e, const std::set<std::string>& names) {
  for (const auto& [expr, sym] : p.symbols)
    if (sym->kind == SymbolKind::Connection && names.count(sym->name) && expr->range.begin.file == e->range.begin.file &&
        expr->range.begin.offset >= e->range.begin.offset && expr->range.end.offset <= e->range.end.offset)
      return true;
  return false;
}

}  // namespace

void check_networks(Context& ctx) {
  if (ctx.program.modules.empty()) return;
  for (const auto& decl : ctx.program.modules.front()->networks) {
    auto net = std::make_unique<Network>();
    NetworkChecker(ctx, *decl, *net).run();
    ctx.program.networks.push_back(std::move(net));
  }
  for (const std::string& name : ctx.options.procedural) {
    bool found = name == "all";
    for (const auto& decl : ctx.program.modules.front()->networks)
      for (const auto& p : decl->projections) found = found || p.name == name;
    if (!found) ctx.diags.report(DiagId::unknown_procedural_projection, {}, name);
  }
}

}  // namespace gennc::sema
