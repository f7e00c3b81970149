"""`--group NAME` runs one ctest entry's share of the cases; `--results FILE` writes what
the tests measured (nest_compare.results) as JSON for stdlib_table.py."""
import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


def pytest_addoption(parser):
    parser.addoption("--group", default=None, help="run only the cases of this group")
    parser.addoption("--results", default=None, help="write the measurements to this JSON file")


def pytest_configure(config):
    config.addinivalue_line("markers", "group(name): the ctest entry that runs the case")


def pytest_collection_modifyitems(config, items):
    group = config.getoption("--group")
    if group is None:
        return
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("group")
        (keep if marker is not None and marker.args[0] == group else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_sessionfinish(session):
    path = session.config.getoption("--results")
    if path is None or "nest_compare" not in sys.modules:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(sys.modules["nest_compare"].results, f, indent=1)
