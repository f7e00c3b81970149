#!/usr/bin/env python3
"""Robustness of the gennc front end against malformed input.

  robustness.py mutants  --gennc BIN --root SRC   mutants of every stdlib/example file
  robustness.py extremes --gennc BIN              pathological inputs (deep nesting, 1 MB, NUL, ...)

Every input is given to `gennc --check`. A run fails when it is killed by a signal, exits
with anything but 0 or 1, exits 1 without printing an error diagnostic, or takes more than
--limit seconds of CPU time (a hang is cut off at --hang seconds of wall time). CPU time
rather than wall time is the budget because the test machines are shared: a busy neighbour
slows the wall clock, not the work gennc does. Both are recorded and printed.

Mutants are deterministic: every random choice comes from a generator seeded by --seed and
the file's path. Each mutant is written next to a copy of the file it came from (the
stdlib/ and examples/ trees are copied into a temporary folder), so `import "..."` paths
still resolve. Failing inputs are kept in --keep (with the mutation that made them) so that
they can be replayed with `gennc --check FILE`.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field

# ---- Running gennc ------------------------------------------------------------------------

ERROR_LINE = re.compile(rb"(^|\n)[^\n]*error: ", re.S)


@dataclass
class Outcome:
    status: int          # exit code, or -signal
    wall: float
    cpu: float
    output: bytes
    hung: bool


def run_check(gennc, path, hang_limit):
    """Runs `gennc --check path`; returns its exit status, times and output."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen([gennc, "--check", path], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT,
                                cwd=os.path.dirname(path) or ".")
        hung = threading.Event()

        def kill():
            hung.set()
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(hang_limit, kill)
        timer.start()
        # wait4 gives this child's own CPU time (RUSAGE_CHILDREN would mix in the other
        # worker's children).
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        return Outcome(proc.returncode, wall, usage.ru_utime + usage.ru_stime, out.read(),
                       hung.is_set())


def judge(outcome, cpu_limit):
    """The reason a run counts as a failure, or None."""
    if outcome.hung:
        return "hang (killed after the wall-clock limit)"
    if outcome.status < 0:
        return f"killed by signal {signal.Signals(-outcome.status).name}"
    if outcome.status not in (0, 1):
        return f"exit status {outcome.status}"
    if outcome.status == 1 and not ERROR_LINE.search(outcome.output):
        return "exit status 1 without an error diagnostic"
    if outcome.cpu > cpu_limit:
        return f"took {outcome.cpu:.2f} s of CPU time (limit {cpu_limit} s)"
    return None


# ---- Tokens and mutations -----------------------------------------------------------------

