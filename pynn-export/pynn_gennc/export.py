"""Writing the script's network to a .gdsl file that gennc compiles on its own.

Host-drawn synapse lists go beside it as PyNN connection files named
`<stem>.<projection>.conn`; per-element values are written as lists. The duration is the
time the script ran (the sum of its run() calls). Compile the file with the options
written in its header to get the in-process run's spikes.
"""
import shutil
from pathlib import Path

import numpy as np

from . import gdsl


def export_network(state, path):
    path = Path(path)
    written = gdsl.write_network(state, export=True, duration=state.run_time)
    options = " ".join(state.compile_options())
    written.lines.insert(1, "// Compile: gennc %s %s -o sim   (the options of the in-process run)"
                         % (options, path.name))
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, (columns, data) in written.connection_files.items():
        header = "columns = %r" % (columns,)
        np.savetxt(path.parent / name, data, fmt=["%d", "%d"] + ["%.17g"] * (len(columns) - 2),
                   header=header)
    for name, source in written.model_files.items():
        if Path(source).resolve() != (path.parent / name).resolve():
            shutil.copyfile(source, path.parent / name)
    path.write_text(written.text())
    state.exported = True
    return path
