#include "sema/program.h"

namespace gennc::sema {

const Symbol* Model::find(std::string_view name) const {
  for (const auto* list : {&parameters, &state, &derived, &inputs, &uses})
    for (const Symbol* s : *list)
      if (s->name == name) return s;
  return nullptr;
}

const ReceptorDefault* Model::find_receptor(std::string_view name) const {
  for (const auto& r : receptors)
    if (r.name == name) return &r;
  return nullptr;
}

std::int64_t IndexSet::size() const {
  if (!is_slice) return static_cast<std::int64_t>(indices.size());
  if (step <= 0 || stop <= start) return 0;
  return (stop - start + step - 1) / step;
}

std::optional<std::size_t> Population::find_receptor(std::string_view name) const {
  for (std::size_t i = 0; i < receptors.size(); ++i)
    if (receptors[i].name == name) return i;
  return std::nullopt;
}

const char* to_string(ConnectorKind k) {
  switch (k) {
    case ConnectorKind::AllToAll: return "all_to_all";
    case ConnectorKind::OneToOne: return "one_to_one";
    case ConnectorKind::FixedProbability: return "fixed_probability";
    case ConnectorKind::FixedNumberPre: return "fixed_number_pre";
    case ConnectorKind::FixedNumberPost: return "fixed_number_post";
    case ConnectorKind::FixedTotalNumber: return "fixed_total_number";
    case ConnectorKind::DistanceDependentProbability: return "distance_dependent_probability";
    case ConnectorKind::DisplacementDependentProbability: return "displacement_dependent_probability";
    case ConnectorKind::IndexBasedProbability: return "index_based_probability";
    case ConnectorKind::SmallWorld: return "small_world";
    case ConnectorKind::FromList: return "from_list";
    case ConnectorKind::FromFile: return "from_file";
    case ConnectorKind::Array: return "array";
    case ConnectorKind::Clone: return "clone";
    case ConnectorKind::FromHost: return "from_host";
  }
  return "?";
}

const Model* Program::find_model(std::string_view name) const {
  for (const auto& m : models)
    if (m->name == name) return m.get();
  return nullptr;
}

const Type* Program::type_of(const ast::Expr* e) const {
  auto it = types.find(e);
  return it == types.end() ? nullptr : &it->second;
}

const Symbol* Program::symbol_of(const ast::Expr* e) const {
  auto it = symbols.find(e);
  return it == symbols.end() ? nullptr : it->second;
}

}  // namespace gennc::sema
