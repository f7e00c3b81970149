# Issue 11, row 2: checkpoints (docs/runtime.md, "Checkpoints"). A damaged checkpoint is
# refused, naming what is wrong, and leaves the simulation as it was; nothing in a file
# makes the runtime read or write outside an array.
#
# - Fuzzing: checkpoints of a sparse, a bitmask and a procedural network (networks/ckpt_*)
#   are damaged thousands of times — single bit flips, truncations, overwritten and
#   inserted bytes — and loaded into a live simulation. Each load must be refused, or
#   continue bitwise as the intact checkpoint does (the same spikes and the same state
#   after FOLLOW steps); after a refusal the simulation must still continue exactly as
#   before. The checksum refuses all of these; so that validation behind it is exercised
#   too, the same mutations are also made with the checksum (and length) recomputed — a
#   well-formed file with wrong contents — where the load must be refused or run without
#   a crash, and a flip in a structural array must never be taken silently unless it
#   describes another valid network.
# - Targeted damage: each structural check, with the message it gives.
import ctypes
import os
import pathlib
import random
import struct
import tempfile
import zlib

import numpy as np
import pytest

from e2e_support import Simulation

STEPS = 200    # run before the checkpoint is saved: rings, traces and the snapshot filled
FOLLOW = 60    # steps run after a load to compare
SEED = 20240611

# Mutations per network, by kind (raw: checksum left as it is; resealed: recomputed).
RAW = {"bit flip": 3000, "truncation": 800, "overwrite": 400, "insertion": 150, "deletion": 150}
RESEALED = {"structural bit flip": 2000, "bit flip": 1000, "truncation": 300}

DTYPES = {0: np.dtype("<f4"), 1: np.dtype("<f8"), 2: np.dtype("<i4"), 3: np.dtype("<u4"), 4: np.dtype("u1")}
STRUCTURAL = (".row_pointer", ".column", ".bitmask", ".column_pointer", ".column_synapse", ".delay",
              ".ring_depth", ".spike_count", ".spike_list")


# ---- The file format (runtime/src/checkpoint.cpp) --------------------------------------

class Checkpoint:
    """A parsed checkpoint of format version 2, which serialises back to the same bytes."""

    def __init__(self, data):
        assert data[:8] == b"GENNCCKP"
        self.version, body = struct.unpack_from("<IQ", data, 8)
        assert self.version == 2 and len(data) == 20 + body + 4
        at = 20

        def take(fmt):
            nonlocal at
            values = struct.unpack_from(fmt, data, at)
            at += struct.calcsize(fmt)
            return values

        def string():
            nonlocal at
            (n,) = take("<I")
            at += n
            return data[at - n:at].decode()

        self.network = string()
        self.seed, self.step, count = take("<QQI")
        self.arrays = []  # [name, dtype, values, byte offset of the values]
        for _ in range(count):
            name = string()
            dtype, length = take("<IQ")
            values = np.frombuffer(data, DTYPES[dtype], length, at).copy()
            self.arrays.append([name, dtype, values, at])
            at += values.nbytes
        (has_snapshot,) = take("<B")
        self.snapshot = None
        if has_snapshot:
            self.snapshot = []
            for name, dtype, _, _ in self.arrays:
                (length,) = take("<Q")
                self.snapshot.append(np.frombuffer(data, DTYPES[dtype], length, at).copy())
                at += self.snapshot[-1].nbytes
        assert at == len(data) - 4
        assert self.to_bytes() == data

    def array(self, name):
        return next(a[2] for a in self.arrays if a[0] == name)

    def body(self):
        def string(s):
            return struct.pack("<I", len(s.encode())) + s.encode()
        out = [string(self.network), struct.pack("<QQI", self.seed, self.step, len(self.arrays))]
        for name, dtype, values, _ in self.arrays:
            out += [string(name), struct.pack("<IQ", dtype, len(values)), values.astype(DTYPES[dtype]).tobytes()]
        out.append(struct.pack("<B", 1 if self.snapshot is not None else 0))
        for values, (_, dtype, _, _) in zip(self.snapshot or [], self.arrays):
            out += [struct.pack("<Q", len(values)), values.astype(DTYPES[dtype]).tobytes()]
        return b"".join(out)

    def to_bytes(self, version=2):
        body = self.body()
        if version == 1:
            return b"GENNCCKP" + struct.pack("<I", 1) + body
        return seal(b"GENNCCKP" + struct.pack("<IQ", version, len(body)) + body + b"\0\0\0\0")

    def structural_ranges(self):
        """(start, end) byte ranges of the structural arrays' values."""
        return [(at, at + values.nbytes) for name, _, values, at in self.arrays
                if name.endswith(STRUCTURAL) and values.nbytes > 0]


