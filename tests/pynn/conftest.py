# pytest configuration of tests/pynn: PyNN's own system scenarios and example scripts,
# run against a PyNN backend — pynn_gennc unless --sim (or $GENNC_PYNN_SIM) names another.
#
#     .venv/bin/python -m pytest tests/pynn                  # pynn_gennc
#     .venv/bin/python -m pytest tests/pynn --sim nest       # PyNN's NEST backend: checks
#                                                            # the harness itself
#
# pynn_gennc finds the compiler through $GENNC (ctest sets it to the build's gennc) and
# caches compiled models in $GENNC_CACHE_DIR; --fresh-cache empties that folder first.
import os
import pathlib
import shutil

import pytest

from pynn_support import DEFAULT_SHARE


def pytest_addoption(parser):
    group = parser.getgroup("pynn", "PyNN scenarios and examples")
    group.addoption("--sim", default=os.environ.get("GENNC_PYNN_SIM", "gennc"),
                    help="backend under test: gennc (pynn_gennc, the default) or the name "
                         "of a PyNN backend pyNN.<name>, e.g. nest [$GENNC_PYNN_SIM]")
    group.addoption("--pynn-share", default=str(DEFAULT_SHARE),
                    help="where PyNN's test/system/scenarios and examples/ were unpacked")
    group.addoption("--group", default=None,
                    help="run only this group of scenario modules or examples (the groups "
                         "are listed in each test file; ctest runs one group per entry)")
    group.addoption("--fresh-cache", action="store_true",
                    help="empty $GENNC_CACHE_DIR before the first test")


def pytest_configure(config):
    cache = os.environ.get("GENNC_CACHE_DIR")
    if config.getoption("--fresh-cache") and cache:
        shutil.rmtree(cache, ignore_errors=True)
        pathlib.Path(cache).mkdir(parents=True, exist_ok=True)


def pytest_report_header(config):
    return [f"backend under test: {config.getoption('--sim')}",
            f"GENNC={os.environ.get('GENNC', '(unset)')}  "
            f"GENNC_CACHE_DIR={os.environ.get('GENNC_CACHE_DIR', '(unset)')}"]


@pytest.fixture(scope="session")
def simulator_name(request):
    return request.config.getoption("--sim")


@pytest.fixture(scope="session")
def pynn_share(request):
    return pathlib.Path(request.config.getoption("--pynn-share"))
