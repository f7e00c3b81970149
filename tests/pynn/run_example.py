"""Runs one of PyNN's example scripts the way `python EXAMPLE SIMULATOR ARGS...` would,
with `pyNN.gennc` aliased to pynn_gennc so that the examples' `pyNN.<name>` imports
(get_simulator, get_script_args + exec) find gennc's backend.

    python run_example.py [--on-grid] SIMULATOR SCRIPT GLOBALS_OUT [SCRIPT_ARGS...]

SIMULATOR is `gennc` or any pyNN.<name> backend. --on-grid makes pyNN.nest's setup()
default to spike_precision="on_grid" (NEST's grid-constrained models, iaf_psc_exp rather
than the precise iaf_psc_exp_ps that PyNN picks by default): the reference for a
simulator whose spikes fall on the time grid, as gennc's do. After the script ends, the values it
left in its module globals that can be compared between simulators (neo objects, numpy
arrays, numbers, strings, lists of those) are pickled into GLOBALS_OUT, a dict by name:
some examples keep their results only there (e.g. monolith_vs_composed.py's `data`).
"""
import os
import pickle
import runpy
import sys


def alias_gennc():
    import pyNN
    import pynn_gennc
    sys.modules["pyNN.gennc"] = pynn_gennc
    pyNN.gennc = pynn_gennc


def default_on_grid(simulator):
    """pyNN.<simulator>.setup() with spike_precision="on_grid" unless the script says."""
    import importlib
    module = importlib.import_module(f"pyNN.{simulator}")
    setup = module.setup

    def setup_on_grid(*args, **kwargs):
        kwargs.setdefault("spike_precision", "on_grid")
        return setup(*args, **kwargs)
    module.setup = setup_on_grid


def comparable(value, depth=0):
    import numbers

    import neo
    import numpy as np
    if isinstance(value, (neo.Block, neo.Segment, neo.AnalogSignal, neo.SpikeTrain,
                          np.ndarray, numbers.Number, str)):
        return True
    if isinstance(value, (list, tuple)) and depth < 2 and len(value) < 100000:
        return all(comparable(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 2:
        return all(isinstance(k, (str, int)) and comparable(v, depth + 1)
                   for k, v in value.items())
    return False


def main():
    arguments = sys.argv[1:]
    on_grid = arguments[0] == "--on-grid"
    simulator, script, globals_out, *script_args = arguments[1:] if on_grid else arguments
    os.environ.setdefault("MPLBACKEND", "Agg")
    if simulator == "gennc":
        alias_gennc()
    elif on_grid:
        default_on_grid(simulator)
    sys.argv = [script, simulator, *script_args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    module_globals = runpy.run_path(script, run_name="__main__")
    kept = {}
    for name, value in module_globals.items():
        if name.startswith("__") or not comparable(value):
            continue
        try:
            kept[name] = pickle.loads(pickle.dumps(value))
        except Exception:
            continue
    with open(globals_out, "wb") as f:
        pickle.dump(kept, f)


if __name__ == "__main__":
    main()
