# Compiling networks with gennc, running the `sim` it links and reading the results folder
# (docs/runtime.md), for the end-to-end tests.
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

    def compile(self, source, *flags, output=None):
        """Compiles a network file (a path, or a name for source()) once per flag set;
        returns the binary's path."""
        source = pathlib.Path(source) if isinstance(source, pathlib.Path) else self.source(source)
        key = (str(source), flags, output)
        if key not in self._built:
            suffix = "-".join(f.strip("-").replace("=", "_") for f in flags)
            out = output or self.scratch / (source.stem + ("." + suffix if suffix else "") + (
                ".so" if "--shared" in flags else ""))
            proc = subprocess.run([str(self.gennc), str(source), "-o", str(out), *flags],
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
