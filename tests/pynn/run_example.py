"""Runs one of PyNN's example scripts the way `python EXAMPLE SIMULATOR ARGS...` would,
with `pyNN.gennc` aliased to pynn_gennc so that the examples' `pyNN.<name>` imports
(get_simulator, get_script_args + exec) find gennc's backend.

    python run_example.py SIMULATOR SCRIPT GLOBALS_OUT [SCRIPT_ARGS...]

SIMULATOR is `gennc` or any pyNN.<name> backend; each runs with its own defaults
(pyNN.nest's and pynn_gennc's spike_precision is "off_grid"). After the script ends, the values it
left in its module globals that can be compared between simulators (neo objects, numpy
arrays, numbers, strings, lists of those) are pickled into GLOBALS_OUT, a dict by name:
some examples keep their results only there (e.g. monolith_vs_composed.py's `data`).

test_pynn_examples.py runs the same thing without a new interpreter per run: preload()
imports PyNN, the backends and matplotlib once in the pytest process, and run_forked()
runs each example in a forked child of it, a process of its own as before (its own
folder, output files, exit status and timeout) that only skips the imports.
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


def run(simulator, script, globals_out, script_args):
    os.environ.setdefault("MPLBACKEND", "Agg")
    if simulator == "gennc":
        alias_gennc()
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


def main():
    simulator, script, globals_out, *script_args = sys.argv[1:]
    run(simulator, script, globals_out, script_args)


def preload(simulators):
    """Imports what every run imports (PyNN, the backends, Neo, matplotlib with the Agg
    backend), so that forked runs start with it; nothing is set up or simulated."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import importlib

    import matplotlib.pyplot  # noqa: F401
    import neo  # noqa: F401
    import pyNN.utility  # noqa: F401
    for simulator in simulators:
        if simulator == "gennc":
            import pynn_gennc  # noqa: F401
        else:
            importlib.import_module(f"pyNN.{simulator}")


def run_forked(simulator, script, globals_out, script_args, cwd, stdout, stderr, timeout):
    """run() in a forked child, in `cwd`, its standard output and error written to the
    files `stdout` and `stderr`: the child's exit status (1 on an exception, with the
    traceback in `stderr`), or None when it ran past `timeout` seconds and was killed,
    with everything it started."""
    import signal
    import time
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.setpgid(0, 0)
            os.chdir(cwd)
            for fd, path in ((0, os.devnull), (1, stdout), (2, stderr)):
                file = os.open(path, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(file, fd)
                os.close(file)
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", buffering=1, closefd=False)
            sys.stderr = open(2, "w", buffering=1, closefd=False)
            # A fresh interpreter seeds numpy's global generator from the OS: so does each
            # child, rather than all of them repeating the parent's draws.
            import numpy as np
            np.random.seed()
            run(simulator, script, globals_out, script_args)
            status = 0
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child did it first
    deadline = time.monotonic() + timeout
    while True:
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(wait_status)
        if time.monotonic() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return None
        time.sleep(0.01)


if __name__ == "__main__":
    main()
