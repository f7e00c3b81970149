// Exact propagators against closed forms: the iaf_psc_exp propagators of NEST (P11, P21,
// P22 and the constant-current propagator P20), the alpha kernel (a repeated eigenvalue)
// and a stiff single decay.
#include <catch2/catch.hpp>

#include <cmath>

#include "passes/propagator.h"

using namespace gennc::passes;

namespace {

// Relative agreement, or absolute agreement to rounding for values far below 1 (a very
// stiff decay, exp(-100), is computed as 1 + (exp(-100) - 1)).
bool close(double a, double b, double rel = 1e-14) { return std::fabs(a - b) <= rel * std::fmax(std::fabs(b), 1e-2); }

}  // namespace

TEST_CASE("a single decay x' = -x/tau propagates by exp(-h/tau)", "[propagator]") {
  struct Case { double tau, h; };
  for (Case c : {Case{20.0, 0.1}, Case{5.0, 0.1}, Case{0.2, 0.1}, Case{0.01, 1.0}, Case{1000.0, 0.001}}) {
    Propagator p = exact_propagator({{-1.0 / c.tau}}, c.h);
    INFO("tau " << c.tau << " h " << c.h);
    CHECK(close(p.p[0][0], std::exp(-c.h / c.tau)));
    CHECK(close(p.phi[0][0], -c.tau * std::expm1(-c.h / c.tau)));
  }
}

TEST_CASE("LIF with an exponential current synapse: NEST's iaf_psc_exp propagators", "[propagator]") {
  // States (v, i): v' = -v/tau_m + i/C, i' = -i/tau_s.
  const double tau_m = 20.0, tau_s = 5.0, c_m = 0.25, h = 0.1;
  Propagator p = exact_propagator({{-1.0 / tau_m, 1.0 / c_m}, {0.0, -1.0 / tau_s}}, h);
  double p11 = std::exp(-h / tau_s);
  double p22 = std::exp(-h / tau_m);
  // NEST propagator_32: the response of v to a unit current at the start of the step.
  double p21 = tau_m * tau_s / (c_m * (tau_m - tau_s)) * (std::exp(-h / tau_m) - std::exp(-h / tau_s));
  double p20 = tau_m / c_m * (1.0 - std::exp(-h / tau_m));
  CHECK(close(p.p[1][1], p11));
  CHECK(close(p.p[0][0], p22));
  CHECK(close(p.p[0][1], p21, 1e-12));
  CHECK(p.p[1][0] == 0.0);
  // A constant current I enters v's constant term as I/C: Phi_vv * I / C = P20 * I.
  CHECK(close(p.phi[0][0] / c_m, p20, 1e-13));
}

TEST_CASE("the alpha kernel's repeated eigenvalue has the closed form h/tau e^(1-h/tau)", "[propagator]") {
  // isyn' = (e ysyn - isyn)/tau, ysyn' = -ysyn/tau.
  const double tau = 0.5, h = 0.1;
  Propagator p = exact_propagator({{-1.0 / tau, std::exp(1.0) / tau}, {0.0, -1.0 / tau}}, h);
  CHECK(close(p.p[0][0], std::exp(-h / tau)));
  CHECK(close(p.p[0][1], h / tau * std::exp(1.0 - h / tau), 1e-13));
  CHECK(close(p.p[1][1], std::exp(-h / tau)));
}

TEST_CASE("propagator patterns follow chains of influence", "[propagator]") {
  // v <- i <- y (alpha synapse feeding v): v depends on y through i.
  auto pattern = propagator_pattern({{true, true, false}, {false, true, true}, {false, false, true}});
  CHECK(pattern[0][2]);
  CHECK(pattern[0][1]);
  CHECK_FALSE(pattern[2][0]);
  CHECK_FALSE(pattern[1][0]);
  CHECK(pattern[2][2]);
}
