// ODE solving, run through the test interpreter: exact integration against analytic
// solutions (LIF relaxation, the PSP of an exponential current synapse, per-neuron time
// constants), RK4/Euler/exponential Euler against their defining formulas and known
// solutions, and solver selection.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "compile_ir.h"
#include "interpreter.h"
#include "ir/printer.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

const char* const kModels = R"gdsl(
neuron L {
  parameters {
    cm: nF = 1.0;  tau_m: ms = 20.0;  v_rest: mV = -65.0;  i_offset: nA = 0.0
    tau_refrac: ms = 0.0;  v_thresh: mV = 1000.0;  v_reset: mV = -65.0
  }
  state { v: mV = -65.0 }
  input { i_syn: nA }
  receptor exc: Exp(tau_syn = 5 ms)
  equations { v' = (v_rest - v) / tau_m + (i_syn + i_offset) / cm }
  threshold v >= v_thresh
  reset { v = v_reset }
  refractory tau_refrac
}
postsynaptic Exp {
  parameters { tau_syn: ms = 5.0 }
  state { i: nA = 0.0 }
  on spike(w: nA) { i += w }
  equations { i' = -i / tau_syn }
  output i_syn += i
}
neuron AlphaCell {
  parameters { tau_m: ms = 10.0 }
  state { v: mV = 0.0 }
  input { i_syn: nA }
  receptor exc: Alpha(tau_syn = 2 ms)
  equations { v' = -v / tau_m + i_syn / (1 nF) }
}
postsynaptic Alpha {
  parameters { tau_syn: ms = 0.5 }
  state { isyn: nA = 0.0;  ysyn: nA = 0.0 }
  on spike(w: nA) { ysyn += w }
  equations {
    isyn' = (exp(1) * ysyn - isyn) / tau_syn
    ysyn' = -ysyn / tau_syn
  }
  output i_syn += isyn
}
neuron Quad {
  state { x: real = 1.0 }
  equations { x' = -x * x / ms }
}
neuron QuadEuler {
  state { x: real = 1.0 }
  equations { x' = -x * x / ms }
  solver euler
}
neuron DecayExpEuler {
  parameters { tau: ms = 4.0 }
  state { x: real = 1.0 }
  equations { x' = -x / tau }
  solver exponential_euler
}
neuron QuadExact {
  state { x: real = 1.0 }
  equations { x' = -x * x / ms }
  solver exact
}
)gdsl";

std::unique_ptr<Compiled> build(const std::string& network, CompileSettings settings = {}) {
  auto c = compile_ir(std::string(kModels) + network, settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  return c;
}

const ir::Kernel* find_kernel(const ir::Module& m, const std::string& name) {
  for (const ir::Kernel& k : m.kernels)
    if (k.name == name) return &k;
  return nullptr;
}

}  // namespace

TEST_CASE("a linear LIF matches its analytic solution (double: to rounding; float: to float rounding)", "[solve_odes]") {
  const char* net = R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(1) { i_offset = 1 nA;  v = -70 mV }
})gdsl";
  for (ir::Type real : {ir::Type::F64, ir::Type::F32}) {
    CompileSettings settings;
    settings.real = real;
    auto c = build(net, settings);
    Machine machine(*c->module);
    // v(t) = v_inf + (v0 - v_inf) exp(-t / tau), v_inf = v_rest + tau_m i_offset / cm.
    const double v_inf = -65.0 + 20.0 * 1.0, v0 = -70.0;
    double worst = 0.0;
    for (int n = 1; n <= 1000; ++n) {
      machine.step_once();
      double analytic = v_inf + (v0 - v_inf) * std::exp(-n * 0.1 / 20.0);
      worst = std::fmax(worst, std::fabs(machine.array("p.v")[0] - analytic));
    }
    INFO("real " << ir::to_string(real) << ": worst error " << worst << " mV");
    // A few ulp of 65 mV either way (f32 ulp there: 7.6e-6 mV): the update adds a small
    // increment (E v + Phi b) to v, so the propagators' own rounding does not bias v.
    CHECK(worst < (real == ir::Type::F64 ? 1e-12 : 6e-5));
  }
}

TEST_CASE("the PSP of an exponential current synapse is the difference of two exponentials", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(1) { cm = 0.25 nF;  tau_m = 10 ms }
})gdsl", settings);
  Machine machine(*c->module, 2);
  // A weight w in the ring slot the first step reads at its end: the receptor current
  // jumps by w at t = 0.1 ms, the end of that step.
  const double w = 0.5, tau_m = 10.0, tau_s = 5.0, cm = 0.25;
  machine.array("p.exc.ring")[1] = w;
  for (int n = 1; n <= 300; ++n) {
    machine.step_once();
    double t = (n - 1) * 0.1;
    double psp = w * tau_m * tau_s / (cm * (tau_m - tau_s)) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
    REQUIRE(machine.array("p.v")[0] == Approx(-65.0 + psp).epsilon(1e-12).margin(1e-12));
    REQUIRE(machine.array("p.exc.i")[0] == Approx(w * std::exp(-t / tau_s)).epsilon(1e-12));
  }
}

TEST_CASE("an alpha synapse (repeated eigenvalue) gives w t/tau e^(1 - t/tau) exactly", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = AlphaCell(1)
})gdsl", settings);
  Machine machine(*c->module, 2);
  const double w = 0.7, tau = 2.0;
  machine.array("p.exc.ring")[1] = w;  // added at the end of the first step, t = 0.1 ms
  for (int n = 1; n <= 200; ++n) {
    machine.step_once();
    double t = (n - 1) * 0.1;
    REQUIRE(machine.array("p.exc.isyn")[0] == Approx(w * t / tau * std::exp(1.0 - t / tau)).epsilon(1e-12).margin(1e-15));
  }
}

