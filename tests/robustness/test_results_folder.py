# Issue 11, rows 1, 6 and 15: the results folder (docs/runtime.md, "The results folder").
#
# - Row 1: `sim --out DIR` replaces only a gennc results folder (its manifest.json says
#   "format": "gennc-results") and deletes only the files that manifest lists; a user's
#   own files in it stay, and a folder that merely holds some manifest.json is refused.
# - Row 6: a destination that cannot take the results is refused before the first step
#   (exit 1, "nothing was run"), not after the run.
# - Row 15: temporary folders left beside DIR by runs that were killed are removed.
# Every test compares the files before and after.
import json
import os
import subprocess
import time

import numpy as np
import pytest

from conftest import tree


@pytest.fixture(scope="module")
def sim(toolchain):
    return toolchain.compile(toolchain.network("results_net"))


def run(sim, out, *args):
    return subprocess.run([str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet", *args],
                          capture_output=True, text=True, timeout=120)


def refused(sim, out, *args, message):
    """Runs sim, asserts it refused with `message` before running, and returns stderr."""
    before = tree(out)
    proc = run(sim, out, *args)
    assert proc.returncode == 1, f"exit {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    assert proc.stderr.startswith("sim: error: cannot write results to "), proc.stderr
    for part in message:
        assert part in proc.stderr, f"{part!r} not in {proc.stderr!r}"
    assert "nothing was run" in proc.stderr
    assert tree(out) == before, "the folder changed"
    return proc.stderr


def succeeds(sim, out, *args):
    proc = run(sim, out, *args)
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    return json.loads((out / "manifest.json").read_text())


def leftovers(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name + "."))


# ---- Row 1 ----------------------------------------------------------------------------

def project_folder(folder, manifest):
    folder.mkdir()
    (folder / "manifest.json").write_text(manifest)
    (folder / "src").mkdir()
    (folder / "src" / "app.js").write_text("console.log('mine')\n")
    (folder / "README.md").write_text("# my project\n")
    return folder


@pytest.mark.parametrize("manifest, why", [
    ('{"name": "my-app", "version": "1.0.0"}\n', 'does not say "format": "gennc-results"'),
    ('{"format": "something-else"}\n', 'does not say "format": "gennc-results"'),
    ("not json at all\n", "is not JSON"),
    ("[1, 2, 3]\n", "is not JSON"),
])
def test_a_folder_holding_some_manifest_json_is_refused(sim, tmp_path, manifest, why):
    folder = project_folder(tmp_path / "app", manifest)
    refused(sim, folder, message=["is not a gennc results folder", why, "refusing to replace it"])
    assert (folder / "src" / "app.js").read_text() == "console.log('mine')\n"


def test_a_folder_without_a_manifest_is_refused(sim, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8\xff")
    refused(sim, folder, message=["is not a gennc results folder (it has no manifest.json)"])


def test_a_manifest_json_that_is_a_folder_is_refused(sim, tmp_path):
    folder = tmp_path / "odd"
    (folder / "manifest.json").mkdir(parents=True)
    refused(sim, folder, message=["manifest.json is not a regular file"])


def test_results_replace_only_gennc_files_and_keep_the_users(sim, tmp_path):
    out = tmp_path / "results"
    first = succeeds(sim, out)
    first_spikes = np.load(out / "cells.spikes.npy")
    # The user adds their own files, including one that looks like gennc's (.npy) but that
    # the manifest does not list; an earlier run's file the new run does not write is
    # listed, so it goes.
    (out / "README.md").write_text("notes on this run\n")
    (out / "analysis").mkdir()
    (out / "analysis" / "plot.py").write_text("import numpy\n")
    np.save(out / "my_rates.npy", np.arange(5))
    np.save(out / "old.recording.npy", np.arange(3))
    first["files"].append("old.recording.npy")
    (out / "manifest.json").write_text(json.dumps(first))
    users = {k: v for k, v in tree(out).items() if k in ("README.md", "analysis", "analysis/plot.py", "my_rates.npy")}

    second = succeeds(sim, out, "--seed", "99")
    after = tree(out)
    assert {k: after[k] for k in users} == users, "the user's files changed"
    assert not (out / "old.recording.npy").exists()
    assert second["seed"] == 99
    assert not np.array_equal(np.load(out / "cells.spikes.npy"), first_spikes)
    assert sorted(after) == sorted(list(users) + second["files"] + ["manifest.json"])
    assert leftovers(out) == []


def test_a_pure_results_folder_is_replaced_whole(sim, tmp_path):
    out = tmp_path / "results"
    succeeds(sim, out)
    first = os.stat(out).st_ino
    manifest = succeeds(sim, out, "--seed", "5")
    assert os.stat(out).st_ino != first  # exchanged for the new folder in one rename
    assert sorted(tree(out)) == sorted(manifest["files"] + ["manifest.json"])
    assert leftovers(out) == []


def test_an_entry_in_the_way_of_a_result_file_is_refused(sim, tmp_path):
    out = tmp_path / "results"
    succeeds(sim, out)
    # A folder of the user's where a result file would go: not a file gennc wrote.
    (out / "cells.spikes.npy").unlink()
    (out / "cells.spikes.npy").mkdir()
    (out / "cells.spikes.npy" / "mine.txt").write_text("keep")
    refused(sim, out, message=["cells.spikes.npy' is in the way"])


def test_a_folder_left_incomplete_by_a_crash_is_replaced(sim, tmp_path):
    # What a crash while moving new files in beside a user's files leaves (docs/runtime.md).
    out = tmp_path / "results"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({
        "format": "gennc-results", "format_version": 1, "incomplete": True,
        "files": ["cells.spikes.npy", "stale.npy"], "recordings": []}))
    (out / "stale.npy").write_bytes(b"half")
    (out / "cells.spikes.npy").write_bytes(b"old")
    (out / "notes.txt").write_text("mine")
    manifest = succeeds(sim, out)
    assert "incomplete" not in manifest
    assert not (out / "stale.npy").exists()
    assert (out / "notes.txt").read_text() == "mine"
    assert np.load(out / "cells.spikes.npy").shape[1] == 2


