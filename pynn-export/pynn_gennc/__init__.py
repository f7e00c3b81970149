"""pynn_gennc: PyNN 0.13 on gennc.

    import pynn_gennc as sim

runs a PyNN script unchanged: at the first run() the network is written as GDSL, compiled
by gennc into a shared library (cached) and run through the runtime's C ABI, on the GPU
when one is present, else on the CPU; recordings come back as Neo blocks. With
`sim.setup(export="net.gdsl")` (or the `gennc-export` command) the script's network is
written to a .gdsl file that `gennc` compiles on its own.
"""
import gc

from pyNN import errors, random, space  # noqa: F401
from pyNN.connectors import *  # noqa: F401,F403
from pyNN.network import Network  # noqa: F401
from pyNN.random import GSLRNG, NumpyRNG, RandomDistribution  # noqa: F401
from pyNN.recording import *  # noqa: F401,F403
from pyNN.space import Space  # noqa: F401
from pyNN.standardmodels import StandardCellType

from .control import (end, get_current_time, get_max_delay, get_min_delay, get_time_step,  # noqa: F401
                      initialize, num_processes, rank, reset, run, run_for, run_until, setup)
from .electrodes import *  # noqa: F401,F403
from .populations import Assembly, Population, PopulationView  # noqa: F401
from .procedural_api import connect, create, record, record_gsyn, record_v  # noqa: F401
from .projections import Projection  # noqa: F401
from .native import native_cell_type, native_electrode_type, native_synapse_type  # noqa: F401
from .random import NativeRNG  # noqa: F401
from .results import load_results  # noqa: F401
from .standardmodels import *  # noqa: F401,F403
from .unit_names import remember_unit_names

remember_unit_names()

# The modules imported above (PyNN, Neo, quantities, SciPy, NumPy: about 55,000 objects
# tracked by the cycle collector) live as long as the process. Moving them out of the
# collector's sight makes each full collection during a script, and those at the
# interpreter's exit, skip them: a Vogels-Abbott script's exit took 0.11 s and takes 0.04 s
# (docs/pynn.md, "Start-up and exit"). Objects the script creates are collected as before.
gc.freeze()


def list_standard_models():
    """The StandardCellType classes pynn_gennc provides."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)]
