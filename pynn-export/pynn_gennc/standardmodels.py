"""PyNN's standard cell, synapse and plasticity types for gennc.

gennc's standard library (stdlib/) defines every PyNN standard model under PyNN's own
class name, with PyNN's parameter names, units and defaults, so the translations are the
identity. Each class adds what the GDSL writer needs: the stdlib model it becomes and,
for cells, where each PyNN recordable lives in the compiled network.
"""
from pyNN.parameters import ParameterSpace
from pyNN.standardmodels import build_translations, cells, receptors, synapses

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
_COMPONENTS = ["LIF", "AdExp"]
_RECEPTORS = ["CurrExpPostSynapticResponse", "CondExpPostSynapticResponse",
              "CondAlphaPostSynapticResponse", "CondBetaPostSynapticResponse"]
_SYNAPSES = ["StaticSynapse", "TsodyksMarkramSynapse", "ElectricalSynapse", "SimpleStochasticSynapse",
             "StochasticTsodyksMarkramSynapse", "MultiQuantalSynapse"]
_STDP_PARTS = ["AdditiveWeightDependence", "MultiplicativeWeightDependence",
               "AdditivePotentiationMultiplicativeDepression", "GutigWeightDependence",
               "SpikePairRule", "Vogels2011Rule"]

for _name in _CELLS:
    globals()[_name] = _standard(getattr(cells, _name))
for _name in _COMPONENTS:
    globals()[_name] = _standard(getattr(cells, _name))
for _name in _RECEPTORS:
    globals()[_name] = _standard(getattr(receptors, _name))
    # What each receptor's state is called in the stdlib (recorded as 'LABEL.isyn', ...).
    globals()[_name].recordable = ["isyn"] if _name.startswith("Curr") else ["gsyn"]
AlphaPSR = CondAlphaPostSynapticResponse  # noqa: F821 - PyNN's aliases
ExpPSR = CondExpPostSynapticResponse  # noqa: F821


class PointNeuron(cells.PointNeuron):
    """A neuron component (LIF, AdExp) with named receptors: in GDSL the component with
    `with receptors { NAME: Receptor(...), ... }`. Receptor parameters are named
    'RECEPTOR.parameter', as PyNN names them."""

    def __init__(self, neuron, **post_synaptic_receptors):
        super().__init__(neuron, **post_synaptic_receptors)
        pairs = [(name, name) for name in neuron.default_parameters]
        for label, psr in post_synaptic_receptors.items():
            pairs += [("%s.%s" % (label, p), "%s.%s" % (label, p))
                      for p in psr.default_parameters if p != "locations"]
        self.translations = build_translations(*pairs)

    @property
    def gdsl_model(self):
        return self.neuron.gdsl_model

    @property
    def native_parameters(self):
        values = dict(self.neuron.native_parameters.items())
        for label, psr in self.post_synaptic_receptors.items():
            for name, value in psr.native_parameters.items():
                if name != "locations":
                    values["%s.%s" % (label, name)] = value
        return ParameterSpace(values, shape=None)

    def get_native_names(self, *names):
        return list(names) if names else [D["translated_name"] for D in self.translations.values()]

    def reverse_translate(self, native_parameters):
        return ParameterSpace(dict(native_parameters.items()), shape=native_parameters.shape)

    def gdsl_receptors(self):
        return [(label, type(psr).__name__) for label, psr in sorted(self.post_synaptic_receptors.items())]


for _name in _SYNAPSES:
    globals()[_name] = _standard(getattr(synapses, _name), _SynapseMixin)
# PyNN state names that the stdlib spells out.
MultiQuantalSynapse.state_names = {"a": "available"}  # noqa: F821
for _name in _STDP_PARTS:
    globals()[_name] = _standard(getattr(synapses, _name))


class STDPMechanism(_SynapseMixin, synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(("weight", "weight"), ("delay", "delay"),
                                           ("dendritic_delay_fraction", "dendritic_delay_fraction"))
    gdsl_model = "STDPMechanism"


__all__ = _CELLS + _COMPONENTS + _RECEPTORS + _SYNAPSES + _STDP_PARTS + \
    ["STDPMechanism", "PointNeuron", "AlphaPSR", "ExpPSR"]
