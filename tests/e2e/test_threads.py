# Results do not depend on the number of worker threads. On several threads the host
# shares a step out (runtime/src/cpu/host_kernels.cpp): deliveries by ring, updates whole
# by population or, once timed, an update costlier than a thread's share (Brunel's Poisson
# drive) split by neurons, each thread listing its spikes apart and the lists joined in
# the neurons' order; where every delay is at least two steps, one step's deliveries run
# beside the next step's updates, cut into chunks. Spikes and traces must be bitwise those
# of one thread. 1000 steps: the first run of at least 500 steps times the threads and
# shares the updates out.
import pytest

from e2e_support import assert_same_recordings


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
