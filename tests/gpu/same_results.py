#!/usr/bin/env python3
"""Whether two gennc results folders hold bitwise the same results (Python standard
library only, for the GPU machine).

  same_results.py A_DIR B_DIR

Every file that A's manifest.json lists must be in B's list and byte for byte equal (the
manifest itself differs in its timings and backend). Prints the first file that differs;
exit status 0 when none does, 1 otherwise."""
import json
import os
import sys


def listed(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return sorted(json.load(f)["files"])


def main():
    a, b = sys.argv[1], sys.argv[2]
    names = listed(a)
    if names != listed(b):
        print(f"different files: {names} and {listed(b)}")
        return 1
    for name in names:
        with open(os.path.join(a, name), "rb") as fa, open(os.path.join(b, name), "rb") as fb:
            if fa.read() != fb.read():
                print(f"{name} differs")
                return 1
    print(f"bitwise equal: {len(names)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
