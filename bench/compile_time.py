#!/usr/bin/env python3
"""Compile time of gennc: every example compiled to a linked `sim` N times.

Prints a Markdown table: example, populations, projections, kernels, the median and the
least wall time of `gennc EXAMPLE -o sim` (the whole process: front end, both code
generation pipelines, link), its median CPU time (user + system, the linker included),
and the medians of the host and the PTX pipelines' steps from --time-passes, which run on
two threads at once (docs/codegen.md), with their wall time together. The build machine
is shared, so the load average is printed per example: wall times only mean something
at a low load; the least wall time and the CPU time are the steadier figures.

With --sequential a last column gives, for comparison, the median of the same work one
pipeline after the other, as gennc did it before the two threads: the wall time of
`gennc --emit=ptx` plus that of `gennc --no-gpu -o sim`, run alternately with the others
so that they see the same load (it counts the front end twice, about 50 ms).

    python3 bench/compile_time.py --gennc build/bin/gennc --runs 7 --sequential
"""
import argparse
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --time-passes step names of each pipeline (compiler/codegen/codegen.h).
HOST_STEPS = {"codegen.lower", "codegen.link-device-library", "llvm.optimize", "llvm.emit"}
STEP_LINE = re.compile(r"^\s*([0-9.]+) ms\s+(\S+)\s*$")


def counts(gennc, example):
    """Populations, projections and kernels of the lowered IR (--emit=ir)."""
    ir = subprocess.run([gennc, str(example), "--emit=ir"], check=True, capture_output=True, text=True).stdout
    first_words = [line.split(" ", 1)[0] for line in ir.splitlines()]
    return tuple(first_words.count(word) for word in ("population", "projection", "kernel"))


def compile_once(gennc, example, output):
    """Wall and CPU seconds of one compile, and its code generation steps in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run([gennc, str(example), "-o", output, "--time-passes"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if run.returncode != 0:
        sys.exit(f"gennc failed on {example}:\n{run.stderr}")
    steps = {}
    codegen = run.stderr.split("===== code generation times =====", 1)[-1]
    for line in codegen.splitlines():
        if match := STEP_LINE.match(line):
            steps[match.group(2)] = float(match.group(1)) / 1e3
    return wall, cpu, steps


def wall_of(command):
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr}")
    return time.perf_counter() - started


def machine():
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gennc", default=str(ROOT / "build" / "bin" / "gennc"))
    parser.add_argument("--runs", type=int, default=5, help="compiles per example (the median is shown)")
    parser.add_argument("--sequential", action="store_true",
                        help="also time the two pipelines one after the other (--emit=ptx, then --no-gpu)")
    parser.add_argument("examples", nargs="*", help="default: examples/*.gdsl")
    args = parser.parse_args()
    examples = [Path(e) for e in args.examples] or sorted((ROOT / "examples").glob("*.gdsl"))

    print(f"gennc: {args.gennc}; {args.runs} runs per example; {machine()}\n")
    print("| example | populations | projections | kernels | wall (median) | wall (least) | CPU | host pipeline | "
          "PTX pipeline | both (wall) | link | load |" + (" one after the other |" if args.sequential else ""))
    print("| --- " + "| ---: " * (11 + args.sequential) + "|")
    with tempfile.TemporaryDirectory(prefix="gennc-compile-time-") as folder:
        output = os.path.join(folder, "sim")
        for example in examples:
            populations, projections, kernels = counts(args.gennc, example)
            load = os.getloadavg()[0]
            walls, cpus, host, ptx, together, link, sequential = [], [], [], [], [], [], []
            for _ in range(args.runs):
                if args.sequential:
                    sequential.append(wall_of([args.gennc, str(example), "--emit=ptx", "-o", output + ".ptx"]) +
                                      wall_of([args.gennc, str(example), "--no-gpu", "-o", output]))
                wall, cpu, steps = compile_once(args.gennc, example, output)
                walls.append(wall)
                cpus.append(cpu)
                host.append(sum(s for name, s in steps.items() if name in HOST_STEPS))
                ptx.append(sum(s for name, s in steps.items() if name.startswith("ptx.")))
                together.append(steps.get("codegen.parallel", 0.0))
                link.append(steps.get("link", 0.0))
            ms = lambda values: f"{statistics.median(values) * 1e3:.0f} ms"
            print(f"| {example.stem} | {populations} | {projections} | {kernels} | {ms(walls)} | "
                  f"{min(walls) * 1e3:.0f} ms | {ms(cpus)} | {ms(host)} | {ms(ptx)} | {ms(together)} | {ms(link)} | "
                  f"{load:.1f} |" + (f" {ms(sequential)} |" if args.sequential else ""), flush=True)


if __name__ == "__main__":
    main()
