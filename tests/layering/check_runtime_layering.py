#!/usr/bin/env python3
"""Checks the runtime's include graph against its layers (docs/runtime.md, "Layers").

Every file under runtime/src belongs to one layer, and a quoted #include may reach only a
file of its own layer or of a layer LAYERS allows it: the network state knows nothing of
execution, the engines see the state and the engine interface but never each other, and
only the simulation (a state plus an engine) and the C ABI see everything.

    check_runtime_layering.py SRC_DIR
        prints every include that breaks the layering; exit 0 when there is none
    check_runtime_layering.py SRC_DIR --expect FILE
        exit 0 when the includes that break it are exactly FILE's lines ("from -> to"),
        so a tree with deliberate mistakes shows that the check finds them
"""
import argparse
import os
import re
import sys

# Layer -> the layers its files may include. A file's layer is the first of
# layer_of()'s rules that names it.
LAYERS = {
    "state": set(),  # the network state and the utilities it is built with
    "engine": {"state"},  # engine.h, the interface every engine implements
    "cpu": {"state", "engine"},
    "cuda": {"state", "engine"},
    # one rank of a distributed run: the CPU or the CUDA engine's step with its neurons and
    # an exchange of spikes (mpi/), so it may use those engines, which never see it
    "mpi": {"state", "engine", "cpu", "cuda"},
    "results": {"state", "engine"},  # results folders: the state plus how its steps ran
    "simulation": {"state", "engine", "cpu", "cuda", "mpi", "results"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def layer_of(path):
    """The layer of a file, by its path relative to runtime/src; None if it has none."""
    folder, name = os.path.split(path)
    if folder == "cuda":
        return "cuda"
    if folder == "cpu":
        return "cpu"
    if folder == "mpi":
        return "mpi"
    if folder:
        return None  # a new folder must be given a layer here first
    if name == "engine.h":
        return "engine"
    if name in ("results.h", "results.cpp"):
        return "results"
    if name in ("simulation.h", "simulation.cpp", "faults.cpp", "c_api.cpp"):
        return "simulation"
    return "state"


def sources(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".h", ".cpp", ".c")):
                yield os.path.relpath(os.path.join(folder, name), root)


def resolve(root, including, target):
    """The included file relative to root, or None for a header outside it (gennc/...)."""
    for base in (os.path.dirname(including), ""):
        candidate = os.path.normpath(os.path.join(base, target))
        if not candidate.startswith("..") and os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def violations(root):
    found = []
    for path in sources(root):
        layer = layer_of(path)
        if layer is None:
            found.append(f"{path} -> (no layer)")
            continue
        with open(os.path.join(root, path), encoding="utf-8") as f:
            text = f.read()
        for target in INCLUDE.findall(text):
            included = resolve(root, path, target)
            if included is None:
                continue
            to = layer_of(included)
            if to != layer and to not in LAYERS[layer]:
                found.append(f"{path} -> {included}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", help="the runtime's source folder (runtime/src)")
    parser.add_argument("--expect", help="a file listing the violations the tree must have")
    args = parser.parse_args()
    found = violations(args.src)
    for line in found:
        path, included = line.split(" -> ")
        what = "has no layer" if included == "(no layer)" else (
            f"includes {included}: the {layer_of(path)} layer may not include the {layer_of(included)} layer")
        print(f"{os.path.join(args.src, path)}: {what}")
    if args.expect is None:
        return 1 if found else 0
    with open(args.expect, encoding="utf-8") as f:
        expected = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    missed = sorted(set(expected) - set(found))
    for line in missed:
        print(f"expected but not found: {line}")
    return 1 if missed or sorted(found) != sorted(expected) else 0


if __name__ == "__main__":
    sys.exit(main())
