"""The gennc runtime's C ABI (runtime/include/gennc/runtime.h) through ctypes.

A `Simulation` wraps one `GenncSim*` of a compiled network library (`gennc --shared`).
Arrays cross as NumPy float64 buffers; nothing here loops over neurons or synapses.
"""
import ctypes
import numpy as np

GENNC_OK = 0
ABI_VERSION = 3   # GENNC_ABI_VERSION the structures below mirror
ARRAY_STATE, ARRAY_PARAMETER, ARRAY_INTERNAL = 1, 2, 8   # GenncArrayFlags

_u32p = ctypes.POINTER(ctypes.c_uint32)
_f64p = ctypes.POINTER(ctypes.c_double)


class GenncError(RuntimeError):
    """A call into the gennc runtime failed; the message is the runtime's."""


class _Connections(ctypes.Structure):
    _fields_ = [("projection", ctypes.c_char_p), ("count", ctypes.c_uint64),
                ("pre", _u32p), ("post", _u32p), ("weight", _f64p), ("delay", _f64p),
                ("column_count", ctypes.c_uint32), ("column_names", ctypes.POINTER(ctypes.c_char_p)),
                ("columns", ctypes.POINTER(_f64p))]


class _Options(ctypes.Structure):
    _fields_ = [("threads", ctypes.c_uint32), ("backend", ctypes.c_char_p),
                ("override_seed", ctypes.c_int), ("seed", ctypes.c_uint64),
                ("output_folder", ctypes.c_char_p),
                ("connections", ctypes.POINTER(_Connections)), ("connection_count", ctypes.c_uint32)]


class _ArrayDesc(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("dtype", ctypes.c_int), ("length", ctypes.c_uint64),
                ("unit", ctypes.c_char_p), ("flags", ctypes.c_uint32), ("scope", ctypes.c_uint32),
                ("owner", ctypes.c_uint32)]


class _RecordingDesc(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("name", ctypes.c_char_p), ("population", ctypes.c_char_p),
                ("variable", ctypes.c_char_p), ("unit", ctypes.c_char_p),
                ("neuron_count", ctypes.c_uint32), ("spike_count", ctypes.c_uint64),
                ("sample_count", ctypes.c_uint64), ("interval", ctypes.c_double)]


class _Init(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("params", ctypes.c_double * 4), ("values", _f64p),
                ("length", ctypes.c_uint64), ("stream", ctypes.c_uint32), ("kernel", ctypes.c_uint32)]


class _ArrayInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("unit", ctypes.c_char_p), ("dtype", ctypes.c_int),
                ("scope", ctypes.c_int), ("owner", ctypes.c_uint32), ("length", ctypes.c_uint64),
                ("flags", ctypes.c_uint32), ("init", _Init)]


class _ModelHead(ctypes.Structure):
    """The leading fields of GenncModel (gennc/model_abi.h), enough to list its arrays."""
    _fields_ = [("abi_version", ctypes.c_uint32), ("network_name", ctypes.c_char_p),
                ("source_path", ctypes.c_char_p), ("compiler_version", ctypes.c_char_p),
                ("dt", ctypes.c_double), ("duration", ctypes.c_double), ("seed", ctypes.c_uint64),
                ("float_bits", ctypes.c_uint32), ("arrays", ctypes.POINTER(_ArrayInfo)),
                ("array_count", ctypes.c_uint32)]


def _declare(lib):
    S = ctypes.c_int
    sim = ctypes.c_void_p
    table = {
        "gennc_last_error": (ctypes.c_char_p, []),
        "gennc_abi_version": (ctypes.c_uint32, []),
        "gennc_default_options": (None, [ctypes.POINTER(_Options)]),
        "gennc_create": (S, [ctypes.c_void_p, ctypes.POINTER(_Options), ctypes.POINTER(ctypes.c_void_p)]),
        "gennc_destroy": (None, [sim]),
        "gennc_run": (S, [sim, ctypes.c_uint64]),
        "gennc_time": (ctypes.c_double, [sim]),
        "gennc_step": (ctypes.c_uint64, [sim]),
        "gennc_set_step": (S, [sim, ctypes.c_uint64]),
        "gennc_backend": (ctypes.c_char_p, [sim]),
        "gennc_array_info": (S, [sim, ctypes.c_char_p, ctypes.POINTER(_ArrayDesc)]),
        "gennc_get_array_f64": (S, [sim, ctypes.c_char_p, _f64p, ctypes.c_uint64]),
        "gennc_set_array_f64": (S, [sim, ctypes.c_char_p, _f64p, ctypes.c_uint64]),
        "gennc_recording_count": (ctypes.c_uint32, [sim]),
        "gennc_recording_info": (S, [sim, ctypes.c_uint32, ctypes.POINTER(_RecordingDesc)]),
        "gennc_get_spikes": (S, [sim, ctypes.c_uint32, _u32p, _f64p, ctypes.c_uint64]),
        "gennc_get_samples": (S, [sim, ctypes.c_uint32, _f64p, ctypes.c_uint64, _f64p, _u32p]),
        "gennc_clear_recordings": (S, [sim]),
        "gennc_reset": (S, [sim]),
    }
    for name, (restype, argtypes) in table.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


