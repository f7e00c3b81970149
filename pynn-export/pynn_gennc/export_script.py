"""`gennc-export script.py -o net.gdsl [script arguments]`: a PyNN script to GDSL.

Runs the script with pynn_gennc in export mode: its network is built in Python as usual
(PyNN's connectors with NumpyRNG draw their synapses), nothing is simulated, and the
network is written to the .gdsl file (with connection files beside it) when the script
calls end() or exits. The script may import `pynn_gennc` or `pyNN.gennc`, or take the
simulator's name 'gennc' on its command line as PyNN's examples do.
"""
import argparse
import os
import runpy
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="gennc-export", description=__doc__.split("\n\n")[0])
    parser.add_argument("script")
    parser.add_argument("-o", "--output", required=True, help="the .gdsl file to write")
    args, rest = parser.parse_known_args(argv)
    output = Path(args.output).resolve()
    if Path(args.script).resolve() == output:
        parser.error("the output would overwrite the script")
    os.environ["PYNN_GENNC_EXPORT"] = str(output)
    import pynn_gennc
    sys.modules["pyNN.gennc"] = pynn_gennc
    sys.argv = [args.script] + rest
    try:
        runpy.run_path(args.script, run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            raise
    from .export import export_network
    from .simulator import state
    if not getattr(state, "exported", False):
        export_network(state, output)
    print("gennc-export: wrote %s" % output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
