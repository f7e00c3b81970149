"""PyNN's SmallWorldConnector, which PyNN 0.13 declares but connects for no backend (its
`connect` raises NotImplementedError). pynn_gennc connects it as gennc's own
`small_world(degree, rewiring)` does (docs/runtime.md, "Connectivity"): every allowed pair
of cells closer than `degree` is an edge, and each edge, with probability `rewiring`, is
moved to a post cell drawn uniformly (not the pre cell itself where self-connections are
not allowed). The draws come from the connector's rng (NumpyRNG or GSLRNG) in PyNN's way:
one uniform number per edge in (pre, post) order, then one per moved edge. The synapse
values are PyNN's, evaluated at each synapse's final pair (PyNN's `_standard_connect`).
Where rewiring lands several edges of one pre cell on one post cell, each is a synapse.
"""
import numpy as np
from pyNN import connectors


def connect_small_world(connector, projection):
    if connector.n_connections is not None:
        raise NotImplementedError("pynn_gennc: SmallWorldConnector with n_connections")
    if connector.allow_self_connections == "NoMutual":
        raise NotImplementedError("pynn_gennc: SmallWorldConnector with allow_self_connections='NoMutual'")
    pre, post = projection.pre, projection.post
    degree = float(connector.d_expression.split("<")[1])
    distances = projection.space.distances(pre.positions.T, post.positions.T).reshape(pre.size, post.size)
    edges = distances < degree
    # The same cell on both sides (a population onto itself, or overlapping views).
    same = pre.all_cells[:, None] == post.all_cells[None, :]
    if not connector.allow_self_connections:
        edges &= ~same
    source, target = np.nonzero(edges)  # by pre, then post
    rng = connector.rng
    moved = np.flatnonzero(rng.next(len(source), "uniform", {"low": 0.0, "high": 1.0}) < connector.rewiring) \
        if len(source) else np.array([], dtype=np.int64)
    if len(moved):
        draws = rng.next(len(moved), "uniform", {"low": 0.0, "high": 1.0})
        for k, u in zip(moved, np.atleast_1d(draws)):
            # The post cells this pre cell may reach: all, or all but itself.
            allowed = np.flatnonzero(~same[source[k]]) if not connector.allow_self_connections \
                else np.arange(post.size)
            if len(allowed):
                target[k] = allowed[min(int(u * len(allowed)), len(allowed) - 1)]
    by_post = [source[target == j] for j in range(post.size)]

    def connection_map(mask=None):
        columns = range(post.size) if mask is None else np.flatnonzero(mask)
        return (by_post[j] for j in columns)

    # PyNN's column loop for map connectors (SmallWorldConnector is not one): the values of
    # each post cell's synapses from the synapse type, as for every other connector.
    connectors.MapConnector._standard_connect(connector, projection, connection_map)
