"""Runs one PyNN script on pynn_gennc and on pyNN.nest and measures how far apart they are.

Both simulators get dt = 0.1 ms and an explicit min_delay of one step; NEST places spikes
on the grid (spike_precision="on_grid"), gennc runs in float64 (pynn_gennc's default).
Measurements go to `results` (a list of dicts) before a test asserts anything, so that
conftest.py writes them to JSON for tests/nest/stdlib_table.py, failures included.
"""
import numpy as np
import pyNN.nest as nest_sim

import pynn_gennc

DT = 0.1
SIMULATORS = {"nest": nest_sim, "gennc": pynn_gennc}

results = []

# pyNN 0.13's NEST translations lack these state names: without them pyNN.nest can neither
# record IF_curr_delta's v nor initialise IF_cond_exp_gsfa_grr (PyNN's g_r, g_s).
nest_sim.IF_curr_delta.variable_map = {"v": "V_m"}
nest_sim.IF_cond_exp_gsfa_grr.variable_map = dict(nest_sim.IF_cond_exp_gsfa_grr.variable_map,
                                                  g_r="g_rr", g_s="g_sfa")


def setup(sim, spike_precision="on_grid"):
    """Both simulators alike: on the grid unless the test compares exact spike times."""
    sim.setup(timestep=DT, min_delay=DT, spike_precision=spike_precision)


def spike_differences(spikes, expected):
    """The largest |t - t_nest| over paired spikes; inf when the counts differ."""
    if len(spikes) != len(expected):
        return float("inf")
    if len(spikes) == 0:
        return 0.0
    return float(np.abs(np.asarray(spikes) - np.asarray(expected)).max())


def near_spikes(n_samples, spike_times, window):
    """Samples within `window` ms of any of the spike times."""
    times = np.arange(n_samples) * DT
    near = np.zeros(n_samples, dtype=bool)
    for s in spike_times:
        near |= np.abs(times - s) <= window + 1e-9
    return near


def record(**measured):
    """Keeps one row of measurements, with infinities as None (JSON has none)."""
    row = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
           for k, v in measured.items()}
    results.append(row)
    return row
