#!/usr/bin/env python3
"""What the IR verifier after every pass costs: each example compiled to an object file
(`gennc EXAMPLE --emit=obj`: front end, IR passes, host code generation; or, with
--emit=ir, the front end and the IR passes only, where the verifier's share is largest)
with --verify-each and with --no-verify-each, alternately so that both see the same load.

Prints a Markdown table: example, the median wall and CPU time (user + system) of each,
and their ratios.

    python3 bench/verifier_cost.py --gennc build/bin/gennc --runs 7 examples/X.gdsl ...
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time


def run(gennc, example, flag, out, emit):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([gennc, example, f"--emit={emit}", "-o", out, flag], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gennc", required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--emit", choices=["obj", "ir"], default="obj")
    parser.add_argument("examples", nargs="+")
    args = parser.parse_args()
    print(f"--emit={args.emit}, {args.runs} runs each; load average at start: {os.getloadavg()[0]:.2f}\n")
    print("| example | wall, verified | wall, not verified | wall ratio | CPU, verified | CPU, not verified | CPU ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "net.o")
        for example in args.examples:
            times = {"--verify-each": [], "--no-verify-each": []}
            run(args.gennc, example, "--no-verify-each", out, args.emit)  # warm the caches
            for _ in range(args.runs):
                for flag in times:
                    times[flag].append(run(args.gennc, example, flag, out, args.emit))
            med = {flag: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
                   for flag, t in times.items()}
            (wv, cv), (wn, cn) = med["--verify-each"], med["--no-verify-each"]
            print(f"| {os.path.basename(example)} | {wv * 1e3:.0f} ms | {wn * 1e3:.0f} ms | {wv / wn:.2f} "
                  f"| {cv * 1e3:.0f} ms | {cn * 1e3:.0f} ms | {cv / cn:.2f} |")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
