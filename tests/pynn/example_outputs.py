# What one run of a PyNN example left behind (tests/pynn/test_pynn_examples.py), and the
# comparisons of two such runs: the backend under test against the reference.
#
# A run's outputs are the files it wrote under its working folder (Neo blocks pickled by
# write_data, text files such as saved connections), the module globals that
# run_example.py pickled, and its standard output. Files are matched by name with the
# simulator name, dates and timestamps taken out (normalized_filename puts them there).
import pickle
import re
from pathlib import Path

import numpy as np
import quantities as pq

GLOBALS_FILE = "globals.pkl"
STDOUT_FILE = "stdout.txt"
STDERR_FILE = "stderr.txt"
# Times on a 0.1 ms grid computed in floating point: "within one step" allows this much more.
TIME_SLACK_MS = 1e-9


class Outputs:
    def __init__(self, folder, simulator):
        self.folder = Path(folder)
        self.simulator = simulator
        self.files = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.name not in (GLOBALS_FILE, STDOUT_FILE, STDERR_FILE):
                self.files[self.key(path.relative_to(self.folder).as_posix())] = path
        globals_path = self.folder / GLOBALS_FILE
        self.globals = pickle.loads(globals_path.read_bytes()) if globals_path.exists() else {}
        stdout = self.folder / STDOUT_FILE
        self.stdout = stdout.read_text(errors="replace") if stdout.exists() else ""

    def key(self, relative):
        relative = re.sub(r"(^|/)\d{8}/", r"\1", relative)           # Results/20240101/
        relative = re.sub(r"_\d{8}-\d{6}", "", relative)             # _20240101-120000
        return re.sub(rf"(?<![A-Za-z0-9]){self.simulator}(?![A-Za-z0-9])", "SIM", relative)

    def blocks(self, pattern):
        """{key: Neo block} of the pickled data files whose key matches `pattern`."""
        return {k: pickle.loads(p.read_bytes()) for k, p in self.files.items()
                if k.endswith(".pkl") and re.search(pattern, k)}

    def segments(self, source):
        """{label: Neo segment}: from data files matching `source`, or from the global
        variable named after "global:"."""
        if source.startswith("global:"):
            name = source[len("global:"):]
            value = self.globals.get(name)
            return {} if value is None else {name: value}
        return {f"{k}#{i}": seg for k, block in self.blocks(source).items()
                for i, seg in enumerate(block.segments)}


def _ms(times):
    return np.asarray(pq.Quantity(times).rescale(pq.ms).magnitude, dtype=float)


def _channels(signal):
    index = signal.array_annotations.get("channel_index")
    return list(index) if index is not None else list(range(signal.shape[1]))


def _matching(ours, ref, what):
    """Pairs of (label, ours, reference); a label on one side only is an error."""
    assert ref, f"the reference wrote no {what}"
    assert sorted(ours) == sorted(ref), f"{what}: ours {sorted(ours)}, reference {sorted(ref)}"
    return [(k, ours[k], ref[k]) for k in sorted(ref)]


class Signals:
    """Recorded signals named `name`: same sampling and channels, and the `quantile` of
    |ours - reference| (over every sample of every compared channel) within `atol`
    (in the reference's units). A quantile below 1 lets through the few samples where a
    spike one step earlier or later makes the traces differ by tens of mV."""

    def __init__(self, name, atol, quantile=1.0, source=r"\.pkl$", channels=None):
        self.name, self.atol, self.quantile = name, atol, quantile
        self.source, self.channels = source, channels

    def __repr__(self):
        q = "" if self.quantile == 1.0 else f" at quantile {self.quantile}"
        return f"signal {self.name} within {self.atol}{q}"

    def check(self, ours, ref):
        for label, a, b in _matching(ours.segments(self.source), ref.segments(self.source),
                                     f"data ({self.source})"):
            sa = [s for s in a.analogsignals if s.name == self.name]
            sb = [s for s in b.analogsignals if s.name == self.name]
            assert len(sb) > 0, f"{label}: the reference recorded no {self.name}"
            assert len(sa) == len(sb), f"{label}: {len(sa)} {self.name} signals, reference {len(sb)}"
            for x, y in zip(sa, sb):
                where = f"{label} {self.name}"
                assert x.sampling_period.rescale(pq.ms) == y.sampling_period.rescale(pq.ms), (
                    f"{where}: sampling period {x.sampling_period}, reference {y.sampling_period}")
                assert x.shape == y.shape, f"{where}: shape {x.shape}, reference {y.shape}"
                assert _channels(x) == _channels(y), (
                    f"{where}: channels {_channels(x)}, reference {_channels(y)}")
                xa = x.rescale(y.units).magnitude
                ya = y.magnitude
                if self.channels is not None:
                    xa, ya = xa[:, self.channels], ya[:, self.channels]
                diff = np.abs(xa - ya)
                worst = float(np.quantile(diff, self.quantile))
                assert worst <= self.atol, (
                    f"{where}: |ours - reference| is {worst:.4g} at quantile {self.quantile} "
                    f"(max {diff.max():.4g} at sample {np.unravel_index(diff.argmax(), diff.shape)}), "
                    f"tolerance {self.atol} {y.units.dimensionality}")


