#!/usr/bin/env python3
"""Cost of the adaptive solver: step time of an AdExp network, adaptive RKF45 against the
fixed-step RK4 that integrated it before (issue 10), on the CPU.

The network: N EIF_cond_exp_isfa_ista cells (the stdlib's defaults), each driven by its own
DC current drawn from uniform(0.4, 1.2) nA so that most fire tonically at different rates,
plus 2 % random excitatory connections (1 nS) so that conductances jump. It is
compiled twice by the same gennc: as the stdlib says (`solver adaptive`) and with
`--solver rk4`, in float32 (`--float32`) and float64 (the default).
Prints a Markdown table: the mean wall time per step (`sim`'s simulate time over the
steps, the best of --runs), and the ratio to RK4. The adaptive solver's cost follows the
number of substeps, which grows near spikes: the ratio depends on the firing rate.

    python3 bench/adaptive_solver.py --gennc build/bin/gennc --size 10000 --runs 3
"""
import argparse
import os
import platform
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

NETWORK = """import pynn
network adexp_bench {{
  dt = 0.1 ms;  duration = {duration} ms;  seed = 7
  population cells = EIF_cond_exp_isfa_ista({size}) {{ i_offset = uniform(0.4 nA, 1.2 nA) }}
  projection rec = cells -> cells via fixed_probability(p = 0.02)
    synapse StaticSynapse(weight = 0.001 uS, delay = 1 ms) onto excitatory
  record cells.spikes
}}
"""


def simulate_seconds(sim, out, threads):
    proc = subprocess.run([str(sim), "--out", str(out), "--backend", "cpu", "--threads", str(threads)],
                          capture_output=True, text=True, check=True)
    match = re.search(r"simulate\s+([0-9.]+) s", proc.stdout)
    return float(match.group(1)), len(np.load(Path(out) / "cells.spikes.npy"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gennc", default="build/bin/gennc")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--duration", type=float, default=1000.0, help="ms")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    steps = round(args.duration / 0.1)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        source = scratch / "adexp_bench.gdsl"
        source.write_text(NETWORK.format(size=args.size, duration=args.duration))
        rows = []
        for precision, flags in (("float32", ["--float32"]), ("float64", [])):
            times, rates = {}, {}
            for solver, solver_flags in (("rk4", ["--solver", "rk4"]), ("adaptive", [])):
                sim = scratch / f"sim_{precision}_{solver}"
                subprocess.run([args.gennc, str(source), "-o", str(sim), "--no-gpu", *flags, *solver_flags], check=True)
                runs = [simulate_seconds(sim, scratch / "out", args.threads) for _ in range(args.runs)]
                times[solver] = min(seconds for seconds, _ in runs)
                rates[solver] = runs[0][1] / args.size / (args.duration / 1000.0)
            for solver in ("rk4", "adaptive"):
                rows.append((precision, solver, rates[solver], times[solver] / steps * 1e6, times[solver] / times["rk4"]))
    print(f"AdExp network, {args.size} EIF_cond_exp_isfa_ista cells, {args.duration:g} ms at dt 0.1 ms, "
          f"{args.threads} thread(s), best of {args.runs}; {platform.processor() or platform.machine()}, "
          f"load average {os.getloadavg()[0]:.2f}")
    print()
    print("| precision | solver | mean rate (Hz) | step time (us) | vs RK4 |")
    print("|---|---|---:|---:|---:|")
    for precision, solver, rate, per_step, ratio in rows:
        print(f"| {precision} | {solver} | {rate:.1f} | {per_step:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