def seal(data):
    """`data` with its body length and CRC-32 made to fit it (a well-formed file)."""
    data = bytearray(data)
    if len(data) >= 24:
        struct.pack_into("<Q", data, 12, len(data) - 24)
        struct.pack_into("<I", data, len(data) - 4, zlib.crc32(bytes(data[:-4])))
    return bytes(data)


# ---- Simulations --------------------------------------------------------------------------

class Live:
    """A simulation of one network, a checkpoint of it, and what continuing from it gives."""

    def __init__(self, toolchain, name, scratch):
        self.library = ctypes.CDLL(str(toolchain.compile(toolchain.network(name), "--shared")))
        self.lib = self.library
        self.lib.gennc_last_error.restype = ctypes.c_char_p
        self.scratch = scratch
        self.sim = Simulation(self.library, 1)
        self.sim.run(STEPS)
        self.path = scratch / f"{name}.ckpt"
        self.sim.save(self.path)
        self.data = self.path.read_bytes()
        self.checkpoint = Checkpoint(self.data)
        self.mutant = scratch / f"{name}.mutant.ckpt"
        self.sim.load(self.path)
        self.reference = self.follow()
        self.sim.load(self.path)

    def load(self, data):
        """Loads `data` as a checkpoint: (status, message)."""
        self.mutant.write_bytes(data)
        status = self.lib.gennc_load_checkpoint(self.sim.handle, str(self.mutant).encode())
        return status, self.lib.gennc_last_error().decode(errors="replace")

    def follow(self):
        """Runs FOLLOW steps: the spikes they give and a checkpoint of the state after."""
        self.sim.run(FOLLOW)
        neurons, times = self.sim.spikes("exc.spikes")
        after = self.scratch / "after.ckpt"
        self.sim.save(after)
        return neurons.tobytes() + times.tobytes(), after.read_bytes()

    def same_run(self):
        """Whether continuing gives exactly the intact checkpoint's run; then back to it."""
        same = self.follow() == self.reference
        self.sim.load(self.path)
        return same


@pytest.fixture(scope="module", params=["ckpt_sparse", "ckpt_bitmask", "ckpt_procedural"])
def live(request, toolchain, tmp_path_factory):
    # Saving a checkpoint flushes it to disk (fsync); thousands of them go to memory where
    # there is a tmpfs.
    if os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(dir="/dev/shm", prefix=f"gennc-{request.param}-") as scratch:
            yield Live(toolchain, request.param, pathlib.Path(scratch))
    else:
        yield Live(toolchain, request.param, tmp_path_factory.mktemp(request.param))


# ---- Fuzzing ------------------------------------------------------------------------------

def mutate(rng, data, kind, structural):
    """One mutation of `data`: (description, bytes)."""
    n = len(data)
    if kind == "bit flip" or kind == "structural bit flip":
        if kind == "structural bit flip":
            start, end = rng.choice(structural)
            at = rng.randrange(start, end)
        else:
            at = rng.randrange(n)
        bit = rng.randrange(8)
        out = bytearray(data)
        out[at] ^= 1 << bit
        return f"{kind} at byte {at} bit {bit}", bytes(out)
    if kind == "truncation":
        cut = rng.randrange(n)
        return f"truncated to {cut} bytes", data[:cut]
    if kind == "overwrite":
        at, length = rng.randrange(n), rng.randint(1, 16)
        junk = bytes(rng.randrange(256) for _ in range(length))
        return f"{length} bytes overwritten at {at}", data[:at] + junk + data[at + length:]
    if kind == "insertion":
        at = rng.randrange(n + 1)
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        return f"{len(junk)} bytes inserted at {at}", data[:at] + junk + data[at:]
    at, length = rng.randrange(n), rng.randint(1, 8)
    return f"{length} bytes deleted at {at}", data[:at] + data[at + length:]


