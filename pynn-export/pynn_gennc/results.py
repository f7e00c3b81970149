"""Reading a results folder written by `./sim` (docs/runtime.md) as a Neo block, and
drawing it: `pynn_gennc.load_results(dir)`; `python -m pynn_gennc.results DIR -o fig.png`."""
import json
from pathlib import Path

import neo
import numpy as np
import quantities as pq


def load_results(folder):
    """One Neo Block with one Segment: a SpikeTrain per recorded neuron and an AnalogSignal
    per recorded variable, annotated with their populations."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    t_stop = manifest["duration"] * pq.ms
    block = neo.Block(name=manifest["network"], **{"simulator": "gennc", "dt": manifest["dt"]})
    segment = neo.Segment(name="segment000")
    block.segments.append(segment)
    for rec in manifest["recordings"]:
        neurons = np.load(folder / rec["neurons_file"])
        if rec["kind"] == "spikes":
            spikes = np.load(folder / rec["file"])
            for n in neurons:
                times = spikes[spikes[:, 0] == n, 1] if len(spikes) else []
                segment.spiketrains.append(neo.SpikeTrain(
                    times, units="ms", t_stop=t_stop, source_population=rec["population"],
                    source_index=int(n), channel_id=int(n)))
        else:
            values = np.load(folder / rec["file"])
            times = np.load(folder / rec["times_file"])
            units = rec["unit"] or "dimensionless"
            units = {"1/ms": "kHz"}.get(units, units)
            segment.analogsignals.append(neo.AnalogSignal(
                values, units=units, t_start=times[0] * pq.ms if len(times) else 0 * pq.ms,
                sampling_period=rec["interval"] * pq.ms, name=rec["variable"],
                source_population=rec["population"],
                array_annotations={"channel_index": neurons}))
    for train in segment.spiketrains:
        train.segment = segment
    for signal in segment.analogsignals:
        signal.segment = segment
    return block


def main(argv=None):
    import argparse
    import matplotlib
    matplotlib.use("Agg")
    from pyNN.utility.plotting import Figure, Panel
    parser = argparse.ArgumentParser(description="Draw a gennc results folder: a raster and traces")
    parser.add_argument("folder")
    parser.add_argument("-o", "--output", default="results.png")
    args = parser.parse_args(argv)
    segment = load_results(args.folder).segments[0]
    panels = []
    if segment.spiketrains:
        panels.append(Panel(segment.spiketrains, xlabel="Time (ms)", yticks=True, markersize=1))
    for signal in segment.analogsignals:
        panels.append(Panel(signal, ylabel="%s (%s)" % (signal.name, signal.units.dimensionality),
                            xticks=True, xlabel="Time (ms)"))
    Figure(*panels).save(args.output)
    print("wrote %s" % args.output)


if __name__ == "__main__":
    main()