class Library:
    """A compiled network library, loaded once per path."""

    _loaded = {}

    def __init__(self, path):
        self.path = str(path)
        self.lib = ctypes.CDLL(self.path, mode=ctypes.RTLD_LOCAL)
        _declare(self.lib)
        self.abi = self.lib.gennc_abi_version()
        if self.abi != ABI_VERSION:
            raise GenncError("%s has the gennc runtime's C ABI %d; pynn_gennc speaks %d"
                             % (self.path, self.abi, ABI_VERSION))
        self.model = _ModelHead.in_dll(self.lib, "gennc_model")
        self.arrays = {}
        for k in range(self.model.array_count):
            info = self.model.arrays[k]
            self.arrays[info.name.decode()] = (info.scope, info.flags, info.owner)

    @classmethod
    def load(cls, path):
        path = str(path)
        if path not in cls._loaded:
            cls._loaded[path] = cls(path)
        return cls._loaded[path]


class Simulation:
    """One running network: a handle from gennc_create and the calls PyNN needs."""

    def __init__(self, library, threads=0, backend="auto", connections=None):
        self.library = library
        lib = library.lib
        self._lib = lib
        options = _Options()
        lib.gennc_default_options(ctypes.byref(options))
        options.threads = int(threads)
        options.backend = backend.encode()
        keep = []
        if connections:
            table = (_Connections * len(connections))()
            for k, (name, pre, post, weight, delay, columns) in enumerate(connections):
                pre = np.ascontiguousarray(pre, dtype=np.uint32)
                post = np.ascontiguousarray(post, dtype=np.uint32)
                keep += [pre, post]
                entry = table[k]
                entry.projection = name.encode()
                entry.count = len(pre)
                entry.pre = pre.ctypes.data_as(_u32p)
                entry.post = post.ctypes.data_as(_u32p)
                for field, values in (("weight", weight), ("delay", delay)):
                    if values is not None:
                        values = np.ascontiguousarray(values, dtype=np.float64)
                        keep.append(values)
                        setattr(entry, field, values.ctypes.data_as(_f64p))
                if columns:
                    names = (ctypes.c_char_p * len(columns))(*[n.encode() for n in columns])
                    arrays = [np.ascontiguousarray(v, dtype=np.float64) for v in columns.values()]
                    pointers = (_f64p * len(columns))(*[a.ctypes.data_as(_f64p) for a in arrays])
                    keep += [names, pointers] + arrays
                    entry.column_count = len(columns)
                    entry.column_names = names
                    entry.columns = pointers
            options.connections = table
            options.connection_count = len(connections)
            keep.append(table)
        handle = ctypes.c_void_p()
        # The model is the library's `gennc_model` object: pass its address.
        model_address = ctypes.addressof(library.model)
        self._check(lib.gennc_create(ctypes.c_void_p(model_address), ctypes.byref(options),
                                     ctypes.byref(handle)))
        self.handle = handle

    def _check(self, status):
        if status != GENNC_OK:
            raise GenncError(self._lib.gennc_last_error().decode(errors="replace"))

    def close(self):
        if getattr(self, "handle", None):
            self._lib.gennc_destroy(self.handle)
            self.handle = None

    __del__ = close

    # time
    def run(self, steps):
        self._check(self._lib.gennc_run(self.handle, int(steps)))

    @property
    def step(self):
        return self._lib.gennc_step(self.handle)

    @property
    def time(self):
        return self._lib.gennc_time(self.handle)

    def set_step(self, step):
        self._check(self._lib.gennc_set_step(self.handle, int(step)))

    @property
    def backend(self):
        return self._lib.gennc_backend(self.handle).decode()

    def reset(self):
        self._check(self._lib.gennc_reset(self.handle))

    # arrays
    def array_info(self, name):
        desc = _ArrayDesc()
        status = self._lib.gennc_array_info(self.handle, name.encode(), ctypes.byref(desc))
        return desc if status == GENNC_OK else None

    def get(self, name):
        desc = self.array_info(name)
        if desc is None:
            raise GenncError("no array '%s' in the compiled network" % name)
        out = np.empty(desc.length, dtype=np.float64)
        self._check(self._lib.gennc_get_array_f64(self.handle, name.encode(),
                                                  out.ctypes.data_as(_f64p), desc.length))
        return out

    def set(self, name, values):
        desc = self.array_info(name)
        if desc is None:
            raise GenncError("no array '%s' in the compiled network" % name)
        values = np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=np.float64),
                                                      (desc.length,)))
        self._check(self._lib.gennc_set_array_f64(self.handle, name.encode(),
                                                  values.ctypes.data_as(_f64p), desc.length))

    def recordings(self):
        out = []
        for k in range(self._lib.gennc_recording_count(self.handle)):
            desc = _RecordingDesc()
            self._check(self._lib.gennc_recording_info(self.handle, k, ctypes.byref(desc)))
            out.append(desc)
        return out

    def spikes(self, recording):
        desc = _RecordingDesc()
        self._check(self._lib.gennc_recording_info(self.handle, recording, ctypes.byref(desc)))
        n = desc.spike_count
        neurons = np.empty(n, dtype=np.uint32)
        times = np.empty(n, dtype=np.float64)
        self._check(self._lib.gennc_get_spikes(self.handle, recording, neurons.ctypes.data_as(_u32p),
                                               times.ctypes.data_as(_f64p), n))
        return neurons, times

    def samples(self, recording):
        desc = _RecordingDesc()
        self._check(self._lib.gennc_recording_info(self.handle, recording, ctypes.byref(desc)))
        n, m = desc.sample_count, desc.neuron_count
        values = np.empty((n, m), dtype=np.float64)
        times = np.empty(n, dtype=np.float64)
        neurons = np.empty(m, dtype=np.uint32)
        self._check(self._lib.gennc_get_samples(self.handle, recording, values.ctypes.data_as(_f64p),
                                                n * m, times.ctypes.data_as(_f64p),
                                                neurons.ctypes.data_as(_u32p)))
        return values, times, neurons

    def clear_recordings(self):
        self._check(self._lib.gennc_clear_recordings(self.handle))
