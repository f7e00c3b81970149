"""Regenerates docs/stdlib.md's comparison with NEST from what tests/nest measured.

Run the suite first (`ctest -L nest` in the build directory); each entry writes
tests/nest/results/<group>.json in the build tree. Then:

    python tests/nest/stdlib_table.py [--results BUILD/tests/nest/results] [--doc docs/stdlib.md]

The table replaces what lies between the markers below in the document.
"""
import argparse
import glob
import json
import os
import sys

BEGIN = "<!-- nest-comparison:begin -->"
END = "<!-- nest-comparison:end -->"
STIMULI = ["dc", "step", "excitatory", "inhibitory", "on_grid", "off_grid", "precise"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def number(value):
    """Differences to two significant digits; None means the spike counts differ."""
    if value is None:
        return "counts differ"
    return "0" if value == 0 else "%.2g" % value


def cell_table(rows):
    lines = ["| model | stimulus | spikes gennc / NEST | max spike-time difference (ms) "
             "| max v difference (mV) | away from spikes (mV) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["model"], STIMULI.index(r["stimulus"]))):
        v, away = "—", "—"
        if r["kind"] == "cell":
            v = number(r["max_dv"])
            away = "same"
            if r["window"]:
                away = "%s (> %g ms)" % (number(r["max_dv_away"]), r["window"])
        lines.append("| %s | %s | %d / %d | %s | %s | %s |" % (
            r["model"], r["stimulus"].replace("_", " "), r["spikes_gennc"], r["spikes_nest"],
            number(r["max_spike_dt"]), v, away))
    return lines


def source_table(rows):
    lines = ["| source | simulator | rate (Hz), expected | ISI CV, expected |",
             "| --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["model"], r["simulator"])):
        lines.append("| %s | %s | %.2f (%.2f) | %.3f (%.3f) |" % (
            r["model"], "NEST" if r["simulator"] == "nest" else "gennc", r["rate"],
            r["expected_rate"], r["cv"], r["expected_cv"]))
    return lines


def network_table(rows):
    lines = ["| network | population | simulator | rates (Hz) per seed | mean (Hz), all runs "
             "| mean CV, all runs |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in sorted(rows, key=lambda r: (r["model"], r["population"], r["simulator"])):
        cv = "%.3f (%.3f)" % (r["mean_cv"], r["all_mean_cv"]) if "mean_cv" in r else "-"
        lines.append("| %s | %s | %s | %s | %.2f (%.2f) | %s |" % (
            r["model"], r["population"], "NEST" if r["simulator"] == "nest" else "gennc",
            ", ".join("%.2f" % x for x in r["rates"]), r["mean"], r["all_mean"], cv))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results",
                        default=os.path.join(ROOT, "build", "tests", "nest", "results"))
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "stdlib.md"))
    args = parser.parse_args()

    rows = []
    for path in sorted(glob.glob(os.path.join(args.results, "*.json"))):
        with open(path) as f:
            rows.extend(json.load(f))
    if not rows:
        sys.exit("no results in %s: run `ctest -L nest` first" % args.results)
    cells = [r for r in rows if r["kind"] in ("cell", "array")]
    sources = [r for r in rows if r["kind"] == "source"]
    networks = [r for r in rows if r["kind"] == "network"]
    table = cell_table(cells) + [""] + source_table(sources)
    if networks:
        table += [""] + network_table(networks)

    with open(args.doc) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit("%s has no %s ... %s markers" % (args.doc, BEGIN, END))
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(args.doc, "w") as f:
        f.write(head + BEGIN + "\n" + "\n".join(table) + "\n" + END + tail)


if __name__ == "__main__":
    main()
