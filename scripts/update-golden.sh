#!/usr/bin/env bash
# Regenerates the CHECK lines of full-dump golden tests (tests/golden/ast and ir) from the
# compiler's current output. Nobody edits those CHECK lines by hand: change the compiler, run
# this, review the diff. The LLVM tests (tests/golden/llvm) are written by hand instead: they
# check each function (CHECK-LABEL) on the lines that matter, so ABI changes leave them be;
# this script skips any test whose RUN line is not a full-line match.
#
#   scripts/update-golden.sh [FILE.gdsl ...]    (default: every tests/golden/*/*.gdsl)
#
# Each test starts with its RUN line, e.g.
#   // RUN: %gennc --emit=ast %s | FileCheck --strict-whitespace --match-full-lines %s
# The RUN line's gennc options (everything between %gennc and %s) are used to produce the
# output; the old CHECK lines (always the end of the file) are replaced. The pattern
# follows the colon directly, so that indentation is checked exactly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gennc=${GENNC:-}
if [ -z "$gennc" ]; then
  for candidate in "$root"/build*/bin/gennc; do
    if [ -x "$candidate" ]; then gennc=$candidate; break; fi
  done
fi
if [ -z "$gennc" ] || [ ! -x "$gennc" ]; then
  echo "update-golden: no gennc binary found; build first or set GENNC=/path/to/gennc" >&2
  exit 2
fi

if [ $# -eq 0 ]; then
  set -- "$root"/tests/golden/ast/*.gdsl "$root"/tests/golden/ir/*.gdsl
fi

for test in "$@"; do
  python3 - "$gennc" "$test" <<'PY'
import re
import subprocess
import sys

gennc, path = sys.argv[1], sys.argv[2]
with open(path) as f:
    lines = f.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()

run = next((l for l in lines if l.startswith("// RUN:")), None)
if run is None:
    sys.exit(f"update-golden: {path} has no '// RUN:' line")
if "--match-full-lines" not in run:
    print(f"update-golden: {path}: hand-written checks, skipped")
    sys.exit(0)
m = re.search(r"%gennc(.*?)%s", run)
if m is None:
    sys.exit(f"update-golden: {path}: the RUN line does not run '%gennc ... %s'")
options = m.group(1).split()

# The input is everything above the first CHECK line (and the blank lines before it).
body = []
for l in lines:
    if re.match(r"// CHECK(-[A-Z]+)?:", l):
        break
    body.append(l)
while body and body[-1].strip() == "":
    body.pop()
source = "\n".join(body) + "\n"
with open(path, "w") as f:
    f.write(source)

result = subprocess.run([gennc, *options, path], capture_output=True, text=True)
if result.returncode != 0:
    sys.stderr.write(result.stderr)
    sys.exit(f"update-golden: gennc failed on {path}")

def pattern(text):
    # FileCheck reads {{...}} as a regex and [[...]] as a variable: escape them.
    text = text.replace("{{", "{{[{][{]}}").replace("[[", "{{[[][[]}}")
    return text

# Paths differ between checkouts and between lit (absolute) and this script: where a line
# names the test's file or folder (LLVM's source_filename, DIFile, string constants), the
# path becomes {{.*}} and a string constant's length a number pattern.
import os
places = sorted({os.path.abspath(path), path, os.path.dirname(os.path.abspath(path)), os.path.dirname(path)},
                key=len, reverse=True)

def pathless(text):
    hit = any(p and p in text for p in places)
    text = pattern(text)
    if not hit:
        return text
    for p in places:
        if p:
            text = text.replace(pattern(p), "{{.*}}")
    return re.sub(r"\[[0-9]+ x i8\]", "[{{[0-9]+}} x i8]", text)

out = result.stdout.split("\n")
if out and out[-1] == "":
    out.pop()
checks = []
for i, l in enumerate(out):
    if i == 0 and l.startswith("Module "):
        # The path differs between runs (lit passes an absolute one): match its file name.
        name = path.rsplit("/", 1)[-1]
        checks.append("// CHECK:Module {{.*}}" + pattern(name))
    elif l == "" and i:
        checks.append("// CHECK-EMPTY:")  # FileCheck rejects an empty CHECK-NEXT
    else:
        checks.append(("// CHECK-NEXT:" if i else "// CHECK:") + pathless(l))
with open(path, "w") as f:
    f.write(source + "\n" + "\n".join(checks) + "\n")
print(f"update-golden: {path}: {len(checks)} lines")
PY
done
