#!/usr/bin/env python3
"""Compiles the GPU benchmarks' networks into a bundle (called by make_bundle.sh).

For each line of benchmarks.txt: compiles the network with gennc REPEATS times (wall clock
and CPU time of the whole `gennc net.gdsl -o sim`, link included), keeps the last `sim`,
records gennc's --time-passes table once, and reads from the network's IR (--emit=ir) what
each spike delivery kernel reads per synapse. Writes BUNDLE/<name>/sim,
BUNDLE/<name>/time-passes.txt and BUNDLE/plan.json, which run_bundle.sh and summarize.py
read.

    compile_networks.py GENNC REPO BENCHMARKS_TXT BUNDLE [--repeats N] [--only NAME ...]
"""
import argparse
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time

DTYPE_BYTES = {"u8": 1, "i8": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4, "f32": 4, "u64": 8, "i64": 8, "f64": 8}


def read_plan(path):
    """The benchmark lines of benchmarks.txt as dicts."""
    plan = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [x.strip() for x in line.split("|")]
            if len(fields) != 7:
                sys.exit(f"{path}: expected 7 fields separated by '|': {line.rstrip()}")
            name, network, duration, gpu_runs, cpu_runs, limit, least = fields
            plan.append({"name": name, "network": network, "duration_ms": float(duration),
                         "gpu_runs": int(gpu_runs), "cpu_runs": int(cpu_runs),
                         "limit_s": int(limit), "least_left_s": int(least)})
    return plan


def delivery_reads(ir_text):
    """Per projection: the bytes per synapse that its SYNAPSE_PRE kernel reads from
    per-synapse arrays (column index, and weight and delay where they are arrays)."""
    arrays = {}
    for m in re.finditer(r"^array \d+ (\S+) (\w+) (\w+)\(", ir_text, re.M):
        arrays[m.group(1)] = (DTYPE_BYTES.get(m.group(2), 0), m.group(3))
    reads = {}
    for m in re.finditer(r"^kernel \d+ (\S+)\.pre synapse_pre\(\d+\) \{\n(.*?)^\}", ir_text, re.M | re.S):
        used = set(re.findall(r"@([A-Za-z_][\w.]*)\[", m.group(2)))
        reads[m.group(1)] = sum(arrays[a][0] for a in used if a in arrays and arrays[a][1] == "synapse")
    return reads


def compile_one(gennc, source, target, repeats, flags):
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([gennc, source, "-o", target] + flags, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gennc")
    ap.add_argument("repo")
    ap.add_argument("benchmarks")
    ap.add_argument("bundle")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--gennc-flags", default="", help="more gennc options for every network, e.g. --gpu-arch=sm_90")
    args = ap.parse_args()
    flags = shlex.split(args.gennc_flags)

    plan = read_plan(args.benchmarks)
    if args.only:
        unknown = set(args.only) - {b["name"] for b in plan}
        if unknown:
            sys.exit(f"unknown benchmarks: {' '.join(sorted(unknown))}")
        plan = [b for b in plan if b["name"] in args.only]
    for b in plan:
        source = os.path.join(args.repo, b["network"])
        folder = os.path.join(args.bundle, b["name"])
        os.makedirs(folder, exist_ok=True)
        sim = os.path.join(folder, "sim")
        walls, cpus = compile_one(args.gennc, source, sim, args.repeats, flags)
        passes = subprocess.run([args.gennc, source, "-o", sim, "--time-passes"] + flags, check=True,
                                capture_output=True, text=True)
        with open(os.path.join(folder, "time-passes.txt"), "w") as f:
            f.write(passes.stdout + passes.stderr)
        ir = subprocess.run([args.gennc, source, "--emit=ir"], check=True, capture_output=True, text=True).stdout
        b["compile"] = {"repeats": args.repeats, "wall_s": walls, "cpu_s": cpus,
                        "median_wall_s": statistics.median(walls), "median_cpu_s": statistics.median(cpus)}
        b["delivery_bytes_per_synapse"] = delivery_reads(ir)
        # The GPU's stage launches and their kernels, for the profile's table (summarize.py).
        b["stages"] = [line.split(":", 1)[1].split() for line in ir.splitlines() if re.match(r"stage \d+:", line)]
        print(f"{b['name']}: compile {b['compile']['median_wall_s']:.2f} s wall, "
              f"{b['compile']['median_cpu_s']:.2f} s CPU (median of {args.repeats})", flush=True)
    head = subprocess.run(["git", "-C", args.repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", args.repo, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    source = {"commit": head.stdout.strip() or None, "uncommitted_changes": bool(dirty.stdout.strip())}
    with open(os.path.join(args.bundle, "plan.json"), "w") as f:
        json.dump({"compiled_on": os.uname().nodename, "gennc": args.gennc, "gennc_flags": flags, "source": source,
                   "benchmarks": plan},
                  f, indent=1)


if __name__ == "__main__":
    main()
