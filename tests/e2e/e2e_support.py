# Compiling networks with gennc, running the `sim` it links, reading the results folder
# (docs/runtime.md) and driving a network compiled with --shared through the C ABI
# (gennc/runtime.h), for the end-to-end tests.
import ctypes
import json
import pathlib
import subprocess

import numpy as np


class Results:
    """A results folder: manifest.json and the .npy recordings it lists."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.manifest = json.loads((self.folder / "manifest.json").read_text())
        self.sizes = {p["name"]: p["size"] for p in self.manifest["populations"]}
        self.recordings = {r["name"]: r for r in self.manifest["recordings"]}

    def _load(self, recording, key):
        return np.load(self.folder / self.recordings[recording][key])

    def spikes(self, population):
        """(neuron indices, times in ms) of `population`'s spike recording."""
        data = self._load(population + ".spikes", "file")
        return data[:, 0].astype(np.int64), data[:, 1]

    def spike_trains(self, population):
        """One sorted array of spike times per neuron of the population."""
        neurons, times = self.spikes(population)
        order = np.lexsort((times, neurons))
        neurons, times = neurons[order], times[order]
        bounds = np.searchsorted(neurons, np.arange(self.sizes[population] + 1))
        return [times[bounds[k]:bounds[k + 1]] for k in range(self.sizes[population])]

    def rate(self, population, start=0.0, stop=None):
        """Mean rate (Hz) of the population's recorded neurons over [start, stop) ms."""
        stop = self.manifest["duration"] if stop is None else stop
        _, times = self.spikes(population)
        count = np.count_nonzero((times >= start) & (times < stop))
        recorded = self.recordings[population + ".spikes"]["neuron_count"]
        return count / recorded / ((stop - start) / 1000.0)

    def variable(self, name):
        """(sample times in ms, values [samples x neurons], neuron indices) of a recording."""
        return (self._load(name, "times_file"), self._load(name, "file"),
                self._load(name, "neurons_file"))


def assert_same_recordings(a, b, names, what):
    """Recordings `names` of Results `a` and `b` are non-empty and bitwise equal; `what`
    names the difference in the failure ("between the fused and the unfused run")."""
    for name in names:
        x = np.load(a.folder / a.recordings[name]["file"])
        y = np.load(b.folder / b.recordings[name]["file"])
        assert x.shape == y.shape and x.size > 0, name
        assert np.array_equal(x, y), f"{name} differs {what}"


