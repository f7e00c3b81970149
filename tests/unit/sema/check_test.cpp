// Checker tests. Diagnostic cases are a table of {name, source, expected id}: a `$` in the
// source marks where the diagnostic must point (it is removed before parsing). Each
// source is followed by a small prelude of models so that networks have something to use.
// Positive cases check the checked program's contents.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parse/parse.h"
#include "sema/program.h"

using namespace gennc;
using diag::DiagId;

namespace {

const char* const kPrelude = R"gdsl(
neuron Cell {
  parameters {
    cm: nF = 1.0;  tau_m: ms = 20.0;  v_rest: mV = -65.0;  v_thresh: mV = -50.0
    v_reset: mV = -65.0;  tau_syn_E: ms = 5.0;  i_offset: nA = 0.0;  tau_refrac: ms = 2.0
  }
  state { v: mV = -65.0 }
  input { i_syn: nA }
  receptor excitatory: ExpCurr(tau_syn = tau_syn_E)
  receptor inhibitory: ExpCurr(tau_syn = 10 ms)
  equations { v' = (v_rest - v) / tau_m + (i_syn + i_offset) / cm }
  threshold v >= v_thresh
  reset { v = v_reset }
  refractory tau_refrac
}
neuron Bare {
  parameters { tau: ms = 10.0 }
  state { v: mV = 0.0 }
  input { i_syn: nA }
  equations { v' = -v / tau }
}
postsynaptic ExpCurr {
  parameters { tau_syn: ms = 5.0 }
  state { i: nA = 0.0 }
  on spike(w: nA) { i += w }
  equations { i' = -i / tau_syn }
  output i_syn += i
}
postsynaptic ExpCond {
  parameters { tau_syn: ms = 5.0;  e_rev: mV = 0.0 }
  state { g: uS = 0.0 }
  uses { v: mV }
  on spike(w: uS) { g += w }
  equations { g' = -g / tau_syn }
  output i_syn += g * (e_rev - v)
}
synapse Static {
  parameters { weight: weight = 0.0;  delay: ms = dt }
  on pre { emit(weight) }
}
synapse Gap {
  parameters { weight: uS = 0.0 }
  uses { v: mV }
  output i_syn += weight * (pre.v - post.v)
}
synapse Plastic {
  parameters { delay: ms = dt }
  state { weight: weight = 0.0 }
  slot timing: timing_dependence
  slot bounds: weight_dependence
  on pre { emit(weight) }
}
timing_dependence Pair {
  parameters { tau_plus: ms = 20.0;  A_plus: real = 0.01 }
  pre_trace {
    state { x: real = 0.0 }
    equations { x' = -x / tau_plus }
    on spike { x += 1 }
  }
  on post { potentiate(A_plus * x) }
  on pre { depress(A_plus * x) }
}
weight_dependence Additive {
  parameters { w_min: weight = 0.0;  w_max: weight = 1.0 }
  function potentiate(dw: real) { weight = min(weight + dw * w_max, w_max) }
  function depress(dw: real) { weight = max(weight - dw * w_max, w_min) }
}
current_source DC {
  parameters { amplitude: nA = 1.0;  start: ms = 0.0 }
  output i_syn += t >= start ? amplitude : 0 nA
}
spike_source Poisson {
  parameters { rate: Hz = 1.0 }
  threshold uniform(0, 1) < rate * dt
}
spike_source Array {
  parameters { spike_times: ms[] = [] }
  state { next: int = 0 }
  threshold next < len(spike_times) && spike_times[next] <= t
  reset { next += 1 }
}
)gdsl";

struct Run {
  std::unique_ptr<diag::SourceManager> sources;
  std::unique_ptr<diag::Diagnostics> diags;
  std::unique_ptr<sema::Program> program;
  std::string text;  // every diagnostic, printed, for failure messages
};

Run check(const std::string& source, const std::string& path = "test.gdsl", const sema::CheckOptions& options = {}) {
  Run r;
  r.sources = std::make_unique<diag::SourceManager>();
  r.diags = std::make_unique<diag::Diagnostics>(*r.sources, nullptr);
  diag::FileId f = r.sources->add_file(path, source + kPrelude);
  r.program = sema::check(parse::parse_module(f, *r.diags), *r.sources, *r.diags, options);
  for (const auto& d : r.diags->all()) {
    auto lc = r.sources->line_col(d.range.begin);
    r.text += fmt::format("{}:{}: {}\n", lc.line, lc.column, d.message);
    for (const auto& n : d.notes) r.text += fmt::format("  note: {}\n", n.message);
  }
  return r;
}

struct DiagCase {
  const char* name;
  const char* source;  // `$` marks the expected location
  DiagId id;
};

// Every sema diagnostic, each where it must point.
const DiagCase kDiagCases[] = {
    // ---- imports
    {"missing import", "$import \"no/such/file.gdsl\"", DiagId::import_not_found},
    {"unknown library", "$import numpy", DiagId::unknown_library},
    // ---- models: declarations and items
    {"duplicate model", "neuron X { }\nneuron $X { }", DiagId::duplicate_model},
    {"duplicate variable", "neuron N { parameters { a: ms = 1.0 } state { $a: mV = 0.0 } }",
     DiagId::duplicate_declaration},
    {"item not allowed", "current_source S { $threshold t > 1 ms }", DiagId::item_not_allowed},
    {"item not allowed in trace",
     "synapse S { pre_trace { $parameters { a: real = 1 } } on pre { emit(0 weight) } }",
     DiagId::item_not_allowed_in_trace},
    {"unknown event", "synapse S { on $spike { } }", DiagId::unknown_event},
    {"duplicate handler", "synapse S { on pre { } on $pre { } }", DiagId::duplicate_handler},
    {"on spike without weight", "postsynaptic P { $on spike { } }", DiagId::handler_params},
    {"spike weight without unit", "postsynaptic P { on spike(w: $real) { } }", DiagId::type_mismatch},
    {"unknown hook", "weight_dependence W { function $strengthen(dw: real) { } }", DiagId::unknown_hook},
    {"unknown solver", "neuron N { solver $magic }", DiagId::unknown_solver},
    {"slot of a wrong kind", "synapse S { $slot s: neuron }", DiagId::bad_slot_kind},
    {"input with a default", "neuron N { input { i: nA = $1 nA } }", DiagId::unexpected_initializer},
    {"weight in a neuron", "neuron N { parameters { w: $weight = 1 } }", DiagId::weight_outside_synapse},
    {"derived without definition", "neuron N { derived { $r: real } }", DiagId::derived_needs_definition},
    {"derived cycle", "neuron N { derived { $a: ms = b; b: ms = a } }", DiagId::derived_cycle},
    {"derived uses state",
     "neuron N { state { v: mV = 0 } derived { k: mV = $v * 2 } }", DiagId::restricted_name},
    {"parameter default not constant", "neuron N { parameters { a: ms = 1; b: ms = $a } }",
     DiagId::restricted_name},
    {"parameter default out of range", "neuron N { parameters { a: real = $[1, 2][5] } }",
     DiagId::not_constant},
    {"random derived", "neuron N { derived { r: real = $uniform(0, 1) } }", DiagId::random_not_allowed},
    {"ode for a parameter", "neuron N { parameters { a: mV = 1 } equations { $a' = 0 mV / ms } }",
     DiagId::ode_not_state},
    {"two odes", "neuron N { state { v: mV = 0 } equations { v' = -v / 1 ms; $v' = v / 2 ms } }",
     DiagId::duplicate_equation},
    {"ode dimension", "neuron N { state { v: mV = 0 } equations { v' = $v } }", DiagId::ode_dimension},
    {"ode for unknown", "neuron N { state { v: mV = 0 } equations { $vv' = v / 1 ms } }",
     DiagId::unknown_name_suggest},
    {"receptor of unknown model", "neuron N { receptor r: $ExpCur() }", DiagId::unknown_model_suggest},
    {"receptor of unknown model, no suggestion", "neuron N { receptor r: $Zzzzzzz() }", DiagId::unknown_model},
    {"receptor of a wrong kind", "neuron N { receptor r: $Static() }", DiagId::wrong_model_kind},
    {"positional receptor argument", "neuron N { receptor r: ExpCurr($5 ms) }", DiagId::positional_model_arg},
    {"unknown receptor argument", "neuron N { receptor r: ExpCurr($tau = 5 ms) }", DiagId::unknown_argument},
    {"receptor argument typo", "neuron N { receptor r: ExpCurr($tau_sin = 5 ms) }", DiagId::unknown_argument_suggest},
    {"duplicate receptor argument", "neuron N { receptor r: ExpCurr(tau_syn = 5 ms, $tau_syn = 6 ms) }",
     DiagId::duplicate_argument},
    // ---- expressions
    {"unknown name", "neuron N { threshold $zzz > 1 }", DiagId::unknown_name},
    {"unknown name suggestion",
     "neuron N { parameters { tau_m: ms = 1 } state { v: mV = 0 } equations { v' = -v / $tua_m } }",
     DiagId::unknown_name_suggest},
    {"unknown unit", "neuron N { parameters { a: $furlong = 1 } }", DiagId::unknown_unit},
    {"unknown unit suggestion", "neuron N { parameters { a: ms = 1 $mv } }", DiagId::unknown_unit_suggest},
    {"number before a variable", "neuron N { parameters { a: mV = 1 } state { v: mV = 0 } update { v = 2 $a } }",
     DiagId::unit_is_variable},
    {"add mV and nA", "neuron N { parameters { a: mV = 1; b: nA = 1 } state { v: mV = 0 } update { v = a $+ b } }",
     DiagId::unit_mismatch},
    {"threshold not bool", "neuron N { state { v: mV = 0 } threshold $v }", DiagId::type_mismatch},
    {"assignment of a wrong unit", "neuron N { state { v: mV = 0 } update { v = $1 nA } }", DiagId::wrong_type},
    {"bare number in code", "neuron N { state { v: mV = 0 } update { v = $0 } }", DiagId::wrong_type},
    {"mixed list", "neuron N { parameters { a: ms[] = [1 ms, $2 mV] } }", DiagId::list_elements_differ},
    {"indexing a scalar", "neuron N { parameters { a: ms = 1 } threshold $a[0] > 0 ms }", DiagId::not_a_list},
    {"slice in a model", "neuron N { parameters { a: ms[] = [] } threshold len($a[0:1]) > 0 }",
     DiagId::slice_outside_network},
    {"exponent with a unit", "neuron N { parameters { a: real = 2 } parameters { u: ms = 1 } derived { b: real = a ^ $u } }",
     DiagId::exponent_dimension},
    {"exponent of a quantity not constant",
     "neuron N { parameters { a: mV = 1; n: real = 2 } derived { b: mV = a ^ $n } }", DiagId::exponent_not_constant},
    {"sqrt of mV", "neuron N { parameters { a: mV = 1 } derived { b: real = sqrt($a) } }", DiagId::sqrt_dimension},
    {"exp of mV", "neuron N { parameters { a: mV = 1 } derived { b: real = exp($a) } }", DiagId::argument_type},
    {"min of mV and nA", "neuron N { parameters { a: mV = 1; b: nA = 1 } derived { c: mV = min(a, $b) } }",
     DiagId::arguments_differ},
    {"arity", "neuron N { derived { c: real = $exp(1, 2) } }", DiagId::call_arity},
    {"resolution with an argument", "neuron N { state { v: ms = 0 } update { v = $resolution(1 ms) } }",
     DiagId::call_arity},
    {"resolution is a time", "neuron N { state { v: mV = 0 } update { v = $resolution() } }", DiagId::wrong_type},
    {"resolution in a network", "network n { population p = Cell(3) { tau_m = $resolution() } }",
     DiagId::restricted_name},
    {"named builtin argument", "neuron N { derived { c: real = exp($x = 1) } }", DiagId::call_named_arg},
    {"emit in a neuron", "neuron N { update { $emit(1) } }", DiagId::call_not_allowed},
    {"calling a variable", "neuron N { parameters { a: real = 1 } derived { c: real = $a(1) } }",
     DiagId::not_callable},
    {"function as value", "neuron N { derived { c: real = $exp } }", DiagId::function_as_value},
    {"void as value", "synapse S { on pre { let x = $emit(0 weight) } }", DiagId::void_value},
    {"expression statement", "neuron N { state { v: mV = 0 } update { $abs(v) } }", DiagId::statement_not_call},
    {"assign to parameter", "neuron N { parameters { a: mV = 1 } update { $a = 2 mV } }", DiagId::cannot_assign},
    {"reset of a local", "neuron N { state { v: mV = 0 } reset { let x = 1 mV  $x = 2 mV } }",
     DiagId::reset_not_state},
    {"unknown member", "neuron N { parameters { a: mV = 1 } threshold a.$b > 0 mV }", DiagId::unknown_member},
    {"bare uses in synapse", "synapse S { uses { v: mV } output i_syn += $v * 1 uS }", DiagId::pre_post_required},
    {"pre. of an undeclared variable", "synapse S { output i_syn += pre.$u * 1 uS }", DiagId::unknown_side_variable},
    {"pre. typo", "synapse S { uses { v_m: mV } output i_syn += pre.$v_n * 1 uS }",
     DiagId::unknown_side_variable_suggest},
    // ---- networks: settings and constants
    {"unknown setting", "network n { $wibble = 1 }", DiagId::unknown_setting},
    {"setting typo", "network n { $durration = 1 ms }", DiagId::unknown_setting_suggest},
    {"negative dt", "network n { dt = $-0.1 ms }", DiagId::bad_setting},
    {"duplicate setting", "network n { dt = 0.1 ms  $dt = 0.2 ms }", DiagId::duplicate_declaration},
    {"min_delay below dt", "network n { dt = 0.1 ms  min_delay = $0.05 ms }", DiagId::delay_too_small},
    {"population as value", "network n { population p = Cell(10)  population q = Cell($p) }", DiagId::entity_as_value},
    {"infinite default", "neuron N { parameters { a: ms = $1 / 0 } }", DiagId::not_finite},
    {"infinite dt", "network n { dt = $1 ms / 0 }", DiagId::not_finite},
    {"infinite override", "network n { population p = Cell(3) { tau_m = $1 ms / 0 } }", DiagId::not_finite},
    {"uniform upside down", "network n { population p = Cell(3) { v = $uniform(-50 mV, -60 mV) } }",
     DiagId::bad_distribution},
    {"distribution as size", "network n { population p = Cell($uniform(1, 10)) }", DiagId::distribution_not_allowed},
    // ---- populations
    {"size zero", "network n { population p = Cell($0) }", DiagId::bad_size},
    {"unknown cell type", "network n { population p = $Celll(10) }", DiagId::unknown_model_suggest},
    {"population of a synapse", "network n { population p = $Static(10) }", DiagId::wrong_model_kind},
    {"unknown override", "network n { population p = Cell(10) { $tau_n = 10 ms } }", DiagId::unknown_argument_suggest},
    {"override unit", "network n { population p = Cell(10) { tau_m = $10 mV } }", DiagId::wrong_type},
    {"override list length", "network n { population p = Cell(3) { tau_m = $[10 ms, 20 ms] } }", DiagId::list_length},
    {"time in a network", "network n { population p = Cell(3) { tau_m = $t } }", DiagId::unknown_name_suggest},
    {"constant named like a population", "network n { population p = Cell(3)  let $p = 2 }",
     DiagId::duplicate_declaration},
    {"duplicate population", "network n { population p = Cell(3)  population $p = Cell(3) }",
     DiagId::duplicate_declaration},
    {"receptor binding of a wrong kind", "network n { population p = Cell(3) with receptors { r: $Static() } }",
     DiagId::wrong_model_kind},
    {"receptor uses missing variable",
     "neuron NoV { state { u: mV = 0 } input { i_syn: nA } }\n"
     "network n { population p = $NoV(3) with receptors { r: ExpCond() } }", DiagId::uses_missing},
    {"receptor output to a missing input",
     "neuron NoInput { state { v: mV = 0 } }\n"
     "network n { population p = $NoInput(3) with receptors { r: ExpCurr() } }",
     DiagId::no_such_input},
    {"receptor output of a wrong unit",
     "neuron VoltIn { state { v: mV = 0 } input { i_syn: mV } }\n"
     "network n { population p = $VoltIn(3) with receptors { r: ExpCurr() } }",
     DiagId::output_dimension},
    {"uses of a wrong unit",
     "neuron NA { state { v: nA = 0 } input { i_syn: nA } }\n"
     "network n { population p = $NA(3) with receptors { r: ExpCond() } }",
     DiagId::uses_dimension},
    {"unknown structure", "network n { population p = Cell(3) at $grid2(dx = 1 um) }", DiagId::unknown_structure_suggest},
    {"unknown structure, no suggestion", "network n { population p = Cell(3) at $hexagonal() }",
     DiagId::unknown_structure},
    {"structure argument", "network n { population p = Cell(3) at grid2d($depth = 1 um) }", DiagId::unknown_parameter},
    {"structure argument typo", "network n { population p = Cell(3) at grid2d($dxx = 1 um) }",
     DiagId::unknown_parameter_suggest},
    {"too many structure arguments", "network n { population p = Cell(3) at line(1, 2, 3, 4, $5) }",
     DiagId::too_many_arguments},
    {"bad fill order", "network n { population p = Cell(3) at grid2d(fill_order = $\"diagonal\") }",
     DiagId::bad_argument},
    // ---- views and assemblies
    {"slice out of range", "network n { population p = Cell(10)  view v = p[0:$11] }", DiagId::index_out_of_range},
    {"negative step", "network n { population p = Cell(10)  view v = p[0:10:$-1] }", DiagId::bad_slice_step},
    {"view of a projection",
     "network n { population p = Cell(10)  projection q = p -> p via one_to_one() synapse Gap()  view v = $q[0:1] }",
     DiagId::not_a_population},
    {"view of an assembly", "network n { population p = Cell(10)  assembly a = p + p  view v = $a[0:1] }",
     DiagId::assembly_not_sliceable},
    // ---- projections
    {"unknown connector", "network n { population p = Cell(10)  projection q = p -> p via $fixed_probabilty(0.1) }",
     DiagId::unknown_connector_suggest},
    {"unknown connector, no suggestion", "network n { population p = Cell(10)  projection q = p -> p via $magic() }",
     DiagId::unknown_connector},
    {"missing connector argument", "network n { population p = Cell(10)  projection q = p -> p via $fixed_probability() }",
     DiagId::missing_argument},
    {"probability above one",
     "network n { population p = Cell(10)  projection q = p -> p via fixed_probability($1.5) }",
     DiagId::bad_probability},
    {"negative count", "network n { population p = Cell(10)  projection q = p -> p via fixed_number_pre($-1) }",
     DiagId::bad_count},
    {"count above population", "network n { population p = Cell(10)  projection q = p -> p via fixed_number_pre($11) }",
     DiagId::count_too_large},
    {"one to one sizes",
     "network n { population p = Cell(10)  population r = Cell(5)  projection q = p -> r via $one_to_one() }",
     DiagId::one_to_one_sizes},
    {"d outside a projection", "network n { population p = Cell($d) }", DiagId::connection_variable},
    {"i in a distance connector",
     "network n { population p = Cell(10) at line()  projection q = p -> p via distance_dependent_probability($i > 1 ? 1 : 0) }",
     DiagId::connection_variable_here},
    {"distance without structure",
     "network n { population p = Cell(10)  projection q = p -> p via distance_dependent_probability($exp(-d / 10 um)) }",
     DiagId::needs_structure},
    {"missing connection file",
     "network n { population p = Cell(10)  projection q = p -> p via from_file($\"missing.txt\") }",
     DiagId::connection_file_missing},
    {"array of a wrong shape", "network n { population p = Cell(2)  projection q = p -> p via array($[[1, 0]]) }",
     DiagId::bad_matrix},
    {"clone of an unknown projection",
     "network n { population p = Cell(2)  projection q = p -> p via clone($zzzzz) }", DiagId::unknown_projection},
    {"clone typo",
     "network n { population p = Cell(2)  projection q1 = p -> p via one_to_one() synapse Gap()\n"
     "  projection q2 = p -> p via clone($q3) synapse Gap() }",
     DiagId::unknown_projection_suggest},
    {"clone of another size",
     "network n { population p = Cell(2)  population r = Cell(3)  projection q1 = p -> p via one_to_one() synapse Gap()\n"
     "  projection q2 = p -> r via clone($q1) synapse Gap() }",
     DiagId::clone_sizes},
    {"unknown receptor",
     "network n { population p = Cell(10)  projection q = p -> p via one_to_one() synapse Static() onto $excitory }",
     DiagId::unknown_receptor_suggest},
    {"unknown receptor, no suggestion",
     "network n { population p = Cell(10)  projection q = p -> p via one_to_one() synapse Static() onto $gaba_b }",
     DiagId::unknown_receptor},
    {"no receptors", "network n { population p = Bare(10)  projection q = p -> $p via one_to_one() synapse Static() }",
     DiagId::no_receptors},
    {"receptor units differ",
     "network n { population a = Cell(2)  population b = Cell(2) with receptors { excitatory: ExpCond() }\n"
     "  assembly ab = a + b  projection q = a -> $ab via all_to_all() synapse Static() onto excitatory }",
     DiagId::receptor_units_differ},
    {"receptor for a synapse that does not emit",
     "network n { population p = Cell(10)  projection q = p -> p via one_to_one() synapse Gap() onto $excitatory }",
     DiagId::receptor_without_emit},
    {"weight of a wrong unit",
     "network n { population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse Static(weight = $1 uS) onto excitatory }",
     DiagId::weight_dimension},
    {"unfilled slot",
     "network n { population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse $Plastic(timing = Pair()) }",
     DiagId::slot_unfilled},
    {"slot given a number",
     "network n { population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse Plastic(timing = $1, bounds = Additive()) }",
     DiagId::slot_needs_component},
    {"component missing a name",
     "timing_dependence Needy { on post { potentiate(1 / w_max * w_max) } }\n"
     "weight_dependence Loose { parameters { w_maxi: weight = 1 } function potentiate(dw: real) { }"
     " function depress(dw: real) { } }\n"
     "network n { population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse Plastic(timing = $Needy(), bounds = Loose()) }",
     DiagId::component_name_missing},
    {"delay below dt",
     "network n { dt = 0.1 ms  population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse Static(weight = 1 nA, delay = $0.05 ms) }",
     DiagId::delay_too_small},
    {"delay rounded",
     "network n { dt = 0.1 ms  population p = Cell(10)\n"
     "  projection q = p -> p via one_to_one() synapse Static(weight = 1 nA, delay = $0.25 ms) }",
     DiagId::delay_rounded},
    {"per-connection list",
     "network n { population p = Cell(2)\n"
     "  projection q = p -> p via one_to_one() synapse Static(weight = $[1 nA, 2 nA]) }",
     DiagId::per_element_list},
    {"no StaticSynapse", "network n { population p = Cell(2)  $projection q = p -> p via one_to_one() }",
     DiagId::no_default_synapse},
    // ---- injections and recordings
    {"inject a neuron", "network n { population p = Cell(2)  inject $Cell() into p }", DiagId::wrong_model_kind},
    {"record interval", "network n { dt = 0.1 ms  population p = Cell(2)  record p.v every $0.15 ms }",
     DiagId::bad_interval},
    {"record a non-member", "network n { population p = Cell(2)  record $p }", DiagId::bad_record_target},
    {"record unknown variable", "network n { population p = Cell(2)  record p.$zzz }", DiagId::unknown_record_variable},
    {"record variable typo", "network n { population p = Cell(2)  record p.$vv }",
     DiagId::unknown_record_variable_suggest},
    {"record a variable one population lacks",
     "network n { population p = Cell(2)  population b = Bare(2)\n"
     "  population c = Poisson(2)  assembly a = p + c  record a.$v }",
     DiagId::unknown_record_variable},
    {"record units differ",
     "neuron NA { state { v: nA = 0 } input { i_syn: nA } }\n"
     "network n { population p = Cell(2)  population q = NA(2)  assembly a = p + q  record a.$v }",
     DiagId::record_units_differ},
};

}  // namespace

TEST_CASE("each diagnostic is reported where it belongs", "[sema][diagnostics]") {
  for (const DiagCase& c : kDiagCases) {
    std::string source = c.source;
    auto marker = source.find('$');
    REQUIRE(marker != std::string::npos);
    source.erase(marker, 1);
    std::uint32_t line = 1, col = 1;
    for (std::size_t i = 0; i < marker; ++i) {
      if (source[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    // Tests of the default synapse need no StaticSynapse; every other test may name it.
    Run r = check(source);
    INFO(c.name << "\n" << source << "\n-- diagnostics:\n" << r.text);
    bool found = false;
    for (const auto& d : r.diags->all()) {
      auto lc = r.sources->line_col(d.range.begin);
      if (d.id == c.id && lc.line == line && lc.column == col) found = true;
    }
    CHECK(found);
  }
}

TEST_CASE("the diagnostic texts read as documented", "[sema][diagnostics]") {
  SECTION("unit mismatch names both units") {
    Run r = check("neuron N { parameters { a: mV = 1; b: nA = 1 } state { v: mV = 0 } update { v = a + b } }");
    REQUIRE(r.diags->all().size() == 1);
    CHECK(r.diags->all()[0].message == "cannot add 'mV' and 'nA'");
  }
  SECTION("unknown name suggests the closest") {
    Run r = check("neuron N { parameters { tau_m: ms = 1 } state { v: mV = 0 } equations { v' = -v / tua_m } }");
    REQUIRE(r.diags->all().size() == 1);
    CHECK(r.diags->all()[0].message == "unknown name 'tua_m'; did you mean 'tau_m'?");
  }
  SECTION("unknown receptor names the population") {
    Run r = check("network n { population exc = Cell(10)\n"
                  "  projection q = exc -> exc via one_to_one() synapse Static() onto excitory }");
    REQUIRE(r.diags->all().size() == 1);
    CHECK(r.diags->all()[0].message == "population 'exc' has no receptor 'excitory'; did you mean 'excitatory'?");
  }
  SECTION("a note points at the declaration") {
    Run r = check("neuron N { parameters { a: mV = 1 } update { a = 2 mV } }");
    REQUIRE(r.diags->all().size() == 1);
    REQUIRE(r.diags->all()[0].notes.size() == 1);
    CHECK(r.diags->all()[0].notes[0].message == "'a' declared here");
  }
  SECTION("a second equation points at the first") {
    Run r = check("neuron N { state { v: mV = 0 } equations { v' = -v / 1 ms\n v' = v / 2 ms } }");
    REQUIRE(r.diags->all().size() == 1);
    REQUIRE(r.diags->all()[0].notes.size() == 1);
    CHECK(r.diags->all()[0].notes[0].id == DiagId::note_first_equation);
    CHECK(r.sources->line_col(r.diags->all()[0].notes[0].range.begin).line == 1);
  }
  SECTION("ode units say what is needed") {
    Run r = check("neuron N { state { v: mV = 0 } equations { v' = v } }");
    REQUIRE(r.diags->all().size() == 1);
    CHECK(r.diags->all()[0].message == "equation for 'v' needs 'mV/ms' (its unit per time), not 'mV'");
  }
}

TEST_CASE("several errors are reported in one run", "[sema]") {
  Run r = check("neuron N { state { v: mV = 0 } update { v = 1 nA  v = zzz } threshold v }\n"
                "network n { population p = Cell(0)  record p.q }");
  CHECK(r.diags->error_count() == 5);
}

TEST_CASE("partial trees from syntax errors do not crash the checker", "[sema]") {
  const char* inputs[] = {
      "neuron N { parameters { a: mV = } state { v: mV = 0 } equations { v' = } threshold }",
      "network n { population p = Cell( ) { v = } projection q = p -> via fixed_probability(p = ) }",
      "synapse S { on pre { emit( } } network n { record p. every }",
      "neuron N { update { if { } else { v = } } }",
      "network n { view v = [ : ] assembly a = + projection = -> via () }",
  };
  for (const char* input : inputs) {
    INFO(input);
    Run r = check(input);
    CHECK(r.diags->has_errors());
  }
}

TEST_CASE("a valid network is checked into numbers in internal units", "[sema]") {
  Run r = check(R"gdsl(
network net {
  dt = 0.1 ms;  duration = 1 s;  seed = 42
  let scale = 0.5
  let w = 270 pA
  population exc = Cell(200 * scale) with receptors { slow: ExpCurr(tau_syn = 100) } at grid2d(dx = 10 um)
    { cm = 250 pF;  v_thresh = -50;  v = uniform(-60 mV, -50 mV);  tau_m = [10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms, 10 ms, 20 ms, 30 ms, 40 ms, 50 ms, 60 ms, 70 ms, 80 ms, 90 ms, 100 ms] }
  population src = Array(2) { spike_times = [[1 ms, 2 ms], [3 s]] }
  view head = exc[10:50:4]
  view picks = head[[1, 3]]
  assembly both = exc + src
  projection ee = exc -> exc via fixed_probability(p = 0.02)
    synapse Static(weight = w, delay = 0.2 ms) onto excitatory
  projection far = exc -> exc via distance_dependent_probability(exp(-d / 100 um))
    synapse Static(weight = normal(1, 0.1), delay = 0.1 ms + d / 1000 um * 1 ms) onto slow
  projection listed = src -> exc[0:2] via from_list([[0, 1], [1, 0, 2 nA, 0.3 ms]]) synapse Static()
  projection plastic = src -> exc via all_to_all()
    synapse Plastic(timing = Pair(tau_plus = 10 ms), bounds = Additive(w_max = 2), weight = 0.5 nA)
  projection gap = exc -> exc via one_to_one() synapse Gap(weight = 1 nS)
  inject DC(amplitude = 100 pA) into head
  record exc.spikes, exc.v every 1 ms
  record exc[0:10].slow.i
}
)gdsl");
  INFO(r.text);
  REQUIRE_FALSE(r.diags->has_errors());
  REQUIRE(r.program->networks.size() == 1);
  const sema::Network& net = *r.program->networks[0];
  CHECK(net.settings.dt == Approx(0.1));
  CHECK(net.settings.duration == Approx(1000));
  CHECK(net.settings.seed == 42);

  REQUIRE(net.populations.size() == 2);
  const sema::Population& exc = net.populations[0];
  CHECK(exc.size == 100);
  CHECK(exc.model->name == "Cell");
  REQUIRE(exc.structure);
  CHECK(exc.structure->kind == sema::StructureKind::Grid2D);
  CHECK(exc.structure->args.at("dx") == Approx(10));
  CHECK(exc.values.at("cm").kind == sema::ValueKind::Constant);
  CHECK(exc.values.at("cm").numbers.at(0) == Approx(0.25));         // 250 pF in nF
  CHECK(exc.values.at("v_thresh").numbers.at(0) == Approx(-50));     // bare number in mV
  CHECK(exc.values.at("v_rest").numbers.at(0) == Approx(-65));       // the default
  CHECK(exc.values.at("v").kind == sema::ValueKind::Distribution);
  CHECK(exc.values.at("v").distribution.kind == sema::Builtin::Uniform);
  CHECK(exc.values.at("v").distribution.args == std::vector<double>{-60, -50});
  CHECK(exc.values.at("tau_m").kind == sema::ValueKind::PerElement);
  CHECK(exc.values.at("tau_m").numbers.size() == 100);

  REQUIRE(exc.receptors.size() == 3);
  CHECK(exc.receptors[0].name == "excitatory");
  CHECK(exc.receptors[0].values.at("tau_syn").kind == sema::ValueKind::Expression);  // follows tau_syn_E
  CHECK(exc.receptors[1].values.at("tau_syn").numbers.at(0) == Approx(10));
  CHECK(exc.receptors[2].name == "slow");
  CHECK(exc.receptors[2].values.at("tau_syn").numbers.at(0) == Approx(100));  // bare, in ms

  const sema::Population& src = net.populations[1];
  CHECK(src.values.at("spike_times").kind == sema::ValueKind::PerElement);
  CHECK(src.values.at("spike_times").lists == std::vector<std::vector<double>>{{1, 2}, {3000}});

  REQUIRE(net.views.size() == 2);
  CHECK(net.views[0].set.start == 10);
  CHECK(net.views[0].set.step == 4);
  CHECK(net.views[0].set.size() == 10);
  CHECK_FALSE(net.views[1].set.is_slice);
  CHECK(net.views[1].set.indices == std::vector<std::int64_t>{14, 22});
  REQUIRE(net.assemblies.size() == 1);
  CHECK(net.assemblies[0].members.size() == 2);

  REQUIRE(net.projections.size() == 5);
  const sema::Projection& ee = net.projections[0];
  CHECK(ee.connector.kind == sema::ConnectorKind::FixedProbability);
  CHECK(ee.connector.p == Approx(0.02));
  CHECK(ee.receptor == "excitatory");
  CHECK(ee.receptor_index == std::vector<std::size_t>{0});
  CHECK(ee.synapse.weight_dim == sema::Dimension::current());
  CHECK(ee.synapse.values.at("weight").numbers.at(0) == Approx(0.27));
  CHECK(ee.delay.numbers.at(0) == Approx(0.2));

  const sema::Projection& far = net.projections[1];
  CHECK(far.connector.kind == sema::ConnectorKind::DistanceDependentProbability);
  CHECK(far.connector.probability != nullptr);
  CHECK(far.receptor_index == std::vector<std::size_t>{2});
  CHECK(far.synapse.values.at("weight").kind == sema::ValueKind::Distribution);
  CHECK(far.delay.kind == sema::ValueKind::Expression);

  const sema::Projection& listed = net.projections[2];
  REQUIRE(listed.connector.list.size() == 2);
  CHECK(listed.connector.list[1].weight == Approx(2));
  CHECK(listed.connector.list[1].delay == Approx(0.3));
  CHECK_FALSE(listed.connector.list[0].weight);

  const sema::Projection& plastic = net.projections[3];
  REQUIRE(plastic.synapse.slots.size() == 2);
  CHECK(plastic.synapse.slots[0].component->name == "Pair");
  CHECK(plastic.synapse.slots[0].values.at("tau_plus").numbers.at(0) == Approx(10));
  CHECK(plastic.synapse.slots[1].values.at("w_max").numbers.at(0) == Approx(2));  // bare, in nA
  CHECK(plastic.synapse.slots[1].values.at("w_max").type.dim == sema::Dimension::current());
  CHECK(plastic.delay.numbers.at(0) == Approx(0.1));  // the default, dt

  const sema::Projection& gap = net.projections[4];
  CHECK(gap.receptor.empty());
  CHECK(gap.synapse.values.at("weight").numbers.at(0) == Approx(0.001));

  REQUIRE(net.injections.size() == 1);
  CHECK(net.injections[0].values.at("amplitude").numbers.at(0) == Approx(0.1));
  CHECK(net.injections[0].target_input == "i_syn");
  CHECK(net.injections[0].targets.at(0).size() == 10);

  REQUIRE(net.recordings.size() == 3);
  CHECK(net.recordings[0].spikes);
  CHECK(net.recordings[1].variable == "v");
  CHECK(net.recordings[1].interval_steps == 10);
  CHECK(net.recordings[1].dim == sema::Dimension::voltage());
  CHECK(net.recordings[2].receptor == "slow");
  CHECK(net.recordings[2].variable == "i");
  CHECK(net.recordings[2].targets.at(0).size() == 10);
}

TEST_CASE("models record types, symbols and literal values", "[sema]") {
  Run r = check("neuron M { parameters { tau: s = 0.02 } state { v: mV = 0 } equations { v' = -v / tau + 1 mV / ms } }");
  INFO(r.text);
  REQUIRE_FALSE(r.diags->has_errors());
  const sema::Model* m = r.program->find_model("M");
  REQUIRE(m);
  const sema::Symbol* tau = m->find("tau");
  REQUIRE(tau);
  CHECK(tau->kind == sema::SymbolKind::Parameter);
  CHECK(tau->value == std::vector<double>{20});  // 0.02 s in ms
  const ast::Equation& eq = m->decl->body.equations.at(0);
  CHECK(r.program->equation_targets.at(&eq) == m->find("v"));
  const auto* sum = ast::dyn_cast<ast::BinaryExpr>(eq.rhs.get());
  REQUIRE(sum);
  CHECK(r.program->type_of(sum)->dim == sema::Dimension::voltage() / sema::Dimension::time());
  const auto* quotient = ast::dyn_cast<ast::BinaryExpr>(sum->lhs.get());
  REQUIRE(quotient);
  CHECK(r.program->symbol_of(quotient->rhs.get()) == tau);
  const auto* rate = ast::dyn_cast<ast::BinaryExpr>(sum->rhs.get());
  REQUIRE(rate);
  CHECK(r.program->literal_values.at(rate->lhs.get()) == Approx(1));
  CHECK(r.program->symbol_of(rate->rhs.get())->kind == sema::SymbolKind::Unit);
}

TEST_CASE("synapse-side names resolve to sides, traces and host variables", "[sema]") {
  Run r = check("");
  INFO(r.text);
  REQUIRE_FALSE(r.diags->has_errors());
  const sema::Model* gap = r.program->find_model("Gap");
  const sema::Model* pair = r.program->find_model("Pair");
  const sema::Model* additive = r.program->find_model("Additive");
  REQUIRE((gap && pair && additive));
  CHECK(r.program->find_model("ExpCurr")->spike_dim == sema::Dimension::current());
  // pre.v and post.v
  const auto* diff = ast::dyn_cast<ast::BinaryExpr>(
      ast::dyn_cast<ast::BinaryExpr>(gap->decl->body.outputs.at(0).value.get())->rhs.get());
  REQUIRE(diff);
  CHECK(r.program->symbol_of(diff->lhs.get())->side == sema::Side::Pre);
  CHECK(r.program->symbol_of(diff->rhs.get())->side == sema::Side::Post);
  // the trace variable
  const sema::Symbol* x = pair->find("x");
  REQUIRE(x);
  CHECK(x->side == sema::Side::Pre);
  CHECK(x->trace != nullptr);
  // the weight dependence writes the synapse's weight
  REQUIRE(additive->externals.size() == 1);
  CHECK(additive->externals[0]->name == "weight");
  CHECK(additive->externals[0]->model->name == "Plastic");
}

TEST_CASE("imports read each file once and tolerate cycles", "[sema][imports]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "gennc_sema_imports";
  fs::create_directories(dir / "lib");
  std::ofstream(dir / "lib" / "a.gdsl") << "import \"b.gdsl\"\nneuron A { state { v: mV = 0 } }\n";
  std::ofstream(dir / "lib" / "b.gdsl") << "import \"a.gdsl\"\nimport \"../lib/a.gdsl\"\nneuron B { }\n";
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  std::string root_text = "import \"lib/a.gdsl\"\nimport \"lib/b.gdsl\"\nneuron C { }\n";
  diag::FileId root = sources.add_file((dir / "root.gdsl").string(), root_text);
  auto program = sema::check(parse::parse_module(root, diags), sources, diags, {});
  CHECK_FALSE(diags.has_errors());
  CHECK(program->modules.size() == 3);
  CHECK(program->find_model("A"));
  CHECK(program->find_model("B"));

  SECTION("a duplicate model across files points at the first") {
    diag::SourceManager s2;
    diag::Diagnostics d2(s2, nullptr);
    diag::FileId f = s2.add_file((dir / "dup.gdsl").string(), "import \"lib/a.gdsl\"\nneuron A { }\n");
    sema::check(parse::parse_module(f, d2), s2, d2, {});
    REQUIRE(d2.error_count() == 1);
    CHECK(d2.all()[0].id == DiagId::duplicate_model);
    REQUIRE(d2.all()[0].notes.size() == 1);
    CHECK(s2.path(d2.all()[0].notes[0].range.begin.file).find("a.gdsl") != std::string::npos);
  }
  fs::remove_all(dir);
}

TEST_CASE("the standard library checks cleanly, embedded or from a folder", "[sema][imports]") {
  Run embedded = check("import pynn\n");
  // The prelude's models have names of their own, so only stdlib problems can show.
  INFO(embedded.text);
  CHECK_FALSE(embedded.diags->has_errors());
  CHECK(embedded.program->find_model("IF_curr_exp"));
  CHECK(embedded.program->find_model("StaticSynapse"));

  std::filesystem::path dir = std::filesystem::path(GENNC_SOURCE_DIR) / "stdlib";
  sema::CheckOptions options;
  options.stdlib_dir = dir.string();
  Run folder = check("import pynn\n", "test.gdsl", options);
  INFO(folder.text);
  CHECK_FALSE(folder.diags->has_errors());
  CHECK(folder.program->find_model("IF_cond_exp"));
}

TEST_CASE("the embedded library is parsed once and shared where its file ids match", "[sema][imports]") {
  // Two runs that import the library from their root register its files under the same
  // ids, so the second takes the first's syntax trees.
  Run first = check("import pynn\n");
  Run second = check("import pynn\nneuron Extra { }\n");
  INFO(first.text << second.text);
  CHECK_FALSE(first.diags->has_errors());
  CHECK_FALSE(second.diags->has_errors());
  REQUIRE(first.program->modules.size() == second.program->modules.size());
  REQUIRE(first.program->modules.size() > 1);
  for (std::size_t m = 1; m < first.program->modules.size(); ++m)
    CHECK(first.program->modules[m] == second.program->modules[m]);
  CHECK(second.program->find_model("IF_curr_exp"));

  // A run that registers a file of its own first gives the library other ids: its files
  // are parsed again, and their ranges name this run's files.
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "gennc_sema_shared_library";
  fs::create_directories(dir);
  std::ofstream(dir / "mine.gdsl") << "neuron Mine { state { v: mV = 0 } }\n";
  Run shifted = check("import \"mine.gdsl\"\nimport pynn\n", (dir / "root.gdsl").string());
  INFO(shifted.text);
  CHECK_FALSE(shifted.diags->has_errors());
  const sema::Model* cell = shifted.program->find_model("IF_curr_exp");
  REQUIRE(cell);
  CHECK(shifted.sources->path(cell->decl->name_range.begin.file) == "<pynn>/cells/IF_curr.gdsl");
  for (const auto& module : shifted.program->modules)
    for (const auto& m : first.program->modules) CHECK(module != m);
}
