# The full-scale Potjans-Diesmann microcircuit (77169 neurons, 2.99e8 synapses): several
# GB of memory and minutes on two cores, so it carries the ctest label `slow`, which CI
# leaves out (scripts/test.sh: -LE slow). Rates against NEST's full-scale run
# (examples/README.md), 15% or 0.1 Hz, measured from 300 ms to the end of 1000 ms.
import pytest

from test_examples import RATE_TOLERANCE

POTJANS_DIESMANN = {"L23e": 0.903, "L23i": 2.965, "L4e": 4.414, "L4i": 5.876,
                    "L5e": 7.569, "L5i": 8.633, "L6e": 1.105, "L6i": 7.829}


def test_potjans_diesmann_full_scale(toolchain, tmp_path):
    results = toolchain.simulate("potjans_diesmann", tmp_path / "results")
    assert sum(p["synapses"] for p in results.manifest["projections"]
               if p["pre"] in POTJANS_DIESMANN) == 298880968
    for population, expected in POTJANS_DIESMANN.items():
        rate = results.rate(population, 300.0)
        assert abs(rate - expected) <= max(RATE_TOLERANCE * expected, 0.1), (
            f"{population}: {rate:.2f} Hz, NEST {expected} Hz")
