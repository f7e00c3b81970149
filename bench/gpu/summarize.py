#!/usr/bin/env python3
"""Reads the GPU benchmarks' results and prints the tables (python3 standard library only:
it runs on the GPU machine, which has none of the project's dependencies).

    summarize.py plan BUNDLE              the plan, one line per benchmark, for run_bundle.sh
    summarize.py table BUNDLE WORK OUT    the tables; also OUT/table.md and OUT/summary.json

Every number comes from the runs' manifest.json and .npy files (docs/runtime.md), the
compile times from BUNDLE/plan.json (make_bundle.sh), the copy bandwidth from
WORK/copy_bandwidth.txt and the kernel profiles from OUT/profile-NAME.csv (Nsight Compute).

Synaptic events of a run: for each projection whose pre population has all its spikes
recorded, spikes of the pre population x the projection's synapses / pre population size.
Exact where every neuron has the same out-degree (the Brunel sweep: fixed_number_post);
elsewhere (fixed_probability, fixed_total_number) it takes the mean out-degree, which is
exact in expectation since a neuron's out-degree does not set its own rate (against the
exact sum over each spike's row length, on the CPU over 1 s: -0.10% for Vogels-Abbott CUBA,
+0.05% for the scaled microcircuit). Projections
from unrecorded spike sources (the microcircuit's background) are not counted.
"""
import ast
import csv
import json
import math
import os
import re
import statistics
import struct
import sys
from array import array

# Potjans & Diesmann (2014) full scale: NEST's full-scale rates (examples/README.md, the
# reference within 10%) and the values the paper's Fig. 6 gives.
PD_NEST = {"L23e": 0.903, "L23i": 2.965, "L4e": 4.414, "L4i": 5.876,
           "L5e": 7.569, "L5i": 8.633, "L6e": 1.105, "L6i": 7.829}
PD_PAPER = {"L23e": 0.9, "L23i": 2.8, "L4e": 4.4, "L4i": 5.7, "L5e": 7.7, "L5i": 8.6, "L6e": 1.1, "L6i": 7.8}
PD_TRANSIENT_MS = 500.0
PD_TOLERANCE = 0.10


def load_npy(path):
    """The array of a little-endian float64 or int64 .npy file as (flat values, shape)."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise ValueError(f"{path}: not a .npy file")
        major = f.read(2)[0]
        (length,) = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))
        header = ast.literal_eval(f.read(length).decode("latin1"))
        kind = {"<f8": "d", "<i8": "q"}.get(header["descr"])
        if kind is None or header["fortran_order"]:
            raise ValueError(f"{path}: unsupported array {header}")
        values = array(kind)
        values.frombytes(f.read())
    return values, header["shape"]


def spike_times(folder, recording):
    values, shape = load_npy(os.path.join(folder, recording["file"]))
    return values[1::2] if len(shape) == 2 else array("d")


def median(xs):
    return statistics.median(xs) if xs else None


def is_source(population):
    return population["model"].startswith("SpikeSource")


def read_runs(work, name, kind):
    """Manifests of the runs WORK/NAME/KIND-1, KIND-2, ... that finished."""
    runs, r = [], 1
    while os.path.exists(os.path.join(work, name, f"{kind}-{r}.log")):
        manifest = os.path.join(work, name, f"{kind}-{r}", "manifest.json")
        if os.path.isfile(manifest):
            with open(manifest) as f:
                runs.append((os.path.dirname(manifest), json.load(f)))
        r += 1
    return runs


def spike_counts(manifest):
    """Spikes per population whose every neuron is recorded."""
    sizes = {p["name"]: p["size"] for p in manifest["populations"]}
    return {r["population"]: r["count"] for r in manifest["recordings"]
            if r["kind"] == "spikes" and r["neuron_count"] == sizes[r["population"]]}


def events(manifest):
    sizes = {p["name"]: p["size"] for p in manifest["populations"]}
    counts = spike_counts(manifest)
    return sum(counts[p["pre"]] * p["synapses"] / sizes[p["pre"]] for p in manifest["projections"] if p["pre"] in counts)


def describe(runs, compile_s, kind):
    """One table row's numbers for the runs of one kind."""
    folder, m = runs[0]
    sources = {p["name"] for p in m["populations"] if is_source(p)}
    bio_s = m["duration"] / 1000.0
    sim = [r[1]["timings"]["simulate"] for r in runs]
    sizes = {p["name"]: p["size"] for p in m["populations"]}
    rates = {pop: count / (sizes[pop] * bio_s) for pop, count in spike_counts(m).items()
             if pop not in sources and bio_s > 0}
    return {
        "kind": kind,
        "backend": m["backend"],
        "threads": m["threads"],
        "runs": len(runs),
        "neurons": sum(p["size"] for p in m["populations"] if not is_source(p)),
        "synapses": sum(p["synapses"] for p in m["projections"] if p["pre"] not in sources),
        "bio_s": bio_s,
        "steps": m["steps"],
        "compile_s": compile_s,
        "init_s": median([r[1]["timings"]["init"] for r in runs]),
        "simulate_s": median(sim),
        "simulate_min_s": min(sim),
        "simulate_max_s": max(sim),
        "write_s": median([r[1]["timings"]["write"] for r in runs]),
        "realtime_factor": median(sim) / bio_s if bio_s > 0 else None,
        "events": median([events(r[1]) for r in runs]),
        "events_per_s": median([events(r[1]) / r[1]["timings"]["simulate"] for r in runs if r[1]["timings"]["simulate"] > 0]),
        "rates_hz": rates,
        "folder": folder,
    }


