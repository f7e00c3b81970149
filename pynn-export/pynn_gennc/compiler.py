"""Compiling generated GDSL with gennc, cached by the hash of the source and the compiler.

The library for a network is built once: `gennc --shared` writes it under the cache folder
($GENNC_CACHE_DIR, else ~/.cache/gennc) in a folder named by the SHA-256 of the source and
the options, which also records the compiler that built it, so a script run again loads it
at once. A
compile error in generated code is a bug of pynn_gennc: the message says so and names
the kept source file.
"""
import hashlib
import os
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


def compile_library(source, name, options=()):
    """Returns the path of the shared library for GDSL `source`, compiling it if needed.

    The cache folder is named by the source and options; it records which compiler built
    its library, and a different compiler builds it again. Where no compiler is found (a
    GPU machine that only runs), a library already in the cache for the same source and
    options is used as it is."""
    options = list(options)
    key = hashlib.sha256("\0".join([*options, source]).encode()).hexdigest()
    folder = cache_dir() / key[:32]
    library = folder / ("lib%s.so" % name)
    built_by = folder / "compiler"
    try:
        gennc = find_gennc()
    except CompilerNotFound:
        if library.is_file():
            return library
        raise
    identity = compiler_identity(gennc)
    if library.is_file() and built_by.is_file() and built_by.read_text() == identity:
        return library
    folder.mkdir(parents=True, exist_ok=True)
    source_file = folder / ("%s.gdsl" % name)
    source_file.write_text(source)
    partial = folder / ("lib%s.so.tmp-%d" % (name, os.getpid()))
    result = subprocess.run([str(gennc), str(source_file), "--shared", "-o", str(partial), *options],
                            capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise GeneratedCodeError(
            "pynn_gennc bug: gennc rejected the network it generated; please report it with the "
            "file %s\n%s" % (source_file, result.stderr.strip()))
    os.replace(partial, library)
    built_by.write_text(identity)
    return library
