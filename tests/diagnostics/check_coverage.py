#!/usr/bin/env python3
"""Every diagnostic declared in compiler/diag/diagnostics.def has a test here.

A test names the ids it covers on a `// DIAG: id, id` line. The claim is checked: the file
must expect (with an `expected-*` directive or a FileCheck `CHECK` line) a message of that
id's severity that the id's format string produces. Besides coverage this enforces the
suite's own rules:

  - every test file has a DIAG line naming only declared ids;
  - every `expected-*` directive pins a line and a column (`expected-error@+1:12`);
  - every expected message is a whole message some declared format produces (of the same
    severity), not a fragment of one.

  check_coverage.py --def compiler/diag/diagnostics.def --tests tests/diagnostics
"""

import argparse
import glob
import os
import re
import sys

DIAG_LINE = re.compile(r'^DIAG\((\w+),\s*(\w+),\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\)')
CLAIM = re.compile(r"//\s*DIAG:\s*(.*)$")
EXPECTED = re.compile(r"expected-(error|warning|note)(@[^\s{]*)?\s*\{\{(.*?)\}\}")
PINNED = re.compile(r"^@[+-]?\d+:\d+$")
CHECK = re.compile(r"//\s*CHECK(?:-NEXT|-SAME|-DAG)?:(.*)$")
# A printed diagnostic: `file:line:col: error: message [flag]` or `gennc: error: ...`.
PRINTED = re.compile(r"(?::\d+:\d+|^gennc): (error|warning|note): (.*?)(?: \[([\w-]+)\])?$")
FILECHECK_REGEX = re.compile(r"\{\{.*?\}\}")

SEVERITY = {"Error": "error", "Warning": "warning", "Note": "note"}


def unescape_c(s):
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def format_regex(fmt):
    """A regex matching every message a fmt format string can produce."""
    out, i = [], 0
    while i < len(fmt):
        if fmt.startswith("{{", i) or fmt.startswith("}}", i):
            out.append(re.escape(fmt[i]))
            i += 2
        elif fmt[i] == "{":
            close = fmt.index("}", i)
            out.append("(.*)")
            i = close + 1
        else:
            out.append(re.escape(fmt[i]))
            i += 1
    return re.compile("".join(out), re.S)


def read_def(path):
    """id -> (severity word, flag, format regex, first-line regex, whether the format has
    literal text). FileCheck matches line by line, so a CHECK line is held against the
    first line of a multi-line message."""
    diags = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = DIAG_LINE.match(line.strip())
            if m:
                ident, severity, flag, fmt = m.groups()
                fmt = unescape_c(fmt)
                literal = re.sub(r"\{[^{}]*\}", "", fmt).strip() != ""
                diags[ident] = (SEVERITY[severity], unescape_c(flag), format_regex(fmt),
                                format_regex(fmt.split("\n")[0]), literal)
    return diags


def expectations(text):
    """(severity, message, flag or None, whether from a CHECK line, problem or None) of
    every expected message."""
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in EXPECTED.finditer(line):
            severity, where, message = m.groups()
            problem = None
            if not where or not PINNED.match(where):
                problem = f"line {lineno}: expected-{severity} does not pin a line and column (write @+N:COL)"
            found.append((severity, message, None, False, problem))
        c = CHECK.search(line)
        if c:
            p = PRINTED.search(c.group(1).strip())
            if p:
                severity, message, flag = p.groups()
                found.append((severity, FILECHECK_REGEX.sub("", message), flag, True, None))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--def", dest="def_file", required=True, help="compiler/diag/diagnostics.def")
    parser.add_argument("--tests", required=True, help="the folder of diagnostics tests")
    args = parser.parse_args()

    diags = read_def(args.def_file)
    if not diags:
        print(f"no DIAG(...) entries found in {args.def_file}")
        return 1
    problems = []
    covered = {}
    tests = sorted(glob.glob(os.path.join(args.tests, "*.gdsl")))
    for test in tests:
        name = os.path.basename(test)
        with open(test, encoding="utf-8", errors="replace") as f:
            text = f.read()
        claims = []
        for line in text.splitlines():
            m = CLAIM.search(line)
            if m:
                claims += [c.strip() for c in m.group(1).split(",") if c.strip()]
        if not claims:
            problems.append(f"{name}: no `// DIAG: id` line saying which diagnostics it covers")
        expected = expectations(text)
        for severity, message, _, filecheck, problem in expected:
            if problem:
                problems.append(f"{name}: {problem}")
            # A format without literal text (`{}`) matches anything: it vouches for a message
            # only in a file that claims that diagnostic.
            elif not any(sev == severity and (first if filecheck else rx).fullmatch(message)
                         and (literal or ident in claims)
                         for ident, (sev, _, rx, first, literal) in diags.items()):
                problems.append(f"{name}: expected {severity} '{message}' is not a whole message of any "
                                f"declared {severity} (pin the full text)")
        for ident in claims:
            if ident not in diags:
                problems.append(f"{name}: DIAG names '{ident}', which diagnostics.def does not declare")
                continue
            severity, flag, rx, first, _ = diags[ident]
            if any(sev == severity and (first if fc else rx).fullmatch(msg) and (fl is None or fl == flag)
                   for sev, msg, fl, fc, _ in expected):
                covered.setdefault(ident, []).append(name)
            else:
                problems.append(f"{name}: claims '{ident}' but expects no {severity} its format "
                                f"produces")
    missing = [ident for ident in diags if ident not in covered]
    for ident in missing:
        problems.append(f"diagnostic '{ident}' has no test (add a test with `// DIAG: {ident}`)")

    print(f"{len(diags)} diagnostics declared, {len(diags) - len(missing)} covered by {len(tests)} tests")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
