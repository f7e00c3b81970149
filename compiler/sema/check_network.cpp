// Network checks: settings, constants and the names a network declares, and the entry that
// checks every network of the root file (network_checker.h lists where the rest is).
// Every value is evaluated into internal units here.
#include <algorithm>
#include <cmath>

#include "gennc/random.h"
#include "sema/connectivity.h"
#include "sema/network_checker.h"

namespace gennc::sema {

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

std::int64_t to_int(double x) {
  constexpr double kLimit = 9007199254740992.0;
  if (std::isnan(x)) return 0;
  return static_cast<std::int64_t>(std::max(-kLimit, std::min(kLimit, x)));
}

std::string join_quoted(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += ", ";
    s += "'" + names[i] + "'";
  }
  return s;
}

bool uses_any(const Program& p, const ast::Expr* e, const std::set<std::string>& names) {
  for (const auto& [expr, sym] : p.symbols)
    if (sym->kind == SymbolKind::Connection && names.count(sym->name) && expr->range.begin.file == e->range.begin.file &&
        expr->range.begin.offset >= e->range.begin.offset && expr->range.end.offset <= e->range.end.offset)
      return true;
  return false;
}

void NetworkChecker::run() {
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

// Reports `name` when a population, view, assembly, projection or constant has it.
bool NetworkChecker::name_free(const std::string& name, diag::SourceRange where) {
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

void NetworkChecker::add_entity(const std::string& name, diag::SourceRange where, TypeKind kind, std::size_t index) {
  entities_.emplace(name, Entity{kind, index, where});
}

void NetworkChecker::make_connection_symbols() {
  Type um = Type::quantity(Dimension::length());
  for (const char* n : {"d", "dx", "dy", "dz"}) connection_scope_.declare(&ctx_.make_symbol(SymbolKind::Connection, n, um));
  for (const char* n : {"i", "j"}) connection_scope_.declare(&ctx_.make_symbol(SymbolKind::Connection, n, Type::integer()));
  scope_.declare(&ctx_.make_symbol(SymbolKind::Dt, "dt", Type::quantity(Dimension::time())));
}

ConstLookup NetworkChecker::lookup() {
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

ExprChecker NetworkChecker::checker(Restrict r, std::string what) {
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
std::optional<ConstValue> NetworkChecker::constant(const ast::Expr* e, const std::string& what,
                                                   std::optional<Type> want, double bare_scale) {
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

bool NetworkChecker::finite(const ConstValue& v) {
  auto ok = [](double x) { return std::isfinite(x); };
  return ok(v.number) && std::all_of(v.list.begin(), v.list.end(), ok) &&
         std::all_of(v.distribution.args.begin(), v.distribution.args.end(), ok);
}

std::optional<double> NetworkChecker::time_constant(const ast::Expr* e, const std::string& what) {
  auto v = constant(e, what, Type::quantity(Dimension::time()));
  if (!v) return std::nullopt;
  return v->number;
}

void NetworkChecker::check_settings() {
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
    } else if (s.name == "precise") {
      if (auto v = constant(s.value.get(), what, Type::boolean())) net_.settings.precise = v->number != 0.0;
    } else {
      std::vector<std::string_view> names = {"dt", "duration", "seed", "min_delay", "max_delay", "precise"};
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

void NetworkChecker::check_constant(const ast::Setting& c) {
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

namespace {

// Under --procedural=all, says which projections stay stored (their connector, a synapse
// with state, a value drawn per synapse of a pair that may repeat, ...): a network far too
// large to store must not find out only from its memory estimate. One warning per network.
void warn_stored_under_procedural_all(Context& ctx, const ast::NetworkDecl& decl, const Network& net) {
  const auto& named = ctx.options.procedural;
  if (std::find(named.begin(), named.end(), "all") == named.end()) return;
  std::vector<std::string> stored;
  for (const Projection& p : net.projections) {
    if (p.requested == Connectivity::Procedural) continue;
    if (p.state_recorded || form_obstacle(p, Connectivity::Procedural, nullptr)) stored.push_back(p.name);
  }
  if (stored.empty()) return;
  std::string names;
  for (std::size_t i = 0; i < stored.size() && i < 3; ++i) names += (i == 0 ? "'" : ", '") + stored[i] + "'";
  if (stored.size() > 3) names += " and " + std::to_string(stored.size() - 3) + " more";
  ctx.diags.report(DiagId::procedural_all_stored, decl.name_range, stored.size(), net.projections.size(), decl.name,
                   names);
}

}  // namespace

void check_networks(Context& ctx) {
  if (ctx.program.modules.empty()) return;
  for (const auto& decl : ctx.program.modules.front()->networks) {
    auto net = std::make_unique<Network>();
    NetworkChecker(ctx, *decl, *net).run();
    check_supported(ctx, *net);
    warn_stored_under_procedural_all(ctx, *decl, *net);
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
