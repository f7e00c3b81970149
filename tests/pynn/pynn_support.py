# What tests/pynn's suites share: where PyNN's source distribution was unpacked, how the
# backend under test is imported, and the expectation marks.
#
# The backend under test is named as PyNN's scripts name it: `gennc` is pynn_gennc
# (registered as pyNN.gennc, since PyNN looks backends up as pyNN.<name>), and any other
# name is PyNN's own backend pyNN.<name> (`nest` is the reference that checks the harness).
import importlib
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PYNN_VERSION = "0.13.0"
# scripts/install-deps.sh unpacks PyNN's test/system/scenarios and examples/ here.
DEFAULT_SHARE = ROOT / ".venv" / "share" / f"pynn-{PYNN_VERSION}"
INSTALL_HINT = "run scripts/install-deps.sh, which unpacks PyNN's source distribution there"


class SimulatorImportError(Exception):
    """The backend under test does not import; raised by each test that needs it, so that
    a backend still being written shows as each test's (expected) failure."""


def register_gennc():
    """Imports pynn_gennc and registers it as pyNN.gennc."""
    import pyNN
    import pynn_gennc
    sys.modules["pyNN.gennc"] = pynn_gennc
    pyNN.gennc = pynn_gennc
    return pynn_gennc


_imported = {}


def import_simulator(name):
    """The backend module called `name` (see above); SimulatorImportError if it does not
    import. The outcome is remembered: a failed import is not retried."""
    if name not in _imported:
        try:
            module = register_gennc() if name == "gennc" else importlib.import_module(f"pyNN.{name}")
            _imported[name] = (module, None)
        except Exception as e:  # a backend being written may fail in any way
            _imported[name] = (None, f"{type(e).__name__}: {e}")
    module, error = _imported[name]
    if module is None:
        module_name = "pynn_gennc" if name == "gennc" else f"pyNN.{name}"
        raise SimulatorImportError(f"import {module_name} failed: {error}")
    return module


def expectation_marks(test_id, simulator, out_of_scope, expected_failures):
    """Marks for one test: a skip where `out_of_scope` names it, a strict xfail where the
    table of the simulator under test lists it (so a test that starts to pass fails, and
    its line in the table is deleted)."""
    if test_id in out_of_scope:
        return [pytest.mark.skip(reason=out_of_scope[test_id])]
    reason = expected_failures.get(simulator, {}).get(test_id)
    if reason is not None:
        return [pytest.mark.xfail(reason=reason, strict=True)]
    return []


def stale_names(known_ids, out_of_scope, expected_failures):
    """Names in the expectation tables that match no test: left over after a rename."""
    names = set(out_of_scope)
    for table in expected_failures.values():
        names.update(table)
    return sorted(names - set(known_ids))
