#include "sema/units.h"

#include <algorithm>
#include <cstdlib>

#include "sema/edit_distance.h"

namespace gennc::sema {

Dimension Dimension::base(BaseDim d, int exponent) {
  Dimension r;
  r.exps_[static_cast<int>(d)] = static_cast<std::int8_t>(exponent);
  return r;
}

bool Dimension::dimensionless() const {
  return std::all_of(exps_.begin(), exps_.end(), [](std::int8_t e) { return e == 0; });
}

Dimension Dimension::operator*(const Dimension& o) const {
  Dimension r;
  for (int i = 0; i < kNumBaseDims; ++i) r.exps_[i] = static_cast<std::int8_t>(exps_[i] + o.exps_[i]);
  return r;
}

Dimension Dimension::operator/(const Dimension& o) const {
  Dimension r;
  for (int i = 0; i < kNumBaseDims; ++i) r.exps_[i] = static_cast<std::int8_t>(exps_[i] - o.exps_[i]);
  return r;
}

Dimension Dimension::pow(int n) const {
  Dimension r;
  for (int i = 0; i < kNumBaseDims; ++i) r.exps_[i] = static_cast<std::int8_t>(exps_[i] * n);
  return r;
}

std::optional<Dimension> Dimension::root(int n) const {
  Dimension r;
  for (int i = 0; i < kNumBaseDims; ++i) {
    if (exps_[i] % n != 0) return std::nullopt;
    r.exps_[i] = static_cast<std::int8_t>(exps_[i] / n);
  }
  return r;
}

Dimension Dimension::substitute_weight(const Dimension& unit) const {
  Dimension rest = *this;
  int k = rest.exps_[static_cast<int>(BaseDim::Weight)];
  rest.exps_[static_cast<int>(BaseDim::Weight)] = 0;
  return rest * unit.pow(k);
}

namespace {

// Dimensions of the derived units in terms of the base dimensions.
Dimension capacitance() { return Dimension::current() * Dimension::time() / Dimension::voltage(); }
Dimension conductance() { return Dimension::current() / Dimension::voltage(); }
Dimension resistance() { return Dimension::voltage() / Dimension::current(); }
Dimension charge() { return Dimension::current() * Dimension::time(); }
Dimension frequency() { return Dimension() / Dimension::time(); }

}  // namespace

const std::vector<Unit>& all_units() {
  static const std::vector<Unit> units = {
      {"s", Dimension::time(), 1e3},      {"ms", Dimension::time(), 1.0},
      {"us", Dimension::time(), 1e-3},    {"V", Dimension::voltage(), 1e3},
      {"mV", Dimension::voltage(), 1.0},  {"uV", Dimension::voltage(), 1e-3},
      {"A", Dimension::current(), 1e9},   {"mA", Dimension::current(), 1e6},
      {"uA", Dimension::current(), 1e3},  {"nA", Dimension::current(), 1.0},
      {"pA", Dimension::current(), 1e-3}, {"F", capacitance(), 1e9},
      {"uF", capacitance(), 1e3},         {"nF", capacitance(), 1.0},
      {"pF", capacitance(), 1e-3},        {"S", conductance(), 1e6},
      {"mS", conductance(), 1e3},         {"uS", conductance(), 1.0},
      {"nS", conductance(), 1e-3},        {"Ohm", resistance(), 1e-6},
      {"kOhm", resistance(), 1e-3},       {"MOhm", resistance(), 1.0},
      {"GOhm", resistance(), 1e3},        {"C", charge(), 1e12},
      {"nC", charge(), 1e3},              {"pC", charge(), 1.0},
      {"Hz", frequency(), 1e-3},          {"kHz", frequency(), 1.0},
      {"m", Dimension::length(), 1e6},    {"mm", Dimension::length(), 1e3},
      {"um", Dimension::length(), 1.0},   {"weight", Dimension::weight(), 1.0},
  };
  return units;
}

const Unit* find_unit(std::string_view name) {
  for (const Unit& u : all_units())
    if (u.name == name) return &u;
  return nullptr;
}

std::optional<ResolvedUnit> resolve_unit(const std::vector<UnitFactorRef>& factors, std::size_t* unknown) {
  ResolvedUnit r;
  for (std::size_t i = 0; i < factors.size(); ++i) {
    const Unit* u = find_unit(factors[i].name);
    if (!u) {
      if (unknown) *unknown = i;
      return std::nullopt;
    }
    r.dim = r.dim * u->dim.pow(factors[i].exponent);
    for (int k = 0; k < std::abs(factors[i].exponent); ++k)
      r.scale = factors[i].exponent > 0 ? r.scale * u->scale : r.scale / u->scale;
  }
  return r;
}

namespace {

// The internal units with names, in the order formatting prefers them: the base units
// first so that `mV/ms` wins over `nA/nF`.
struct NamedDim {
  std::string_view name;
  Dimension dim;
};
const std::vector<NamedDim>& internal_units() {
  static const std::vector<NamedDim> units = {
      {"mV", Dimension::voltage()}, {"nA", Dimension::current()}, {"ms", Dimension::time()},
      {"um", Dimension::length()},  {"weight", Dimension::weight()}, {"nF", capacitance()},
      {"uS", conductance()},        {"MOhm", resistance()},        {"pC", charge()},
  };
  return units;
}

std::string power(std::string_view name, int exponent) {
  std::string s(name);
  if (exponent != 1) s += "^" + std::to_string(exponent);
  return s;
}

// Writes factors (name, exponent != 0) as `a*b/(c*d)`; `1/c` without a numerator.
std::string join_factors(const std::vector<std::pair<std::string_view, int>>& factors) {
  std::vector<std::string> num, den;
  for (const auto& [name, e] : factors) {
    if (e > 0) num.push_back(power(name, e));
    if (e < 0) den.push_back(power(name, -e));
  }
  auto join = [](const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : "*") + p;
    return s;
  };
  std::string s = num.empty() ? "1" : join(num);
  if (!den.empty()) s += "/" + (den.size() > 1 ? "(" + join(den) + ")" : join(den));
  return s;
}

}  // namespace

std::string format_dimension(const Dimension& dim) {
  if (dim.dimensionless()) return "1";
  const auto& units = internal_units();
  // One internal unit, possibly to a power.
  for (int k : {1, -1, 2, -2, 3, -3})
    for (const auto& u : units)
      if (u.dim.pow(k) == dim) return join_factors({{u.name, k}});
  // Two internal units, the smallest total exponent first.
  for (int cost = 2; cost <= 4; ++cost)
    for (std::size_t a = 0; a < units.size(); ++a)
      for (std::size_t b = a + 1; b < units.size(); ++b)
        for (int ea = -3; ea <= 3; ++ea)
          for (int eb = -3; eb <= 3; ++eb) {
            if (ea == 0 || eb == 0 || std::abs(ea) + std::abs(eb) != cost) continue;
            if (units[a].dim.pow(ea) * units[b].dim.pow(eb) == dim)
              return join_factors({{units[a].name, ea}, {units[b].name, eb}});
          }
  // The base units.
  std::vector<std::pair<std::string_view, int>> factors = {
      {"mV", dim.exponent(BaseDim::Voltage)}, {"nA", dim.exponent(BaseDim::Current)},
      {"um", dim.exponent(BaseDim::Length)},  {"weight", dim.exponent(BaseDim::Weight)},
      {"ms", dim.exponent(BaseDim::Time)},
  };
  return join_factors(factors);
}

std::string suggest_unit(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Unit& u : all_units()) names.push_back(u.name);
  return closest_name(name, names);
}

}  // namespace gennc::sema
