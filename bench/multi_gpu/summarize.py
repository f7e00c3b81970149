#!/usr/bin/env python3
"""Prints the multi-GPU benchmarks' tables (markdown) from the folder run_bundle.sh wrote.
Python's standard library only: the GPU machine has none of the project's dependencies.

    summarize.py OUT

OUT/NAME/LABEL is a `sim --out` folder (manifest.json, spikes as .npy), LABEL.run.json what
ran (ranks, exit code, wall time, whether its time limit stopped it), LABEL.gpumem.csv
nvidia-smi's memory samples (index, MiB) and, for the multi-area model, LABEL.rates.md
compare_rates.py's output.

The GPU engine times each rank's NCCL all-gather inside the stage whose spikes it gathers
(docs/distributed.md, GPUs): no profile row is the exchange alone. The exchange's cost per
step is shown as the profiled step time of N ranks against one rank through the same NCCL
path (`--exchange nccl`), which at equal work per GPU (the weak-scaling sweep) is the
exchange and whatever else grows with the rank count.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _gpu_summarize():
    """bench/gpu/summarize.py: beside this folder in the repository, copied beside this
    file as gpu_summarize.py in the bundle (make_bundle.sh)."""
    for path in (os.path.join(HERE, "gpu_summarize.py"), os.path.join(HERE, "..", "gpu", "summarize.py")):
        if os.path.exists(path):
            spec = importlib.util.spec_from_file_location("gpu_summarize", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    sys.exit("summarize.py: bench/gpu/summarize.py (gpu_summarize.py in the bundle) not found")


_gpu = _gpu_summarize()
load_npy = _gpu.load_npy
PD_NEST = _gpu.PD_NEST  # NEST's full-scale microcircuit rates (examples/README.md)
TRANSIENT_MS = _gpu.PD_TRANSIENT_MS
RATE_TOLERANCE = 0.02


def read_run(out, name, label):
    """What one run left: its run.json, manifest (None if it wrote none), folder."""
    base = os.path.join(out, name, label)
    run = manifest = None
    if os.path.isfile(base + ".run.json"):
        with open(base + ".run.json") as f:
            run = json.load(f)
    if os.path.isfile(os.path.join(base, "manifest.json")):
        with open(os.path.join(base, "manifest.json")) as f:
            manifest = json.load(f)
    return run, manifest, base


def status(run, manifest):
    if run is None:
        return "not run"
    if run["rc"] == 0:
        return "ok"
    if run["stopped_at_limit"]:
        return f"stopped at {run['limit_s']} s" + (" (results so far)" if manifest else "")
    return f"failed ({run['rc']})"


def gpu_memory(base):
    """Largest memory.used (MiB) per GPU index over the run's samples."""
    peak = {}
    try:
        with open(base + ".gpumem.csv") as f:
            for line in f:
                parts = [p.strip() for p in line.split(",")]
                if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
                    peak[int(parts[0])] = max(peak.get(int(parts[0]), 0), int(parts[1]))
    except OSError:
        pass
    return peak


def fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def sizes(manifest):
    return {p["name"]: p["size"] for p in manifest["populations"]}


def neurons(manifest):
    return sum(p["size"] for p in manifest["populations"] if not p["model"].startswith("SpikeSource"))


def spike_counts(manifest):
    size = sizes(manifest)
    return {r["population"]: r["count"] for r in manifest["recordings"]
            if r["kind"] == "spikes" and r["neuron_count"] == size[r["population"]]}


def events(manifest):
    """Synaptic events: each recorded population's spikes x its projections' mean out-degree."""
    size, counts = sizes(manifest), spike_counts(manifest)
    return sum(counts[p["pre"]] * p["synapses"] / size[p["pre"]] for p in manifest["projections"] if p["pre"] in counts)


def step_seconds(manifest):
    """Profiled time per step (all rows, slowest rank's), or None without a profile."""
    rows = manifest.get("timings", {}).get("profile")
    return sum(r["seconds_per_step"] for r in rows) if rows else None


def exchange_rows(manifest):
    rows = manifest.get("timings", {}).get("profile") or []
    return sum(r["seconds_per_step"] for r in rows if "exchang" in r["name"]) if rows else None


def late_rates(folder, manifest, start):
    """Spikes/s per population after START ms (spike times from the .npy files)."""
    rates = {}
    window = (manifest["duration"] - start) / 1000.0
    for r in manifest["recordings"]:
        if r["kind"] != "spikes":
            continue
        values, shape = load_npy(os.path.join(folder, r["file"]))
        times = values[1::2] if len(shape) == 2 else []
        rates[r["population"]] = sum(1 for t in times if t > start) / r["neuron_count"] / window
    return rates


def sorted_spikes(folder, recording):
    values, shape = load_npy(os.path.join(folder, recording["file"]))
    return sorted(zip(values[1::2], values[0::2])) if len(shape) == 2 else []


