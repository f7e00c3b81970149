// Table-driven parser tests: each input with the exact AST dump (ranges included) and the
// exact diagnostics it must produce. The tables were produced by `gennc --emit=ast` and
// reviewed; a change in the dump format shows here and in tests/golden/ast/.
#include <catch2/catch.hpp>

#include <sstream>

#include "ast/printer.h"
#include "parse/parse.h"

using namespace gennc;

namespace {

struct Parsed {
  std::string ast;
  std::string diagnostics;
  std::size_t errors = 0;
  std::unique_ptr<ast::Module> module;
};

Parsed run(const std::string& text) {
  diag::SourceManager sm;
  diag::FileId f = sm.add_file("t.gdsl", text);
  std::ostringstream err;
  diag::Diagnostics diags(sm, &err);
  auto module = parse::parse_module(f, diags);
  return {ast::to_text(*module, sm), err.str(), diags.error_count(), std::move(module)};
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct AstCase {
  const char* name;
  const char* input;
  const char* ast;
};

// Every grammar construct parses without diagnostics to exactly this tree.
const AstCase kAstCases[] = {
    {"imports",
     R"gdsl(import pynn
import "lib/a.gdsl";
import "q\"\\\n\t")gdsl",
     "Module t.gdsl\n"
     "  Import library pynn <1:1-1:12>\n"
     "  Import file \"lib/a.gdsl\" <2:1-2:20>\n"
     "  Import file \"q\\\"\\\\\\n\\t\" <3:1-3:19>\n"},
    {"declaration sections and types",
     R"gdsl(neuron N {
  parameters { cm: nF = 1.0; g: nA/mV; k: 1/ms = 2 / ms; e: ms^-1; n: int = 3; b: bool = true }
  state { v: mV = -65 mV }
  derived { r: real = 0.5 }
  input { i_syn: nA }
  parameters { times: ms[] = [1 ms, 2 ms] }
})gdsl",
     "Module t.gdsl\n"
     "  Neuron N <1:1-7:2>\n"
     "    Parameter cm: nF = Number 1.0 <2:16-2:28>\n"
     "    Parameter g: nA/mV <2:30-2:38>\n"
     "    Parameter k: 1/ms = <2:40-2:56>\n"
     "      Binary / <2:50-2:56>\n"
     "        Number 2 <2:50-2:51>\n"
     "        Name ms <2:54-2:56>\n"
     "    Parameter e: 1/ms <2:58-2:66>\n"
     "    Parameter n: int = Number 3 <2:68-2:78>\n"
     "    Parameter b: bool = Bool true <2:80-2:94>\n"
     "    State v: mV = <3:11-3:25>\n"
     "      Unary - <3:19-3:25>\n"
     "        Quantity 65 mV <3:20-3:25>\n"
     "    Derived r: real = Number 0.5 <4:13-4:26>\n"
     "    Input i_syn: nA <5:11-5:20>\n"
     "    Parameter times: ms[] = <6:16-6:42>\n"
     "      List (2 elements) <6:30-6:42>\n"
     "        Quantity 1 ms <6:31-6:35>\n"
     "        Quantity 2 ms <6:37-6:41>\n"},
    {"units with exponents and parentheses",
     R"gdsl(neuron U { parameters { a: mV^2/(nA*ms^-1); b: 1; c: (1/ms)/mV } })gdsl",
     "Module t.gdsl\n"
     "  Neuron U <1:1-1:67>\n"
     "    Parameter a: mV^2*ms/nA <1:25-1:43>\n"
     "    Parameter b: 1 <1:45-1:49>\n"
     "    Parameter c: 1/ms/mV <1:51-1:63>\n"},
    {"neuron items: equations, threshold, reset, refractory, update, solver",
     R"gdsl(neuron N {
  state { v: mV = 0 mV }
  equations { v' = -v / tau; w' = 1 }
  threshold v >= 1 mV
  reset { v = 0 mV }
  refractory 2 ms
  update { v += 1 mV }
  solver rk4
})gdsl",
     "Module t.gdsl\n"
     "  Neuron N <1:1-9:2>\n"
     "    State v: mV = Quantity 0 mV <2:11-2:23>\n"
     "    Equation v' = <3:15-3:28>\n"
     "      Binary / <3:20-3:28>\n"
     "        Unary - <3:20-3:22>\n"
     "          Name v <3:21-3:22>\n"
     "        Name tau <3:25-3:28>\n"
     "    Equation w' = Number 1 <3:30-3:36>\n"
     "    Threshold <4:3-4:22>\n"
     "      Binary >= <4:13-4:22>\n"
     "        Name v <4:13-4:14>\n"
     "        Quantity 1 mV <4:18-4:22>\n"
     "    Reset <5:9-5:21>\n"
     "      Assign v = Quantity 0 mV <5:11-5:19>\n"
     "    Refractory Quantity 2 ms <6:3-6:18>\n"
     "    Update <7:10-7:23>\n"
     "      Assign v += Quantity 1 mV <7:12-7:21>\n"
     "    Solver rk4 <8:3-8:13>\n"},
    {"postsynaptic: uses, on spike with parameters, output",
     R"gdsl(postsynaptic P {
  uses { v: mV }
  on spike(w: nA, d: ms) { i += w }
  output i_syn += i
})gdsl",
     "Module t.gdsl\n"
     "  Postsynaptic P <1:1-5:2>\n"
     "    Uses v: mV <2:10-2:15>\n"
     "    On spike(w: nA, d: ms) <3:3-3:36>\n"
     "      Assign i += Name w <3:28-3:34>\n"
     "    Output i_syn += Name i <4:3-4:20>\n"},
    {"synapse: slot, traces, on pre and post, emit",
     R"gdsl(synapse S {
  slot timing: timing_dependence
  pre_trace { state { x: real = 0 } on spike { x += 1 } }
  post_trace { equations { y' = -y / tau } }
  on pre { emit(weight) }
  on post { }
})gdsl",
     "Module t.gdsl\n"
     "  Synapse S <1:1-7:2>\n"
     "    Slot timing: timing_dependence <2:3-2:33>\n"
     "    PreTrace <3:3-3:58>\n"
     "      State x: real = Number 0 <3:23-3:34>\n"
     "      On spike <3:37-3:56>\n"
     "        Assign x += Number 1 <3:48-3:54>\n"
     "    PostTrace <4:3-4:45>\n"
     "      Equation y' = <4:28-4:41>\n"
     "        Binary / <4:33-4:41>\n"
     "          Unary - <4:33-4:35>\n"
     "            Name y <4:34-4:35>\n"
     "          Name tau <4:38-4:41>\n"
     "    On pre <5:3-5:26>\n"
     "      ExprStmt <5:12-5:24>\n"
     "        Call emit <5:12-5:24>\n"
     "          Name weight <5:17-5:23>\n"
     "    On post <6:3-6:14>\n"},
    {"weight dependence function and neuron receptor",
     R"gdsl(weight_dependence W {
  function potentiate(dw: real) { w += dw * (w_max - w) }
}
neuron M { receptor exc: CurrExp(tau_syn = tau_e, 2 ms) })gdsl",
     "Module t.gdsl\n"
     "  WeightDependence W <1:1-3:2>\n"
     "    Function potentiate(dw: real) <2:3-2:58>\n"
     "      Assign w += <2:35-2:56>\n"
     "        Binary * <2:40-2:56>\n"
     "          Name dw <2:40-2:42>\n"
     "          Binary - <2:46-2:55>\n"
     "            Name w_max <2:46-2:51>\n"
     "            Name w <2:54-2:55>\n"
     "  Neuron M <4:1-4:58>\n"
     "    Receptor exc: CurrExp <4:12-4:56>\n"
     "      Arg tau_syn = Name tau_e <4:34-4:49>\n"
     "      Quantity 2 ms <4:51-4:55>\n"},
    {"statements: let, every assignment, qualified target, if / else if / else, calls",
     R"gdsl(current_source C {
  update {
    let a = 1
    let b: mV = 2 mV;
    x = a; x += a; x -= a; x *= a; x /= a
    post.v += 1 mV
    if a > 0 { f() } else if a < 0 { g(1) } else { h(k = 2) }
  }
})gdsl",
     "Module t.gdsl\n"
     "  CurrentSource C <1:1-9:2>\n"
     "    Update <2:10-8:4>\n"
     "      Let a = Number 1 <3:5-3:14>\n"
     "      Let b: mV = Quantity 2 mV <4:5-4:21>\n"
     "      Assign x = Name a <5:5-5:10>\n"
     "      Assign x += Name a <5:12-5:18>\n"
     "      Assign x -= Name a <5:20-5:26>\n"
     "      Assign x *= Name a <5:28-5:34>\n"
     "      Assign x /= Name a <5:36-5:42>\n"
     "      Assign post.v += Quantity 1 mV <6:5-6:19>\n"
     "      If <7:5-7:62>\n"
     "        cond: Binary > <7:8-7:13>\n"
     "          Name a <7:8-7:9>\n"
     "          Number 0 <7:12-7:13>\n"
     "        Then <7:14-7:21>\n"
     "          ExprStmt <7:16-7:19>\n"
     "            Call f <7:16-7:19>\n"
     "        Else <7:27-7:62>\n"
     "          If <7:27-7:62>\n"
     "            cond: Binary < <7:30-7:35>\n"
     "              Name a <7:30-7:31>\n"
     "              Number 0 <7:34-7:35>\n"
     "            Then <7:36-7:44>\n"
     "              ExprStmt <7:38-7:42>\n"
     "                Call g <7:38-7:42>\n"
     "                  Number 1 <7:40-7:41>\n"
     "            Else <7:50-7:62>\n"
     "              ExprStmt <7:52-7:60>\n"
     "                Call h <7:52-7:60>\n"
     "                  Arg k = Number 2 <7:54-7:59>\n"},
    {"expressions: precedence, associativity, postfix chains, slices, literals",
     R"gdsl(network n {
  x = a + b * c ^ d ^ e
  y = -a % 2 < b == !c && d || e
  z = c ? 1 : d ? 2 : 3
  w = f(1, p = 2)[3].m.n
  s = p[0:10] + p[::2] + p[:5] + p[1:] + p[[1, 2]]
  l = [1.5e3mV, 2e5 ms, .5, 2., 1e3, "s", true, false]
})gdsl",
     "Module t.gdsl\n"
     "  Network n <1:1-8:2>\n"
     "    Setting x = <2:3-2:24>\n"
     "      Binary + <2:7-2:24>\n"
     "        Name a <2:7-2:8>\n"
     "        Binary * <2:11-2:24>\n"
     "          Name b <2:11-2:12>\n"
     "          Binary ^ <2:15-2:24>\n"
     "            Name c <2:15-2:16>\n"
     "            Binary ^ <2:19-2:24>\n"
     "              Name d <2:19-2:20>\n"
     "              Name e <2:23-2:24>\n"
     "    Setting y = <3:3-3:33>\n"
     "      Binary || <3:7-3:33>\n"
     "        Binary && <3:7-3:28>\n"
     "          Binary == <3:7-3:23>\n"
     "            Binary < <3:7-3:17>\n"
     "              Binary % <3:7-3:13>\n"
     "                Unary - <3:7-3:9>\n"
     "                  Name a <3:8-3:9>\n"
     "                Number 2 <3:12-3:13>\n"
     "              Name b <3:16-3:17>\n"
     "            Unary ! <3:21-3:23>\n"
     "              Name c <3:22-3:23>\n"
     "          Name d <3:27-3:28>\n"
     "        Name e <3:32-3:33>\n"
     "    Setting z = <4:3-4:24>\n"
     "      Conditional <4:7-4:24>\n"
     "        if: Name c <4:7-4:8>\n"
     "        then: Number 1 <4:11-4:12>\n"
     "        else: Conditional <4:15-4:24>\n"
     "          if: Name d <4:15-4:16>\n"
     "          then: Number 2 <4:19-4:20>\n"
     "          else: Number 3 <4:23-4:24>\n"
     "    Setting w = <5:3-5:25>\n"
     "      Member .n <5:7-5:25>\n"
     "        Member .m <5:7-5:23>\n"
     "          Index <5:7-5:21>\n"
     "            Call f <5:7-5:18>\n"
     "              Number 1 <5:9-5:10>\n"
     "              Arg p = Number 2 <5:12-5:17>\n"
     "            index: Number 3 <5:19-5:20>\n"
     "    Setting s = <6:3-6:51>\n"
     "      Binary + <6:7-6:51>\n"
     "        Binary + <6:7-6:39>\n"
     "          Binary + <6:7-6:31>\n"
     "            Binary + <6:7-6:23>\n"
     "              Slice <6:7-6:14>\n"
     "                Name p <6:7-6:8>\n"
     "                start: Number 0 <6:9-6:10>\n"
     "                stop: Number 10 <6:11-6:13>\n"
     "              Slice <6:17-6:23>\n"
     "                Name p <6:17-6:18>\n"
     "                step: Number 2 <6:21-6:22>\n"
     "            Slice <6:26-6:31>\n"
     "              Name p <6:26-6:27>\n"
     "              stop: Number 5 <6:29-6:30>\n"
     "          Slice <6:34-6:39>\n"
     "            Name p <6:34-6:35>\n"
     "            start: Number 1 <6:36-6:37>\n"
     "        Index <6:42-6:51>\n"
     "          Name p <6:42-6:43>\n"
     "          index: List (2 elements) <6:44-6:50>\n"
     "            Number 1 <6:45-6:46>\n"
     "            Number 2 <6:48-6:49>\n"
     "    Setting l = <7:3-7:55>\n"
     "      List (8 elements) <7:7-7:55>\n"
     "        Quantity 1500 mV <7:8-7:15>\n"
     "        Quantity 200000 ms <7:17-7:23>\n"
     "        Number 0.5 <7:25-7:27>\n"
     "        Number 2.0 <7:29-7:31>\n"
     "        Number 1000.0 <7:33-7:36>\n"
     "        String \"s\" <7:38-7:41>\n"
     "        Bool true <7:43-7:47>\n"
     "        Bool false <7:49-7:54>\n"},
    {"network: every item",
     R"gdsl(network net {
  dt = 0.1 ms; seed = 42
  let scale = 0.5
  population exc = IF_cond_exp(100 * scale)
    with receptors { excitatory: CondExp(tau_syn = 5 ms), inhibitory: CondExp(tau_syn = 10 ms) }
    at grid2d(dx = 10 um)
    { v = uniform(-60 mV, -50 mV); tau_m = 20 ms }
  population inh = IF_cond_exp(25)
  view first = exc[0:10]
  assembly all = exc + inh
  projection ee = exc -> all via fixed_probability(p = 0.1)
    synapse StaticSynapse(weight = 0.01 uS, delay = 1 ms) onto excitatory
  projection ii = inh -> inh via one_to_one()
  inject DCSource(amplitude = 0.1 nA) into first
  record exc.spikes, exc[0:5].v, exc.excitatory.g every 1 ms
  record inh.spikes
})gdsl",
     "Module t.gdsl\n"
     "  Network net <1:1-17:2>\n"
     "    Setting dt = Quantity 0.1 ms <2:3-2:14>\n"
     "    Setting seed = Number 42 <2:16-2:25>\n"
     "    Let scale = Number 0.5 <3:3-3:18>\n"
     "    Population exc = IF_cond_exp <4:3-7:51>\n"
     "      size: Binary * <4:32-4:43>\n"
     "        Number 100 <4:32-4:35>\n"
     "        Name scale <4:38-4:43>\n"
     "      Receptor excitatory: CondExp <5:22-5:57>\n"
     "        Arg tau_syn = Quantity 5 ms <5:42-5:56>\n"
     "      Receptor inhibitory: CondExp <5:59-5:95>\n"
     "        Arg tau_syn = Quantity 10 ms <5:79-5:94>\n"
     "      Structure grid2d <6:8-6:26>\n"
     "        Arg dx = Quantity 10 um <6:15-6:25>\n"
     "      Override v = <7:7-7:34>\n"
     "        Call uniform <7:11-7:34>\n"
     "          Unary - <7:19-7:25>\n"
     "            Quantity 60 mV <7:20-7:25>\n"
     "          Unary - <7:27-7:33>\n"
     "            Quantity 50 mV <7:28-7:33>\n"
     "      Override tau_m = Quantity 20 ms <7:36-7:49>\n"
     "    Population inh = IF_cond_exp <8:3-8:35>\n"
     "      size: Number 25 <8:32-8:34>\n"
     "    View first = <9:3-9:25>\n"
     "      Slice <9:16-9:25>\n"
     "        Name exc <9:16-9:19>\n"
     "        start: Number 0 <9:20-9:21>\n"
     "        stop: Number 10 <9:22-9:24>\n"
     "    Assembly all = <10:3-10:27>\n"
     "      Binary + <10:18-10:27>\n"
     "        Name exc <10:18-10:21>\n"
     "        Name inh <10:24-10:27>\n"
     "    Projection ee onto excitatory <11:3-12:74>\n"
     "      pre: Name exc <11:19-11:22>\n"
     "      post: Name all <11:26-11:29>\n"
     "      Connector fixed_probability <11:34-11:60>\n"
     "        Arg p = Number 0.1 <11:52-11:59>\n"
     "      Synapse StaticSynapse <12:13-12:58>\n"
     "        Arg weight = Quantity 0.01 uS <12:27-12:43>\n"
     "        Arg delay = Quantity 1 ms <12:45-12:57>\n"
     "    Projection ii <13:3-13:46>\n"
     "      pre: Name inh <13:19-13:22>\n"
     "      post: Name inh <13:26-13:29>\n"
     "      Connector one_to_one <13:34-13:46>\n"
     "    Inject <14:3-14:49>\n"
     "      Source DCSource <14:10-14:38>\n"
     "        Arg amplitude = Quantity 0.1 nA <14:19-14:37>\n"
     "      into: Name first <14:44-14:49>\n"
     "    Record <15:3-15:61>\n"
     "      Member .spikes <15:10-15:20>\n"
     "        Name exc <15:10-15:13>\n"
     "      Member .v <15:22-15:32>\n"
     "        Slice <15:22-15:30>\n"
     "          Name exc <15:22-15:25>\n"
     "          start: Number 0 <15:26-15:27>\n"
     "          stop: Number 5 <15:28-15:29>\n"
     "      Member .g <15:34-15:50>\n"
     "        Member .excitatory <15:34-15:48>\n"
     "          Name exc <15:34-15:37>\n"
     "      every: Quantity 1 ms <15:57-15:61>\n"
     "    Record <16:3-16:20>\n"
     "      Member .spikes <16:10-16:20>\n"
     "        Name inh <16:10-16:13>\n"},
    {"numbers and quantities: exponents, units glued or spaced",
     R"gdsl(network n { l = [1e3, 1E-2, 2e5ms, 3 e, 1.5e3 mV] })gdsl",
     "Module t.gdsl\n"
     "  Network n <1:1-1:52>\n"
     "    Setting l = <1:13-1:50>\n"
     "      List (5 elements) <1:17-1:50>\n"
     "        Number 1000.0 <1:18-1:21>\n"
     "        Number 0.01 <1:23-1:27>\n"
     "        Quantity 200000 ms <1:29-1:34>\n"
     "        Quantity 3 e <1:36-1:39>\n"
     "        Quantity 1500 mV <1:41-1:49>\n"},
    {"a number before a reserved word is not a quantity",
     "neuron A { threshold v > 0 reset { v = 0 } refractory 2 ms }\nnetwork n { seed = 42 population p = A(1) }",
     "Module t.gdsl\n"
     "  Neuron A <1:1-1:61>\n"
     "    Threshold <1:12-1:27>\n"
     "      Binary > <1:22-1:27>\n"
     "        Name v <1:22-1:23>\n"
     "        Number 0 <1:26-1:27>\n"
     "    Reset <1:34-1:43>\n"
     "      Assign v = Number 0 <1:36-1:41>\n"
     "    Refractory Quantity 2 ms <1:44-1:59>\n"
     "  Network n <2:1-2:44>\n"
     "    Setting seed = Number 42 <2:13-2:22>\n"
     "    Population p = A <2:23-2:42>\n"
     "      size: Number 1 <2:40-2:41>\n"},
};

