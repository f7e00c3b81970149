# Issue 11, row 19: SIGINT and SIGTERM (docs/runtime.md, "The sim program"). The first
# signal stops `sim` at the end of the current batch of steps (about 0.2 s of work), the
# results recorded so far are written and sim says so, exiting with 128 + the signal; a
# second signal ends it at once. Nothing recorded is lost: the results are exactly those of
# a run of the duration reached.
import json
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import tree

LONG = "10000000"  # ms: minutes of work, never reached


@pytest.fixture(scope="module")
def sim(toolchain):
    return toolchain.compile(toolchain.network("results_net"))


def start(sim, out):
    return subprocess.Popen([str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet",
                             "--duration", LONG], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def arrays(out):
    return {p.name: np.load(p) for p in sorted(out.glob("*.npy"))}


@pytest.mark.parametrize("sig, name", [(signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")])
def test_a_signal_stops_the_run_and_keeps_what_was_recorded(sim, tmp_path, sig, name):
    out = tmp_path / "results"
    proc = start(sim, out)
    time.sleep(2.0)
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 10, "the run did not stop at the end of its batch"
    assert proc.returncode == 128 + sig, err
    manifest = json.loads((out / "manifest.json").read_text())
    reached = manifest["duration"]
    assert 0 < reached < float(LONG)
    assert f"sim: {name}: stopped after {reached:.10g} of {LONG} ms" in err
    assert "writing the results recorded so far" in err
    assert f"sim: {name}: the results of the first {reached:.10g} ms are in {out}" in err
    # Exactly what a run of that duration records.
    spikes = np.load(out / "cells.spikes.npy")
    assert len(spikes) > 0 and spikes[:, 1].max() <= reached
    whole = tmp_path / "whole"
    again = subprocess.run([str(sim), "--out", str(whole), "--backend", "cpu", "--threads", "1", "--quiet",
                            "--duration", f"{reached:.10g}"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    stopped, complete = arrays(out), arrays(whole)
    assert stopped.keys() == complete.keys()
    for file in stopped:
        np.testing.assert_array_equal(stopped[file], complete[file], err_msg=file)


def test_a_second_signal_ends_sim_at_once(sim, tmp_path):
    out = tmp_path / "results"
    done = subprocess.run([str(sim), "--out", str(out), "--backend", "cpu", "--quiet", "--duration", "50"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    before = tree(out)
    proc = start(sim, out)
    time.sleep(1.0)
    # Two different signals: two of one kind sent at once may merge into one while pending
    # (POSIX does not queue them), two kinds never do. The second comes long before the
    # current batch ends.
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode in (-signal.SIGINT, -signal.SIGTERM)
    # It died before writing: the earlier results are as they were (a temporary folder it
    # might have left is removed by the next run).
    assert tree(out) == before


def test_a_stopped_run_resumes_from_its_checkpoint(sim, tmp_path):
    """--checkpoint writes the state where a signal stopped the run; --resume goes on from
    it, and the steps after it record exactly what an uninterrupted run records then."""
    out, checkpoint = tmp_path / "results", tmp_path / "state.ckpt"
    proc = subprocess.Popen([str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet",
                             "--duration", LONG, "--checkpoint", str(checkpoint)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    reached = json.loads((out / "manifest.json").read_text())["duration"]
    assert f"sim: checkpoint at {reached:.10g} ms written to {checkpoint}" in err
    end = reached + 20.0
    resumed = tmp_path / "resumed"
    run = subprocess.run([str(sim), "--out", str(resumed), "--backend", "cpu", "--threads", "1", "--quiet",
                          "--duration", f"{end:.10g}", "--resume", str(checkpoint)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    whole = tmp_path / "whole"
    run = subprocess.run([str(sim), "--out", str(whole), "--backend", "cpu", "--threads", "1", "--quiet",
                          "--duration", f"{end:.10g}"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    after = np.load(resumed / "cells.spikes.npy")
    complete = np.load(whole / "cells.spikes.npy")
    assert len(after) > 0
    np.testing.assert_array_equal(after, complete[complete[:, 1] > reached + 1e-9])


def test_a_bad_checkpoint_is_refused_before_anything_runs(sim, tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "results"
    run = subprocess.run([str(sim), "--out", str(out), "--quiet", "--duration", "10", "--resume", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"sim: error: cannot resume from '{bad}'" in run.stderr and "(nothing was run)" in run.stderr
    assert not out.exists()