class Spikes:
    """Spike trains of each recorded neuron: the same number of spikes, each within
    `tol` ms of the reference's."""

    def __init__(self, tol, source=r"\.pkl$"):
        self.tol, self.source = tol, source

    def __repr__(self):
        return f"spike times within {self.tol} ms"

    def check(self, ours, ref):
        for label, a, b in _matching(ours.segments(self.source), ref.segments(self.source),
                                     f"data ({self.source})"):
            ta = {st.annotations.get("source_index", i): _ms(st) for i, st in enumerate(a.spiketrains)}
            tb = {st.annotations.get("source_index", i): _ms(st) for i, st in enumerate(b.spiketrains)}
            assert sorted(ta) == sorted(tb), f"{label}: spike trains of {sorted(ta)}, reference {sorted(tb)}"
            counts = {i: (len(ta[i]), len(tb[i])) for i in tb if len(ta[i]) != len(tb[i])}
            assert not counts, f"{label}: spike counts (ours, reference) differ for neurons {counts}"
            for i in tb:
                if len(tb[i]):
                    worst = float(np.abs(ta[i] - tb[i]).max())
                    assert worst <= self.tol + TIME_SLACK_MS, (
                        f"{label}: neuron {i} spikes {worst:.4g} ms away from the reference's "
                        f"(ours {ta[i][:8]}, reference {tb[i][:8]}), tolerance {self.tol} ms")


class Rates:
    """Mean firing rate over all recorded spike trains of each data file, within `rtol`
    (relative) of the reference's: for networks whose spike times diverge (chaos)."""

    def __init__(self, rtol, source=r"\.pkl$"):
        self.rtol, self.source = rtol, source

    def __repr__(self):
        return f"mean rates within {self.rtol:.0%}"

    @staticmethod
    def rate(segment):
        trains = segment.spiketrains
        assert trains, "no spike trains recorded"
        duration = float((trains[0].t_stop - trains[0].t_start).rescale(pq.s).magnitude)
        return sum(len(st) for st in trains) / (len(trains) * duration)

    def check(self, ours, ref):
        for label, a, b in _matching(ours.segments(self.source), ref.segments(self.source),
                                     f"data ({self.source})"):
            ra, rb = self.rate(a), self.rate(b)
            assert abs(ra - rb) <= self.rtol * rb, (
                f"{label}: mean rate {ra:.3f} Hz, reference {rb:.3f} Hz, tolerance {self.rtol:.0%}")


class Global:
    """A value the script left in a global variable (numbers, arrays, lists): equal
    within atol + rtol * |reference| element by element (NaN where the reference has NaN)."""

    def __init__(self, name, rtol=0.0, atol=0.0):
        self.name, self.rtol, self.atol = name, rtol, atol

    def __repr__(self):
        return f"global {self.name} within rtol {self.rtol}, atol {self.atol}"

    def check(self, ours, ref):
        assert self.name in ref.globals, f"the reference left no global {self.name}"
        assert self.name in ours.globals, f"no global {self.name}"
        a = np.asarray(ours.globals[self.name], dtype=float)
        b = np.asarray(ref.globals[self.name], dtype=float)
        assert a.shape == b.shape, f"{self.name}: shape {a.shape}, reference {b.shape}"
        np.testing.assert_allclose(a, b, rtol=self.rtol, atol=self.atol, equal_nan=True,
                                   err_msg=f"global {self.name}")


