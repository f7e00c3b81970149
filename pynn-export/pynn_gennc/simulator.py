"""The simulator state: what the script built, and the compiled network that runs it.

Nothing is simulated in Python. At the first run() the network is written as GDSL
(gdsl.py), compiled once into a shared library (compiler.py) and created through the C
ABI (runtime.py). Later runs first bring the running network up to date: values the
script changed go in through gennc_set_array; a change of structure (a new population,
projection, current source or recording, a value that no longer fits its compiled array)
writes and compiles the network again and carries time and state over.
"""
import ctypes
import functools
import os
import time

from pyNN import common

from . import compiler, gdsl
from .runtime import ARRAY_INTERNAL, ARRAY_PARAMETER, ARRAY_STATE, GenncError, Library, Simulation

name = "gennc"


class ID(int, common.IDMixin):

    def __init__(self, n):
        int.__init__(n)
        common.IDMixin.__init__(self)


class State(common.control.BaseState):

    def __init__(self):
        super().__init__()
        self.mpi_rank = 0
        self.num_processes = 1
        self.sim = None
        self.clear()
        self.dt = 0.1

    # ---- set-up -------------------------------------------------------------------------
    def configure(self, timestep, min_delay, max_delay, threads=0, backend="auto", float64=True,
                  export=None, rng_seed=None, runtime_parameters=True, precise=False):
        self.dt = timestep
        self.min_delay_value = None if min_delay == "auto" else float(min_delay)
        self.min_delay = timestep if min_delay == "auto" else float(min_delay)
        self.max_delay = max_delay
        # 0 means "as many as the hardware has", unless GENNC_THREADS says otherwise (as
        # OMP_NUM_THREADS does for OpenMP programs: a test runner or a batch job running
        # several scripts at once caps each one without editing the scripts).
        self.threads = threads or int(os.environ.get("GENNC_THREADS", "0") or 0)
        self.backend = backend
        self.float64 = float64
        self.export_path = export
        self.runtime_parameters = runtime_parameters
        self.precise = precise
        if rng_seed is not None:
            self.seed = int(rng_seed)

    def clear(self):
        if self.sim is not None:
            self.sim.close()
        self.sim = None
        self.recorders = set()
        self.populations = []
        self.projections = []
        self.current_sources = []
        self.names = set()
        self.id_counter = 0
        self.segment_counter = -1
        self.seed = 1234
        self.network_name = "pynn"
        self.min_delay_value = None
        self.precise = False
        self.export_path = None
        self.threads = 0
        self.backend = "auto"
        self.float64 = True
        self.runtime_parameters = True
        self.structure_changed = True
        self.fresh_prefixes = set()
        self.carried = {}        # recordings pulled out of earlier compiled networks
        self.created_at_zero = True
        self.write_on_end = []
        self.run_time = 0.0
        self.t_value = 0.0
        self.timings = {"write": 0.0, "compile": 0.0, "create": 0.0}
        self.builds = 0
        self.reset()

    def gdsl_name(self, label, fallback):
        return gdsl.identifier(label, self.names, fallback)

    def structure_change(self):
        self.structure_changed = True

    # ---- time ---------------------------------------------------------------------------
    @property
    def t(self):
        return self.t_value

    def run(self, simtime):
        self.run_until(self.t + simtime)

    def run_until(self, tstop):
        exact = (tstop - self.t) / self.dt
        steps = int(round(exact))
        if abs(exact - steps) > 1e-6:
            # NEST refuses it too; running to the nearest step instead would change the
            # script's times without a word.
            raise ValueError("pynn_gennc: running to %g ms from %g ms is not a whole number of time "
                             "steps (dt = %g ms)" % (tstop, self.t, self.dt))
        self.running = True
        self.run_time += max(steps, 0) * self.dt
        if self.export_path is not None:
            self.t_value = (round(self.t / self.dt) + steps) * self.dt
            return
        self.update()
        if steps > 0:
            self.sim.run(steps)
        self.t_value = self.sim.time

    def reset(self):
        """PyNN's reset(): time 0, state back to the initial values, a new segment."""
        self.running = False
        self.t_value = 0.0
        self.t_start = 0
        self.segment_counter += 1
        if self.sim is not None:
            if self.created_at_zero:
                self.sim.reset()
                for pop in self.populations:
                    pop.push_initial_values(self.sim)
            else:
                # Built in the middle of a run: its reset snapshot is not time 0. Build again.
                self.sim.close()
                self.sim = None
                self.structure_changed = True
        self.carried = {}

    # ---- bringing the compiled network up to date -------------------------------------
    def compile_options(self):
        # Uniform parameters stay settable scalars, so set() between runs needs no compile.
        options = ["--runtime-parameters"] if self.runtime_parameters else []
        options.append("--float64" if self.float64 else "--float32")
        # PTX only where it can run (it is most of a small network's compile time);
        # PYNN_GENNC_PTX=1 keeps it, to prepare libraries for a GPU machine.
        if not os.environ.get("PYNN_GENNC_PTX") and (self.backend == "cpu" or
                                                     (self.backend == "auto" and not gpu_present())):
            # A library for this machine's CPU alone, with its widest vectors (as Brian2's
            # standalone builds are); the cache tells CPUs apart (compiler.start_library).
            options += ["--no-gpu", "--march", "native"]
        return options

    def update(self):
        if self.sim is not None:
            try:
                # Also before a rebuild: what the network can take goes in, and each object
                # notes what must start afresh in the next one (a source given new lists),
                # which carry_state then leaves behind.
                self.push_values()
                if not self.structure_changed:
                    return
            except StructureChange:
                pass
        self.build()

    def push_values(self):
        """Sends every value that changed since the last push; StructureChange if one cannot
        go (after every object has been asked, so each notes what the rebuild must renew)."""
        change = None
        for item in self.populations + self.projections + self.current_sources:
            try:
                item.push_values(self.sim)
            except StructureChange as e:
                change = e
        if change is not None:
            raise change

    def build(self):
        clock = time.perf_counter()
        written = gdsl.write_network(self)
        self.timings["write"] += time.perf_counter() - clock
        clock = time.perf_counter()
        # Synapses that PyNN's connectors left to draw are drawn while gennc compiles.
        compilation = compiler.start_library(written.text(), self.network_name, self.compile_options())
        try:
            connections = written.draw_connections()
        except BaseException:
            compilation.cancel()
            raise
        library = compilation.finish()
        self.timings["compile"] += time.perf_counter() - clock
        clock = time.perf_counter()
        old = self.sim
        sim = Simulation(Library.load(library), threads=self.threads, backend=self.backend,
                         connections=connections)
        for name, values in written.initial_values:
            sim.set(name, values)
        if old is not None and old.step > 0:
            self.pull_recordings(old)
            carry_state(old, sim, self.fresh_prefixes)
            sim.set_step(old.step)
            # Sources given new lists mid-run skip the times already past, as NEST does.
            for item in self.populations + self.current_sources:
                item.resume_lists(sim, sim.time, self.dt)
            self.created_at_zero = False
        elif old is None:
            self.created_at_zero = self.t == 0
        if old is not None:
            old.close()
        self.sim = sim
        self.fresh_prefixes = set()
        self.structure_changed = False
        self.builds += 1
        if self.min_delay_value is None:
            self.min_delay = self.smallest_delay()
        self.push_values()
        self.timings["create"] += time.perf_counter() - clock

    def smallest_delay(self):
        """min_delay 'auto': the smallest delay of any projection (dt without projections)."""
        delays = [d for prj in self.projections for d in [prj.smallest_delay()] if d is not None]
        return min(delays) if delays else self.dt

    def pull_recordings(self, old):
        for pop in self.populations:
            pop.recorder.pull(old)


@functools.lru_cache(maxsize=None)
def gpu_present():
    """Whether the CUDA driver loads and sees a device (as the runtime's 'auto' asks)."""
    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return False
    count = ctypes.c_int(0)
    return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 and count.value > 0


class StructureChange(Exception):
    """A value change that the compiled network cannot take: build it again."""


def carry_state(old, new, fresh_prefixes=()):
    """Copies every array that evolves (state, rings, runtime bookkeeping that is not
    connectivity) from the old network into the new one where name and length agree, but
    for the sources whose lists changed (`fresh_prefixes`): those start afresh."""
    for name, (scope, flags, owner) in new.library.arrays.items():
        if name not in old.library.arrays or flags & ARRAY_PARAMETER:
            continue
        if any(name.startswith(prefix) for prefix in fresh_prefixes):
            continue
        if not flags & (ARRAY_STATE | ARRAY_INTERNAL):
            continue
        a, b = old.array_info(name), new.array_info(name)
        if a is None or b is None or a.length != b.length:
            continue
        try:
            new.set(name, old.get(name))
        except GenncError:
            pass  # connectivity: built again from the same description


state = State()
