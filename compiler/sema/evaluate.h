// Constant evaluation of checked expressions, in internal units: parameter defaults,
// network settings, sizes, arguments and `let` constants.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sema/program.h"

namespace gennc::sema {

struct ConstValue {
  enum class Kind { Number, Bool, List, String, Distribution };
  Kind kind = Kind::Number;
  double number = 0.0;             // Number; Bool as 0/1
  std::vector<double> list;        // List (nested lists are flattened row by row; see rows)
  std::vector<std::vector<double>> rows;  // List of lists (`[[0, 1], [2, 3]]`)
  std::string text;                // String
  Distribution distribution;       // Distribution
};

// The value of a symbol that is itself a constant (network constants may be
// distributions or lists, which Symbol::value cannot hold); nullopt when not constant.
using ConstLookup = std::function<std::optional<ConstValue>(const Symbol&)>;

// Evaluates `e`, whose types and names are in `program`'s tables, when every name in it
// is a constant (a unit, or what `lookup` knows). Returns nullopt for anything else and
// reports nothing: the caller decides whether a constant was required.
std::optional<ConstValue> evaluate(const ast::Expr* e, const Program& program, const ConstLookup& lookup);

}  // namespace gennc::sema
