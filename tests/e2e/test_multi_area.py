# The multi-area model's generator and rate comparison (bench/multi_area/): two areas at 1%
# of the neurons and in-degrees, the model's own connector, compiled and run on the CPU.
# The network's sizes and synapse numbers must be the model's (data.json, scaled as
# MultiAreaModel.scale_network does), and compare_rates.py's figures must be the ones numpy
# computes from the same spikes.
import json
import re
import subprocess
import sys

import numpy as np
import pytest

AREAS = ["V1", "V2"]
SCALE = 0.01


@pytest.fixture(scope="module")
def network(toolchain, tmp_path_factory):
    out = tmp_path_factory.mktemp("multi_area")
    source = out / "mam_two_areas.gdsl"
    subprocess.run([sys.executable, str(toolchain.root / "bench/multi_area/make_network.py"),
                    "--areas", ",".join(AREAS), "--scale-neurons", str(SCALE), "--scale-indegrees", str(SCALE),
                    "--connector", "total", "--duration", "600", "-o", str(source)], check=True)
    return toolchain.simulate(source, out / "results")


def model_data(toolchain):
    return json.loads((toolchain.root / "bench/multi_area/data.json").read_text())


def test_sizes_and_synapses_are_the_models(toolchain, network):
    data = model_data(toolchain)
    cols = data["populations"]["columns"]
    rows = data["populations"]["rows"]
    names = [f"{r[cols.index('area')]}_{r[cols.index('pop')]}" for r in rows]
    n_model = [r[cols.index("N_model")] for r in rows]
    expected = {names[i]: int(n_model[i] * SCALE) for i, r in enumerate(rows) if r[cols.index("area")] in AREAS}
    assert {n: s for n, s in network.sizes.items() if not n.startswith("bg_")} == expected
    # fixed_total_number makes exactly int(K N_model S K_scaling) synapses per pair (pairs
    # name populations by their row in the population table).
    pcols = data["pairs"]["columns"]
    made = {p["name"]: p["synapses"] for p in network.manifest["projections"] if not p["name"].startswith("bg_")}
    wanted = {}
    for r in data["pairs"]["rows"]:
        target, source = r[pcols.index("target")], r[pcols.index("source")]
        if names[target] in expected and names[source] in expected:
            count = int(r[pcols.index("K")] * n_model[target] * SCALE * SCALE)
            if count > 0:
                wanted[f"{names[source]}_to_{names[target]}"] = count
    assert len(wanted) > 100 and made == wanted


def test_compare_rates_matches_numpy(toolchain, network):
    report = subprocess.run([sys.executable, str(toolchain.root / "bench/multi_area/compare_rates.py"),
                             str(network.folder), "--from", "100", "--populations"],
                            capture_output=True, text=True, check=True).stdout
    listed = dict((m.group(1), float(m.group(2)))
                  for m in re.finditer(r"^\| (\w+) \| \d+ \| ([0-9.]+) \| [0-9.]+ \|$", report, re.M))
    model = {p: n for p, n in network.sizes.items() if not p.startswith("bg_")}
    window = (network.manifest["duration"] - 100.0) / 1000.0
    rates = {p: np.count_nonzero(network.spikes(p)[1] > 100.0) / n / window for p, n in model.items()}
    assert set(listed) == set(model)
    for population in model:
        assert listed[population] == pytest.approx(rates[population], abs=5e-4), population
    weighted = re.search(r"^\| neuron-weighted mean rate \(Hz\) \| ([0-9.]+) \|", report, re.M)
    total = sum(rates[p] * n for p, n in model.items()) / sum(model.values())
    assert float(weighted.group(1)) == pytest.approx(total, abs=5e-4)
    assert total > 0.5  # the network is active
