# Ring buffers are sized to a power of two and slots found by mask (docs/runtime.md,
# Delays and rings), on networks/ring_depth.gdsl through the C ABI:
#
# - the longest delay onto `post` is 5 steps, so its ring depth is 8 and its ring arrays
#   8 x size long;
# - spikes in bursts arrive exactly at their stamp + delay over 300 steps (the 8 slots wrap
#   37 times): the sampled synaptic current equals the sum of the decaying jumps;
# - a delay array accepts delays up to depth - 1 = 7 steps after creation (more than the
#   longest delay at creation), and they arrive on time; 8 is refused;
# - a checkpoint whose ring depth is not a power of two is refused, naming the population,
#   and leaves the simulation as it was.
import ctypes
import struct
import zlib

import numpy as np
import pytest

from e2e_support import Simulation

DT = 0.1
STEPS = 300
TAU_SYN = 5.0
SPIKES = np.array([1.0, 1.3, 2.0, 5.0, 5.1, 5.2, 5.3, 5.4, 5.5, 5.7, 12.8, 20.0])


@pytest.fixture(scope="module")
def library(toolchain):
    return ctypes.CDLL(str(toolchain.compile("ring_depth", "--shared")))


def expected_isyn(times, delay_steps):
    """Each spike stamped t adds 1 nA at t + delay, decaying with tau_syn; a sample at time
    s shows the jumps that arrived at or before s (a spike is added at the end of the step
    it arrives in, as NEST adds it)."""
    arrivals = SPIKES + delay_steps * DT
    after = times[:, None] - arrivals[None, :]
    return np.where(after > -DT / 2, np.exp(-np.maximum(after, 0.0) / TAU_SYN), 0.0).sum(axis=1)


def test_ring_depth_is_a_power_of_two(library):
    sim = Simulation(library, 1)
    assert sim.array("post.ring_depth").tolist() == [8.0]
    assert sim.array_length("post.excitatory.ring") == 8 * 2
    sim.close()


def run_and_sample(sim):
    samples = []
    for _ in range(STEPS):
        sim.run(1)
        samples.append(sim.array("post.excitatory.isyn"))
    times = DT * np.arange(1, STEPS + 1)
    return times, np.array(samples)


def test_spikes_arrive_at_stamp_plus_delay_across_wraps(library):
    sim = Simulation(library, 1)
    drawn = sim.array("near.delay")
    assert 1 <= drawn[0] <= 3
    times, got = run_and_sample(sim)
    sim.close()
    np.testing.assert_allclose(got[:, 0], expected_isyn(times, 5), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[:, 1], expected_isyn(times, drawn[0]), rtol=1e-5, atol=1e-6)


def test_delays_up_to_depth_minus_one_may_be_set(library):
    sim = Simulation(library, 1)
    status = sim.lib.gennc_set_array_f64(sim.handle, b"near.delay",
                                         np.array([8.0]).ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(1))
    assert status != 0
    assert "[1, 7]" in sim.lib.gennc_last_error().decode()
    sim.set_array("near.delay", [7.0])
    times, got = run_and_sample(sim)
    sim.close()
    np.testing.assert_allclose(got[:, 1], expected_isyn(times, 7), rtol=1e-5, atol=1e-6)


def set_u32_array(checkpoint, name, value):
    """Overwrites the first element of the u32 array `name` in a checkpoint's bytes (format
    in runtime/src/checkpoint.cpp: per array, u32 name length, name, u32 dtype, u64 length,
    elements) and recomputes the checksum (a CRC-32 of all before it, in the last 4 bytes),
    so the file is well-formed and only the ring depth is wrong."""
    key = struct.pack("<I", len(name)) + name.encode()
    at = checkpoint.index(key) + len(key) + 4 + 8
    edited = checkpoint[:at] + struct.pack("<I", value) + checkpoint[at + 4:-4]
    return edited + struct.pack("<I", zlib.crc32(edited))


def test_checkpoint_with_another_ring_depth_is_refused(library, tmp_path):
    sim = Simulation(library, 1)
    sim.run(100)
    good = tmp_path / "good.ckpt"
    sim.save(good)
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(set_u32_array(good.read_bytes(), "post.ring_depth", 6))
    assert sim.lib.gennc_load_checkpoint(sim.handle, str(bad).encode()) != 0
    message = sim.lib.gennc_last_error().decode()
    assert "population 'post'" in message and "not a power of two" in message
    assert sim.lib.gennc_step(sim.handle) == 100
    sim.load(good)
    sim.close()
