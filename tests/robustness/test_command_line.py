# Issue 11, rows 3 and 14: the `sim` command line (docs/runtime.md, "The sim program").
#
# - Row 14: --seed is an unsigned 64-bit integer written in decimal; anything else (-1,
#   2^64, 1e3, 0x10, +5, "") is refused as misuse (exit 2) instead of becoming 2^64 - 1,
#   and the largest seeds stay distinct.
# - Row 3: --threads is bounded by the hardware (at most the larger of 8 and 4 x the
#   hardware threads) and refused above it before any thread starts; threads the system
#   cannot start are an error (exit 1, naming them), not a hang or an abort.
# An earlier results folder is compared before and after each refusal.
import json
import resource
import subprocess

import numpy as np
import pytest

from conftest import tree


@pytest.fixture(scope="module")
def sim(toolchain):
    return toolchain.compile(toolchain.network("results_net"))


@pytest.fixture()
def results(sim, tmp_path):
    out = tmp_path / "results"
    assert run(sim, out).returncode == 0
    return out


def run(sim, out, *args, limits=None):
    return subprocess.run([str(sim), "--out", str(out), "--backend", "cpu", "--quiet", "--duration", "20", *args],
                          capture_output=True, text=True, timeout=60, preexec_fn=limits)


def manifest(out):
    return json.loads((out / "manifest.json").read_text())


@pytest.mark.parametrize("seed", ["-1", "18446744073709551616", "99999999999999999999999", "1e3", "0x10", "+5",
                                  " 7", "7.0", "", "seven"])
def test_a_seed_that_is_not_an_unsigned_64_bit_integer_is_refused(sim, results, seed):
    before = tree(results)
    proc = run(sim, results, "--seed", seed)
    assert proc.returncode == 2, proc.stderr
    assert "--seed" in proc.stderr
    if seed:
        assert f"must be a whole number from 0 to 18446744073709551615, not '{seed}'" in proc.stderr
    assert tree(results) == before


def test_the_largest_seeds_are_kept_apart(sim, tmp_path):
    spikes = {}
    for seed in ("18446744073709551615", "18446744073709551614", "0"):
        out = tmp_path / seed
        proc = run(sim, out, "--seed", seed)
        assert proc.returncode == 0, proc.stderr
        assert manifest(out)["seed"] == int(seed)
        spikes[seed] = np.load(out / "drive.spikes.npy")
    assert not np.array_equal(spikes["18446744073709551615"], spikes["18446744073709551614"])
    assert not np.array_equal(spikes["18446744073709551615"], spikes["0"])


@pytest.mark.parametrize("threads", ["-1", "4294967296", "many", "2.5"])
def test_a_thread_count_that_is_not_a_number_is_refused(sim, results, threads):
    before = tree(results)
    proc = run(sim, results, "--threads", threads)
    assert proc.returncode == 2 and "--threads" in proc.stderr, proc.stderr
    assert tree(results) == before


@pytest.mark.parametrize("threads", ["100000", "4294967295"])
def test_more_threads_than_the_hardware_bound_are_refused(sim, results, threads):
    before = tree(results)
    proc = run(sim, results, "--threads", threads)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"sim: error: cannot set up the network: {threads} threads requested; at most ")
    assert "hardware threads this process may use" in proc.stderr
    assert tree(results) == before


def test_eight_threads_are_always_allowed(sim, results):
    proc = run(sim, results, "--threads", "8")
    assert proc.returncode == 0, proc.stderr
    assert manifest(results)["threads"] == 8


def starved():
    # Each thread reserves its stack (the stack limit, 1 GiB here) of a 3 GiB address
    # space: two workers start, the third cannot.
    resource.setrlimit(resource.RLIMIT_STACK, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def test_threads_that_cannot_start_are_an_error_not_a_hang(sim, results):
    before = tree(results)
    proc = run(sim, results, "--threads", "8", limits=starved)
    assert proc.returncode == 1, proc.stderr
    assert "sim: error: cannot set up the network: cannot start 7 worker threads" in proc.stderr
    assert tree(results) == before
    # The same limits leave room for one worker.
    assert run(sim, results, "--threads", "2", limits=starved).returncode == 0


def test_a_duration_past_the_random_streams_is_refused_before_the_run(sim, results):
    # Row 17 at run time: --duration gives the steps, which must stay within 2^40.
    before = tree(results)
    proc = subprocess.run([str(sim), "--out", str(results), "--backend", "cpu", "--quiet", "--duration", "1e300"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "sim: error: --duration 1e+300 ms is 1e+301 steps of dt = 0.1 ms; the random streams address at most " \
           "2^40 steps" in proc.stderr
    assert tree(results) == before
