#!/usr/bin/env python3
"""Compares two gennc results folders (CPU and GPU runs of one network) with the Python
standard library only (the GPU machine may have no numpy).

  compare_results.py CPU_DIR GPU_DIR [--until MS] [--samples-until MS] [--rtol R]
                     [--rate-tolerance F] [--time-tolerance MS] [--machine-code]

Spike recordings must be identical (neuron and time of every spike) up to --until (all
by default); with --time-tolerance MS each neuron must have as many spikes on both, each
within MS of the other's (precise populations record exact times, computed by arithmetic
whose last bits may differ); with --rate-tolerance F they need only have spike counts
within a fraction F of each other (for networks where float atomics reorder sums and chaos
amplifies the last bits), and the first difference is reported. Variable recordings must
agree within --rtol relative to max(1, |value|) up to --samples-until (default --until),
and synapse variables written at the end (`record stdp.weight`) within --rtol for the
same synapses. With --machine-code the GPU run must have loaded machine code (gennc
--gpu-sass, docs/gpu.md) rather than JIT-compiled PTX, for the model and for the runtime's
step and set-up kernels, as its manifest's backend and init parts say. Exit status 0 when
they agree, 1 when not."""
import argparse
import ast
import json
import os
import struct
import sys


def read_npy(path):
    """(shape, values) of a little-endian .npy file of f4, f8 or i8, values flat."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(path + " is not a .npy file")
    major = data[6]
    header_length = struct.unpack("<H", data[8:10])[0] if major == 1 else struct.unpack("<I", data[8:12])[0]
    start = 10 if major == 1 else 12
    header = ast.literal_eval(data[start:start + header_length].decode("latin1"))
    codes = {"<f4": "f", "<f8": "d", "<i8": "q"}
    code = codes[header["descr"]]
    shape = tuple(header["shape"])
    count = 1
    for n in shape:
        count *= n
    body = data[start + header_length:]
    return shape, list(struct.unpack("<%d%s" % (count, code), body[:count * struct.calcsize(code)]))


def load(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    return manifest, {r["name"]: r for r in manifest["recordings"]}


def spikes(folder, entry, until):
    _, flat = read_npy(os.path.join(folder, entry["file"]))
    pairs = [(flat[k + 1], int(flat[k])) for k in range(0, len(flat), 2)]
    return [p for p in pairs if until is None or p[0] <= until + 1e-9]


def first_difference(sa, sb, tolerance):
    """Index into sa (or sb) of the first spike that differs, or None: exactly, or with a
    tolerance per neuron, each neuron's k-th spike against the other's k-th."""
    if tolerance is None:
        first = next((k for k in range(min(len(sa), len(sb))) if sa[k] != sb[k]), None)
        if first is None and len(sa) != len(sb):
            first = min(len(sa), len(sb))
        return first
    trains_a, trains_b = {}, {}
    for train, pairs in ((trains_a, sa), (trains_b, sb)):
        for k, (t, neuron) in enumerate(pairs):
            train.setdefault(neuron, []).append((t, k))
    worst = None
    for neuron in set(trains_a) | set(trains_b):
        a, b = trains_a.get(neuron, []), trains_b.get(neuron, [])
        for j in range(max(len(a), len(b))):
            if j >= len(a) or j >= len(b) or abs(a[j][0] - b[j][0]) > tolerance:
                k = a[j][1] if j < len(a) else b[j][1]
                worst = k if worst is None else min(worst, k)
                break
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cpu")
    parser.add_argument("gpu")
    parser.add_argument("--until", type=float, default=None)
    parser.add_argument("--samples-until", type=float, default=None)
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--rate-tolerance", type=float, default=None)
    parser.add_argument("--time-tolerance", type=float, default=None)
    parser.add_argument("--machine-code", action="store_true")
    args = parser.parse_args()
    samples_until = args.samples_until if args.samples_until is not None else args.until

    cpu_manifest, cpu = load(args.cpu)
    gpu_manifest, gpu = load(args.gpu)
    print("backends: %s | %s" % (cpu_manifest.get("backend"), gpu_manifest.get("backend")))
    failures = []
    if args.machine_code:
        backend = gpu_manifest.get("backend", "")
        setup = [p["name"] for p in gpu_manifest.get("timings", {}).get("init_parts", [])
                 if p["name"].startswith("set-up kernels' module")]
        print("loaded: %s" % "; ".join([backend] + setup))
        for what in ("model: SASS sm_", "runtime: SASS sm_"):
            if what not in backend:
                failures.append("the GPU run's backend does not say '%s'" % what)
        if not setup or "(SASS sm_" not in setup[0]:
            failures.append("the set-up kernels were not loaded as machine code: %s" % setup)
    if sorted(cpu) != sorted(gpu):
        failures.append("different recordings: %s vs %s" % (sorted(cpu), sorted(gpu)))
    for name in sorted(set(cpu) & set(gpu)):
        a, b = cpu[name], gpu[name]
        if a["kind"] == "spikes":
            sa, sb = spikes(args.cpu, a, args.until), spikes(args.gpu, b, args.until)
            first = first_difference(sa, sb, args.time_tolerance)
            same = "identical" if sa == sb else (
                "within %g ms" % args.time_tolerance if args.time_tolerance is not None else "differ")
            where = same if first is None else "first difference at spike %d (t = %s ms)" % (
                first, (sa + sb)[first][0] if first < len(sa) else sb[first][0])
            print("%-28s spikes: cpu %6d  gpu %6d  %s" % (name, len(sa), len(sb), where))
            if args.rate_tolerance is not None:
                if abs(len(sa) - len(sb)) > args.rate_tolerance * max(len(sa), 1):
                    failures.append("%s: %d vs %d spikes" % (name, len(sa), len(sb)))
            elif first is not None:
                failures.append("%s: %s" % (name, where))
        else:
            shape_a, va = read_npy(os.path.join(args.cpu, a["file"]))
            shape_b, vb = read_npy(os.path.join(args.gpu, b["file"]))
            _, times = read_npy(os.path.join(args.cpu, a["times_file"]))
            if shape_a != shape_b:
                failures.append("%s: shapes %s vs %s" % (name, shape_a, shape_b))
                continue
            columns = shape_a[1] if len(shape_a) > 1 else 1
            worst, at = 0.0, None
            for k, (x, y) in enumerate(zip(va, vb)):
                t = times[k // columns] if columns else 0.0
                if samples_until is not None and t > samples_until + 1e-9:
                    break
                error = abs(x - y) / max(1.0, abs(x))
                if error > worst or error != error:
                    worst, at = error, t
            print("%-28s samples %s: worst relative difference %.3g%s" % (
                name, shape_a, worst, "" if at is None else " at t = %s ms" % at))
            if not worst <= args.rtol:
                failures.append("%s: samples differ by %.3g (> %g)" % (name, worst, args.rtol))
    # Synapse variables at the end of the run: the same synapses, values within --rtol.
    cpu_synapses = {e["name"]: e for e in cpu_manifest.get("synapse_recordings", [])}
    gpu_synapses = {e["name"]: e for e in gpu_manifest.get("synapse_recordings", [])}
    if sorted(cpu_synapses) != sorted(gpu_synapses):
        failures.append("different synapse recordings: %s vs %s" % (sorted(cpu_synapses), sorted(gpu_synapses)))
    for name in sorted(set(cpu_synapses) & set(gpu_synapses)):
        a, b = cpu_synapses[name], gpu_synapses[name]
        ends = [read_npy(os.path.join(folder, entry[key]))[1]
                for folder, entry in ((args.cpu, a), (args.gpu, b)) for key in ("pre_file", "post_file")]
        if ends[0] != ends[2] or ends[1] != ends[3]:
            failures.append("%s: the synapses' neurons differ" % name)
            continue
        _, va = read_npy(os.path.join(args.cpu, a["file"]))
        _, vb = read_npy(os.path.join(args.gpu, b["file"]))
        worst = max((abs(x - y) / max(1.0, abs(x)) for x, y in zip(va, vb)), default=0.0)
        print("%-28s synapses %d: worst relative difference %.3g" % (name, len(va), worst))
        if len(va) != len(vb) or not worst <= args.rtol:
            failures.append("%s: synapse values differ by %.3g (> %g)" % (name, worst, args.rtol))
    for failure in failures:
        print("MISMATCH " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