def ir_arrays(gennc, source, *flags):
    """The array table of `gennc --emit=ir`: [(name, line)] in array order."""
    proc = subprocess.run([str(gennc), str(source), "--emit=ir", *flags], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return [(line.split()[2], line) for line in proc.stdout.splitlines() if line.startswith("array ")]


class Toolchain:
    """gennc and the `sim` programs it builds, in a scratch folder."""

    def __init__(self, gennc, root, scratch, threads):
        self.gennc = gennc
        self.root = root
        self.scratch = scratch
        self.threads = threads
        self._built = {}

    def source(self, name):
        """A network file: tests/e2e/networks/<name>.gdsl, or examples/<name>.gdsl."""
        for folder in ("tests/e2e/networks", "examples"):
            path = self.root / folder / (name + ".gdsl")
            if path.exists():
                return path
        raise FileNotFoundError(name)

    def compile(self, source, *flags, output=None, ptx=False):
        """Compiles a network file (a path, or a name for source()) once per flag set;
        returns the binary's path. The binary runs on the CPU only unless `ptx` is set:
        these suites run on the CPU, and the PTX of their kind of networks is compiled and
        checked by tests/gpu (ptxas and the GPU cases), which makes up most of a small
        network's compile time."""
        source = pathlib.Path(source) if isinstance(source, pathlib.Path) else self.source(source)
        if not ptx and "--no-gpu" not in flags and not any(f.startswith("--emit") for f in flags):
            flags = flags + ("--no-gpu",)
        key = (str(source), flags, output)
        if key not in self._built:
            suffix = "-".join(f.strip("-").replace("=", "_") for f in flags)
            out = output or self.scratch / (source.stem + ("." + suffix if suffix else "") + (
                ".so" if "--shared" in flags else ""))
            proc = subprocess.run([str(self.gennc), str(source), "-o", str(out), "--verify-each", *flags],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, f"gennc failed on {source}:\n{proc.stdout}{proc.stderr}"
            self._built[key] = pathlib.Path(out)
        return self._built[key]

    def run(self, sim, out, *args, threads=None):
        """Runs a `sim`, asserts success and returns its Results."""
        proc = self.run_raw(sim, out, "--threads", str(threads or self.threads), *args)
        assert proc.returncode == 0, f"{sim} failed:\n{proc.stdout}{proc.stderr}"
        return Results(out)

    @staticmethod
    def run_raw(sim, out, *args):
        return subprocess.run([str(sim), "--out", str(out), "--backend", "cpu", "--quiet", *args],
                              capture_output=True, text=True)

    def simulate(self, source, out, *args, flags=(), threads=None):
        """compile() then run()."""
        return self.run(self.compile(source, *flags), out, *args, threads=threads)


# The C ABI's structures (gennc/runtime.h), for ctypes.
class Connections(ctypes.Structure):
    _fields_ = [("projection", ctypes.c_char_p), ("count", ctypes.c_uint64),
                ("pre", ctypes.POINTER(ctypes.c_uint32)), ("post", ctypes.POINTER(ctypes.c_uint32)),
                ("weight", ctypes.POINTER(ctypes.c_double)), ("delay", ctypes.POINTER(ctypes.c_double)),
                ("column_count", ctypes.c_uint32), ("column_names", ctypes.POINTER(ctypes.c_char_p)),
                ("columns", ctypes.POINTER(ctypes.POINTER(ctypes.c_double)))]


class Options(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_uint32), ("backend", ctypes.c_char_p),
                ("override_seed", ctypes.c_int), ("seed", ctypes.c_uint64),
                ("output_folder", ctypes.c_char_p),
                ("connections", ctypes.POINTER(Connections)), ("connection_count", ctypes.c_uint32)]


def host_connections(connections):
    """GenncConnections entries for {projection: (pre, post, weight or None, delay or None,
    columns or None)}, the columns {name: values or None} or [(name, values or None)];
    returns (ctypes array, the numpy and ctypes arrays it points into, which must outlive
    its use)."""
    entries = (Connections * max(1, len(connections)))()
    keep = []
    for k, (name, columns) in enumerate(connections.items()):
        pre, post, weight, delay, others = (list(columns) + [None, None, None])[:5]
        arrays = [np.ascontiguousarray(pre, np.uint32), np.ascontiguousarray(post, np.uint32),
                  None if weight is None else np.ascontiguousarray(weight, np.float64),
                  None if delay is None else np.ascontiguousarray(delay, np.float64)]
        keep.extend(arrays)
        entry = entries[k]
        entry.projection = name.encode()
        entry.count = len(arrays[0])
        entry.pre = arrays[0].ctypes.data_as(ctypes.POINTER(ctypes.c_uint32))
        entry.post = arrays[1].ctypes.data_as(ctypes.POINTER(ctypes.c_uint32))
        if arrays[2] is not None:
            entry.weight = arrays[2].ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        if arrays[3] is not None:
            entry.delay = arrays[3].ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        if others:
            others = list(others.items()) if isinstance(others, dict) else list(others)
            names = (ctypes.c_char_p * len(others))(*[n.encode() for n, _ in others])
            values = [None if v is None else np.ascontiguousarray(v, np.float64) for _, v in others]
            pointers = (ctypes.POINTER(ctypes.c_double) * len(others))(
                *[ctypes.POINTER(ctypes.c_double)() if v is None else v.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
                  for v in values])
            keep.extend([names, pointers, *values])
            entry.column_count = len(others)
            entry.column_names = names
            entry.columns = pointers
    return entries, keep


def create(library, threads=2, seed=None, connections=None):
    """gennc_create: (status, handle, last error)."""
    lib = library
    lib.gennc_last_error.restype = ctypes.c_char_p
    options = Options()
    lib.gennc_default_options(ctypes.byref(options))
    options.threads = threads
    options.backend = b"cpu"
    if seed is not None:
        options.override_seed, options.seed = 1, seed
    if connections:
        entries, keep = host_connections(connections)
        options.connections = entries
        options.connection_count = len(connections)
    handle = ctypes.c_void_p()
    model = ctypes.c_char.in_dll(lib, "gennc_model")
    status = lib.gennc_create(ctypes.byref(model), ctypes.byref(options), ctypes.byref(handle))
    return status, handle, lib.gennc_last_error().decode()


class ArrayDesc(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("dtype", ctypes.c_int), ("length", ctypes.c_uint64),
                ("unit", ctypes.c_char_p), ("flags", ctypes.c_uint32), ("scope", ctypes.c_uint32),
                ("owner", ctypes.c_uint32)]


class RecordingDesc(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("name", ctypes.c_char_p), ("population", ctypes.c_char_p),
                ("variable", ctypes.c_char_p), ("unit", ctypes.c_char_p),
                ("neuron_count", ctypes.c_uint32), ("spike_count", ctypes.c_uint64),
                ("sample_count", ctypes.c_uint64), ("interval", ctypes.c_double)]


class Simulation:
    """One GenncSim of a network compiled with --shared, through gennc/runtime.h."""

    def __init__(self, library, threads, seed=None, connections=None):
        """`connections`: {projection: (pre, post, weight or None, delay or None)} for the
        model's from_host() projections (GenncOptions.connections)."""
        self.lib = library
        lib = library
        lib.gennc_last_error.restype = ctypes.c_char_p
        lib.gennc_seed.restype = ctypes.c_uint64
        lib.gennc_recording_count.restype = ctypes.c_uint32
        status, self.handle, error = create(library, threads, seed, connections)
        assert status == 0, error

    def check(self, status):
        assert status == 0, self.lib.gennc_last_error().decode()

    def run(self, steps):
        self.check(self.lib.gennc_run(self.handle, ctypes.c_uint64(steps)))

    def save(self, path):
        self.check(self.lib.gennc_save_checkpoint(self.handle, str(path).encode()))

    def load(self, path):
        self.check(self.lib.gennc_load_checkpoint(self.handle, str(path).encode()))

    def seed(self):
        return self.lib.gennc_seed(self.handle)

    def spikes(self, name):
        """(neurons, times) of the spike recording called `name`."""
        for k in range(self.lib.gennc_recording_count(self.handle)):
            desc = RecordingDesc()
            self.check(self.lib.gennc_recording_info(self.handle, k, ctypes.byref(desc)))
            if desc.name.decode() == name:
                n = desc.spike_count
                neurons = np.zeros(n, np.uint32)
                times = np.zeros(n, np.float64)
                self.check(self.lib.gennc_get_spikes(
                    self.handle, k, neurons.ctypes.data_as(ctypes.c_void_p),
                    times.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(n)))
                return neurons, times
        raise KeyError(name)

    def array_length(self, name):
        desc = ArrayDesc()
        self.check(self.lib.gennc_array_info(self.handle, name.encode(), ctypes.byref(desc)))
        return desc.length

    def array(self, name, length=None):
        out = np.zeros(self.array_length(name) if length is None else length, np.float64)
        self.check(self.lib.gennc_get_array_f64(self.handle, name.encode(),
                                                out.ctypes.data_as(ctypes.c_void_p),
                                                ctypes.c_uint64(len(out))))
        return out

    def recording_info(self, name):
        """gennc_recording_info of the recording called `name`, as a dict."""
        for k in range(self.lib.gennc_recording_count(self.handle)):
            desc = RecordingDesc()
            self.check(self.lib.gennc_recording_info(self.handle, k, ctypes.byref(desc)))
            if desc.name.decode() == name:
                text = {f: getattr(desc, f).decode() for f in ("name", "population", "variable", "unit")}
                return dict(text, kind=desc.kind, neuron_count=desc.neuron_count, sample_count=desc.sample_count,
                            interval=desc.interval)
        raise KeyError(name)

    def sample_neurons(self, name):
        """The neuron (population index) of each column of the variable recording `name`."""
        for k in range(self.lib.gennc_recording_count(self.handle)):
            desc = RecordingDesc()
            self.check(self.lib.gennc_recording_info(self.handle, k, ctypes.byref(desc)))
            if desc.name.decode() == name:
                values = np.zeros(desc.sample_count * desc.neuron_count, np.float64)
                neurons = np.zeros(desc.neuron_count, np.uint32)
                self.check(self.lib.gennc_get_samples(
                    self.handle, k, values.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(len(values)),
                    None, neurons.ctypes.data_as(ctypes.c_void_p)))
                return neurons
        raise KeyError(name)

    def samples(self, name):
        """(times, values [samples x neurons]) of the variable recording called `name`."""
        for k in range(self.lib.gennc_recording_count(self.handle)):
            desc = RecordingDesc()
            self.check(self.lib.gennc_recording_info(self.handle, k, ctypes.byref(desc)))
            if desc.name.decode() == name:
                values = np.zeros(desc.sample_count * desc.neuron_count, np.float64)
                times = np.zeros(desc.sample_count, np.float64)
                self.check(self.lib.gennc_get_samples(
                    self.handle, k, values.ctypes.data_as(ctypes.c_void_p), ctypes.c_uint64(len(values)),
                    times.ctypes.data_as(ctypes.c_void_p), None))
                return times, values.reshape(desc.sample_count, desc.neuron_count)
        raise KeyError(name)

    def step(self):
        self.lib.gennc_step.restype = ctypes.c_uint64
        return self.lib.gennc_step(self.handle)

    def time(self):
        self.lib.gennc_time.restype = ctypes.c_double
        return self.lib.gennc_time(self.handle)

    def set_step(self, step):
        self.check(self.lib.gennc_set_step(self.handle, ctypes.c_uint64(step)))

    def reset(self):
        self.check(self.lib.gennc_reset(self.handle))

    def clear_recordings(self):
        self.check(self.lib.gennc_clear_recordings(self.handle))

    def set_array(self, name, values):
        values = np.ascontiguousarray(values, np.float64)
        self.check(self.lib.gennc_set_array_f64(self.handle, name.encode(),
                                                values.ctypes.data_as(ctypes.c_void_p),
                                                ctypes.c_uint64(len(values))))

    def close(self):
        self.lib.gennc_destroy(self.handle)