def test_fuzzed_checkpoints_are_refused_or_continue_exactly(live, record_property):
    rng = random.Random(SEED + zlib.crc32(live.checkpoint.network.encode()))
    structural = live.checkpoint.structural_ranges()
    log = live.scratch / "current-mutant.txt"  # names the culprit if the process dies
    counts = {"raw refused": 0, "raw accepted, same run": 0,
              "resealed refused": 0, "resealed accepted": 0, "resealed structural accepted": 0}
    messages = {}
    checks = 0
    for resealed, plan in ((False, RAW), (True, RESEALED)):
        for kind, count in plan.items():
            for _ in range(count):
                description, data = mutate(rng, live.data, kind, structural)
                if resealed:
                    data = seal(data)
                log.write_text(f"{'resealed ' if resealed else ''}{description}\n")
                if data == live.data:
                    continue
                status, message = live.load(data)
                tag = "resealed" if resealed else "raw"
                if status != 0:
                    assert status == 3 and message.startswith(f"checkpoint '{live.mutant}': "), (description, message)
                    counts[tag + " refused"] += 1
                    reason = message.split("': ", 1)[1].split(":")[0]
                    messages[reason] = messages.get(reason, 0) + 1
                    # The simulation is as it was: every 8th refusal checked by running on.
                    if counts[tag + " refused"] % 8 == 0:
                        checks += 1
                        assert live.same_run(), f"{description}: a refused load changed the simulation"
                elif not resealed:
                    counts["raw accepted, same run"] += 1
                    assert live.same_run(), f"{description}: accepted, and the run differs"
                else:
                    counts["resealed accepted"] += 1
                    if kind == "structural bit flip":
                        counts["resealed structural accepted"] += 1
                    live.follow()  # runs without a crash, whatever the values
                    live.sim.load(live.path)
    log.unlink()
    assert live.same_run()
    summary = (f"{live.checkpoint.network}: {sum(RAW.values())} raw and {sum(RESEALED.values())} resealed "
               f"mutants of a {len(live.data)}-byte checkpoint: {counts}; {checks} refusals checked by "
               f"running on; reasons {sorted(messages.items(), key=lambda kv: -kv[1])[:8]}")
    print(summary)
    record_property("summary", summary)
    # Without its checksum no raw mutant is taken, and validation refuses most structural flips.
    assert counts["raw accepted, same run"] == 0
    assert counts["resealed structural accepted"] < RESEALED["structural bit flip"] // 2


# ---- Targeted damage ------------------------------------------------------------------------

def refused(live, data, *message):
    status, text = live.load(data)
    assert status == 3, f"accepted; expected {message}"
    for part in message:
        assert part in text, f"{part!r} not in {text!r}"
    assert live.same_run(), "a refused load changed the simulation"
    return text


def edited(live, edit):
    """The checkpoint with `edit(Checkpoint)` applied, resealed."""
    c = Checkpoint(live.data)
    edit(c)
    return c.to_bytes()


