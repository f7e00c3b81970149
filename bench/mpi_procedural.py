"""Simulate time of a network with procedural projections over 1, 2, ... MPI ranks (one
worker thread each), for two builds of gennc side by side (docs/distributed.md, "What a
rank holds": each rank regenerates only the part of a procedural row onto its own
neurons). Runs alternate between the builds so that both see the same machine load; the
simulate time is the manifest's (rank 0's, which waits for the slowest rank at every
exchange). Every recorded array of every run must be byte for byte the first run's.
Prints a Markdown table of the median simulate times.

    .venv/bin/python bench/mpi_procedural.py --before /work/main/build/bin/gennc --after build/bin/gennc \\
        bench/networks/brunel_procedural.gdsl --ranks 1 2 --repeats 3
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

# Open MPI over shared memory, oversubscribed, as tests/mpi/conftest.py runs it.
MPI_ENV = dict(os.environ, OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_mpi_yield_when_idle="1")


def run(sim, ranks, duration, out):
    """Simulate seconds of one run; its recorded arrays by name."""
    command = [str(sim), "--out", str(out), "--backend", "cpu", "--threads", "1", "--quiet"]
    if duration is not None:
        command += ["--duration", str(duration)]
    if ranks > 1:
        command = ["mpirun", "--oversubscribe", "-np", str(ranks)] + command
    subprocess.run(command, check=True, env=MPI_ENV)
    manifest = json.loads((out / "manifest.json").read_text())
    arrays = {name: (out / name).read_bytes() for name in manifest["files"]}
    return manifest["timings"]["simulate"], arrays


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the baseline gennc")
    parser.add_argument("--after", required=True, help="the gennc to compare with it")
    parser.add_argument("source", help="a .gdsl network with procedural projections")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=float, help="ms simulated (default: the network's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        sims = {}
        for label, gennc in (("before", args.before), ("after", args.after)):
            sims[label] = work / f"sim_{label}"
            subprocess.run([gennc, args.source, "--no-gpu", "-o", str(sims[label])], check=True)
        times = {(label, ranks): [] for label in sims for ranks in args.ranks}
        reference = None
        for repeat in range(args.repeats):
            for ranks in args.ranks:
                for label, sim in sims.items():
                    seconds, arrays = run(sim, ranks, args.duration, work / f"out_{label}_{ranks}_{repeat}")
                    if reference is None:
                        reference = arrays
                    if arrays != reference:
                        sys.exit(f"{label} with {ranks} ranks recorded other results than the first run")
                    times[(label, ranks)].append(seconds)
        print("| ranks | before: simulate (s) | after: simulate (s) | after / before | before: 1 rank / N | after: 1 rank / N |")
        print("| --- | --- | --- | --- | --- | --- |")
        median = {key: statistics.median(value) for key, value in times.items()}
        one = min(args.ranks)
        for ranks in args.ranks:
            b, a = median[("before", ranks)], median[("after", ranks)]
            print(f"| {ranks} | {b:.2f} | {a:.2f} | {a / b:.2f} | {median[('before', one)] / b:.2f} | "
                  f"{median[('after', one)] / a:.2f} |")
        print(f"\nMedians of {args.repeats} runs each; every run's recorded arrays byte for byte the same.")


if __name__ == "__main__":
    main()
