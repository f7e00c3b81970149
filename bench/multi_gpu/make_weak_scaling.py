#!/usr/bin/env python3
"""Writes the weak-scaling networks of the multi-GPU runs: bench/gpu/make_networks.py's
Brunel-style network (its template, unchanged) with N x 1e6 neurons for N GPUs, so that each
GPU updates 1e6 neurons at every size. The connector is a fixed out-degree of 800 onto the
excitatory and 200 onto the inhibitory population with N_E = 4 N_I, so every neuron keeps
800 excitatory and 200 inhibitory inputs on average at every size (also with each
population cut into BLOCKS blocks, below). Compile them with
`gennc --procedural all`: 8e9 stored synapses would not fit a GPU, and every GPU rank holds
the whole network.

    make_weak_scaling.py OUT_DIR [GPUS ...]      (default GPUS: 1 2 4 8)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gpu"))
import make_networks  # noqa: E402

PER_GPU = 1_000_000
# Two blocks per population at every size: 8e6 neurons would otherwise give a projection of
# 5.1e9 synapses, past the runtime's 2^32 - 1; the same layout at every size keeps the sweep
# comparable.
BLOCKS = 2


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    gpus = [int(g) for g in sys.argv[2:]] or [1, 2, 4, 8]
    os.makedirs(out, exist_ok=True)
    for g in gpus:
        print(make_networks.write_network(out, g * PER_GPU, BLOCKS))


if __name__ == "__main__":
    main()