class Printed:
    """The lines of standard output that match `pattern`: the same lines, with the
    numbers in them within `rtol` (relative) of the reference's."""

    NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

    def __init__(self, pattern, rtol=0.0):
        self.pattern, self.rtol = re.compile(pattern), rtol

    def __repr__(self):
        return f"printed lines /{self.pattern.pattern}/ within {self.rtol}"

    def lines(self, outputs):
        return [line.strip() for line in outputs.stdout.splitlines() if self.pattern.search(line)]

    def check(self, ours, ref):
        la, lb = self.lines(ours), self.lines(ref)
        assert lb, f"the reference printed no line matching /{self.pattern.pattern}/"
        assert len(la) == len(lb), f"{len(la)} lines match, reference {len(lb)}:\n" + "\n".join(la)
        for x, y in zip(la, lb):
            assert self.NUMBER.sub("#", x) == self.NUMBER.sub("#", y), f"'{x}', reference '{y}'"
            na = np.array(self.NUMBER.findall(x), dtype=float)
            nb = np.array(self.NUMBER.findall(y), dtype=float)
            np.testing.assert_allclose(na, nb, rtol=self.rtol, err_msg=f"'{x}', reference '{y}'")


class TextTable:
    """Numeric text files matching `pattern` (e.g. saved connection lists): the same rows
    after sorting, each number within atol + rtol * |reference|."""

    def __init__(self, pattern, rtol=0.0, atol=0.0):
        self.pattern, self.rtol, self.atol = pattern, rtol, atol

    def __repr__(self):
        return f"text tables /{self.pattern}/ within rtol {self.rtol}, atol {self.atol}"

    @staticmethod
    def load(path):
        table = np.atleast_2d(np.loadtxt(path, comments="#"))
        return table[np.lexsort(table.T[::-1])]

    def check(self, ours, ref):
        fa = {k: p for k, p in ours.files.items() if re.search(self.pattern, k)}
        fb = {k: p for k, p in ref.files.items() if re.search(self.pattern, k)}
        for label, a, b in _matching(fa, fb, f"files /{self.pattern}/"):
            ta, tb = self.load(a), self.load(b)
            assert ta.shape == tb.shape, f"{label}: {ta.shape} table, reference {tb.shape}"
            np.testing.assert_allclose(ta, tb, rtol=self.rtol, atol=self.atol, err_msg=label)


class VmEvents:
    """Spike times read off a membrane trace (for cells whose spikes are not recorded):
    upward crossings of `level` ("up"), or drops of more than `level` mV in one sample
    ("reset", for models whose recorded v never shows the peak); the same number of
    events per channel, each within `tol` ms of the reference's."""

    def __init__(self, kind, level, tol, name="v", source=r"\.pkl$"):
        self.kind, self.level, self.tol, self.name, self.source = kind, level, tol, name, source

    def __repr__(self):
        return f"{self.name} events ({self.kind} {self.level}) within {self.tol} ms"

    def events(self, signal):
        v = signal.magnitude
        t = _ms(signal.times)
        found = []
        for c in range(v.shape[1]):
            if self.kind == "up":
                i = np.nonzero((v[:-1, c] < self.level) & (v[1:, c] >= self.level))[0] + 1
            else:
                i = np.nonzero(np.diff(v[:, c]) < -self.level)[0] + 1
            found.append(t[i])
        return found

    def check(self, ours, ref):
        for label, a, b in _matching(ours.segments(self.source), ref.segments(self.source),
                                     f"data ({self.source})"):
            sa = [s for s in a.analogsignals if s.name == self.name]
            sb = [s for s in b.analogsignals if s.name == self.name]
            assert len(sb) > 0 and len(sa) == len(sb), f"{label}: {self.name} signals differ in number"
            for x, y in zip(sa, sb):
                for c, (ea, eb) in enumerate(zip(self.events(x), self.events(y))):
                    assert len(ea) == len(eb), (
                        f"{label} channel {c}: {len(ea)} events {ea[:8]}, reference {len(eb)} {eb[:8]}")
                    if len(eb):
                        worst = float(np.abs(ea - eb).max())
                        assert worst <= self.tol + TIME_SLACK_MS, (
                            f"{label} channel {c}: events {worst:.4g} ms from the reference's "
                            f"(ours {ea[:8]}, reference {eb[:8]}), tolerance {self.tol} ms")
