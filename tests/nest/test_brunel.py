"""Brunel's (2000) network with the AI regime's parameters at a fifth of its size
(networks/brunel_ai_small.gdsl) on gennc and on NEST directly, several seeds a side.

NEST builds it as NEST's brunel_delta_nest.py does: iaf_psc_delta cells, fixed_indegree
connections with multapses and autapses, one poisson_generator to every neuron. Different
seeds draw different connectivity and drive, and the two simulators draw differently, so
single runs differ; the statistics over SEEDS must agree: each simulator's mean rate within
5% of the mean of all runs, its mean CV of the interspike intervals within 0.05 of it.
Over seeds 1-5 the runs' rates spread by 3% (62 Hz) and their CVs by 0.01 (0.35) on both.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import nest_compare as nc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from e2e_support import Results  # noqa: E402

pytestmark = pytest.mark.group("brunel")

NETWORK = os.path.join(os.path.dirname(__file__), "networks", "brunel_ai_small.gdsl")
SEEDS = (1, 2, 3)
START, STOP = 100.0, 600.0
N_E, N_I, C_E, C_I, G, ETA, J, D, TAU, THETA = 2000, 500, 200, 50, 5.0, 2.0, 0.2, 1.5, 20.0, 20.0
RATE_TOLERANCE = 0.05
CV_TOLERANCE = 0.05


def statistics(trains):
    """Mean rate (Hz) over [START, STOP) and mean CV of neurons with 3 or more spikes."""
    counts = [np.count_nonzero((t >= START) & (t < STOP)) for t in trains]
    cvs = []
    for t in trains:
        isi = np.diff(t[t >= START])
        if len(isi) >= 2:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(counts)) / ((STOP - START) / 1000.0), float(np.mean(cvs))


def trains_of(neurons, times, size):
    order = np.lexsort((times, neurons))
    neurons, times = neurons[order], times[order]
    bounds = np.searchsorted(neurons, np.arange(size + 1))
    return [times[bounds[k]:bounds[k + 1]] for k in range(size)]


def nest_run(seed):
    import nest
    nest.set_verbosity("M_ERROR")
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "rng_seed": seed, "local_num_threads": 1})
    params = {"C_m": 1.0, "tau_m": TAU, "t_ref": 2.0, "E_L": 0.0, "V_th": THETA,
              "V_reset": 10.0, "V_m": 0.0, "I_e": 0.0}
    exc = nest.Create("iaf_psc_delta", N_E, params=params)
    inh = nest.Create("iaf_psc_delta", N_I, params=params)
    nu_thr = THETA / (J * C_E * TAU) * 1000.0
    noise = nest.Create("poisson_generator", params={"rate": C_E * ETA * nu_thr})
    nest.Connect(noise, exc + inh, syn_spec={"weight": J, "delay": D})
    nest.Connect(exc, exc + inh, {"rule": "fixed_indegree", "indegree": C_E}, {"weight": J, "delay": D})
    nest.Connect(inh, exc + inh, {"rule": "fixed_indegree", "indegree": C_I}, {"weight": -G * J, "delay": D})
    stats = {}
    recorders = {name: nest.Create("spike_recorder") for name in ("exc", "inh")}
    nest.Connect(exc, recorders["exc"])
    nest.Connect(inh, recorders["inh"])
    nest.Simulate(STOP)
    for name, pop, size in (("exc", exc, N_E), ("inh", inh, N_I)):
        events = recorders[name].get("events")
        neurons = np.asarray(events["senders"]) - pop[0].global_id
        stats[name] = statistics(trains_of(neurons, np.asarray(events["times"]), size))
    return stats


@pytest.fixture(scope="module")
def gennc_sim(tmp_path_factory):
    sim = tmp_path_factory.mktemp("brunel") / "sim"
    subprocess.run([os.environ["GENNC"], NETWORK, "--no-gpu", "-o", str(sim)], check=True)
    return sim


def gennc_run(sim, seed, out):
    subprocess.run([str(sim), "--out", str(out), "--seed", str(seed), "--duration", str(STOP),
                    "--threads", "1", "--quiet"], check=True)
    results = Results(out)
    return {name: statistics(results.spike_trains(name)) for name in ("exc", "inh")}


def test_brunel_ai_rates_and_cv(gennc_sim, tmp_path):
    runs = {"gennc": [gennc_run(gennc_sim, s, tmp_path / f"gennc_{s}") for s in SEEDS],
            "nest": [nest_run(s) for s in SEEDS]}
    failures = []
    for pop in ("exc", "inh"):
        all_rate = np.mean([r[pop][0] for rs in runs.values() for r in rs])
        all_cv = np.mean([r[pop][1] for rs in runs.values() for r in rs])
        for sim, rs in runs.items():
            rate = float(np.mean([r[pop][0] for r in rs]))
            cv = float(np.mean([r[pop][1] for r in rs]))
            nc.record(kind="network", model="Brunel, AI parameters (2500 cells)", population=pop, simulator=sim,
                      seeds=list(SEEDS), rates=[r[pop][0] for r in rs], cvs=[r[pop][1] for r in rs],
                      mean=rate, all_mean=float(all_rate), mean_cv=cv, all_mean_cv=float(all_cv))
            if abs(rate - all_rate) > RATE_TOLERANCE * all_rate:
                failures.append(f"{sim} {pop}: {rate:.2f} Hz, all runs {all_rate:.2f} Hz")
            if abs(cv - all_cv) > CV_TOLERANCE:
                failures.append(f"{sim} {pop}: CV {cv:.3f}, all runs {all_cv:.3f}")
    assert not failures, failures
