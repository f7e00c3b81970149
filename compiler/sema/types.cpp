#include "sema/types.h"

namespace gennc::sema {

bool Type::same_as(const Type& o) const {
  if (list != o.list) return false;
  auto promoted = [](TypeKind k) { return k == TypeKind::Int ? TypeKind::Real : k; };
  if (promoted(kind) != promoted(o.kind)) return false;
  return dim == o.dim;
}

std::string to_string(const Type& t) {
  std::string s;
  switch (t.kind) {
    case TypeKind::Error: s = "<error>"; break;
    case TypeKind::Bool: s = "bool"; break;
    case TypeKind::Int: s = "int"; break;
    case TypeKind::Real: s = t.dim.dimensionless() ? "real" : format_dimension(t.dim); break;
    case TypeKind::String: s = "string"; break;
    case TypeKind::Void: s = "void"; break;
    case TypeKind::Population: s = "population"; break;
    case TypeKind::View: s = "view"; break;
    case TypeKind::Assembly: s = "assembly"; break;
    case TypeKind::Projection: s = "projection"; break;
    case TypeKind::Injection: s = "current source"; break;
    case TypeKind::Distribution:
      s = t.dim.dimensionless() ? "distribution" : "distribution of " + format_dimension(t.dim);
      break;
  }
  return t.list ? s + "[]" : s;
}

}  // namespace gennc::sema
