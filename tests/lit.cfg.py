# lit configuration for gennc's golden-file (tests/golden/) and diagnostics
# (tests/diagnostics/) tests. Run through ctest (`ctest -R lit`) or directly:
#   python3 /usr/lib/llvm-19/build/utils/lit/lit.py -sv <build>/tests
import os
import shutil

import lit.formats

config.name = "gennc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".gdsl"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.gennc_test_exec_root
# Only golden/ and diagnostics/ hold lit tests; other folders (unit/, end-to-end suites,
# their inputs) may hold .gdsl files that are not tests.
lit_suites = {"golden", "diagnostics"}
config.excludes = ["Inputs"] + [
    entry for entry in os.listdir(config.test_source_root)
    if entry not in lit_suites and os.path.isdir(os.path.join(config.test_source_root, entry))
]

# `ptxas` where gennc --gpu-sass finds one (codegen/targets/nvptx/assemble_ptx.h): the tests of
# its diagnostics differ with and without it.
ptxas_folders = [os.path.join(os.environ[v], "bin") for v in ("CUDA_HOME", "CUDA_PATH") if os.environ.get(v)]
if shutil.which("ptxas") or any(os.access(os.path.join(d, "ptxas"), os.X_OK)
                                for d in ptxas_folders + ["/usr/local/cuda/bin"]):
    config.available_features.add("ptxas")

# Tests verify the IR after every pass, whatever the build type.
config.substitutions.append(("%gennc", config.gennc + " --verify-each"))
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "")])
