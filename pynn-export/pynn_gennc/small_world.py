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
        u = np.atleast_1d(rng.next(len(moved), "uniform", {"low": 0.0, "high": 1.0}))
        # The post cells a moved edge may reach: all, or all but its pre cell itself (the
        # position `own` in post, -1 where the pre cell is not there), in post order.
        own = np.where(same.any(axis=1), same.argmax(axis=1), -1)[source[moved]] \
            if not connector.allow_self_connections else np.full(len(moved), -1)
        reachable = post.size - (own >= 0)
        pick = np.minimum((u * reachable).astype(np.int64), reachable - 1)
        pick += (own >= 0) & (pick >= own)
        keep = reachable > 0
        target[moved[keep]] = pick[keep]
    # Each post cell's sources, in pre order.
    order = np.argsort(target, kind="stable")
    by_post = np.split(source[order], np.cumsum(np.bincount(target, minlength=post.size))[:-1])

    def connection_map(mask=None):
        columns = range(post.size) if mask is None else np.flatnonzero(mask)
        return (by_post[j] for j in columns)

    # PyNN's column loop for map connectors (SmallWorldConnector is not one): the values of
    # each post cell's synapses from the synapse type, as for every other connector.
    connectors.MapConnector._standard_connect(connector, projection, connection_map)