def microcircuit_rates(folder, manifest):
    """Rates per population after the initial transient, against the references."""
    start = PD_TRANSIENT_MS if manifest["duration"] > 2 * PD_TRANSIENT_MS else 0.0
    span_s = (manifest["duration"] - start) / 1000.0
    sizes = {p["name"]: p["size"] for p in manifest["populations"]}
    rows = []
    for r in manifest["recordings"]:
        if r["kind"] != "spikes" or r["population"] not in PD_NEST:
            continue
        times = spike_times(folder, r)
        rate = sum(1 for t in times if t > start) / (sizes[r["population"]] * span_s)
        ref = PD_NEST[r["population"]]
        rows.append({"population": r["population"], "rate_hz": rate, "nest_hz": ref, "paper_hz": PD_PAPER[r["population"]],
                     "deviation": rate / ref - 1.0, "within": abs(rate / ref - 1.0) <= PD_TOLERANCE})
    return {"from_ms": start, "to_ms": manifest["duration"], "populations": rows}


def read_profile(path):
    """Kernel launches of an ncu raw CSV export: [(name, ns, dram bytes)] in launch order."""
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("==")]
    rows = list(csv.reader(lines))
    header = next(i for i, r in enumerate(rows) if "Kernel Name" in r)
    cols = rows[header]
    name_col = cols.index("Kernel Name")
    id_col = cols.index("ID")
    metric = {m: cols.index(m) for m in ("gpu__time_duration.sum", "dram__bytes_read.sum", "dram__bytes_write.sum")}
    units = rows[header + 1] if header + 1 < len(rows) and not rows[header + 1][id_col].strip().isdigit() else None
    scale = {"": 1.0, "byte": 1.0, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9,
             "nsecond": 1.0, "ns": 1.0, "usecond": 1e3, "us": 1e3, "msecond": 1e6, "ms": 1e6, "second": 1e9, "s": 1e9}

    def value(row, m):
        unit = units[metric[m]].strip() if units else ""
        return float(row[metric[m]].replace(",", "")) * scale.get(unit, 1.0)

    launches = []
    for row in rows[header + 1:]:
        if len(row) <= max(metric.values()) or not row[id_col].strip().isdigit():
            continue
        launches.append((int(row[id_col]), row[name_col].split("(")[0].strip(), value(row, "gpu__time_duration.sum"),
                         value(row, "dram__bytes_read.sum") + value(row, "dram__bytes_write.sum")))
    launches.sort()
    return [(name, ns, dram) for _, name, ns, dram in launches]


def stage_category(members):
    """What a stage launch does, from its kernels' names (plan.json, from the IR's stage lines)."""
    kinds = {"spike delivery" if m.endswith((".pre", ".post")) else "updates" if m.endswith(".update")
             else "current injection" if m.endswith(".inject") else "other" for m in members}
    return kinds.pop() if len(kinds) == 1 else "mixed stage"


