// Connectors: their arguments, connection lists, files, matrices and host columns, and the
// expected synapse counts that bound them.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sema/connectivity.h"
#include "sema/network_checker.h"

namespace gennc::sema {

void NetworkChecker::check_connector(const ast::ProjectionDecl& p, Projection& proj) {
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
double expected_synapses(const Connector& c, double n_pre, double n_post) {
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
void NetworkChecker::check_host_columns(const ast::ProjectionDecl& p, Projection& proj, const Dimension* weight_dim,
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

void NetworkChecker::report_unknown_host_column(const Model& syn, const Projection& proj, const std::string& name,
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

void NetworkChecker::check_probability_expr(const ast::Expr* e, ArgKind kind, const std::string& what,
                                            Projection& proj) {
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

void NetworkChecker::report_connection_var_in(const ast::Expr* e, const char* name, const std::string& connector) {
  for (const auto& [expr, sym] : ctx_.program.symbols)
    if (sym->kind == SymbolKind::Connection && sym->name == name && within(expr->range, e->range)) {
      ctx_.diags.report(DiagId::connection_variable_here, expr->range, name, connector);
      return;
    }
}

bool NetworkChecker::within(diag::SourceRange inner, diag::SourceRange outer) {
  return inner.begin.file == outer.begin.file && inner.begin.offset >= outer.begin.offset &&
         inner.end.offset <= outer.end.offset;
}

void NetworkChecker::check_connection_list(const ast::Expr* e, Projection& proj, std::int64_t n_pre,
                                           std::int64_t n_post, const std::string& pre_name,
                                           const std::string& post_name) {
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

void NetworkChecker::check_matrix(const ast::Expr* e, Connector& c, std::int64_t n_pre, std::int64_t n_post) {
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

}  // namespace gennc::sema