def test_damage_outside_the_structure_is_caught_by_the_checksum(live):
    flipped = bytearray(live.data)
    flipped[len(flipped) // 2] ^= 0x10
    refused(live, bytes(flipped), "checksum mismatch: the file is damaged")
    refused(live, live.data[:-1], "truncated")
    refused(live, live.data + b"\0", "1 bytes after the end its header gives")
    refused(live, live.data[:30], "truncated")
    refused(live, b"", "not a gennc checkpoint")
    refused(live, live.data[:8] + struct.pack("<I", 3) + live.data[12:], "unsupported format version 3")


def test_version_1_files_are_still_read(live):
    old = Checkpoint(live.data).to_bytes(version=1)
    assert live.load(old)[0] == 0
    assert live.same_run()


def test_other_files_than_regular_ones_are_refused(live, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        status = live.lib.gennc_load_checkpoint(live.sim.handle, str(path).encode())
        assert status == 4
        assert "not a regular file" in live.lib.gennc_last_error().decode()
    assert live.same_run()


def set_value(name, index, value):
    def edit(c):
        c.array(name)[index] = value
    return edit


def test_rings_and_spike_lists(live):
    c = live.checkpoint
    refused(live, edited(live, set_value("exc.ring_depth", 0, 3)), "ring depth 3 is not a power of two")
    size = len(c.array("exc.v"))
    refused(live, edited(live, set_value("exc.spike_count", 0, size + 1)),
            f"population 'exc': spike count {size + 1} exceeds its size {size}")

    def bad_list(c):
        c.array("inh.spike_count")[0] = 2
        c.array("inh.spike_list")[1] = 20
    refused(live, edited(live, bad_list), "spike list entry 1 is neuron 20, outside the population")


def projections(c):
    return sorted({a[0].split(".")[0] for a in c.arrays if a[0].endswith(".row_pointer")})


def test_row_pointers(live):
    c = live.checkpoint
    for p in projections(c):
        rows = c.array(p + ".row_pointer")
        refused(live, edited(live, set_value(p + ".row_pointer", 0, 1)), f"projection '{p}'", "start at 1, not 0")
        k = int(np.argmax(rows[:-1] > 0))  # the first row boundary above 0 but the last
        if rows[k] > 0:
            refused(live, edited(live, set_value(p + ".row_pointer", k, rows[k + 1] + 1)),
                    f"projection '{p}': its row pointers decrease at row {k}")


def test_sparse_columns_and_column_access(live):
    c = live.checkpoint
    if "d2e.column" not in [a[0] for a in c.arrays]:
        pytest.skip("no stored columns")
    # The example: a column one past the end of the post population.
    refused(live, edited(live, set_value("d2e.column", 0, 60)),
            "projection 'd2e': synapse 0 goes to neuron 60, not a neuron of the post view")
    # A neuron of the population, but not of the view inh[5:20].
    refused(live, edited(live, set_value("e2i.column", 3, 2)), "synapse 3 goes to neuron 2, not a neuron of the post view")
    # Rows are in CSR order: by post neuron.
    columns = c.array("e2e.column")
    refused(live, edited(live, set_value("e2e.column", 1, columns[0] - 1 if columns[0] > 0 else 0)),
            "projection 'e2e': row 0 is not in ascending order of post neurons (synapse 1)")
    # A synapse in the row of exc neuron 1, which the view exc[0:60:2] leaves out.
    rows = c.array("e2i.row_pointer")
    refused(live, edited(live, set_value("e2i.row_pointer", 1, rows[1] - 1)),
            "row 1 is not empty, but neuron 1 is outside the pre view")
    refused(live, edited(live, set_value("e2e.row_pointer", len(c.array("e2e.row_pointer")) - 1,
                                         len(c.array("e2e.column")) - 1)), "its row pointers end at")
    pointers = c.array("d2e.column_pointer")
    j = int(np.argmax(np.diff(pointers.astype(np.int64)) > 0)) + 1
    refused(live, edited(live, set_value("d2e.column_pointer", j, pointers[j] - 1)),
            "its column pointers do not match its columns")

    def swapped(c):
        ids = c.array("d2e.column_synapse")
        ids[[0, 1]] = ids[[1, 0]]
    refused(live, edited(live, swapped), "its column synapse ids do not match its columns")


def test_per_synapse_arrays_and_delays(live):
    c = live.checkpoint
    names = [a[0] for a in c.arrays]
    delay = next((n for n in names if n.endswith(".delay")), None)
    if delay is None:
        pytest.skip("no delay array")
    refused(live, edited(live, set_value(delay, 0, 0)), "has a delay of 0.000000 steps, not a whole number in [1, ")
    depth = c.array("exc.ring_depth")[0]  # every delay array here goes to exc
    refused(live, edited(live, set_value(delay, 0, depth)), f"[1, {depth - 1}]")
    if delay == "d2e.delay":
        def shorter(c):
            a = next(a for a in c.arrays if a[0] == "d2e.weight")
            a[2] = a[2][:-1]
        refused(live, edited(live, shorter), "array 'd2e.weight' has", "but projection 'd2e' has")


def test_bitmasks(live):
    c = live.checkpoint
    if "d2e.bitmask" not in [a[0] for a in c.arrays]:
        pytest.skip("no bitmask")
    # d2e goes to exc[3:70]: 67 neurons, 3 words a row, bits 67..95 of a row must be clear.
    refused(live, edited(live, set_value("d2e.bitmask", 2, c.array("d2e.bitmask")[2] | (1 << 5))),
            "row 0 of its bitmask sets a bit beyond the post view's 67 neurons")
    refused(live, edited(live, set_value("e2e.bitmask", 0, c.array("e2e.bitmask")[0] ^ (1 << 9))),
            "synapses by its row pointers", "by its bitmask")


def test_generated_rows(live):
    c = live.checkpoint
    if live.checkpoint.network != "ckpt_procedural":
        pytest.skip("no procedural rows")
    rows = c.array("e2e.row_pointer")
    # One synapse moved from row 0 to row 1: still monotone, still the same count.
    refused(live, edited(live, set_value("e2e.row_pointer", 1, rows[1] - 1)),
            "projection 'e2e': its row pointers differ from the rows its connector generates (row 0)")

    def reseeded(c):
        c.seed += 1
    refused(live, edited(live, reseeded), "its row pointers differ from the rows its connector generates")


def test_the_reset_snapshot(live):
    c = live.checkpoint
    assert c.snapshot is not None

    def structural_in_snapshot(c):
        i = next(k for k, a in enumerate(c.arrays) if a[0].endswith(".row_pointer"))
        c.snapshot[i] = c.arrays[i][2].copy()
    refused(live, edited(live, structural_in_snapshot), "the reset snapshot holds array", "which is never reset")

    def short_state(c):
        i = next(k for k, a in enumerate(c.arrays) if a[0] == "exc.v")
        c.snapshot[i] = c.snapshot[i][:-1]
    refused(live, edited(live, short_state), "the reset snapshot of array 'exc.v' has 59 elements" if
            len(c.array("exc.v")) == 60 else "the reset snapshot of array 'exc.v' has")

    def bad_snapshot_list(c):
        i = next(k for k, a in enumerate(c.arrays) if a[0] == "exc.spike_count")
        c.snapshot[i] = np.array([1000], np.uint32)
    refused(live, edited(live, bad_snapshot_list), "reset snapshot: population 'exc': spike count 1000")


def test_an_intact_checkpoint_still_loads(live):
    assert live.load(live.data)[0] == 0
    assert live.same_run()
