# The ground every other tests/pynn test stands on: the compiler is there, and
# pynn_gennc imports as a package. A failure here explains the failures elsewhere.
import os
from pathlib import Path

import pytest


def test_gennc_is_given():
    gennc = os.environ.get("GENNC")
    assert gennc, "$GENNC is not set: pynn_gennc finds the compiler through it (ctest sets it)"
    assert Path(gennc).is_file() and os.access(gennc, os.X_OK), f"$GENNC={gennc} is not an executable"


def test_pynn_gennc_imports():
    try:
        import pynn_gennc
    except Exception as e:
        pytest.fail(f"import pynn_gennc failed ({type(e).__name__}: {e}); "
                    "scripts/install-deps.sh installs pynn-export into .venv", pytrace=False)
    assert getattr(pynn_gennc, "__file__", None), (
        "pynn_gennc imports as a namespace package (no pynn-export/pynn_gennc/__init__.py?)")


def test_pynn_gennc_is_a_pynn_backend():
    import pyNN.common
    import pynn_gennc
    missing = [name for name in ("setup", "run", "end", "Population", "Projection",
                                 "IF_curr_exp", "SpikeSourceArray", "StaticSynapse")
               if not hasattr(pynn_gennc, name)]
    assert not missing, f"pynn_gennc lacks {missing}"
    assert issubclass(pynn_gennc.Population, pyNN.common.Population)
