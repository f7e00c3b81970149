"""Two builds of gennc side by side on the CPU: the same network compiled by each, its `sim`
run alternately (A, B, A, B, ...) so that both see the same machine load, the manifest's
simulate time taken from each run, and every recorded array compared byte for byte.
Prints a Markdown table per thread count: the median simulate times, their ratio B/A, and
the ratio of the fastest runs (on a loaded machine the least disturbed of each).

    .venv/bin/python bench/ab_cpu_step.py --a /work/main/build/bin/gennc --b build/bin/gennc \\
        examples/vogels_abbott_cuba.gdsl --threads 1 2 --repeats 5
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile


def compile_network(gennc, source, out):
    subprocess.run([gennc, source, "-o", str(out)], check=True)


def run_sim(sim, threads, out):
    subprocess.run([str(sim), "--backend", "cpu", "--threads", str(threads), "--quiet", "--out", str(out)],
                   check=True)
    return json.loads((out / "manifest.json").read_text())["timings"]["simulate"]


def recorded(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.npy"))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="the baseline gennc")
    parser.add_argument("--b", required=True, help="the gennc to compare with it")
    parser.add_argument("source", help="a .gdsl network")
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        sims = {"a": work / "sim_a", "b": work / "sim_b"}
        compile_network(args.a, args.source, sims["a"])
        compile_network(args.b, args.source, sims["b"])
        print("| threads | A median (s) | B median (s) | B/A median | B/A fastest | same recordings |")
        print("| --- | --- | --- | --- | --- | --- |")
        for threads in args.threads:
            times = {"a": [], "b": []}
            same = True
            for k in range(args.repeats):
                outputs = {}
                for side in ("a", "b") if k % 2 == 0 else ("b", "a"):
                    outputs[side] = work / f"out_{side}"
                    times[side].append(run_sim(sims[side], threads, outputs[side]))
                same = same and recorded(outputs["a"]) == recorded(outputs["b"])
            a, b = statistics.median(times["a"]), statistics.median(times["b"])
            fastest = min(times["b"]) / min(times["a"])
            print(f"| {threads} | {a:.3f} | {b:.3f} | {b / a:.3f} | {fastest:.3f} | {'yes' if same else 'NO'} |")
            if not same:
                sys.exit("the recordings differ")


if __name__ == "__main__":
    main()