# Close enough to grammar/Gdsl.g4's lexer for mutation: comments and whitespace are kept as
# separators, everything else is a token that may be deleted, swapped, duplicated or replaced.
TOKEN = re.compile(rb"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>->|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=)
  | (?P<other>.)
""", re.S | re.X)


def tokens(text):
    """(start, end) of every token that is not whitespace or a comment."""
    spans = []
    for m in TOKEN.finditer(text):
        if m.lastgroup not in ("space", "comment"):
            spans.append((m.start(), m.end()))
    return spans


# Bytes worth inserting: GDSL punctuation, quote and comment starters, bytes outside ASCII.
INSERT_BYTES = b'{}()[];:,.=+-*/^<>!&|?"\'#@$\\\n\t0123456789eE_x\x00\x7f\x80\xbf\xc3\xff'


@dataclass
class Mutant:
    description: str
    text: bytes


@dataclass
class Plan:
    step: int      # truncate every this many bytes
    small: int     # files below this many bytes are also truncated at every token boundary
    edits: int     # token edits and byte insertions per file
    per_file: int  # at most this many mutants per file: a deterministic sample of the above


def mutants_of(rel, text, plan, seed):
    """The mutants of one file (deterministic for a given seed and path)."""
    rng = random.Random(seed * 1_000_003 + zlib.crc32(rel.encode()))
    spans = tokens(text)
    n = len(text)

    cuts = set(range(0, n, plan.step))
    if n < plan.small:
        cuts.update(s for s, _ in spans)
    cuts = sorted(cuts)
    # Half of the sample are truncations, the rest edits.
    if len(cuts) > plan.per_file // 2:
        cuts = sorted(rng.sample(cuts, plan.per_file // 2))
    result = [Mutant(f"truncated at byte {c}", text[:c]) for c in cuts]

    for k in range(min(plan.edits, plan.per_file - len(result)) if spans else 0):
        kind = k % 5
        i = rng.randrange(len(spans))
        s, e = spans[i]
        if kind == 0:
            result.append(Mutant(f"deleted token {i} {text[s:e]!r} at byte {s}", text[:s] + text[e:]))
        elif kind == 1 and i + 1 < len(spans):
            s2, e2 = spans[i + 1]
            swapped = text[:s] + text[s2:e2] + text[e:s2] + text[s:e] + text[e2:]
            result.append(Mutant(f"swapped tokens {i} and {i + 1} at byte {s}", swapped))
        elif kind == 2:
            result.append(Mutant(f"duplicated token {i} {text[s:e]!r} at byte {s}",
                                 text[:e] + b" " + text[s:e] + text[e:]))
        elif kind == 3:
            pos = rng.randrange(n + 1)
            junk = bytes(rng.choice(INSERT_BYTES) for _ in range(rng.randint(1, 4)))
            result.append(Mutant(f"inserted {junk!r} at byte {pos}", text[:pos] + junk + text[pos:]))
        else:
            # Another token of the same file in this place: keeps the text lexically sane,
            # so these mostly reach sema (wrong names, units, model kinds).
            rs, re_ = spans[rng.randrange(len(spans))]
            result.append(Mutant(f"replaced token {i} {text[s:e]!r} at byte {s} by {text[rs:re_]!r}",
                                 text[:s] + text[rs:re_] + text[e:]))
    return result


# ---- Pathological inputs ------------------------------------------------------------------

def extreme_inputs():
    """(name, bytes) of inputs at the edges: nesting, size, encoding."""
    deep = 10000
    model_head = b"neuron N {\n  parameters { a: real = 1.0 }\n  state { v: real = 0.0 }\n"
    yield "empty file", b""
    yield "only whitespace and comments", b"  \n\t// nothing\n/* still nothing */\n"
    yield "4096 NUL bytes", b"\0" * 4096
    yield "NUL inside a model", model_head + b"  equations { v' = \0a }\n}\n"
    yield "invalid UTF-8", b"neuron N\xff\xfe { parameters { a\xc3: real = 1.0 \x80 } }\n"
    yield "truncated UTF-8 sequence at the end", model_head + b"}\n// \xe2\x82"
    yield "UTF-8 byte order mark", b"\xef\xbb\xbf" + model_head + b"}\n"
    yield "CR line ends", (model_head + b"}\n").replace(b"\n", b"\r")
    yield f"{deep} nested parentheses", (model_head + b"  equations { v' = " + b"(" * deep
                                         + b"a" + b")" * deep + b" }\n}\n")
    yield f"{deep} unclosed parentheses", model_head + b"  equations { v' = " + b"(" * deep + b"\n"
    yield f"{deep} nested lists", b"network n { let x = " + b"[" * deep + b"1" + b"]" * deep + b" }\n"
    yield f"{deep} unary minus signs", model_head + b"  equations { v' = " + b"-" * deep + b"a }\n}\n"
    yield f"{deep} negations", model_head + b"  threshold " + b"!" * deep + b"true\n}\n"
    yield f"{deep} nested if blocks", (model_head + b"  update { " + b"if a > 0 { " * deep
                                       + b"v = 1.0 " + b"} " * deep + b"}\n}\n")
    yield f"{deep} else-if chain", (model_head + b"  update { if a > 0 { v = 1.0 } "
                                    + b"else if a > 0 { v = 1.0 } " * deep + b"}\n}\n")
    yield "100000-term sum", model_head + b"  equations { v' = " + b"a + " * 100000 + b"a }\n}\n"
    yield "100000-term product", model_head + b"  equations { v' = " + b"a * " * 100000 + b"a }\n}\n"
    yield "100000 chained comparisons", model_head + b"  threshold " + b"a < " * 100000 + b"a\n}\n"
    yield "100000-deep member chain", b"network n { record " + b"x." * 100000 + b"v }\n"
    yield "100000-deep call chain", b"network n { let x = f" + b"(1)" * 100000 + b" }\n"
    yield "100000-deep index chain", b"network n { let x = f" + b"[1]" * 100000 + b" }\n"
    yield "100000-deep conditional chain", (b"network n { let x = " + b"true ? 1 : " * 100000
                                            + b"2 }\n")
    yield "100000-deep power chain", b"network n { let x = " + b"2 ^ " * 100000 + b"2 }\n"
    yield "one 1 MB identifier", model_head + b"  state { " + b"x" * (1 << 20) + b": real }\n}\n"
    yield "one 1 MB line of tokens", b"neuron N { " + b"{ " * (1 << 19) + b"}\n"
    yield "a 1 MB number", b"network n { dt = " + b"9" * (1 << 20) + b" ms }\n"
    yield "number overflow", b"network n { dt = 1e999 ms; seed = 99999999999999999999999 }\n"
    yield "unterminated string of 1 MB", b"import \"" + b"a" * (1 << 20)
    yield "unterminated comment of 1 MB", b"/*" + b"*" * (1 << 20)
    valid_model = (b"neuron N%d {\n  parameters { tau: ms = 10.0; v_rest: mV = -65.0 }\n"
                   b"  state { v: mV = -65.0 }\n  equations { v' = (v_rest - v) / tau }\n"
                   b"  threshold v >= -50 mV\n  reset { v = v_rest }\n}\n")
    big = b"".join(valid_model % i for i in range((1 << 20) // len(valid_model) + 1))
    yield f"1 MB of valid models ({big.count(b'neuron')} neurons)", big
    bad_model = b"neuron M%d { state { v: mV = 1 nA } equations { v' = v + 1 } threshold v }\n"
    yield "1 MB of models with errors", b"".join(bad_model % i for i in range((1 << 20) // len(bad_model) + 1))
    rng = random.Random(7)
    yield "1 MB of random bytes", bytes(rng.randrange(256) for _ in range(1 << 20))
    yield "1 MB of random punctuation", bytes(rng.choice(b"{}()[];:,.=+-*/^<>!&|?") for _ in range(1 << 20))


# ---- Reporting ----------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    runs: int = 0
    exit0: int = 0
    exit1: int = 0
    max_cpu: float = 0.0
    max_wall: float = 0.0
    failures: list = field(default_factory=list)

    def add(self, outcome, failure):
        self.runs += 1
        self.exit0 += outcome.status == 0
        self.exit1 += outcome.status == 1
        self.max_cpu = max(self.max_cpu, outcome.cpu)
        self.max_wall = max(self.max_wall, outcome.wall)
        if failure:
            self.failures.append(failure)


def print_table(title, rows, first_column):
    width = max([len(first_column)] + [len(r.name) for r in rows])
    head = f"{first_column:<{width}}  {'runs':>6}  {'exit 0':>6}  {'exit 1':>6}  {'max cpu':>8}  {'max wall':>8}  {'failures':>8}"
    print(f"\n{title}\n{head}\n{'-' * len(head)}")
    total = Row("total")
    for r in rows:
        print(f"{r.name:<{width}}  {r.runs:>6}  {r.exit0:>6}  {r.exit1:>6}  {r.max_cpu:>7.3f}s  {r.max_wall:>7.3f}s  {len(r.failures):>8}")
        total.runs += r.runs
        total.exit0 += r.exit0
        total.exit1 += r.exit1
        total.max_cpu = max(total.max_cpu, r.max_cpu)
        total.max_wall = max(total.max_wall, r.max_wall)
        total.failures += r.failures
    print('-' * len(head))
    print(f"{'total':<{width}}  {total.runs:>6}  {total.exit0:>6}  {total.exit1:>6}  {total.max_cpu:>7.3f}s  {total.max_wall:>7.3f}s  {len(total.failures):>8}")
    return total


def keep_failure(keep_dir, index, name, text, description, reason, outcome):
    """Saves a failing input with a note saying how it was made and what went wrong."""
    os.makedirs(keep_dir, exist_ok=True)
    base = os.path.join(keep_dir, f"failure-{index:04d}")
    suffix = os.path.splitext(name)[1] or ".gdsl"
    with open(base + suffix, "wb") as f:
        f.write(text)
    with open(base + ".txt", "w", encoding="utf-8") as f:
        f.write(f"input: {name}\nmutation: {description}\nproblem: {reason}\n"
                f"status: {outcome.status}  cpu: {outcome.cpu:.3f}s  wall: {outcome.wall:.3f}s\n\n")
        f.write(outcome.output[-4000:].decode("utf-8", "replace"))
    return base + suffix


# ---- Commands -----------------------------------------------------------------------------

def source_files(root):
    """Every stdlib/**/*.gdsl and examples/*.gdsl, relative to root, sorted."""
    found = []
    for folder, pattern_recursive in (("stdlib", True), ("examples", False)):
        top = os.path.join(root, folder)
        if not os.path.isdir(top):
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            if not pattern_recursive and dirpath != top:
                continue
            for name in sorted(filenames):
                if name.endswith(".gdsl"):
                    found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def run_jobs(jobs, args, rows, keep_dir):
    """Runs (row, name, path, text, description) jobs in parallel; returns the failures."""
    failures = []
    lock = threading.Lock()

    def one(job):
        row, name, path, text, description = job
        with open(path, "wb") as f:
            f.write(text)
        outcome = run_check(args.gennc, path, args.hang)
        os.unlink(path)
        reason = judge(outcome, args.limit)
        with lock:
            row.add(outcome, reason)
            if reason:
                kept = keep_failure(keep_dir, len(failures), name, text, description, reason, outcome)
                failures.append(f"{name}: {description}: {reason} (input kept as {kept})")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for _ in pool.map(one, jobs):
            pass
    return failures


def command_mutants(args):
    files = source_files(args.root)
    if not files:
        print(f"no stdlib/**/*.gdsl or examples/*.gdsl under {args.root}", file=sys.stderr)
        return 1
    plan = Plan(step=args.step, small=args.small, edits=args.edits, per_file=args.per_file)
    work = tempfile.mkdtemp(prefix="gennc-robustness-")
    try:
        for folder in ("stdlib", "examples"):
            if os.path.isdir(os.path.join(args.root, folder)):
                shutil.copytree(os.path.join(args.root, folder), os.path.join(work, folder))
        rows, jobs = [], []
        for rel in files:
            with open(os.path.join(args.root, rel), "rb") as f:
                text = f.read()
            row = Row(rel)
            rows.append(row)
            base = os.path.splitext(os.path.join(work, rel))[0]
            for k, m in enumerate(mutants_of(rel, text, plan, args.seed)):
                jobs.append((row, rel, f"{base}.mutant{k}.gdsl", m.text, m.description))
        start = time.monotonic()
        failures = run_jobs(jobs, args, rows, args.keep)
        total = print_table(f"gennc --check on mutants (seed {args.seed}, cpu limit {args.limit} s)",
                            rows, "file")
        print(f"\n{len(files)} files, {total.runs} mutants in {time.monotonic() - start:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in failures:
        print("FAIL", line)
    return 1 if failures else 0


def command_extremes(args):
    work = tempfile.mkdtemp(prefix="gennc-extremes-")
    try:
        rows, jobs = [], []
        for k, (name, text) in enumerate(extreme_inputs()):
            row = Row(name)
            rows.append(row)
            jobs.append((row, name, os.path.join(work, f"extreme{k}.gdsl"), text, name))
        failures = run_jobs(jobs, args, rows, args.keep)
        print_table(f"gennc --check on pathological inputs (cpu limit {args.limit} s)", rows, "input")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in failures:
        print("FAIL", line)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["mutants", "extremes"])
    parser.add_argument("--gennc", required=True, help="the gennc binary")
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."),
                        help="the source tree (stdlib/ and examples/ are read from it)")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel")
    parser.add_argument("--seed", type=int, default=20181, help="seed of every random choice")
    parser.add_argument("--step", type=int, default=97, help="truncate every this many bytes")
    parser.add_argument("--small", type=int, default=1500,
                        help="files below this many bytes are also truncated at every token")
    parser.add_argument("--edits", type=int, default=40,
                        help="token edits and byte insertions per file")
    parser.add_argument("--per-file", type=int, default=36,
                        help="at most this many mutants per file (keeps the run near a minute)")
    parser.add_argument("--limit", type=float, default=1.0, help="CPU seconds allowed per run")
    parser.add_argument("--hang", type=float, default=20.0, help="wall seconds before a run is killed")
    parser.add_argument("--keep", default=os.path.join(tempfile.gettempdir(), "gennc-robustness-failures"),
                        help="folder for failing inputs")
    args = parser.parse_args()
    args.gennc = os.path.abspath(args.gennc)
    args.root = os.path.abspath(args.root)
    args.keep = os.path.join(os.path.abspath(args.keep), args.command)
    if os.path.isdir(args.keep):
        shutil.rmtree(args.keep)
    return command_mutants(args) if args.command == "mutants" else command_extremes(args)


if __name__ == "__main__":
    sys.exit(main())