struct DiagCase {
  const char* name;
  const char* input;
  const char* diagnostics;
  const char* ast;  // what parsed cleanly is kept
};

const DiagCase kDiagCases[] = {
    {"missing closing brace",
     R"gdsl(neuron A {
  state { v: mV }
)gdsl",
     "t.gdsl:3:1: error: expected '}' [syntax]\n"
     "\n"
     "^\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-2:18>\n"
     "    State v: mV <2:11-2:16>\n"},
    {"missing expression",
     R"gdsl(neuron A {
  threshold
}
)gdsl",
     "t.gdsl:3:1: error: expected an expression [syntax]\n"
     "}\n"
     "^\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-3:2>\n"},
    {"unexpected token in a network",
     R"gdsl(network n {
  population p = A(10) )
}
)gdsl",
     "t.gdsl:2:24: error: unexpected ')' [syntax]\n"
     "  population p = A(10) )\n"
     "                       ^\n",
     "Module t.gdsl\n"
     "  Network n <1:1-3:2>\n"
     "    Population p = A <2:3-2:23>\n"
     "      size: Number 10 <2:20-2:22>\n"},
    {"missing parenthesis",
     R"gdsl(network n {
  population p = A(10 { }
}
)gdsl",
     "t.gdsl:2:23: error: expected ')' [syntax]\n"
     "  population p = A(10 { }\n"
     "                      ^\n",
     "Module t.gdsl\n"
     "  Network n <1:1-3:2>\n"},
    {"invalid character",
     R"gdsl(network n { x = 1 $ 2 }
)gdsl",
     "t.gdsl:1:19: error: invalid character '$' in source [syntax]\n"
     "network n { x = 1 $ 2 }\n"
     "                  ^\n"
     "t.gdsl:1:21: error: unexpected '2' [syntax]\n"
     "network n { x = 1 $ 2 }\n"
     "                    ^\n",
     "Module t.gdsl\n"
     "  Network n <1:1-1:24>\n"
     "    Setting x = Number 1 <1:13-1:18>\n"},
    {"non-ASCII outside strings",
     "network n { x = 1 \xc2\xb5 }\n",
     "t.gdsl:1:19: error: invalid character '\xc2\xb5" "' in source [syntax]\n"
     "network n { x = 1 \xc2\xb5" " }\n"
     "                  ^\n",
     "Module t.gdsl\n"
     "  Network n <1:1-1:23>\n"
     "    Setting x = Number 1 <1:13-1:18>\n"},
    {"unterminated string",
     R"gdsl(import "abc
)gdsl",
     "t.gdsl:1:8: error: unterminated string literal [syntax]\n"
     "import \"abc\n"
     "       ^~~~\n",
     "Module t.gdsl\n"
     "  Import file \"abc\" <1:1-1:12>\n"},
    {"unterminated comment",
     R"gdsl(neuron A { }
/* never closed
)gdsl",
     "t.gdsl:2:1: error: unterminated /* comment [syntax]\n"
     "/* never closed\n"
     "^~~~~~~~~~~~~~~\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-1:13>\n"},
    {"bad escape",
     R"gdsl(import "a\qb"
)gdsl",
     "t.gdsl:1:10: error: invalid escape sequence '\\q' in string [syntax]\n"
     "import \"a\\qb\"\n"
     "         ^~\n",
     "Module t.gdsl\n"
     "  Import file \"ab\" <1:1-1:14>\n"},
    {"number out of range",
     R"gdsl(network n { x = 1e999; y = 99999999999999999999; z = 1e-999 ms }
)gdsl",
     "t.gdsl:1:17: error: number '1e999' is out of range [syntax]\n"
     "network n { x = 1e999; y = 99999999999999999999; z = 1e-999 ms }\n"
     "                ^~~~~\n"
     "t.gdsl:1:28: error: number '99999999999999999999' is out of range [syntax]\n"
     "network n { x = 1e999; y = 99999999999999999999; z = 1e-999 ms }\n"
     "                           ^~~~~~~~~~~~~~~~~~~~\n"
     "t.gdsl:1:54: error: number '1e-999' is out of range [syntax]\n"
     "network n { x = 1e999; y = 99999999999999999999; z = 1e-999 ms }\n"
     "                                                     ^~~~~~\n",
     "Module t.gdsl\n"
     "  Network n <1:1-1:65>\n"},
    {"number in a unit",
     R"gdsl(neuron A { parameters { r: 2/ms } }
)gdsl",
     "t.gdsl:1:28: error: only the number 1 may appear in a unit, not '2' [syntax]\n"
     "neuron A { parameters { r: 2/ms } }\n"
     "                           ^\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-1:36>\n"
     "    Parameter r: 1/ms <1:25-1:32>\n"},
    {"duplicate items",
     R"gdsl(neuron A {
  threshold v > 1
  threshold v > 2
  reset { }
  reset { }
  refractory 1 ms
  refractory 2 ms
  update { }
  update { }
  solver rk4
  solver euler
}
)gdsl",
     "t.gdsl:3:3: error: 'threshold' given more than once in 'A' [duplicate-item]\n"
     "  threshold v > 2\n"
     "  ^~~~~~~~~~~~~~~\n"
     "t.gdsl:2:3: note: the first 'threshold' is here\n"
     "  threshold v > 1\n"
     "  ^~~~~~~~~~~~~~~\n"
     "t.gdsl:5:3: error: 'reset' given more than once in 'A' [duplicate-item]\n"
     "  reset { }\n"
     "  ^~~~~~~~~\n"
     "t.gdsl:4:3: note: the first 'reset' is here\n"
     "  reset { }\n"
     "  ^~~~~~~~~\n"
     "t.gdsl:7:3: error: 'refractory' given more than once in 'A' [duplicate-item]\n"
     "  refractory 2 ms\n"
     "  ^~~~~~~~~~~~~~~\n"
     "t.gdsl:6:3: note: the first 'refractory' is here\n"
     "  refractory 1 ms\n"
     "  ^~~~~~~~~~~~~~~\n"
     "t.gdsl:9:3: error: 'update' given more than once in 'A' [duplicate-item]\n"
     "  update { }\n"
     "  ^~~~~~~~~~\n"
     "t.gdsl:8:3: note: the first 'update' is here\n"
     "  update { }\n"
     "  ^~~~~~~~~~\n"
     "t.gdsl:11:3: error: 'solver' given more than once in 'A' [duplicate-item]\n"
     "  solver euler\n"
     "  ^~~~~~~~~~~~\n"
     "t.gdsl:10:3: note: the first 'solver' is here\n"
     "  solver rk4\n"
     "  ^~~~~~~~~~\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-12:2>\n"
     "    Threshold <2:3-2:18>\n"
     "      Binary > <2:13-2:18>\n"
     "        Name v <2:13-2:14>\n"
     "        Number 1 <2:17-2:18>\n"
     "    Reset <4:9-4:12>\n"
     "    Refractory Quantity 1 ms <6:3-6:18>\n"
     "    Update <8:10-8:13>\n"
     "    Solver rk4 <10:3-10:13>\n"},
    {"duplicates inside a trace are per trace",
     R"gdsl(synapse S {
  update { }
  pre_trace { update { } update { } }
}
)gdsl",
     "t.gdsl:3:26: error: 'update' given more than once in 'S.pre_trace' [duplicate-item]\n"
     "  pre_trace { update { } update { } }\n"
     "                         ^~~~~~~~~~\n"
     "t.gdsl:3:15: note: the first 'update' is here\n"
     "  pre_trace { update { } update { } }\n"
     "              ^~~~~~~~~~\n",
     "Module t.gdsl\n"
     "  Synapse S <1:1-4:2>\n"
     "    Update <2:10-2:13>\n"
     "    PreTrace <3:3-3:38>\n"
     "      Update <3:22-3:25>\n"},
    {"reserved word as a name",
     R"gdsl(network n { population record = A(1) }
)gdsl",
     "t.gdsl:1:24: error: 'record' is a reserved word and cannot be a name [syntax]\n"
     "network n { population record = A(1) }\n"
     "                       ^~~~~~\n",
     "Module t.gdsl\n"
     "  Network n <1:1-1:39>\n"
     "    Population record = A <1:13-1:37>\n"
     "      size: Number 1 <1:35-1:36>\n"},
    {"statement keyword in an expression",
     R"gdsl(neuron A { update { x = let } }
)gdsl",
     "t.gdsl:1:25: error: expected an expression [syntax]\n"
     "neuron A { update { x = let } }\n"
     "                        ^~~\n"
     "t.gdsl:1:29: error: expected a name [syntax]\n"
     "neuron A { update { x = let } }\n"
     "                            ^\n",
     "Module t.gdsl\n"
     "  Neuron A <1:1-1:32>\n"},
};

}  // namespace

TEST_CASE("every construct parses to its AST", "[parse]") {
  for (const AstCase& c : kAstCases) {
    INFO(c.name);
    Parsed p = run(c.input);
    CHECK(p.diagnostics.empty());
    CHECK(p.ast == c.ast);
  }
}

TEST_CASE("syntax errors are reported and recovered from", "[parse]") {
  for (const DiagCase& c : kDiagCases) {
    INFO(c.name);
    Parsed p = run(c.input);
    CHECK(p.errors > 0);
    CHECK(p.diagnostics == c.diagnostics);
    CHECK(p.ast == c.ast);
  }
}

TEST_CASE("deep nesting is rejected before the parser recurses", "[parse]") {
  const std::string cases[] = {
      "network n { x = " + repeat("(", 10000) + "1" + repeat(")", 10000) + " }",
      "network n { x = " + repeat("-", 100000) + "1 }",
      "network n { x = 2" + repeat(" ^ 2", 20000) + " }",
      "network n { x = a" + repeat(" + a", 5000) + " }",
      "network n { x = f" + repeat("(1)", 5000) + " }",
      "network n { x = a" + repeat(".b", 5000) + " }",
      "network n { x = c" + repeat(" ? 1 : c", 5000) + " }",
      "neuron A { update { " + repeat("if c { } else ", 5000) + "{ } } }",
      "neuron A { update { " + repeat("if c { ", 5000) + repeat("} ", 5000) + "} }",
  };
  for (const std::string& input : cases) {
    INFO(input.substr(0, 40));
    Parsed p = run(input);
    CHECK(p.errors == 1);
    CHECK(p.diagnostics.find("nested too deeply (more than 256 levels) [nesting]") != std::string::npos);
  }
}

TEST_CASE("ordinary nesting and long flat lists are accepted", "[parse]") {
  const std::string cases[] = {
      "network n { l = [" + repeat("[1, 2, -0.5, 1 ms], ", 20000) + "] }",
      "network n { x = " + repeat("(", 100) + "1" + repeat(")", 100) + " }",
      "network n {" + repeat(" inject dc(amplitude = -1 nA) into p[0:1]", 2000) + " }",
      "neuron A { update {" + repeat(" v = -v + f(-1)[0]", 2000) + " } }",
      "neuron A {" + repeat(" threshold -v > -1", 1) + repeat(" parameters { a: mV = -1 mV }", 2000) + " }",
  };
  for (const std::string& input : cases) {
    INFO(input.substr(0, 40));
    Parsed p = run(input);
    CHECK(p.diagnostics.empty());
  }
}

TEST_CASE("every prefix of a valid file parses without crashing", "[parse]") {
  const std::string text = R"gdsl(import pynn
neuron N {
  parameters { tau: ms = 10 ms; v_th: mV = -50 mV }
  state { v: mV = -65 mV }
  equations { v' = -v / tau }
  threshold v >= v_th
  reset { if v > 0 mV { v = -65 mV } else { v -= 1 mV } }
  receptor exc: CurrExp(tau_syn = 5 ms)
}
network n {
  dt = 0.1 ms
  population p = N(10) at grid2d(dx = 1 um) { v = uniform(-60 mV, -50 mV) }
  projection e = p -> p[0:5] via all_to_all() synapse StaticSynapse(weight = 1 nA) onto exc
  record p.spikes every 1 ms
}
)gdsl";
  std::size_t failing = 0;
  for (std::size_t n = 0; n < text.size(); ++n) {
    Parsed p = run(text.substr(0, n));
    // Every diagnostic printed is counted, and a silent result means a clean parse.
    CHECK((p.errors == 0) == p.diagnostics.empty());
    if (p.errors) ++failing;
  }
  CHECK(failing > text.size() / 2);
  CHECK(run(text).errors == 0);
}

TEST_CASE("ranges cover exactly the tokens of each node", "[parse]") {
  Parsed p = run("network n {\n  x = f(a)  ;\n}\n");
  REQUIRE(p.module->networks.size() == 1);
  const ast::Setting& s = p.module->networks[0]->settings.at(0);
  CHECK(s.range.begin.offset == 14);
  CHECK(s.range.end.offset == 22);  // the `;` after blanks is not part of the item
  CHECK(s.name_range.begin.offset == 14);
  CHECK(s.name_range.end.offset == 15);
  auto* call = ast::dyn_cast<ast::CallExpr>(s.value.get());
  REQUIRE(call);
  CHECK(call->range.begin.offset == 18);
  CHECK(call->range.end.offset == 22);
  REQUIRE(call->args.size() == 1);
  CHECK(call->args[0].range.begin.offset == 20);
}

TEST_CASE("quantities keep the unit's own range", "[parse]") {
  Parsed p = run("network n { x = 1.5e3\tmV }");
  auto* q = ast::dyn_cast<ast::QuantityLit>(p.module->networks.at(0)->settings.at(0).value.get());
  REQUIRE(q);
  CHECK(q->value == 1500.0);
  CHECK(q->unit == "mV");
  CHECK(q->range.begin.offset == 16);
  CHECK(q->unit_range.begin.offset == 22);
  CHECK(q->unit_range.end.offset == 24);
}

TEST_CASE("binary operators remember the operator's range", "[parse]") {
  Parsed p = run("network n { x = a  +  b }");
  auto* b = ast::dyn_cast<ast::BinaryExpr>(p.module->networks.at(0)->settings.at(0).value.get());
  REQUIRE(b);
  CHECK(b->op == ast::BinaryOp::Add);
  CHECK(b->op_range.begin.offset == 19);
  CHECK(b->op_range.end.offset == 20);
}

TEST_CASE("tokens are dumped one per line", "[parse]") {
  diag::SourceManager sm;
  diag::FileId f = sm.add_file("t.gdsl", "neuron A { v' = 20 ms } $");
  std::ostringstream err;
  diag::Diagnostics diags(sm, &err);
  CHECK(parse::dump_tokens(f, diags) ==
        "1:1 KEYWORD 'neuron'\n"
        "1:8 ID 'A'\n"
        "1:10 PUNCT '{'\n"
        "1:12 ID 'v'\n"
        "1:13 PUNCT '''\n"
        "1:15 PUNCT '='\n"
        "1:17 QUANTITY '20 ms'\n"
        "1:23 PUNCT '}'\n"
        "1:25 BAD_CHARACTER '$'\n"
        "1:26 EOF\n");
  CHECK(diags.error_count() == 1);
}
