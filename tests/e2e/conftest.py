# pytest configuration of the end-to-end suite: the toolchain under test comes from the
# command line (ctest passes the build's gennc), so the suite runs against any build.
import pathlib

import pytest

from e2e_support import Toolchain


def pytest_addoption(parser):
    parser.addoption("--gennc", required=True, help="the gennc driver to test")
    parser.addoption("--root", default=str(pathlib.Path(__file__).resolve().parents[2]),
                     help="the source tree (examples/ and tests/e2e/networks/)")
    parser.addoption("--threads", type=int, default=1, help="worker threads of each sim run")


@pytest.fixture(scope="session")
def toolchain(request, tmp_path_factory):
    return Toolchain(pathlib.Path(request.config.getoption("--gennc")),
                     pathlib.Path(request.config.getoption("--root")),
                     tmp_path_factory.mktemp("build"),
                     request.config.getoption("--threads"))
