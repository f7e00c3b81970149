#!/usr/bin/env python3
"""The GPU step's launch modes side by side (docs/gpu.md, "One launch per batch"): each
network's `sim`, one binary, run with GENNC_GPU_STEPS=graph (a CUDA graph of a launch per
stage and step), persistent (one cooperative launch per run of steps, every resident
block) and persistent:N in turn, ROUNDS rounds, and where asked on the CPU with 16
threads. Prints, per network and mode, the median `simulate` seconds, microseconds per
step, the real-time factor, the spikes per neuron and second, and the synaptic events per
second of wall time in `simulate` (recorded pre spikes x the projection's mean out-degree,
as bench/gpu/summarize.py counts them), and for the microcircuit the largest deviation of a population's rate from
NEST's full-scale rates. python3's standard library only: it runs on the GPU machine.

    step_modes.py prepare GENNC REPO BUNDLE     here: compiles the networks (--float32
                                                --gpu-persistent-steps always) into BUNDLE
    step_modes.py run BUNDLE [--rounds N] [--modes graph,persistent,...]    on the GPU machine
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

# name, network (relative to the repository), biological ms, rounds' share (heavier ones run
# fewer rounds), whether the 16-thread CPU run is timed too (the comparisons).
NETWORKS = [
    ("vogels_abbott_cuba", "examples/vogels_abbott_cuba.gdsl", 1000, 1.0, True),
    ("vogels_abbott_coba", "examples/vogels_abbott_coba.gdsl", 1000, 1.0, True),
    ("brunel_1000", "bench/gpu/networks/brunel_1000.gdsl", 1000, 1.0, False),
    ("brunel_100000", "bench/gpu/networks/brunel_100000.gdsl", 1000, 0.5, False),
    ("potjans_diesmann", "examples/potjans_diesmann.gdsl", 10000, 0.5, False),
    ("brunel_1000000", "bench/gpu/networks/brunel_1000000.gdsl", 1000, 0.5, False),
]
# Potjans & Diesmann (2014) full scale, NEST's rates (as bench/gpu/summarize.py).
PD_NEST = {"L23e": 0.903, "L23i": 2.965, "L4e": 4.414, "L4i": 5.876,
           "L5e": 7.569, "L5i": 8.633, "L6e": 1.105, "L6i": 7.829}


def prepare(gennc, repo, bundle):
    subprocess.run([sys.executable, os.path.join(repo, "bench/gpu/make_networks.py")], check=True)
    os.makedirs(bundle, exist_ok=True)
    for name, network, *_ in NETWORKS:
        # The persistent entry in every network, so that every mode runs (gennc leaves it out
        # of large ones by default: docs/gpu.md).
        subprocess.run([gennc, os.path.join(repo, network), "--float32", "--gpu-persistent-steps", "always",
                        "-o", os.path.join(bundle, name)], check=True)
        subprocess.run(["strip", os.path.join(bundle, name)], check=True)
    subprocess.run(["cp", os.path.abspath(__file__), bundle], check=True)


def one_run(sim, ms, out, mode):
    env = dict(os.environ)
    args = [sim, "--duration", str(ms), "--out", out, "--quiet"]
    if mode == "cpu":
        args += ["--backend", "cpu", "--threads", "16"]
    else:
        args += ["--backend", "cuda"]
        env["GENNC_GPU_STEPS"] = mode
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError("%s (%s): %s" % (sim, mode, done.stderr.strip()[-400:]))
    return json.load(open(os.path.join(out, "manifest.json")))


def measures(manifest, ms):
    sizes = {p["name"]: p["size"] for p in manifest["populations"]}
    spikes = {r["population"]: r["count"] for r in manifest["recordings"]
              if r["kind"] == "spikes" and r["neuron_count"] == sizes[r["population"]]}
    seconds = ms / 1000.0
    rate = sum(spikes.values()) / max(sum(sizes[p] for p in spikes), 1) / seconds
    events = sum(spikes[p["pre"]] * p["synapses"] / sizes[p["pre"]] for p in manifest["projections"] if p["pre"] in spikes)
    worst = None
    if set(PD_NEST) <= set(spikes):
        worst = max(abs(spikes[p] / sizes[p] / seconds / PD_NEST[p] - 1) for p in PD_NEST)
    return rate, events, worst, manifest["backend"]


def run(bundle, rounds, modes):
    try:
        print(subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True).stdout.strip())
    except FileNotFoundError:
        print("(no nvidia-smi)")
    print("| network | mode | simulate (median) | µs per step | RTF | rate (Hz) | events per s (wall) | PD: worst rate vs NEST | runs |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, _, ms, share, cpu in NETWORKS:
        sim = os.path.join(bundle, name)
        if not os.path.exists(sim):
            continue
        n = max(1, round(rounds * share))
        times = {mode: [] for mode in modes + (["cpu"] if cpu else [])}
        last = {}
        for _ in range(n):  # modes in turn, round after round
            for mode in times:
                manifest = one_run(sim, ms, "/tmp/step_modes_" + name, mode)
                times[mode].append(manifest["timings"]["simulate"])
                last[mode] = manifest
        for mode, seconds in times.items():
            rate, events, worst, backend = measures(last[mode], ms)
            median = statistics.median(seconds)
            # What ran: the backend says whether the steps were persistent, and over how many blocks.
            label = "cpu, 16 threads" if mode == "cpu" else "%s (%s)" % (mode, backend.split(", ", 1)[1][:-1]
                                                                         if ", " in backend else "graph")
            print("| %s | %s | %.4f s | %.2f | %.4f | %.3f | %.3g | %s | %s |" % (
                name, label, median, median / (ms * 10) * 1e6, median / (ms / 1000.0), rate, events / median,
                "%.1f%%" % (100 * worst) if worst is not None else "",
                " ".join("%.4f" % s for s in seconds)), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("gennc")
    p.add_argument("repo")
    p.add_argument("bundle")
    r = sub.add_parser("run")
    r.add_argument("bundle")
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--modes", default="graph,persistent,persistent:1,persistent:2")
    args = ap.parse_args()
    if args.what == "prepare":
        prepare(args.gennc, args.repo, args.bundle)
    else:
        run(args.bundle, args.rounds, args.modes.split(","))


if __name__ == "__main__":
    main()