TEST_CASE("time constants that differ per neuron get per-neuron propagators from the derived kernel", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(3) { tau_m = [5 ms, 20 ms, 80 ms];  i_offset = 0.5 nA }
})gdsl", settings);
  const ir::Kernel* derived = find_kernel(*c->module, "p.derived");
  REQUIRE(derived);
  Machine machine(*c->module);
  machine.run("p.derived");
  const double taus[] = {5.0, 20.0, 80.0};
  for (int n = 1; n <= 200; ++n) machine.step_once();
  for (int i = 0; i < 3; ++i) {
    double v_inf = -65.0 + taus[i] * 0.5;
    double analytic = v_inf + (-65.0 - v_inf) * std::exp(-20.0 / taus[i]);
    INFO("tau_m " << taus[i]);
    CHECK(machine.array("p.v")[static_cast<std::size_t>(i)] == Approx(analytic).epsilon(1e-12));
  }
}

TEST_CASE("RK4 solves x' = -x^2 to fourth order", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = Quad(1)
})gdsl", settings);
  Machine machine(*c->module);
  // One step equals the textbook RK4 formula.
  auto f = [](double x) { return -x * x; };
  double h = 0.1, x = 1.0;
  double k1 = f(x), k2 = f(x + h / 2 * k1), k3 = f(x + h / 2 * k2), k4 = f(x + h * k3);
  double expected = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  machine.step_once();
  CHECK(machine.array("p.x")[0] == Approx(expected).epsilon(1e-15));
  // Over 10 ms the error against 1 / (1 + t) stays at the h^4 level.
  for (int n = 2; n <= 100; ++n) machine.step_once();
  CHECK(std::fabs(machine.array("p.x")[0] - 1.0 / 11.0) < 1e-7);
}

TEST_CASE("forward Euler and exponential Euler follow their formulas", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population e = QuadEuler(1)
  population x = DecayExpEuler(1)
})gdsl", settings);
  Machine machine(*c->module);
  machine.step_once();
  CHECK(machine.array("e.x")[0] == Approx(1.0 - 0.1).epsilon(1e-15));
  // Exponential Euler is exact for a linear decay.
  for (int n = 2; n <= 50; ++n) machine.step_once();
  CHECK(machine.array("x.x")[0] == Approx(std::exp(-5.0 / 4.0)).epsilon(1e-13));
}

TEST_CASE("--solver overrides the choice; a model asking for exact on a nonlinear system is an error", "[solve_odes]") {
  const char* net = R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(1) { i_offset = 1 nA }
})gdsl";
  CompileSettings rk4;
  rk4.real = ir::Type::F64;
  rk4.passes.solver = ir::Solver::RK4;
  auto c = build(net, rk4);
  std::string text = ir::print(*c->module);
  CHECK(text.find("%v.k4") != std::string::npos);
  Machine machine(*c->module);
  for (int n = 1; n <= 100; ++n) machine.step_once();
  CHECK(machine.array("p.v")[0] == Approx(-45.0 - 20.0 * std::exp(-0.5)).epsilon(1e-9));

  auto bad = compile_ir(std::string(kModels) + R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = QuadExact(1)
})gdsl");
  REQUIRE(bad->diags->has_errors());
  CHECK(bad->diags->all().front().id == diag::DiagId::exact_solver_not_linear);
}

TEST_CASE("--runtime-parameters: a settable tau_m gets scalar propagators that follow each value set", "[solve_odes]") {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  settings.passes.runtime_parameters = true;
  auto c = build(R"gdsl(
network n { dt = 0.1 ms;  duration = 100 ms
  population p = L(3) { i_offset = 0.5 nA }
})gdsl", settings);
  for (const ir::Array& a : c->module->arrays)
    if (a.name.find("propagator") != std::string::npos || a.name == "p.tau_m") {
      INFO(a.name);
      CHECK(a.scope == GENNC_SCOPE_SCALAR);
    }
  Machine machine(*c->module);
  for (double tau : {20.0, 5.0, 80.0}) {
    INFO("tau_m " << tau);
    machine.array("p.tau_m")[0] = tau;  // gennc_set_array, which re-runs the init schedule
    machine.run("p.derived");
    CHECK(machine.array("p.propagator0.E_v_v")[0] == Approx(std::expm1(-0.1 / tau)).epsilon(1e-14));
    machine.array("p.v").assign(3, -65.0);
    for (int n = 1; n <= 200; ++n) machine.step_once();
    double v_inf = -65.0 + tau * 0.5;
    double analytic = v_inf + (-65.0 - v_inf) * std::exp(-20.0 / tau);
    for (double v : machine.array("p.v")) CHECK(v == Approx(analytic).epsilon(1e-12));
  }
}
