# Issue 14: what a run over ranks reports and leaves behind. `sim --profile` gives every
# kernel's time (the slowest rank's) and the time spent exchanging between ranks; a
# checkpoint written when a signal stopped 2 ranks resumes with 3 ranks (or alone) and the
# run goes on exactly as the uninterrupted single-process run does.
import json
import signal
import subprocess

import numpy as np

from conftest import ARGS, signal_rank


def profile_rows(folder):
    return {row["name"]: row["seconds_per_step"]
            for row in json.loads((folder / "manifest.json").read_text())["timings"]["profile"]}


def test_the_profile_names_every_kernel_and_the_exchange(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile("vogels_abbott_cuba"))
    alone = subprocess.run([sim, "--out", str(tmp_path / "alone"), *ARGS, "--duration", "20", "--profile"],
                           capture_output=True, text=True, timeout=60)
    assert alone.returncode == 0, alone.stderr
    run = launcher.run(2, sim, "--out", str(tmp_path / "ranks"), *ARGS, "--duration", "20", "--profile")
    assert run.returncode == 0, run.stderr
    kernels = profile_rows(tmp_path / "alone")
    ranks = profile_rows(tmp_path / "ranks")
    assert set(ranks) == set(kernels) | {"(exchanging between ranks)"}
    assert ranks["(exchanging between ranks)"] > 0
    assert ranks["exc.update"] > 0
    assert "(exchanging between ranks)" in run.stdout


def test_a_checkpoint_of_stopped_ranks_resumes_with_another_rank_count(toolchain, launcher, tmp_path):
    sim = str(toolchain.compile("vogels_abbott_cuba"))
    checkpoint = tmp_path / "state.ckpt"
    command = launcher.command(2, sim, "--out", str(tmp_path / "stopped"), *ARGS, "--duration", "600000",
                               "--checkpoint", str(checkpoint))
    returncode, _, stderr = signal_rank(launcher, command, 1)
    assert returncode == 128 + signal.SIGTERM, stderr
    reached = json.loads((tmp_path / "stopped" / "manifest.json").read_text())["duration"]
    assert f"sim: checkpoint at {reached:.10g} ms written to {checkpoint}" in stderr
    end = f"{reached + 30.0:.10g}"
    resumed = launcher.run(3, sim, "--out", str(tmp_path / "resumed"), *ARGS, "--duration", end,
                           "--resume", str(checkpoint))
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([sim, "--out", str(tmp_path / "whole"), *ARGS, "--duration", end],
                           capture_output=True, text=True, timeout=100)
    assert whole.returncode == 0, whole.stderr
    for population in ("exc", "inh"):
        after = np.load(tmp_path / "resumed" / f"{population}.spikes.npy")
        complete = np.load(tmp_path / "whole" / f"{population}.spikes.npy")
        assert len(after) > 0
        np.testing.assert_array_equal(after, complete[complete[:, 1] > reached + 1e-9])
