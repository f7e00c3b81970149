# pytest configuration of the MPI suite: the toolchain under test and mpirun come from the
# command line (ctest passes them); the end-to-end suite's helpers build and run networks.
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "e2e"))
from e2e_support import Toolchain  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--gennc", required=True, help="the gennc driver to test")
    parser.addoption("--root", default=str(pathlib.Path(__file__).resolve().parents[2]),
                     help="the source tree (examples/)")
    parser.addoption("--mpirun", default="mpirun", help="MPI's launcher")


@pytest.fixture(scope="session")
def toolchain(request, tmp_path_factory):
    return Toolchain(pathlib.Path(request.config.getoption("--gennc")),
                     pathlib.Path(request.config.getoption("--root")),
                     tmp_path_factory.mktemp("build"), 1)


class Launcher:
    """mpirun for N ranks on however many cores there are (oversubscribed), as root too,
    through shared memory only (containers often lack the network interfaces and ptrace
    rights Open MPI's other transports want)."""

    def __init__(self, mpirun):
        self.mpirun = mpirun
        self.env = dict(os.environ, OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
                        OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_ALLOW_RUN_AS_ROOT="1",
                        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_mpi_yield_when_idle="1")

    def command(self, ranks, *program):
        return [self.mpirun, "--oversubscribe", "-np", str(ranks), *program]

    def run(self, ranks, *program):
        return subprocess.run(self.command(ranks, *program), capture_output=True, text=True, env=self.env,
                              timeout=100)


@pytest.fixture(scope="session")
def launcher(request):
    return Launcher(request.config.getoption("--mpirun"))


# sim's options for a run over ranks: the CPU, one worker thread per rank, no chatter.
ARGS = ["--backend", "cpu", "--threads", "1", "--quiet"]


def rank_process(mpirun_pid, rank):
    """The pid of `rank` among the processes mpirun started (Open MPI tells each its rank
    in OMPI_COMM_WORLD_RANK), once it catches SIGTERM (sim's handler is in place)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for status in pathlib.Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
                if int(fields["PPid"]) != mpirun_pid:
                    continue
                environ = (status.parent / "environ").read_bytes().split(b"\0")
                caught = int(fields["SigCgt"], 16)
            except (OSError, KeyError, ValueError):
                continue
            if f"OMPI_COMM_WORLD_RANK={rank}".encode() in environ and caught & (1 << (signal.SIGTERM - 1)):
                return int(status.parent.name)
        time.sleep(0.05)
    raise AssertionError(f"rank {rank} never started or never caught SIGTERM")


def signal_rank(launcher, command, rank, delay=0.0):
    """Runs `command` (mpirun ...), sends SIGTERM to `rank` alone once its handler is in
    place and `delay` seconds have passed, and returns (return code, stdout, stderr)."""
    mpirun = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=launcher.env)
    try:
        pid = rank_process(mpirun.pid, rank)
        time.sleep(delay)
        subprocess.run(["kill", "-TERM", str(pid)], check=True)
        stdout, stderr = mpirun.communicate(timeout=100)
    finally:
        if mpirun.poll() is None:
            mpirun.kill()
            mpirun.communicate()
    return mpirun.returncode, stdout, stderr