def overview(out, runs):
    print("## Runs\n")
    print("| network | run | ranks | status | backend | neurons | simulated (ms) | init (s) | simulate (s) "
          "| x real time | peak GPU memory (MiB per GPU) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, label in runs:
        run, m, base = read_run(out, name, label)
        if run is None:
            continue
        peak = gpu_memory(base)
        memory = ", ".join(f"{i}: {v:,}" for i, v in sorted(peak.items())) if peak else "-"
        if m is None:
            print(f"| {name} | {label} | {run['ranks']} | {status(run, m)} | - | - | - | - | - | - | {memory} |")
            continue
        t = m["timings"]
        rtf = t["simulate"] / (m["duration"] / 1000.0) if m["duration"] > 0 else None
        print(f"| {name} | {label} | {run['ranks']} | {status(run, m)} | {m['backend']} | {neurons(m):,} "
              f"| {m['duration']:g} | {fmt(t['init'])} | {fmt(t['simulate'])} | {fmt(rtf)} | {memory} |")
    print()


def microcircuit(out):
    _, one, f1 = read_run(out, "potjans_diesmann", "gpu1")
    _, two, f2 = read_run(out, "potjans_diesmann", "gpu2")
    print("## Microcircuit, 1 against 2 GPUs\n")
    if one is None or two is None:
        print("Not compared: the 1- or the 2-GPU run left no results.\n")
        return
    if one["duration"] != two["duration"]:
        print(f"Different simulated times: {one['duration']:g} and {two['duration']:g} ms (a run was stopped); "
              "rates are compared over each run's own time.\n")
    counts1, counts2 = spike_counts(one), spike_counts(two)
    # Runs too short for the transient to be left out are compared over their whole time.
    start = TRANSIENT_MS if min(one["duration"], two["duration"]) > TRANSIENT_MS else 0.0
    try:
        r1, r2 = late_rates(f1, one, start), late_rates(f2, two, start)
        source = f"from {start:g} ms on (.npy files)"
    except (OSError, ValueError) as e:
        print(f"(spike files unreadable: {e}; rates from the manifests' counts over the whole run)")
        s = sizes(one)
        r1 = {p: c / s[p] / (one["duration"] / 1000.0) for p, c in counts1.items()}
        r2 = {p: c / s[p] / (two["duration"] / 1000.0) for p, c in counts2.items()}
        source = "over the whole run (manifest counts)"
    print(f"Rates (spikes/s) {source}; bitwise: the .npy files' bytes; same spikes: equal after sorting by "
          f"(time, neuron), as a GPU's spike order within a step is not fixed.\n")
    print("| population | 1 GPU | 2 GPUs | difference | NEST | spikes 1 / 2 GPUs | files |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    worst, all_bitwise = 0.0, True
    recordings2 = {r["population"]: r for r in two["recordings"] if r["kind"] == "spikes"}
    for r in one["recordings"]:
        if r["kind"] != "spikes" or r["population"] not in recordings2:
            continue
        p = r["population"]
        try:
            a = open(os.path.join(f1, r["file"]), "rb").read()
            b = open(os.path.join(f2, recordings2[p]["file"]), "rb").read()
            if a == b:
                same = "bitwise"
            elif sorted_spikes(f1, r) == sorted_spikes(f2, recordings2[p]):
                same = "same spikes"
            else:
                same = "differ"
        except (OSError, ValueError):
            same = "unreadable"
        all_bitwise &= same == "bitwise"
        x, y = r1.get(p), r2.get(p)
        diff = (y - x) / x if x else None
        if diff is not None:
            worst = max(worst, abs(diff))
        print(f"| {p} | {fmt(x)} | {fmt(y)} | {'-' if diff is None else f'{diff:+.2%}'} | {PD_NEST.get(p, '-')} "
              f"| {counts1.get(p, 0):,} / {counts2.get(p, 0):,} | {same} |")
    verdict = "bitwise equal" if all_bitwise else (
        f"every population's rate within {RATE_TOLERANCE:.0%}" if worst <= RATE_TOLERANCE
        else f"NOT within {RATE_TOLERANCE:.0%} (largest difference {worst:.2%})")
    print(f"\n**1 against 2 GPUs: {verdict}.**\n")


def profiles(out, runs):
    rows = [(n, l) for n, l in runs if "profile" in l]
    if not rows:
        return
    print("## Profiles (steps launched one by one; slowest rank)\n")
    print("| network | run | ranks | step (us) | rows named exchange (us/step) | largest rows (us/step) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, label in rows:
        run, m, _ = read_run(out, name, label)
        if run is None:
            continue
        if m is None or step_seconds(m) is None:
            print(f"| {name} | {label} | {run['ranks']} | {status(run, m)} | - | - |")
            continue
        profile = sorted(m["timings"]["profile"], key=lambda r: -r["seconds_per_step"])[:3]
        top = "; ".join(f"{r['name']} {r['seconds_per_step'] * 1e6:.1f}" for r in profile)
        ex = exchange_rows(m)
        print(f"| {name} | {label} | {run['ranks']} | {step_seconds(m) * 1e6:.1f} "
              f"| {'-' if not ex else f'{ex * 1e6:.1f}'} | {top} |")
    _, one, _ = read_run(out, "potjans_diesmann", "gpu1-nccl-profile")
    _, two, _ = read_run(out, "potjans_diesmann", "gpu2-profile")
    if one and two and step_seconds(one) and step_seconds(two):
        print(f"\nMicrocircuit: 2 GPUs' step {step_seconds(two) * 1e6:.1f} us against 1 GPU's (same NCCL path) "
              f"{step_seconds(one) * 1e6:.1f} us: {(step_seconds(two) - step_seconds(one)) * 1e6:+.1f} us per step "
              "(the 2-rank exchange, less the halved neuron updates).")
    print()


def weak_scaling(out):
    print("## Weak scaling: Brunel network, 1e6 neurons per GPU (procedural synapses)\n")
    print("| GPUs | status | neurons | synapses | simulated (ms) | rate (Hz) | simulate (s) | x real time "
          "| events/s | events/s per GPU | efficiency | profiled step (us) | step over 1 GPU's (us) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    base_rate = base_step = None
    for n in (1, 2, 4, 8):
        name = f"brunel_{n}000000"
        run, m, _ = read_run(out, name, f"gpu{n}")
        _, p, _ = read_run(out, name, "gpu1-nccl-profile" if n == 1 else f"gpu{n}-profile")
        step = step_seconds(p) if p else None
        if n == 1:
            base_step = step
        over = (step - base_step) * 1e6 if step is not None and base_step is not None and n > 1 else None
        if m is None:
            if run is not None:
                print(f"| {n} | {status(run, m)} | | | | | | | | | | {fmt(step and step * 1e6)} | {fmt(over)} |")
            continue
        bio = m["duration"] / 1000.0
        sim = m["timings"]["simulate"]
        ev = events(m)
        per_gpu = ev / sim / n if sim > 0 else None
        if n == 1:
            base_rate = per_gpu
        eff = per_gpu / base_rate if per_gpu and base_rate else None
        rate = sum(spike_counts(m).values()) / neurons(m) / bio if bio > 0 else None
        synapses = sum(q["synapses"] for q in m["projections"])
        print(f"| {n} | {status(run, m)} | {neurons(m):,} | {synapses:.3g} | {m['duration']:g} | {fmt(rate)} "
              f"| {fmt(sim)} | {fmt(sim / bio if bio else None)} | {ev / sim if sim else 0:.3g} "
              f"| {fmt(per_gpu)} | {'-' if eff is None else f'{eff:.0%}'} "
              f"| {'-' if step is None else f'{step * 1e6:.1f}'} | {'-' if over is None else f'{over:+.1f}'} |")
    print("\nevents = spikes x out-degree (1000); efficiency = events/s per GPU against 1 GPU's; the step times "
          "come from --profile runs (1 GPU through --exchange nccl, the others over NCCL), and the last column is "
          "the exchange and anything else that grows with the GPU count.\n")


def multi_area(out):
    print("## Multi-area model\n")
    found = False
    for n in (8, 4):
        run, m, base = read_run(out, "multi_area", f"gpu{n}")
        if run is None:
            continue
        found = True
        print(f"### {n} GPUs: {status(run, m)}\n")
        if m is not None:
            t = m["timings"]
            peak = gpu_memory(base)
            bio = m["duration"] / 1000.0
            print(f"- build {fmt(t.get('build'))} s, init {fmt(t['init'])} s (the driver's PTX compilation and "
                  f"the network's set-up), simulate {fmt(t['simulate'])} s for {m['duration']:g} ms: "
                  f"{fmt(t['simulate'] / bio if bio else None)} x real time")
            for part in t.get("init_parts", []):
                print(f"  - {part['name']}: {fmt(part['seconds'])} s")
            if peak:
                print(f"- peak GPU memory (MiB): {', '.join(f'GPU {i}: {v:,}' for i, v in sorted(peak.items()))}")
            print(f"- backend: {m['backend']}\n")
        if os.path.isfile(base + ".rates.md"):
            with open(base + ".rates.md") as f:
                print("Rates against the reference (compare_rates.py, from 500 ms on):\n")
                print(f.read())
    if not found:
        print("Not run.\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    runs = []
    for name in ("potjans_diesmann", "multi_area", "brunel_1000000", "brunel_2000000", "brunel_4000000",
                 "brunel_8000000"):
        folder = os.path.join(out, name)
        if os.path.isdir(folder):
            # In the order they ran.
            done = [f for f in os.listdir(folder) if f.endswith(".run.json")]
            done.sort(key=lambda f: os.path.getmtime(os.path.join(folder, f)))
            runs += [(name, f[:-len(".run.json")]) for f in done]
    overview(out, runs)
    microcircuit(out)
    multi_area(out)
    weak_scaling(out)
    profiles(out, runs)


if __name__ == "__main__":
    main()
