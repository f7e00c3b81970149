# pytest configuration of the robustness tests that compile networks (test_*.py here): the
# toolchain under test comes from the command line, as in tests/e2e, whose helpers
# (e2e_support.py: compiling, running `sim`, reading results, the C ABI through ctypes)
# these tests share.
import hashlib
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))

from e2e_support import Toolchain  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--gennc", required=True, help="the gennc driver to test")
    parser.addoption("--root", default=str(pathlib.Path(__file__).resolve().parents[2]),
                     help="the source tree")


class RobustnessToolchain(Toolchain):
    def network(self, name):
        """tests/robustness/networks/<name>.gdsl."""
        return self.root / "tests" / "robustness" / "networks" / (name + ".gdsl")


@pytest.fixture(scope="session")
def toolchain(request, tmp_path_factory):
    return RobustnessToolchain(pathlib.Path(request.config.getoption("--gennc")).resolve(),
                               pathlib.Path(request.config.getoption("--root")),
                               tmp_path_factory.mktemp("build"), 1)


def tree(folder):
    """Every entry under `folder`: files with their content's digest, folders as '/'."""
    folder = pathlib.Path(folder)
    if not folder.exists():
        return None
    return {p.relative_to(folder).as_posix(): ("/" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*"))}
