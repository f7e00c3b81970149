"""PyNN's standard cell, synapse and plasticity types for gennc.

gennc's standard library (stdlib/) defines every PyNN standard model under PyNN's own
class name, with PyNN's parameter names, units and defaults, so the translations are the
identity. Each class adds what the GDSL writer needs: the stdlib model it becomes and,
for cells, where each PyNN recordable lives in the compiled network.
"""
from pyNN.standardmodels import build_translations, cells, synapses

# PyNN recordables that live in a receptor of the cell rather than in the cell itself.
_RECEPTOR_VARIABLES = {
    "gsyn_exc": "excitatory.gsyn", "gsyn_inh": "inhibitory.gsyn",
    "isyn_exc": "excitatory.isyn", "isyn_inh": "inhibitory.isyn",
}

# PyNN units whose numbers differ in gennc's internal system (ms, mV, nA, uS, nF, 1/ms);
# arrays crossing the C ABI are in the internal units.
INTERNAL_SCALE = {"Hz": 1e-3, "nS": 1e-3, "s": 1e3, "pA": 1e-3, "pF": 1e-3}


def _identity(base):
    return build_translations(*[(name, name) for name in base.default_parameters])


class _SynapseMixin:
    def _get_minimum_delay(self):
        from .simulator import state
        return state.min_delay


def _standard(base, *mixins):
    namespace = {"__doc__": base.__doc__, "translations": _identity(base),
                 "gdsl_model": base.__name__}
    return type(base.__name__, mixins + (base,), namespace)


def gdsl_variable(celltype, variable):
    """The path of a PyNN recordable inside a population of `celltype` ("v", "excitatory.gsyn")."""
    return _RECEPTOR_VARIABLES.get(variable, variable)


_CELLS = ["IF_curr_alpha", "IF_curr_exp", "IF_curr_delta", "IF_cond_alpha", "IF_cond_exp",
          "IF_cond_exp_gsfa_grr", "IF_facets_hardware1", "HH_cond_exp", "EIF_cond_alpha_isfa_ista",
          "EIF_cond_exp_isfa_ista", "Izhikevich", "GIF_cond_exp", "SpikeSourcePoisson",
          "SpikeSourceArray", "SpikeSourceGamma", "SpikeSourceInhGamma",
          "SpikeSourcePoissonRefractory"]
_SYNAPSES = ["StaticSynapse", "TsodyksMarkramSynapse", "ElectricalSynapse", "SimpleStochasticSynapse",
             "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse"]
_STDP_PARTS = ["AdditiveWeightDependence", "MultiplicativeWeightDependence",
               "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence",
               "SpikePairRule", "Vogels2011Rule"]

for _name in _CELLS:
    globals()[_name] = _standard(getattr(cells, _name))
for _name in _SYNAPSES:
    globals()[_name] = _standard(getattr(synapses, _name), _SynapseMixin)
for _name in _STDP_PARTS:
    globals()[_name] = _standard(getattr(synapses, _name))


class STDPMechanism(_SynapseMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    gdsl_model = "STDPMechanism"


__all__ = _CELLS + _SYNAPSES + _STDP_PARTS + ["STDPMechanism"]
