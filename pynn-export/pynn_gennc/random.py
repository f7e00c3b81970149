"""pynn_gennc's NativeRNG: distributions drawn by gennc's Philox streams, not in Python.

A connector or RandomDistribution given `NativeRNG(seed)` is written into the GDSL
symbolically (`uniform(-65, -55)`, `fixed_probability(0.1)`) and drawn when the network is
created, on the GPU when it runs there; nothing per neuron or synapse is held in Python.
The seed becomes the network's seed.
"""
from pyNN.random import NativeRNG as _BaseNativeRNG


class NativeRNG(_BaseNativeRNG):

    def __init__(self, seed=None):
        super().__init__(seed)
        if seed is not None:
            from .simulator import state
            state.seed = int(seed)

    def next(self, n=None, distribution=None, parameters=None, mask=None):
        """A symbolic value, as NEST's NativeRNG gives: pynn_gennc writes such distributions
        into the GDSL unevaluated, and Python code that compares or computes with one (PyNN
        guessing a receptor type from a weight) gets a TypeError, which PyNN handles."""
        from .gdsl import NativeDistribution
        return NativeDistribution(distribution, parameters)
