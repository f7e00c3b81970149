#!/usr/bin/env python3
"""The population rates of a multi-area model run against the reference implementation's
full-scale ground-state rates (data.json's `rate_ref`, README "Where the data come from").

    compare_rates.py RESULTS [--from MS] [--populations]

RESULTS is a `sim --out` folder of a network that make_network.py wrote (spikes of every
population recorded). Spikes at or before --from (default 500 ms, the start-up transient)
are left out: a spike at time t was emitted in the step that ends at t. Prints the
neuron-weighted and per-population mean rates, the means per layer's population type over
the areas, the correlation over populations and the populations whose rate is furthest
from the reference; --populations lists every one. Python's standard library only, so
that it runs on the GPU machine.
"""
import argparse
import array
import ast
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["23E", "23I", "4E", "4I", "5E", "5I", "6E", "6I"]


def identifier(area, population):
    # As make_network.py names populations: an area name starting with a digit gets 'area'.
    return ("area" + area if area[0].isdigit() else area) + "_" + population


def spike_times(path):
    """The times of a spike recording: sim writes a little-endian float64 .npy of rows
    (neuron, time in ms)."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise ValueError("%s: not a .npy file" % path)
        major = f.read(2)[0]
        size = int.from_bytes(f.read(2 if major == 1 else 4), "little")
        header = ast.literal_eval(f.read(size).decode("latin1"))
        shape = header["shape"]
        if header["descr"] != "<f8" or header["fortran_order"] or len(shape) != 2 or shape[1] != 2:
            raise ValueError("%s: expected (n, 2) rows of <f8, found %s" % (path, header))
        values = array.array("d")
        values.frombytes(f.read(16 * shape[0]))
    if sys.byteorder != "little":
        values.byteswap()
    return values[1::2]


def correlation(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results")
    parser.add_argument("--from", dest="start", type=float, default=500.0, metavar="MS")
    parser.add_argument("--populations", action="store_true", help="list every population")
    args = parser.parse_args()

    data = json.load(open(os.path.join(HERE, "data.json")))
    columns = data["populations"]["columns"]
    reference = {identifier(row[columns.index("area")], row[columns.index("pop")]): row[columns.index("rate_ref")]
                 for row in data["populations"]["rows"]}
    manifest = json.load(open(os.path.join(args.results, "manifest.json")))
    duration = manifest["duration"]
    if duration <= args.start:
        sys.exit("compare_rates.py: the run is %g ms long, not past --from %g ms" % (duration, args.start))
    window = (duration - args.start) / 1000.0

    rows = []  # population, neurons, rate, reference rate
    for r in manifest["recordings"]:
        if r["kind"] != "spikes" or r["population"] not in reference:
            continue
        times = spike_times(os.path.join(args.results, r["file"]))
        late = sum(1 for t in times if t > args.start)  # a spike time is its step's end
        rows.append((r["population"], r["neuron_count"], late / r["neuron_count"] / window, reference[r["population"]]))
    if not rows:
        sys.exit("compare_rates.py: %s records no population of the model" % args.results)

    neurons = sum(n for _, n, _, _ in rows)
    print("%d populations, %d neurons, spikes from %g to %g ms" % (len(rows), neurons, args.start, duration))
    print("| measure | run | reference |")
    print("| --- | --- | --- |")
    print("| neuron-weighted mean rate (Hz) | %.3f | %.3f |" % (
        sum(n * r for _, n, r, _ in rows) / neurons, sum(n * f for _, n, _, f in rows) / neurons))
    print("| mean over populations (Hz) | %.3f | %.3f |" % (
        sum(r for _, _, r, _ in rows) / len(rows), sum(f for _, _, _, f in rows) / len(rows)))
    for kind in TYPES:
        chosen = [(r, f) for p, _, r, f in rows if p.endswith("_" + kind)]
        if chosen:
            print("| %s, mean over %d areas (Hz) | %.3f | %.3f |" % (
                kind, len(chosen), sum(r for r, _ in chosen) / len(chosen), sum(f for _, f in chosen) / len(chosen)))
    print("| silent populations | %d | %d |" % (sum(1 for _, _, r, _ in rows if r == 0),
                                               sum(1 for _, _, _, f in rows if f == 0)))
    print("correlation over populations: %.3f" % correlation([r for _, _, r, _ in rows], [f for _, _, _, f in rows]))
    furthest = sorted(rows, key=lambda row: -abs(row[2] - row[3]))
    listed = furthest if args.populations else furthest[:8]
    print("\n| population | neurons | run (Hz) | reference (Hz) |")
    print("| --- | --- | --- | --- |")
    for p, n, r, f in listed:
        print("| %s | %d | %.3f | %.3f |" % (p, n, r, f))


if __name__ == "__main__":
    main()
