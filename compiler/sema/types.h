// The types sema gives to expressions. A quantity is a real with a dimension; a real is a
// dimensionless quantity (so `real` and `1` are the same type). An int promotes to real
// wherever a real is expected.
#pragma once

#include <string>

#include "sema/units.h"

namespace gennc::sema {

enum class TypeKind {
  Error,       // the expression already had an error reported; never report again
  Bool,
  Int,
  Real,        // with `dim`: a quantity; dimensionless: a plain real
  String,
  Void,        // a call that returns nothing (`emit(w)`), only valid as a statement
  // Network-level values (names of declared things and evaluated distributions).
  Population,
  View,
  Assembly,
  Projection,
  Injection,     // a named `inject`: a current source and its targets
  Distribution,  // `uniform(a, b)` etc. in a network value; `dim` is its value's dimension
};

struct Type {
  TypeKind kind = TypeKind::Error;
  Dimension dim;       // Real and Distribution only
  bool list = false;   // a list of `kind` (`ms[]`, `[1, 2, 3]`)

  static Type error() { return {}; }
  static Type boolean() { return {TypeKind::Bool, {}, false}; }
  static Type integer() { return {TypeKind::Int, {}, false}; }
  static Type real() { return {TypeKind::Real, {}, false}; }
  static Type quantity(Dimension d) { return {TypeKind::Real, d, false}; }
  static Type string() { return {TypeKind::String, {}, false}; }
  static Type of(TypeKind k) { return {k, {}, false}; }
  Type element() const { return {kind, dim, false}; }
  Type as_list() const { return {kind, dim, true}; }

  bool is_error() const { return kind == TypeKind::Error; }
  // Int or Real (any dimension), not a list.
  bool is_numeric() const { return !list && (kind == TypeKind::Int || kind == TypeKind::Real); }
  // A numeric scalar without dimension (int or real).
  bool is_dimensionless_number() const { return is_numeric() && dim.dimensionless(); }
  // Same kind after int->real promotion and the same dimension.
  bool same_as(const Type& o) const;
};

// For messages: `bool`, `int`, `real`, `mV`, `nA/mV`, `ms[]`, `population`, ...
std::string to_string(const Type& t);

}  // namespace gennc::sema