def analyse_profile(csv_path, profile_folder, plan_entry, copy_gbs, wall_per_step_us):
    """Per-step kernel time by kind and the delivery stages' DRAM bandwidth, from the stage
    entries' and the finish kernel's launches in the window (one finish per step)."""
    launches = read_profile(csv_path)
    with open(os.path.join(profile_folder, "manifest.json")) as f:
        m = json.load(f)
    categories = {f"gennc_stage_{k}": stage_category(members) for k, members in enumerate(plan_entry["stages"])}
    categories.update({"gennc_finish_step": "finish (recording, step)", "gennc_zero_counts": "zeroing (per batch)"})

    def category(name):
        return categories.get(name, "other")

    steps = sum(1 for l in launches if l[0] == "gennc_finish_step") or None
    per_kernel = {}
    for name, ns, dram in launches:
        k = per_kernel.setdefault(name, {"launches": 0, "ns": 0.0, "dram_bytes": 0.0, "category": category(name)})
        k["launches"] += 1
        k["ns"] += ns
        k["dram_bytes"] += dram
    stages = {}
    for k in per_kernel.values():
        s = stages.setdefault(k["category"], {"ns": 0.0, "launches": 0})
        s["ns"] += k["ns"]
        s["launches"] += k["launches"]
    result = {"launches": len(launches), "steps": steps, "kernels": per_kernel,
              "stages_us_per_step": {c: s["ns"] / 1e3 / steps for c, s in stages.items()} if steps else None,
              "stages_us_in_window": {c: s["ns"] / 1e3 for c, s in stages.items()},
              "wall_us_per_step": wall_per_step_us}

    delivery = [l for l in launches if category(l[0]) == "spike delivery"]
    d_ns = sum(l[1] for l in delivery)
    d_dram = sum(l[2] for l in delivery)
    bw = {"kernel_launches": len(delivery), "time_us": d_ns / 1e3, "dram_bytes": d_dram,
          "dram_gbs": d_dram / d_ns if d_ns > 0 else None, "copy_gbs": copy_gbs}
    bw["dram_fraction_of_copy"] = bw["dram_gbs"] / copy_gbs if bw["dram_gbs"] and copy_gbs else None
    result["delivery"] = bw
    return result


def fmt(x, spec=".3g", none="-"):
    return none if x is None else format(x, spec)


def plan_lines(bundle):
    with open(os.path.join(bundle, "plan.json")) as f:
        plan = json.load(f)
    for b in plan["benchmarks"]:
        print("|".join(str(x) for x in (b["name"], int(b["duration_ms"]), b["gpu_runs"], b["cpu_runs"],
                                        b["limit_s"], b["least_left_s"])))


