"""Peak memory per MPI rank of one network run over 1, 2, 4, ... ranks (docs/distributed.md,
"What a rank holds"): each rank's synapses and their bytes (the manifest's memory.ranks)
and each rank's peak resident memory, measured by /usr/bin/time around every rank (its
maximum resident set size, getrusage's ru_maxrss), so that a build whose manifest does
not report it (--baseline, e.g. main's, where every rank builds the whole network) is
measured the same way. Prints a Markdown table.

    .venv/bin/python bench/mpi_memory.py --gennc build/bin/gennc [--baseline /work/main/build/bin/gennc] \\
        examples/brunel2000_ai.gdsl --ranks 1 2 4 --duration 20
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

# Open MPI over shared memory, oversubscribed, as tests/mpi/conftest.py runs it.
MPI_ENV = dict(os.environ, OMPI_MCA_btl="self,vader", OMPI_MCA_btl_vader_single_copy_mechanism="none",
               OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_mpi_yield_when_idle="1")


def run(sim, ranks, duration, work):
    """[{rank, synapses, synapse_bytes, peak_bytes}] of one run over `ranks` ranks."""
    out = work / f"results_{ranks}"
    # Each rank writes its own peak (KiB) to peak.<rank>.
    wrapped = ("exec /usr/bin/time -f %M -o " + str(work) + "/peak.$OMPI_COMM_WORLD_RANK " + str(sim) +
               f" --out {out} --backend cpu --threads 1 --quiet --duration {duration}")
    subprocess.run(["mpirun", "--oversubscribe", "-np", str(ranks), "sh", "-c", wrapped], check=True, env=MPI_ENV)
    memory = json.loads((out / "manifest.json").read_text())["memory"]
    rows = []
    for rank in range(ranks):
        peak = int((work / f"peak.{rank}").read_text().split()[-1]) * 1024
        held = memory.get("ranks", [])
        rows.append({"rank": rank, "peak_bytes": peak,
                     "synapses": held[rank]["synapses"] if rank < len(held) else None,
                     "synapse_bytes": held[rank]["synapse_bytes"] if rank < len(held) else None,
                     "total_synapses": memory["synapses"]})
    return rows


def mib(n):
    return "-" if n is None else f"{n / 1048576:.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gennc", required=True, help="the gennc to measure")
    parser.add_argument("--baseline", help="another gennc, measured the same way")
    parser.add_argument("source", help="a .gdsl network")
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=float, default=20.0, help="ms simulated")
    args = parser.parse_args()
    builds = [("this", args.gennc)] + ([("baseline", args.baseline)] if args.baseline else [])
    with tempfile.TemporaryDirectory() as tmp:
        print("| build | ranks | rank | synapses held | their MiB | peak resident MiB |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, gennc in builds:
            work = pathlib.Path(tmp) / label
            work.mkdir()
            sim = work / "sim"
            subprocess.run([gennc, args.source, "--no-gpu", "-o", str(sim)], check=True)
            for ranks in args.ranks:
                rows = run(sim, ranks, args.duration, work)
                for row in rows:
                    print(f"| {label} | {ranks} | {row['rank']} | "
                          f"{'-' if row['synapses'] is None else row['synapses']} | {mib(row['synapse_bytes'])} | "
                          f"{mib(row['peak_bytes'])} |")
                peaks = [row["peak_bytes"] for row in rows]
                print(f"| {label} | {ranks} | all | {rows[0]['total_synapses']} in the network | "
                      f"{mib(sum(r['synapse_bytes'] or 0 for r in rows)) if rows[0]['synapses'] is not None else '-'} | "
                      f"{mib(sum(peaks))} summed, {mib(max(peaks))} largest |")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
