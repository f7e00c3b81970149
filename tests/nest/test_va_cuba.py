"""The Vogels-Abbott CUBA network (bench/pynn/va_benchmark_pynn.py, 4000 cells, 1 s) on
pynn_gennc and pyNN.nest, three seeds, the same on both.

Different seeds draw different connectivity, initial potentials and stimuli, so runs of
different seeds differ by a few percent. The same seed draws the same connectivity and
initial potentials on both, through PyNN's NumpyRNG (the Poisson kick comes from each
simulator's own generator): seeds 1-3 gave rates 0.1-2.3% apart pairwise, so each lies
within 1.2% of the two runs' mean. Each simulator's mean excitatory and inhibitory rate
over SEEDS lies within 5% of the mean of all runs.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import nest_compare as nc

pytestmark = pytest.mark.group("va_cuba")

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "pynn", "va_benchmark_pynn.py")
SEEDS = (1, 2, 3)
TOLERANCE = 0.05


def rates(simulator, seed, tmp_path):
    proc = subprocess.run([sys.executable, SCRIPT, simulator, "CUBA", "--seed", str(seed),
                           "--out", str(tmp_path / f"{simulator}_{seed}")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])["rates"]


def test_va_cuba_rates(tmp_path):
    runs = {sim: [rates(sim, seed, tmp_path) for seed in SEEDS] for sim in ("gennc", "nest")}
    failures = []
    for pop in ("exc", "inh"):
        grand = np.mean([r[pop] for sim in runs for r in runs[sim]])
        for sim, rs in runs.items():
            mean = float(np.mean([r[pop] for r in rs]))
            nc.record(kind="network", model="Vogels-Abbott CUBA", population=pop, simulator=sim,
                      seeds=list(SEEDS), rates=[r[pop] for r in rs], mean=mean, all_mean=float(grand))
            if abs(mean - grand) > TOLERANCE * grand:
                failures.append(f"{sim} {pop}: {mean:.2f} Hz, all runs {grand:.2f} Hz")
    assert not failures, failures
