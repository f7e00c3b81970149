// Physical dimensions and the unit table. gennc computes in one internal unit system —
// ms, mV, nA, um — in which nF (= nA*ms/mV), uS (= nA/mV), MOhm (= mV/nA), pC (= nA*ms)
// and 1/ms follow without factors. Every unit name has a dimension and a scale that
// converts a value written in it to that system (1 pF = 0.001 nF, 1 Hz = 0.001 /ms).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gennc::sema {

// The base dimensions. `Weight` is symbolic: it stands for the unit of the receptor's
// `on spike` parameter and is substituted when a projection binds a synapse to a receptor.
enum class BaseDim : int { Time, Voltage, Current, Length, Weight };
inline constexpr int kNumBaseDims = 5;

// A dimension: an integer exponent per base dimension. Dimensionless is all zeros.
class Dimension {
 public:
  constexpr Dimension() = default;
  static Dimension base(BaseDim d, int exponent = 1);
  static Dimension time() { return base(BaseDim::Time); }
  static Dimension voltage() { return base(BaseDim::Voltage); }
  static Dimension current() { return base(BaseDim::Current); }
  static Dimension length() { return base(BaseDim::Length); }
  static Dimension weight() { return base(BaseDim::Weight); }

  int exponent(BaseDim d) const { return exps_[static_cast<int>(d)]; }
  bool dimensionless() const;
  bool has_weight() const { return exponent(BaseDim::Weight) != 0; }

  Dimension operator*(const Dimension& o) const;
  Dimension operator/(const Dimension& o) const;
  Dimension pow(int n) const;
  // The square root when every exponent is even (sqrt of mV^2 is mV); nullopt otherwise.
  std::optional<Dimension> root(int n) const;
  // Replaces the symbolic weight dimension by `unit` (weight^k -> unit^k).
  Dimension substitute_weight(const Dimension& unit) const;

  bool operator==(const Dimension& o) const { return exps_ == o.exps_; }
  bool operator!=(const Dimension& o) const { return exps_ != o.exps_; }

 private:
  std::array<std::int8_t, kNumBaseDims> exps_{};
};

// A known unit name.
struct Unit {
  std::string_view name;
  Dimension dim;
  double scale;  // value in the internal system of 1 of this unit (1 s -> 1000 ms)
};

// The unit named `name` (`mV`, `pF`, `Hz`, `weight`, ...), or nullptr.
const Unit* find_unit(std::string_view name);
// Every known unit, in the order docs/language.md lists them.
const std::vector<Unit>& all_units();

// A unit written as factors with exponents (`nA/mV` = nA^1 * mV^-1), resolved.
struct ResolvedUnit {
  Dimension dim;
  double scale = 1.0;
};
struct UnitFactorRef {
  std::string_view name;
  int exponent;
};
// Resolves a product of unit factors; returns the index of the first unknown factor in
// *unknown (when given) and nullopt when a name is not a unit.
std::optional<ResolvedUnit> resolve_unit(const std::vector<UnitFactorRef>& factors, std::size_t* unknown);

// A readable name for a dimension, for messages: the internal unit of that dimension when
// one has a name (`mV`, `nA`, `nF`, `uS`, `MOhm`, `pC`, `weight`), else a product or
// quotient of at most two internal units (`mV/ms`, `1/ms`, `uS/ms`, `mV^2`), else the
// base units (`mV*nA/ms^2`). Dimensionless is `1`. Frequencies print as `1/ms`, the
// internal unit, never as `Hz` (whose scale differs).
std::string format_dimension(const Dimension& dim);

// The closest unit name within a small edit distance (for "did you mean"), or empty.
std::string suggest_unit(std::string_view name);

}  // namespace gennc::sema
