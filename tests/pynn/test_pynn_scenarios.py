# PyNN's own system scenarios (test/system/scenarios of PyNN's source distribution, which
# scripts/install-deps.sh unpacks into .venv/share/pynn-0.13.0) run against the backend
# under test, one pytest test per scenario function.
#
# PyNN parametrizes each scenario with `@run_with_simulators("nest", "neuron", ...)`,
# which imports pyNN.<name> modules only. Here every function `test_*` of every scenario
# module is called with `sim` = the backend under test (pynn_gennc by default, see
# conftest.py), whatever simulators PyNN lists for it; its other parameters keep their
# defaults, and its other marks (skips, other parametrizations) are kept.
#
# Expectations: OUT_OF_SCOPE skips a scenario for every backend, with the reason;
# EXPECTED_FAILURES lists, per backend, the scenarios that do not pass yet, as strict
# xfails: a scenario that starts to pass fails the run until its line is deleted.
import importlib
import itertools
import pathlib
import sys

import pytest

from pynn_support import (INSTALL_HINT, expectation_marks, import_simulator,
                          stale_names)

OUT_OF_SCOPE = {
    "test_scenario5.test_scenario5":
        "multicompartment neurons (pyNN.morphology; PyNN runs it on arbor and neuron "
        "only): out of scope for gennc",
}

EXPECTED_FAILURES = {
    # pynn_gennc: one line per scenario that does not pass yet; delete it when it passes.
    "gennc": {
    },
    # PyNN's NEST backend, the reference: what fails with it in this environment (all
    # pass: PyNN 0.13.0 with NEST 3.10, scipy installed).
    "nest": {
    },
}

# Scenario modules per ctest entry (tests/pynn/CMakeLists.txt), so that `ctest -j2` runs
# them side by side; `rest` takes every module no other group names.
GROUPS = {
    "a": ["test_electrodes", "test_recording", "test__simulation_control"],
    "b": ["test_cell_types", "test_connectors", "test_connection_handling"],
    "rest": None,
}


class Scenario:
    """One call of a scenario function: its id, the function, and the keyword arguments
    of one combination of its own (non-`sim`) parametrizations."""

    def __init__(self, test_id, function, kwargs):
        self.test_id, self.function, self.kwargs = test_id, function, kwargs

    def __repr__(self):
        return self.test_id


def scenario_modules(share):
    """Module names of the scenarios package under `share`, importable as `scenarios.*`."""
    package = share / "test" / "system" / "scenarios"
    if not (package / "__init__.py").exists():
        return None
    parent = str(package.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    return sorted(p.stem for p in package.glob("test_*.py"))


def modules_of_group(group, modules):
    if group is None:
        return modules
    if group not in GROUPS:
        raise pytest.UsageError(f"--group {group}: scenario groups are {', '.join(GROUPS)}")
    named = GROUPS[group]
    if named is None:
        others = {m for g in GROUPS.values() if g for m in g}
        return [m for m in modules if m not in others]
    return [m for m in modules if m in named]


def argnames(mark):
    names = mark.args[0]
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def is_sim_parametrization(mark):
    return mark.name == "parametrize" and argnames(mark) == ["sim"]


def expand(mark):
    """A parametrize mark as a list of (kwargs, id suffix, marks)."""
    names = argnames(mark)
    cases = []
    for i, value in enumerate(mark.args[1]):
        marks, case_id = (), None
        if isinstance(value, type(pytest.param(None))):
            value, marks, case_id = value.values, value.marks, value.id
            value = value if len(names) > 1 else value[0]
        values = value if len(names) > 1 else (value,)
        cases.append((dict(zip(names, values)), case_id or str(i), list(marks)))
    return cases


def scenarios_of(module_name):
    """The Scenario calls of one module, with the marks that its functions carry."""
    module = importlib.import_module(f"scenarios.{module_name}")
    found = []
    for name, function in sorted(vars(module).items()):
        if not name.startswith("test_") or not callable(function):
            continue
        if getattr(function, "__module__", None) != module.__name__:
            continue  # imported from elsewhere
        marks = getattr(function, "pytestmark", [])
        kept = [m for m in marks if m.name != "parametrize"]
        others = [expand(m) for m in marks if m.name == "parametrize" and not is_sim_parametrization(m)]
        for combination in itertools.product(*others):
            kwargs, suffix, case_marks = {}, [], []
            for case_kwargs, case_id, marks_of_case in combination:
                kwargs.update(case_kwargs)
                suffix.append(case_id)
                case_marks.extend(marks_of_case)
            test_id = f"{module_name}.{name}" + (f"[{'-'.join(suffix)}]" if suffix else "")
            found.append((Scenario(test_id, function, kwargs), kept + case_marks))
    return found


def all_scenarios(config):
    """Every Scenario with its marks, or None where the scenarios are not installed."""
    modules = scenario_modules(pathlib.Path(config.getoption("--pynn-share")))
    if modules is None:
        return None
    return {m: scenarios_of(m) for m in modules}


def pytest_generate_tests(metafunc):
    if "scenario" not in metafunc.fixturenames:
        return
    config = metafunc.config
    by_module = all_scenarios(config)
    if by_module is None:
        metafunc.parametrize("scenario", [pytest.param(None, id="scenarios-missing")])
        return
    simulator = config.getoption("--sim")
    params = []
    for module_name in modules_of_group(config.getoption("--group"), list(by_module)):
        for scenario, marks in by_module[module_name]:
            marks = marks + expectation_marks(scenario.test_id, simulator, OUT_OF_SCOPE,
                                              EXPECTED_FAILURES)
            params.append(pytest.param(scenario, id=scenario.test_id, marks=marks))
    metafunc.parametrize("scenario", params)


def test_scenario(scenario, simulator_name, pynn_share, tmp_path, monkeypatch):
    assert scenario is not None, f"no PyNN scenarios in {pynn_share}: {INSTALL_HINT}"
    sim = import_simulator(simulator_name)
    monkeypatch.chdir(tmp_path)  # scenarios write Results/ and other files
    scenario.function(sim, **scenario.kwargs)


def test_expectation_tables_name_existing_scenarios(request):
    """Every name in OUT_OF_SCOPE and EXPECTED_FAILURES is a scenario: a table entry that
    matches nothing (a typo, a renamed scenario) would otherwise go unnoticed."""
    by_module = all_scenarios(request.config)
    if by_module is None:
        pytest.skip("PyNN scenarios not installed")
    known = [s.test_id for found in by_module.values() for s, _ in found]
    assert stale_names(known, OUT_OF_SCOPE, EXPECTED_FAILURES) == []