# ---- Row 6 ----------------------------------------------------------------------------

def test_an_impossible_destination_is_refused_before_the_run(sim, tmp_path):
    # 10^7 ms would take minutes: the refusal must come first.
    start = time.monotonic()
    refused(sim, "/dev/null/results", "--duration", "10000000", message=["'/dev/null' is not a folder"])
    assert time.monotonic() - start < 30


def test_a_file_in_the_way_is_refused_before_the_run(sim, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    refused(sim, blocker, "--duration", "10000000", message=["it exists and is not a folder"])
    refused(sim, blocker / "results", "--duration", "10000000", message=[f"'{blocker}' is not a folder"])
    assert blocker.read_text() == "not a folder"


def test_a_name_too_long_for_the_file_system_is_refused_before_the_run(sim, tmp_path):
    out = tmp_path / ("r" * 250)  # fits, but its temporary folder beside it would not
    refused(sim, out, "--duration", "10000000", message=["the folder's name is too long"])
    assert leftovers(out) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not stop root")
def test_a_read_only_destination_is_refused_before_the_run(sim, tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    os.chmod(parent, 0o555)
    try:
        refused(sim, parent / "results", "--duration", "10000000", message=["cannot write in", str(parent)])
    finally:
        os.chmod(parent, 0o755)


def test_missing_parents_are_created(sim, tmp_path):
    out = tmp_path / "a" / "b" / "results"
    succeeds(sim, out)
    assert (out / "cells.spikes.npy").exists()


# ---- Row 15 ---------------------------------------------------------------------------

def dead_pid():
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_stale_temporary_folders_of_dead_runs_are_removed(sim, tmp_path):
    out = tmp_path / "results"
    succeeds(sim, out)
    dead = dead_pid()
    # What a run killed while writing leaves: a half-written folder beside the results.
    stale = tmp_path / f"results.tmp-{dead}"
    stale.mkdir()
    (stale / "cells.spikes.npy").write_bytes(b"\x93NUMPY half")
    old = tmp_path / f"results.old-{dead}"
    old.mkdir()
    (old / "manifest.json").write_text('{"format": "gennc-results", "files": ["x.dat"]}')
    (old / "x.dat").write_bytes(b"listed")
    # A live process's folder is left alone, and so are files gennc does not write.
    live = tmp_path / f"results.tmp-{os.getpid()}"
    live.mkdir()
    (live / "cells.spikes.npy").write_bytes(b"in progress")
    mixed = tmp_path / f"results.tmp-{dead_pid()}"
    mixed.mkdir()
    (mixed / "cells.v.npy").write_bytes(b"stale")
    (mixed / "keep.txt").write_text("someone's")
    other = tmp_path / f"other.tmp-{dead}"
    other.mkdir()

    succeeds(sim, out)
    assert not stale.exists() and not old.exists()
    assert tree(live) == {"cells.spikes.npy": tree(live)["cells.spikes.npy"]}
    assert tree(mixed) == {"keep.txt": tree(mixed)["keep.txt"]}
    assert other.exists()  # another folder's name


def test_a_run_killed_at_once_leaves_nothing_the_next_run_keeps(sim, tmp_path):
    out = tmp_path / "results"
    succeeds(sim, out)
    before = tree(out)
    proc = subprocess.Popen([str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet",
                             "--duration", "10000000"])
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    assert tree(out) == before
    succeeds(sim, out)
    assert leftovers(out) == []


def test_samples_that_cannot_fit_the_disk_are_refused_before_the_run(sim, tmp_path):
    # 1e11 ms of five traces sampled every ms: about 4.8 TB, more than the disk holds.
    out = tmp_path / "results"
    start = time.monotonic()
    refused(sim, out, "--duration", "100000000000", message=["the sampled recordings of 1e+11 ms need about",
                                                              "MiB free"])
    assert time.monotonic() - start < 30
    assert not out.exists()
