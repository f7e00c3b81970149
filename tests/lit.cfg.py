# lit configuration for gennc's golden-file (tests/golden/) and diagnostics
# (tests/diagnostics/) tests. Run through ctest (`ctest -R lit`) or directly:
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv <build>/tests
import os

import lit.formats

config.name = "gennc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".gdsl"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.gennc_test_exec_root
# Only these folders hold lit tests; unit/ holds Catch2 sources.
config.excludes = ["unit", "Inputs"]

config.substitutions.append(("%gennc", config.gennc))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])
