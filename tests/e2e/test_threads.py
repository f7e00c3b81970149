# Results do not depend on the number of worker threads. On several threads the host
# shares a step out (runtime/src/cpu/host_kernels.cpp): deliveries by ring, updates whole
# by population or, once timed, an update costlier than a thread's share (Brunel's Poisson
# drive) split by neurons, each thread listing its spikes apart and the lists joined in
# the neurons' order; where every delay is at least two steps, one step's deliveries run
# beside the next step's updates, cut into chunks. Spikes and traces must be bitwise those
# of one thread. 1000 steps: the first run of at least 500 steps times the threads and
# shares the updates out.
import ctypes

import numpy as np
import pytest

from e2e_support import Simulation, assert_same_recordings


def brunel(toolchain, folder, delay="1.5 ms"):
    text = (toolchain.root / "examples" / "brunel2000_ai.gdsl").read_text()
    text = text.replace("let N_E = 10000", "let N_E = 1600").replace("let N_I = 2500", "let N_I = 400")
    text = text.replace("let D = 1.5 ms", "let D = " + delay)
    path = folder / "brunel_2000.gdsl"
    path.write_text(text)
    return path


# 15 steps: deliveries overlap the next updates; 2: the least delay that allows it; 1: a
# spike must arrive at the very next step's update, so the steps may not overlap.
@pytest.mark.parametrize("delay", ["1.5 ms", "0.2 ms", "0.1 ms"])
def test_brunel_on_any_thread_count(toolchain, tmp_path, delay):
    source = brunel(toolchain, tmp_path, delay)
    runs = {n: toolchain.simulate(source, tmp_path / f"threads{n}", "--duration", "100", threads=n) for n in (1, 2, 3)}
    assert len(runs[1].spikes("exc")[0]) > 1000  # the network is active: deliveries mattered
    for n in (2, 3):
        assert_same_recordings(runs[1], runs[n], ["exc.spikes", "inh.spikes", "exc.v", "inh.v"],
                               f"between one thread and {n}")


def test_vogels_abbott_on_any_thread_count(toolchain, tmp_path):
    # Two populations too unequal to run whole side by side: each split over the threads.
    runs = {n: toolchain.simulate("vogels_abbott_cuba", tmp_path / f"threads{n}", "--duration", "100", threads=n)
            for n in (1, 2, 3)}
    for n in (2, 3):
        assert_same_recordings(runs[1], runs[n], ["exc.spikes", "inh.spikes"], f"between one thread and {n}")


def test_delays_set_between_runs_decide_the_overlap_again(toolchain, tmp_path):
    # Drawn delays of 2-5 steps let two threads overlap a step's deliveries with the next
    # step's updates; set to one step between runs (gennc_set_array), they must not: the
    # next run decides again, and gives one thread's spikes.
    source = tmp_path / "brunel_drawn_delays.gdsl"
    source.write_text(brunel(toolchain, tmp_path).read_text().replace(
        "synapse StaticSynapse(weight = J, delay = D) onto excitatory",
        "synapse StaticSynapse(weight = J, delay = uniform(0.2 ms, 0.5 ms)) onto excitatory"))
    library = ctypes.CDLL(str(toolchain.compile(source, "--shared")))
    spikes = {}
    for threads in (1, 2):
        sim = Simulation(library, threads)
        sim.run(300)
        sim.set_array("e2e.delay", np.ones(sim.array_length("e2e.delay")))
        sim.run(300)
        spikes[threads] = sim.spikes("exc.spikes")
        sim.close()
    assert len(spikes[1][0]) > 1000
    for a, b in zip(spikes[1], spikes[2]):
        np.testing.assert_array_equal(a, b)
