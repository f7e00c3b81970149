#include <catch2/catch.hpp>

#include <cmath>

#include "sema/edit_distance.h"
#include "sema/types.h"
#include "sema/units.h"

using namespace gennc::sema;

namespace {

ResolvedUnit resolve(std::vector<UnitFactorRef> factors) {
  std::size_t unknown = 99;
  auto r = resolve_unit(factors, &unknown);
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("every listed unit converts to the internal system", "[units]") {
  struct Row {
    const char* name;
    double scale;
    Dimension dim;
  };
  const Dimension cap = Dimension::current() * Dimension::time() / Dimension::voltage();
  const Dimension cond = Dimension::current() / Dimension::voltage();
  const Dimension res = Dimension::voltage() / Dimension::current();
  const Dimension charge = Dimension::current() * Dimension::time();
  const Dimension freq = Dimension() / Dimension::time();
  const std::vector<Row> rows = {
      {"s", 1e3, Dimension::time()},      {"ms", 1, Dimension::time()},
      {"us", 1e-3, Dimension::time()},    {"V", 1e3, Dimension::voltage()},
      {"mV", 1, Dimension::voltage()},    {"uV", 1e-3, Dimension::voltage()},
      {"A", 1e9, Dimension::current()},   {"mA", 1e6, Dimension::current()},
      {"uA", 1e3, Dimension::current()},  {"nA", 1, Dimension::current()},
      {"pA", 1e-3, Dimension::current()}, {"F", 1e9, cap},
      {"uF", 1e3, cap},                   {"nF", 1, cap},
      {"pF", 1e-3, cap},                  {"S", 1e6, cond},
      {"mS", 1e3, cond},                  {"uS", 1, cond},
      {"nS", 1e-3, cond},                 {"Ohm", 1e-6, res},
      {"kOhm", 1e-3, res},                {"MOhm", 1, res},
      {"GOhm", 1e3, res},                 {"C", 1e12, charge},
      {"nC", 1e3, charge},                {"pC", 1, charge},
      {"Hz", 1e-3, freq},                 {"kHz", 1, freq},
      {"m", 1e6, Dimension::length()},    {"mm", 1e3, Dimension::length()},
      {"um", 1, Dimension::length()},     {"weight", 1, Dimension::weight()},
  };
  CHECK(all_units().size() == rows.size());
  for (const Row& row : rows) {
    INFO(row.name);
    const Unit* u = find_unit(row.name);
    REQUIRE(u != nullptr);
    CHECK(u->scale == Approx(row.scale));
    CHECK(u->dim == row.dim);
  }
}

TEST_CASE("unknown unit names are not units", "[units]") {
  CHECK(find_unit("mv") == nullptr);
  CHECK(find_unit("msec") == nullptr);
  CHECK(find_unit("") == nullptr);
  std::size_t unknown = 99;
  CHECK_FALSE(resolve_unit({{"nA", 1}, {"mVV", -1}}, &unknown));
  CHECK(unknown == 1);
  CHECK(suggest_unit("mv") == "mV");
  CHECK(suggest_unit("mOhm") == "MOhm");
  CHECK(suggest_unit("msec") == "");
  CHECK(suggest_unit("xyzzy") == "");
}

TEST_CASE("the internal system needs no factors", "[units]") {
  // nA = uS * mV, mV/ms = nA/nF, mV = MOhm * nA, pC = nA * ms
  CHECK(find_unit("uS")->dim * find_unit("mV")->dim == find_unit("nA")->dim);
  CHECK(find_unit("mV")->dim / find_unit("ms")->dim == find_unit("nA")->dim / find_unit("nF")->dim);
  CHECK(find_unit("MOhm")->dim * find_unit("nA")->dim == find_unit("mV")->dim);
  CHECK(find_unit("nA")->dim * find_unit("ms")->dim == find_unit("pC")->dim);
  auto r = resolve({{"nA", 1}, {"ms", 1}, {"nF", -1}});
  CHECK(r.dim == Dimension::voltage());
  CHECK(r.scale == Approx(1.0));
}

TEST_CASE("compound units: products, quotients, powers", "[units]") {
  SECTION("quotient with a scale on both sides") {
    auto r = resolve({{"pA", 1}, {"mV", -1}});  // 1 pA/mV = 1e-3 uS
    CHECK(r.dim == find_unit("uS")->dim);
    CHECK(r.scale == Approx(1e-3));
  }
  SECTION("negative power") {
    auto r = resolve({{"s", -1}});  // 1/s = 1e-3 /ms, like Hz
    CHECK(r.dim == find_unit("Hz")->dim);
    CHECK(r.scale == Approx(1e-3));
  }
  SECTION("squared") {
    auto r = resolve({{"mm", 2}});
    CHECK(r.dim == Dimension::length().pow(2));
    CHECK(r.scale == Approx(1e6));
  }
  SECTION("empty product is dimensionless 1") {
    auto r = resolve({});
    CHECK(r.dim.dimensionless());
    CHECK(r.scale == 1.0);
  }
  SECTION("pF * GOhm is a time") {
    auto r = resolve({{"pF", 1}, {"GOhm", 1}});  // 1e-12 F * 1e9 Ohm = 1 ms
    CHECK(r.dim == Dimension::time());
    CHECK(r.scale == Approx(1.0));
  }
}

TEST_CASE("dimension arithmetic", "[units]") {
  Dimension v = Dimension::voltage();
  CHECK((v / v).dimensionless());
  CHECK(v.pow(0).dimensionless());
  CHECK(v.pow(2).root(2) == v);
  CHECK_FALSE(v.root(2));
  CHECK(v.pow(-3).exponent(BaseDim::Voltage) == -3);
  CHECK(Dimension().root(2) == Dimension());
  Dimension uS = Dimension::current() / v;
  CHECK(Dimension::weight().substitute_weight(uS) == uS);
  CHECK((Dimension::weight() / Dimension::time()).substitute_weight(Dimension::current()) ==
        Dimension::current() / Dimension::time());
  CHECK(v.substitute_weight(uS) == v);
  CHECK(Dimension::weight().has_weight());
  CHECK_FALSE(v.has_weight());
}

TEST_CASE("formatting dimensions", "[units]") {
  auto f = [](std::vector<UnitFactorRef> factors) { return format_dimension(resolve(factors).dim); };
  CHECK(format_dimension(Dimension()) == "1");
  CHECK(f({{"mV", 1}}) == "mV");
  CHECK(f({{"V", 1}}) == "mV");
  CHECK(f({{"pA", 1}}) == "nA");
  CHECK(f({{"s", 1}}) == "ms");
  CHECK(f({{"um", 1}}) == "um");
  CHECK(f({{"pF", 1}}) == "nF");
  CHECK(f({{"nS", 1}}) == "uS");
  CHECK(f({{"nA", 1}, {"mV", -1}}) == "uS");
  CHECK(f({{"Ohm", 1}}) == "MOhm");
  CHECK(f({{"C", 1}}) == "pC");
  CHECK(f({{"Hz", 1}}) == "1/ms");
  CHECK(f({{"ms", -2}}) == "1/ms^2");
  CHECK(f({{"mV", 2}}) == "mV^2");
  CHECK(f({{"mV", 1}, {"ms", -1}}) == "mV/ms");
  CHECK(f({{"nA", 1}, {"ms", -1}}) == "nA/ms");
  CHECK(f({{"uS", 1}, {"ms", -1}}) == "uS/ms");
  CHECK(f({{"mV", 1}, {"ms", 1}}) == "mV*ms");
  CHECK(f({{"weight", 1}}) == "weight");
  CHECK(f({{"weight", 1}, {"ms", -1}}) == "weight/ms");
  CHECK(f({{"mV", 1}, {"nA", 1}, {"um", 1}, {"ms", -2}}) == "mV*nA*um/ms^2");
  CHECK(f({{"mV", -1}, {"nA", -1}, {"ms", -1}, {"um", -1}}) == "1/(mV*nA*um*ms)");
}

TEST_CASE("types print and compare", "[types]") {
  CHECK(to_string(Type::real()) == "real");
  CHECK(to_string(Type::integer()) == "int");
  CHECK(to_string(Type::boolean()) == "bool");
  CHECK(to_string(Type::quantity(Dimension::voltage())) == "mV");
  CHECK(to_string(Type::quantity(Dimension::time()).as_list()) == "ms[]");
  CHECK(to_string(Type::of(TypeKind::Population)) == "population");
  CHECK(Type::integer().same_as(Type::real()));
  CHECK(Type::quantity(Dimension()).same_as(Type::real()));
  CHECK_FALSE(Type::real().same_as(Type::quantity(Dimension::voltage())));
  CHECK_FALSE(Type::real().same_as(Type::real().as_list()));
  CHECK_FALSE(Type::boolean().same_as(Type::integer()));
}

TEST_CASE("edit distance and suggestions", "[names]") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("tau_m", "tau_m") == 0);
  CHECK(edit_distance("tua_m", "tau_m") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(closest_name("tua_m", {"v", "tau_m", "tau_syn"}) == "tau_m");
  CHECK(closest_name("excitory", {"excitatory", "inhibitory"}) == "excitatory");
  CHECK(closest_name("q", {"v", "tau_m"}) == "v");
  CHECK(closest_name("zzzzzz", {"v", "tau_m"}) == "");
  CHECK(closest_name("V_rest", {"v_reset", "v_rest"}) == "v_rest");
}
