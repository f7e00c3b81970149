# Issue 14, GPUs: one rank per GPU, spikes exchanged by NCCL (docs/distributed.md). Here
# there is no GPU (and on CI no libnccl.so.2 either): several ranks asking for the CUDA back
# end must all stop with one clear error (NCCL or the driver missing, whichever is looked
# for first and absent) and no results folder, and so must one process forced through the
# NCCL path (sim --exchange nccl). The GPU machine runs that path for real
# (tests/gpu/nccl_cases.txt).
import pathlib
import subprocess

import pytest

TESTS = pathlib.Path(__file__).parent
GPU_MISSING = ("cannot load NCCL (libnccl.so.2", "cannot load the NVIDIA driver library libcuda.so.1", "no CUDA device",
               "the NVIDIA driver sees no")


@pytest.fixture(scope="module")
def sim(toolchain):
    # With PTX: the CUDA back end must get as far as looking for NCCL and the driver.
    return str(toolchain.compile(TESTS / "networks" / "connectors.gdsl", ptx=True))


def errors_of(run):
    return [line for line in run.stderr.splitlines() if line.startswith("sim: error:")]


@pytest.mark.parametrize("ranks", [2, 3])
def test_gpu_ranks_without_nccl_stop_every_rank_with_one_error(sim, launcher, tmp_path, ranks):
    out = tmp_path / "results"
    run = launcher.run(ranks, sim, "--out", str(out), "--backend", "cuda", "--quiet", "--duration", "5")
    assert run.returncode == 1, run.stderr
    errors = errors_of(run)
    assert len(errors) == 1, run.stderr
    assert "cannot set up the network: rank 0: backend 'cuda'" in errors[0]
    assert any(reason in errors[0] for reason in GPU_MISSING), errors[0]
    assert not out.exists()
    assert not list(tmp_path.glob("results.tmp-*"))


def test_one_process_forced_through_nccl_fails_alone_with_one_error(sim, tmp_path):
    out = tmp_path / "results"
    run = subprocess.run([sim, "--out", str(out), "--backend", "cuda", "--exchange", "nccl", "--quiet",
                          "--duration", "5"], capture_output=True, text=True, timeout=100)
    assert run.returncode == 1, run.stderr
    errors = errors_of(run)
    assert len(errors) == 1, run.stderr
    assert "backend 'cuda'" in errors[0] and any(reason in errors[0] for reason in GPU_MISSING), errors[0]
    assert not out.exists()


@pytest.mark.parametrize("backend", ["cpu", "auto"])
def test_the_nccl_exchange_needs_the_cuda_back_end(sim, tmp_path, backend):
    out = tmp_path / "results"
    run = subprocess.run([sim, "--out", str(out), "--backend", backend, "--exchange", "nccl", "--quiet"],
                         capture_output=True, text=True, timeout=100)
    assert run.returncode == 1, run.stderr
    assert errors_of(run) == ["sim: error: cannot set up the network: the NCCL exchange (sim --exchange nccl, "
                              "GENNC_EXCHANGE=nccl) runs on GPUs: it needs --backend cuda"]
    assert not out.exists()


def test_an_unknown_exchange_is_refused(sim, tmp_path):
    out = tmp_path / "results"
    bad_option = subprocess.run([sim, "--out", str(out), "--exchange", "mpi"], capture_output=True, text=True,
                                timeout=100)
    assert bad_option.returncode == 2
    bad_variable = subprocess.run([sim, "--out", str(out), "--backend", "cpu", "--quiet"], capture_output=True,
                                  text=True, timeout=100, env={"GENNC_EXCHANGE": "peer", "PATH": "/usr/bin:/bin"})
    assert bad_variable.returncode == 1
    assert errors_of(bad_variable) == ["sim: error: cannot set up the network: GENNC_EXCHANGE (sim --exchange) is "
                                       "'peer'; expected auto or nccl"]
    assert not out.exists()


def test_help_names_the_exchange(sim):
    run = subprocess.run([sim, "--help"], capture_output=True, text=True, timeout=100)
    assert run.returncode == 0
    assert "--exchange" in run.stdout and "GENNC_EXCHANGE" in run.stdout
