"""PyNN's FixedProbabilityConnector drawn many columns at a time.

PyNN's connector walks the postsynaptic cells one by one: for each it draws one uniform
number per presynaptic cell from the connector's NumpyRNG, connects where the number is
below p and hands the column to the projection, evaluating the synapse values again each
time. NumPy's Mersenne Twister yields the same numbers whether they are drawn a column at
a time or many columns in one call, so drawing blocks of columns and comparing them at
once makes exactly the synapses PyNN's loop makes (and so pyNN.nest's, for the same seed),
without the Python work per column that dominated a script's network build.

Only the cases where that equivalence is plain are taken: the connector's own class, a
NumpyRNG, every synapse value the same for all synapses (so no draw from any generator
between the columns), no callback or location selector, self-connections allowed or
excluded. Anything else returns None and PyNN's connector runs as it is.

The draw itself can wait: PyNN's loop draws from a copy of the connector's generator, so
taking that copy when the projection is made fixes the synapses. The first run() draws
them while gennc compiles the network, which needs only the projection's shape.
"""
from copy import deepcopy

import numpy as np
from pyNN import connectors
from pyNN.common import Population
from pyNN.random import NumpyRNG, RandomDistribution

# Uniform numbers drawn per call: bounds a block to 2 MB of doubles.
_NUMBERS_PER_BLOCK = 1 << 18


class FixedProbabilityDraw:
    """A FixedProbabilityConnector's synapses as PyNN's loop draws them when the projection
    is made, drawn whenever draw() is called: the generator is copied at once, so what the
    script draws from it meanwhile changes nothing. The first run() draws while gennc
    compiles (simulator.State.build)."""

    def __init__(self, connector, projection, values, same_cells, post_positions):
        # PyNN's loop draws from a copy of the generator (its lazy `random < p` deep-copies
        # the distribution with its generator), so the connector's own generator never advances.
        self._uniform = RandomDistribution("uniform", (0, 1), rng=deepcopy(connector.rng))
        self._p = connector.p_connect
        self._n_pre, self._n_post = projection.pre.size, projection.post.size
        self._same_cells = same_cells
        self._post_positions = post_positions
        self.values = values  # native name -> the one value of every synapse

    def draw(self):
        """(pre, post): positions in the projection's pre and post cells, in PyNN's order."""
        n_pre, n_post = self._n_pre, self._n_post
        columns_per_block = max(1, _NUMBERS_PER_BLOCK // n_pre)
        pre_parts, post_parts = [], []
        for first in range(0, n_post, columns_per_block):
            last = min(n_post, first + columns_per_block)
            drawn = np.asarray(self._uniform.next((last - first) * n_pre))
            column, pre = np.divmod(np.flatnonzero(drawn < self._p), n_pre)
            column += first
            if self._same_cells is not None:
                keep = ~self._same_cells(pre, column)
                column, pre = column[keep], pre[keep]
            pre_parts.append(pre.astype(np.int64))
            post_parts.append(self._post_positions[column])
        return np.concatenate(pre_parts), np.concatenate(post_parts)

    def columns(self, count):
        """The values of `count` synapses, as PyNN's loop passes them (none if none connect)."""
        return {name: np.full(count, float(value)) for name, value in self.values.items()} if count else {}


def fixed_probability_in_bulk(connector, projection):
    """A FixedProbabilityDraw for the projection's synapses, or None where PyNN's own
    connector must run."""
    if type(connector) is not connectors.FixedProbabilityConnector:
        return None
    if type(connector.rng) is not NumpyRNG or connector.callback is not None:
        return None
    if connector.location_selector is not None or connector.allow_self_connections not in (True, False):
        return None
    n_pre, n_post = projection.pre.size, projection.post.size
    if n_pre == 0 or n_post == 0 or not np.all(projection.post._mask_local):
        return None
    parameters = connector._parameters_from_synapse_type(projection)
    if not all(value.is_homogeneous for _, value in parameters.items()):
        return None
    values = {name: value.evaluate(simplify=True) for name, value in parameters.items()}

    same_cells = None
    if connector.allow_self_connections is False:
        if isinstance(projection.pre, Population) and projection.pre == projection.post:
            same_cells = lambda pre, post: pre == post  # noqa: E731
        else:
            pre_ids = np.asarray(projection.pre.all_cells, dtype=np.int64)
            post_ids = np.asarray(projection.post.all_cells, dtype=np.int64)
            same_cells = lambda pre, post: pre_ids[pre] == post_ids[post]  # noqa: E731
    post_positions = np.asarray(projection.post.id_to_index(projection.post.all_cells), dtype=np.int64)
    draw = FixedProbabilityDraw(connector, projection, values, same_cells, post_positions)
    if connector.safe:
        # PyNN checks the values of each connected column: a bad value is an error where
        # the projection is made, if any synapse connects.
        try:
            check_values(projection, values)
        except Exception:
            trial = FixedProbabilityDraw(connector, projection, values, same_cells, post_positions)
            if len(trial.draw()[0]):
                raise
    return draw


def check_values(projection, values):
    """The synapse type's checks PyNN's loop applies to each connected column, applied once
    (every column has the same values)."""
    synapse = projection.synapse_type
    for name, check in getattr(synapse, "parameter_checks", {}).items():
        native = synapse.translations[name]["translated_name"]
        if native in values:
            check(values[native], projection)
