"""Compiling generated GDSL with gennc, cached by the hash of the source and the compiler.

The library for a network is built once: `gennc --shared` writes it under the cache folder
($GENNC_CACHE_DIR, else ~/.cache/gennc) in a folder named by the SHA-256 of the source and
the options, which also records the compiler that built it, so a script run again loads it
at once. gennc runs in its own process while the script goes on (start_library), so the
first run() draws synapses meanwhile. A compile error in generated code is a bug of
pynn_gennc: the message says so and names the kept source file.
"""
import hashlib
import os
import platform
import shutil
import subprocess
from pathlib import Path


class CompilerNotFound(RuntimeError):
    pass


class GeneratedCodeError(RuntimeError):
    """gennc rejected GDSL that pynn_gennc generated: a bug to report, with the file kept."""


def find_gennc():
    """The gennc binary: $GENNC, then the repository's build/bin/gennc, then PATH."""
    candidates = []
    if os.environ.get("GENNC"):
        candidates.append(Path(os.environ["GENNC"]))
    repo = Path(__file__).resolve().parents[2]
    candidates += sorted(repo.glob("build*/bin/gennc"))
    found = shutil.which("gennc")
    if found:
        candidates.append(Path(found))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise CompilerNotFound("pynn_gennc: no gennc compiler found; set $GENNC to its path or build "
                           "gennc (scripts/build.sh) in the repository")


def cache_dir():
    return Path(os.environ.get("GENNC_CACHE_DIR") or Path.home() / ".cache" / "gennc")


def compiler_identity(gennc):
    """What the cache key takes from the compiler: its path, size and modification time, so
    a rebuilt gennc never reuses libraries of the old one (no process is started for it)."""
    stat = os.stat(gennc)
    return "%s %d %d" % (gennc, stat.st_size, stat.st_mtime_ns)


def host_cpu():
    """This machine's CPU as `--march native` sees it: its model and feature flags, so a
    cache shared between machines keeps one library per kind of CPU."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = [line for line in f if line.startswith(("model name", "flags"))]
        return "".join(sorted(set(lines)))
    except OSError:
        return platform.machine() + " " + platform.processor()


def start_library(source, name, options=()):
    """Starts building the shared library for GDSL `source` and returns its Compilation.

    The cache folder is named by the source and options; it records which compiler built
    its library, and a different compiler builds it again. Where no compiler is found (a
    GPU machine that only runs), a library already in the cache for the same source and
    options is used as it is."""
    options = list(options)
    machine = [host_cpu()] if "native" in options else []
    key = hashlib.sha256("\0".join([*machine, *options, source]).encode()).hexdigest()
    folder = cache_dir() / key[:32]
    library = folder / ("lib%s.so" % name)
    built_by = folder / "compiler"
    try:
        gennc = find_gennc()
    except CompilerNotFound:
        if library.is_file():
            return Compilation(library)
        raise
    identity = compiler_identity(gennc)
    if library.is_file() and built_by.is_file() and built_by.read_text() == identity:
        return Compilation(library)
    folder.mkdir(parents=True, exist_ok=True)
    source_file = folder / ("%s.gdsl" % name)
    source_file.write_text(source)
    partial = folder / ("lib%s.so.tmp-%d" % (name, os.getpid()))
    process = subprocess.Popen([str(gennc), str(source_file), "--shared", "-o", str(partial), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return Compilation(library, process, partial, source_file, lambda: built_by.write_text(identity))


class Compilation:
    """A library being built by gennc in its own process (or one found in the cache)."""

    def __init__(self, library, process=None, partial=None, source_file=None, record_compiler=None):
        self.library = library
        self._process = process
        self._partial = partial
        self._source_file = source_file
        self._record_compiler = record_compiler

    def finish(self):
        """Waits for gennc and returns the library's path."""
        if self._process is None:
            return self.library
        process, self._process = self._process, None
        _, errors = process.communicate()
        if process.returncode != 0:
            self._partial.unlink(missing_ok=True)
            raise GeneratedCodeError(
                "pynn_gennc bug: gennc rejected the network it generated; please report it with the "
                "file %s\n%s" % (self._source_file, errors.strip()))
        os.replace(self._partial, self.library)
        self._record_compiler()
        return self.library

    def cancel(self):
        """Stops gennc and removes what it wrote (the script failed meanwhile)."""
        if self._process is None:
            return
        process, self._process = self._process, None
        process.kill()
        process.communicate()
        self._partial.unlink(missing_ok=True)
