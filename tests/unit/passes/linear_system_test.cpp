// Detection of linear constant-coefficient systems (exact integration) against the cases
// that must be rejected: bilinear conductance terms, squares, time-dependent forcing.
#include <catch2/catch.hpp>

#include "ir/fold.h"
#include "passes/linear_system.h"

using namespace gennc;
using namespace gennc::ir;
using passes::affine_system;

namespace {

ExprPtr f(double v) { return fconst(Type::F64, v); }
ExprPtr x(LocalId id) { return local(id, Type::F64); }
ExprPtr add(ExprPtr a, ExprPtr b) { return binary(BinaryOp::Add, std::move(a), std::move(b)); }
ExprPtr sub(ExprPtr a, ExprPtr b) { return binary(BinaryOp::Sub, std::move(a), std::move(b)); }
ExprPtr mul(ExprPtr a, ExprPtr b) { return binary(BinaryOp::Mul, std::move(a), std::move(b)); }
ExprPtr div(ExprPtr a, ExprPtr b) { return binary(BinaryOp::Div, std::move(a), std::move(b)); }

double value(const ExprPtr& e) {
  REQUIRE(e);
  ExprPtr folded = fold(clone(*e));
  REQUIRE(is_const(*folded));
  return const_value(*folded);
}

const LocalId V = 0, I = 1, G = 2, IN = 3;

}  // namespace

TEST_CASE("LIF with a current receptor is affine with constant coefficients", "[linear]") {
  // v' = (v_rest - v)/tau_m + (i + i_in)/cm ; i' = -i/tau_s   (i_in: a local input)
  ExprPtr dv = add(div(sub(f(-65), x(V)), f(20)), div(add(x(I), x(IN)), f(0.25)));
  ExprPtr di = div(unary(UnaryOp::Neg, x(I)), f(5));
  auto sys = affine_system({V, I}, {dv.get(), di.get()});
  REQUIRE(sys);
  CHECK(value(sys->a[0][0]) == Approx(-1.0 / 20));
  CHECK(value(sys->a[0][1]) == Approx(1.0 / 0.25));
  CHECK(sys->a[1][0] == nullptr);
  CHECK(value(sys->a[1][1]) == Approx(-1.0 / 5));
  REQUIRE(sys->b[0]);
  CHECK(passes::reads_local(*sys->b[0], IN));
  CHECK(sys->b[1] == nullptr);
}

TEST_CASE("systems that are not linear with constant coefficients are rejected", "[linear]") {
  struct Case {
    const char* what;
    ExprPtr dv;
  };
  Case cases[] = {
      {"conductance times voltage (IF_cond_exp)", mul(x(G), sub(f(0), x(V)))},
      {"a square (Izhikevich)", mul(mul(f(0.04), x(V)), x(V))},
      {"a state inside a function (AdExp)", call(MathFn::Exp, [] {
         std::vector<ExprPtr> a;
         a.push_back(x(V));
         return a;
       }())},
      {"forcing that depends on time", add(unary(UnaryOp::Neg, x(V)), input(Input::Time))},
      {"division by a state", div(f(1), x(V))},
  };
  for (Case& c : cases) {
    INFO(c.what);
    ExprPtr dg = unary(UnaryOp::Neg, x(G));
    CHECK_FALSE(affine_system({V, G}, {c.dv.get(), dg.get()}));
  }
}

TEST_CASE("step invariance: parameters and dt yes, locals, time and state arrays no", "[linear]") {
  Module m;
  Array param;
  param.name = "p.tau";
  param.flags = GENNC_ARRAY_PARAMETER;
  Array state;
  state.name = "p.v";
  state.flags = GENNC_ARRAY_STATE;
  ArrayId pa = m.add_array(param), sa = m.add_array(state);
  CHECK(passes::is_step_invariant(*div(f(-1), cast(Type::F64, load(pa, Type::F32, input(Input::Index)))), m));
  CHECK(passes::is_step_invariant(*mul(input(Input::Dt), f(2)), m));
  CHECK_FALSE(passes::is_step_invariant(*cast(Type::F64, load(sa, Type::F32, input(Input::Index))), m));
  CHECK_FALSE(passes::is_step_invariant(*x(IN), m));
  CHECK_FALSE(passes::is_step_invariant(*input(Input::Time), m));
}