def table(bundle, work, out):
    with open(os.path.join(bundle, "plan.json")) as f:
        plan = json.load(f)
    copy_gbs = None
    copy_path = os.path.join(work, "copy_bandwidth.txt")
    if os.path.isfile(copy_path):
        with open(copy_path) as f:
            found = re.search(r"copy_bandwidth ([0-9.]+) GB/s", f.read())
            copy_gbs = float(found.group(1)) if found else None

    rows, summary = [], {"copy_bandwidth_gbs": copy_gbs, "benchmarks": {}}
    lines = ["| network | back end | runs | neurons | synapses | compile s | init s | simulate s | "
             "real-time factor | synaptic events/s | rates (Hz) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for b in plan["benchmarks"]:
        entry = summary["benchmarks"].setdefault(b["name"], {"plan": b})
        for kind, wanted in (("gpu", b["gpu_runs"]), ("cpu", b["cpu_runs"])):
            if wanted == 0:
                continue
            runs = read_runs(work, b["name"], kind)
            if not runs:
                lines.append(f"| {b['name']} | {kind}: not run or failed (see bench.log) | 0 |" + " |" * 8)
                continue
            d = describe(runs, b["compile"]["median_wall_s"], kind)
            entry[kind] = d
            backend = d["backend"] + (f", {d['threads']} threads" if d["backend"] == "cpu" else "")
            if kind == "gpu" and d["backend"] == "cpu":
                backend += " (standing in for the GPU)"
            sim = fmt(d["simulate_s"], ".3f")
            if d["runs"] > 1:
                sim += f" ({d['simulate_min_s']:.3f}-{d['simulate_max_s']:.3f})"
            rates = ", ".join(f"{p} {r:.2f}" for p, r in d["rates_hz"].items())
            lines.append(f"| {b['name']} | {backend} | {d['runs']}/{wanted} | {d['neurons']} | {d['synapses']:.4g} | "
                         f"{d['compile_s']:.2f} | {fmt(d['init_s'], '.2f')} | {sim} | {fmt(d['realtime_factor'], '.3g')} | "
                         f"{fmt(d['events_per_s'], '.3g')} | {rates} |")
        if "gpu" in entry and "cpu" in entry:
            entry["cpu_over_gpu_simulate"] = entry["cpu"]["simulate_s"] / entry["gpu"]["simulate_s"]
    source = plan.get("source", {})
    flags = " ".join(plan.get("gennc_flags", []))
    text = [f"Bundle built from commit {source.get('commit')}" +
            (" with uncommitted changes" if source.get("uncommitted_changes") else "") +
            (f", networks compiled with `gennc {flags}`" if flags else ""), "", "## Runs", "",
            "Medians over the runs (simulate: min-max in brackets). Compile: wall clock of `gennc net.gdsl -o sim` "
            "on the build machine, median of " + str(plan["benchmarks"][0]["compile"]["repeats"]) + ". Real-time "
            "factor: simulate / biological time. Synaptic events: spikes x out-degree summed over the recurrent "
            "projections (summarize.py says how), per second of simulate.", ""] + lines

    ratios = [(n, e["cpu_over_gpu_simulate"]) for n, e in summary["benchmarks"].items() if "cpu_over_gpu_simulate" in e]
    if ratios:
        text += ["", "CPU (simulate) / GPU (simulate) on the same host: " +
                 ", ".join(f"{n} {r:.2f}" for n, r in ratios)]

    pd = summary["benchmarks"].get("potjans_diesmann", {}).get("gpu")
    if pd is not None:
        with open(os.path.join(pd["folder"], "manifest.json")) as f:
            mc = microcircuit_rates(pd["folder"], json.load(f))
        summary["benchmarks"]["potjans_diesmann"]["rates"] = mc
        text += ["", f"## Microcircuit rates ({mc['from_ms']:.0f}-{mc['to_ms']:.0f} ms)", "",
                 "| population | rate (Hz) | NEST full scale | paper | deviation from NEST | within 10% |",
                 "| --- | --- | --- | --- | --- | --- |"]
        for r in mc["populations"]:
            text.append(f"| {r['population']} | {r['rate_hz']:.3f} | {r['nest_hz']} | {r['paper_hz']} | "
                        f"{100 * r['deviation']:+.1f}% | {'yes' if r['within'] else 'NO'} |")
        text.append(f"\n{sum(r['within'] for r in mc['populations'])} of {len(mc['populations'])} populations within 10%.")

    text += ["", "## Device-to-device copy", "",
             "cuMemcpyDtoD of 1 GiB, bytes read + written: " +
             (f"{copy_gbs:.1f} GB/s" if copy_gbs else "not measured (see bench.log)")]
    for b in plan["benchmarks"]:
        csv_path = os.path.join(out, f"profile-{b['name']}.csv")
        folder = os.path.join(work, b["name"], "profile")
        if not os.path.isfile(csv_path) or "stages" not in b:
            continue
        gpu = summary["benchmarks"].get(b["name"], {}).get("gpu")
        wall = gpu["simulate_s"] / gpu["steps"] * 1e6 if gpu and gpu["steps"] else None
        try:
            prof = analyse_profile(csv_path, folder, b, copy_gbs, wall)
        except (OSError, ValueError, KeyError, StopIteration, IndexError) as e:
            text += ["", f"## Profile of {b['name']}: not readable ({type(e).__name__}: {e})"]
            continue
        summary["benchmarks"][b["name"]]["profile"] = prof
        text += ["", f"## Profile of {b['name']} (Nsight Compute, {prof['launches']} launches, "
                     f"{fmt(prof['steps'], 'd', '?')} steps)", "",
                 "| launch | us per step (kernel time) |" if prof["steps"] else
                 "| launch | us in the window (steps unknown: no gennc_finish_step launch) |", "| --- | --- |"]
        stages = prof["stages_us_per_step"] or prof["stages_us_in_window"]
        for stage, us in sorted(stages.items(), key=lambda x: -x[1]):
            text.append(f"| {stage} | {us:.2f} |")
        text.append(f"| all kernels | {sum(stages.values()):.2f} |")
        if wall and prof["steps"]:
            text.append(f"| wall clock per step (simulate / steps of the full run) | {wall:.2f} |")
        d = prof["delivery"]
        share = (f"{100 * d['dram_fraction_of_copy']:.1f}% of the copy" if d["dram_fraction_of_copy"]
                 else "copy not measured")
        text += ["", f"Spike delivery (its stage launches): {d['kernel_launches']} launches, {d['time_us']:.1f} us; "
                     f"DRAM {d['dram_bytes'] / 1e6:.3f} MB moved, {fmt(d['dram_gbs'], '.1f')} GB/s ({share})."]

    report = "\n".join(text) + "\n"
    print(report)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(report)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, default=lambda x: None if isinstance(x, float) and math.isnan(x) else str(x))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "plan":
        plan_lines(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "table":
        table(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
